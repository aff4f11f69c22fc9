"""Transfers: commune A asks for a person registered in commune B, B's officer approves or
rejects; A never sees B's record, and a third commune sees nothing at all."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.access import Role
from domain.audit.models import AuditEvent
from domain.register.models import ChangeLog
from domain.types import uuid7
from tests.api.test_ops import assert_invalid, assert_problem
from tests.builders import bearer, make_household, make_resident, make_tree, make_user
from tests.builders import random_id_number as new_id_number


@pytest.fixture
async def world(app, session):
    tree = await make_tree(session)
    elsewhere = await make_tree(session, "C")
    ours = await make_household(session, tree.group_a1, code=f"A-{uuid7().hex[-8:]}")
    theirs = await make_household(session, tree.group_b1, code=f"B-{uuid7().hex[-8:]}")
    await make_resident(session, ours, head=True, id_number=new_id_number())
    secret = await make_resident(session, theirs, head=True, sex="female",
                                 id_number=new_id_number(1980, "female"), full_name="Lý Thị Kín")

    async def officer(unit):
        return bearer(app, await make_user(session, role=Role.ward_officer, units=[unit]), [unit])

    return {"tree": tree, "ours": ours, "theirs": theirs, "secret": secret,
            "a": await officer(tree.commune_a), "b": await officer(tree.commune_b),
            "c": await officer(elsewhere.commune_a)}


def assert_names_nothing_of_b(resp, w) -> None:
    for value in (w["secret"].id, w["secret"].full_name, w["theirs"].id, w["theirs"].code,
                  w["tree"].group_b1.id, w["tree"].commune_b.id):
        assert str(value) not in resp.text, value


async def ask(client, w, **over):
    body = {"id_number": w["secret"].id_number, "household_id": str(w["ours"].id),
            "relationship": "spouse", "reason": "Kết hôn, về ở cùng chồng", **over}
    return await client.post("/api/v1/transfers", headers=w["a"], json=body)


async def etag(client, headers, transfer_id) -> str:
    resp = await client.get(f"/api/v1/transfers/{transfer_id}", headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.headers["etag"]


async def act(client, headers, transfer_id, verb, json=None):
    return await client.post(f"/api/v1/transfers/{transfer_id}/{verb}", json=json, headers={
        **headers, "If-Match": await etag(client, headers, transfer_id)})


class TestRequest:
    async def test_the_side_that_asks_sees_only_its_request(self, client, world):
        w = world
        resp = await ask(client, w)
        assert resp.status_code == 201, resp.text
        data = resp.json()
        assert data["status"] == "pending" and data["household_id"] == str(w["ours"].id)
        assert data["resident_id"] is None and data["source_household_id"] is None
        assert resp.headers["location"] == f"/api/v1/transfers/{data['id']}"
        assert_names_nothing_of_b(resp, w)
        for url in (f"/api/v1/transfers/{data['id']}", "/api/v1/transfers?status=pending"):
            seen = await client.get(url, headers=w["a"])
            assert seen.status_code == 200 and data["id"] in seen.text
            assert_names_nothing_of_b(seen, w)

    async def test_the_residents_side_sees_whom_it_concerns(self, client, world):
        w = world
        transfer = (await ask(client, w)).json()
        page = (await client.get("/api/v1/transfers?status=pending", headers=w["b"])).json()
        mine = [t for t in page["items"] if t["id"] == transfer["id"]]
        assert mine and mine[0]["resident_id"] == str(w["secret"].id)
        assert mine[0]["source_household_id"] == str(w["theirs"].id)

    async def test_a_third_commune_sees_and_does_nothing(self, client, world):
        w = world
        transfer = (await ask(client, w)).json()
        tid = transfer["id"]
        assert_problem(await client.get(f"/api/v1/transfers/{tid}", headers=w["c"]), 404,
                       "transfer_not_found")
        assert (await client.get("/api/v1/transfers", headers=w["c"])).json()["items"] == []
        for verb, body in (("approve", None), ("reject", {"reason": "Không"}), ("cancel", None)):
            resp = await client.post(f"/api/v1/transfers/{tid}/{verb}", json=body,
                                     headers={**w["c"], "If-Match": '"1"'})
            assert_problem(resp, 404, "transfer_not_found")

    async def test_the_asking_side_cannot_approve_its_own_request(self, client, world):
        w = world
        tid = (await ask(client, w)).json()["id"]
        for verb, body in (("approve", None), ("reject", {"reason": "Tự duyệt"})):
            assert_problem(await act(client, w["a"], tid, verb, body), 403,
                           "transfer_decision_forbidden")

    async def test_a_number_in_scope_is_a_move_not_a_transfer(self, client, session, world):
        w = world
        mine = await make_resident(session, w["ours"], id_number=new_id_number(2001, "male"),
                                   full_name="Phan Văn Con", birth_year=2001, birth_date=None)
        resp = await ask(client, w, id_number=mine.id_number)
        assert assert_problem(resp, 409, "id_number_taken")["existing_id"] == str(mine.id)

    async def test_nobody_holding_the_number_is_a_422(self, client, world):
        resp = await ask(client, world, id_number=new_id_number(1999, "male"))
        assert_invalid(resp, {("body", "id_number"): "transfer_nobody_to_move"})

    async def test_one_pending_request_per_person(self, client, world):
        assert (await ask(client, world)).status_code == 201
        assert_problem(await ask(client, world), 409, "transfer_already_pending")

    async def test_a_household_out_of_scope_is_its_404(self, client, world):
        resp = await ask(client, world, household_id=str(world["theirs"].id))
        assert_problem(resp, 404, "household_not_found")


class TestDecision:
    async def test_approval_moves_the_person_into_the_asking_household(self, client, session,
                                                                       world):
        w = world
        tid = (await ask(client, w)).json()["id"]
        no_tag = await client.post(f"/api/v1/transfers/{tid}/approve", headers=w["b"])
        assert_problem(no_tag, 428, "precondition_required")
        resp = await act(client, w["b"], tid, "approve")
        assert resp.status_code == 200, resp.text
        assert resp.json()["status"] == "approved"

        moved = await client.get(f"/api/v1/residents/{w['secret'].id}", headers=w["a"])
        assert moved.status_code == 200, moved.text
        person = moved.json()
        assert person["household_id"] == str(w["ours"].id)
        assert person["group_id"] == str(w["tree"].group_a1.id)
        assert person["commune_id"] == str(w["tree"].commune_a.id)
        assert person["relationship"] == "spouse" and person["residence_since"] is not None
        assert_problem(await client.get(f"/api/v1/residents/{w['secret'].id}", headers=w["b"]),
                       404, "resident_not_found")

        actions = (await session.scalars(select(ChangeLog.action).where(
            ChangeLog.entity_id == w["secret"].id))).all()
        assert "transferred" in actions
        assert "member_added" in (await session.scalars(select(ChangeLog.action).where(
            ChangeLog.entity_id == w["ours"].id))).all()
        audited = (await session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("transfer.%")))).all()
        assert {"transfer.request", "transfer.approve"} <= set(audited)
        # The request still reads as approved for the side that asked, and for B too.
        assert (await client.get(f"/api/v1/transfers/{tid}", headers=w["a"])).json()[
            "status"] == "approved"
        assert (await client.get(f"/api/v1/transfers/{tid}", headers=w["b"])).status_code == 200

    async def test_a_decided_request_is_not_decided_twice(self, client, world):
        w = world
        tid = (await ask(client, w)).json()["id"]
        assert (await act(client, w["b"], tid, "approve")).status_code == 200
        assert_problem(await act(client, w["b"], tid, "reject", {"reason": "Muộn"}), 409,
                       "transfer_not_pending")

    async def test_rejection_keeps_the_record_where_it_is(self, client, world):
        w = world
        tid = (await ask(client, w)).json()["id"]
        resp = await act(client, w["b"], tid, "reject", {"reason": "Người dân chưa đồng ý"})
        assert resp.status_code == 200 and resp.json()["status"] == "rejected"
        seen = (await client.get(f"/api/v1/transfers/{tid}", headers=w["a"])).json()
        assert seen["status"] == "rejected"
        assert seen["decision_reason"] == "Người dân chưa đồng ý"
        stays = await client.get(f"/api/v1/residents/{w['secret'].id}", headers=w["b"])
        assert stays.json()["household_id"] == str(w["theirs"].id)

    async def test_the_asking_side_cancels_the_other_side_cannot(self, client, world):
        w = world
        tid = (await ask(client, w)).json()["id"]
        assert_problem(await act(client, w["b"], tid, "cancel"), 403,
                       "transfer_cancel_forbidden")
        resp = await act(client, w["a"], tid, "cancel")
        assert resp.status_code == 200 and resp.json()["status"] == "cancelled"
        assert_problem(await act(client, w["b"], tid, "approve"), 409, "transfer_not_pending")
        assert (await ask(client, w)).status_code == 201  # a new request may follow


class TestConventions:
    async def test_a_stale_etag_is_412_and_decides_nothing(self, client, world):
        w = world
        tid = (await ask(client, w)).json()["id"]
        resp = await client.post(f"/api/v1/transfers/{tid}/approve",
                                 headers={**w["b"], "If-Match": '"999"'})
        assert_problem(resp, 412, "precondition_failed")
        assert (await client.get(f"/api/v1/transfers/{tid}", headers=w["b"])).json()[
            "status"] == "pending"

    async def test_an_idempotency_key_replays_the_request(self, client, world):
        w = world
        body = {"id_number": w["secret"].id_number, "household_id": str(w["ours"].id),
                "relationship": "spouse"}
        headers = {**w["a"], "Idempotency-Key": f"transfer-{uuid7().hex}"}
        first = await client.post("/api/v1/transfers", headers=headers, json=body)
        again = await client.post("/api/v1/transfers", headers=headers, json=body)
        assert first.status_code == again.status_code == 201
        assert first.json()["id"] == again.json()["id"]

    async def test_a_common_superior_decides_between_two_groups(self, app, client, session,
                                                                world):
        """A group leader of a1 asks for a person of a2; the commune's officer, who may write
        both, approves."""
        w, tree = world, world["tree"]
        a2 = await make_household(session, tree.group_a2)
        person = await make_resident(session, a2, id_number=new_id_number(1990, "male"),
                                     full_name="Võ Văn Sáu", birth_year=1990)
        leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
        a1 = bearer(app, leader, [tree.group_a1])
        resp = await client.post("/api/v1/transfers", headers=a1, json={
            "id_number": person.id_number, "household_id": str(w["ours"].id),
            "relationship": "child"})
        assert resp.status_code == 201, resp.text
        assert str(person.id) not in resp.text and str(a2.id) not in resp.text
        approved = await act(client, w["a"], resp.json()["id"], "approve")
        assert approved.status_code == 200, approved.text
        assert approved.json()["resident_id"] == str(person.id)  # the officer sees both sides
        moved = (await client.get(f"/api/v1/residents/{person.id}", headers=a1)).json()
        assert moved["household_id"] == str(w["ours"].id)
