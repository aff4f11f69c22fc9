"""Checking one spreadsheet row against the register's rules, column by column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain import messages
from domain.errors import DomainError, FieldMissing, Invalid, StringTooLong, error_class
from domain.imports.errors import DateInvalid, HouseholdCodeInvalid, ValueUnknown
from domain.register import validation as v
from domain.register.columns import (
    HOUSEHOLD_COLUMNS,
    RESIDENT_COLUMNS,
    header_keys,
    parse_label,
)
from domain.register.models import ResidenceStatus
from domain.register.rules import name_keys
from domain.text import fold, nfc, squash_spaces, text_fault

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
    missing: list[str] = field(default_factory=list)


def map_header(kind: str, header: list[str]) -> HeaderMap:
    known = header_keys(RESIDENT_COLUMNS if kind == "residents" else HOUSEHOLD_COLUMNS)
    columns: dict[int, str] = {}
    for i, raw in enumerate(header):
        key = known.get(fold(raw.replace("\ufeff", "")))
        if key and key not in columns.values():
            columns[i] = key
    missing = sorted(REQUIRED[kind] - set(columns.values()))
    return HeaderMap(columns, missing)


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


def _label(column: str, raw: str, default=None):
    if not raw.strip():
        if default is None:
            raise FieldMissing(loc=(column,))
        return default
    value = parse_label(column, raw)
    if value is None:
        raise ValueUnknown(loc=(column,), value=raw[:40])
    return value


def resident_record(cells: dict[str, str], *, from_xlsx: bool) -> dict[str, Any]:
    """A clean resident record from one row, or Invalid naming the column and the rule."""
    rec: dict[str, Any] = {}
    name = _text(cells.get("full_name", ""), 200)
    if not name:
        raise FieldMissing(loc=("full_name",))
    rec.update(name_keys(name))
    raw_id = cells.get("id_number", "").strip()
    rec["id_number_masked"] = bool(MASKED.match(raw_id))
    if raw_id and not rec["id_number_masked"]:
        if from_xlsx and raw_id.isdigit() and len(raw_id) < 12:
            raw_id = raw_id.zfill(12)  # a numeric cell lost the leading zeros
        rec["id_number"] = _with_column(v.clean_id_number, raw_id, column="id_number")
    else:
        rec["id_number"] = None
    born = cells.get("birth_date", "").strip()
    rec["birth_masked"] = False
    try:
        parsed = parse_date(born) if born else None
    except ValueError as exc:
        raise DateInvalid(loc=("birth_date",)) from exc
    rec["birth_date"] = parsed if isinstance(parsed, date) else None
    rec["birth_year"] = parsed if isinstance(parsed, int) else None
    rec["sex"] = _label("sex", cells.get("sex", ""))
    rec["household_code"] = _text(cells.get("household_code", ""), 32)
    if not rec["household_code"]:
        raise FieldMissing(loc=("household_code",))
    rel = cells.get("relationship", "")
    rec["relationship"] = _label("relationship", rel) if rel.strip() else None
    raw_phone = cells.get("phone", "").strip()
    rec["phone_masked"] = bool(MASKED.match(raw_phone))
    rec["phone"] = None if rec["phone_masked"] else _with_column(
        v.clean_phone, raw_phone, column="phone")
    rec["residence_status"] = _label("residence_status", cells.get("residence_status", ""),
                                     ResidenceStatus.permanent)
    rec["residence_since"] = _date_or_none(cells.get("residence_since", ""), "residence_since")
    rec["status_changed_on"] = _date_or_none(cells.get("status_changed_on", ""),
                                             "status_changed_on")
    try:  # the same ranges and cross-field rules as the API, every broken one reported
        rec["birth_year"] = v.check_person(rec)
    except Invalid as exc:
        for case in getattr(exc, "cases", ()) or (exc,):
            assert isinstance(case, Invalid)
            case.loc = (_COLUMN_OF.get(str(case.loc[-1]), case.loc[-1]),)
        raise
    rec["id_number_mismatch"] = v.data_quality(rec)
    return rec


def household_record(cells: dict[str, str]) -> dict[str, Any]:
    code = _text(cells.get("code", ""), 32)
    if not re.fullmatch(r"[A-Za-z0-9._\-]{1,32}", code):
        raise HouseholdCodeInvalid(loc=("code",))
    return {
        "code": code,
        "street": _text(cells.get("street", ""), 200) or None,
        "house_number": _text(cells.get("house_number", ""), 32) or None,
        "old_address_text": _text(cells.get("old_address_text", ""), 500) or None,
        "residence_type": _label("residence_type", cells.get("residence_type", ""),
                                 "permanent"),
        "head_id_number": (_with_column(v.clean_id_number, cells["head_id_number"],
                                        column="head_id_number")
                           if cells.get("head_id_number", "").strip()
                           and not MASKED.match(cells["head_id_number"].strip()) else None),
    }


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
