"""The spreadsheet form of the register: column names, labels and value formats.

Exports write these columns and imports read them, so an exported file imports back as a
no-op. Headers are Vietnamese for people; an import also takes the snake_case keys and the
headers people commonly write in their own sheets (`HEADER_SYNONYMS`), compared folded with
punctuation and spacing ignored (`header_form`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache

from domain.register.models import HouseholdResidence, Relationship, ResidenceStatus, Sex
from domain.text import fold

RESIDENT_COLUMNS: list[tuple[str, str]] = [
    ("id_number", "Số định danh cá nhân"),
    ("full_name", "Họ và tên"),
    ("birth_date", "Ngày sinh"),
    ("sex", "Giới tính"),
    ("household_code", "Mã hộ"),
    ("relationship", "Quan hệ với chủ hộ"),
    ("phone", "Số điện thoại"),
    ("residence_status", "Tình trạng cư trú"),
    ("residence_since", "Cư trú từ ngày"),
    ("status_changed_on", "Ngày chuyển đi/mất"),
]

HOUSEHOLD_COLUMNS: list[tuple[str, str]] = [
    ("code", "Mã hộ"),
    ("street", "Đường"),
    ("house_number", "Số nhà"),
    ("residence_type", "Loại hộ"),
    ("old_address_text", "Địa chỉ cũ"),
    ("head_id_number", "Số định danh chủ hộ"),
]

# The current address as written since the 2025 reform (no district: house number and
# street, residential group, commune, province), after the import's columns in both exports.
# Imports pass over them: a household's address is its street, house number and group.
ADDRESS_COLUMNS: list[tuple[str, str]] = [
    ("address", "Địa chỉ hiện nay"),
    ("group_name", "Tổ dân phố/thôn"),
    ("commune_name", "Phường/xã"),
    ("province_name", "Tỉnh/thành phố"),
]
# What the exports write: the import's columns first (a file imports back), then the address.
RESIDENT_EXPORT_COLUMNS: list[tuple[str, str]] = [
    *RESIDENT_COLUMNS, ("house_number", "Số nhà"), ("street", "Đường"), *ADDRESS_COLUMNS]
HOUSEHOLD_EXPORT_COLUMNS: list[tuple[str, str]] = [*HOUSEHOLD_COLUMNS, *ADDRESS_COLUMNS]
# Dates in XLSX exports are date cells shown as Vietnamese write them.
XLSX_DATE_FORMAT = "dd/mm/yyyy"


def current_address(house_number: str | None, street: str | None, group: str | None,
                    commune: str | None, province: str | None) -> str:
    """'34/2 Trần Phú, Tổ dân phố Trần Phú, Phường Bình Định, Tỉnh Gia Lai' (blanks left
    out), the units by their names as registered."""
    first = " ".join(part for part in (house_number, street) if part)
    return ", ".join(part for part in (first, group, commune, province) if part)


# An official voter list (Mẫu danh sách cử tri) as commune offices print it: each field
# with the headers people give it (matched folded: case, diacritics and đ ignored). The
# first label of a field is the one messages name. Cells outside these stay in the row's
# `cells` only; `ethnicity` and `note` are read from the cells, never parsed.
VOTER_LIST_COLUMNS: list[tuple[str, str]] = [
    ("seq", "Số thứ tự"), ("seq", "STT"), ("seq", "TT"), ("seq", "Số TT"),
    ("full_name", "Họ và tên"), ("full_name", "Họ tên"), ("full_name", "Họ và tên cử tri"),
    ("full_name", "Họ tên cử tri"), ("full_name", "Tên cử tri"),
    ("birth_date", "Ngày sinh"), ("birth_date", "Ngày tháng năm sinh"),
    ("birth_date", "Ngày, tháng, năm sinh"), ("birth_date", "Ngày/tháng/năm sinh"),
    ("birth_year", "Năm sinh"),
    ("sex", "Giới tính"), ("sex", "Nam/Nữ"), ("sex", "Nam, nữ"),
    ("id_number", "Số định danh cá nhân"), ("id_number", "Số CCCD"), ("id_number", "CCCD"),
    ("id_number", "Số ĐDCN"), ("id_number", "Số định danh"), ("id_number", "Số CCCD/ĐDCN"),
    ("id_number", "Số căn cước"), ("id_number", "Số căn cước công dân"),
    ("id_number", "Số CMND/CCCD"),
    ("ethnicity", "Dân tộc"),
    ("address", "Nơi thường trú"), ("address", "Nơi tạm trú"), ("address", "Địa chỉ"),
    ("address", "Nơi cư trú"), ("address", "Nơi thường trú hoặc tạm trú"),
    ("address", "Nơi thường trú/tạm trú"), ("address", "Chỗ ở hiện nay"),
    ("note", "Ghi chú"),
]
VOTER_LIST_FIELDS: dict[str, str] = {}  # field → the label messages name it by
for _key, _label in VOTER_LIST_COLUMNS:
    VOTER_LIST_FIELDS.setdefault(_key, _label)

_HOUSEHOLD_CODE = ("Mã HGĐ", "Mã hộ gia đình", "Số hộ", "Số hộ khẩu", "Mã số hộ")
# Other headers people give these columns in their own sheets, best first: when a file has
# two columns for one key, the better-ranked header wins (the label, then this order).
HEADER_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "residents": {
        "id_number": ("Số CCCD", "CCCD", "Số ĐDCN", "Số định danh", "Mã định danh",
                      "Số CMND/CCCD", "CMND/CCCD", "CCCD/CMND", "Căn cước công dân",
                      "Căn cước", "Số căn cước", "Số CMND", "CMND"),
        "full_name": ("Họ tên", "Họ và tên khai sinh", "Tên người", "Tên"),
        "birth_date": ("Ngày tháng năm sinh", "Sinh ngày", "Năm sinh"),
        "sex": ("Giới", "Giới tính (Nam/Nữ)", "Nam/Nữ", "Phái"),
        "household_code": _HOUSEHOLD_CODE,
        "relationship": ("Quan hệ", "QH với chủ hộ", "Quan hệ với CH", "QH với CH",
                         "Quan hệ chủ hộ", "QH"),
        "phone": ("SĐT", "Số ĐT", "Điện thoại", "ĐT", "Di động", "Số di động", "ĐTDĐ"),
        "residence_status": ("Tình trạng", "Loại cư trú", "Cư trú"),
        "residence_since": ("Ngày đăng ký cư trú", "Ngày đến", "Cư trú từ"),
        "status_changed_on": ("Ngày chuyển đi", "Ngày mất", "Ngày chuyển đi/chết"),
    },
    "households": {
        "code": _HOUSEHOLD_CODE,
        "street": ("Tên đường", "Đường phố", "Đường/phố"),
        "house_number": ("Số nhà/ngõ", "Địa chỉ số nhà"),
        "residence_type": ("Loại cư trú", "Hộ thường trú/tạm trú"),
        "old_address_text": ("Địa chỉ trước sáp nhập", "Địa chỉ (cũ)"),
        "head_id_number": ("CCCD chủ hộ", "Số CCCD chủ hộ", "Số ĐDCN chủ hộ",
                           "Số định danh của chủ hộ"),
    },
}

# A sheet that writes the name in two columns: "Họ và tên đệm" then "Tên". The given name
# alone then answers for `full_name`, and these columns come before it.
NAME_FIRST_PART = ("Họ", "Họ đệm", "Họ và tên đệm", "Họ và đệm", "Họ lót", "Họ và chữ đệm")
GIVEN_NAME = ("Tên",)

_PUNCTUATION = re.compile(r"[\s/\\.,;:()\[\]*_\-–—]+")


def header_form(text: str) -> str:
    """A header as compared: folded, punctuation and spacing made one space, a required
    mark such as "(*)" dropped: "Ngày, tháng, năm sinh (*)" → "ngay thang nam sinh"."""
    return " ".join(_PUNCTUATION.sub(" ", fold(text.replace("\ufeff", ""))).split())


def header_keys(columns: Iterable[tuple[str, str] | tuple[str, str, Sequence[str]]]
                ) -> dict[str, tuple[str, int]]:
    """`header_form` of every header a column answers to → (column key, rank; 0 is best):
    its key, its label, then its synonyms. Each import passes its own (key, label,
    synonyms); a form claimed by two keys is a mistake in the vocabulary (ValueError)."""
    out: dict[str, tuple[str, int]] = {}
    for key, label, *more in columns:
        names = [key, key.replace("_", " "), label, *(more[0] if more else ())]
        for rank, name in enumerate(names):
            form = header_form(name)
            if form in out and out[form][0] != key:
                raise ValueError(f"header {name!r} names both {out[form][0]} and {key}")
            out.setdefault(form, (key, rank))
    return out


def with_synonyms(kind: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """The register's columns of `kind` ("residents", "households") with their synonyms."""
    columns = RESIDENT_COLUMNS if kind == "residents" else HOUSEHOLD_COLUMNS
    return [(key, label, HEADER_SYNONYMS[kind].get(key, ())) for key, label in columns]


def column_label(kind: str, key: str) -> str:
    """A column's header as the export writes it."""
    return dict(RESIDENT_COLUMNS if kind == "residents" else HOUSEHOLD_COLUMNS).get(key, key)


SEX_LABELS = {Sex.male: "Nam", Sex.female: "Nữ"}
RELATIONSHIP_LABELS = {
    Relationship.head: "Chủ hộ", Relationship.spouse: "Vợ/Chồng", Relationship.child: "Con",
    Relationship.parent: "Cha/Mẹ", Relationship.grandchild: "Cháu",
    Relationship.grandparent: "Ông/Bà", Relationship.sibling: "Anh/Chị/Em",
    Relationship.child_in_law: "Con dâu/Con rể", Relationship.other_relative: "Họ hàng",
    Relationship.other: "Người ở cùng",
}
STATUS_LABELS = {
    ResidenceStatus.permanent: "Thường trú", ResidenceStatus.temporary: "Tạm trú",
    ResidenceStatus.temporarily_absent: "Tạm vắng", ResidenceStatus.moved_out: "Đã chuyển đi",
    ResidenceStatus.deceased: "Đã mất",
}
RESIDENCE_TYPE_LABELS = {HouseholdResidence.permanent: "Thường trú",
                         HouseholdResidence.temporary: "Tạm trú"}
# Extra spellings people use in their own sheets (folded).
_ALIASES: dict[str, dict[str, object]] = {
    "sex": {"f": Sex.female, "m": Sex.male, "nu": Sex.female},
}


def _reverse(labels: dict) -> dict[str, object]:
    out: dict[str, object] = {fold(str(k.value)): k for k in labels}
    out.update({fold(v): k for k, v in labels.items()})
    return out


LOOKUPS = {
    "sex": _reverse(SEX_LABELS),
    "relationship": _reverse(RELATIONSHIP_LABELS),
    "residence_status": _reverse(STATUS_LABELS),
    "residence_type": _reverse(RESIDENCE_TYPE_LABELS),
}


@lru_cache(maxsize=4096)
def parse_label(column: str, raw: str):
    """'Nữ' → Sex.female, 'Thường trú' → permanent...; None when unknown. Relationships
    are `kinship.relationship`'s: a folded word there can mean two things."""
    key = fold(raw)
    return LOOKUPS[column].get(key) or _ALIASES.get(column, {}).get(key)


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def format_birth(birth_date: date | None, birth_year: int | None) -> str:
    return format_date(birth_date) if birth_date else (str(birth_year) if birth_year else "")


# Spreadsheet programs run a CSV cell that starts with one of these as a formula (OWASP "CSV
# injection"): exports put an apostrophe before such text and imports take it off again.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """`value` as a CSV cell no spreadsheet runs; a phone like +84912345678 stays as it is."""
    if value[:1] in _FORMULA_START and not (value[0] in "+-" and value[1:].isdigit()):
        return "'" + value
    if value[:1] == "'" and value[1:2] in _FORMULA_START:  # would lose its own apostrophe
        return "'" + value
    return value


def from_csv_cell(value: str) -> str:
    """Undo `csv_safe` (and a user's own apostrophe before a formula-like cell)."""
    rest = value[1:]
    if value[:1] == "'" and (rest[:1] in _FORMULA_START
                             or (rest[:1] == "'" and rest[1:2] in _FORMULA_START)):
        return rest
    return value


def headers_markdown() -> str:
    """The README's table of the headers an import understands (a test holds them equal)."""
    lines = ["| Import | Column | Header the export writes | Also understood |",
             "|---|---|---|---|"]
    for kind in ("residents", "households"):
        for key, label, synonyms in with_synonyms(kind):
            also = ", ".join(f"{s}" for s in synonyms) or "–"
            lines.append(f"| {kind} | `{key}` | {label} | {also} |")
    return "\n".join(lines)


def exports_markdown() -> str:
    """The README's list of the exports' columns (a test holds them equal)."""
    return "\n".join(f"- `{path}`: " + ", ".join(label for _, label in columns)
                     for path, columns in (("/residents/export", RESIDENT_EXPORT_COLUMNS),
                                           ("/households/export", HOUSEHOLD_EXPORT_COLUMNS)))


if __name__ == "__main__":  # python -m domain.register.columns: the README's tables
    print(headers_markdown())
    print()
    print(exports_markdown())
