"""Bulk imports of households and residents from CSV or XLSX files."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile, status
from pydantic import BaseModel

from api.deps import ImportsWrite, UoW
from api.problems import language, responses
from domain import messages
from domain.errors import InsufficientStorage, Invalid
from domain.imports import service
from domain.imports.errors import IMPORT_CASES, GroupIdRequired, ImportNotFound
from domain.imports.models import ImportJob, ImportKind, ImportStatus
from domain.types import utcnow, uuid7
from domain.units.errors import UnitNotFound
from repositories.uow import SqlUnitOfWork

log = logging.getLogger("imports")
router = APIRouter(prefix="/api/v1", tags=["imports"])
INLINE_BYTES = 512 * 1024  # smaller files finish before the 202 is sent
HEARTBEAT_SECONDS = 10.0  # a running job says it is alive this often (PostgreSQL)
SILENT_AFTER = timedelta(minutes=2)  # then, silent this long, its worker is taken for dead


class RowProblem(BaseModel):
    line: int
    column: str
    code: str
    message: str


class ImportRead(BaseModel):
    """An import job: its progress, counts and every rejected row with the reason."""

    id: uuid.UUID
    kind: ImportKind
    status: ImportStatus
    dry_run: bool
    partial: bool
    filename: str
    group_id: uuid.UUID | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    total_rows: int
    processed_rows: int
    created_count: int
    updated_count: int
    unchanged_count: int
    rejected_count: int
    errors: list[RowProblem]


def _view(job: ImportJob, lang: str) -> ImportRead:
    errors = [RowProblem(line=e["line"], column=e["column"], code=e["code"],
                         message=messages.field_message(e["code"], lang, e.get("params", {}),
                                                        e["message"]))
              for e in job.errors]
    data: dict[str, Any] = {name: getattr(job, name) for name in ImportRead.model_fields
                            if name != "errors"}
    return ImportRead(**data, errors=errors)


async def _execute(factory, who, job_id: uuid.UUID, path: Path, sqlite: bool) -> None:
    async def progress(rows: int) -> None:
        if sqlite:  # one writer at a time: progress shows at the end
            return
        async with SqlUnitOfWork(factory) as side:
            await side.imports.set_progress(job_id, rows)
            await side.commit()

    async def heartbeat() -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                async with SqlUnitOfWork(factory) as side:
                    await side.imports.beat(job_id)
                    await side.commit()
            except Exception:  # the job itself will meet the same trouble and report it
                log.warning("import heartbeat failed", extra={"job": str(job_id)})

    beating = None if sqlite else asyncio.get_running_loop().create_task(heartbeat())
    try:
        async with SqlUnitOfWork(factory) as uow:
            await service.run_import(uow, who, job_id, path, progress)
    except Exception:
        log.exception("import crashed", extra={"job": str(job_id)})
        async with SqlUnitOfWork(factory) as uow:
            job = await uow.imports.job(job_id)
            job.status, job.finished_at = ImportStatus.failed, utcnow()
            job.errors = [{"line": 0, "column": "", "code": "internal_error",
                           "message": "Lỗi hệ thống khi nhập tệp", "params": {}}]
            await uow.commit()
    finally:
        if beating is not None:
            beating.cancel()
        path.unlink(missing_ok=True)  # noqa: ASYNC240  (one cheap call)


async def fail_interrupted(factory, var_dir: Path, *, any_age: bool = False) -> int:
    """Mark jobs whose worker died (silent for SILENT_AFTER, or all of them with `any_age`,
    for a process that starts alone) as failed, and remove their uploaded files."""
    silent_since = utcnow() - (timedelta(0) if any_age else SILENT_AFTER)
    async with SqlUnitOfWork(factory) as uow:
        ids = await uow.imports.fail_interrupted(silent_since)
        await uow.commit()
    for job_id in ids:
        for suffix in (".csv", ".xlsx"):
            (var_dir / "imports" / f"{job_id}{suffix}").unlink(missing_ok=True)
    if ids:
        log.warning("interrupted imports marked failed",
                    extra={"jobs": ",".join(str(i) for i in ids)})
    return len(ids)


@router.post("/imports", operation_id="imports_create", status_code=status.HTTP_202_ACCEPTED,
             summary="Import households or residents from CSV or XLSX",
             responses=responses(401, 403, 404, 413, 422, 503, *IMPORT_CASES, UnitNotFound,
                                 InsufficientStorage))
async def create_import(
    request: Request, response: Response, uow: UoW, who: ImportsWrite,
    file: Annotated[UploadFile, File(description="CSV (UTF-8, comma or semicolon) or XLSX")],
    kind: Annotated[ImportKind, Form()],
    dry_run: Annotated[bool, Form(description="Check and report; write nothing")] = False,
    partial: Annotated[bool, Form(description="Apply the good rows even if some are bad")
                       ] = False,
    group_id: Annotated[uuid.UUID | None, Form(description="Target group (households)")
                        ] = None,
) -> ImportRead:
    """Answers 202 with the job; follow it at /imports/{id}. Re-importing a file is a no-op."""
    settings = request.app.state.settings
    if kind == ImportKind.households:
        if group_id is None:
            raise GroupIdRequired(loc=("body", "group_id"))
        await uow.units.get(who, group_id)
    job_id = uuid7()
    name = file.filename or "upload"
    suffix = ".xlsx" if name.lower().endswith(".xlsx") else ".csv"
    folder = settings.var_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{job_id}{suffix}"
    digest, size = hashlib.sha256(), 0
    out = await asyncio.to_thread(path.open, "wb")
    try:
        while chunk := await file.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
            await asyncio.to_thread(out.write, chunk)
    finally:
        out.close()
    try:
        await asyncio.to_thread(service.check_header, kind, path)
    except Invalid:
        path.unlink(missing_ok=True)
        raise
    job = ImportJob(id=job_id, kind=kind, dry_run=dry_run, partial=partial,
                    filename=name[:255], file_sha256=digest.hexdigest(), group_id=group_id,
                    created_by_id=who.subject_id, created_by_name=who.name)
    await uow.imports.add_job(job)
    await uow.audit.record(who, "import.submit", "import_job", [job.id], kind=kind.value,
                           dry_run=dry_run, bytes=size)
    await uow.commit()
    factory = request.app.state.session_factory
    sqlite = uow.session.bind.dialect.name == "sqlite"
    response.headers["Location"] = f"/api/v1/imports/{job.id}"
    if size <= INLINE_BYTES:
        await _execute(factory, who, job.id, path, sqlite)
    else:
        request.app.state.jobs.submit(f"import-{job.id}",
                                      lambda: _execute(factory, who, job.id, path, sqlite))
    async with SqlUnitOfWork(factory) as fresh:
        return _view(await fresh.imports.job(job_id),
                     language(request.headers.get("accept-language")))


@router.get("/imports/{import_id}", operation_id="imports_get", summary="Follow an import",
            responses=responses(401, 403, 404, 422, 503, ImportNotFound))
async def get_import(import_id: uuid.UUID, request: Request, uow: UoW, who: ImportsWrite
                     ) -> ImportRead:
    """Status, progress, counts and the rejected rows (line, column, reason)."""
    job = await uow.imports.get_job(who, import_id)
    if job is None:
        raise ImportNotFound()
    settings = request.app.state.settings
    if (job.status in (ImportStatus.queued, ImportStatus.running) and not settings.is_sqlite
            and (job.heartbeat_at or job.created_at) < utcnow() - SILENT_AFTER):
        # Its worker died (another process restarted?): say so rather than "running" forever.
        await fail_interrupted(request.app.state.session_factory, settings.var_dir)
        await uow.session.refresh(job)
    return _view(job, language(request.headers.get("accept-language")))
