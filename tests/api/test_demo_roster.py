"""The demo group's roster, as `make run` shows it, in Vietnamese alphabetical order on
PostgreSQL (the embedded SQLite's twin: tests/test_sqlite_core.py)."""

from __future__ import annotations

from repositories.demo import load_demo
from repositories.uow import SqlUnitOfWork
from tests.api.test_demo_tickets import _headers
from tests.builders import PASSWORD
from tests.name_order import check_demo_roster


async def test_the_demo_roster_is_in_vietnamese_order(client, session_factory):
    async with SqlUnitOfWork(session_factory) as uow:
        await load_demo(uow, PASSWORD, seed=684)
        await uow.commit()
    leader = await _headers(client, "demo-group_leader")
    [group] = (await client.get("/api/v1/me", headers=leader)).json()["unit_ids"]
    await check_demo_roster(client, leader, group)
