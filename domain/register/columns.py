"""The spreadsheet form of the register: column names, labels and value formats.

Exports write these columns and imports read them, so an exported file imports back as a
no-op. Headers are Vietnamese for people; the snake_case keys are accepted too.
"""

from __future__ import annotations

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
    "relationship": {"vo": Relationship.spouse, "chong": Relationship.spouse,
                     "cha": Relationship.parent, "me": Relationship.parent,
                     "ong": Relationship.grandparent, "ba": Relationship.grandparent,
                     "con dau": Relationship.child_in_law, "con re": Relationship.child_in_law},
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
    """'Nữ' → Sex.female, 'vợ' → spouse...; None when unknown."""
    key = fold(raw)
    return LOOKUPS[column].get(key) or _ALIASES.get(column, {}).get(key)


def header_keys(columns: list[tuple[str, str]]) -> dict[str, str]:
    """Folded header text → column key, for both the label and the key itself."""
    out = {}
    for key, label in columns:
        out[fold(key.replace("_", " "))] = key
        out[fold(key)] = key
        out[fold(label)] = key
    return out


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
