"""Households: open, change the head, move members, split, merge, close, history."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import text

from domain.access import Role
from domain.text import folded_pattern, name_fold
from tests.api.test_ops import assert_invalid, assert_problem
from tests.builders import bearer, make_household, make_resident, make_tree, make_user
from tests.name_order import ADDRESSES, LETTERS, check_household_search


@pytest.fixture
async def family(app, session):
    tree = await make_tree(session)
    household = await make_household(session, tree.group_a1, street=tree.street_a)
    head = await make_resident(session, household, head=True, full_name="Võ Văn Hùng")
    wife = await make_resident(session, household, full_name="Lê Thị Hoa", sex="female",
                               relationship="spouse")
    son = await make_resident(session, household, full_name="Võ Minh Khôi", birth_year=2000,
                              birth_date=None)
    units = [tree.group_a1, tree.group_a2]
    leader = await make_user(session, role=Role.group_leader, units=units)
    admin = await make_user(session, role=Role.admin)
    return {"tree": tree, "household": household, "head": head, "wife": wife, "son": son,
            "h": bearer(app, leader, units), "admin": bearer(app, admin)}


async def etag(client, h, household):
    return (await client.get(f"/api/v1/households/{household.id}", headers=h)).headers["etag"]


class TestHouseholds:
    async def test_open_with_generated_code_and_walking_order(self, client, family):
        tree, h = family["tree"], family["h"]
        resp = await client.post("/api/v1/households", headers=h, json={
            "group_id": str(tree.group_a1.id), "street_id": str(tree.street_a.id),
            "house_number": "35A"})
        assert resp.status_code == 201, resp.text
        assert resp.json()["code"].startswith("HH-")

    async def test_q_finds_code_number_and_street(self, client, family):
        tree = family["tree"]
        await check_household_search(client, family["h"], str(tree.group_a2.id),
                                     str(tree.street_a.id))

    async def test_postgresql_reads_the_old_address_pattern_as_python_does(self, session):
        """The old address is matched by `~` on PostgreSQL and by Python's `re` on SQLite:
        one pattern, one answer, for every letter, case and tone, and every piece of words
        in addresses as written."""
        pairs = [(letter, base) for letter in LETTERS for base in "adeiouyđ"]
        pairs += [(address, word[i:i + 3]) for address in ADDRESSES
                  for word in name_fold(address).split() for i in range(len(word))]
        pairs += [(address, word) for address in ADDRESSES
                  for word in ("34/2", "p.", "tp.", "hbong", "quy", "xyz", "(", "[", "\\")]
        rows = [{"t": t, "p": folded_pattern(name_fold(w) or w), "n": n}
                for n, (t, w) in enumerate(pairs)]
        got = (await session.execute(text(
            "SELECT r.t ~ r.p FROM jsonb_to_recordset(CAST(:rows AS jsonb)) "
            "AS r(t text, p text, n int) ORDER BY r.n"),
            {"rows": json.dumps(rows)})).scalars().all()
        assert got == [re.search(r["p"], r["t"]) is not None for r in rows]
        assert 200 < sum(got) < len(rows)  # both answers, not only one

    async def test_street_of_another_commune_is_refused(self, client, session, family):
        tree, h = family["tree"], family["h"]
        resp = await client.post("/api/v1/households", headers=h, json={
            "group_id": str(tree.group_a2.id), "street_id": str(tree.street_a.id)})
        assert resp.status_code == 201  # same commune: fine
        resp = await client.post("/api/v1/households", headers=h, json={
            "group_id": str(tree.group_b1.id)})
        assert_problem(resp, 404, "unit_not_found")  # outside the leader's scope
        resp = await client.post("/api/v1/households", headers=family["admin"], json={
            "group_id": str(tree.group_b1.id), "street_id": str(tree.street_a.id)})
        assert_invalid(resp, {("body", "street_id"): "street_other_commune"})

    async def test_members_head_first_and_new_head_must_be_member(self, client, family):
        h, household = family["h"], family["household"]
        items = (await client.get(f"/api/v1/households/{household.id}/members",
                                  headers=h)).json()["items"]
        assert items[0]["id"] == str(family["head"].id) and len(items) == 3
        outsider = await client.patch(
            f"/api/v1/households/{household.id}",
            headers={**h, "If-Match": await etag(client, h, household)},
            json={"head_id": str(family["tree"].group_a1.id)})
        assert_invalid(outsider, {("body", "head_id"): "head_not_member"})
        ok = await client.patch(
            f"/api/v1/households/{household.id}",
            headers={**h, "If-Match": await etag(client, h, household)},
            json={"head_id": str(family["wife"].id)})
        assert ok.json()["head_id"] == str(family["wife"].id)

    async def test_split_and_merge_back_keep_history(self, client, family):
        h, household, son = family["h"], family["household"], family["son"]
        resp = await client.post(f"/api/v1/households/{household.id}/split",
                                 headers={**h, "If-Match": await etag(client, h, household)},
                                 json={"member_ids": [str(son.id)], "head_id": str(son.id),
                                       "house_number": "12/1"})
        assert resp.status_code == 201, resp.text
        new = resp.json()
        assert new["head_id"] == str(son.id)
        son_now = (await client.get(f"/api/v1/residents/{son.id}", headers=h)).json()
        assert son_now["household_id"] == new["id"] and son_now["relationship"] == "head"

        self_merge = await client.post(
            f"/api/v1/households/{household.id}/merge",
            headers={**h, "If-Match": await etag(client, h, household)},
            json={"other_household_id": str(household.id)})
        assert_invalid(self_merge, {("body", "other_household_id"): "merge_into_itself"})
        merged = await client.post(
            f"/api/v1/households/{household.id}/merge",
            headers={**h, "If-Match": await etag(client, h, household)},
            json={"other_household_id": new["id"]})
        assert merged.status_code == 200, merged.text
        gone = await client.get(f"/api/v1/households/{new['id']}", headers=h)
        assert_problem(gone, 404, "household_not_found")
        history = (await client.get(f"/api/v1/households/{new['id']}/history",
                                    headers=h)).json()["items"]
        assert [e["action"] for e in history] == ["split_from", "merged_into"]
        son_history = (await client.get(f"/api/v1/residents/{son.id}/history",
                                        headers=h)).json()["items"]
        assert [e["action"] for e in son_history] == ["split", "merged"]

    async def test_head_cannot_leave_others_behind(self, client, family):
        h, household = family["h"], family["household"]
        resp = await client.post(f"/api/v1/households/{household.id}/split",
                                 headers={**h, "If-Match": await etag(client, h, household)},
                                 json={"member_ids": [str(family["head"].id)],
                                       "head_id": str(family["head"].id)})
        assert_problem(resp, 409, "head_must_stay")

    async def test_moving_a_resident_takes_them_out_of_the_old_household(self, client, session,
                                                                         family):
        h, son = family["h"], family["son"]
        other = await make_household(session, family["tree"].group_a2)
        resp = await client.post(f"/api/v1/households/{other.id}/members",
                                 headers={**h, "If-Match": await etag(client, h, other)},
                                 json={"resident_id": str(son.id), "relationship": "head"})
        assert resp.status_code == 200, resp.text
        old = (await client.get(f"/api/v1/households/{family['household'].id}/members",
                                headers=h)).json()["items"]
        assert str(son.id) not in [m["id"] for m in old]
        moved = (await client.get(f"/api/v1/residents/{son.id}", headers=h)).json()
        assert moved["household_id"] == str(other.id)
        assert moved["group_id"] == str(family["tree"].group_a2.id)

    async def test_close_needs_an_empty_household(self, client, session, family):
        h, household = family["h"], family["household"]
        resp = await client.delete(f"/api/v1/households/{household.id}",
                                   headers={**h, "If-Match": await etag(client, h, household)})
        assert_problem(resp, 409, "household_not_empty")
        empty = await make_household(session, family["tree"].group_a1)
        resp = await client.delete(f"/api/v1/households/{empty.id}",
                                   headers={**h, "If-Match": await etag(client, h, empty)})
        assert resp.status_code == 204


class TestDuplicates:
    async def test_listed_and_merged_keeping_both_histories(self, client, session, family):
        h, household = family["h"], family["household"]
        a = await make_resident(session, household, full_name="Đặng Thị Mai", sex="female")
        b = await make_resident(session, household, full_name="Dang Thi Mai", sex="female",
                                phone="+84987654321")
        groups = (await client.get("/api/v1/residents/duplicates", headers=h)).json()["items"]
        group = next(g for g in groups if g["name_folded"] == "dang thi mai")
        assert {r["id"] for r in group["residents"]} == {str(a.id), str(b.id)}
        tag = (await client.get(f"/api/v1/residents/{a.id}", headers=h)).headers["etag"]
        resp = await client.post(f"/api/v1/residents/{a.id}/merge",
                                 headers={**h, "If-Match": tag},
                                 json={"duplicate_id": str(b.id)})
        assert resp.status_code == 200, resp.text
        assert resp.json()["phone"] == "+84987654321"
        assert_problem(await client.get(f"/api/v1/residents/{b.id}", headers=h), 404,
                       "resident_not_found")
        dup_history = (await client.get(f"/api/v1/residents/{b.id}/history",
                                        headers=h)).json()["items"]
        assert dup_history[-1]["action"] == "merged_into"
        assert dup_history[-1]["related_ids"] == [str(a.id)]
