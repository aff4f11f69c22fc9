"""A need raised at the door becomes a ticket with one call: the links it keeps, who it is
for, its category by the need's kind, once only, and the refusals that write nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from domain.access import Role
from domain.audit.models import AuditEvent
from domain.outreach.models import Campaign, VisitNeed
from domain.tickets.errors import NeedAlreadyTicketed
from domain.tickets.models import Ticket, TicketEvent
from domain.types import uuid7
from repositories.tickets import TicketRepository
from tests.api.test_ops import assert_invalid, assert_problem
from tests.api.tickets_world import URL, ward

NEEDS = "/api/v1/visit-needs"


@pytest.fixture
async def w(app, client, session):
    world = await ward(app, client, session)
    world["campaign"] = (await session.exec(select(Campaign).where(
        Campaign.commune_id == world["tree"].commune_a.id))).one()
    return world


async def raise_need(client, w, category="app_help", *, resident=True,
                     description="Cần hỗ trợ kích hoạt VNeID mức 2") -> dict:
    """A visit by the volunteer to the household they walk, with one need; the need."""
    need = {"category": category, "description": description}
    if resident:
        need["resident_id"] = str(w["head"].id)
    resp = await client.post(f"/api/v1/campaigns/{w['campaign'].id}/visits",
                             headers=w[Role.volunteer], json={
        "client_visit_id": f"visit-{uuid.uuid4().hex[:12]}", "household_id": str(w["home"].id),
        "visited_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "outcome": "met", "needs": [need]})
    assert resp.status_code == 201, resp.text
    listed = (await client.get(NEEDS, params={"visit_id": resp.json()["id"]},
                               headers=w[Role.volunteer])).json()["items"]
    assert len(listed) == 1 and listed[0]["status"] == "open"
    return listed[0]


def ticket_url(need_id) -> str:
    return f"{NEEDS}/{need_id}/ticket"


async def _counts(session) -> tuple[int, int, int]:
    return tuple([await session.scalar(select(func.count()).select_from(m))  # type: ignore[misc]
                  for m in (Ticket, TicketEvent, AuditEvent)])


class TestFromNeed:
    async def test_a_volunteer_turns_a_need_into_a_ticket(self, client, session, w):
        need = await raise_need(client, w)
        resp = await client.post(ticket_url(need["id"]), headers=w[Role.volunteer])
        assert resp.status_code == 201, resp.text
        made = resp.json()
        assert resp.headers["location"] == f"{URL}/{made['id']}"
        assert (made["visit_id"], made["visit_need_id"]) == (need["visit_id"], need["id"])
        assert (made["channel"], made["on_behalf"], made["status"]) == (
            "door_to_door", True, "new")
        assert made["requester_resident_id"] == str(w["head"].id)
        assert made["household_id"] == str(w["home"].id)
        assert made["group_id"] == str(w["tree"].group_a1.id)
        assert made["category_id"] == w["app_help"]["id"]  # app_help need -> app_help
        assert made["subject"] == "Hỗ trợ ứng dụng: Cần hỗ trợ kích hoạt VNeID mức 2"
        assert made["description"] == need["description"]
        assert made["opened_by_id"] == str(w["users"][Role.volunteer].id)
        again = (await client.get(f"{NEEDS}/{need['id']}", headers=w[Role.volunteer])).json()
        assert again["status"] == "ticketed"
        open_ones = (await client.get(NEEDS, params={"status": "open"},
                                      headers=w[Role.volunteer])).json()["items"]
        assert need["id"] not in [n["id"] for n in open_ones]
        event = (await session.exec(select(AuditEvent).where(
            AuditEvent.action == "ticket.open"))).one()
        assert event.details["on_behalf"] is True and event.details["need_id"] == need["id"]
        assert event.on_behalf_of == str(w["head"].id)
        assert event.details["channel"] == "door_to_door"

    async def test_without_a_resident_the_household_head_asks(self, client, w):
        need = await raise_need(client, w, resident=False)
        made = (await client.post(ticket_url(need["id"]), headers=w[Role.ward_officer])).json()
        assert made["requester_resident_id"] == str(w["head"].id)

    async def test_no_resident_and_no_head_is_a_422_that_writes_nothing(self, client, session,
                                                                          w):
        need = await raise_need(client, w, resident=False)
        w["home"].head_id = None
        await session.flush()
        before = await _counts(session)
        resp = await client.post(ticket_url(need["id"]), headers=w[Role.volunteer],
                                 json={"priority": "high"})
        assert_problem(resp, 422, "ticket_need_requester_unknown")
        assert await _counts(session) == before
        assert (await session.get(VisitNeed, uuid.UUID(need["id"]))).status == "open"

    async def test_a_second_call_is_a_409_naming_the_ticket(self, client, session, w):
        need = await raise_need(client, w)
        first = (await client.post(ticket_url(need["id"]), headers=w[Role.volunteer])).json()
        before = await _counts(session)
        resp = await client.post(ticket_url(need["id"]), headers={
            **w[Role.ward_officer], "Accept-Language": "en"})
        problem = assert_problem(resp, 409, "ticket_need_ticketed")
        assert problem["existing_id"] == first["id"]
        assert problem["title"] == "This need is already a ticket"
        assert await _counts(session) == before

    async def test_a_need_said_open_again_still_refuses_a_second(self, client, session, w):
        need = await raise_need(client, w)
        first = (await client.post(ticket_url(need["id"]), headers=w[Role.volunteer])).json()
        row = await session.get(VisitNeed, uuid.UUID(need["id"]))
        row.status = "open"
        await session.flush()
        resp = await client.post(ticket_url(need["id"]), headers=w[Role.volunteer])
        assert assert_problem(resp, 409, "ticket_need_ticketed")["existing_id"] == first["id"]

    async def test_the_unique_constraint_is_the_conflict(self, client, session, w):
        """What a twin that did not wait for the need's lock meets: uq_ticket_visit_need_id."""
        need = await raise_need(client, w)
        first = (await client.post(ticket_url(need["id"]), headers=w[Role.volunteer])).json()
        twin = Ticket(**{**(await session.get(Ticket, uuid.UUID(first["id"]))).model_dump(),
                         "id": uuid7(), "code": "TWIN0001"})
        with pytest.raises(NeedAlreadyTicketed):
            await TicketRepository(session).add(twin)

    async def test_a_need_outside_the_callers_scope_is_a_404(self, client, session, w):
        need = await raise_need(client, w)
        before = await _counts(session)
        for headers in (w["other_officer"], w[Role.resident]):
            resp = await client.post(ticket_url(need["id"]), headers=headers)
            assert_problem(resp, 404, "visit_need_not_found")
            resp = await client.get(f"{NEEDS}/{need['id']}", headers=w["other_officer"])
            assert_problem(resp, 404, "visit_need_not_found")
        assert await _counts(session) == before

    async def test_an_unknown_need_is_a_404(self, client, w):
        resp = await client.post(ticket_url(uuid.uuid4()), headers=w[Role.volunteer])
        assert_problem(resp, 404, "visit_need_not_found")

    async def test_a_fraud_attempt_becomes_a_fraud_report(self, client, w):
        need = await raise_need(client, w, "fraud_attempt",
                                description="Có người gọi giả danh công an\nđòi chuyển tiền")
        made = (await client.post(ticket_url(need["id"]), headers=w[Role.volunteer])).json()
        assert made["category_id"] == w["fraud_report"]["id"]
        assert made["subject"] == "Báo lừa đảo: Có người gọi giả danh công an"

    async def test_the_caller_may_name_category_subject_and_priority(self, client, w):
        need = await raise_need(client, w)
        resp = await client.post(ticket_url(need["id"]), headers=w[Role.volunteer], json={
            "category_id": w["fraud_report"]["id"], "subject": "Tin nhắn lạ", "priority": "high"})
        made = resp.json()
        assert (made["category_id"], made["subject"], made["priority"]) == (
            w["fraud_report"]["id"], "Tin nhắn lạ", "high")

    async def test_a_kind_the_commune_lacks_is_a_422_on_category_id(self, client, session, w):
        need = await raise_need(client, w, "procedure_question")
        before = await _counts(session)
        resp = await client.post(ticket_url(need["id"]), headers=w[Role.volunteer])
        body = assert_invalid(resp, {("body", "category_id"): "ticket_category_none_of_kind"})
        assert "public_service_help" in body["errors"][0]["message"]
        resp = await client.post(ticket_url(need["id"]), headers=w[Role.volunteer],
                                 json={"category_id": str(uuid.uuid4())})
        assert_invalid(resp, {("body", "category_id"): "ticket_category_unknown"})
        assert await _counts(session) == before
        assert (await session.get(VisitNeed, uuid.UUID(need["id"]))).status == "open"

    async def test_bad_bodies_are_422(self, client, w):
        need = await raise_need(client, w)
        resp = await client.post(ticket_url(need["id"]), headers=w[Role.volunteer],
                                 json={"priority": "soon", "subject": "", "extra": 1})
        assert_problem(resp, 422, "validation_failed")


class TestVisitNeeds:
    async def test_the_volunteer_lists_the_needs_of_their_visit(self, client, w):
        need = await raise_need(client, w)
        got = await client.get(f"{NEEDS}/{need['id']}", headers=w[Role.volunteer])
        assert got.status_code == 200 and got.json() == need
        officer = (await client.get(NEEDS, headers=w[Role.ward_officer])).json()["items"]
        assert [n["id"] for n in officer] == [need["id"]]
        assert (await client.get(NEEDS, headers=w["other_officer"])).json()["items"] == []
