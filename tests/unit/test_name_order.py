"""The Vietnamese collation of rosters and the search keys of names (domain/text.py)."""

from __future__ import annotations

import importlib.util
import random
import unicodedata
from pathlib import Path

import asyncpg
import pytest

from domain.register import names
from domain.register.rules import name_keys
from domain.text import VI_ALPHABET, name_exact, name_fold, vi_sort_key

TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]  # ngang huyền hỏi ngã sắc nặng
VOWELS = "aăâeêioôơuưy"


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def shuffled(values: list[str], seed: int = 7) -> list[str]:
    out = list(values)
    random.Random(seed).shuffle(out)
    return out


def roster(full_names: list[str]) -> list[str]:
    return sorted(full_names, key=lambda n: name_keys(n)["sort_key"])


# Every tone on every vowel, in alphabet then tone order: "ta tà tả tã tá tạ tă tằ ...".
TONED = [nfc("t" + vowel + tone) for vowel in VOWELS for tone in TONES]


class TestCollation:
    def test_letters_follow_the_vietnamese_alphabet(self):
        letters = list(VI_ALPHABET) + [c.upper() for c in VI_ALPHABET]
        assert sorted(shuffled(letters), key=lambda c: (vi_sort_key(c), c.isupper())) == [
            c for letter in VI_ALPHABET for c in (letter, letter.upper())]
        assert VI_ALPHABET.replace("f", "").replace("j", "").replace("w", "").replace(
            "z", "") == "aăâbcdđeêghiklmnoôơpqrstuưvxy"

    def test_each_tone_on_each_vowel_is_a_secondary_key(self):
        assert sorted(shuffled(TONED), key=vi_sort_key) == TONED
        # the letters decide first: every tone of "ta", then "tam" in every tone, then "tă"
        assert vi_sort_key(nfc("tạ")) < vi_sort_key("tam") < vi_sort_key(nfc("tạm"))
        assert vi_sort_key(nfc("tạm")) < vi_sort_key("tă")

    def test_d_with_stroke_comes_after_every_d(self):
        given = ["Danh", "Đăng", "Đạt", "Diễm", "Đông", "Đức", "Dung"]
        assert sorted(given, key=vi_sort_key) == [
            "Danh", "Diễm", "Dung", "Đạt", "Đăng", "Đông", "Đức"]

    def test_a_breve_and_circumflex_are_letters_of_their_own(self):
        assert sorted(["Ân", "Anh", "Ăn", "An", "Ánh", "Bảo"], key=vi_sort_key) == [
            "An", "Anh", "Ánh", "Ăn", "Ân", "Bảo"]

    def test_given_name_first_then_family_then_middle(self):
        people = ["Trần Văn An", "Nguyễn Văn An", "Nguyễn Thị An", "Lê An", "Đỗ An",
                  "An Văn Bình", "Nguyễn Ngọc Bảo An", "Nguyễn Ngọc An"]
        assert roster(shuffled(people)) == [
            "Đỗ An", "Lê An", "Nguyễn Ngọc An", "Nguyễn Ngọc Bảo An", "Nguyễn Thị An",
            "Nguyễn Văn An", "Trần Văn An", "An Văn Bình"]

    def test_a_shorter_name_and_a_word_gap_sort_first(self):
        assert sorted(["Anh", "An", "An H", "Ai"], key=vi_sort_key) == ["Ai", "An", "An H",
                                                                          "Anh"]
        assert roster(["Hoàng", "Lê Hoàng", "Lê Văn Hoàng"]) == ["Hoàng", "Lê Hoàng",
                                                               "Lê Văn Hoàng"]

    def test_same_letters_sort_by_tone_before_the_family_name(self):
        assert roster(["An Hòa", "Trần Hoa", "Bùi Hóa", "Lê Hoa"]) == [
            "Lê Hoa", "Trần Hoa", "An Hòa", "Bùi Hóa"]

    def test_case_apostrophes_and_tone_style_do_not_change_the_order(self):
        assert vi_sort_key("Hoà") == vi_sort_key("Hòa") == vi_sort_key("HÒA")
        assert vi_sort_key("H'Prông") == vi_sort_key("H’Prông") == vi_sort_key("HPrông")

    def test_decomposed_and_composed_names_sort_alike(self):
        name = "Nguyễn Thị Ánh"
        assert name_keys(unicodedata.normalize("NFD", name)) == name_keys(name)

    def test_keys_sort_alike_under_binary_and_code_point_order(self):
        keys = [vi_sort_key(w) for w in TONED + list(VI_ALPHABET)]
        assert sorted(keys) == sorted(keys, key=lambda k: k.encode())  # UTF-8 bytes


class TestToneStyles:
    @pytest.mark.parametrize("rhyme", ["oa", "oe", "uy"])
    @pytest.mark.parametrize("tone", TONES[1:])
    @pytest.mark.parametrize("initial", ["", "h", "kh", "th", "ng"])
    def test_both_styles_are_one_search_key(self, rhyme, tone, initial):
        first = nfc(initial + rhyme[0] + tone + rhyme[1])  # hòa, thủy, khỏe
        second = nfc(initial + rhyme[0] + rhyme[1] + tone)  # hoà, thuỷ, khoẻ
        assert first != second
        assert name_exact(second) == name_exact(first) == first.lower()
        assert name_exact(second.title()) == name_exact(first.upper())
        assert vi_sort_key(first) == vi_sort_key(second)

    def test_other_tones_and_syllables_stay_apart(self):
        assert name_exact("Hòa") != name_exact("Hóa") != name_exact("Hoa")
        assert name_exact("Hoàng") == "hoàng"  # a closed syllable: one place only
        assert name_exact("Quý") == "quý" and name_exact("Quỳnh") == "quỳnh"  # qu + y
        assert name_exact("Thuyết") == "thuyết" and name_exact("Khuê") == "khuê"

    def test_the_stored_name_keeps_its_style(self):
        keys = name_keys("Lê Thị Thuỷ")
        assert keys["full_name"] == "Lê Thị Thuỷ" and keys["name_lower"] == "lê thị thủy"


class TestApostrophes:
    @pytest.mark.parametrize("written", ["Siu H'Prông", "Siu H’Prông", "Siu H‘Prông",
                                         "Siu HʼPrông", "Siu HPrông", "Siu H`Prông"])
    def test_every_apostrophe_and_none_are_one_key(self, written):
        assert name_fold(written) == "siu hprong"
        assert name_exact(written) == "siu hprông"
        keys = name_keys(written)
        assert keys["full_name"] == written  # stored as written


def _migration(number: str = "0019"):
    path = next(Path(__file__).parents[2].glob(f"migrations/versions/*_{number}_*.py"))
    spec = importlib.util.spec_from_file_location(f"migration_{number}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _corpus() -> list[str]:
    rng = random.Random(11)
    given = names.GIVEN_NAMES["male"].values + names.GIVEN_NAMES["female"].values
    out = ["An", "Siu H’Prông", "Rơ Châm Ksor H'Ni", "Nguyễn  Thị  Hoà", "Lê Thuỷ",
           "Y Bih Niê", "Đỗ Quý Khoẻ", "Trần Văn 3", "José García", "Nguyễn Ngọc Bảo Anh"]
    for _ in range(400):
        middle = rng.choice(list(names.MIDDLE_NAMES.values())).pick(rng)
        out.append(f"{names.FAMILY_NAMES.pick(rng)} {middle} {rng.choice(given)}")
    return out


def test_migration_0019_writes_the_keys_the_service_writes():
    new_keys = _migration().new_keys
    for name in _corpus():
        keys = name_keys(name)
        assert new_keys(name) == (keys["name_folded"], keys["name_lower"], keys["sort_key"])


def test_migration_0022_writes_the_full_name_key_the_service_writes():
    full_name_key = _migration("0022").full_name_key
    for name in _corpus():
        assert full_name_key(name) == name_keys(name)["full_name_key"], name


class TestFullNameOrder:
    """`sort=full_name`: the name as written, family name first, by the same alphabet."""

    @staticmethod
    def written(full_names: list[str]) -> list[str]:
        return sorted(full_names, key=lambda n: name_keys(n)["full_name_key"])

    def test_family_then_middle_then_given(self):
        people = ["Trần Văn An", "Nguyễn Văn An", "Nguyễn Thị An", "Lê An", "Đỗ An",
                  "An Văn Bình", "Nguyễn Ngọc Bảo An", "Nguyễn Ngọc An", "Nguyễn An"]
        assert self.written(shuffled(people)) == [
            "An Văn Bình", "Đỗ An", "Lê An", "Nguyễn An", "Nguyễn Ngọc An",
            "Nguyễn Ngọc Bảo An", "Nguyễn Thị An", "Nguyễn Văn An", "Trần Văn An"]

    def test_the_alphabet_and_tones_of_each_part(self):
        assert self.written(shuffled(["Đỗ Văn A", "Dương Văn A", "Doãn Văn A", "Ân Văn A",
                                      "Ăn Văn A", "An Văn A"])) == [
            "An Văn A", "Ăn Văn A", "Ân Văn A", "Doãn Văn A", "Dương Văn A", "Đỗ Văn A"]
        family = [nfc("T" + vowel + tone + " Văn A") for vowel in VOWELS for tone in TONES]
        assert self.written(shuffled(family)) == family

    def test_case_apostrophes_tone_style_and_nfd_do_not_change_it(self):
        key = name_keys("Siu H'Prông Hoà")["full_name_key"]
        for same in ("SIU H’PRÔNG HÒA", "Siu HPrông Hòa",
                     unicodedata.normalize("NFD", "Siu H'Prông Hoà")):
            assert name_keys(same)["full_name_key"] == key


async def test_order_agrees_with_postgresql_icu_collation(pg_server):
    """ICU's Vietnamese collation, where the server has it, orders single names as the key
    does (the key is used everywhere: ICU may be missing, and SQLite has none)."""
    given = sorted({*names.GIVEN_NAMES["male"].values, *names.GIVEN_NAMES["female"].values})
    words = [*{*given, *(w.title() for w in TONED)}, "Danh", "Đăng", "Đạt", "Diễm", "Đông",
             "Đức", "Dung", "Ăn", "Ân", "Ấn", "Ơn", "Ôn", "On", "Ưng", "Ung", "Êm", "Em"]
    conn = await asyncpg.connect(pg_server)
    try:
        if not await conn.fetchval(
                "SELECT count(*) FROM pg_collation WHERE collname = 'vi-VN-x-icu'"):
            pytest.skip("this PostgreSQL has no ICU collation vi-VN-x-icu")
        icu = await conn.fetchval(
            'SELECT array_agg(w ORDER BY w COLLATE "vi-VN-x-icu") FROM unnest($1::text[]) w',
            shuffled(words))
    finally:
        await conn.close()
    assert icu == sorted(words, key=vi_sort_key)


class TestLengthsInNfc:
    """Lengths are counted once in NFC, in the schemas themselves (an import or a caller in
    code meets the same rule as the HTTP input, which is NFC already)."""

    def test_a_decomposed_195_character_name_is_accepted(self):
        from domain.register.schemas import ResidentCreate

        name = ("Nguyễn Thị Ánh Tuyết " * 10)[:195]
        decomposed = unicodedata.normalize("NFD", name)
        assert len(decomposed) > 200
        made = ResidentCreate.model_validate({"full_name": decomposed, "sex": "female",
                                              "birth_year": 1990})
        assert made.full_name == nfc(name).strip()

    def test_201_characters_once_in_nfc_are_too_long(self):
        from pydantic import ValidationError

        from domain.register.schemas import ResidentCreate

        with pytest.raises(ValidationError) as caught:
            ResidentCreate.model_validate({"full_name": "Ánh" * 67, "sex": "female"})
        assert caught.value.errors()[0]["type"] == "string_too_long"

    def test_a_need_at_the_door_is_nfc_and_refuses_control_characters(self):
        from pydantic import ValidationError

        from domain.outreach.schemas import VisitNeedIn

        text = "Cần hỗ trợ kích hoạt VNeID"
        need = VisitNeedIn.model_validate({"category": "app_help",
                                           "description": unicodedata.normalize("NFD", text)})
        assert need.description == text
        with pytest.raises(ValidationError) as caught:
            VisitNeedIn.model_validate({"category": "app_help", "description": "Cần\x07 giúp"})
        assert caught.value.errors()[0]["type"] == "control_characters"
        long = unicodedata.normalize("NFD", "ữ" * 2000)  # 2,000 in NFC, 6,000 sent
        assert len(VisitNeedIn.model_validate({"category": "app_help",
                                               "description": long}).description) == 2000
