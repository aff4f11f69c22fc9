"""A large import runs in the background; progress and the result are visible by polling."""

from __future__ import annotations

import asyncio

import httpx

from api.app import create_app
from domain.access import Role
from domain.register.rules import make_id_number
from repositories.db import make_session_factory
from tests.api.test_imports import csv_bytes, row
from tests.builders import bearer, make_household, make_tree, make_user
from tests.conftest import make_settings


async def test_large_file_runs_as_a_background_job(engine, tmp_path):
    factory = make_session_factory(engine)
    async with factory() as session:
        tree = await make_tree(session, "background")
        households = [await make_household(session, tree.group_a1,
                                           code=f"BG-{tree.group_a1.id.hex[-6:]}-{i}")
                      for i in range(300)]
        leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
        await session.commit()
    rows = [row(households[i % 300].code, name=f"Nguyễn Văn Số {i}",
                id_number=make_id_number("079", 1980, "male", 700_000 + i),
                relationship="Con" if i >= 300 else "Chủ hộ") for i in range(6000)]
    content = csv_bytes(rows)
    assert len(content) > 512 * 1024
    app = create_app(make_settings(var_dir=tmp_path), session_factory=factory, engine=engine)
    h = bearer(app, leader, [tree.group_a1])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        resp = await client.post("/api/v1/imports", headers=h, data={"kind": "residents"},
                                 files={"file": ("big.csv", content, "text/csv")})
        assert resp.status_code == 202, resp.text
        assert resp.json()["status"] in {"queued", "running"}
        url = resp.headers["location"]
        seen = set()
        for _ in range(600):
            job = (await client.get(url, headers=h)).json()
            seen.add(job["status"])
            if job["status"] not in {"queued", "running"}:
                break
            await asyncio.sleep(0.1)
        assert job["status"] == "succeeded", (job["errors"][:3], job["rejected_count"])
        assert job["total_rows"] == job["processed_rows"] == 6000
        assert job["created_count"] == 6000
        await app.state.jobs.drain()


async def test_a_job_whose_worker_died_is_reported_failed(engine, tmp_path):
    """A job left `running` by a dead worker (restart, killed process) must not be followed
    forever: once its heartbeat is silent it reads as failed, and its upload is removed."""
    from datetime import timedelta

    from api.routers.imports import fail_interrupted
    from domain.imports.models import ImportJob
    from domain.types import utcnow

    factory = make_session_factory(engine)
    async with factory() as session:
        tree = await make_tree(session, "interrupted")
        leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
        long_ago = utcnow() - timedelta(minutes=10)
        dead = ImportJob(kind="residents", status="running", filename="a.csv",
                         file_sha256="0" * 64, group_id=tree.group_a1.id,
                         created_by_id=leader.id, created_at=long_ago, heartbeat_at=long_ago)
        alive = ImportJob(kind="residents", status="running", filename="b.csv",
                          file_sha256="1" * 64, group_id=tree.group_a1.id,
                          created_by_id=leader.id, created_at=long_ago,
                          heartbeat_at=utcnow())
        session.add_all([dead, alive])
        await session.commit()
    (tmp_path / "imports").mkdir()
    upload = tmp_path / "imports" / f"{dead.id}.csv"
    upload.write_bytes(b"left behind")
    app = create_app(make_settings(var_dir=tmp_path), session_factory=factory, engine=engine)
    h = bearer(app, leader, [tree.group_a1]) | {"Accept-Language": "en"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        job = (await client.get(f"/api/v1/imports/{dead.id}", headers=h)).json()
        assert job["status"] == "failed" and job["finished_at"] is not None
        assert [e["code"] for e in job["errors"]] == ["import_interrupted"]
        assert "interrupted" in job["errors"][0]["message"]
        assert not upload.exists()
        job = (await client.get(f"/api/v1/imports/{alive.id}", headers=h)).json()
        assert job["status"] == "running"  # its worker is alive: left alone
    # A process starting alone (SQLite) takes every unfinished job for dead.
    assert await fail_interrupted(factory, tmp_path, any_age=True) >= 1
    async with factory() as session:
        assert (await session.get(ImportJob, alive.id)).status == "failed"
