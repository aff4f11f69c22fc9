"""A group leader of group A sees nothing of group B, whatever the resource and the verb."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from domain.access import Role
from domain.outreach.models import Campaign
from tests.api.test_ops import assert_problem
from tests.builders import bearer, make_household, make_resident, make_tree, make_user


@pytest.fixture
async def two_groups(app, session):
    tree = await make_tree(session)
    mine = await make_household(session, tree.group_a1, code=f"A-{tree.group_a1.id.hex[-8:]}")
    theirs = await make_household(session, tree.group_b1, code=f"B-{tree.group_b1.id.hex[-8:]}")
    me = await make_resident(session, mine, head=True, full_name="Phan Văn Mình")
    them = await make_resident(session, theirs, head=True, full_name="Phan Văn Người")
    campaign = Campaign(name="B", goals=["join_group"], province_id=tree.province.id,
                        commune_id=tree.commune_b.id, group_ids=[str(tree.group_b1.id)],
                        starts_on=date(2026, 1, 11), ends_on=date(2026, 2, 1))
    session.add(campaign)
    await session.flush()
    leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
    return {"tree": tree, "mine": mine, "theirs": theirs, "me": me, "them": them,
            "campaign": campaign, "h": bearer(app, leader, [tree.group_a1])}


async def test_group_b_is_invisible_to_a_leader_of_group_a(client, two_groups):
    t, h = two_groups, two_groups["h"]
    tree = t["tree"]
    for url, code in [
        (f"/api/v1/units/{tree.group_b1.id}", "unit_not_found"),
        (f"/api/v1/units/{tree.commune_b.id}", "unit_not_found"),
        (f"/api/v1/households/{t['theirs'].id}", "household_not_found"),
        (f"/api/v1/households/{t['theirs'].id}/members", "household_not_found"),
        (f"/api/v1/households/{t['theirs'].id}/history", "household_not_found"),
        (f"/api/v1/residents/{t['them'].id}", "resident_not_found"),
        (f"/api/v1/residents/{t['them'].id}/history", "resident_not_found"),
        (f"/api/v1/campaigns/{t['campaign'].id}", "campaign_not_found"),
        (f"/api/v1/campaigns/{t['campaign'].id}/progress", "campaign_not_found"),
    ]:
        assert_problem(await client.get(url, headers=h), 404, code)
    lists = {
        f"/api/v1/units?parent_id={tree.commune_b.id}&include_total=true": 0,
        f"/api/v1/households?group_id={tree.group_b1.id}&include_total=true": 0,
        "/api/v1/households?include_total=true": 1,
        "/api/v1/residents?q=phan%20van&include_total=true": 1,
        f"/api/v1/residents?group_id={tree.group_b1.id}&include_total=true": 0,
    }
    for url, total in lists.items():
        page = (await client.get(url, headers=h)).json()
        assert page["total"] == total, url
    assert (await client.get("/api/v1/campaigns", headers=h)).json()["items"] == []
    exported = await client.get("/api/v1/residents/export", headers=h)
    names = [row[1] for row in csv.reader(io.StringIO(exported.content.decode("utf-8-sig")))]
    assert "Phan Văn Mình" in names and "Phan Văn Người" not in names
    for method, url, body in [
        ("PATCH", f"/api/v1/residents/{t['them'].id}", {"full_name": "X Y"}),
        ("DELETE", f"/api/v1/residents/{t['them'].id}", None),
        ("PATCH", f"/api/v1/households/{t['theirs'].id}", {"house_number": "1"}),
        ("POST", f"/api/v1/residents/{t['them'].id}/readiness",
         {"kind": "joined_group", "occurred_on": "2026-01-11"}),
        ("POST", f"/api/v1/households/{t['mine'].id}/members",
         {"resident_id": str(t["them"].id), "relationship": "other"}),
    ]:
        resp = await client.request(method, url, headers={**h, "If-Match": "*"}, json=body)
        assert resp.status_code == 404, (method, url, resp.text)
    resp = await client.post("/api/v1/residents", headers=h, json={
        "household_id": str(t["theirs"].id), "full_name": "Kẻ Lạ", "birth_year": 1990,
        "sex": "male"})
    assert_problem(resp, 404, "household_not_found")
