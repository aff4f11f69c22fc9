"""The eligibility rules, one row per rule and edge (domain/elections/eligibility.py)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.elections.eligibility import (
    EligibilityNote,
    Ineligible,
    Voter,
    add_months,
    anniversary,
    assess,
)
from domain.elections.models import ElectionLevel, ExclusionReason
from domain.register.models import ResidenceStatus

DAY = date(2026, 3, 15)  # an example election day (the 16th National Assembly's), not a rule
ALL = (ElectionLevel.national_assembly, ElectionLevel.provincial_council,
       ElectionLevel.commune_council)
NA_PROVINCE = ALL[:2]
S = ResidenceStatus
R = Ineligible
N = EligibilityNote


def voter(born=date(1980, 5, 17), year=None, status=S.permanent, since=None) -> Voter:
    return Voter(birth_date=born, birth_year=year if year else (born.year if born else None),
                 residence_status=status, residence_since=since)


# (case, voter, exclusion, election day, eligible, reasons, levels, uncertain, notes)
CASES = [
    ("adult permanent resident", voter(), None, DAY, True, (), ALL, False, ()),
    ("18th birthday on election day", voter(date(2008, 3, 15)), None, DAY, True, (), ALL,
     False, ()),
    ("18th birthday the day after", voter(date(2008, 3, 16)), None, DAY, False,
     (R.under_age,), (), False, ()),
    ("18th birthday the day before", voter(date(2008, 3, 14)), None, DAY, True, (), ALL,
     False, ()),
    ("born 29 Feb: 18 on 1 March of a common year", voter(date(2008, 2, 29)), None,
     date(2026, 3, 1), True, (), ALL, False, ()),
    ("born 29 Feb: not yet 18 on 28 February", voter(date(2008, 2, 29)), None,
     date(2026, 2, 28), False, (R.under_age,), (), False, ()),
    ("born 29 Feb: 18 on 29 Feb of a leap year", voter(date(2012, 2, 29)), None,
     date(2030, 3, 1), True, (), ALL, False, ()),
    ("birth year only, clearly adult", voter(None, 1990), None, DAY, True, (), ALL, False, ()),
    ("birth year only, the borderline year", voter(None, 2008), None, DAY, True, (), ALL,
     True, ()),
    ("birth year only, a year too young", voter(None, 2009), None, DAY, False,
     (R.under_age,), (), False, ()),
    ("no birth date nor year", Voter(None, None, S.permanent), None, DAY, False,
     (R.birth_unknown,), (), False, ()),
    ("deceased", voter(status=S.deceased), None, DAY, False, (R.deceased,), (), False, ()),
    ("moved out", voter(status=S.moved_out), None, DAY, False, (R.moved_away,), (), False,
     ()),
    ("temporarily absent stays on the list", voter(status=S.temporarily_absent), None, DAY,
     True, (), ALL, False, (N.temporarily_absent,)),
    ("temporary resident 12 months exactly", voter(status=S.temporary,
                                                   since=date(2025, 3, 15)), None, DAY,
     True, (), ALL, False, ()),
    ("temporary resident a day short of 12 months",
     voter(status=S.temporary, since=date(2025, 3, 16)), None, DAY, True, (), NA_PROVINCE,
     False, ()),
    ("temporary resident for years", voter(status=S.temporary, since=date(2019, 1, 1)),
     None, DAY, True, (), ALL, False, ()),
    ("temporary resident since unknown", voter(status=S.temporary), None, DAY, True, (),
     NA_PROVINCE, False, (N.residence_since_unknown,)),
    ("excluded by a court", voter(), ExclusionReason.court_deprived, DAY, False,
     (R.excluded_court_deprived,), (), False, ()),
    ("serving a prison term", voter(), ExclusionReason.serving_prison_term, DAY, False,
     (R.excluded_serving_prison_term,), (), False, ()),
    ("death sentence pending", voter(), ExclusionReason.death_sentence_pending, DAY, False,
     (R.excluded_death_sentence_pending,), (), False, ()),
    ("lost civil act capacity", voter(), ExclusionReason.lost_civil_capacity, DAY, False,
     (R.excluded_lost_civil_capacity,), (), False, ()),
    ("every reason at once", voter(date(2010, 1, 1), status=S.deceased),
     ExclusionReason.court_deprived, DAY, False,
     (R.under_age, R.deceased, R.excluded_court_deprived), (), False, ()),
]


@pytest.mark.parametrize(("case", "who", "exclusion", "day", "eligible", "reasons", "levels",
                          "uncertain", "notes"), CASES, ids=[c[0] for c in CASES])
def test_rules(case, who, exclusion, day, eligible, reasons, levels, uncertain, notes):
    got = assess(who, election_day=day, levels=ALL, exclusion=exclusion)
    assert (got.eligible, got.reasons, got.ballot_levels, got.birth_date_uncertain,
            got.notes) == (eligible, reasons, levels, uncertain, notes)


def test_a_revoked_exclusion_is_no_exclusion():
    # The caller passes only an active exclusion's reason; a revoked one is none.
    assert assess(voter(), election_day=DAY, levels=ALL, exclusion=None).eligible


def test_the_ballot_is_the_elections_own_levels():
    by_election = [ElectionLevel.commune_council]
    assert assess(voter(), election_day=DAY, levels=by_election).ballot_levels == (
        ElectionLevel.commune_council,)
    short = assess(voter(status=S.temporary, since=date(2026, 1, 1)), election_day=DAY,
                   levels=by_election)
    assert not short.eligible and short.reasons == (Ineligible.no_ballot,)
    assert short.ballot_levels == ()


def test_levels_given_as_text_are_ordered_as_the_enum():
    got = assess(voter(), election_day=DAY, levels=["commune_council", "national_assembly"])
    assert got.ballot_levels == (ElectionLevel.national_assembly, ElectionLevel.commune_council)


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2025, 3, 15), 12, date(2026, 3, 15)),
    (date(2024, 2, 29), 12, date(2025, 3, 1)),
    (date(2025, 1, 31), 1, date(2025, 3, 1)),
    (date(2025, 12, 31), 2, date(2026, 3, 1)),
    (date(2025, 11, 30), 1, date(2025, 12, 30)),
])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_anniversary_of_a_leap_day():
    assert anniversary(date(2008, 2, 29), 18) == date(2026, 3, 1)
    assert anniversary(date(2008, 2, 29), 16) == date(2024, 2, 29)


def test_the_assessor_gives_what_assess_gives_for_every_record():
    """`Assessor` shares verdicts between records the rules cannot tell apart; over births
    around the 18th birthday (29 February included), years only, every residence status,
    temporary residence dates around the 12-month rule and every exclusion, it answers
    exactly what `assess` answers."""
    import itertools
    import random

    from domain.elections.eligibility import Assessor

    rng = random.Random(7)
    births = [None, date(2008, 3, 15), date(2008, 3, 16), date(2008, 3, 14), date(2008, 2, 29),
              date(2007, 12, 31), date(1950, 1, 1)] + [
        date(1930, 1, 1) + (date(2010, 1, 1) - date(1930, 1, 1)) * rng.random()
        for _ in range(40)]
    sinces = [None, date(2025, 3, 15), date(2025, 3, 16), date(2025, 3, 14), date(2020, 1, 1)]
    for levels in (ALL, NA_PROVINCE, ALL[2:]):
        assessor = Assessor(election_day=DAY, levels=levels)
        for born, status, since, exclusion in itertools.product(
                births, list(S), sinces, [None, *ExclusionReason]):
            for year in ([None, 2008, 2007] if born is None else [born.year]):
                v = Voter(born, year, status, since)
                assert assessor(v, exclusion) == assess(
                    v, election_day=DAY, levels=levels, exclusion=exclusion), (v, exclusion)
        assert len(assessor.seen) < 400  # shared, not one per record


def test_the_latest_adult_birth_divides_births_as_the_anniversary_does():
    """For every election day of four years (a leap year among them) and every birth from
    a week before to a week after the answer, 29 February too: on or before
    `latest_adult_birth` is exactly 18 on election day."""
    from datetime import timedelta

    from domain.elections.eligibility import latest_adult_birth

    day = date(2026, 1, 1)
    while day < date(2030, 1, 1):
        latest = latest_adult_birth(day)
        births = [latest + timedelta(days=d) for d in range(-7, 8)]
        births += [date(day.year - 18, 2, 28), date(day.year - 18, 3, 1)]
        if (day.year - 18) % 4 == 0:
            births.append(date(day.year - 18, 2, 29))
        for born in births:
            assert (born <= latest) == (anniversary(born, 18) <= day), (day, born)
        day += timedelta(days=1)
