"""Large imports run as jobs on the PostgreSQL queue, by real workers: progress and results by
polling, a worker killed with SIGKILL mid-run (its job runs again, once), cancellation, and
the recovery of imports whose runner died. Rows here are committed: workers have their own
connections."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from api.app import create_app
from domain.access import Principal, Role, permissions_for
from domain.imports.models import ImportJob
from domain.imports.tasks import recover_imports
from domain.register.models import Resident
from domain.register.rules import make_id_number
from domain.types import utcnow
from repositories.db import make_session_factory
from repositories.queue import Runtime, build_queue, run_worker
from tests.api.test_imports import csv_bytes, row
from tests.builders import bearer, make_household, make_tree, make_user
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
RUNNING = {"queued", "running"}


async def _world(engine, name: str, households: int = 300):
    factory = make_session_factory(engine)
    async with factory() as session:
        tree = await make_tree(session, name)
        homes = [await make_household(session, tree.group_a1,
                                      code=f"BG-{tree.group_a1.id.hex[-6:]}-{i}")
                 for i in range(households)]
        leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
        await session.commit()
    return factory, tree, homes, leader


def _file(homes, count: int, first: int) -> bytes:
    return csv_bytes([row(homes[i % len(homes)].code, name=f"Nguyễn Văn Số {i}",
                          id_number=make_id_number("079", 1980, "male", first + i),
                          relationship="Con" if i >= len(homes) else "Chủ hộ")
                      for i in range(count)])


@asynccontextmanager
async def _client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        yield client


@asynccontextmanager
async def _worker(engine, var_dir: Path, heartbeat: float = 10.0):
    """A real procrastinate worker in this process, on its own connections."""
    url = engine.url.render_as_string(hide_password=False)
    task = asyncio.create_task(run_worker(
        build_queue(url, stalled_after=3 * heartbeat),
        Runtime(make_session_factory(engine), var_dir, heartbeat),
        install_signal_handlers=False))
    try:
        yield task
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _follow(client, url, headers, until=lambda job: job["status"] not in RUNNING,
                  seconds: float = 120):
    for _ in range(int(seconds * 10)):
        job = (await client.get(url, headers=headers)).json()
        if until(job):
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"import still {job['status']} after {seconds} s: {job}")


async def _residents_of(factory, homes) -> int:
    async with factory() as session:
        return await session.scalar(select(func.count()).select_from(Resident).where(
            Resident.household_id.in_([h.id for h in homes])))


async def test_large_file_runs_as_a_job_of_the_queue(engine, tmp_path):
    factory, tree, homes, leader = await _world(engine, "background")
    content = _file(homes, 6000, 700_000)
    assert len(content) > 512 * 1024
    app = create_app(make_settings(var_dir=tmp_path), session_factory=factory, engine=engine)
    h = bearer(app, leader, [tree.group_a1])
    async with _client(app) as client:
        resp = await client.post("/api/v1/imports", headers=h, data={"kind": "residents"},
                                 files={"file": ("big.csv", content, "text/csv")})
        assert resp.status_code == 202, resp.text
        assert resp.json()["status"] == "queued"  # no worker yet: it waits in the queue
        url = resp.headers["location"]
        async with _worker(engine, tmp_path):
            job = await _follow(client, url, h)
    assert job["status"] == "succeeded", (job["errors"][:3], job["rejected_count"])
    assert job["total_rows"] == job["processed_rows"] == job["created_count"] == 6000
    assert job["attempts"] == 1
    assert await _residents_of(factory, homes) == 6000
    assert not list((tmp_path / "imports").iterdir())  # the upload is removed


def _start_worker(engine, var_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "VAR_DIR": str(var_dir), "APP_ENV": "test", "JOB_HEARTBEAT_SECONDS": "1",
           "WORKER_CONCURRENCY": "2", "DEMO_DATA": "false"}
    # Its log goes to a file: a pipe nobody reads fills up and stops the worker mid-write.
    log = (var_dir / "worker.log").open("ab")
    return subprocess.Popen([sys.executable, "-m", "api.cli", "worker"], cwd=ROOT, env=env,
                            stdout=log, stderr=log)


async def test_a_worker_killed_mid_import_has_its_job_run_again_once(engine, tmp_path):
    """SIGKILL while the file is being staged: the dead worker's transaction rolls back, a
    second worker takes the job when the first one's heartbeat stops, and every row is
    written exactly once."""
    factory, tree, homes, leader = await _world(engine, "killed")
    count = 30_000
    app = create_app(make_settings(var_dir=tmp_path, job_heartbeat_seconds=1),
                     session_factory=factory, engine=engine)
    h = bearer(app, leader, [tree.group_a1])
    first = _start_worker(engine, tmp_path)
    second = None
    try:
        async with _client(app) as client:
            resp = await client.post("/api/v1/imports", headers=h, data={"kind": "residents"},
                                     files={"file": ("big.csv", _file(homes, count, 760_000),
                                                     "text/csv")})
            assert resp.status_code == 202, resp.text
            url = resp.headers["location"]
            job = await _follow(client, url, h, until=lambda j: j["processed_rows"] > 0
                                or j["status"] not in RUNNING, seconds=60)
            assert job["status"] == "running", job
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
            assert first.returncode == -signal.SIGKILL
            await asyncio.sleep(2)
            job = (await client.get(url, headers=h)).json()
            assert job["status"] == "running" and job["created_count"] == 0
            assert await _residents_of(factory, homes) == 0  # rolled back with the worker
            second = _start_worker(engine, tmp_path)
            job = await _follow(client, url, h, seconds=300)
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
    assert job["status"] == "succeeded", job["errors"][:3]
    assert job["attempts"] == 2
    assert job["created_count"] == job["total_rows"] == count
    assert await _residents_of(factory, homes) == count  # once, not twice


async def test_a_queued_import_cancelled_never_runs(engine, tmp_path):
    factory, tree, homes, leader = await _world(engine, "cancel-queued", households=50)
    app = create_app(make_settings(var_dir=tmp_path), session_factory=factory, engine=engine)
    h = bearer(app, leader, [tree.group_a1]) | {"Accept-Language": "en"}
    async with _client(app) as client:
        resp = await client.post("/api/v1/imports", headers=h, data={"kind": "residents"},
                                 files={"file": ("big.csv", _file(homes, 6000, 820_000),
                                                 "text/csv")})
        url = resp.headers["location"]
        resp = await client.post(f"{url}/cancel", headers=h)
        assert resp.status_code == 202, resp.text
        assert resp.json()["status"] == "cancelled"
        assert resp.json()["cancel_requested_at"] is not None
        async with _worker(engine, tmp_path):
            await asyncio.sleep(1.5)  # time for the worker to take (and drop) the job
        job = (await client.get(url, headers=h)).json()
        assert job["status"] == "cancelled" and job["attempts"] == 0
        again = await client.post(f"{url}/cancel", headers=h)
        assert again.status_code == 409
        assert again.json()["code"] == "import_finished"
        assert "cancelled" in again.json()["detail"]
    assert await _residents_of(factory, homes) == 0


async def test_a_running_import_cancelled_stops_and_writes_nothing(engine, tmp_path):
    factory, tree, homes, leader = await _world(engine, "cancel-running")
    app = create_app(make_settings(var_dir=tmp_path), session_factory=factory, engine=engine)
    h = bearer(app, leader, [tree.group_a1])
    async with _client(app) as client:
        resp = await client.post("/api/v1/imports", headers=h, data={"kind": "residents"},
                                 files={"file": ("big.csv", _file(homes, 60_000, 900_000),
                                                 "text/csv")})
        url = resp.headers["location"]
        async with _worker(engine, tmp_path):
            await _follow(client, url, h, until=lambda j: j["status"] == "running",
                          seconds=60)
            resp = await client.post(f"{url}/cancel", headers=h)
            assert resp.status_code == 202 and resp.json()["status"] == "running"
            job = await _follow(client, url, h)
    assert job["status"] == "cancelled", job
    assert job["created_count"] == 0 and job["processed_rows"] < 60_000
    assert await _residents_of(factory, homes) == 0


async def test_imports_whose_runner_died_are_run_again_or_reported(engine, tmp_path):
    """A job left running by a dead process is queued again by the recovery job and run to
    its end; one that has used up its attempts is reported failed, its upload removed.
    Following a job never changes it (no GET writes)."""
    factory, tree, homes, leader = await _world(engine, "recover", households=3)
    long_ago = utcnow() - timedelta(minutes=10)
    snapshot = Principal(subject_id=leader.id, name="leader", role=Role.group_leader,
                         unit_ids=frozenset({tree.group_a1.id}),
                         permissions=permissions_for(Role.group_leader)).snapshot()
    common = {"kind": "residents", "status": "running", "file_sha256": "0" * 64,
              "group_id": tree.group_a1.id, "created_by_id": leader.id,
              "created_at": long_ago, "heartbeat_at": long_ago, "submitted_by": snapshot}
    dead = ImportJob(filename="a.csv", attempts=1, **common)
    spent = ImportJob(filename="b.csv", attempts=3, **common)
    async with factory() as session:
        session.add_all([dead, spent])
        await session.commit()
    (tmp_path / "imports").mkdir()
    (tmp_path / "imports" / f"{dead.id}.csv").write_bytes(_file(homes, 3, 950_000))
    (tmp_path / "imports" / f"{spent.id}.csv").write_bytes(b"left behind")
    app = create_app(make_settings(var_dir=tmp_path), session_factory=factory, engine=engine)
    h = bearer(app, leader, [tree.group_a1]) | {"Accept-Language": "en"}
    async with _client(app) as client:
        job = (await client.get(f"/api/v1/imports/{dead.id}", headers=h)).json()
        assert job["status"] == "running"  # a GET only reads
        runtime = Runtime(factory, tmp_path)
        assert await recover_imports(runtime) >= 2
        async with _worker(engine, tmp_path):
            job = await _follow(client, f"/api/v1/imports/{dead.id}", h, seconds=30)
            assert job["status"] == "succeeded" and job["created_count"] == 3, job
            assert job["attempts"] == 2
            job = await _follow(client, f"/api/v1/imports/{spent.id}", h, seconds=30)
        assert job["status"] == "failed"
        assert [e["code"] for e in job["errors"]] == ["import_interrupted"]
        assert "interrupted" in job["errors"][0]["message"]
    assert not (tmp_path / "imports" / f"{spent.id}.csv").exists()


@pytest.mark.parametrize("argv", [["worker"]])
def test_the_worker_refuses_sqlite_and_says_why(argv, tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.sqlite3",
           "APP_ENV": "test"}
    done = subprocess.run([sys.executable, "-m", "api.cli", *argv], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "PostgreSQL" in done.stderr and "serve" in done.stderr
