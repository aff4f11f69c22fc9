"""Uniqueness conflicts name the existing record only when the caller may read it: an ID
number or a household code held outside the caller's scope is a 409 that shows nothing of
the other commune (no id, no name, no unit). Household codes are unique per commune."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from domain.access import Role
from domain.register.models import ChangeLog, Household, Resident
from domain.types import uuid7
from tests.api.test_imports import csv_bytes, post, row
from tests.api.test_ops import assert_problem
from tests.builders import bearer, make_household, make_resident, make_tree, make_user
from tests.builders import random_id_number as new_id_number


@pytest.fixture
async def world(app, session):
    """Commune A (groups a1, a2) and commune B (group b1), one person living in each."""
    tree = await make_tree(session)
    ours = await make_household(session, tree.group_a1, code=f"A-{uuid7().hex[-8:]}")
    theirs = await make_household(session, tree.group_b1, code=f"B-{uuid7().hex[-8:]}")
    mine = await make_resident(session, ours, head=True, id_number=new_id_number(),
                               full_name="Phan Văn Mình")
    secret = await make_resident(session, theirs, head=True, sex="female",
                                 id_number=new_id_number(1980, "female"),
                                 full_name="Lý Thị Kín")
    officer = await make_user(session, role=Role.ward_officer, units=[tree.commune_a])
    leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
    return {"tree": tree, "ours": ours, "theirs": theirs, "mine": mine, "secret": secret,
            "a": bearer(app, officer, [tree.commune_a]),
            "a1": bearer(app, leader, [tree.group_a1])}


def person(household, **over) -> dict:
    return {"household_id": str(household.id), "relationship": "spouse",
            "full_name": "Lý Thị Kín", "birth_date": "1980-05-17", "sex": "female",
            "residence_status": "permanent", **over}


def assert_names_nothing_of_b(resp, w) -> None:
    """Nothing of commune B in the whole answer: not the record, its name, household or units."""
    tree, secret = w["tree"], w["secret"]
    for value in (secret.id, secret.full_name, w["theirs"].id, w["theirs"].code,
                  tree.group_b1.id, tree.commune_b.id):
        assert str(value) not in resp.text, value
    assert "existing_id" not in resp.json()


async def _count(session, model, *where) -> int:
    return await session.scalar(select(func.count()).select_from(model).where(*where))


class TestIdNumberOutOfScope:
    async def test_registering_is_a_409_naming_nothing(self, client, session, world):
        w = world
        resp = await client.post("/api/v1/residents", headers=w["a"], json=person(
            w["ours"], id_number=w["secret"].id_number))
        problem = assert_problem(resp, 409, "id_number_registered_elsewhere")
        assert "/transfers" in problem["detail"]
        assert_names_nothing_of_b(resp, w)
        assert await _count(session, Resident, Resident.household_id == w["ours"].id) == 1

    async def test_in_english_too(self, client, world):
        resp = await client.post("/api/v1/residents", headers={**world["a"],
                                                               "Accept-Language": "en"},
                                 json=person(world["ours"], id_number=world["secret"].id_number))
        problem = assert_problem(resp, 409, "id_number_registered_elsewhere")
        assert problem["title"] == "This ID number is registered elsewhere"
        assert_names_nothing_of_b(resp, world)

    async def test_patch_to_that_number_is_the_same_409_and_writes_nothing(self, client,
                                                                          session, world):
        w = world
        mine = w["mine"]
        etag = (await client.get(f"/api/v1/residents/{mine.id}", headers=w["a"])).headers["etag"]
        before = await _count(session, ChangeLog, ChangeLog.entity_id == mine.id)
        resp = await client.patch(f"/api/v1/residents/{mine.id}",
                                  headers={**w["a"], "If-Match": etag},
                                  json={"id_number": w["secret"].id_number})
        assert_problem(resp, 409, "id_number_registered_elsewhere")
        assert_names_nothing_of_b(resp, w)
        again = await client.get(f"/api/v1/residents/{mine.id}", headers=w["a"])
        assert again.headers["etag"] == etag and again.json()["id_number"] == mine.id_number
        assert await _count(session, ChangeLog, ChangeLog.entity_id == mine.id) == before

    async def test_member_add_of_their_resident_is_their_404(self, client, world):
        w = world
        etag = (await client.get(f"/api/v1/households/{w['ours'].id}",
                                 headers=w["a"])).headers["etag"]
        resp = await client.post(f"/api/v1/households/{w['ours'].id}/members",
                                 headers={**w["a"], "If-Match": etag},
                                 json={"resident_id": str(w["secret"].id),
                                       "relationship": "spouse"})
        assert_problem(resp, 404, "resident_not_found")
        for value in (w["secret"].full_name, w["theirs"].id, w["tree"].commune_b.id):
            assert str(value) not in resp.text

    async def test_a_group_of_the_same_commune_is_out_of_scope_too(self, client, session,
                                                                   world):
        """A group leader of a1 and a person of a2: the same rule inside one commune."""
        w = world
        a2 = await make_household(session, w["tree"].group_a2)
        neighbour = await make_resident(session, a2, head=True, id_number=new_id_number())
        resp = await client.post("/api/v1/residents", headers=w["a1"], json=person(
            w["ours"], id_number=neighbour.id_number))
        assert_problem(resp, 409, "id_number_registered_elsewhere")
        assert str(neighbour.id) not in resp.text and str(a2.id) not in resp.text


class TestIdNumberInScope:
    async def test_registering_names_the_record(self, client, world):
        w = world
        resp = await client.post("/api/v1/residents", headers=w["a"], json=person(
            w["ours"], id_number=w["mine"].id_number, sex="male", full_name="Phan Văn Khác"))
        problem = assert_problem(resp, 409, "id_number_taken")
        assert problem["existing_id"] == str(w["mine"].id)

    async def test_patch_to_another_living_persons_number_is_a_409_not_a_500(
            self, client, session, world):
        w = world
        other = await make_resident(session, w["ours"], id_number=new_id_number(2004, "female"),
                                    full_name="Phan Thị Con", sex="female",
                                    birth_date=None, birth_year=2004)
        etag = (await client.get(f"/api/v1/residents/{other.id}", headers=w["a"])).headers["etag"]
        resp = await client.patch(f"/api/v1/residents/{other.id}",
                                  headers={**w["a"], "If-Match": etag},
                                  json={"id_number": w["mine"].id_number,
                                        "full_name": "Phan Thị Con Út"})
        problem = assert_problem(resp, 409, "id_number_taken")
        assert problem["existing_id"] == str(w["mine"].id)
        again = await client.get(f"/api/v1/residents/{other.id}", headers=w["a"])
        assert again.headers["etag"] == etag and again.json()["full_name"] == "Phan Thị Con"


class TestHouseholdCodes:
    async def test_a_code_used_in_another_commune_is_no_conflict(self, client, session, world):
        w = world
        resp = await client.post("/api/v1/households", headers=w["a"], json={
            "group_id": str(w["tree"].group_a1.id), "code": w["theirs"].code})
        assert resp.status_code == 201, resp.text
        assert resp.json()["code"] == w["theirs"].code
        assert await _count(session, Household, Household.code == w["theirs"].code) == 2

    async def test_the_same_code_in_the_same_commune_is_a_409_naming_it(self, client, world):
        w = world
        resp = await client.post("/api/v1/households", headers=w["a"], json={
            "group_id": str(w["tree"].group_a2.id), "code": w["ours"].code})
        problem = assert_problem(resp, 409, "household_code_taken")
        assert problem["existing_id"] == str(w["ours"].id)

    async def test_a_code_of_a_group_out_of_scope_names_nothing(self, client, session, world):
        w = world
        a2 = await make_household(session, w["tree"].group_a2, code=f"A2-{uuid7().hex[-8:]}")
        resp = await client.post("/api/v1/households", headers=w["a1"], json={
            "group_id": str(w["tree"].group_a1.id), "code": a2.code})
        problem = assert_problem(resp, 409, "household_code_taken_elsewhere")
        assert "existing_id" not in problem and str(a2.id) not in resp.text

    async def test_a_split_off_household_follows_the_same_rule(self, client, session, world):
        w = world
        etag = (await client.get(f"/api/v1/households/{w['ours'].id}",
                                 headers=w["a"])).headers["etag"]
        resp = await client.post(f"/api/v1/households/{w['ours'].id}/split",
                                 headers={**w["a"], "If-Match": etag},
                                 json={"member_ids": [str(w["mine"].id)],
                                       "head_id": str(w["mine"].id), "code": w["theirs"].code})
        assert resp.status_code == 201, resp.text

    async def test_a_deleted_households_code_may_be_used_again(self, client, session, world):
        w = world
        empty = await make_household(session, w["tree"].group_a1, code=f"D-{uuid7().hex[-8:]}")
        etag = (await client.get(f"/api/v1/households/{empty.id}", headers=w["a"])).headers["etag"]
        deleted = await client.delete(f"/api/v1/households/{empty.id}",
                                      headers={**w["a"], "If-Match": etag})
        assert deleted.status_code == 204
        resp = await client.post("/api/v1/households", headers=w["a"], json={
            "group_id": str(w["tree"].group_a1.id), "code": empty.code})
        assert resp.status_code == 201, resp.text


def households_file(*codes: str) -> bytes:
    lines = ["Mã hộ;Đường;Số nhà;Loại hộ", *(f"{code};;5;Thường trú" for code in codes)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


class TestImports:
    async def test_a_household_file_may_use_a_code_of_another_commune(self, client, world):
        w = world
        job = (await post(client, w["a"], households_file(w["theirs"].code), kind="households",
                          group_id=w["tree"].group_a1.id)).json()
        assert job["created_count"] == 1 and job["errors"] == [], job

    async def test_a_code_of_a_group_out_of_scope_names_nothing(self, client, session, world):
        w = world
        a2 = await make_household(session, w["tree"].group_a2, code=f"A2-{uuid7().hex[-8:]}")
        job = (await post(client, w["a1"], households_file(a2.code), kind="households",
                          group_id=w["tree"].group_a1.id, dry_run=True)).json()
        assert [e["code"] for e in job["errors"]] == ["household_code_taken_elsewhere"]
        assert str(a2.id) not in str(job)

    async def test_a_resident_row_whose_code_two_readable_communes_use_is_refused(
            self, app, client, session, world):
        w = world
        admin = bearer(app, await make_user(session, role=Role.admin))
        await make_household(session, w["tree"].group_b1, code=w["ours"].code)
        job = (await post(client, admin, csv_bytes([row(w["ours"].code)]), dry_run=True)).json()
        assert {(e["line"], e["code"]) for e in job["errors"]} == {
            (2, "household_code_ambiguous")}, job
