"""GET /tickets/stats: counts per category and unit, medians of the stored working minutes,
breach rate, the range's local-date edges, scope, and the refusals."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import update

from domain.access import Role
from domain.clock import today_vn
from domain.tickets.calendar import VN
from domain.tickets.models import Ticket
from tests.api.test_ops import assert_invalid, assert_problem
from tests.api.tickets_world import URL, body, move, open_ticket, ward

STATS = f"{URL}/stats"


@pytest.fixture
async def w(app, client, session):
    return await ward(app, client, session)


async def _set(session, ticket: dict, **values) -> None:
    await session.execute(update(Ticket).where(Ticket.id == uuid.UUID(ticket["id"]))
                          .values(**values))
    await session.flush()


async def _contact(client, w, who, unit, **over) -> dict:
    return await open_ticket(client, w[who], body(
        w, household_id=None, requester_resident_id=None, contact_name="Bà Tư",
        contact_phone="0912345678", unit_id=str(unit.id), channel="phone", **over))


def _local(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), VN)


def _row(rows: list[dict], key: str, value) -> dict:
    return next(r for r in rows if r[key] == str(value))


class TestStats:
    async def test_counts_per_category_and_unit(self, client, w):
        h, tree = w[Role.ward_officer], w["tree"]
        first = await open_ticket(client, h, body(w))
        await open_ticket(client, h, body(w))
        done = await open_ticket(client, h, body(w))
        fraud = await open_ticket(client, h, body(w, category_id=w["fraud_report"]["id"]))
        commune_only = await _contact(client, w, Role.ward_officer, tree.commune_a)
        assert (await move(client, h, first["id"], "acknowledged")).status_code == 200
        assert (await move(client, h, done["id"], "resolved", outcome="answered")
                ).status_code == 200
        assert (await move(client, h, done["id"], "closed")).status_code == 200
        assert (await move(client, h, fraud["id"], "resolved", outcome="referred")
                ).status_code == 200

        resp = await client.get(STATS, headers=h)
        assert resp.status_code == 200, resp.text
        got = resp.json()
        assert got["to"] == today_vn().isoformat()
        assert got["from"] == (today_vn() - timedelta(days=29)).isoformat()
        assert got["totals"] == {"opened": 5, "open": 3, "resolved": 1, "closed": 1,
                                 "breached": 0, "median_first_response_hours": 0.0,
                                 "median_resolution_hours": 0.0, "breach_rate": 0.0}
        # (the moves came within seconds of opening: no whole working minute between)
        app_help = _row(got["categories"], "category_id", w["app_help"]["id"])
        assert (app_help["code"], app_help["opened"]) == ("app_help", 4)
        assert app_help["by_status"] == {"new": 2, "acknowledged": 1, "in_progress": 0,
                                         "waiting_on_resident": 0, "resolved": 0, "closed": 1}
        fraud_row = _row(got["categories"], "category_id", w["fraud_report"]["id"])
        assert (fraud_row["opened"], fraud_row["by_status"]["resolved"]) == (1, 1)
        commune = _row(got["units"], "unit_id", tree.commune_a.id)
        group = _row(got["units"], "unit_id", tree.group_a1.id)
        assert (commune["level"], commune["name"], commune["opened"]) == (
            "commune", tree.commune_a.name, 5)
        assert (group["level"], group["name"], group["opened"]) == (
            "group", "Tổ dân phố Trần Phú", 4)
        assert [u["level"] for u in got["units"]] == ["commune", "group"]
        assert commune_only["group_id"] is None

    async def test_filters_by_category_and_unit(self, client, w):
        h, tree = w[Role.ward_officer], w["tree"]
        await open_ticket(client, h, body(w))
        await open_ticket(client, h, body(w, category_id=w["fraud_report"]["id"]))
        await _contact(client, w, Role.ward_officer, tree.group_a2)
        got = (await client.get(STATS, headers=h, params={
            "category_id": w["fraud_report"]["id"]})).json()
        assert got["totals"]["opened"] == 1 and got["category_id"] == w["fraud_report"]["id"]
        got = (await client.get(STATS, headers=h, params={"unit_id": str(tree.group_a2.id)})
               ).json()
        assert got["totals"]["opened"] == 1
        assert {u["unit_id"] for u in got["units"]} == {str(tree.commune_a.id),
                                                        str(tree.group_a2.id)}

    async def test_medians_odd_and_even_counts(self, client, session, w):
        h = w[Role.ward_officer]
        made = [await open_ticket(client, h, body(w)) for _ in range(4)]
        # stored minutes set directly, to choose odd and even counts (the SLA clock's own
        # minutes reach the stats in test_ticket_sla.py::TestStatsReadTheClock)
        for ticket, first, resolution in zip(made, (60, 120, 600, None), (90, 210, None, None),
                                             strict=True):
            await _set(session, ticket, first_response_work_minutes=first,
                       resolution_work_minutes=resolution)
        got = (await client.get(STATS, headers=h)).json()
        # three first answers (60, 120, 600 min): the middle one; two resolutions: the mean
        assert got["totals"]["median_first_response_hours"] == 2.0
        assert got["totals"]["median_resolution_hours"] == 2.5
        app_help = _row(got["categories"], "category_id", w["app_help"]["id"])
        assert (app_help["median_first_response_hours"],
                app_help["median_resolution_hours"]) == (2.0, 2.5)
        group = _row(got["units"], "unit_id", w["tree"].group_a1.id)
        assert group["median_first_response_hours"] == 2.0

    async def test_breach_rate(self, client, session, w):
        h = w[Role.ward_officer]
        made = [await open_ticket(client, h, body(w)) for _ in range(4)]
        fraud = await open_ticket(client, h, body(w, category_id=w["fraud_report"]["id"]))
        await _set(session, made[0], first_response_breached=True)  # the job's, end to end:
        # test_ticket_sla.py::TestStatsReadTheClock
        await _set(session, made[1], first_response_breached=True, resolution_breached=True)
        got = (await client.get(STATS, headers=h)).json()
        assert (got["totals"]["breached"], got["totals"]["breach_rate"]) == (2, 0.4)
        app_help = _row(got["categories"], "category_id", w["app_help"]["id"])
        assert (app_help["breached"], app_help["breach_rate"]) == (2, 0.5)
        assert _row(got["categories"], "category_id", fraud["category_id"])["breach_rate"] == 0

    async def test_no_tickets_in_range_has_null_rates(self, client, w):
        got = (await client.get(STATS, headers=w[Role.ward_officer], params={
            "from": "2025-01-01", "to": "2025-01-31"})).json()
        assert got["totals"] == {"opened": 0, "open": 0, "resolved": 0, "closed": 0,
                                 "breached": 0, "median_first_response_hours": None,
                                 "median_resolution_hours": None, "breach_rate": None}
        assert got["categories"] == [] and got["units"] == []

    async def test_range_edges_are_local_dates(self, client, session, w):
        h, day = w[Role.ward_officer], date(2026, 3, 10)
        late, early, next_day = [await open_ticket(client, h, body(w)) for _ in range(3)]
        # 23:30 in Vietnam on `to` is 16:30 UTC that day: in; 00:10 the day after is out.
        await _set(session, late, created_at=_local(day, 23, 30))
        await _set(session, early, created_at=_local(day - timedelta(days=2), 0, 0))
        await _set(session, next_day, created_at=_local(day + timedelta(days=1), 0, 10))
        got = (await client.get(STATS, headers=h, params={
            "from": (day - timedelta(days=2)).isoformat(), "to": day.isoformat()})).json()
        assert got["totals"]["opened"] == 2
        got = (await client.get(STATS, headers=h, params={
            "from": (day + timedelta(days=1)).isoformat(),
            "to": (day + timedelta(days=1)).isoformat()})).json()
        assert got["totals"]["opened"] == 1
        got = (await client.get(STATS, headers=h, params={
            "from": (day - timedelta(days=1)).isoformat(),
            "to": (day - timedelta(days=1)).isoformat()})).json()
        assert got["totals"]["opened"] == 0

    async def test_a_range_of_366_days_is_allowed(self, client, w):
        resp = await client.get(STATS, headers=w[Role.ward_officer],
                                params={"from": "2025-01-01", "to": "2026-01-02"})
        assert resp.status_code == 200, resp.text


class TestStatsScope:
    async def test_another_communes_tickets_are_never_counted(self, client, w):
        await open_ticket(client, w[Role.ward_officer], body(w))
        theirs = await client.post("/api/v1/ticket-categories", headers=w["other_officer"], json={
            "code": "question", "name": "Hỏi đáp", "kind": "question",
            "first_response_minutes": 240, "resolution_minutes": 1440})
        assert theirs.status_code == 201, theirs.text
        for _ in range(2):
            await _contact(client, w, "other_officer", w["tree"].commune_b,
                           category_id=theirs.json()["id"])
        mine = (await client.get(STATS, headers=w[Role.ward_officer])).json()
        theirs = (await client.get(STATS, headers=w["other_officer"])).json()
        assert (mine["totals"]["opened"], theirs["totals"]["opened"]) == (1, 2)
        assert {u["unit_id"] for u in theirs["units"]} == {str(w["tree"].commune_b.id)}
        resp = await client.get(STATS, headers=w[Role.ward_officer],
                                params={"unit_id": str(w["tree"].commune_b.id)})
        assert_problem(resp, 404, "unit_not_found")

    async def test_a_group_leader_sees_their_group(self, client, w):
        h, tree = w[Role.ward_officer], w["tree"]
        await open_ticket(client, h, body(w))
        await open_ticket(client, h, body(w))
        await _contact(client, w, Role.ward_officer, tree.group_a2)
        await _contact(client, w, Role.ward_officer, tree.commune_a)
        got = (await client.get(STATS, headers=w[Role.group_leader])).json()
        assert got["totals"]["opened"] == 2
        assert {u["unit_id"]: u["opened"] for u in got["units"]} == {
            str(tree.commune_a.id): 2, str(tree.group_a1.id): 2}

    async def test_a_security_officer_counts_fraud_reports_only(self, client, w):
        h = w[Role.ward_officer]
        await open_ticket(client, h, body(w))
        await open_ticket(client, h, body(w, category_id=w["fraud_report"]["id"]))
        got = (await client.get(STATS, headers=w[Role.security_officer])).json()
        assert got["totals"]["opened"] == 1
        assert [c["code"] for c in got["categories"]] == ["fraud_report"]

    async def test_a_resident_is_refused(self, client, w):
        await open_ticket(client, w[Role.resident], {
            "subject": "Hỏi thủ tục", "description": "Cấp lại CCCD.",
            "category_id": w["app_help"]["id"], "channel": "citizen_app"})
        resp = await client.get(STATS, headers=w[Role.resident])
        assert_problem(resp, 403, "ticket_staff_only")

    async def test_without_a_token(self, client):
        assert_problem(await client.get(STATS), 401, "unauthorized")


class TestStatsRefusals:
    async def test_from_after_to(self, client, w):
        resp = await client.get(STATS, headers=w[Role.ward_officer],
                                params={"from": "2026-03-02", "to": "2026-03-01"})
        assert_invalid(resp, {("query", "from"): "ticket_stats_range_reversed"})

    async def test_more_than_366_days(self, client, w):
        resp = await client.get(STATS, headers={**w[Role.ward_officer],
                                                "Accept-Language": "en"},
                                params={"from": "2025-01-01", "to": "2026-01-03"})
        problem = assert_invalid(resp, {("query", "to"): "ticket_stats_range_too_long"})
        assert problem["errors"][0]["message"] == "The range spans at most 366 days"

    @pytest.mark.parametrize("value", ["2026-02-30", "1767225600", "hôm qua"])
    async def test_a_date_that_is_none(self, client, w, value):
        resp = await client.get(STATS, headers=w[Role.ward_officer], params={"from": value})
        body = assert_problem(resp, 422, "validation_failed")
        assert [e["loc"] for e in body["errors"]] == [["query", "from"]]

    async def test_the_path_is_not_taken_for_a_ticket_id(self, client, w):
        h = w[Role.ward_officer]
        assert (await client.get(STATS, headers=h)).json()["totals"]["opened"] == 0
        resp = await client.get(f"{URL}/{uuid.uuid4()}", headers=h)
        assert_problem(resp, 404, "ticket_not_found")
