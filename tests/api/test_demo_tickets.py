"""The demo ward's tickets: the queue and the stats `make run` shows, and a resident's own."""

from __future__ import annotations

from itertools import pairwise

from sqlalchemy import func
from sqlmodel import select

from domain.tickets.calendar import default_calendar
from domain.tickets.models import Ticket, TicketEvent, TicketStatus
from repositories.demo import load_demo, load_demo_tickets
from repositories.uow import SqlUnitOfWork
from tests.builders import PASSWORD


async def _headers(client, username: str) -> dict:
    resp = await client.post("/api/v1/auth/token", data={
        "grant_type": "password", "username": username, "password": PASSWORD})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


async def test_the_demo_ward_has_a_queue_and_stats(client, session_factory):
    async with SqlUnitOfWork(session_factory) as uow:
        await load_demo(uow, PASSWORD, seed=684)
        await uow.commit()
    officer = await _headers(client, "demo-ward_officer")
    page = (await client.get("/api/v1/tickets?include_total=true&limit=200",
                             headers=officer)).json()
    assert 60 <= page["total"] <= 120
    tickets = page["items"]
    statuses = {t["status"] for t in tickets}
    assert {"new", "waiting_on_resident", "resolved", "closed"} <= statuses
    assert statuses & {"acknowledged", "in_progress"}
    assert {t["outcome"] for t in tickets} >= {"answered", "done", "referred"}
    assert {t["channel"] for t in tickets} == {"community_group", "door_to_door", "in_person",
                                               "phone", "citizen_app"}
    assert any(t["first_response_breached"] or t["resolution_breached"] for t in tickets)
    assert any(t["on_behalf"] for t in tickets) and not all(t["on_behalf"] for t in tickets)
    fraud = (await client.get("/api/v1/tickets?q=gia danh cong an&limit=200",
                              headers=officer)).json()["items"]
    assert fraud  # the scam call wave

    stats = (await client.get("/api/v1/tickets/stats", headers=officer)).json()
    totals = stats["totals"]
    assert totals["opened"] == page["total"]
    assert totals["median_first_response_hours"] > 0
    assert totals["median_resolution_hours"] > 0
    assert 0 < totals["breach_rate"] < 1
    assert len(stats["categories"]) == 7
    assert [u["name"] for u in stats["units"]][1:] == ["Tổ dân phố Trần Phú"]

    one = next(t for t in tickets if t["status"] == "closed")
    timeline = (await client.get(f"/api/v1/tickets/{one['id']}/timeline",
                                 headers=officer)).json()["items"]
    moves = [(e["from_status"], e["to_status"]) for e in timeline if e["kind"] == "transition"]
    assert timeline[0]["kind"] == "opened" and moves[-1] == ("resolved", "closed")
    assert all(a[1] == b[0] for a, b in pairwise(moves))

    resident = await _headers(client, "demo-resident")
    own = (await client.get("/api/v1/tickets?limit=200", headers=resident)).json()["items"]
    assert own and all(t["on_behalf"] is False and t["channel"] == "citizen_app" for t in own)
    assert (await client.get("/api/v1/tickets/stats", headers=resident)).status_code == 403


async def test_the_numbers_agree_with_the_calendar_and_a_second_load_adds_nothing(
        session_factory):
    async with SqlUnitOfWork(session_factory) as uow:
        await load_demo(uow, PASSWORD, seed=684)
        await uow.commit()
    calendar = default_calendar()
    async with SqlUnitOfWork(session_factory) as uow:
        tickets = (await uow.session.exec(select(Ticket))).all()
        for t in tickets:
            if t.first_responded_at is not None:
                assert t.first_response_work_minutes == calendar.minutes_between(
                    t.created_at, t.first_responded_at)
                assert t.first_response_breached == (t.first_responded_at
                                                     > t.first_response_due_at)
            if t.resolved_at is not None:
                assert t.resolution_work_minutes == calendar.minutes_between(
                    t.created_at, t.resolved_at) - t.paused_minutes
                assert t.resolution_breached == (t.resolved_at > t.resolution_due_at)
            assert (t.waiting_since is not None) == (
                t.status == TicketStatus.waiting_on_resident)
        events = await uow.session.scalar(select(func.count()).select_from(TicketEvent))
        again = await load_demo_tickets(uow, {}, _Unit(tickets[0].commune_id), None, [],
                                        seed=684)
        assert again == 0
        assert await uow.session.scalar(select(func.count()).select_from(TicketEvent)) == events


class _Unit:
    def __init__(self, unit_id) -> None:
        self.id = unit_id
