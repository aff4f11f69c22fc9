"""Checking one spreadsheet row against the register's rules, column by column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain import messages
from domain.checks import Checks
from domain.errors import DomainError, FieldMissing, Invalid, StringTooLong, error_class
from domain.imports.errors import (
    DateInvalid,
    HouseholdCodeInvalid,
    IdNumberZeroLost,
    RelationshipAmbiguous,
    ValueUnknown,
)
from domain.register import kinship
from domain.register import validation as v
from domain.register.columns import (
    GIVEN_NAME,
    NAME_FIRST_PART,
    column_label,
    header_form,
    header_keys,
    parse_label,
    with_synonyms,
)
from domain.register.models import ResidenceStatus
from domain.register.rules import name_keys
from domain.text import nfc, squash_spaces, text_fault

REQUIRED = {"residents": {"full_name", "birth_date", "sex", "household_code"},
            "households": {"code"}}
MASKED = re.compile(r"^\*+")
MAX_ERRORS = 1000
_COLUMN_OF = {"birth_year": "birth_date"}  # a year alone is written in the birth date's cell


@dataclass
class RowError:
    line: int
    column: str
    code: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class HeaderMap:
    columns: dict[int, str]  # position → key
    missing: list[str] = field(default_factory=list)  # the keys, in the columns' order
    before: dict[str, int] = field(default_factory=dict)  # key → the column put before it

    def cells(self, row: list[str]) -> dict[str, str]:
        """One row's cells by key (a name written in two columns joined into one)."""
        out = {key: row[i] if i < len(row) else "" for i, key in self.columns.items()}
        for key, i in self.before.items():
            out[key] = f"{row[i] if i < len(row) else ''} {out.get(key, '')}".strip()
        return out


def map_header(kind: str, header: list[str]) -> HeaderMap:
    """Which column holds which field: a header is its key, its label or a synonym
    (`columns.HEADER_SYNONYMS`); of two columns for one field the better-named wins."""
    columns = with_synonyms(kind)
    mapped = match_header(header, header_keys(columns), [key for key, *_ in columns],
                          REQUIRED[kind])
    forms = [header_form(raw) for raw in header]
    parts = {header_form(name) for name in NAME_FIRST_PART}
    first = [i for i, form in enumerate(forms) if form in parts]
    name_at = next((i for i, key in mapped.columns.items() if key == "full_name"), None)
    if kind == "residents" and first and name_at is not None \
            and forms[name_at] in {header_form(name) for name in GIVEN_NAME}:
        mapped.before["full_name"] = first[0]  # "Họ và tên đệm" + "Tên"
    return mapped


def match_header(header: list[str], known: dict[str, tuple[str, int]], order: list[str],
                 required: set[str]) -> HeaderMap:
    """`header` against `known` (from `header_keys`); `order` lists the keys as the
    export writes them, and the missing ones come in that order."""
    best: dict[str, tuple[int, int]] = {}  # key → (rank, position)
    for i, raw in enumerate(header):
        found = known.get(header_form(raw))
        if found and (found[0] not in best or found[1] < best[found[0]][0]):
            best[found[0]] = (found[1], i)
    missing = [key for key in order if key in required and key not in best]
    return HeaderMap({i: key for key, (_, i) in sorted(best.items(), key=lambda kv: kv[1][1])},
                     missing)


def missing_labels(kind: str, missing: list[str]) -> str:
    """The missing columns as the export heads them: "Họ và tên, Ngày sinh"."""
    return ", ".join(column_label(kind, key) for key in missing)


def parse_date(raw: str) -> date | int:
    """DD/MM/YYYY (as Excel writes it), YYYY-MM-DD, or a year alone; ValueError otherwise."""
    raw = raw.strip()
    if re.fullmatch(r"\d{4}", raw):
        return int(raw)
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", raw)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    return date.fromisoformat(raw)


def _text(raw: str, limit: int) -> str:
    if fault := text_fault(raw):
        raise error_class(fault)()  # type: ignore[misc]  # the cases of text_fault exist
    value = squash_spaces(nfc(raw))
    if len(value) > limit:
        raise StringTooLong(max_length=limit)
    return value


def _date_or_none(raw: str, column: str) -> date | None:
    if not raw.strip():
        return None
    try:
        value = parse_date(raw)
    except ValueError as exc:
        raise DateInvalid(loc=(column,)) from exc
    if isinstance(value, int):
        raise DateInvalid(loc=(column,))
    return value


def _label(column: str, raw: str, default=None, context: str = ""):
    if not raw.strip():
        if default is None:
            raise FieldMissing(loc=(column,))
        return default
    if column == "relationship":
        try:
            value = kinship.relationship(raw, context=context)
        except kinship.Ambiguous as exc:
            raise RelationshipAmbiguous(loc=(column,), value=raw[:40],
                                        choices=exc.describe("vi"),
                                        choices_en=exc.describe("en")) from exc
    else:
        value = parse_label(column, raw)
    if value is None:
        raise ValueUnknown(loc=(column,), value=raw[:40])
    return value


def _birth(raw: str) -> date | int | None:
    try:
        return parse_date(raw) if raw else None
    except ValueError as exc:
        raise DateInvalid(loc=("birth_date",)) from exc


def _required_text(raw: str, limit: int, column: str) -> str:
    value = _with_column(_text, raw, limit, column=column)
    if not value:
        raise FieldMissing(loc=(column,))
    return value


def resident_record(cells: dict[str, str], *, from_xlsx: bool) -> dict[str, Any]:
    """A clean resident record from one row, or Invalid naming each column and the rule it
    breaks: every cell is checked, so the row's report lists them all."""
    rec: dict[str, Any] = {}
    with Checks() as checks:
        name = checks.run(_required_text, cells.get("full_name", ""), 200, "full_name")
        if name is not None:
            rec.update(name_keys(name))
        raw_id = cells.get("id_number", "").strip()
        rec["id_number_masked"] = bool(MASKED.match(raw_id))
        rec["id_number"] = None
        if raw_id and not rec["id_number_masked"]:
            rec["id_number"] = checks.run(_id_number, raw_id, "id_number", from_xlsx)
        parsed = checks.run(_birth, cells.get("birth_date", "").strip())
        rec["birth_masked"] = False
        rec["birth_date"] = parsed if isinstance(parsed, date) else None
        rec["birth_year"] = parsed if isinstance(parsed, int) else None
        rec["sex"] = checks.run(_label, "sex", cells.get("sex", ""))
        rec["household_code"] = checks.run(_required_text, cells.get("household_code", ""), 32,
                                           "household_code")
        rel = cells.get("relationship", "")
        rec["relationship"] = checks.run(_label, "relationship", rel, None,
                                         cells.get("full_name", "")) if rel.strip() else None
        raw_phone = cells.get("phone", "").strip()
        rec["phone_masked"] = bool(MASKED.match(raw_phone))
        rec["phone"] = None if rec["phone_masked"] else checks.run(
            _with_column, v.clean_phone, raw_phone, column="phone")
        rec["residence_status"] = checks.run(_label, "residence_status",
                                             cells.get("residence_status", ""),
                                             ResidenceStatus.permanent)
        for column in ("residence_since", "status_changed_on"):
            rec[column] = checks.run(_date_or_none, cells.get(column, ""), column)
        if not any(checks.failed(c) for c in ("birth_date", "residence_status",
                                              "residence_since", "status_changed_on")):
            # The same ranges and rules between fields as the API, named by their cells.
            person = Checks()
            rec["birth_year"] = v.check_person(rec, person)
            for case in person.cases:
                case.loc = (_COLUMN_OF.get(str(case.loc[-1]), case.loc[-1]),)
                checks.add(case)
    rec["id_number_mismatch"] = v.data_quality(rec)
    return rec


def _id_number(raw: str, column: str, from_xlsx: bool) -> str | None:
    """A personal ID number's cell. Every number starts with 0 or 00 (its province code,
    001 to 096), which a spreadsheet drops from a cell it takes for a number: XLSX keeps
    the number, so the zeros are put back; in a CSV the text is all there is, and 10 or 11
    digits without their zero get the hint."""
    if raw.isdigit() and len(raw) < 12:
        if from_xlsx:
            raw = raw.zfill(12)
        elif len(raw) >= 10 and not raw.startswith("0"):
            raise IdNumberZeroLost(loc=(column,), digits=len(raw), suggestion=raw.zfill(12))
    return _with_column(v.clean_id_number, raw, column=column)


def household_record(cells: dict[str, str], *, from_xlsx: bool = False) -> dict[str, Any]:
    """A clean household record from one row, or Invalid naming each column it refuses."""
    with Checks() as checks:
        code = checks.run(_with_column, _text, cells.get("code", ""), 32, column="code")
        checks.check(code is None or bool(re.fullmatch(r"[A-Za-z0-9._\-]{1,32}", code)),
                     HouseholdCodeInvalid(loc=("code",)))
        rec = {"code": code}
        for column, limit in (("street", 200), ("house_number", 32), ("old_address_text", 500)):
            rec[column] = checks.run(_with_column, _text, cells.get(column, ""), limit,
                                     column=column) or None
        rec["residence_type"] = checks.run(_label, "residence_type",
                                           cells.get("residence_type", ""), "permanent")
        head = cells.get("head_id_number", "").strip()
        rec["head_id_number"] = checks.run(
            _id_number, head, "head_id_number", from_xlsx) if head and not MASKED.match(head) \
            else None
    return rec


def _with_column(fn, *args, column: str | None = None):
    """Run a body validator and re-point its error at the spreadsheet column."""
    try:
        return fn(*args)
    except Invalid as exc:
        exc.loc = (column or exc.loc[-1],)
        raise


def row_errors(line: int, exc: DomainError) -> list[RowError]:
    """A rejected row's reasons: each rule it breaks."""
    return [row_error(line, case) for case in getattr(exc, "cases", ()) or (exc,)]


def row_error(line: int, exc: DomainError, lang: str = "vi") -> RowError:
    loc = exc.loc if isinstance(exc, Invalid) else exc.params.get("loc", ())  # a Conflict too
    column = str(loc[-1]) if loc else ""
    message = messages.field_message(exc.code, lang, exc.params, "") or messages.title(
        exc.code, lang)
    params = {k: v for k, v in exc.params.items() if isinstance(v, str | int)}
    return RowError(line=line, column=column, code=exc.code, message=message, params=params)
