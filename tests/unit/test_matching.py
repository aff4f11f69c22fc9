"""Linking list rows to register records (domain/elections/matching.py)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from domain.elections.matching import Entry, Person, id_distance, link, swapped

AREA = uuid.UUID(int=1)


def _uid(n: int) -> uuid.UUID:
    return uuid.UUID(int=10_000 + n)


def person(n: int, name: str, birth: date | None, sex: str = "male", *,
           year: int | None = None, id_number: str | None = None,
           address: str | None = "12 Trần Phú") -> Person:
    return Person(_uid(n), name, birth, year if year is not None else (birth.year if birth
                                                                       else None),
                  sex, id_number, address, None, AREA)


def entry(n: int, name: str, birth: date | None, sex: str | None = "male", *,
          year: int | None = None, id_number: str | None = None,
          address: str | None = "12 Trần Phú") -> Entry:
    return Entry(uuid.UUID(int=n), AREA, name, birth,
                 year if year is not None else (birth.year if birth else None), sex,
                 id_number, address)


AN = person(1, "Nguyễn Văn An", date(1980, 3, 4), id_number="052080000101")
LAN = person(2, "Trần Thị Lan", date(1975, 11, 20), "female", id_number="052175000202",
             address="14 Trần Phú")
HOA = person(3, "Trần Thị Hoa", date(1975, 11, 20), "female", id_number="052175000303",
             address="16 Trần Phú")
PEOPLE = [AN, LAN, HOA]


def _only_link(result, entry_key):
    found = [item for item in result.links if item.entry.key == entry_key]
    assert len(found) == 1, result
    return found[0]


class TestIdNumber:
    def test_equal_id_links_whatever_the_spelling(self):
        row = entry(1, "Nguyen Van An", date(1980, 3, 4), id_number="052080000101")
        got = _only_link(link([row], PEOPLE), row.key)
        assert got.person is AN and got.method == "id_number"
        assert got.fields == ("full_name:diacritics",)

    def test_one_wrong_digit_links_by_name_and_birth_and_reports_the_number(self):
        row = entry(1, "Nguyễn Văn An", date(1980, 3, 4), id_number="052080000191")
        got = _only_link(link([row], PEOPLE), row.key)
        assert got.person is AN and got.method == "name_birth"
        assert got.fields == ("id_number",)

    def test_wrong_digit_that_hits_another_persons_number_is_not_trusted(self):
        # LAN's number, but AN's name and birth: a typo, not Lan.
        row = entry(1, "Nguyễn Văn An", date(1980, 3, 4), id_number="052175000202")
        result = link([row], PEOPLE)
        got = _only_link(result, row.key)
        assert got.person is AN and got.fields == ("id_number",)

    def test_id_distance(self):
        assert id_distance("052080000101", "052080000191") == 1
        assert id_distance("052080000101", "052080000101") == 0
        assert id_distance("05208000010", "052080000101") == 1


class TestNameAndBirth:
    def test_no_diacritics_links_with_the_diacritics_field(self):
        row = entry(1, "Tran Thi Lan", date(1975, 11, 20), "female", address="14 Tran Phu")
        got = _only_link(link([row], PEOPLE), row.key)
        assert got.person is LAN and got.fields == ("full_name:diacritics",)

    def test_a_wrong_diacritic_is_a_diacritics_difference(self):
        row = entry(1, "Trần Thị Lán", date(1975, 11, 20), "female", address="14 Trần Phú")
        got = _only_link(link([row], PEOPLE), row.key)
        assert got.person is LAN and got.fields == ("full_name:diacritics",)

    @pytest.mark.parametrize("written", ["Siu H’Prông", "Siu H‘Prông", "Siu HʼPrông",
                                         "Siu H`Prông", "Siu HPrông", "siu  h'prông"])
    def test_an_apostrophe_variant_is_the_same_name(self, written):
        # The register writes "Siu H'Prông"; the list types ’ or leaves it out. No ID
        # number and only the birth year: the row is found by its folded name alone.
        siu = person(4, "Siu H'Prông", date(1990, 6, 1), "female", address="5 Lê Lợi")
        row = entry(1, written, None, "female", year=1990, address="5 Lê Lợi")
        got = _only_link(link([row], [siu, *PEOPLE]), row.key)
        assert got.person is siu and got.fields == ()
        # The same score as the register's own spelling: the exact-diacritics bonus counts.
        same = entry(2, "Siu H'Prông", None, "female", year=1990, address="5 Lê Lợi")
        assert got.score == _only_link(link([same], [siu]), same.key).score

    @pytest.mark.parametrize(("listed", "registered"), [
        ("Lê Thị Hoà", "Lê Thị Hòa"), ("Phan Văn Thuỷ", "Phan Văn Thủy"),
        ("Đỗ Văn Khoẻ", "Đỗ Văn Khỏe"), ("Lê Thị Hòa", "Lê Thị Hoà")])
    def test_a_tone_style_variant_is_the_same_name(self, listed, registered):
        registered_as = person(4, registered, date(1990, 6, 1), address="5 Lê Lợi")
        row = entry(1, listed, date(1990, 6, 1), address="5 Lê Lợi")
        got = _only_link(link([row], [registered_as, *PEOPLE]), row.key)
        assert got.person is registered_as and got.fields == ()
        same = entry(2, registered, date(1990, 6, 1), address="5 Lê Lợi")
        assert got.score == _only_link(link([same], [registered_as]), same.key).score

    def test_an_id_link_with_another_tone_style_reports_no_name(self):
        hoa = person(4, "Lê Thị Hòa", date(1990, 6, 1), "female", id_number="052190000404")
        row = entry(1, "LÊ THỊ HOÀ", date(1990, 6, 1), "female", id_number="052190000404")
        got = _only_link(link([row], [hoa]), row.key)
        assert got.method == "id_number" and got.fields == ()

    def test_another_tone_in_an_oa_syllable_is_still_a_diacritics_difference(self):
        hoa = person(4, "Lê Thị Hòa", date(1990, 6, 1), "female", address="5 Lê Lợi")
        row = entry(1, "Lê Thị Hoá", date(1990, 6, 1), "female", address="5 Lê Lợi")
        got = _only_link(link([row], [hoa]), row.key)
        assert got.person is hoa and got.fields == ("full_name:diacritics",)
        # No exact-diacritics bonus: a lower score than the right spelling.
        same = entry(2, "Lê Thị Hòa", date(1990, 6, 1), "female", address="5 Lê Lợi")
        assert got.score < _only_link(link([same], [hoa]), same.key).score

    def test_misspelt_name_is_a_spelling_difference(self):
        row = entry(1, "Nguyễn Văn Ann", date(1980, 3, 4))
        got = _only_link(link([row], PEOPLE), row.key)
        assert got.person is AN and got.fields == ("full_name:spelling",)

    def test_swapped_day_and_month_links_and_reports_the_birth_date(self):
        assert swapped(date(1980, 3, 4)) == date(1980, 4, 3)
        assert swapped(date(1980, 3, 3)) is None and swapped(date(1980, 3, 14)) is None
        row = entry(1, "Nguyễn Văn An", date(1980, 4, 3))
        got = _only_link(link([row], PEOPLE), row.key)
        assert got.person is AN and got.fields == ("birth_date",)

    def test_birth_year_only_row_links(self):
        row = entry(1, "Nguyễn Văn An", None, year=1980)
        got = _only_link(link([row], PEOPLE), row.key)
        assert got.person is AN and got.fields == ()

    def test_other_sex_is_reported(self):
        row = entry(1, "Nguyễn Văn An", date(1980, 3, 4), "female", id_number="052080000101")
        got = _only_link(link([row], PEOPLE), row.key)
        assert got.fields == ("sex",)

    def test_shared_family_and_middle_name_with_same_birth_is_not_a_match(self):
        # Trần Thị Hoa shares a birth date with Lan; a list row for a third Trần Thị
        # (Mai), unknown to the register, must not be linked to either.
        row = entry(1, "Trần Thị Mai", date(1975, 11, 20), "female", address="30 Lê Lợi")
        result = link([row], PEOPLE)
        assert result.links == [] and result.unmatched == [row.key]

    def test_stranger_is_unmatched(self):
        row = entry(1, "Phạm Quốc Bảo", date(1990, 1, 2))
        result = link([row], PEOPLE)
        assert result.unmatched == [row.key] and not result.links and not result.ambiguous


class TestAmbiguity:
    TWIN_A = person(11, "Lê Văn Hùng", date(1968, 2, 1), address="3 Quang Trung")
    TWIN_B = person(12, "Lê Văn Hùng", date(1968, 9, 9), address="40 Quang Trung")

    def test_same_name_and_birth_year_is_ambiguous_not_a_guess(self):
        row = entry(1, "Lê Văn Hùng", None, year=1968, address=None)
        result = link([row], [self.TWIN_A, self.TWIN_B])
        assert result.links == []
        assert len(result.ambiguous) == 1
        candidates = result.ambiguous[0].candidates
        assert {key for key, _ in candidates} == {self.TWIN_A.key, self.TWIN_B.key}
        assert candidates[0][1] == candidates[1][1]

    def test_exact_birth_date_decides_between_namesakes(self):
        row = entry(1, "Lê Văn Hùng", date(1968, 9, 9), address=None)
        got = _only_link(link([row], [self.TWIN_A, self.TWIN_B]), row.key)
        assert got.person is self.TWIN_B and got.fields == ()

    def test_namesake_taken_by_an_id_link_leaves_the_other(self):
        listed_a = entry(1, "Lê Văn Hùng", date(1968, 2, 1), id_number=None,
                         address="3 Quang Trung")
        vague = entry(2, "Lê Văn Hùng", None, year=1968, address=None)
        result = link([listed_a, vague], [self.TWIN_A, self.TWIN_B])
        assert _only_link(result, listed_a.key).person is self.TWIN_A
        assert _only_link(result, vague.key).person is self.TWIN_B


class TestOneToOne:
    def test_a_person_is_never_linked_to_two_rows(self):
        first = entry(1, "Nguyễn Văn An", date(1980, 3, 4), id_number="052080000101")
        again = entry(2, "Nguyễn Văn An", date(1980, 3, 4))
        result = link([first, again], PEOPLE)
        assert [item.entry.key for item in result.links] == [first.key]
        assert [(item.entry.key, item.person.key) for item in result.taken] == [
            (again.key, AN.key)]

    def test_same_id_twice_links_once(self):
        first = entry(1, "Nguyễn Văn An", date(1980, 3, 4), id_number="052080000101")
        again = entry(2, "Nguyễn Văn An", date(1980, 3, 4), id_number="052080000101")
        result = link([again, first], PEOPLE)
        assert [item.entry.key for item in result.links] == [first.key]
        assert [item.entry.key for item in result.taken] == [again.key]

    def test_better_row_wins_the_person_whatever_the_order(self):
        exact = entry(2, "Trần Thị Lan", date(1975, 11, 20), "female", address="14 Trần Phú")
        vague = entry(1, "Tran Thi Lan", None, None, year=1975, address=None)
        for rows in ([exact, vague], [vague, exact]):
            result = link(rows, [LAN])
            assert _only_link(result, exact.key).person is LAN
            assert all(item.entry.key != vague.key for item in result.links)

    def test_deterministic(self):
        rows = [entry(i, "Lê Văn Hùng", None, year=1968, address=None) for i in range(3)]
        a = link(rows, [TestAmbiguity.TWIN_A, TestAmbiguity.TWIN_B])
        b = link(list(reversed(rows)), [TestAmbiguity.TWIN_B, TestAmbiguity.TWIN_A])
        assert sorted(x.entry.key for x in a.ambiguous) == sorted(
            x.entry.key for x in b.ambiguous)
        assert set(a.links) == set(b.links)

    def test_same_id_twice_the_lower_key_keeps_the_link_whatever_the_order(self):
        low = entry(1, "Nguyễn Văn An", date(1980, 3, 4), id_number="052080000101")
        high = entry(2, "Nguyễn Văn An", date(1980, 3, 4), id_number="052080000101")
        for rows in ([low, high], [high, low]):
            result = link(rows, PEOPLE)
            assert [x.entry.key for x in result.links] == [low.key]
            assert [x.entry.key for x in result.taken] == [high.key]
