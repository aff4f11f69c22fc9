"""The deterministic demo group and the streaming population generator."""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from domain.register.demo import (
    DEMO_REFERENCE_DATE,
    DemoData,
    generate_demo,
    generate_population,
)
from domain.register.models import ReadinessKind, Relationship, ResidenceStatus
from domain.register.rules import age_on, id_number_agrees, normalize_phone, parse_id_number
from domain.units.models import UnitKind

ON = DEMO_REFERENCE_DATE
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo()


def _age(resident) -> int:
    return age_on(resident.birth_date, resident.birth_year, ON)


class TestUnitsAndStreets:
    def test_units(self, demo):
        assert (demo.province.kind, demo.province.code) == (UnitKind.province, "52")
        assert demo.commune.kind == UnitKind.ward and demo.commune.code == "21907"
        assert demo.commune.parent_key == demo.province.key
        assert demo.group.kind == UnitKind.neighbourhood
        assert demo.group.parent_key == demo.commune.key
        assert demo.group.name == "Tổ dân phố Trần Phú"
        assert demo.group.old_address_text == "phường Bình Định, thị xã An Nhơn, tỉnh Bình Định"

    def test_streets_and_busiest(self, demo):
        assert 6 <= len(demo.streets) <= 8
        per_street = Counter(h.street_name for h in demo.households)
        assert per_street.most_common(1)[0][0] == "Trần Phú"
        assert {h.street_key for h in demo.households} <= {s.key for s in demo.streets}


class TestHouseholds:
    def test_counts(self, demo):
        assert len(demo.households) == 684
        assert 2650 <= len(demo.residents) <= 2800

    def test_codes_and_addresses_unique(self, demo):
        codes = [h.code for h in demo.households]
        assert len(set(codes)) == 684
        assert all(re.fullmatch(r"TP-\d{4}", code) for code in codes)
        addresses = [(h.street_key, h.house_number) for h in demo.households]
        assert len(set(addresses)) == len(addresses)
        assert all(h.house_number.startswith(str(h.house_number_sort)) for h in demo.households)

    def test_sizes(self, demo):
        sizes = [len(h.members) for h in demo.households]
        assert min(sizes) >= 1 and max(sizes) <= 8
        assert 3.7 <= sum(sizes) / len(sizes) <= 4.2

    def test_exactly_one_head_who_is_a_member(self, demo):
        for household in demo.households:
            heads = [m for m in household.members if m.relationship == Relationship.head]
            assert heads == [household.head]
            assert household.head in household.members

    def test_family_ages_consistent(self, demo):
        for household in demo.households:
            head = _age(household.head)
            assert head >= 18
            for member in household.members:
                age = _age(member)
                assert 0 <= age <= 100
                if member.relationship == Relationship.child:
                    assert age <= head - 18
                elif member.relationship == Relationship.grandchild:
                    assert age <= head - 36
                elif member.relationship == Relationship.parent:
                    assert age >= head + 18
                elif member.relationship in (Relationship.spouse, Relationship.child_in_law):
                    assert age >= 18


class TestResidents:
    def test_nguyen_share(self, demo):
        share = sum(r.family_name == "Nguyễn" for r in demo.residents) / len(demo.residents)
        assert 0.34 <= share <= 0.42

    def test_names_nfc_and_split(self, demo):
        for r in demo.residents:
            assert unicodedata.is_normalized("NFC", r.full_name)
            assert r.full_name == f"{r.family_name} {r.middle_name} {r.given_name}"

    def test_birth_dates(self, demo):
        year_only = [r for r in demo.residents if r.birth_date is None]
        assert 0.01 <= len(year_only) / len(demo.residents) <= 0.05
        for r in demo.residents:
            assert r.birth_date is None or r.birth_date.year == r.birth_year
            assert r.birth_date is None or r.birth_date <= ON

    def test_ids_for_everyone_14_plus_agree_except_flagged(self, demo):
        flagged = 0
        for r in demo.residents:
            if _age(r) >= 14:
                assert r.id_number is not None
            if r.id_number is None:
                assert not r.id_number_mismatch
                continue
            assert parse_id_number(r.id_number) == r.id_number
            agrees = id_number_agrees(r.id_number, birth_year=r.birth_year, sex=r.sex)
            assert agrees is not r.id_number_mismatch
            flagged += r.id_number_mismatch
        assert 0.003 <= flagged / len(demo.residents) <= 0.02

    def test_some_children_without_id(self, demo):
        assert any(r.id_number is None for r in demo.residents if _age(r) < 14)

    def test_ids_unique_and_mostly_binh_dinh(self, demo):
        ids = [r.id_number for r in demo.residents if r.id_number]
        assert len(ids) == len(set(ids))
        provinces = Counter(number[:3] for number in ids)
        assert provinces.most_common(1)[0][0] == "052"
        assert len(provinces) >= 5

    def test_phones(self, demo):
        phones = [r.phone for r in demo.residents if r.phone]
        assert all(re.fullmatch(r"\+84[35789]\d{8}", p) for p in phones)
        assert all(normalize_phone(p) == p for p in phones)
        adults = [r for r in demo.residents if _age(r) >= 18]
        assert sum(r.phone is not None for r in adults) / len(adults) > 0.7
        assert all(r.phone is None for r in demo.residents if _age(r) < 14)

    def test_residence_statuses(self, demo):
        statuses = Counter(r.residence_status for r in demo.residents)
        assert statuses[ResidenceStatus.permanent] / len(demo.residents) > 0.8
        assert statuses[ResidenceStatus.temporary] > 0
        assert statuses[ResidenceStatus.temporarily_absent] > 0
        for r in demo.residents:
            if r.residence_status == ResidenceStatus.permanent:
                assert r.residence_since is None
            else:
                assert r.residence_since is not None and r.residence_since <= ON

    def test_readiness_shares(self, demo):
        adults = [r for r in demo.residents if _age(r) >= 18]

        def share(kind):
            return sum(any(k == kind for k, _ in r.readiness) for r in adults) / len(adults)

        assert 0.60 <= share(ReadinessKind.has_smartphone) <= 0.80
        assert 0.50 <= share(ReadinessKind.vneid_level1) <= 0.70
        assert 0.35 <= share(ReadinessKind.vneid_level2) <= 0.55
        assert 0.15 <= share(ReadinessKind.public_service_portal) <= 0.35

    def test_readiness_facts_ordered_and_no_campaign_facts(self, demo):
        campaign = {ReadinessKind.invited_to_group, ReadinessKind.joined_group}
        for r in demo.residents:
            kinds = [k for k, _ in r.readiness]
            days = [d for _, d in r.readiness]
            assert not campaign & set(kinds)
            assert days == sorted(days) and all(d < ON for d in days)
            assert len(kinds) == len(set(kinds))
            if ReadinessKind.vneid_level2 in kinds:
                assert ReadinessKind.vneid_level1 in kinds
            if kinds:
                assert _age(r) >= 14


class TestDeterminism:
    def test_same_seed_same_data(self, demo):
        assert generate_demo() == demo

    def test_other_seed_differs(self, demo):
        assert generate_demo(seed=1) != demo

    def test_reference_date_is_a_parameter(self):
        later = generate_demo(reference_date=date(2030, 6, 1))
        assert max(r.birth_date for r in later.residents if r.birth_date) > ON

    def test_same_across_processes(self, demo):
        code = (
            "from domain.register.demo import generate_demo;"
            "d = generate_demo();"
            "print(repr([(m.key, m.full_name, m.id_number, m.phone, m.birth_date)"
            " for h in d.households[:50] for m in h.members]))"
        )
        out = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
            [sys.executable, "-c", code], capture_output=True, text=True, check=True,
            cwd=ROOT, env={"PYTHONHASHSEED": "123", "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        expected = [
            (m.key, m.full_name, m.id_number, m.phone, m.birth_date)
            for h in demo.households[:50]
            for m in h.members
        ]
        assert out.stdout.strip() == repr(expected)


class TestPopulation:
    def test_counts_chunks_and_units(self):
        chunks = list(
            generate_population(
                7, communes=2, groups_per_commune=3, households=900, residents=3000,
                chunk_size=250,
            )
        )  # fmt: skip
        households = [h for chunk in chunks for h in chunk.households]
        units = [u for chunk in chunks for u in chunk.units]
        assert len(households) == 900
        assert sum(len(h.members) for h in households) == 3000
        assert all(len(chunk.households) <= 250 for chunk in chunks)
        assert Counter(u.kind for u in units) == {
            UnitKind.province: 1, UnitKind.ward: 2, UnitKind.neighbourhood: 6
        }
        assert len({h.code for h in households}) == 900
        ids = [m.id_number for h in households for m in h.members if m.id_number]
        assert len(ids) == len(set(ids))
        seen = set()
        for chunk in chunks:  # each unit and street arrives before its households
            seen |= {u.key for u in chunk.units} | {s.key for s in chunk.streets}
            assert all(h.group_key in seen and h.street_key in seen for h in chunk.households)

    def test_is_lazy_and_deterministic(self):
        def first(seed):
            return next(
                generate_population(
                    seed, communes=100, groups_per_commune=30, households=300_000,
                    residents=1_000_000, chunk_size=100,
                )
            )  # fmt: skip

        assert first(3) == first(3)
        assert len(first(3).households) == 100

    def test_rejects_impossible_sizes(self):
        with pytest.raises(ValueError):
            next(generate_population(1, communes=1, groups_per_commune=1, households=10,
                                     residents=5))
