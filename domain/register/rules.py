"""Pure rules of the register: ID numbers, phones, names, masking and ages. No I/O."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import phonenumbers

from domain.clock import today_vn
from domain.register.models import ReadinessKind, ResidenceStatus
from domain.text import name_exact, name_fold, nfc, squash_spaces, vi_sort_key
from domain.views import Last

# Birth-registration province codes of the 63 pre-2025 provinces (first 3 digits of the
# personal identification number). They name where the birth was registered, never where
# the person lives, and they did not change with the 2025 merger.
OLD_PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "TP Hồ Chí Minh", "080": "Long An",
    "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long",
    "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip

_ID_SEPARATORS = re.compile(r"[\s.]+")
_SEPARATORS = re.compile(r"[\s.\-()]+")
_MOBILE = re.compile(r"^(?:0|84|\+84|0084)([35789]\d{8})$")
# What people type around a phone number: digits, spaces, dots, dashes, brackets and one
# leading plus. Anything else (letters above all, which phonenumbers would read as vanity
# keypad digits) makes the number junk.
# ASCII digits only: the JSON Schema pattern below (ECMA `\d`) means the same thing.
_PHONE_CHARS = re.compile(r"^\(?\+?[0-9\s.\-()]+$")
_PHONE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def _id_number_pattern() -> str:
    # Separators anywhere, then a known province code and nine more digits; or blank. (A
    # birth year still to come, by the century and year digits, is refused too: the
    # pattern was published with API 1.0 and stays as wide as it was; the check refuses.)
    sep = r"[\s.]*"
    last: dict[str, str] = {}
    for code in OLD_PROVINCE_CODES:
        last[code[:2]] = last.get(code[:2], "") + code[2]
    provinces = "|".join(f"{two[0]}{sep}{two[1]}{sep}[{ends}]" for two, ends in last.items())
    return rf"^(?:\s*|{sep}(?:{provinces})(?:{sep}[0-9]){{9}}{sep})$"


# What `parse_id_number` and `normalize_phone` accept, as JSON Schema patterns (ECMA and
# Python `re` alike). An ID number is exactly its pattern; a phone must also be a real
# Vietnamese number, which only phonenumbers can tell. Blank means none.
ID_NUMBER_PATTERN = _id_number_pattern()
PHONE_PATTERN = r"^\s*(?:\(?\+?[0-9\s.\-()]+)?$"
_FIRST_CENTURY = 1900
_LAST_YEAR = 2399


class IdNumberError(ValueError):
    """An impossible personal identification number; `code` is the stable error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class PhoneError(ValueError):
    """A phone number that is not a possible Vietnamese subscriber number."""

    def __init__(self, message: str, code: str = "phone_invalid") -> None:
        super().__init__(message)
        self.code = code


def parse_id_number(raw: str) -> str:
    """Return the clean 12 digits of an ID number typed with spaces or dots, or raise."""
    value = _ID_SEPARATORS.sub("", nfc(raw))
    if not value or not (value.isascii() and value.isdigit()):
        raise IdNumberError("id_number_not_digits", "ID number must contain digits only")
    if len(value) != 12:
        raise IdNumberError("id_number_length", "ID number must have exactly 12 digits")
    if value[:3] not in OLD_PROVINCE_CODES:
        raise IdNumberError("id_number_province_unknown", "unknown province code")
    if id_birth_year(value) > today_vn().year:  # 2100s (digits 4-9) or "2099": not born yet
        raise IdNumberError("id_number_born_in_future",
                            "the century and year digits name a year to come")
    return value


def id_birth_year(id_number: str) -> int:
    """The birth year digits 4-6 of an ID number name: century digit 0/1 → 1900s, 2/3 →
    2000s, ..., 8/9 → 2300s, then the year's last two digits."""
    return 1900 + int(id_number[3]) // 2 * 100 + int(id_number[4:6])


def century_sex_digit(birth_year: int, sex: str) -> int:
    """Digit 4 of the ID number: 1900s 0/1, 2000s 2/3, ... 2300s 8/9 (male/female)."""
    if not _FIRST_CENTURY <= birth_year <= _LAST_YEAR:
        raise ValueError(f"birth year {birth_year} has no century digit")
    if sex not in ("male", "female"):
        raise ValueError(f"unknown sex {sex!r}")
    return (birth_year // 100 - 19) * 2 + (1 if sex == "female" else 0)


def id_number_agrees(id_number: str, *, birth_year: int | None, sex: str) -> bool:
    """Whether digits 4-6 agree with the birth year and sex (parity only when no year)."""
    if len(id_number) != 12 or not id_number.isdigit():
        return False
    digit = int(id_number[3])
    if birth_year is None:
        return digit % 2 == (1 if sex == "female" else 0)
    try:
        expected = century_sex_digit(birth_year, sex)
    except ValueError:
        return False
    return digit == expected and id_number[4:6] == f"{birth_year % 100:02d}"


def make_id_number(province_code: str, birth_year: int, sex: str, serial: int) -> str:
    """Build an ID number from its parts (for generators and tests)."""
    if province_code not in OLD_PROVINCE_CODES:
        raise ValueError(f"unknown province code {province_code!r}")
    if not 0 <= serial <= 999_999:
        raise ValueError("serial must be 0..999999")
    digit = century_sex_digit(birth_year, sex)
    return f"{province_code}{digit}{birth_year % 100:02d}{serial:06d}"


def normalize_phone(raw: str) -> str:
    """Return a Vietnamese phone number as E.164 (+84...), whatever way it was typed."""
    value = squash_spaces(nfc(raw))
    if not value or not _PHONE_CHARS.match(value):
        raise PhoneError("phone number contains characters other than digits")
    # Fast path for the mobile forms people type (DOMAIN: 0 + 3/5/7/8/9 + 8 digits, with 0,
    # 84, +84 or 0084 in front): a million-row import spends most of its time in
    # phonenumbers otherwise. Everything else (landlines, odd forms) goes to phonenumbers.
    mobile = _MOBILE.match(_SEPARATORS.sub("", value))
    if mobile:
        return "+84" + mobile.group(1)
    try:
        number = phonenumbers.parse(value, "VN")  # "0", "84", "+84", "0084" prefixes
    except phonenumbers.NumberParseException as exc:
        raise PhoneError("not a phone number") from exc
    if (
        number.country_code != 84
        or not phonenumbers.is_possible_number(number)
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in _PHONE_TYPES
    ):
        raise PhoneError("not a valid Vietnamese phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def split_name(full_name: str) -> tuple[str, str, str]:
    """Split a name into (family, middle, given): 'Nguyễn Thị Ánh' → ('Nguyễn', 'Thị', 'Ánh')."""
    words = squash_spaces(nfc(full_name)).split(" ")
    if words == [""]:
        raise ValueError("empty name")
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


def mask(value: str | None, keep: int = 4) -> str | None:
    """Hide all but the last `keep` characters: '079203001234' → '********1234' (the
    `Last` rule of the register's views, domain/register/views.py)."""
    return Last(keep).apply(value)


def age_on(birth_date: date | None, birth_year: int | None, on: date) -> int | None:
    """Age in whole years on `on`; with only a birth year, the age reached during that year."""
    if birth_date is not None:
        return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    if birth_year is not None:
        return on.year - birth_year
    return None


# VNeID (DOMAIN.md "Digital readiness"): from 14 a citizen activates both levels on their
# own; a child under 14 gets level 2 (định danh điện tử mức 2, the legally valid e-ID) only
# through a guardian (người giám hộ / người đại diện theo pháp luật), who must be an adult:
# 18 or over, living, on the day of the fact (Civil Code 2015, art. 49 and 136).
GUARDED_KINDS = frozenset({ReadinessKind.vneid_level2})
GUARDED_UNDER = 14
GUARDIAN_AGE = 18


def guardian_fault(kind: str, person: Any, on: date, guardian: Any | None) -> str | None:
    """What is wrong with the guardian a readiness fact names (None when nothing), by the
    code of its case: `guardian_required` (a fact of `GUARDED_KINDS` for someone under 14 on
    `on`, and none named), `guardian_not_applicable` (a guardian on another kind of fact),
    `guardian_ineligible` (the person themselves, under 18 on `on`, or dead by then).
    `person` and `guardian` have `birth_date`, `birth_year`; `guardian` also `id`,
    `residence_status`, `status_changed_on`. With a birth year alone, an age is the one
    reached during the year (`age_on`)."""
    if kind not in GUARDED_KINDS:
        return None if guardian is None else "guardian_not_applicable"
    if guardian is None:
        age = age_on(person.birth_date, person.birth_year, on)
        return "guardian_required" if age is not None and age < GUARDED_UNDER else None
    age = age_on(guardian.birth_date, guardian.birth_year, on)
    dead = guardian.residence_status == ResidenceStatus.deceased and (
        guardian.status_changed_on is None or guardian.status_changed_on <= on)
    if guardian.id == person.id or dead or age is None or age < GUARDIAN_AGE:
        return "guardian_ineligible"
    return None


def name_keys(full_name: str) -> dict[str, str]:
    """The stored forms of a name: NFC as written; the search keys, folded and exact
    (`name_fold`, `name_exact`); the roster's sort key (given name, family, middle) and
    the full name's (family, middle, given: `sort=full_name`)."""
    name = squash_spaces(nfc(full_name))
    family, middle, given = split_name(name)
    return {
        "full_name": name,
        "name_folded": name_fold(name),
        "name_lower": name_exact(name),
        "sort_key": vi_sort_key(given, family, middle),
        "full_name_key": vi_sort_key(family, middle, given),
    }
