"""Running an import: read, check every row, then apply all-or-nothing (or the good rows
with partial=true), or only report (dry run). Kept small so a job queue can call it."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from domain.access import Principal
from domain.checks import Checks
from domain.errors import Invalid, NotFound
from domain.imports import reader
from domain.imports.errors import (
    ColumnsMissing,
    DuplicateInFile,
    FileEmpty,
    GroupIdRequired,
    ImportFinished,
    StreetUnknown,
)
from domain.imports.models import ImportJob, ImportKind, ImportStatus
from domain.imports.rows import (
    MAX_ERRORS,
    RowError,
    household_record,
    map_header,
    resident_record,
    row_error,
    row_errors,
)
from domain.ports import UnitOfWork
from domain.register.policy import household_code_conflict
from domain.text import fold
from domain.types import utcnow
from domain.units.models import AdminUnit, UnitLevel

log = logging.getLogger("imports")
BATCH = 5000


async def target_group(uow: UnitOfWork, who: Principal, group_id: uuid.UUID) -> AdminUnit:
    """The group a households import writes to: a group the caller may write to (an
    ancestor they only read is a 404 like any unit out of scope; a commune is a 422)."""
    return await uow.units.target(who, group_id, level=UnitLevel.group,
                                  loc=("body", "group_id"))


async def check_form(uow: UnitOfWork, who: Principal, *, kind: ImportKind,
                     group_id: uuid.UUID | None, path: Path,
                     polling_area_id: uuid.UUID | None = None, columns: str | None = None,
                     mapping: str | None = None) -> dict[str, str] | None:
    """The form's fields together: the target group of a households import, the polling
    area and column mapping of a voter list, and the file (read in a thread: a large XLSX
    takes a while to open). Answers a voter list's column mapping, as the job will use it."""
    from domain.elections import voter_lists

    with Checks() as checks:
        if kind == ImportKind.voter_list:
            return await voter_lists.check_import(
                uow, who, checks, polling_area_id=polling_area_id, columns=columns,
                mapping=mapping, path=path)
        if kind == ImportKind.households and checks.check(
                group_id is not None, GroupIdRequired(loc=("body", "group_id"))):
            assert group_id is not None
            await checks.wait(target_group(uow, who, group_id))
        await checks.wait(asyncio.to_thread(check_header, kind, path))
    return None


def check_header(kind: ImportKind, path: Path) -> None:
    """Refuse at once a file that cannot be read or lacks required columns (a 422)."""
    with path.open("rb") as stream:
        header = next(iter(reader.rows(stream)), None)
    if header is None or not any(cell.strip() for cell in header):
        raise FileEmpty(loc=("body", "file"))
    mapped = map_header(kind.value, header)
    if mapped.missing:
        raise ColumnsMissing(loc=("body", "file"),
                                 columns=", ".join(mapped.missing))


def _records(kind: ImportKind, path: Path, errors: list[RowError], from_xlsx: bool,
             seen: dict[str, int]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Valid records, in file order; bad rows go to `errors`. `seen["rows"]` counts rows."""
    with path.open("rb") as stream:
        rows = reader.rows(stream)
        mapped = map_header(kind.value, next(rows))
        for line, row in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue
            seen["rows"] += 1
            cells = {key: row[i] if i < len(row) else "" for i, key in mapped.columns.items()}
            try:
                if kind == ImportKind.residents:
                    yield line, resident_record(cells, from_xlsx=from_xlsx)
                else:
                    yield line, household_record(cells)
            except Invalid as exc:
                errors.extend(row_errors(line, exc))


class Cancelled(Exception):
    """Someone asked the running import to stop."""


async def run_import(uow: UnitOfWork, who: Principal, job_id: uuid.UUID, path: Path,
                     progress: Callable[[int], Awaitable[bool]]) -> ImportJob:
    """Process one claimed job in `uow`; `progress(n)` reports rows read so far elsewhere
    and answers whether a stop was asked (then nothing is written and the job is cancelled)."""
    job = await uow.imports.job(job_id)  # no lock: progress is written beside this work
    await uow.imports.hold_writes(job_id)

    async def report(rows: int) -> None:
        if await progress(rows):
            raise Cancelled

    errors: list[RowError] = []
    seen = {"rows": 0}
    counts = {"create": 0, "update": 0, "same": 0}
    try:
        await report(0)
        kind = ImportKind(job.kind)
        if kind == ImportKind.voter_list:
            from domain.elections import voter_lists

            counts = await voter_lists.store_list(uow, who, job, path, errors, report, seen)
        else:
            records = _records(kind, path, errors, path.suffix == ".xlsx", seen)
            handler = _residents if kind == ImportKind.residents else _households
            counts = await handler(uow, who, job, records, errors, report)
    except (Invalid, NotFound) as exc:  # the file broke mid-way (an invalid byte far
        errors.append(row_error(0, exc))  # down), or its target went out of reach
    except Cancelled:
        await uow.rollback()
        job = await uow.imports.job(job_id)
        job.status, job.finished_at = ImportStatus.cancelled, utcnow()
        job.processed_rows = seen["rows"]
        await uow.commit()
        return job
    bad = {e.line for e in errors}
    # A voter list is the official list as it is: its row reasons reject no row.
    kept = job.kind == ImportKind.voter_list
    outcome = {
        "total_rows": seen["rows"], "processed_rows": seen["rows"],
        "rejected_count": 0 if kept else len(bad - {0}),
        "errors": [vars(e) for e in sorted(errors, key=lambda e: e.line)[:MAX_ERRORS]],
    }
    if errors and (0 in bad or not (job.partial or kept)):
        await uow.rollback()  # all or nothing: not one row is kept
        job = await uow.imports.job(job_id)
        for key, value in outcome.items():
            setattr(job, key, value)
        job.status, job.finished_at = ImportStatus.failed, utcnow()
        await uow.commit()
        return job
    for key, value in outcome.items():
        setattr(job, key, value)
    job.created_count, job.updated_count = counts["create"], counts["update"]
    job.unchanged_count = counts["same"]
    job.status = ImportStatus.completed_with_errors if errors else ImportStatus.succeeded
    job.finished_at = utcnow()
    if job.dry_run:
        snapshot = {k: getattr(job, k) for k in (
            "status", "total_rows", "processed_rows", "created_count", "updated_count",
            "unchanged_count", "rejected_count", "errors", "finished_at")}
        await uow.rollback()  # a dry run writes nothing but its report
        job = await uow.imports.job(job_id)
        for key, value in snapshot.items():
            setattr(job, key, value)
    else:
        await uow.audit.record(who, "import.apply", "import_job", [job.id], kind=job.kind,
                               created=job.created_count, updated=job.updated_count,
                               rejected=job.rejected_count)
    await uow.commit()
    return job


async def _batches(records, size=BATCH):
    """Parse and check rows in a worker thread, a batch at a time: the loop stays free.
    (Reading the next batch while this one is staged measured no faster: both need the GIL.)"""
    while batch := await asyncio.to_thread(lambda: list(islice(records, size))):
        yield batch


async def _residents(uow: UnitOfWork, who, job, records, errors, progress):
    await uow.imports.create_stage()
    total = 0
    async for batch in _batches(records):
        await uow.imports.stage(batch)
        total += len(batch)
        await progress(total + len(errors))
    for line, column, code in await uow.imports.resolve(who):
        errors.append(row_error(line, Invalid(code, loc=(column,))))
    if errors and not job.partial:
        return {"create": 0, "update": 0, "same": 0}  # rejected as a whole: stop here
    await uow.imports.drop_lines({e.line for e in errors})
    counts = await uow.imports.classify()
    if not job.dry_run and not (errors and not job.partial):
        await uow.imports.apply(who, job.id)
    await uow.imports.drop_stage()
    return counts


async def _households(uow: UnitOfWork, who, job, records, errors, progress):
    """Households are few (hundreds per group): matched and written through the ORM."""
    from domain.register.households import _house_sort
    from domain.register.models import Household

    try:  # checked when submitted too: a job queued before that check is refused here
        group = await target_group(uow, who, job.group_id)
    except (NotFound, Invalid) as exc:
        errors.append(row_error(0, exc))  # the whole file is refused: nothing is written
        return {"create": 0, "update": 0, "same": 0}
    streets = {fold(s.name): s for s in await uow.streets.for_commune(group.commune_id)}  # type: ignore[arg-type]  # a group has its commune
    counts, total, seen = {"create": 0, "update": 0, "same": 0}, 0, set()
    async for batch in _batches(records):
        known = await uow.households.by_codes(
            group.commune_id, list({rec["code"] for _, rec in batch}))  # type: ignore[arg-type]  # a group has its commune
        for line, rec in batch:
            total += 1
            if rec["code"] in seen:
                errors.append(row_error(line, DuplicateInFile(loc=("code",))))
                continue
            seen.add(rec["code"])
            street = streets.get(fold(rec["street"])) if rec["street"] else None
            if rec["street"] and street is None:
                errors.append(row_error(line, StreetUnknown(loc=("street",))))
                continue
            values = {"street_id": street.id if street else None,
                      "house_number": rec["house_number"],
                      "house_number_sort": _house_sort(rec["house_number"]),
                      "old_address_text": rec["old_address_text"],
                      "residence_type": rec["residence_type"]}
            existing = known.get(rec["code"])
            if existing is not None and existing.group_id != group.id:
                holder = await uow.households.code_holder(who, existing.commune_id, rec["code"])
                errors.append(row_error(line, household_code_conflict(
                    existing.id, holder is not None and holder[1], rec["code"], loc=("code",))))
                continue
            if existing is None:
                counts["create"] += 1
                await uow.households.add(Household(
                    code=rec["code"], province_id=group.province_id,  # type: ignore[arg-type]
                    commune_id=group.commune_id, group_id=group.id, **values))  # type: ignore[arg-type]  # a group has both
            elif any(getattr(existing, k) != v for k, v in values.items()):
                counts["update"] += 1
                for key, value in values.items():
                    setattr(existing, key, value)
                existing.version += 1
                existing.updated_at = utcnow()
            else:
                counts["same"] += 1
        await progress(total)
    await uow.households.save()
    return counts


async def cancel_import(uow: UnitOfWork, who: Principal, import_id: uuid.UUID) -> ImportJob:
    """Cancel a queued import now, or ask a running one to stop; a finished one is a 409."""
    job = await uow.imports.get(who, import_id)
    if not await uow.imports.request_cancel(import_id):  # one statement: races a claim
        raise ImportFinished(status=(await uow.imports.job(import_id, fresh=True)).status)
    await uow.audit.record(who, "import.cancel", "import_job", [job.id])
    await uow.commit()
    return await uow.imports.job(import_id, fresh=True)
