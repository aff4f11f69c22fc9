"""The SLA clock of tickets: due times in working time at open (after hours, a Saturday
afternoon, inside Tết), a new category, pauses while waiting on the resident, the working
minutes taken, the breach job, and the public holidays' routes.

The ticket use cases read their moments from the policy's clock (`TicketPolicy.now`), which
these tests hold still at the local times they name."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, update
from sqlmodel import select

from domain.access import Role
from domain.tickets.calendar import VN
from domain.tickets.models import EventKind, Holiday, Ticket, TicketEvent
from domain.tickets.tasks import flag_breaches
from repositories.bootstrap import HOLIDAYS_2026, ensure_holidays
from tests.api.test_ops import assert_invalid, assert_problem
from tests.api.tickets_world import URL, body, comment, move, open_ticket, ward
from tests.conftest import make_settings

HOLIDAYS = "/api/v1/holidays"


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at.astimezone(UTC)

    def set(self, *args: int) -> None:
        self.at = local(*args)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)  # type: ignore[misc]


def z(moment: datetime) -> str:
    """As the API writes an instant."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def settings():
    return make_settings(ticket_reopen_days=2)


@pytest.fixture
async def w(app, client, session):
    world = await ward(app, client, session)
    resp = await client.post("/api/v1/ticket-categories", headers=world[Role.ward_officer],
                             json={"code": "procedure", "name": "Thủ tục hành chính",
                                   "kind": "administrative_procedure",
                                   "first_response_minutes": 480, "resolution_minutes": 1440,
                                   "commune_id": str(world["tree"].commune_a.id)})
    assert resp.status_code == 201, resp.text
    world["procedure"] = resp.json()
    return world


@pytest.fixture
def clock(app) -> Clock:
    held = Clock(local(2026, 3, 6, 16, 30))  # a Friday, half an hour before closing
    app.state.ticket_policy = replace(app.state.ticket_policy, now=held)
    return held


def procedure(w, **over) -> dict:
    return body(w, category_id=w["procedure"]["id"], **over)


async def _db_ticket(session, ticket_id: str) -> Ticket:
    stmt = select(Ticket).where(Ticket.id == ticket_id).execution_options(
        populate_existing=True)
    return (await session.exec(stmt)).one()


class TestDueAtOpen:
    async def test_friday_after_hours_runs_over_saturday_morning_into_monday(
            self, client, w, clock):
        t = await open_ticket(client, w[Role.volunteer], procedure(w))
        # 30 min on Friday, Saturday's 240, then 210 of Monday's morning.
        assert t["created_at"] == z(local(2026, 3, 6, 16, 30))
        assert t["first_response_due_at"] == z(local(2026, 3, 9, 11, 0))
        # 1440: Friday 30, Saturday 240, Monday 450, Tuesday 450, Wednesday 240 + 30.
        assert t["resolution_due_at"] == z(local(2026, 3, 11, 14, 0))
        assert (t["first_response_breached"], t["resolution_breached"]) == (False, False)

    async def test_saturday_afternoon_starts_on_monday_morning(self, client, w, clock):
        clock.set(2026, 3, 7, 15, 0)
        t = await open_ticket(client, w[Role.volunteer], procedure(w))
        assert t["first_response_due_at"] == z(local(2026, 3, 10, 8, 0))  # Monday 450 + 30

    async def test_on_a_holiday_inside_tet_starts_after_tet(self, client, w, clock,
                                                           session_factory):
        assert await ensure_holidays(session_factory)
        assert not await ensure_holidays(session_factory)  # seeded once
        clock.set(2026, 2, 17, 10, 0)  # Tuesday, the fourth day of Tết Bính Ngọ
        t = await open_ticket(client, w[Role.volunteer], procedure(w))
        # Tết runs to Sunday 22 February: Monday 23's 450, then Tuesday 24's first 30.
        assert t["first_response_due_at"] == z(local(2026, 2, 24, 8, 0))

    async def test_a_new_category_sets_both_due_times_again(self, client, session, w, clock):
        officer = w[Role.ward_officer]
        t = await open_ticket(client, officer, body(w))  # app_help: 240 and 1440
        assert t["first_response_due_at"] == z(local(2026, 3, 7, 11, 0))  # Saturday morning
        resp = await client.patch(f"{URL}/{t['id']}", headers={**officer, "If-Match": (
            await client.get(f"{URL}/{t['id']}", headers=officer)).headers["etag"]},
            json={"category_id": w["procedure"]["id"]})
        assert resp.status_code == 200, resp.text
        assert resp.json()["first_response_due_at"] == z(local(2026, 3, 9, 11, 0))
        assert resp.json()["resolution_due_at"] == z(local(2026, 3, 11, 14, 0))


class TestPause:
    async def test_waiting_moves_the_resolution_due_time_by_the_working_minutes_waited(
            self, client, session, w, clock):
        officer = w[Role.ward_officer]
        t = await open_ticket(client, officer, procedure(w))
        clock.set(2026, 3, 6, 16, 40)
        acked = (await move(client, officer, t["id"], "acknowledged")).json()
        assert acked["first_responded_at"] == z(local(2026, 3, 6, 16, 40))
        clock.set(2026, 3, 9, 11, 0)  # Monday, half an hour before lunch
        waiting = (await move(client, officer, t["id"], "waiting_on_resident")).json()
        assert waiting["waiting_since"] == z(local(2026, 3, 9, 11, 0))
        assert waiting["resolution_due_at"] == t["resolution_due_at"]
        clock.set(2026, 3, 9, 14, 0)  # three hours later: 30 + 30 working minutes
        back = (await move(client, officer, t["id"], "in_progress")).json()
        assert (back["waiting_since"], back["paused_minutes"]) == (None, 60)
        assert back["resolution_due_at"] == z(local(2026, 3, 11, 15, 0))  # one hour later
        assert back["first_response_due_at"] == t["first_response_due_at"]  # never paused
        row = await _db_ticket(session, t["id"])
        assert row.first_response_work_minutes == 10

        # A new category counts its targets from the opening, the pause still added.
        resp = await client.post("/api/v1/ticket-categories", headers=officer, json={
            "code": "slow", "name": "Chậm", "kind": "other", "first_response_minutes": 480,
            "resolution_minutes": 2880, "commune_id": str(w["tree"].commune_a.id)})
        etag = (await client.get(f"{URL}/{t['id']}", headers=officer)).headers["etag"]
        changed = (await client.patch(f"{URL}/{t['id']}", headers={**officer, "If-Match": etag},
                                      json={"category_id": resp.json()["id"]})).json()
        assert changed["resolution_due_at"] == z(local(2026, 3, 16, 10, 30))  # 2880 + 60

        clock.set(2026, 3, 10, 9, 0)
        done = (await move(client, officer, t["id"], "resolved", outcome="done")).json()
        assert done["resolved_at"] == z(local(2026, 3, 10, 9, 0))
        row = await _db_ticket(session, t["id"])
        # Friday 30 + Saturday 240 + Monday 450 + Tuesday 90, less the hour waited.
        assert row.resolution_work_minutes == 810 - 60

        clock.set(2026, 3, 11, 9, 0)
        reopened = (await move(client, officer, t["id"], "in_progress")).json()
        assert (reopened["resolved_at"], reopened["outcome"]) == (None, None)
        row = await _db_ticket(session, t["id"])
        assert row.resolution_work_minutes is None
        assert (row.first_response_work_minutes, row.paused_minutes) == (10, 60)

    async def test_resolving_straight_from_waiting_ends_the_pause_first(
            self, client, session, w, clock):
        officer = w[Role.ward_officer]
        t = await open_ticket(client, officer, procedure(w))
        await move(client, officer, t["id"], "acknowledged")
        clock.set(2026, 3, 9, 7, 30)
        await move(client, officer, t["id"], "waiting_on_resident")
        clock.set(2026, 3, 9, 9, 30)
        done = (await move(client, officer, t["id"], "resolved", outcome="answered")).json()
        assert done["paused_minutes"] == 120
        row = await _db_ticket(session, t["id"])
        assert row.resolution_work_minutes == 30 + 240 + 120 - 120


class TestReopenWindow:
    async def test_counts_the_setting_from_the_close(self, client, w, clock):
        officer = w[Role.ward_officer]
        t = await open_ticket(client, officer, procedure(w))
        clock.set(2026, 3, 9, 9, 0)
        await move(client, officer, t["id"], "resolved", outcome="answered")
        clock.set(2026, 3, 10, 9, 0)
        await move(client, officer, t["id"], "closed")
        clock.set(2026, 3, 12, 9, 0)  # TICKET_REOPEN_DAYS=2 after the close, 3 after resolving
        resp = await move(client, officer, t["id"], "in_progress")
        assert resp.status_code == 200, resp.text
        await move(client, officer, t["id"], "resolved", outcome="done")
        await move(client, officer, t["id"], "closed")
        clock.set(2026, 3, 14, 9, 1)
        late = assert_problem(await move(client, officer, t["id"], "in_progress"), 409,
                              "ticket_transition_not_allowed")
        assert late["allowed"] == []


class TestWorkMinutes:
    async def test_the_first_public_reply_of_staff_is_the_first_answer(
            self, client, session, w, clock):
        officer = w[Role.ward_officer]
        t = await open_ticket(client, officer, procedure(w))
        clock.set(2026, 3, 7, 8, 0)
        assert (await comment(client, officer, t["id"], "Ghi chú", "internal")).status_code == 201
        row = await _db_ticket(session, t["id"])
        assert row.first_responded_at is None  # an internal note answers nobody
        clock.set(2026, 3, 9, 7, 45)
        assert (await comment(client, officer, t["id"], "Đã nhận", "public")).status_code == 201
        row = await _db_ticket(session, t["id"])
        assert row.first_responded_at == local(2026, 3, 9, 7, 45)
        assert row.first_response_work_minutes == 30 + 240 + 15


async def _backdate(session, ticket_id: str, **values) -> None:
    await session.exec(update(Ticket).where(Ticket.id == ticket_id).values(**values))
    await session.flush()


async def _breach_events(session, ticket_id: str) -> list[TicketEvent]:
    return list((await session.exec(select(TicketEvent).where(
        TicketEvent.ticket_id == ticket_id, TicketEvent.kind == EventKind.breach))).all())


class TestBreachJob:
    async def test_flags_late_tickets_once_and_never_a_waiting_one(self, app, client, session,
                                                                   w):
        officer, now = w[Role.ward_officer], datetime.now(UTC)
        past = now - timedelta(hours=1)
        unanswered = await open_ticket(client, w[Role.resident], {
            "subject": "Hỏi về VNeID", "description": "Chưa ai trả lời.",
            "category_id": w["app_help"]["id"], "channel": "citizen_app"})
        await _backdate(session, unanswered["id"], first_response_due_at=past)
        late = await open_ticket(client, officer, body(w))
        await move(client, officer, late["id"], "in_progress")
        await _backdate(session, late["id"], resolution_due_at=past)
        waiting = await open_ticket(client, officer, body(w))
        await move(client, officer, waiting["id"], "acknowledged")
        await move(client, officer, waiting["id"], "waiting_on_resident")
        await _backdate(session, waiting["id"], resolution_due_at=past)
        answered_late = await open_ticket(client, officer, body(w))
        await move(client, officer, answered_late["id"], "acknowledged")
        await _backdate(session, answered_late["id"],
                        first_response_due_at=now - timedelta(days=1),
                        first_responded_at=now - timedelta(hours=2))
        in_time = await open_ticket(client, officer, body(w))
        before = {t["id"]: (await client.get(f"{URL}/{t['id']}", headers=officer)).json()
                  for t in (unanswered, late, waiting, answered_late, in_time)}

        assert await flag_breaches(app.state.runtime) == 3

        def flags(t):
            return (t["first_response_breached"], t["resolution_breached"])

        after = {i: (await client.get(f"{URL}/{i}", headers=officer)).json() for i in before}
        assert flags(after[unanswered["id"]]) == (True, False)
        assert flags(after[late["id"]]) == (False, True)
        assert flags(after[waiting["id"]]) == (False, False)
        assert flags(after[answered_late["id"]]) == (True, False)
        assert flags(after[in_time["id"]]) == (False, False)
        for i in (unanswered["id"], late["id"], answered_late["id"]):
            assert after[i]["version"] == before[i]["version"] + 1  # a new ETag
            [event] = await _breach_events(session, i)
            assert event.visibility == "internal"
        assert [e.note for e in await _breach_events(session, late["id"])] == ["resolution"]
        for i in (waiting["id"], in_time["id"]):
            assert after[i]["version"] == before[i]["version"]
            assert await _breach_events(session, i) == []

        listed = (await client.get(URL, headers=officer, params={"breached": "true"})).json()
        assert {t["id"] for t in listed["items"]} == {
            unanswered["id"], late["id"], answered_late["id"]}

        # The resident's own ticket: the breach line is staff's only.
        kinds = [e["kind"] for e in (await client.get(
            f"{URL}/{unanswered['id']}/timeline", headers=w[Role.resident])).json()["items"]]
        assert "breach" not in kinds
        kinds = [e["kind"] for e in (await client.get(
            f"{URL}/{unanswered['id']}/timeline", headers=officer)).json()["items"]]
        assert kinds.count("breach") == 1

        # Idempotent: nothing new to flag, nothing changes.
        assert await flag_breaches(app.state.runtime) == 0
        again = {i: (await client.get(f"{URL}/{i}", headers=officer)).json() for i in before}
        assert again == after
        count = await session.scalar(select(func.count()).select_from(TicketEvent).where(
            TicketEvent.kind == EventKind.breach))
        assert count == 3

    async def test_a_ticket_resolved_late_is_flagged_for_the_history(self, app, client,
                                                                      session, w):
        officer = w[Role.ward_officer]
        t = await open_ticket(client, officer, body(w))
        await move(client, officer, t["id"], "resolved", outcome="answered")
        await _backdate(session, t["id"],
                        resolution_due_at=datetime.now(UTC) - timedelta(minutes=5))
        assert await flag_breaches(app.state.runtime) == 1
        got = (await client.get(f"{URL}/{t['id']}", headers=officer)).json()
        assert got["resolution_breached"] and not got["first_response_breached"]


class TestHolidaysList:
    async def test_anyone_reading_tickets_lists_a_years_holidays(self, client, w,
                                                                 session_factory):
        await ensure_holidays(session_factory)
        for who in (w[Role.ward_officer], w[Role.resident]):
            resp = await client.get(HOLIDAYS, headers=who, params={"year": 2026})
            assert resp.status_code == 200, resp.text
            days = [h["day"] for h in resp.json()["items"]]
            assert days == sorted(d.isoformat() for d, _ in HOLIDAYS_2026)
            assert len(days) == 15 and "2026-02-22" in days and "2026-04-27" in days
        empty = await client.get(HOLIDAYS, headers=w[Role.ward_officer], params={"year": 2027})
        assert empty.json()["items"] == []

    async def test_a_year_out_of_range_is_refused(self, client, w):
        resp = await client.get(HOLIDAYS, headers=w[Role.ward_officer], params={"year": 99})
        assert_problem(resp, 422, "validation_failed")


class TestHolidaysCreate:
    async def test_an_admin_adds_one_for_the_next_opened_tickets(self, client, session, w,
                                                                 clock):
        before = await open_ticket(client, w[Role.volunteer], procedure(w))
        resp = await client.post(HOLIDAYS, headers=w["admin"],
                                 json={"day": "2026-03-09", "name": "Nghỉ thử"})
        assert resp.status_code == 201, resp.text
        made = resp.json()
        assert resp.headers["location"] == f"{HOLIDAYS}/{made['id']}"
        assert resp.headers["etag"] == f'"{made["id"].replace("-", "")[:8]}.1"'
        assert (made["day"], made["name"]) == ("2026-03-09", "Nghỉ thử")
        # Open tickets keep their due times; the next one skips the Monday.
        kept = (await client.get(f"{URL}/{before['id']}", headers=w[Role.volunteer])).json()
        assert kept["first_response_due_at"] == before["first_response_due_at"]
        after = await open_ticket(client, w[Role.volunteer], procedure(w))
        assert after["first_response_due_at"] == z(local(2026, 3, 10, 11, 0))

    async def test_a_ward_officer_may_not_add_one(self, client, session, w):
        resp = await client.post(HOLIDAYS, headers=w[Role.ward_officer],
                                 json={"day": "2026-03-09", "name": "Nghỉ thử"})
        assert_problem(resp, 403, "forbidden")
        assert await session.scalar(select(func.count()).select_from(Holiday)) == 0

    async def test_the_same_day_twice_is_a_conflict(self, client, session, w):
        first = await client.post(HOLIDAYS, headers=w["admin"],
                                  json={"day": "2026-03-09", "name": "Nghỉ thử"})
        assert first.status_code == 201
        resp = await client.post(HOLIDAYS, headers={**w["admin"], "Accept-Language": "en"},
                                 json={"day": "2026-03-09", "name": "Lần hai"})
        body = assert_problem(resp, 409, "holiday_day_taken")
        assert body["title"] == "This day is already a holiday"
        assert await session.scalar(select(func.count()).select_from(Holiday)) == 1

    async def test_a_day_that_does_not_exist_is_refused(self, client, session, w):
        resp = await client.post(HOLIDAYS, headers=w["admin"],
                                 json={"day": "2026-02-30", "name": "Không có"})
        assert_invalid(resp, {("body", "day"): "date_from_datetime_parsing"})
        assert await session.scalar(select(func.count()).select_from(Holiday)) == 0


class TestHolidaysDelete:
    async def test_an_admin_deletes_one_with_its_etag(self, client, session, w):
        made = await client.post(HOLIDAYS, headers=w["admin"],
                                 json={"day": "2026-03-09", "name": "Nghỉ thử"})
        url = made.headers["location"]
        assert_problem(await client.delete(url, headers=w["admin"]), 428,
                       "precondition_required")
        assert_problem(await client.delete(url, headers={**w[Role.ward_officer],
                                                         "If-Match": made.headers["etag"]}),
                       403, "forbidden")
        resp = await client.delete(url, headers={**w["admin"], "If-Match": made.headers["etag"]})
        assert resp.status_code == 204, resp.text
        assert_problem(await client.get(url, headers=w["admin"]), 404, "holiday_not_found")
        assert await session.scalar(select(func.count()).select_from(Holiday)) == 0

    async def test_an_unknown_holiday_is_not_found(self, client, w):
        resp = await client.delete(f"{HOLIDAYS}/{'0' * 8}-0000-0000-0000-{'0' * 12}",
                                   headers={**w["admin"], "If-Match": "*"})
        assert_problem(resp, 404, "holiday_not_found")


def test_the_seed_is_vietnams_2026_holidays():
    days = {d for d, _ in HOLIDAYS_2026}
    assert len(days) == len(HOLIDAYS_2026) == 15
    tet = {d for d, name in HOLIDAYS_2026 if "Nguyên đán" in name}
    assert min(tet) == date(2026, 2, 14) and max(tet) == date(2026, 2, 22) and len(tet) == 9
    assert date(2026, 4, 27).weekday() == 0  # Giỗ Tổ moved off Sunday 26 April


class TestStatsReadTheClock:
    """The stats' medians and breach rate are the SLA clock's own working minutes and the
    periodic job's flags, end to end (nothing set by hand)."""

    async def test_minutes_and_breaches_from_the_clock(self, app, client, w, clock):
        officer = w[Role.ward_officer]
        clock.set(2026, 3, 9, 8, 0)  # a Monday, at opening time
        quick = await open_ticket(client, officer, procedure(w))
        slow = await open_ticket(client, officer, procedure(w))
        clock.set(2026, 3, 9, 10, 0)
        assert (await move(client, officer, quick["id"], "acknowledged")).status_code == 200
        clock.set(2026, 3, 9, 13, 30)  # 11:30 to 13:30 is the lunch break: 210 minutes
        assert (await move(client, officer, quick["id"], "resolved",
                           outcome="answered")).status_code == 200
        clock.set(2026, 3, 10, 9, 0)  # Tuesday: a working day after the 480-minute target
        assert (await move(client, officer, slow["id"], "acknowledged")).status_code == 200
        # slow: answered late, and unresolved past its resolution target (the job's clock
        # is the real one, months later); quick answered and resolved in time
        assert await flag_breaches(app.state.runtime) == 2

        got = (await client.get(f"{URL}/stats", headers=officer, params={
            "from": "2026-03-09", "to": "2026-03-09",
            "category_id": w["procedure"]["id"]})).json()
        totals = got["totals"]
        # first answers: 120, and 510 (Monday from 08:00: 210 + 210; Tuesday from 07:30: 90)
        # minutes: the mean of both
        assert totals["median_first_response_hours"] == 5.25
        assert totals["median_resolution_hours"] == 3.5
        assert (totals["opened"], totals["breached"], totals["breach_rate"]) == (2, 1, 0.5)
