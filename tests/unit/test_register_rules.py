"""Pure register rules: ID numbers, phones, names, masking, ages."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from domain.register.rules import (
    OLD_PROVINCE_CODES,
    IdNumberError,
    PhoneError,
    age_on,
    century_sex_digit,
    id_number_agrees,
    make_id_number,
    mask,
    normalize_phone,
    parse_id_number,
    split_name,
)


class TestProvinceCodes:
    def test_sixty_three_three_digit_codes(self):
        assert len(OLD_PROVINCE_CODES) == 63
        assert all(len(code) == 3 and code.isdigit() for code in OLD_PROVINCE_CODES)

    def test_known_codes(self):
        assert OLD_PROVINCE_CODES["052"] == "Bình Định"
        assert OLD_PROVINCE_CODES["064"] == "Gia Lai"
        assert OLD_PROVINCE_CODES["079"] == "TP Hồ Chí Minh"
        assert "000" not in OLD_PROVINCE_CODES
        assert "003" not in OLD_PROVINCE_CODES

    def test_names_are_nfc(self):
        assert all(unicodedata.is_normalized("NFC", n) for n in OLD_PROVINCE_CODES.values())


class TestParseIdNumber:
    @pytest.mark.parametrize(
        "raw", ["079203001234", " 079203001234 ", "079 203 001 234", "079.203.001.234"]
    )
    def test_accepts_spaces_and_dots(self, raw):
        assert parse_id_number(raw) == "079203001234"

    @pytest.mark.parametrize(
        ("raw", "code"),
        [
            ("07920300123A", "id_number_not_digits"),
            ("O79203001234", "id_number_not_digits"),
            ("079-203-001-234", "id_number_not_digits"),
            ("", "id_number_not_digits"),
            ("٠٧٩٢٠٣٠٠١٢٣٤", "id_number_not_digits"),  # Arabic-Indic digits
            ("07920300123", "id_number_length"),
            ("0792030012345", "id_number_length"),
            ("000203001234", "id_number_province_unknown"),
            ("003203001234", "id_number_province_unknown"),
            ("099203001234", "id_number_province_unknown"),
            # century digits 4 to 9 (2100s to 2300s), and a 2000s year still to come
            *((f"079{d}03001234", "id_number_born_in_future") for d in range(4, 10)),
            ("079299001234", "id_number_born_in_future"),
            ("079399001234", "id_number_born_in_future"),
        ],
    )
    def test_rejects_impossible_numbers(self, raw, code):
        with pytest.raises(IdNumberError) as caught:
            parse_id_number(raw)
        assert caught.value.code == code
        assert isinstance(caught.value, ValueError)


class TestCenturySex:
    @pytest.mark.parametrize(
        ("year", "sex", "digit"),
        [
            (1900, "male", 0), (1999, "female", 1), (2000, "male", 2), (2008, "female", 3),
            (2100, "male", 4), (2199, "female", 5), (2200, "male", 6), (2300, "female", 9),
        ],
    )  # fmt: skip
    def test_digit(self, year, sex, digit):
        assert century_sex_digit(year, sex) == digit

    @pytest.mark.parametrize("year", [1899, 2400])
    def test_out_of_range(self, year):
        with pytest.raises(ValueError):
            century_sex_digit(year, "male")

    def test_make_and_agree(self):
        number = make_id_number("052", 2003, "female", 42)
        assert number == "052303000042"
        assert id_number_agrees(number, birth_year=2003, sex="female")

    def test_sex_mismatch_detected(self):
        number = make_id_number("052", 1985, "male", 1)
        assert not id_number_agrees(number, birth_year=1985, sex="female")

    def test_year_mismatch_detected(self):
        number = make_id_number("052", 1985, "male", 1)
        assert not id_number_agrees(number, birth_year=1986, sex="male")
        assert not id_number_agrees(number, birth_year=2085, sex="male")  # wrong century

    def test_parity_only_without_birth_year(self):
        assert id_number_agrees("052185000001", birth_year=None, sex="female")
        assert not id_number_agrees("052185000001", birth_year=None, sex="male")
        assert id_number_agrees("052285000001", birth_year=None, sex="male")

    def test_make_rejects_bad_parts(self):
        with pytest.raises(ValueError):
            make_id_number("003", 1990, "male", 1)
        with pytest.raises(ValueError):
            make_id_number("052", 1990, "male", 1_000_000)


class TestNormalizePhone:
    @pytest.mark.parametrize(
        "raw",
        [
            "0912345678", "0912 345 678", "0912.345.678", "84912345678", "+84912345678",
            "+84 912 345 678", "(+84) 912345678", "0084 912 345 678", "091-234-5678",
        ],
    )  # fmt: skip
    def test_typed_forms_agree(self, raw):
        assert normalize_phone(raw) == "+84912345678"

    @pytest.mark.parametrize("raw", ["0321234567", "0561234567", "0701234567", "0861234567"])
    def test_other_mobile_ranges(self, raw):
        assert normalize_phone(raw) == "+84" + raw[1:]

    def test_landline(self):
        assert normalize_phone("0256 3822 123") == "+842563822123"

    @pytest.mark.parametrize(
        "raw",
        [
            "", "   ", "abc", "0912", "091234567", "09123456789", "0912abc678", "+1 650 253 0000",
            "0012345678", "++84912345678", "1900 1234",
        ],
    )  # fmt: skip
    def test_rejects_junk(self, raw):
        with pytest.raises(PhoneError) as caught:
            normalize_phone(raw)
        assert caught.value.code == "phone_invalid"


class TestSplitName:
    def test_three_parts(self):
        assert split_name("Nguyễn Thị Ánh") == ("Nguyễn", "Thị", "Ánh")

    def test_compound_middle_and_spaces(self):
        assert split_name("  Nguyễn   Ngọc Bảo  Trâm ") == ("Nguyễn", "Ngọc Bảo", "Trâm")

    def test_two_and_one_word(self):
        assert split_name("Lê Lợi") == ("Lê", "", "Lợi")
        assert split_name("Hương") == ("", "", "Hương")

    def test_nfd_input_is_normalised(self):
        family, _, given = split_name(unicodedata.normalize("NFD", "Trần Văn Đức"))
        assert (family, given) == ("Trần", "Đức")

    def test_empty(self):
        with pytest.raises(ValueError):
            split_name("   ")


class TestMask:
    def test_id_number(self):
        assert mask("079203001234") == "********1234"

    def test_phone(self):
        assert mask("+84912345678") == "********5678"

    def test_none_short_and_keep(self):
        assert mask(None) is None
        assert mask("123") == "***"
        assert mask("079203001234", keep=0) == "************"
        assert mask("079203001234", keep=2) == "**********34"


class TestAgeOn:
    def test_birthday_reached_or_not(self):
        assert age_on(date(2008, 3, 15), None, date(2026, 3, 15)) == 18
        assert age_on(date(2008, 3, 16), None, date(2026, 3, 15)) == 17

    def test_leap_day(self):
        assert age_on(date(2008, 2, 29), None, date(2026, 2, 28)) == 17
        assert age_on(date(2008, 2, 29), None, date(2026, 3, 1)) == 18

    def test_year_only_and_unknown(self):
        assert age_on(None, 1950, date(2026, 1, 11)) == 76
        assert age_on(None, None, date(2026, 1, 11)) is None


def test_every_impossible_number_has_its_problem():
    """Each way `parse_id_number` refuses a number is a problem class of the catalogue (an
    unmapped one was a 500)."""
    import inspect
    import re

    from domain.register import rules
    from domain.register.errors import ID_NUMBER_ERRORS

    raised = set(re.findall(r'IdNumberError\(\s*"(\w+)"', inspect.getsource(rules)))
    assert raised and raised <= set(ID_NUMBER_ERRORS), raised - set(ID_NUMBER_ERRORS)
