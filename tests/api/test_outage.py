"""The database failing under a write: the app's own backend is terminated mid-request or at
COMMIT (from a second connection, `pg_terminate_backend`), and each time the client gets a
503 problem with Retry-After, nothing is stored, the broken connection is never handed out
again, and a retry with the same Idempotency-Key runs once.

The app here has a real engine of its own (one pooled connection, so the next request gets
the same slot) and the asyncpg pool of the hot paths, as `serve` builds them; what it
commits stays committed (the database is this worker's own, dropped after the run)."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx
import pytest
from sqlalchemy import text

from api.app import create_app
from domain.access import Role
from repositories.db import make_engine, make_session_factory
from tests.api.test_ops import assert_problem
from tests.builders import bearer, make_tree, make_user
from tests.conftest import make_settings

LOCK = 4_242_017  # the advisory lock the test triggers wait for

_BLOCK = """
CREATE OR REPLACE FUNCTION ds_test_block() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_advisory_xact_lock({lock}); RETURN NULL; END $$;
"""


class Harness:
    """The app, a client, and an administrator's connection that can hold the app's
    statements at a trigger and terminate the app's backend there."""

    def __init__(self, pg_url: str, pool_size: int = 1, statement_timeout_ms: int = 60_000
                 ) -> None:
        self.pg_url = pg_url
        self.pool_size = pool_size
        self.statement_timeout_ms = statement_timeout_ms

    async def __aenter__(self) -> Harness:
        self.engine = make_engine(self.pg_url, pool_size=self.pool_size, max_overflow=0,
                                  pool_timeout=30,
                                  statement_timeout_ms=self.statement_timeout_ms)
        factory = make_session_factory(self.engine)
        self.app = create_app(make_settings(), session_factory=factory, engine=self.engine)
        await self.app.state.direct.open_pool(size=2, acquire_timeout=30, connect_timeout=5,
                                              statement_timeout_ms=60_000)
        self.admin_engine = make_engine(self.pg_url, pool_size=2, max_overflow=0)
        self.admin = await self.admin_engine.connect()
        await self.admin.execution_options(isolation_level="AUTOCOMMIT")
        await self.admin.execute(text(_BLOCK.format(lock=LOCK)))
        async with factory() as session:
            self.tree = await make_tree(session, "outage")
            self.user = await make_user(session, role=Role.admin)
            await session.commit()
        self.headers = bearer(self.app, self.user)
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app),
                                        base_url="http://t", timeout=120)
        self.triggers: list[str] = []
        return self

    async def __aexit__(self, *exc) -> None:
        await self.admin.execute(text("SELECT pg_advisory_unlock_all()"))
        for table in self.triggers:
            await self.admin.execute(text(f"DROP TRIGGER IF EXISTS ds_test_block ON {table}"))
        await self.admin.close()
        await self.client.aclose()
        await self.app.state.direct.close()
        await self.engine.dispose()
        await self.admin_engine.dispose()

    async def block(self, table: str, *, at_commit: bool, when: str = "") -> None:
        """The app's next INSERT (or UPDATE) into `table` waits for our lock: at the end of
        its statement, or (`at_commit`) inside its COMMIT."""
        timing = "INITIALLY DEFERRED" if at_commit else "INITIALLY IMMEDIATE"
        await self.admin.execute(text(
            f"CREATE CONSTRAINT TRIGGER ds_test_block AFTER INSERT OR UPDATE ON {table}"
            f" DEFERRABLE {timing} FOR EACH ROW {when} EXECUTE FUNCTION ds_test_block()"))
        self.triggers.append(table)
        await self.admin.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK})

    async def release(self) -> None:
        await self.admin.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK})
        for table in self.triggers:
            await self.admin.execute(text(f"DROP TRIGGER IF EXISTS ds_test_block ON {table}"))
        self.triggers.clear()

    async def waiting(self) -> list[int]:
        """The app's backends now waiting on an advisory lock."""
        rows = await self.admin.execute(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND application_name = 'digital-street' AND wait_event = 'advisory'"))
        return [r[0] for r in rows]

    async def wait_for(self, count: int, *tasks: asyncio.Task) -> list[int]:
        """Until `count` of the app's backends wait (or a task finished without waiting)."""
        while len(pids := await self.waiting()) < count:
            if any(t.done() for t in tasks):
                return pids
            await asyncio.sleep(0.05)
        return pids

    async def terminate(self, pid: int) -> None:
        killed = await self.admin.scalar(text("SELECT pg_terminate_backend(:pid)"),
                                         {"pid": pid})
        assert killed

    async def count(self, name: str) -> int:
        return await self.admin.scalar(text(
            "SELECT count(*) FROM admin_unit WHERE name = :n"), {"n": name})

    async def audited(self, action: str, since: int) -> int:
        return await self.admin.scalar(text(
            "SELECT count(*) FROM audit_event WHERE action = :a AND actor_id = :u"
            " AND extract(epoch FROM occurred_at) >= :since"),
            {"a": action, "u": str(self.user.id), "since": since})

    def unit(self, name: str) -> dict:
        return {"kind": "neighbourhood", "name": name, "parent_id": str(self.tree.commune_a.id)}

    def post(self, name: str, key: str | None = None) -> asyncio.Task:
        headers = {**self.headers, **({"Idempotency-Key": key} if key else {})}
        return asyncio.create_task(
            self.client.post("/api/v1/units", headers=headers, json=self.unit(name)))


@pytest.fixture
async def harness(pg_url):
    async with Harness(pg_url) as h:
        yield h


def assert_unavailable(resp) -> None:
    assert_problem(resp, 503, "database_unavailable")
    assert resp.headers["retry-after"] == "5"
    assert "asyncpg" not in resp.text and "Traceback" not in resp.text


async def _kill_the_write(h: Harness, name: str, *, at_commit: bool,
                          key: str | None = None) -> httpx.Response:
    await h.block("admin_unit", at_commit=at_commit)
    request = h.post(name, key)
    [pid] = await h.wait_for(1, request)
    await h.terminate(pid)
    resp = await request
    await h.release()
    return resp


async def test_a_write_whose_connection_is_terminated_answers_503_and_stores_nothing(harness):
    name = f"Tổ bị ngắt {uuid.uuid4().hex[:6]}"
    resp = await _kill_the_write(harness, name, at_commit=False)
    assert_unavailable(resp)
    assert await harness.count(name) == 0
    # The pool's one connection was the broken one: it is not handed out again.
    after = await harness.client.post("/api/v1/units", headers=harness.headers,
                                      json=harness.unit(name))
    assert after.status_code == 201, after.text
    assert await harness.count(name) == 1


async def test_a_commit_that_fails_answers_503_and_stores_nothing(harness):
    """The backend dies inside COMMIT itself (a deferred trigger waiting on a lock): the
    client is told 503, and indeed nothing is kept, not even the audit event."""
    name = f"Tổ chết lúc commit {uuid.uuid4().hex[:6]}"
    since = int(await harness.admin.scalar(text("SELECT extract(epoch FROM now())")))
    resp = await _kill_the_write(harness, name, at_commit=True)
    assert_unavailable(resp)
    assert await harness.count(name) == 0
    assert await harness.audited("unit.create", since) == 0
    again = await harness.client.post("/api/v1/units", headers=harness.headers,
                                      json=harness.unit(name))
    assert again.status_code == 201, again.text
    assert await harness.count(name) == 1


async def test_a_retry_after_a_failed_attempt_runs_once_then_replays(harness):
    """The attempt dies while its answer is being stored (a trigger on the stored answers,
    at COMMIT): the retry is not stuck behind an "in progress" key, it runs once and
    succeeds, and the same key then replays that answer."""
    name = f"Tổ thử lại {uuid.uuid4().hex[:6]}"
    key = f"retry-{uuid.uuid4()}"
    await harness.block("idempotency_record", at_commit=True,
                        when="WHEN (NEW.status_code IS NOT NULL)")
    first = harness.post(name, key)
    [pid] = await harness.wait_for(1, first)
    await harness.terminate(pid)
    failed = await first
    await harness.release()
    assert_unavailable(failed)
    assert await harness.count(name) == 0

    retry = await harness.post(name, key)
    assert retry.status_code == 201, retry.text
    assert "idempotency-replayed" not in retry.headers
    replay = await harness.post(name, key)
    assert replay.status_code == 201, replay.text
    assert replay.headers["idempotency-replayed"] == "true"
    assert replay.json() == retry.json()
    assert replay.headers["location"] == retry.headers["location"]
    assert await harness.count(name) == 1


async def test_a_retry_after_a_write_killed_at_commit_runs_once(harness):
    name = f"Tổ thử lại sau commit {uuid.uuid4().hex[:6]}"
    key = f"commit-{uuid.uuid4()}"
    assert_unavailable(await _kill_the_write(harness, name, at_commit=True, key=key))
    retry = await harness.post(name, key)
    assert retry.status_code == 201, retry.text
    replay = await harness.post(name, key)
    assert replay.headers["idempotency-replayed"] == "true"
    assert await harness.count(name) == 1


async def test_two_concurrent_requests_with_one_key_write_once(pg_url):
    """The twin waits for the first attempt's transaction, then replays its answer."""
    async with Harness(pg_url, pool_size=2) as harness:
        await _twins(harness)


async def _twins(harness: Harness) -> None:
    name = f"Tổ sinh đôi {uuid.uuid4().hex[:6]}"
    key = f"twin-{uuid.uuid4()}"
    await harness.block("admin_unit", at_commit=False)
    first = harness.post(name, key)
    await harness.wait_for(1, first)
    second = harness.post(name, key)
    await harness.wait_for(2, first, second)
    await harness.release()
    answers = [await first, await second]
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    assert answers[0].json() == answers[1].json()
    assert sorted(a.headers.get("idempotency-replayed", "") for a in answers) == ["", "true"]
    assert await harness.count(name) == 1


async def test_a_failed_sign_in_is_still_counted_and_audited(harness):
    """A use case that commits and then answers an error (a wrong password is audited and
    counted against the throttle) keeps what it committed."""
    since = int(await harness.admin.scalar(text("SELECT extract(epoch FROM now())")))
    resp = await harness.client.post("/api/v1/auth/token", data={
        "grant_type": "password", "username": harness.user.username, "password": "wrong"})
    assert resp.status_code in (400, 401), resp.text
    failed = await harness.admin.scalar(text(
        "SELECT count(*) FROM audit_event WHERE action = 'auth.login' AND outcome = 'failed'"
        " AND actor_name = :n AND extract(epoch FROM occurred_at) >= :since"),
        {"n": harness.user.username, "since": since})
    assert failed == 1


async def test_a_request_cancelled_mid_statement_leaves_no_broken_connection(harness):
    """The client goes away while the write's statement runs (the task is cancelled inside
    asyncpg): the connection it leaves, mid-operation, is never handed to the next request
    ("another operation is in progress" was a 500)."""
    name = f"Tổ bỏ dở {uuid.uuid4().hex[:6]}"
    await harness.block("admin_unit", at_commit=False)
    request = harness.post(name)
    await harness.wait_for(1, request)
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    await harness.release()
    after = await harness.client.post("/api/v1/units", headers=harness.headers,
                                      json=harness.unit(name))
    assert after.status_code == 201, after.text
    assert await harness.count(name) == 1


async def test_a_write_past_its_statement_timeout_answers_503_and_stores_nothing(pg_url):
    """The register's direct reads already answered a statement timeout 503; a write
    through the session answered it 500."""
    async with Harness(pg_url, statement_timeout_ms=300) as harness:
        name = f"Tổ quá hạn {uuid.uuid4().hex[:6]}"
        await harness.block("admin_unit", at_commit=False)
        resp = await harness.post(name)
        await harness.release()
        assert_unavailable(resp)
        assert await harness.count(name) == 0


async def test_a_unit_of_work_whose_connection_died_closes_without_raising(harness):
    """Terminated while idle in its transaction, the connection cannot even roll back: the
    unit of work ends without raising (the answer being given stands) and the pool gives
    the next one a new connection."""
    from repositories.uow import SqlUnitOfWork

    factory = harness.app.state.session_factory
    uow = SqlUnitOfWork(factory)
    await uow.__aenter__()
    assert uow.session is not None
    pid = await uow.session.scalar(text("SELECT pg_backend_pid()"))
    await harness.terminate(pid)
    await asyncio.sleep(0.2)  # the loop sees the socket close
    await uow.__aexit__(None, None, None)
    async with SqlUnitOfWork(factory) as again:
        assert again.session is not None
        assert await again.session.scalar(text("SELECT pg_backend_pid()")) != pid


async def test_an_import_cut_off_by_the_outage_answers_503_and_leaves_no_job(pg_url):
    """A small file runs inside its request. The database goes away mid-import (the app's
    backend terminated, no new connection accepted): the client is told 503 and no job
    was left behind (one was committed, "running", then queued again by the recovery
    and imported a second time under the client's retry)."""
    async with Harness(pg_url, pool_size=3) as harness:  # the progress reports had their own
        await _cut_off_import(harness)


async def _cut_off_import(harness: Harness) -> None:
    from tests.api.test_imports import csv_bytes, row
    from tests.builders import make_household

    async with harness.app.state.session_factory() as session:
        household = await make_household(session, harness.tree.group_a1)
        await session.commit()
    await harness.block("resident", at_commit=False)
    request = asyncio.create_task(harness.client.post(
        "/api/v1/imports", headers=harness.headers, data={"kind": "residents"},
        files={"file": ("nhan-khau.csv", csv_bytes([row(household.code)]), "text/csv")}))
    [pid] = await harness.wait_for(1, request)
    database = await harness.admin.scalar(text("SELECT current_database()"))
    server = await asyncpg.connect(
        harness.pg_url.replace("postgresql+asyncpg://", "postgresql://").rsplit("/", 1)[0]
        + "/postgres")
    try:
        await server.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        await harness.terminate(pid)
        resp = await request
    finally:
        await server.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        await server.close()
    await harness.release()
    assert_unavailable(resp)
    jobs = await harness.admin.scalar(text(
        "SELECT count(*) FROM import_job WHERE created_by_id = :u"), {"u": harness.user.id})
    assert jobs == 0
    # The retry, the database back, imports the file once.
    again = await harness.client.post(
        "/api/v1/imports", headers=harness.headers, data={"kind": "residents"},
        files={"file": ("nhan-khau.csv", csv_bytes([row(household.code)]), "text/csv")})
    assert again.status_code == 202 and again.json()["status"] == "succeeded", again.text
    jobs = await harness.admin.scalar(text(
        "SELECT count(*) FROM import_job WHERE created_by_id = :u"), {"u": harness.user.id})
    assert jobs == 1
