"""A resident's account linked to their register record: who may link it, and that the
tickets opened on the person's behalf become theirs to follow (and stop being when
unlinked)."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from domain.access import Role
from domain.accounts.models import User
from tests.api.test_ops import assert_invalid, assert_problem
from tests.api.tickets_world import URL, body, open_ticket, ward
from tests.builders import PASSWORD

USERS = "/api/v1/users"


@pytest.fixture
async def w(app, client, session):
    return await ward(app, client, session)


def _account(w, **over) -> dict:
    return {"username": "hoa.le", "display_name": "Lê Thị Hoa", "password": PASSWORD,
            "role": "resident", "unit_ids": [str(w["tree"].group_a1.id)],
            "resident_id": str(w["head"].id), **over}


async def _sign_in(client, username: str) -> dict[str, str]:
    resp = await client.post("/api/v1/auth/token", data={
        "grant_type": "password", "username": username, "password": PASSWORD})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


async def _users(session) -> int:
    return await session.scalar(select(func.count()).select_from(User))


class TestLink:
    async def test_a_ward_officer_links_a_residents_account(self, client, w):
        resp = await client.post(USERS, headers=w[Role.ward_officer], json=_account(w))
        assert resp.status_code == 201, resp.text
        assert resp.json()["resident_id"] == str(w["head"].id)

    async def test_refusals_write_nothing(self, client, session, w):
        h, before = w[Role.ward_officer], await _users(session)
        resp = await client.post(USERS, headers=h, json=_account(w, role="volunteer"))
        assert_invalid(resp, {("body", "resident_id"): "resident_link_role"})
        # The record lives in group A1; the account would cover group A2 only.
        resp = await client.post(USERS, headers=h, json=_account(
            w, unit_ids=[str(w["tree"].group_a2.id)]))
        assert_invalid(resp, {("body", "resident_id"): "resident_link_outside_units"})
        # Another commune's record is not one the officer reads.
        resp = await client.post(USERS, headers=h, json=_account(
            w, resident_id=str(w["stranger"].id)))
        assert_problem(resp, 404, "resident_not_found")
        assert await _users(session) == before

    async def test_one_account_per_record(self, client, session, w):
        h = w[Role.ward_officer]
        assert (await client.post(USERS, headers=h, json=_account(w))).status_code == 201
        before = await _users(session)
        resp = await client.post(USERS, headers=h, json=_account(w, username="hoa.le2"))
        assert_problem(resp, 409, "resident_already_linked")
        assert await _users(session) == before


class TestTheirTickets:
    async def test_tickets_opened_for_them_are_theirs(self, client, w):
        on_behalf = await open_ticket(client, w[Role.volunteer], body(w))
        resp = await client.post(USERS, headers=w[Role.ward_officer], json=_account(w))
        assert resp.status_code == 201, resp.text
        mine = await _sign_in(client, "hoa.le")
        listed = (await client.get(URL, headers=mine)).json()["items"]
        assert [t["id"] for t in listed] == [on_behalf["id"]]
        assert (await client.get(f"{URL}/{on_behalf['id']}", headers=mine)).status_code == 200

    async def test_their_own_ticket_is_for_their_record_and_household(self, client, w):
        assert (await client.post(USERS, headers=w[Role.ward_officer],
                                  json=_account(w))).status_code == 201
        mine = await _sign_in(client, "hoa.le")
        made = await open_ticket(client, mine, {
            "subject": "Hỏi cách đăng ký tạm trú", "description": "Con tôi về ở cùng.",
            "category_id": w["app_help"]["id"], "channel": "citizen_app"})
        assert made["requester_resident_id"] == str(w["head"].id)
        assert made["household_id"] == str(w["home"].id)
        assert made["on_behalf"] is False

    async def test_an_unlinked_resident_sees_no_one_elses(self, client, w):
        """A resident account with no record reaches only what it opened: the empty link
        never matches the tickets that have no requester record."""
        await open_ticket(client, w[Role.ward_officer], body(
            w, household_id=None, requester_resident_id=None, contact_name="Bà Tư",
            contact_phone="0912345678", unit_id=str(w["tree"].group_a1.id), channel="phone"))
        await open_ticket(client, w[Role.volunteer], body(w))
        assert (await client.get(URL, headers=w[Role.resident])).json()["items"] == []

    async def test_unlinking_signs_out_and_takes_the_tickets_away(self, client, w):
        on_behalf = await open_ticket(client, w[Role.volunteer], body(w))
        made = await client.post(USERS, headers=w[Role.ward_officer], json=_account(w))
        mine = await _sign_in(client, "hoa.le")
        resp = await client.patch(f"{USERS}/{made.json()['id']}", headers={
            **w[Role.ward_officer], "If-Match": made.headers["etag"]},
            json={"resident_id": None})
        assert resp.status_code == 200, resp.text
        assert resp.json()["resident_id"] is None
        assert (await client.get(URL, headers=mine)).status_code == 401
        again = await _sign_in(client, "hoa.le")
        resp = await client.get(f"{URL}/{on_behalf['id']}", headers=again)
        assert_problem(resp, 404, "ticket_not_found")
