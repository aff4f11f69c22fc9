"""Optimistic concurrency under real concurrent transactions (committed, not rolled back)."""

from __future__ import annotations

import asyncio

import httpx

from api.app import create_app
from domain.access import Role
from repositories.db import make_session_factory
from tests.builders import bearer, make_household, make_resident, make_tree, make_user
from tests.conftest import make_settings


async def test_fifty_patches_with_one_etag_exactly_one_wins(engine):
    factory = make_session_factory(engine)
    async with factory() as session:
        tree = await make_tree(session, "concurrency")
        household = await make_household(session, tree.group_a1)
        resident = await make_resident(session, household, head=True)
        leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
        await session.commit()
    app = create_app(make_settings(), session_factory=factory, engine=engine)
    h = bearer(app, leader, [tree.group_a1])
    url = f"/api/v1/residents/{resident.id}"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        first = await client.get(url, headers=h)
        tag = first.headers["etag"]

        async def patch(i: int):
            return await client.patch(url, headers={**h, "If-Match": tag},
                                      json={"full_name": f"Nguyễn Văn Số {i}"})

        results = await asyncio.gather(*(patch(i) for i in range(50)))
        codes = sorted(r.status_code for r in results)
        assert codes.count(200) == 1, codes
        assert codes.count(412) == 49, codes
        winner = next(r for r in results if r.status_code == 200).json()
        final = (await client.get(url, headers=h)).json()
        assert final["full_name"] == winner["full_name"]
        assert final["version"] == first.json()["version"] + 1
        history = (await client.get(url + "/history", headers=h)).json()["items"]
        assert len(history) == 1  # the losers wrote nothing
