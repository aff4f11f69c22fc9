"""Tickets end to end: opening on a resident's behalf and their own, the workflow's moves
and its refusals, changes, comments, and bad input that writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from domain.access import Role
from domain.audit.models import AuditEvent
from domain.tickets.models import Ticket, TicketComment, TicketEvent
from domain.tickets.rules import MOVES
from tests.api.test_ops import assert_invalid, assert_problem
from tests.api.tickets_world import URL, body, comment, move, open_ticket, ward


@pytest.fixture
async def w(app, client, session):
    return await ward(app, client, session)


async def _counts(session) -> tuple[int, int, int]:
    return tuple([await session.scalar(select(func.count()).select_from(m))  # type: ignore[misc]
                  for m in (Ticket, TicketEvent, TicketComment)])


class TestOpen:
    async def test_a_volunteer_opens_on_a_residents_behalf(self, client, session, w):
        resp = await client.post(URL, headers=w[Role.volunteer], json=body(w, tags=["vneid"]))
        assert resp.status_code == 201, resp.text
        made = resp.json()
        assert resp.headers["location"] == f"{URL}/{made['id']}"
        assert (made["status"], made["on_behalf"], made["team"], made["priority"]) == (
            "new", True, "group_leader", "normal")
        assert made["group_id"] == str(w["tree"].group_a1.id)
        assert made["opened_by_id"] == str(w["users"][Role.volunteer].id)
        event = (await session.exec(select(AuditEvent).where(
            AuditEvent.action == "ticket.open"))).one()
        assert event.details["on_behalf"] is True
        assert event.details["requester_resident_id"] == str(w["head"].id)
        assert event.on_behalf_of == str(w["head"].id)

    async def test_a_resident_opens_their_own(self, client, w):
        made = await open_ticket(client, w[Role.resident], {
            "subject": "Hỏi thủ tục cấp lại CCCD", "description": "Tôi bị mất CCCD.",
            "category_id": w["app_help"]["id"], "channel": "citizen_app"})
        assert made["on_behalf"] is False and made["group_id"] == str(w["tree"].group_a1.id)
        listed = (await client.get(URL, headers=w[Role.resident])).json()["items"]
        assert [t["id"] for t in listed] == [made["id"]]

    async def test_a_contact_not_in_the_register(self, client, w):
        made = await open_ticket(client, w[Role.ward_officer], body(
            w, household_id=None, requester_resident_id=None, contact_name="Bà Tư",
            contact_phone="0912345678", unit_id=str(w["tree"].commune_a.id), channel="phone"))
        assert made["group_id"] is None and made["contact_phone"] == "+84912345678"

    @pytest.mark.parametrize("extra", [
        {"requester_resident_id": "H"}, {"household_id": "H"}, {"contact_name": "Bà Năm"}])
    async def test_a_resident_opening_for_someone_else_writes_nothing(self, client, session,
                                                                      w, extra):
        before = await _counts(session)
        values = {k: str(w["home"].id) if v == "H" else v for k, v in extra.items()}
        resp = await client.post(URL, headers=w[Role.resident], json={
            "subject": "Hộ", "description": "Cho người khác.",
            "category_id": w["app_help"]["id"], "channel": "citizen_app", **values})
        assert_problem(resp, 403, "ticket_for_someone_else")
        assert await _counts(session) == before

    async def test_bad_input_writes_nothing(self, client, session, w):
        before = await _counts(session)
        h = w[Role.ward_officer]
        resp = await client.post(URL, headers=h, json=body(w, category_id=w["stranger"].id.hex))
        assert_invalid(resp, {("body", "category_id"): "ticket_category_unknown"})
        resp = await client.post(URL, headers=h, json=body(
            w, requester_resident_id=None, household_id=None,
            unit_id=str(w["tree"].group_a1.id)))
        assert_invalid(resp, {("body", "requester_resident_id"): "ticket_requester_required"})
        resp = await client.post(URL, headers=h, json=body(w, description="x" * 4001))
        assert_invalid(resp, {("body", "description"): "string_too_long"})
        resp = await client.post(URL, headers=h, json=body(w, description="x" * 5_000_000))
        assert resp.status_code in (413, 422), resp.text
        assert resp.headers["content-type"].startswith("application/problem+json")
        resp = await client.post(URL, headers=h, json=body(
            w, requester_resident_id=str(w["stranger"].id)))
        assert_problem(resp, 404, "resident_not_found")
        resp = await client.post(URL, headers=w["other_officer"], json=body(w))
        assert_problem(resp, 404, "household_not_found")
        assert await _counts(session) == before

    async def test_problems_speak_english_when_asked(self, client, w):
        resp = await client.post(URL, headers={**w[Role.resident], "Accept-Language": "en"},
                                 json={"subject": "a", "description": "b", "channel": "phone",
                                       "category_id": w["app_help"]["id"],
                                       "household_id": str(w["home"].id)})
        assert assert_problem(resp, 403, "ticket_for_someone_else")["title"].startswith("A ")


class TestWorkflow:
    async def test_the_whole_way_and_its_timeline(self, client, w):
        h = w[Role.group_leader]
        t = await open_ticket(client, h, body(w))
        for to in ("acknowledged", "waiting_on_resident", "in_progress"):
            resp = await move(client, h, t["id"], to)
            assert resp.status_code == 200, resp.text
            assert resp.json()["status"] == to
        assert resp.json()["first_responded_at"] is not None
        resp = await move(client, h, t["id"], "resolved", outcome="answered", note="Đã gọi.")
        assert (resp.json()["status"], resp.json()["outcome"]) == ("resolved", "answered")
        resp = await move(client, h, t["id"], "closed")
        assert resp.json()["closed_at"] is not None
        resp = await move(client, h, t["id"], "in_progress")  # reopened in the window
        assert (resp.json()["status"], resp.json()["outcome"]) == ("in_progress", None)
        events = (await client.get(f"{URL}/{t['id']}/timeline", headers=h)).json()["items"]
        assert [(e["kind"], e["to_status"]) for e in events] == [
            ("opened", "new"), ("transition", "acknowledged"),
            ("transition", "waiting_on_resident"), ("transition", "in_progress"),
            ("transition", "resolved"), ("transition", "closed"),
            ("transition", "in_progress")]
        assert events[4]["note"] == "Đã gọi."

    @pytest.mark.parametrize("status", list(MOVES))
    async def test_every_move_not_in_the_table_is_a_409_naming_the_allowed(
            self, client, session, w, status):
        h = w[Role.ward_officer]
        t = await open_ticket(client, h, body(w))
        row = await session.get(Ticket, t["id"])
        row.status = status
        await session.flush()
        for to in MOVES:
            if to in MOVES[status] or to == status:
                continue
            resp = await move(client, h, t["id"], to)
            problem = assert_problem(resp, 409, "ticket_transition_not_allowed")
            assert problem["allowed"] == [str(s) for s in MOVES[status]
                                          if not (s == "in_progress" and status in (
                                              "resolved", "closed"))]
            assert str(to) in problem["detail"]

    async def test_resolving_needs_an_outcome_and_a_duplicate_its_original(self, client, w):
        h = w[Role.ward_officer]
        t = await open_ticket(client, h, body(w))
        assert_invalid(await move(client, h, t["id"], "resolved"),
                       {("body", "outcome"): "ticket_outcome_required"})
        assert_invalid(await move(client, h, t["id"], "resolved", outcome="duplicate"),
                       {("body", "duplicate_of_id"): "ticket_duplicate_of_required"})
        assert_invalid(await move(client, h, t["id"], "resolved", outcome="duplicate",
                                  duplicate_of_id=t["id"]),
                       {("body", "duplicate_of_id"): "ticket_duplicate_of_unknown"})
        assert_invalid(await move(client, h, t["id"], "acknowledged", outcome="done"),
                       {("body", "outcome"): "ticket_outcome_unexpected"})
        first = await open_ticket(client, h, body(w))
        resp = await move(client, h, t["id"], "resolved", outcome="duplicate",
                          duplicate_of_id=first["id"])
        assert resp.json()["duplicate_of_id"] == first["id"]

    async def test_residents_do_not_work_tickets(self, client, w):
        t = await open_ticket(client, w[Role.resident], {
            "subject": "Hỏi", "description": "Hỏi.", "category_id": w["app_help"]["id"],
            "channel": "citizen_app"})
        assert_problem(await move(client, w[Role.resident], t["id"], "resolved",
                                  outcome="done"), 403, "ticket_staff_only")
        resp = await client.patch(f"{URL}/{t['id']}", headers={
            **w[Role.resident], "If-Match": f'"{t["id"].replace("-", "")[:8]}.1"'},
            json={"priority": "urgent"})
        assert_problem(resp, 403, "ticket_staff_only")


class TestUpdate:
    async def test_assignee_inside_the_unit_only(self, client, session, w):
        h = w[Role.ward_officer]
        t = await open_ticket(client, h, body(w))
        etag = (await client.get(f"{URL}/{t['id']}", headers=h)).headers["etag"]
        outsider = w["users"]["other_officer"]
        resp = await client.patch(f"{URL}/{t['id']}", headers={**h, "If-Match": etag},
                                  json={"assignee_id": str(outsider.id)})
        assert_invalid(resp, {("body", "assignee_id"): "ticket_assignee_outside_unit"})
        leader = w["users"][Role.group_leader]
        resp = await client.patch(f"{URL}/{t['id']}", headers={**h, "If-Match": etag},
                                  json={"assignee_id": str(leader.id), "tags": ["a", "a"]})
        assert resp.status_code == 200, resp.text
        assert (resp.json()["assignee_id"], resp.json()["tags"]) == (str(leader.id), ["a"])
        assert_problem(await client.patch(f"{URL}/{t['id']}", headers={**h, "If-Match": etag},
                                          json={"priority": "high"}), 412,
                       "precondition_failed")


class TestComments:
    async def test_visibility_is_required(self, client, w):
        h = w[Role.ward_officer]
        t = await open_ticket(client, h, body(w))
        resp = await client.post(f"{URL}/{t['id']}/comments", headers=h, json={"body": "x"})
        assert_invalid(resp, {("body", "visibility"): "missing"})

    async def test_a_closed_ticket_takes_no_comment(self, client, session, w):
        h = w[Role.ward_officer]
        t = await open_ticket(client, h, body(w))
        await move(client, h, t["id"], "resolved", outcome="done")
        await move(client, h, t["id"], "closed")
        before = await _counts(session)
        assert_problem(await comment(client, h, t["id"], "Thêm", "public"), 409,
                       "ticket_closed")
        assert await _counts(session) == before
        await move(client, h, t["id"], "in_progress")
        resp = await comment(client, h, t["id"], "Mở lại", "public")
        assert resp.status_code == 201 and resp.headers["location"].endswith("/comments")

    async def test_a_resident_writes_no_internal_note(self, client, w):
        t = await open_ticket(client, w[Role.resident], {
            "subject": "Hỏi", "description": "Hỏi.", "category_id": w["app_help"]["id"],
            "channel": "citizen_app"})
        assert_problem(await comment(client, w[Role.resident], t["id"], "x", "internal"),
                       403, "ticket_staff_only")
        assert (await comment(client, w[Role.resident], t["id"], "Cảm ơn",
                              "public")).status_code == 201
