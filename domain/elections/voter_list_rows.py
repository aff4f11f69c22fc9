"""Reading an official voter list's rows (no I/O): the header mapped to fields by the list
vocabulary (domain/register/columns.py `VOTER_LIST_COLUMNS`) and a mapping the caller gives,
every row kept with its cells exactly as imported, and the fields read from them; what cannot
be read is a row reason, never a dropped row (the list is the official one as it is).

Two header rows, as Mẫu lists are often laid out: a first-row cell of the sex or the birth
("Giới tính", "Ngày, tháng, năm sinh") merged over two columns (the second cell blank, as
a merged cell reads in CSV and in XLSX), with "Nam" and "Nữ" under them in the second row.
The column a row writes in gives its sex; what it writes there is its birth under a birth
header, and under a sex header a mark ("x") or the birth. Such a second row is a header row
only if every other cell in it is blank or stands in a merged group of its own (a first-row
cell followed by blank ones: "Nơi cư trú" over "Thường trú" | "Tạm trú"); a data row fills
columns under one-column headers. A row marked under both Nam and Nữ, or neither, is a row
reason (`voter_sex_both`, `voter_sex_none`) and its sex stays empty."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from domain.clock import today_vn
from domain.elections.errors import (
    VoterBirthUnreadable,
    VoterListFieldUnknown,
    VoterOtherCommune,
    VoterRowDuplicate,
    VoterSexBoth,
    VoterSexNone,
)
from domain.errors import ControlCharacters, DomainError, FieldMissing, Invalid, StringTooLong
from domain.imports.errors import IdNumberZeroLost, ValueUnknown
from domain.imports.rows import RowError, row_error
from domain.register import validation as v
from domain.register.columns import (
    SEX_LABELS,
    VOTER_LIST_COLUMNS,
    VOTER_LIST_FIELDS,
    header_form,
    parse_label,
)
from domain.register.models import Sex
from domain.text import fold, name_fold, nfc, squash_spaces
from domain.types import uuid7

FIELDS = frozenset(VOTER_LIST_FIELDS)
_PUNCT = re.compile(r"[^0-9a-z]+")
_MASKED = re.compile(r"^\*+")
_ID_SEPARATORS = re.compile(r"[\s.\-]")
_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1 January 1900 (with Excel's leap-day slip)
_YEAR, _SERIAL = re.compile(r"\d{4}"), re.compile(r"\d{5}(\.0+)?")
_DMY = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_LIMITS = {"seq": 20, "full_name": 200, "address": 500}
# An address part naming a commune-level unit (the unit words as written on papers).
_UNIT_WORDS = ("phường ", "xã ", "đặc khu ", "thị trấn ")
_UNIT_PREFIX = re.compile(r"^(phuong|xa|dac khu|thi tran)\s+")


# A header as matched is the register's `header_form` (one rule for every import): folded,
# punctuation as spaces, a "(*)" mark dropped ('Ngày, tháng, năm sinh' → 'ngay thang nam
# sinh').
header_key = header_form


_KNOWN = {header_key(label): key for key, label in VOTER_LIST_COLUMNS} | {
    header_key(key): key for key in FIELDS}


def check_mapping(columns: dict[str, str]) -> dict[str, str]:
    """A caller's mapping (header → field) with its fields checked: an unknown one is a 422
    naming it. Answered keyed by the header as written."""
    for header, name in columns.items():
        if name not in FIELDS:
            raise VoterListFieldUnknown(loc=("body", "columns", header), value=str(name)[:40])
    return dict(columns)


@dataclass(frozen=True)
class SexColumns:
    """A sex or birth header over two columns, "Nam" and "Nữ" (see the module's text)."""

    label: str  # the first-row header, as written
    carries: str  # "sex" (a mark, or the birth) or "birth_date" / "birth_year" (the birth)
    male: int
    female: int


@dataclass
class ListHeader:
    names: list[str]  # the cells' keys, one per column: the header text, made unique
    fields: dict[int, str]  # position → field
    missing: list[str] = field(default_factory=list)  # required fields absent, as labels
    split: list[SexColumns] = field(default_factory=list)  # a two-row header's Nam | Nữ
    rows: int = 1  # header rows: 2 with a second row of Nam | Nữ

    @property
    def columns(self) -> dict[str, str]:
        """header → field, as used (the version's `columns`); a Nam | Nữ column pair is
        "sex" (and the birth it carries, "sex+birth_date")."""
        out = {self.names[i]: name for i, name in self.fields.items()}
        for pair in self.split:
            used = "sex" if pair.carries == "sex" else f"sex+{pair.carries}"
            out[self.names[pair.male]] = out[self.names[pair.female]] = used
        return out


def _sub_sex(text: str) -> Sex | None:
    """The sex a second-row cell names ("Nam", "Nữ"), or None."""
    return parse_label("sex", text) if text and header_key(text) in ("nam", "nu") else None


def _groups(tops: list[str]) -> list[tuple[int, int]]:
    """(first, width) of each column's first-row cell: a named cell and the blank cells
    after it (a merged cell as it reads); blank cells before any name are their own."""
    out: list[tuple[int, int]] = []
    start = None
    for i, top in enumerate(tops):
        if top or start is None:
            start = i
        out.append((start, 0))
    widths: dict[int, int] = {}
    for first, _ in out:
        widths[first] = widths.get(first, 0) + 1
    return [(first, widths[first]) for first, _ in out]


def _sex_pairs(tops: list[str], second: Sequence[str], known: dict[str, str]
               ) -> list[SexColumns] | None:
    """The Nam | Nữ pairs of a second header row, or None when `second` is no header row
    (see the module's text)."""
    def at(i: int) -> str:
        return second[i].strip() if i < len(second) else ""

    pairs: list[SexColumns] = []
    under: set[int] = set()
    for i in range(len(tops) - 1):
        carries = known.get(header_key(tops[i])) if tops[i] else None
        if carries not in ("sex", "birth_date", "birth_year") or tops[i + 1]:
            continue
        a, b = _sub_sex(at(i)), _sub_sex(at(i + 1))
        if {a, b} != {Sex.male, Sex.female}:
            continue
        male, female = (i, i + 1) if a == Sex.male else (i + 1, i)
        pairs.append(SexColumns(tops[i], carries, male, female))
        under |= {i, i + 1}
    if not pairs:
        return None
    groups = _groups(tops)
    for j in range(len(second)):
        if j not in under and at(j) and (j >= len(tops) or groups[j][1] < 2):
            return None  # a cell under a header of one column: a data row
    return pairs


def map_header(header: list[str], mapping: dict[str, str] | None = None,
               second: Sequence[str] | None = None) -> ListHeader:
    """Fields by position: the caller's mapping first, then the list vocabulary; the first
    column of a field wins. `second`, the file's next row, is a second header row when it
    holds Nam | Nữ under a merged sex or birth header (see the module's text); the other
    merged groups' sub-headers then name their columns ("Nơi cư trú / Nơi tạm trú", mapped
    by the sub-header). Required: the full name, and a birth date or year."""
    given = {header_key(h): f for h, f in (mapping or {}).items()}
    known = {**_KNOWN, **given}
    tops = [raw.replace("\ufeff", "").strip() for raw in header]
    split = _sex_pairs(tops, second, known) if second is not None else None
    subs = [second[i].strip() if split and second is not None and i < len(second) else ""
            for i in range(len(tops))]
    groups = _groups(tops)
    label = {}
    for pair in split or ():
        label[pair.male] = f"{pair.label} / {SEX_LABELS[Sex.male]}"
        label[pair.female] = f"{pair.label} / {SEX_LABELS[Sex.female]}"
    names: list[str] = []
    fields: dict[int, str] = {}
    for i, text in enumerate(tops):
        if i in label:
            names.append(label[i])
            continue
        keys = [text]
        if subs[i] and groups[i][1] > 1:  # a sub-header of another merged group
            group = tops[groups[i][0]]
            keys = [subs[i], text] if text else [subs[i]]
            text = f"{group} / {subs[i]}" if group else subs[i]
        name = text or f"Cột {i + 1}"
        if name in names:
            name = f"{name} ({i + 1})"
        names.append(name)
        for key in map(header_key, keys):
            found = given.get(key) or _KNOWN.get(key)
            if found:
                if found not in fields.values():
                    fields[i] = found
                break
    present = set(fields.values())
    for pair in split or ():
        # A sex header with no birth column elsewhere: its cells are the birth ("or the birth
        # date/year in one of them"), a mark alone leaving the birth empty.
        present |= {"sex", pair.carries if pair.carries != "sex" else "birth_date"}
    missing = []
    if "full_name" not in present:
        missing.append(VOTER_LIST_FIELDS["full_name"])
    if not present & {"birth_date", "birth_year"}:
        missing.append(f"{VOTER_LIST_FIELDS['birth_date']} (hoặc "
                       f"{VOTER_LIST_FIELDS['birth_year']})")
    return ListHeader(names, fields, missing, split or [], 2 if split else 1)


def parse_birth(raw: str, today: date | None = None) -> date | int:
    """DD/MM/YYYY (or D.M.YYYY, D-M-YYYY), YYYY-MM-DD, a year alone, or an Excel date serial
    (a date cell saved as a number); ValueError otherwise, or for a date not yet come."""
    raw = raw.strip()
    today = today or today_vn()
    if _YEAR.fullmatch(raw):
        year = int(raw)
        if not 1880 <= year <= today.year:
            raise ValueError(raw)
        return year
    if match := _DMY.fullmatch(raw):
        day, month, year = (int(g) for g in match.groups())
        value = date(year, month, day)
    elif _SERIAL.fullmatch(raw):
        value = _EXCEL_EPOCH + timedelta(days=int(float(raw)))
    elif _ISO.fullmatch(raw):
        value = date.fromisoformat(raw)
    else:
        raise ValueError(raw)
    if not date(1880, 1, 1) <= value <= today:
        raise ValueError(raw)
    return value


def commune_words(commune_name: str) -> str:
    """A commune's name as addresses are compared with it: folded, without its unit word."""
    return _UNIT_PREFIX.sub("", fold(commune_name)).strip()


@lru_cache(maxsize=65536)  # the addresses of one list repeat street by street
def other_commune(address: str, commune: str) -> str | None:
    """The commune-level unit an address names when it is not `commune` (see
    `commune_words`): a part of the address (between commas, semicolons or dashes) that
    starts with the word Phường, Xã, Đặc khu or Thị trấn, written with its diacritics so
    "Xa lộ" is no commune. None when the address names none, or names this one. Old names
    on people's papers are flagged too: a reason to look, not a rejection."""
    named = []
    for part in re.split(r"[,;]| - ", address):
        part = part.strip()
        if part.lower().startswith(_UNIT_WORDS):
            named.append(part)
    if not named or any(commune_words(p) == commune for p in named):
        return None
    return named[0][:80]


def _reason(line: int, column: str, exc: DomainError) -> RowError:
    if isinstance(exc, Invalid):
        exc.loc = (column,)
    return row_error(line, exc)


def _clean(raw: str, limit: int, line: int, column: str, reasons: list[RowError]) -> str:
    value = squash_spaces(raw if raw.isascii() else nfc(raw))
    if len(value) > limit:
        reasons.append(_reason(line, column, StringTooLong(max_length=limit)))
        value = value[:limit]
    return value


def _id_number(raw: str, line: int, reasons: list[RowError]) -> str | None:
    raw = raw.strip()
    if not raw or _MASKED.match(raw):
        return None
    digits = _ID_SEPARATORS.sub("", raw)
    if digits.isascii() and digits.isdigit() and 9 < len(digits) < 12:
        padded = digits.zfill(12)
        try:
            v.clean_id_number(padded)
        except Invalid:
            pass
        else:  # a number cell lost its zeros: said, never guessed into the field
            reasons.append(_reason(line, "id_number", IdNumberZeroLost(
                digits=len(digits), suggestion=padded)))
            return None
    try:
        return v.clean_id_number(raw)
    except Invalid as exc:
        reasons.append(_reason(line, "id_number", exc))
        return None


def _split_cells(row: list[str], split: Sequence[SexColumns], line: int,
                 reasons: list[RowError]) -> tuple[str, dict[str, str]]:
    """The sex ("Nam", "Nữ" or "") and the birth cells (field → text) a row writes under
    Nam | Nữ pairs; a row marked under both or neither of a pair is a reason."""
    sex, births = "", dict[str, str]()
    for pair in split:
        male = row[pair.male].strip() if pair.male < len(row) else ""
        female = row[pair.female].strip() if pair.female < len(row) else ""
        if male and female:
            reasons.append(_reason(line, "sex", VoterSexBoth(column=pair.label)))
            continue
        if not male and not female:
            reasons.append(_reason(line, "sex", VoterSexNone(column=pair.label)))
            continue
        sex = sex or SEX_LABELS[Sex.male if male else Sex.female]
        value = male or female
        if pair.carries != "sex":
            births.setdefault(pair.carries, value)
        elif _looks_like_birth(value):
            births.setdefault("birth_date", value)
    return sex, births


def _looks_like_birth(value: str) -> bool:
    """A cell under a sex header holding a birth (a date or a year), not a mark."""
    return any(c.isdigit() for c in value) and len(value) >= 4


def read_row(line: int, names: list[str], fields: dict[int, str], row: list[str], *,
             commune: str, today: date | None = None, split: Sequence[SexColumns] = ()
             ) -> tuple[dict[str, Any], list[RowError]]:
    """One row as it is stored, and its reasons. `cells`: every cell by its header (cells
    past the header get `Cột N`), as imported; the fields read from them, None where a cell
    is empty or unreadable. `split`: the header's Nam | Nữ pairs, which give the sex (unless
    a sex column of its own does) and the birth (unless a birth column does)."""
    reasons: list[RowError] = []
    if len(row) > len(names):
        names = names + [f"Cột {i + 1}" for i in range(len(names), len(row))]
    cells = dict(zip(names, row, strict=False))
    got = {name: row[i] if i < len(row) else "" for i, name in fields.items()}
    if any("\x00" in raw for raw in row):  # the one character a database text cannot hold
        for name, raw in cells.items():
            if "\x00" in raw:
                reasons.append(_reason(line, name, ControlCharacters()))
                cells[name] = raw.replace("\x00", "\ufffd")
        got = {name: raw.replace("\x00", "") for name, raw in got.items()}
    if split:
        sex_cell, births = _split_cells(row, split, line, reasons)
        if not got.get("sex", "").strip():
            got["sex"] = sex_cell
        for name, value in births.items():
            if not any(got.get(b, "").strip() for b in ("birth_date", "birth_year")):
                got[name] = value
    rec: dict[str, Any] = {"id": uuid7(), "line": line, "cells": cells}
    for name in ("seq", "full_name", "address"):
        rec[name] = _clean(got.get(name, ""), _LIMITS[name], line, name, reasons) or None
    if not rec["full_name"]:
        reasons.append(_reason(line, "full_name", FieldMissing()))
    rec["full_name"] = rec["full_name"] or ""
    rec["name_folded"] = name_fold(rec["full_name"])[:200]
    rec["birth_date"] = rec["birth_year"] = None
    for column in ("birth_date", "birth_year"):
        raw = got.get(column, "").strip()
        if not raw:
            continue
        try:
            birth = parse_birth(raw, today)
        except ValueError:
            reasons.append(_reason(line, column, VoterBirthUnreadable(value=raw[:40])))
            break
        if isinstance(birth, date):
            rec["birth_date"], rec["birth_year"] = birth, birth.year
        else:
            rec["birth_year"] = birth
        break
    raw_sex = got.get("sex", "").strip()
    sex = parse_label("sex", raw_sex) if raw_sex else None
    if raw_sex and sex is None:
        reasons.append(_reason(line, "sex", ValueUnknown(value=raw_sex[:40])))
    rec["sex"] = sex.value if sex is not None else None
    rec["id_number"] = _id_number(got.get("id_number", ""), line, reasons)
    if rec["address"] and commune and (named := other_commune(rec["address"], commune)):
        reasons.append(_reason(line, "address", VoterOtherCommune(value=named)))
    return rec, reasons


class Duplicates:
    """Rows repeating an earlier row exactly (every cell): kept, with a reason naming the
    first (reconciliation flags them `listed_twice`)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, ...], int] = {}

    def check(self, line: int, row: list[str]) -> RowError | None:
        key = tuple(row)
        while key and not key[-1].strip():
            key = key[:-1]
        first = self.seen.setdefault(key, line)
        if first == line:
            return None
        return row_error(line, VoterRowDuplicate(loc=("",), first_line=first))
