"""SIGTERM, as a supervisor stops a service: the server finishes the request in flight and the
worker the job it runs, and both exit 0 (uvicorn's own re-raised SIGTERM made the server exit
143, which a supervisor reports as a failure).

The request and the job are held in flight by a lock this test takes in their database, so
the signal is sure to arrive while they run; releasing the lock lets them finish."""

from __future__ import annotations

import asyncio
import signal
import time

import asyncpg
import httpx
import pytest
from alembic import command

from tests import db
from tests.conftest import alembic_config
from tests.fault.processes import AppProcess, admin_headers, make_group


@pytest.fixture(scope="module")
async def database(pg_server: str, worker_id: str, testrun_uid: str):
    """A database of its own: the processes commit, and bootstrap their admin."""
    name = f"ds_sigterm_{testrun_uid[:8]}_{worker_id}"
    url = await db.fresh_database(pg_server, name)
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    yield url, url.replace("postgresql+asyncpg://", "postgresql://")
    await db.drop_database(pg_server, name)


async def _wait_for_lock_wait(conn: asyncpg.Connection, app: AppProcess,
                              seconds: float = 30) -> None:
    """Until one of the app's connections waits for our lock (seen from `conn`, outside the
    lock's transaction: inside one, pg_stat_activity keeps its first snapshot)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert app.proc.poll() is None, f"exited {app.proc.returncode}: {app.log_tail()}"
        waiting = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock'")
        if waiting:
            return
        await asyncio.sleep(0.05)
    activity = await conn.fetch("SELECT application_name, state, wait_event, query"
                                " FROM pg_stat_activity WHERE datname = current_database()")
    raise AssertionError(f"nothing waited for the lock within {seconds} s: "
                         f"{[dict(r) for r in activity]}\n{app.log_tail()}")


async def test_sigterm_lets_the_request_in_flight_finish_and_exits_0(database, tmp_path):
    url, plain = database
    server = AppProcess("serve", url, tmp_path / "serve")
    conn, watch = await asyncpg.connect(plain), await asyncpg.connect(plain)
    try:
        await server.ready()
        async with httpx.AsyncClient(base_url=server.base, timeout=60) as client:
            h = await admin_headers(client)
            group = await make_group(client, h, "71001")
            lock = conn.transaction()
            await lock.start()
            await conn.execute("LOCK TABLE household IN ACCESS EXCLUSIVE MODE")
            request = asyncio.create_task(client.post(
                "/api/v1/households", json={"group_id": group, "house_number": "sigterm"},
                headers=h))
            await _wait_for_lock_wait(watch, server)  # the INSERT waits: the request is in flight
            server.proc.send_signal(signal.SIGTERM)
            await asyncio.sleep(1)
            assert server.proc.poll() is None, "stopped without finishing the request"
            await lock.rollback()
            resp = await request
        assert resp.status_code == 201, resp.text
        status = await server.wait(30)
        assert status == 0, f"exit status {status}:\n{server.log_tail(5)}"
        assert await conn.fetchval(
            "SELECT count(*) FROM household WHERE house_number = 'sigterm'") == 1
    finally:
        await conn.close()  # first: a lock still held would keep the process waiting
        await watch.close()
        server.terminate()


async def test_sigterm_lets_the_worker_finish_its_job_and_exits_0(database, tmp_path):
    url, plain = database
    conn, watch = await asyncpg.connect(plain), await asyncpg.connect(plain)
    lock = conn.transaction()
    await lock.start()
    # The periodic audit.seal job reads the chain's last event: it waits for this lock.
    await conn.execute("LOCK TABLE audit_event IN ACCESS EXCLUSIVE MODE")
    worker = AppProcess("worker", url, tmp_path / "worker", JOB_HEARTBEAT_SECONDS="1")
    try:
        await _wait_for_lock_wait(watch, worker)
        job = await conn.fetchval("SELECT id FROM procrastinate_jobs WHERE status = 'doing'"
                                  " AND task_name = 'audit.seal'")
        assert job is not None
        worker.proc.send_signal(signal.SIGTERM)
        await asyncio.sleep(1)
        assert worker.proc.poll() is None, "stopped without finishing its job"
        await lock.rollback()
        status = await worker.wait(30)
        assert status == 0, f"exit status {status}:\n{worker.log_tail(5)}"
        # Finished, not abandoned: a successful job is deleted, any other keeps its row.
        job_status = await conn.fetchval(
            "SELECT status FROM procrastinate_jobs WHERE id = $1", job)
        assert job_status in (None, "succeeded"), job_status
    finally:
        await conn.close()  # first: a lock still held would keep the process waiting
        await watch.close()
        worker.terminate()
