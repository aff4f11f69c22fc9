"""Every difference between a list and the register (domain/elections/reconcile.py)."""

from __future__ import annotations

import uuid
from datetime import date

from domain.elections.eligibility import Voter, anniversary, assess
from domain.elections.matching import Entry, Person
from domain.elections.models import DiscrepancyKind, ElectionLevel, ExclusionReason
from domain.elections.reconcile import KEY_LENGTH, differences, finding_key, row_identity
from domain.elections.voter_list_rows import read_row
from domain.register.models import ResidenceStatus

K = DiscrepancyKind
DAY = date(2026, 3, 15)
AREA, OTHER_AREA = uuid.UUID(int=1), uuid.UUID(int=2)
LEVELS = list(ElectionLevel)


class Reg:
    """A small register: people with their status and exclusions, and their eligibility."""

    def __init__(self) -> None:
        self.people: list[Person] = []
        self.status: dict[uuid.UUID, ResidenceStatus] = {}
        self.exclusions: dict[uuid.UUID, ExclusionReason] = {}

    def add(self, name: str, birth: date, sex: str = "male", *,
            id_number: str | None = None, address: str = "12 Trần Phú",
            status: ResidenceStatus = ResidenceStatus.permanent) -> Person:
        p = Person(uuid.UUID(int=1000 + len(self.people)), name, birth, birth.year, sex,
                   id_number, address, None, AREA)
        self.people.append(p)
        self.status[p.key] = status
        return p

    def eligibility(self):
        return {p.key: assess(Voter(p.birth_date, p.birth_year, self.status[p.key]),
                              election_day=DAY, levels=LEVELS,
                              exclusion=self.exclusions.get(p.key))
                for p in self.people}


def row(n: int, p: Person | None = None, area: uuid.UUID = AREA, **over) -> Entry:
    base = dict(full_name=p.full_name, birth_date=p.birth_date, birth_year=p.birth_year,
                sex=p.sex, id_number=p.id_number, address=p.address) if p else {}
    base.update(over)
    return Entry(key=uuid.UUID(int=n), area_key=area, **base)


def run(reg: Reg, rows: list[Entry], others: list[Entry] | None = None):
    return differences(rows, reg.people, eligibility=reg.eligibility(), election_day=DAY,
                       other_area_entries=others or [])


def kinds(findings) -> list[tuple[DiscrepancyKind, uuid.UUID | None, uuid.UUID | None]]:
    return sorted(((f.kind, f.entry_key, f.person_key) for f in findings),
                  key=lambda t: (t[0].value, str(t[1]), str(t[2])))


class TestEveryKind:
    def test_a_list_equal_to_the_register_has_no_difference(self):
        reg = Reg()
        a = reg.add("Nguyễn Văn An", date(1980, 3, 4), id_number="052080000101")
        b = reg.add("Trần Thị Lan", date(1975, 11, 20), "female")
        assert run(reg, [row(1, a), row(2, b)]) == []

    def test_missing_from_list(self):
        reg = Reg()
        a = reg.add("Nguyễn Văn An", date(1980, 3, 4))
        reg.add("Nguyễn Văn Bình", date(2012, 1, 1))  # a child: not missing
        got = run(reg, [])
        assert kinds(got) == [(K.missing_from_list, None, a.key)]
        assert got[0].rule == "eligible_not_listed" and got[0].area_key == AREA

    def test_under_age_day_after_cut_off_and_eighteen_on_election_day(self):
        reg = Reg()
        cut = anniversary(DAY, -18)
        on_the_day = reg.add("Lê Văn Tài", cut)
        day_after = reg.add("Lê Văn Trí", date(cut.year, cut.month, cut.day + 1))
        got = run(reg, [row(1, on_the_day), row(2, day_after)])
        assert kinds(got) == [(K.under_age, uuid.UUID(int=2), day_after.key)]
        assert got[0].rule == "eligibility:under_age"

    def test_deceased_moved_away_and_excluded(self):
        reg = Reg()
        dead = reg.add("Phạm Văn Cường", date(1940, 5, 6), status=ResidenceStatus.deceased)
        gone = reg.add("Phạm Thị Dung", date(1970, 7, 8), "female",
                       status=ResidenceStatus.moved_out)
        jailed = reg.add("Võ Văn Em", date(1990, 9, 10))
        reg.exclusions[jailed.key] = ExclusionReason.serving_prison_term
        got = run(reg, [row(1, dead), row(2, gone), row(3, jailed)])
        assert kinds(got) == sorted([(K.deceased, uuid.UUID(int=1), dead.key),
                                     (K.excluded, uuid.UUID(int=3), jailed.key),
                                     (K.moved_away, uuid.UUID(int=2), gone.key)],
                                    key=lambda t: t[0].value)
        assert {f.rule for f in got} == {"eligibility:deceased", "eligibility:moved_away",
                                         "eligibility:excluded:serving_prison_term"}

    def test_listed_twice_in_the_same_list(self):
        reg = Reg()
        a = reg.add("Nguyễn Văn An", date(1980, 3, 4), id_number="052080000101")
        got = run(reg, [row(1, a), row(2, a, id_number=None)])
        assert kinds(got) == [(K.listed_twice, uuid.UUID(int=2), a.key)]
        assert got[0].other_entry_keys == (uuid.UUID(int=1),)
        assert got[0].rule == "same_person_twice"
        # Nobody is missing: the person is linked once.

    def test_listed_twice_in_another_areas_list(self):
        reg = Reg()
        a = reg.add("Nguyễn Văn An", date(1980, 3, 4), id_number="052080000101")
        b = reg.add("Trần Thị Lan", date(1975, 11, 20), "female")
        elsewhere = [row(9, a, area=OTHER_AREA, address="1 Đường Khác"),
                     row(10, b, area=OTHER_AREA, address="1 Đường Khác")]
        got = run(reg, [row(1, a), row(2, b)], elsewhere)
        assert kinds(got) == [(K.listed_twice, uuid.UUID(int=1), a.key),
                              (K.listed_twice, uuid.UUID(int=2), b.key)]
        by_row = {f.entry_key: f for f in got}
        assert by_row[uuid.UUID(int=1)].rule == "same_id_number_other_area"
        assert by_row[uuid.UUID(int=1)].other_entry_keys == (uuid.UUID(int=9),)
        assert by_row[uuid.UUID(int=2)].rule == "same_person_other_area"

    def test_listed_elsewhere_only_is_not_missing(self):
        reg = Reg()
        a = reg.add("Nguyễn Văn An", date(1980, 3, 4), id_number="052080000101")
        assert run(reg, [], [row(9, a, area=OTHER_AREA)]) == []

    def test_unknown_to_register(self):
        reg = Reg()
        got = run(reg, [row(1, full_name="Khổng Văn Lộc", birth_date=date(1960, 1, 2),
                            birth_year=1960, sex="male", id_number=None, address="9 Lê Lợi")])
        assert kinds(got) == [(K.unknown_to_register, uuid.UUID(int=1), None)]
        assert got[0].rule == "no_candidate"

    def test_data_mismatch_names_the_fields(self):
        reg = Reg()
        a = reg.add("Nguyễn Văn An", date(1980, 3, 4), id_number="052080000101")
        b = reg.add("Trần Thị Lan", date(1975, 11, 20), "female", id_number="052175000202")
        got = run(reg, [row(1, a, full_name="Nguyen Van An", sex="female"),
                        row(2, b, birth_date=date(1975, 11, 2), id_number="052175000212")])
        by_row = {f.entry_key: f for f in got}
        assert {f.kind for f in got} == {K.data_mismatch}
        assert by_row[uuid.UUID(int=1)].fields == ("full_name:diacritics", "sex")
        assert by_row[uuid.UUID(int=1)].rule == "id_number_equal"
        assert by_row[uuid.UUID(int=2)].fields == ("birth_date", "id_number")
        assert by_row[uuid.UUID(int=2)].rule == "name_birth_score"

    def test_apostrophe_and_tone_style_variants_are_no_data_mismatch(self):
        reg = Reg()
        siu = reg.add("Siu H'Prông", date(1990, 6, 1), "female", address="5 Lê Lợi")
        hoa = reg.add("Lê Thị Hòa", date(1985, 2, 3), "female", id_number="052185000303")
        thuy = reg.add("Phan Văn Thủy", date(1970, 8, 9), address="7 Lê Lợi")
        got = run(reg, [row(1, siu, full_name="Siu H’Prông"),
                        row(2, hoa, full_name="Lê Thị Hoà"),
                        row(3, thuy, full_name="Phan Văn Thuỷ")],
                  [row(9, siu, full_name="Siu HPrông", area=OTHER_AREA, address="1 Đường Khác")])
        # Nothing differs on the name; the row in another area's list, written without the
        # apostrophe, is the same person listed twice.
        assert kinds(got) == [(K.listed_twice, uuid.UUID(int=1), siu.key)]
        assert got[0].rule == "same_person_other_area"
        assert got[0].other_entry_keys == (uuid.UUID(int=9),)

    def test_a_real_diacritics_difference_is_still_a_data_mismatch(self):
        reg = Reg()
        hoa = reg.add("Lê Thị Hòa", date(1985, 2, 3), "female", id_number="052185000303")
        siu = reg.add("Siu H'Prông", date(1990, 6, 1), "female", address="5 Lê Lợi")
        got = run(reg, [row(1, hoa, full_name="Lê Thị Hoá"),
                        row(2, siu, full_name="Siu H’Prong")])
        assert kinds(got) == [(K.data_mismatch, uuid.UUID(int=1), hoa.key),
                              (K.data_mismatch, uuid.UUID(int=2), siu.key)]
        assert all(f.fields == ("full_name:diacritics",) for f in got)

    def test_ambiguous_match_lists_candidates_and_reports_neither_missing(self):
        reg = Reg()
        a = reg.add("Lê Văn Hùng", date(1968, 2, 1), address="3 Quang Trung")
        b = reg.add("Lê Văn Hùng", date(1968, 9, 9), address="40 Quang Trung")
        got = run(reg, [row(1, full_name="Lê Văn Hùng", birth_date=None, birth_year=1968,
                            sex="male", id_number=None, address=None)])
        assert kinds(got) == [(K.ambiguous_match, uuid.UUID(int=1), None)]
        assert {key for key, _ in got[0].candidates} == {a.key, b.key}
        assert all(score >= 68 for _, score in got[0].candidates)

    def test_rows_that_cannot_be_told_apart_get_distinct_keys(self):
        reg = Reg()
        reg.add("Lê Văn Hùng", date(1968, 2, 1), address="3 Quang Trung")
        reg.add("Lê Văn Hùng", date(1968, 9, 9), address="40 Quang Trung")
        vague = dict(full_name="Lê Văn Hùng", birth_date=None, birth_year=1968, sex="male",
                     id_number=None, address=None)
        got = run(reg, [row(1, **vague), row(2, **vague)])
        assert [f.kind for f in got] == [K.ambiguous_match, K.ambiguous_match]
        assert got[1].key == got[0].key + "#2"


class TestKeys:
    def test_same_difference_same_key_in_every_run(self):
        reg = Reg()
        a = reg.add("Nguyễn Văn An", date(1980, 3, 4), id_number="052080000101")
        reg.add("Trần Thị Lan", date(1975, 11, 20), "female")
        first = run(reg, [row(1, a, sex="female")])
        # Another run: new row ids, the rows in another order, one more row.
        second = run(reg, [row(7, full_name="Khổng Văn Lộc", birth_date=date(1960, 1, 2),
                               birth_year=1960, sex="male", id_number=None, address=None),
                           row(8, a, sex="female")])
        assert {f.key for f in first} <= {f.key for f in second}
        assert len({f.key for f in second}) == len(second)

    def test_key_names_the_row_by_id_number_else_name_and_birth(self):
        p = Person(uuid.UUID(int=5), "Trần Thị Lan", date(1975, 11, 20), 1975, "female",
                   None, None)
        with_id = row(1, p, id_number="052175000202")
        without = row(2, p)
        assert row_identity(with_id) == "id:052175000202"
        assert row_identity(without) == "n:tran_thi_lan:1975-11-20"
        assert finding_key(K.data_mismatch, with_id, p.key) == (
            f"data_mismatch|id:052175000202|{p.key}")

    def test_key_reads_a_name_as_the_register_does(self):
        keys = {row_identity(row(n, full_name=name, birth_date=None, birth_year=1990,
                                 sex=None, id_number=None, address=None))
                for n, name in enumerate(["Siu H'Prông", "Siu H’Prông", "Siu HPrông"])}
        assert keys == {"n:siu_hprong:1990"}

    def test_a_stored_list_row_is_folded_as_the_register_folds_a_name(self):
        names = ["Họ và tên", "Năm sinh"]
        for written in ("Siu H'Prông", "Siu H’Prông", "Siu HPrông"):
            record, reasons = read_row(2, names, {0: "full_name", 1: "birth_date"},
                                       [written, "1990"], commune="Phường Hội Phú")
            assert reasons == [] and record["full_name"] == written
            assert record["name_folded"] == "siu hprong"

    def test_key_is_at_most_200_characters(self):
        long = row(1, full_name="Nguyễn " * 60 + "An", birth_date=None, birth_year=None,
                   sex=None, id_number=None, address=None)
        key = finding_key(K.unknown_to_register, long, None)
        assert len(key) <= KEY_LENGTH
        assert key == finding_key(K.unknown_to_register, long, None)
