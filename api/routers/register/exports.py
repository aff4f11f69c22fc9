"""Exports of the register: residents and households as CSV or XLSX, streamed and masked."""

from __future__ import annotations

import contextlib
import csv
import io
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from api.deps import RegisterExport, UoW, also_require
from api.http import CSV_TYPE, XLSX_TYPE, spreadsheet_file
from api.problems import responses
from api.routers.register.residents import resident_filters
from domain.access import Permission
from domain.clock import today_vn
from domain.errors import SortInvalid
from domain.register.columns import (
    HOUSEHOLD_EXPORT_COLUMNS,
    RELATIONSHIP_LABELS,
    RESIDENCE_TYPE_LABELS,
    RESIDENT_EXPORT_COLUMNS,
    SEX_LABELS,
    STATUS_LABELS,
    XLSX_DATE_FORMAT,
    csv_safe,
    current_address,
    format_date,
)
from domain.register.views import HOUSEHOLD_ROW, RESIDENT_ROW
from repositories.register.exports import ExportRepository

router = APIRouter(prefix="/api/v1", tags=["exports"])
ERRORS = responses(401, 403, 422, 503, SortInvalid)

BOM = "\ufeff".encode()  # Excel reads UTF-8 CSV as UTF-8 only with it
CHUNK = 64 * 1024
SPOOL_MAX = 8 * 1024 * 1024

# A cell's value: text, a date (a date cell in XLSX, DD/MM/YYYY in CSV), a year alone (a
# number in XLSX), or nothing.
Cell = str | date | int | None
Cells = list[Cell]
Batches = AsyncIterator[list[Cells]]


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


Format = Annotated[ExportFormat, Query(
    alias="format", description="`csv` (UTF-8 with BOM, comma, CRLF) or `xlsx`")]
ResidentFilters = Annotated[dict, Depends(resident_filters)]

# Derived filter keys, named as the client sent them (the audit keeps names, never values).
_FILTER_PARAMS = {"born_on_or_before": "age_min", "born_on_or_after": "age_max",
                  "q_words": "q", "q_exact": "q"}


_file = spreadsheet_file


_ADDRESS_EXAMPLE = ("\"34/2 Trần Phú, Tổ dân phố Trần Phú, Phường Bình Định, Tỉnh Gia Lai\","
                    "Tổ dân phố Trần Phú,Phường Bình Định,Tỉnh Gia Lai")
RESIDENTS_EXAMPLE = (
    ",".join(label for _, label in RESIDENT_EXPORT_COLUMNS) + "\r\n"
    "********1234,Nguyễn Văn An,1980,Nam,BD-000123,Chủ hộ,********5678,Thường trú,,,34/2,"
    f"Trần Phú,{_ADDRESS_EXAMPLE}\r\n")
HOUSEHOLDS_EXAMPLE = (
    ",".join(label for _, label in HOUSEHOLD_EXPORT_COLUMNS) + "\r\n"
    "BD-000123,Trần Phú,34/2,Thường trú,\"34/2 Trần Phú, phường Bình Định, thị xã An Nhơn, "
    f"tỉnh Bình Định\",********1234,{_ADDRESS_EXAMPLE}\r\n")


@router.get("/residents/export", operation_id="residents_export",
            summary="Export residents as CSV or XLSX", response_class=StreamingResponse,
            responses={**_file(RESIDENTS_EXAMPLE), **ERRORS})
async def export_residents(request: Request, uow: UoW, who: RegisterExport,
                           filters: ResidentFilters, fmt: Format = ExportFormat.csv
                           ) -> StreamingResponse:
    """The list's filters and scope; the import's columns, then the current address (house
    number, street, residential group, commune, province); masked as the API masks. Needs
    `residents:read` as well: a service account granted only `register:export` gets 403;
    one without `households:read` gets the address columns empty."""
    await also_require(request, who, Permission.residents_read)
    await uow.audit.record(who, "residents.export", "resident", [], format=fmt.value,
                           filters=_used(filters))
    await uow.commit()
    assert uow.session is not None
    batches = ExportRepository(uow.session).resident_batches(who, filters)
    address = who.can(Permission.households_read)
    return await _attachment("residents", fmt, RESIDENT_EXPORT_COLUMNS, batches,
                             lambda row: resident_cells(RESIDENT_ROW.values(row._mapping, who),
                                                        address=address))


@router.get("/households/export", operation_id="households_export",
            summary="Export households as CSV or XLSX", response_class=StreamingResponse,
            responses={**_file(HOUSEHOLDS_EXAMPLE), **ERRORS})
async def export_households(request: Request, uow: UoW, who: RegisterExport,
                            group_id: uuid.UUID | None = None,
                            commune_id: uuid.UUID | None = None,
                            street_id: uuid.UUID | None = None,
                            fmt: Format = ExportFormat.csv) -> StreamingResponse:
    """The list's unit and street filters and scope; the import's columns, then the current
    address; the head's ID number masked as in the API. Needs `households:read` as well."""
    await also_require(request, who, Permission.households_read)
    filters = {"group_id": group_id, "commune_id": commune_id, "street_id": street_id}
    await uow.audit.record(who, "households.export", "household", [], format=fmt.value,
                           filters=_used(filters))
    await uow.commit()
    assert uow.session is not None
    batches = ExportRepository(uow.session).household_batches(who, filters)
    return await _attachment("households", fmt, HOUSEHOLD_EXPORT_COLUMNS, batches,
                             lambda row: household_cells(HOUSEHOLD_ROW.values(row._mapping, who)))


def _used(filters: dict[str, Any]) -> list[str]:
    return sorted({_FILTER_PARAMS.get(key, key) for key, value in filters.items()
                   if value is not None and value != [] and value != ""})


def _label(labels: dict, value: str | None) -> str | None:
    return labels.get(value, value) if value is not None else None


def _address(v: dict[str, Any]) -> dict[str, Cell]:
    return {"address": current_address(v["house_number"], v["street"], v["group_name"],
                                       v["commune_name"], v["province_name"]) or None,
            "group_name": v["group_name"], "commune_name": v["commune_name"],
            "province_name": v["province_name"]}


def resident_cells(v: dict[str, Any], *, address: bool = True) -> Cells:
    """A resident's row as `RESIDENT_ROW` shows it to the caller: a masked birth date
    leaves the year, as in the record; `address` false leaves the address cells empty."""
    year = v["birth_year"] or (v["birth_date"].year if v["birth_date"] else None)
    values: dict[str, Cell] = {
        "id_number": v["id_number"],
        "full_name": v["full_name"],
        "birth_date": v["birth_date"] or year,
        "sex": _label(SEX_LABELS, v["sex"]),
        "household_code": v["household_code"],
        "relationship": _label(RELATIONSHIP_LABELS, v["relationship"]),
        "phone": v["phone"],
        "residence_status": _label(STATUS_LABELS, v["residence_status"]),
        "residence_since": v["residence_since"],
        "status_changed_on": v["status_changed_on"],
    }
    if address:
        values.update(house_number=v["house_number"], street=v["street"], **_address(v))
    return [values.get(key) for key, _ in RESIDENT_EXPORT_COLUMNS]


def household_cells(v: dict[str, Any]) -> Cells:
    """A household's row as `HOUSEHOLD_ROW` shows it to the caller."""
    values: dict[str, Cell] = {
        "code": v["code"],
        "street": v["street"],
        "house_number": v["house_number"],
        "residence_type": _label(RESIDENCE_TYPE_LABELS, v["residence_type"]),
        "old_address_text": v["old_address_text"],
        "head_id_number": v["head_id_number"],
        **_address(v),
    }
    return [values[key] for key, _ in HOUSEHOLD_EXPORT_COLUMNS]


def csv_text(value: Cell) -> str:
    """A cell as the CSV writes it: dates DD/MM/YYYY, a year as its digits, formula-like
    text guarded (`csv_safe`)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, int):
        return str(value)
    return csv_safe(value)


async def _attachment(stem: str, fmt: ExportFormat, columns: list[tuple[str, str]],
                      batches: AsyncIterator[list], to_cells: Callable[[Any], Cells]
                      ) -> StreamingResponse:
    # The first batch is read before answering, so a failing query is still a problem
    # response; later batches are read as the client consumes the body.
    first = await anext(batches, None)

    async def rows() -> Batches:
        if first is not None:
            yield [to_cells(r) for r in first]
        async for batch in batches:
            yield [to_cells(r) for r in batch]

    header: Cells = [label for _, label in columns]
    if fmt is ExportFormat.xlsx:
        body, media_type = _xlsx_chunks(stem, header, rows()), XLSX_TYPE
    else:
        body, media_type = _csv_chunks(header, rows()), CSV_TYPE
    name = f"{stem}-{today_vn():%Y%m%d}.{fmt.value}"
    return StreamingResponse(body, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def _csv_lines(rows: list[Cells]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [csv_text(value) for value in row] for row in rows)
    return buffer.getvalue().encode()


async def _csv_chunks(header: Cells, batches: Batches) -> AsyncIterator[bytes]:
    yield BOM + _csv_lines([header])
    async for batch in batches:
        yield _csv_lines(batch)


async def _xlsx_chunks(title: str, header: Cells, batches: Batches) -> AsyncIterator[bytes]:
    # Memory stays bounded: a write_only workbook writes each appended row to the sheet's
    # temporary file at once, and strings go inline (no shared-strings table). It still
    # assembles the zip only at save, so we save into a SpooledTemporaryFile (in memory up
    # to 8 MB, then on disk) and stream that out in chunks. Blocking work runs in threads.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX) as spool:
        try:
            _append(sheet, [header])
            async for batch in batches:
                await anyio.to_thread.run_sync(_append, sheet, batch)
            await anyio.to_thread.run_sync(workbook.save, spool)
        finally:
            _discard(sheet)
        spool.seek(0)
        while chunk := await anyio.to_thread.run_sync(spool.read, CHUNK):
            yield chunk


def _append(sheet, rows: list[Cells]) -> None:
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])


def _xlsx_value(sheet, value: Cell):
    if value is None or value == "":
        return None
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = XLSX_DATE_FORMAT  # a real date, shown as Vietnamese write it
        return cell
    if isinstance(value, int):
        return value  # a birth year alone
    if value.startswith("="):
        # openpyxl would store it as a formula; keep it the text it is.
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


def _discard(sheet) -> None:
    """Remove the sheet's temporary file when the export stopped before the save."""
    writer = getattr(sheet, "_writer", None)
    if writer is None or sheet.closed:
        return
    with contextlib.suppress(OSError, ValueError):
        sheet.close()  # ends openpyxl's row writer, which would complain when collected
    with contextlib.suppress(OSError, ValueError):
        writer.cleanup()
