"""The differences reconciliation once dropped: a listed person whose age the register cannot
tell (`birth_unknown`), one with no ballot in the election (`no_ballot`), and one the register
places in another polling area of the run (`wrong_area`) (domain/elections/reconcile.py)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from domain.elections.eligibility import Ineligible, Voter, assess
from domain.elections.matching import Entry, Person
from domain.elections.models import DiscrepancyKind, ElectionLevel
from domain.elections.reconcile import _REASON_KIND, differences
from domain.register.models import ResidenceStatus

K = DiscrepancyKind
DAY = date(2026, 3, 15)
AREA, OTHER_AREA, ELSEWHERE = uuid.UUID(int=1), uuid.UUID(int=2), uuid.UUID(int=3)
ALL_LEVELS = list(ElectionLevel)
COMMUNE_ONLY = [ElectionLevel.commune_council]  # a commune council's by-election


class Reg:
    def __init__(self, levels=ALL_LEVELS) -> None:
        self.people: list[Person] = []
        self.voters: dict[uuid.UUID, Voter] = {}
        self.levels = levels

    def add(self, name: str, birth: date | None, *, year: int | None = None,
            id_number: str | None = None, sex: str = "male", address: str = "12 Trần Phú",
            area: uuid.UUID = AREA, status: ResidenceStatus = ResidenceStatus.permanent,
            since: date | None = None) -> Person:
        year = birth.year if birth else year
        p = Person(uuid.UUID(int=1000 + len(self.people)), name, birth, year, sex, id_number,
                   address, None, area)
        self.people.append(p)
        self.voters[p.key] = Voter(birth, year, status, since)
        return p

    def eligibility(self):
        return {k: assess(v, election_day=DAY, levels=self.levels)
                for k, v in self.voters.items()}


def row(n: int, p: Person, area: uuid.UUID = AREA, **over) -> Entry:
    base = dict(full_name=p.full_name, birth_date=p.birth_date, birth_year=p.birth_year,
                sex=p.sex, id_number=p.id_number, address=p.address)
    return Entry(key=uuid.UUID(int=n), area_key=area, **{**base, **over})


def run(reg: Reg, rows: list[Entry], others: list[Entry] | None = None):
    return differences(rows, reg.people, eligibility=reg.eligibility(), election_day=DAY,
                       other_area_entries=others or [])


def kinds(findings):
    return sorted((f.kind.value, f.entry_key, f.person_key) for f in findings)


def test_every_reason_a_record_is_not_listed_has_a_kind():
    assert set(_REASON_KIND) == set(Ineligible)


class TestBirthUnknown:
    def test_a_listed_person_without_birth_in_the_register(self):
        reg = Reg()
        a = reg.add("Nguyễn Văn An", None, id_number="052080000101")
        got = run(reg, [row(1, a)])
        assert kinds(got) == [("birth_unknown", uuid.UUID(int=1), a.key)]
        assert got[0].rule == "eligibility:birth_unknown" and got[0].area_key == AREA

    def test_the_rows_birth_is_not_also_a_data_mismatch(self):
        reg = Reg()
        a = reg.add("Nguyễn Văn An", None, id_number="052080000101")
        b = reg.add("Trần Thị Lan", None, id_number="052175000202", sex="female")
        got = run(reg, [row(1, a, birth_date=date(1980, 3, 4), birth_year=1980),
                        row(2, b, birth_year=1975, full_name="Tran Thi Lan")])
        assert kinds(got) == [("birth_unknown", uuid.UUID(int=1), a.key),
                              ("birth_unknown", uuid.UUID(int=2), b.key),
                              ("data_mismatch", uuid.UUID(int=2), b.key)]
        mismatch = next(f for f in got if f.kind == K.data_mismatch)
        assert mismatch.fields == ("full_name:diacritics",)  # the name, not the birth

    def test_a_birth_year_alone_is_no_birth_unknown(self):
        reg = Reg()
        a = reg.add("Đỗ Văn Nam", None, year=1985, id_number="052085000101")
        assert run(reg, [row(1, a)]) == []

    def test_unlisted_is_not_missing(self):
        reg = Reg()
        reg.add("Nguyễn Văn An", None)
        assert run(reg, []) == []


class TestNoBallot:
    @pytest.mark.parametrize("since", [date(2025, 9, 16), None], ids=["11-months", "unknown"])
    def test_a_recent_temporary_resident_in_a_commune_by_election(self, since):
        reg = Reg(COMMUNE_ONLY)
        t = reg.add("Phan Văn Tạm", date(1990, 1, 1), id_number="052090000101",
                    status=ResidenceStatus.temporary, since=since)
        got = run(reg, [row(1, t)])
        assert kinds(got) == [("no_ballot", uuid.UUID(int=1), t.key)]
        assert got[0].rule == "eligibility:no_ballot"

    def test_twelve_months_exactly_has_a_ballot(self):
        reg = Reg(COMMUNE_ONLY)
        t = reg.add("Phan Văn Tạm", date(1990, 1, 1), id_number="052090000101",
                    status=ResidenceStatus.temporary, since=date(2025, 3, 15))
        assert run(reg, [row(1, t)]) == []

    def test_with_a_national_level_the_same_person_has_a_ballot(self):
        reg = Reg(ALL_LEVELS)
        t = reg.add("Phan Văn Tạm", date(1990, 1, 1), id_number="052090000101",
                    status=ResidenceStatus.temporary, since=date(2025, 9, 16))
        assert run(reg, [row(1, t)]) == []

    def test_a_permanent_resident_in_the_same_election_has_a_ballot(self):
        reg = Reg(COMMUNE_ONLY)
        p = reg.add("Phan Văn Thường", date(1990, 1, 1), id_number="052090000101")
        assert run(reg, [row(1, p)]) == []

    def test_unlisted_is_not_missing(self):
        reg = Reg(COMMUNE_ONLY)
        reg.add("Phan Văn Tạm", date(1990, 1, 1), status=ResidenceStatus.temporary,
                since=date(2026, 1, 1))
        assert run(reg, []) == []


class TestEligibleWithNotes:
    """Eligible with a note (temporarily absent, residence date unknown): listed, nothing;
    unlisted, missing as anyone eligible."""

    def _reg(self) -> tuple[Reg, Person, Person]:
        reg = Reg(ALL_LEVELS)
        away = reg.add("Võ Văn Vắng", date(1980, 1, 1), id_number="052080000201",
                       status=ResidenceStatus.temporarily_absent)
        since = reg.add("Võ Thị Tạm", date(1985, 1, 1), id_number="052185000202",
                        sex="female", status=ResidenceStatus.temporary)
        assert all(reg.eligibility()[p.key].notes for p in (away, since))
        return reg, away, since

    def test_listed_is_no_difference(self):
        reg, away, since = self._reg()
        assert run(reg, [row(1, away), row(2, since)]) == []

    def test_unlisted_is_missing(self):
        reg, away, since = self._reg()
        assert kinds(run(reg, [])) == sorted([("missing_from_list", None, away.key),
                                              ("missing_from_list", None, since.key)])


class TestWrongArea:
    def test_listed_in_another_area_of_the_run(self):
        reg = Reg()
        a = reg.add("Nguyễn Văn An", date(1980, 3, 4), id_number="052080000101",
                    area=OTHER_AREA)
        b = reg.add("Trần Thị Lan", date(1975, 11, 20), sex="female", area=OTHER_AREA)
        got = run(reg, [row(1, a), row(2, b)])  # both rows in AREA's list
        assert kinds(got) == [("wrong_area", uuid.UUID(int=1), a.key),
                              ("wrong_area", uuid.UUID(int=2), b.key)]
        assert {(f.rule, f.area_key, f.person_area_key) for f in got} == {
            ("lives_in_other_area", AREA, OTHER_AREA)}
        # Listed, just elsewhere: not missing from their own area.
        assert not any(f.kind == K.missing_from_list for f in got)

    def test_with_other_differences_they_are_found_too(self):
        reg = Reg()
        a = reg.add("Nguyễn Văn An", date(1980, 3, 4), id_number="052080000101",
                    area=OTHER_AREA)
        got = run(reg, [row(1, a, full_name="Nguyen Van An")])
        assert kinds(got) == [("data_mismatch", uuid.UUID(int=1), a.key),
                              ("wrong_area", uuid.UUID(int=1), a.key)]

    def test_an_ineligible_person_is_reported_by_the_reason_only(self):
        reg = Reg()
        dead = reg.add("Lê Văn Mất", date(1940, 1, 5), id_number="052040000201",
                       area=OTHER_AREA, status=ResidenceStatus.deceased)
        assert kinds(run(reg, [row(1, dead)])) == [("deceased", uuid.UUID(int=1), dead.key)]

    @pytest.mark.parametrize("first", [1, 2], ids=["wrong-row-first", "own-row-first"])
    def test_listed_in_both_areas_the_own_areas_row_is_the_listing(self, first):
        reg = Reg()
        a = reg.add("Nguyễn Văn An", date(1980, 3, 4), id_number="052080000101",
                    area=OTHER_AREA)
        wrong, own = row(first, a, area=AREA), row(3 - first, a, area=OTHER_AREA)
        got = run(reg, [wrong, own])
        assert kinds(got) == [("listed_twice", wrong.key, a.key)]
        assert got[0].other_entry_keys == (own.key,) and got[0].area_key == AREA

    def test_listed_in_their_own_areas_list_outside_the_run_is_only_listed_twice(self):
        reg = Reg()
        a = reg.add("Nguyễn Văn An", date(1980, 3, 4), id_number="052080000101",
                    area=ELSEWHERE)
        got = run(reg, [row(1, a)], [row(9, a, area=ELSEWHERE)])
        assert kinds(got) == [("listed_twice", uuid.UUID(int=1), a.key)]

    def test_a_person_of_an_area_outside_the_run(self):
        # The register of the commune's other areas is loaded beside the run's: a row of
        # this list may be a neighbouring area's resident.
        reg = Reg()
        a = reg.add("Nguyễn Văn An", date(1980, 3, 4), area=ELSEWHERE)
        got = run(reg, [row(1, a)], [row(9, reg.add("Trần Thị Lan", date(1975, 1, 1),
                                                     area=ELSEWHERE), area=ELSEWHERE)])
        assert kinds(got) == [("wrong_area", uuid.UUID(int=1), a.key)]
        assert got[0].person_area_key == ELSEWHERE

    def test_a_person_of_the_rows_own_area_is_no_wrong_area(self):
        reg = Reg()
        a = reg.add("Nguyễn Văn An", date(1980, 3, 4), id_number="052080000101")
        b = reg.add("Trần Thị Lan", date(1975, 11, 20), sex="female", area=OTHER_AREA)
        assert run(reg, [row(1, a), row(2, b, area=OTHER_AREA)]) == []

    def test_listed_only_in_an_area_outside_the_run_is_not_missing(self):
        reg = Reg()
        a = reg.add("Nguyễn Văn An", date(1980, 3, 4), id_number="052080000101")
        assert run(reg, [], [row(9, a, area=ELSEWHERE)]) == []


def test_the_readmes_table_of_kinds_gives_each_kind_its_actions():
    from pathlib import Path

    from domain.elections.reconciliation import ALLOWED

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    table = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`") and cells[0].strip("`") in set(K):
            table[K(cells[0].strip("`"))] = [a.strip(" `") for a in cells[3].split(",")]
    assert table == {kind: [a.value for a in actions] for kind, actions in ALLOWED.items()}
