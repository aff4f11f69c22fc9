"""The hot reads as the served app runs them: its own asyncpg pool, committed data.

Elsewhere the suite hands the app one connection inside a rolled-back transaction, so the
reads outside the session (repositories/direct.py) run on that connection; here the app owns
its engine and its pool, as under `make run`, and the lifespan opens and closes them."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from sqlalchemy import text

from api.app import create_app
from domain.access import Role
from repositories.db import make_session_factory
from tests.api.test_ops import assert_problem
from tests.builders import (
    bearer,
    make_household,
    make_resident,
    make_tree,
    make_user,
    make_walk,
)
from tests.conftest import make_settings


async def _people(engine):
    async with make_session_factory(engine)() as session:
        tree = await make_tree(session, "pool")
        household = await make_household(session, tree.group_a1)
        resident = await make_resident(session, household, head=True)
        outsider = await make_resident(session, group=tree.group_b1)
        volunteer = await make_user(session, role=Role.volunteer, units=[tree.group_a1])
        await make_walk(session, volunteer, [household])  # what a volunteer reads
        admin = await make_user(session, role=Role.admin)
        await session.commit()
    return tree, resident, outsider, volunteer, admin


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def _reads_logged(engine, resident_id: uuid.UUID) -> int:
    async with engine.connect() as conn:
        return await conn.scalar(text(
            "SELECT count(*) FROM audit_event WHERE action = 'resident.read'"
            " AND object_ids::text LIKE :id"), {"id": f"%{resident_id}%"})


class TestOwnPool:
    async def test_records_lists_and_audit_through_the_pool(self, pg_url, engine):
        tree, resident, outsider, volunteer, admin = await _people(engine)
        app = create_app(make_settings(database_url=pg_url))
        async with app.router.lifespan_context(app), _client(app) as client:
            assert app.state.direct.pool is not None
            h = bearer(app, volunteer, [tree.group_a1])
            got = await client.get(f"/api/v1/residents/{resident.id}", headers=h)
            assert got.status_code == 200, got.text
            body = got.json()
            assert body["id"] == str(resident.id) and body["full_name"] == "Nguyễn Văn An"
            assert got.headers["etag"] == f'"{resident.id.hex[:8]}.{body["version"]}"'
            # A volunteer sees no birth date; an admin sees the whole record.
            assert body["birth_date"] is None and "birth_date" in body["masked_fields"]
            full = (await client.get(f"/api/v1/residents/{resident.id}",
                                     headers=bearer(app, admin))).json()
            assert full["birth_date"] == "1980-05-17" and full["masked_fields"] == []
            # Out of scope reads as absent, and is not logged as read.
            assert_problem(await client.get(f"/api/v1/residents/{outsider.id}", headers=h),
                           404, "resident_not_found")
            page = await client.get("/api/v1/residents", params={"limit": 200}, headers=h)
            assert page.status_code == 200, page.text
            ids = {item["id"] for item in page.json()["items"]}
            assert str(resident.id) in ids and str(outsider.id) not in ids
        assert await _reads_logged(engine, resident.id) == 2
        assert await _reads_logged(engine, outsider.id) == 0

    async def test_connections_the_server_closed_are_replaced(self, pg_url, engine):
        tree, resident, _, volunteer, _ = await _people(engine)
        app = create_app(make_settings(database_url=pg_url))
        async with app.router.lifespan_context(app), _client(app) as client:
            h = bearer(app, volunteer, [tree.group_a1])
            url = f"/api/v1/residents/{resident.id}"
            assert (await client.get(url, headers=h)).status_code == 200
            async with engine.connect() as admin:
                killed = await admin.scalar(text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    " AND application_name = 'digital-street'"))
            assert killed >= 1
            await asyncio.sleep(0.2)  # the loop sees the sockets close
            for _ in range(3):
                got = await client.get(url, headers=h)
                assert got.status_code == 200, got.text

    async def test_a_busy_pool_answers_503_service_busy(self, pg_url, engine):
        tree, resident, _, volunteer, _ = await _people(engine)
        app = create_app(make_settings(database_url=pg_url, db_pool_size=1,
                                       db_pool_timeout=0.3))
        async with app.router.lifespan_context(app), _client(app) as client:
            h = bearer(app, volunteer, [tree.group_a1])
            held = await app.state.direct.pool.acquire()
            try:
                busy = await client.get(f"/api/v1/residents/{resident.id}", headers=h)
            finally:
                await app.state.direct.pool.release(held)
            assert_problem(busy, 503, "service_busy")
            assert busy.headers["retry-after"] == "1"
            assert (await client.get(f"/api/v1/residents/{resident.id}",
                                     headers=h)).status_code == 200

    async def test_no_database_answers_503_database_unavailable(self, pg_url):
        nowhere = "postgresql+asyncpg://postgres@127.0.0.1:1/none"
        missing = pg_url.rsplit("/", 1)[0] + "/no_such_database"
        for url in (nowhere, missing):
            app = create_app(make_settings(database_url=url, db_connect_timeout=2))
            async with app.router.lifespan_context(app), _client(app) as client:
                token, _ = app.state.tokens.issue_access(
                    str(uuid.uuid4()), role="admin", scope_units=[], scope="", kind="user",
                    ep=0)
                got = await client.get("/api/v1/residents",
                                       headers={"Authorization": f"Bearer {token}"})
                body = assert_problem(got, 503, "database_unavailable")
                assert "asyncpg" not in got.text and body["detail"]
