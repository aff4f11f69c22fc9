"""Imports as jobs: run one (claimed, so never twice at once), and recover those whose worker
died. The request that accepts a small file runs `run_import` itself before answering."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from pathlib import Path

from domain.access import Principal
from domain.imports import service
from domain.imports.models import ImportJob, ImportStatus
from domain.jobs import Runtime, periodic, task
from domain.ports import UnitOfWork
from domain.types import utcnow

log = logging.getLogger("imports")
MAX_ATTEMPTS = 3  # a file that kills its worker this often is reported, not retried


def upload_path(var_dir: Path, job: ImportJob) -> Path:
    suffix = ".xlsx" if job.filename.lower().endswith(".xlsx") else ".csv"
    return var_dir / "imports" / f"{job.id}{suffix}"


def silent_since(runtime: Runtime):
    """A running job whose worker has not beaten since then is taken for dead."""
    return utcnow() - timedelta(seconds=3 * runtime.heartbeat_seconds)


async def _fail(runtime: Runtime, job_id: uuid.UUID, code: str, message: str) -> None:
    async with runtime.uow() as uow:
        job = await uow.imports.job(job_id)
        job.status, job.finished_at = ImportStatus.failed, utcnow()
        job.errors = [{"line": 0, "column": "", "code": code, "message": message,
                       "params": {}}]
        await uow.commit()
    upload_path(runtime.var_dir, job).unlink(missing_ok=True)


@task("imports.run")
async def run_import(runtime: Runtime, *, import_id: str) -> None:
    """Run a queued import (or one whose worker died) to its end; a no-op when it is
    finished, cancelled, or running alive elsewhere."""
    job_id = uuid.UUID(import_id)
    async with runtime.uow() as uow:
        job = await uow.imports.claim(job_id, silent_since(runtime))
        await uow.commit()
    if job is None:
        return
    path = upload_path(runtime.var_dir, job)
    if job.attempts > MAX_ATTEMPTS:
        await _fail(runtime, job_id, "import_interrupted", "Lượt nhập bị gián đoạn")
        return
    if not path.exists():
        await _fail(runtime, job_id, "import_interrupted", "Lượt nhập bị gián đoạn")
        return
    sqlite = runtime.dialect == "sqlite"

    async def progress(rows: int) -> bool:
        async with runtime.uow() as side:
            if sqlite:  # one writer at a time: only look whether a stop was asked
                return await side.imports.cancel_requested(job_id)
            stop = await side.imports.set_progress(job_id, rows)
            await side.commit()
            return stop

    async def heartbeat() -> None:
        while True:
            await asyncio.sleep(runtime.heartbeat_seconds)
            try:
                async with runtime.uow() as side:
                    await side.imports.beat(job_id)
                    await side.commit()
            except Exception:  # the job itself will meet the same trouble and report it
                log.warning("import heartbeat failed", extra={"job": import_id})

    beating = None if sqlite else asyncio.get_running_loop().create_task(heartbeat())
    try:
        async with runtime.uow() as uow:
            await service.run_import(uow, Principal.from_snapshot(job.submitted_by), job_id,
                                     path, progress)
    except Exception:
        log.exception("import crashed", extra={"job": import_id})
        await _fail(runtime, job_id, "internal_error", "Lỗi hệ thống khi nhập tệp")
    finally:
        if beating is not None:
            beating.cancel()
    path.unlink(missing_ok=True)


async def _never_stopped(rows: int) -> bool:
    return False  # nobody else can see a job its request has not committed, nor cancel it


async def run_inline(uow: UnitOfWork, who: Principal, job_id: uuid.UUID, var_dir: Path) -> None:
    """A small file, run by the request that accepts it, inside that request's transaction:
    the job, its rows, its outcome and the answer commit together, or nothing does (the
    client's retry then starts afresh; no half-run job is left to recover)."""
    job = await uow.imports.claim(job_id, utcnow())
    assert job is not None, "the request's own job, queued a moment ago"
    await uow.commit()
    path = upload_path(var_dir, job)
    try:
        await service.run_import(uow, who, job_id, path, _never_stopped)
    except Exception:
        log.exception("import crashed", extra={"job": str(job_id)})
        await uow.rollback()  # back to the claimed job (a lost database fails here: a 503)
        job = await uow.imports.job(job_id, fresh=True)
        job.status, job.finished_at = ImportStatus.failed, utcnow()
        job.errors = [{"line": 0, "column": "", "code": "internal_error",
                       "message": "Lỗi hệ thống khi nhập tệp", "params": {}}]
        await uow.commit()
    finally:
        path.unlink(missing_ok=True)


@periodic("imports.recover", every_seconds=60)
async def recover_imports(runtime: Runtime, *, everything: bool = False) -> int:
    """Queue again the imports whose worker died (silent heartbeat; with `everything`, all
    unfinished ones: the one process that ran them restarted). Answers how many."""
    if runtime.dialect == "sqlite" and not everything:
        return 0  # no heartbeat there: the process's own running jobs would look dead
    async with runtime.uow() as uow:
        jobs = await uow.imports.unfinished(None if everything else silent_since(runtime))
        for job in jobs:
            if everything:
                job.status = ImportStatus.queued
            await uow.jobs.enqueue("imports.run", queueing_lock=f"import:{job.id}",
                                   import_id=str(job.id))
        await uow.commit()
    if jobs:
        log.warning("interrupted imports queued again",
                    extra={"jobs": ",".join(str(j.id) for j in jobs)})
    return len(jobs)
