"""Use cases of voter lists: importing a polling area's official list as a new immutable
version (through the import pipeline, domain/imports/service.py), saving a commune's column
mappings, and the difference between two versions."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from domain.access import Principal
from domain.checks import Checks
from domain.clock import today_vn
from domain.elections.errors import (
    ElectionUnitLevel,
    VoterListAreaRequired,
    VoterListColumnsInvalid,
)
from domain.elections.models import PollingArea, VoterListMapping, VoterListVersion
from domain.elections.voter_list_diff import Diff, compare
from domain.elections.voter_list_rows import (
    Duplicates,
    ListHeader,
    check_mapping,
    commune_words,
    map_header,
    read_row,
)
from domain.elections.voter_list_schemas import VoterListMappingCreate
from domain.errors import FieldMissing
from domain.imports import reader
from domain.imports.errors import ColumnsMissing, FileEmpty
from domain.imports.models import ImportJob
from domain.imports.rows import RowError
from domain.ports import UnitOfWork
from domain.units.models import UnitLevel

BATCH = 5000


def read_header(path: Path) -> tuple[list[str], list[str] | None]:
    """The file's first row and the one after it (a second header row, maybe)."""
    with path.open("rb") as stream:
        rows = iter(reader.rows(stream))
        header = next(rows, None)
        second = next(rows, None)
    if header is None or not any(cell.strip() for cell in header):
        raise FileEmpty(loc=("body", "file"))
    return header, second


def check_header(path: Path, columns: dict[str, str] | None) -> tuple[list[str], ListHeader]:
    """Refuse at once a file that cannot be read or lacks the name or the birth (a 422
    naming the columns as the list form calls them). Answers the header as stored (two
    header rows as one: "Giới tính / Nam") and its mapping."""
    header, second = read_header(path)
    mapped = map_header(header, columns, second)
    if mapped.missing:
        raise ColumnsMissing(loc=("body", "file"), columns=", ".join(mapped.missing))
    return (mapped.names if mapped.rows == 2 else header), mapped


def parse_columns(raw: str | None) -> dict[str, str] | None:
    """The form's `columns`: a JSON object header → field, checked field by field."""
    if raw is None or not raw.strip():
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise VoterListColumnsInvalid(loc=("body", "columns")) from exc
    if not isinstance(value, dict) or not value or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise VoterListColumnsInvalid(loc=("body", "columns"))
    return check_mapping(value)


async def target_area(uow: UnitOfWork, who: Principal, area_id: uuid.UUID, *,
                      lock: bool = False) -> PollingArea:
    """A polling area whose lists the caller may import (their commune's, or province's)."""
    return await uow.polling_areas.get_writable(who, area_id, for_update=lock)


async def check_import(uow: UnitOfWork, who: Principal, checks: Checks, *,
                       polling_area_id: uuid.UUID | None, columns: str | None,
                       mapping: str | None, path: Path) -> dict[str, str] | None:
    """The form of a list import, every field in one 422: the polling area, the mapping
    (sent, or saved under a name or id: the sent one wins header by header) and the file's
    header. Answers the mapping the job will use."""
    area = None
    if checks.check(polling_area_id is not None,
                    VoterListAreaRequired(loc=("body", "polling_area_id"))):
        assert polling_area_id is not None
        area = await target_area(uow, who, polling_area_id)
    given = checks.run(parse_columns, columns)
    saved: dict[str, str] = {}
    if mapping and area is not None:
        found = await checks.wait(uow.voter_list_mappings.find(who, area.commune_id, mapping))
        saved = dict(found.columns) if found is not None else {}
    merged = {**saved, **(given or {})} or None
    await checks.wait(asyncio.to_thread(check_header, path, merged))
    return merged


async def _batches(items: Iterator[dict[str, Any]]) -> AsyncIterator[list[dict[str, Any]]]:
    """Rows read and checked in a worker thread, a batch at a time, the next batch read while
    the database takes this one (its indexes are PostgreSQL's work, not this process's)."""
    def take() -> list[dict[str, Any]]:
        return list(islice(items, BATCH))

    pending = asyncio.ensure_future(asyncio.to_thread(take))
    try:
        while batch := await pending:
            pending = asyncio.ensure_future(asyncio.to_thread(take))
            yield batch
    finally:
        if not pending.done():  # a thread cannot be stopped: let it finish its batch
            await asyncio.gather(pending, return_exceptions=True)


def _rows(path: Path, mapped: ListHeader, commune: str, errors: list[RowError],
          seen: dict[str, int]) -> Iterator[dict[str, Any]]:
    duplicates = Duplicates()
    today = today_vn()
    with path.open("rb") as stream:
        rows = reader.rows(stream)
        for _ in range(mapped.rows):
            next(rows)
        for line, row in enumerate(rows, start=mapped.rows + 1):
            if not any(cell.strip() for cell in row):
                continue
            seen["rows"] += 1
            record, reasons = read_row(line, mapped.names, mapped.fields, row,
                                       commune=commune, today=today, split=mapped.split)
            if (repeat := duplicates.check(line, row)) is not None:
                reasons.append(repeat)
            errors.extend(reasons)
            yield record


async def store_list(uow: UnitOfWork, who: Principal, job: ImportJob, path: Path,
                     errors: list[RowError], progress: Callable[[int], Awaitable[None]],
                     seen: dict[str, int]) -> dict[str, int]:
    """A list import's work inside the job's transaction: the area locked (imports of one
    area number one after the other), the version and every row written, each row as it
    is (a cell that cannot be read is a reason in `errors`, not a dropped row)."""
    assert job.polling_area_id is not None, "a list import names its area (checked)"
    area = await target_area(uow, who, job.polling_area_id, lock=True)
    header, mapped = await asyncio.to_thread(check_header, path, job.columns)
    commune = commune_words(await uow.voter_lists.commune_name(area.commune_id))
    version = VoterListVersion(
        election_id=area.election_id, polling_area_id=area.id, province_id=area.province_id,
        commune_id=area.commune_id, number=await uow.voter_lists.latest_number(area.id) + 1,
        import_job_id=job.id, filename=job.filename, file_sha256=job.file_sha256,
        header=header, columns=mapped.columns, imported_by_id=who.subject_id,
        imported_by_name=who.name)
    await uow.voter_lists.add(version)
    total = 0
    async for batch in _batches(_rows(path, mapped, commune, errors, seen)):
        await uow.voter_lists.add_rows(version.id, batch)
        total += len(batch)
        await progress(total)
    if total == 0:  # a header alone is no list: the job fails, nothing is kept
        raise FileEmpty(loc=("body", "file"))
    version.row_count = total
    await uow.voter_lists.save()
    await uow.audit.record(who, "voter_list.import", "voter_list_version", [version.id],
                           polling_area_id=str(area.id), number=version.number, rows=total)
    return {"create": total, "update": 0, "same": 0}


async def save_mapping(uow: UnitOfWork, who: Principal, *, data: VoterListMappingCreate
                       ) -> VoterListMapping:
    """Save a column mapping under a name for the caller's commune (a taken name is a
    409)."""
    commune_id = data.commune_id
    if commune_id is None and len(who.unit_ids) == 1:
        commune_id = next(iter(who.unit_ids))
    if commune_id is None:
        raise FieldMissing(loc=("body", "commune_id"))
    commune = await uow.units.target(who, commune_id, level=UnitLevel.commune,
                                     loc=("body", "commune_id"),
                                     wrong_level=ElectionUnitLevel(loc=("body", "commune_id")))
    assert commune.province_id is not None, "a commune has its province"
    mapping = VoterListMapping(province_id=commune.province_id, commune_id=commune.id,
                               name=data.name, columns=dict(data.columns),
                               created_by_id=who.subject_id)
    await uow.voter_list_mappings.add(mapping)
    await uow.audit.record(who, "voter_list_mapping.create", "voter_list_mapping",
                           [mapping.id], name=mapping.name)
    await uow.commit()
    return mapping


# A version never changes once imported, so the difference of a pair is computed once per
# process and kept for the pages after the first (a pair of 100,000-row versions takes
# seconds to read and compare). The last few pairs asked for are kept; each holds only the
# rows that differ. Every request still checks the caller's access before it is looked up.
_DIFFS: dict[tuple[uuid.UUID | None, uuid.UUID], Diff] = {}
DIFFS_KEPT = 4


async def diff_versions(uow: UnitOfWork, who: Principal, version_id: uuid.UUID, *,
                        against: uuid.UUID | None
                        ) -> tuple[VoterListVersion, VoterListVersion | None, Diff]:
    """The version against `against` (one the caller reads, of any area) or the one before
    it in its area; the first version is all added."""
    version = await uow.voter_lists.get(who, version_id)
    base = (await uow.voter_lists.get(who, against) if against is not None
            else await uow.voter_lists.previous(version))
    key = (base.id if base is not None else None, version.id)
    diff = _DIFFS.pop(key, None)
    if diff is None:
        old = await uow.voter_lists.diff_rows(base.id) if base is not None else []
        new = await uow.voter_lists.diff_rows(version.id)
        diff = await asyncio.to_thread(compare, old, new)
        while len(_DIFFS) >= DIFFS_KEPT:
            _DIFFS.pop(next(iter(_DIFFS)))  # the pair asked for longest ago
    _DIFFS[key] = diff  # the most recent last
    return version, base, diff
