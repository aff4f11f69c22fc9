"""Fifty volunteers recording at once (committed transactions): counts stay exact."""

from __future__ import annotations

import asyncio

import httpx

from api.app import create_app
from domain.access import Role
from repositories.db import make_session_factory
from tests.builders import bearer, make_household, make_resident, make_tree, make_user
from tests.conftest import make_settings


async def test_fifty_volunteers_at_once(engine):
    factory = make_session_factory(engine)
    async with factory() as session:
        tree = await make_tree(session, "visits")
        households, heads = [], []
        for n in range(100):
            hh = await make_household(session, tree.group_a1, street=tree.street_a,
                                      house_number=str(n + 1))
            households.append(hh)
            heads.append(await make_resident(session, hh, head=True))
        leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
        vols = [await make_user(session, role=Role.volunteer, units=[tree.group_a1])
                for _ in range(50)]
        await session.commit()
    app = create_app(make_settings(), session_factory=factory, engine=engine)
    lh = bearer(app, leader, [tree.group_a1])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        resp = await client.post("/api/v1/campaigns", headers=lh, json={
            "name": "Đồng thời", "goals": ["join_group"], "group_ids": [str(tree.group_a1.id)],
            "starts_on": "2026-01-11", "ends_on": "2026-12-31"})
        cid = resp.json()["id"]
        await client.post(f"/api/v1/campaigns/{cid}/start",
                          headers={**lh, "If-Match": resp.headers["etag"]})
        await client.post(f"/api/v1/campaigns/{cid}/assignments", headers=lh, json={
            "mode": "balanced", "volunteer_ids": [str(v.id) for v in vols]})
        walks = {}
        for v in vols:
            h = bearer(app, v, [tree.group_a1])
            walk = (await client.get(f"/api/v1/campaigns/{cid}/walk-list", headers=h)).json()
            walks[v.id] = (h, walk["items"])
        assert sum(len(items) for _, items in walks.values()) == 100

        async def record(h, stop, n):
            body = {"client_visit_id": f"conc-{stop['household_id']}",
                    "household_id": stop["household_id"],
                    "visited_at": f"2026-01-11T{8 + n:02d}:00:00+07:00", "outcome": "met",
                    "residents": [{"resident_id": stop["residents"][0]["resident_id"],
                                   "actions": ["invited_to_group"]}]}
            return await client.post(f"/api/v1/campaigns/{cid}/visits", headers=h, json=body)

        calls = [record(h, stop, n) for h, items in walks.values()
                 for n, stop in enumerate(items)]
        replays = [record(h, items[0], 0) for h, items in list(walks.values())[:10]]
        results = await asyncio.gather(*calls, *replays)
        codes = sorted(r.status_code for r in results)
        assert codes.count(201) == 100 and codes.count(200) == 10, codes
        progress = (await client.get(f"/api/v1/campaigns/{cid}/progress", headers=lh)).json()
        assert progress["households_reached"] == 100
        assert progress["actions"]["invited_to_group"] == 100
        assert sum(s["households_reached"] for s in progress["by_volunteer"]) == 100
        assert len(progress["by_volunteer"]) == 50
        assert sum(s["households_reached"] for s in progress["by_day"]) == 100
