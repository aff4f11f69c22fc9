"""A volunteer reads the register of the households assigned to them in active campaigns,
and nothing else of it (CONTRACT: "households assigned to them in active campaigns"): every
other household or resident of their own group is a 404, and when the campaign closes or
the assignment is taken away, so is everything."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from domain.access import Role
from tests.api.test_ops import assert_problem
from tests.builders import (
    bearer,
    make_household,
    make_resident,
    make_tree,
    make_user,
    make_walk,
    random_id_number,
)


@pytest.fixture
async def walks(app, session):
    tree = await make_tree(session)
    mine = [await make_household(session, tree.group_a1, street=tree.street_a,
                                 house_number=str(n)) for n in range(1, 4)]
    # Assigned in another group of the commune, which the campaign also targets.
    mine.append(await make_household(session, tree.group_a2, house_number="9"))
    others = [await make_household(session, tree.group_a1, house_number=str(n))
              for n in range(20, 23)]
    closed_walk = await make_household(session, tree.group_a1, house_number="30")
    others.append(closed_walk)
    others.append(await make_household(session, tree.group_b1, house_number="40"))
    people: dict = {}
    for n, household in enumerate(mine + others):
        people[household.id] = [
            await make_resident(session, household, head=True, full_name=f"Hồ Văn Chủ {n}",
                                id_number=random_id_number(), phone="+84912345678"),
            await make_resident(session, household, full_name=f"Hồ Thị Con {n}")]
    volunteer = await make_user(session, role=Role.volunteer, units=[tree.group_a1])
    colleague = await make_user(session, role=Role.volunteer, units=[tree.group_a1])
    leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
    officer = await make_user(session, role=Role.ward_officer, units=[tree.commune_a])
    active = await make_walk(session, volunteer, mine)
    await make_walk(session, colleague, others[:2])  # someone else's walk
    closed = await make_walk(session, volunteer, [closed_walk], status="closed")
    return {"tree": tree, "mine": mine, "others": others, "people": people, "active": active,
            "closed": closed, "h": bearer(app, volunteer, [tree.group_a1]),
            "volunteer": volunteer, "leader": bearer(app, leader, [tree.group_a1]),
            "officer": bearer(app, officer, [tree.commune_a])}


def _residents(w, households) -> set[str]:
    return {str(r.id) for h in households for r in w["people"][h.id]}


async def _all(client, h, url: str) -> list[dict]:
    items, cursor = [], None
    url += ("&" if "?" in url else "?") + "limit=200"
    while True:
        resp = await client.get(url + (f"&cursor={quote(cursor)}" if cursor else ""), headers=h)
        assert resp.status_code == 200, resp.text
        items += resp.json()["items"]
        if not (cursor := resp.json()["next_cursor"]):
            return items


async def _totals(client, h) -> tuple[int, int]:
    households = await client.get("/api/v1/households?include_total=true", headers=h)
    residents = await client.get("/api/v1/residents?include_total=true", headers=h)
    return households.json()["total"], residents.json()["total"]


def _record_routes(w, households) -> list[tuple[str, str]]:
    out = []
    for household in households:
        out += [(f"/api/v1/households/{household.id}{tail}", "household_not_found")
                for tail in ("", "/members", "/history")]
        for resident in w["people"][household.id]:
            out += [(f"/api/v1/residents/{resident.id}{tail}", "resident_not_found")
                    for tail in ("", "/history")]
    return out


async def test_a_volunteer_reads_exactly_their_assigned_households(client, walks):
    w, h = walks, walks["h"]
    listed = await _all(client, h, "/api/v1/households")
    assert {i["id"] for i in listed} == {str(x.id) for x in w["mine"]}
    assert await _totals(client, h) == (len(w["mine"]), 2 * len(w["mine"]))
    people = await _all(client, h, "/api/v1/residents")
    assert {i["id"] for i in people} == _residents(w, w["mine"])
    # Their own group's filter, a search or another household's id finds no one else.
    group = w["tree"].group_a1.id
    by_group = await _all(client, h, f"/api/v1/residents?group_id={group}")
    assert {i["id"] for i in by_group} == _residents(w, w["mine"][:3])
    assert {i["id"] for i in await _all(client, h, "/api/v1/residents?q=ho%20van")} == {
        str(w["people"][x.id][0].id) for x in w["mine"]}
    other = w["others"][0].id
    assert await _all(client, h, f"/api/v1/residents?household_id={other}") == []
    assert await _all(client, h, f"/api/v1/households?group_id={group}") != []
    for url, _ in _record_routes(w, w["mine"]):
        assert (await client.get(url, headers=h)).status_code == 200, url
    record = (await client.get(f"/api/v1/residents/{w['people'][w['mine'][0].id][0].id}",
                               headers=h)).json()
    assert record["id_number"].startswith("********") and record["birth_date"] is None
    assert record["phone"] == "********5678"
    members = (await client.get(f"/api/v1/households/{w['mine'][0].id}/members",
                                headers=h)).json()["items"]
    assert len(members) == 2 and all(m["birth_date"] is None for m in members)


async def test_every_other_household_and_resident_is_404(client, walks):
    w, h = walks, walks["h"]
    for url, code in _record_routes(w, w["others"]):
        assert_problem(await client.get(url, headers=h), 404, code)
    duplicates = (await client.get("/api/v1/residents/duplicates", headers=h)).json()
    seen = {r["id"] for g in duplicates["items"] for r in g["residents"]}
    assert seen <= _residents(w, w["mine"])
    # A leader of the group still reads all of it.
    assert await _totals(client, w["leader"]) == (7, 14)


async def test_a_closed_campaign_gives_nothing(client, walks):
    w, h = walks, walks["h"]
    closed = w["closed"].id
    for tail in ("", "/progress", "/walk-list", "/visits"):
        assert_problem(await client.get(f"/api/v1/campaigns/{closed}{tail}", headers=h), 404,
                       "campaign_not_found")
    listed = (await client.get("/api/v1/campaigns", headers=h)).json()["items"]
    assert [c["id"] for c in listed] == [str(w["active"].id)]
    walk = (await client.get(f"/api/v1/campaigns/{w['active'].id}/walk-list",
                             headers=h)).json()
    assert [s["household_id"] for s in walk["items"]] == [str(x.id) for x in w["mine"]]

    active = w["active"].id
    resp = await client.post(f"/api/v1/campaigns/{active}/close",
                             headers={**w["officer"], "If-Match": "*"})
    assert resp.status_code == 200, resp.text
    assert await _totals(client, h) == (0, 0)
    for url, code in _record_routes(w, w["mine"]):
        assert_problem(await client.get(url, headers=h), 404, code)
    assert (await client.get("/api/v1/campaigns", headers=h)).json()["items"] == []
    assert_problem(await client.get(f"/api/v1/campaigns/{active}/walk-list", headers=h), 404,
                   "campaign_not_found")


async def test_an_assignment_taken_away_takes_the_household_with_it(client, walks):
    w, h = walks, walks["h"]
    taken = w["mine"][0]
    resp = await client.post(f"/api/v1/campaigns/{w['active'].id}/assignments",
                             headers=w["officer"], json={"mode": "manual",
                                                        "household_ids": [str(taken.id)],
                                                        "volunteer_id": None})
    assert resp.status_code == 200, resp.text
    assert await _totals(client, h) == (len(w["mine"]) - 1, 2 * (len(w["mine"]) - 1))
    for url, code in _record_routes(w, [taken]):
        assert_problem(await client.get(url, headers=h), 404, code)


async def test_deliveries_list_only_the_households_they_read(client, walks):
    w = walks
    notice = await client.post("/api/v1/announcements", headers=w["officer"], json={
        "title": "Cảnh giác", "body": "Không chuyển tiền cho người lạ.",
        "category": "fraud_warning", "unit_ids": [str(w["tree"].commune_a.id)],
        "channels": ["door_to_door"],
        "publish_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat()})
    assert notice.status_code == 201, notice.text
    url = f"/api/v1/announcements/{notice.json()['id']}/deliveries"
    told = [w["mine"][0], w["others"][0]]
    for household in told:
        resp = await client.post(url, headers=w["officer"], json={
            "household_id": str(household.id), "delivered_at": datetime.now(UTC).isoformat()})
        assert resp.status_code == 201, resp.text
    seen = (await client.get(url, headers=w["h"])).json()["items"]
    assert [d["household_id"] for d in seen] == [str(w["mine"][0].id)]
    all_told = (await client.get(url, headers=w["officer"])).json()["items"]
    assert {d["household_id"] for d in all_told} == {str(h.id) for h in told}
