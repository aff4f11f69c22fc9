"""The corrected voter list of a polling area in the layout of form Mẫu 31/HĐBC: the latest
list version's rows, minus those resolved `remove_from_list`, plus the residents resolved
`add_to_list`, with `correct_list` taking the register's values; ordered by household (head
first, then by relationship and birth), households in street order (street name, house
number in natural order), numbered 1..n. Rows the register cannot place come last, in the
list's own order."""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.access import Permission, Principal
from domain.elections.errors import VoterListNotFound
from domain.elections.matching import link
from domain.elections.models import Election, PollingArea, ResolutionAction
from domain.elections.reconciliation import _entry, address_of, register_of
from domain.ports import UnitOfWork
from domain.register.columns import XLSX_DATE_FORMAT, csv_safe, format_birth
from domain.register.models import Relationship, ResidenceStatus
from domain.text import fold

COLUMNS = ["STT", "Họ và tên", "Ngày tháng năm sinh", "Giới tính", "Dân tộc",
           "Nơi thường trú", "Nơi tạm trú", "Ghi chú"]
ADDED, CORRECTED = "Bổ sung", "Sửa theo sổ hộ tịch"
# Members of a household after its head, in the order lists print them.
_RELATION_ORDER = {r: i for i, r in enumerate([
    Relationship.head, Relationship.spouse, Relationship.parent, Relationship.grandparent,
    Relationship.child, Relationship.child_in_law, Relationship.grandchild,
    Relationship.sibling, Relationship.other_relative, Relationship.other])}
_SEX = {"male": "Nam", "female": "Nữ", "nam": "Nam", "nu": "Nữ"}


@dataclass(frozen=True)
class Line:
    """One voter of the corrected list, before numbering."""

    full_name: str
    birth_date: date | None
    birth_year: int | None
    sex: str
    permanent: str
    temporary: str
    note: str
    order: tuple[Any, ...]


@dataclass(frozen=True)
class CorrectedList:
    election: Election
    area: PollingArea
    commune_name: str
    version_id: uuid.UUID
    lines: list[Line]
    masked: bool  # birth dates shown as years (no pii:read)


def _household_order(r: Any) -> tuple[Any, ...]:
    birth = r.birth_date or (date(r.birth_year, 1, 1) if r.birth_year else date.max)
    return (0, r.street is None, fold(r.street or ""), r.house_number_sort or 0,
            fold(r.house_number or ""), r.household_code or "",
            _RELATION_ORDER.get(r.relationship, 99), birth, str(r.id))


def _from_register(r: Any, note: str) -> Line:
    where = address_of(r) or ""
    temporary = r.residence_status == ResidenceStatus.temporary
    return Line(r.full_name, r.birth_date, r.birth_year, _SEX.get(str(r.sex), ""),
                "" if temporary else where, where if temporary else "", note,
                _household_order(r))


async def corrected_list(uow: UnitOfWork, who: Principal, area_id: uuid.UUID
                         ) -> CorrectedList:
    """The area's corrected list as the latest run and its resolutions make it."""
    area = await uow.polling_areas.get(who, area_id)
    election = await uow.elections.get(who, area.election_id)
    version = (await uow.voter_lists.latest_versions([area.id])).get(area.id)
    if version is None:
        raise VoterListNotFound()
    rows = await uow.voter_lists.all_rows(version.id)
    run = await uow.reconciliations.latest_covering(version)
    found = await uow.discrepancies.of_run(run.id, area_id=area.id) if run else []
    decided = await uow.resolutions.by_ids([d.resolution_id for d in found if d.resolution_id])
    removed: set[uuid.UUID] = set()
    corrected: dict[uuid.UUID, uuid.UUID] = {}
    added: list[uuid.UUID] = []
    for d in found:
        resolution = decided.get(d.resolution_id) if d.resolution_id else None
        if resolution is None:
            continue
        if resolution.action == ResolutionAction.remove_from_list and d.row_id:
            removed.add(d.row_id)
        elif resolution.action == ResolutionAction.correct_list and d.row_id and d.resident_id:
            corrected[d.row_id] = d.resident_id
        elif resolution.action == ResolutionAction.add_to_list and d.resident_id:
            added.append(d.resident_id)
    people, raw, _ = await register_of(uow, who, election, [area])
    kept = [r for r in rows if r.id not in removed]
    linked = {item.entry.key: item.person.key
              for item in link([_entry(r, area.id) for r in kept], people).links}
    lines = []
    for row in kept:
        if row.id in corrected and corrected[row.id] in raw:
            lines.append(_from_register(raw[corrected[row.id]], CORRECTED))
            continue
        person = raw.get(linked.get(row.id))  # type: ignore[arg-type]
        order = _household_order(person) if person is not None else (1, row.line)
        temporary = person is not None and person.residence_status == ResidenceStatus.temporary
        where = (address_of(person) if person is not None else row.address) or ""
        lines.append(Line(row.full_name, row.birth_date, row.birth_year,
                          _SEX.get(fold(row.sex or ""), row.sex or ""),
                          "" if temporary else where, where if temporary else "", "", order))
    lines += [_from_register(raw[i], ADDED) for i in dict.fromkeys(added) if i in raw]
    lines.sort(key=lambda line: line.order)
    names = await uow.units.by_ids({area.commune_id})
    return CorrectedList(election, area, names[0].name if names else "", version.id, lines,
                         masked=not who.can(Permission.pii_read))


def _birth(line: Line, masked: bool) -> str:
    year = line.birth_year or (line.birth_date.year if line.birth_date else None)
    return str(year or "") if masked else format_birth(line.birth_date, year)


def csv_bytes(listing: CorrectedList) -> bytes:
    """UTF-8 with BOM (Excel), comma, CRLF; cells no spreadsheet runs as formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for n, line in enumerate(listing.lines, start=1):
        writer.writerow([str(n), *(csv_safe(v) for v in (
            line.full_name, _birth(line, listing.masked), line.sex, "", line.permanent,
            line.temporary, line.note))])
    return "\ufeff".encode() + buffer.getvalue().encode()


def xlsx_bytes(listing: CorrectedList) -> bytes:
    """One sheet: the title rows (the form, the election, the area and commune), the header,
    then the voters; birth dates are real date cells (dd/mm/yyyy), a year alone a number."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Mẫu 31-HĐBC"
    bold = Font(bold=True)
    titles = ["DANH SÁCH CỬ TRI (Mẫu số 31/HĐBC)", listing.election.name,
              f"{listing.area.name} — {listing.commune_name}"]
    for n, text in enumerate(titles, start=1):
        sheet.cell(n, 1, text).font = bold
    at = len(titles) + 2  # a blank row, then the header
    for column, text in enumerate(COLUMNS, start=1):
        sheet.cell(at, column, text).font = bold
    for n, line in enumerate(listing.lines, start=1):
        at += 1
        year = line.birth_year or (line.birth_date.year if line.birth_date else None)
        birth: Any = year if listing.masked or line.birth_date is None else line.birth_date
        values = (n, line.full_name, birth, line.sex, None, line.permanent or None,
                  line.temporary or None, line.note or None)
        for column, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = sheet.cell(at, column, value)
            if isinstance(value, date):
                cell.number_format = XLSX_DATE_FORMAT
            elif isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text stays text, never a formula
    for letter, width in zip("ABCDEFGH", (6, 30, 14, 9, 9, 34, 34, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
