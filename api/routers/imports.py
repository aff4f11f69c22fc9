"""Bulk imports of households and residents from CSV or XLSX files."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field

from api.deps import ImportsWrite, UoW, also_require
from api.http import LOCATION, sends
from api.problems import language, responses
from domain import messages
from domain.access import Permission
from domain.elections.errors import VOTER_LIST_IMPORT_CASES
from domain.errors import InsufficientStorage
from domain.examples import CREATED, GROUP, RECORD, examples
from domain.imports import service, tasks
from domain.imports.errors import IMPORT_CASES, ImportFinished, ImportNotFound
from domain.imports.models import ImportJob, ImportKind, ImportStatus
from domain.types import uuid7
from domain.units.errors import NotAGroup, UnitNotFound

log = logging.getLogger("imports")
router = APIRouter(prefix="/api/v1", tags=["imports"])
INLINE_BYTES = 512 * 1024  # smaller files finish before the 202 is sent


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
    polling_area_id: uuid.UUID | None = None
    voter_list_id: uuid.UUID | None = Field(default=None, description=(
        "The voter list version a list import wrote, once it has"))
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    cancel_requested_at: datetime | None = None
    attempts: int = 0
    total_rows: int
    processed_rows: int
    created_count: int
    updated_count: int
    unchanged_count: int
    rejected_count: int
    errors: list[RowProblem]

    model_config = ConfigDict(json_schema_extra=examples({
        "id": RECORD, "kind": "residents", "status": "completed_with_errors", "dry_run": False,
        "partial": False, "filename": "nhan-khau-to-tran-phu.xlsx", "group_id": GROUP,
        "polling_area_id": None, "voter_list_id": None, "created_at": CREATED,
        "started_at": CREATED, "finished_at": "2026-01-11T01:30:04Z",
        "cancel_requested_at": None, "attempts": 1, "total_rows": 2716,
        "processed_rows": 2716, "created_count": 2709, "updated_count": 0,
        "unchanged_count": 5, "rejected_count": 2, "errors": [
            {"line": 18, "column": "id_number", "code": "id_number_length",
             "message": "Số định danh phải đủ 12 chữ số"},
            {"line": 402, "column": "phone", "code": "phone_invalid",
             "message": "Số điện thoại không hợp lệ (ví dụ 0912 345 678 hoặc +84 912 345 678)"}]}))


def _view(job: ImportJob, lang: str, voter_list_id: uuid.UUID | None = None) -> ImportRead:
    errors = [RowProblem(line=e["line"], column=e["column"], code=e["code"],
                         message=messages.field_message(e["code"], lang, e.get("params", {}),
                                                        e["message"]))
              for e in job.errors]
    data: dict[str, Any] = {name: getattr(job, name) for name in ImportRead.model_fields
                            if name not in ("errors", "voter_list_id")}
    return ImportRead(**data, errors=errors, voter_list_id=voter_list_id)


async def _answer(uow, job: ImportJob, request: Request) -> ImportRead:
    lang = language(request.headers.get("accept-language"))
    if job.kind != ImportKind.voter_list:
        return _view(job, lang)
    return _view(job, lang, await uow.voter_lists.by_job(job.id))


# What each kind writes, beside `imports:write` (an election officer imports lists only).
KIND_PERMISSION = {ImportKind.residents: Permission.residents_write,
                   ImportKind.households: Permission.households_write,
                   ImportKind.voter_list: Permission.elections_manage}


@router.post("/imports", operation_id="imports_create", status_code=status.HTTP_202_ACCEPTED,
             summary="Import households, residents or a voter list from CSV or XLSX",
             responses={**responses(401, 403, 404, 413, 422, 503, *IMPORT_CASES, UnitNotFound,
                                 NotAGroup, InsufficientStorage, *VOTER_LIST_IMPORT_CASES),
                        **sends(202, LOCATION)})
async def create_import(
    request: Request, response: Response, uow: UoW, who: ImportsWrite,
    file: Annotated[UploadFile, File(description="CSV (UTF-8, comma or semicolon) or XLSX")],
    kind: Annotated[ImportKind, Form()],
    dry_run: Annotated[bool, Form(description="Check and report; write nothing")] = False,
    partial: Annotated[bool, Form(description="Apply the good rows even if some are bad")
                       ] = False,
    group_id: Annotated[uuid.UUID | None, Form(description="Target group (households)")
                        ] = None,
    polling_area_id: Annotated[uuid.UUID | None, Form(description=(
        "The polling area whose official list this is (voter_list)"))] = None,
    columns: Annotated[str | None, Form(max_length=20_000, description=(
        'voter_list: a JSON object header → field, e.g. {"Họ và tên cử tri": "full_name"};'
        " beside the headers the list form uses"))] = None,
    mapping: Annotated[str | None, Form(max_length=100, description=(
        "voter_list: a saved column mapping of the area's commune, by name or id"))] = None,
) -> ImportRead:
    """Answers 202 with the job; follow it at /imports/{id}. Re-importing a register file is
    a no-op. A voter list (`kind=voter_list`, election officers and commune officers) is
    stored as a new version of the polling area's list, every row as it is: a cell that
    cannot be read is a row reason in `errors`, the row is kept; `voter_list_id` names the
    version once written."""
    await also_require(request, who, KIND_PERMISSION[kind])
    settings = request.app.state.settings
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
    try:  # every field of the form in one 422; a refused form leaves no job and no file
        mapped = await service.check_form(uow, who, kind=kind, group_id=group_id, path=path,
                                          polling_area_id=polling_area_id, columns=columns,
                                          mapping=mapping)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    job = ImportJob(id=job_id, kind=kind, dry_run=dry_run, partial=partial,
                    filename=name[:255], file_sha256=digest.hexdigest(),
                    group_id=None if kind == ImportKind.voter_list else group_id,
                    polling_area_id=polling_area_id if kind == ImportKind.voter_list else None,
                    columns=mapped,
                    created_by_id=who.subject_id, created_by_name=who.name,
                    submitted_by=who.snapshot())
    inline = size <= INLINE_BYTES
    await uow.imports.add_job(job)
    await uow.audit.record(who, "import.submit", "import_job", [job.id], kind=kind.value,
                           dry_run=dry_run, bytes=size)
    if not inline:
        await uow.jobs.enqueue("imports.run", queueing_lock=f"import:{job.id}",
                               import_id=str(job.id))
    await uow.commit()
    response.headers["Location"] = f"/api/v1/imports/{job.id}"
    if inline:  # in this request's transaction: the job and its outcome commit together
        await tasks.run_inline(uow, who, job.id, request.app.state.runtime.var_dir)
    return await _answer(uow, await uow.imports.job(job_id, fresh=True), request)


@router.get("/imports/{import_id:uuid}", operation_id="imports_get", summary="Follow an import",
            responses=responses(401, 403, 404, 422, 503, ImportNotFound))
async def get_import(import_id: uuid.UUID, request: Request, uow: UoW, who: ImportsWrite
                     ) -> ImportRead:
    """Status, progress, counts and the rejected rows (line, column, reason); a voter list's
    row reasons (its rows are kept), and the version it wrote."""
    job = await uow.imports.get(who, import_id)
    return await _answer(uow, job, request)


@router.post("/imports/{import_id:uuid}/cancel", operation_id="imports_cancel",
             status_code=status.HTTP_202_ACCEPTED, summary="Stop an import",
             responses=responses(401, 403, 404, 422, 503, ImportNotFound, ImportFinished))
async def cancel_import(import_id: uuid.UUID, request: Request, uow: UoW, who: ImportsWrite
                        ) -> ImportRead:
    """A queued import is cancelled at once; a running one stops at its next batch and
    writes nothing (follow it until `status` is `cancelled`). A finished one is a 409."""
    job = await service.cancel_import(uow, who, import_id)
    return await _answer(uow, job, request)


routers = [router]
