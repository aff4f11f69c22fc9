"""Who may vote in an election, from a register record as of election day: a pure function
(no I/O), the same for the eligibility page and, later, the reconciliation.

The rules (../shared/DOMAIN.md, "Voter lists"), each a property of the election:
- aged 18 on election day: born on or before election day minus 18 years, so an 18th
  birthday ON election day is eligible. A 29 February birthday is reached on 1 March in a
  year without one: only then has the person lived the whole 18th year (the day after 28
  February). It is the usual reading; if the legal service reads "the last day of the month"
  instead (28 February), `anniversary` is the one place to change.
- with a birth year only, the borderline year (election year minus 18) cannot be decided:
  the person is counted eligible and flagged `birth_date_uncertain`, because leaving a
  citizen off a list silently is worse than listing someone an officer must check; with
  neither date nor year, the age is unknown and the record is not eligible (`birth_unknown`)
  until the register is completed.
- living and resident: permanent (thường trú) or temporary (tạm trú) residence in the area;
  temporarily absent (tạm vắng) keeps the permanent residence here, so the person stays on
  this list (all levels) with the note `temporarily_absent` (they may ask to vote where they
  stay); moved out and deceased records are not eligible.
- not excluded: an active exclusion (a court's deprivation, a death sentence pending, a
  prison term, lost civil act capacity) takes the person off; a revoked one does not count.
- ballot levels: every level of the election for permanent residents and for temporary
  residents registered 12 months or more by election day (12 months exactly counts);
  National Assembly and provincial council only for temporary residents under 12 months (so
  none in a commune council's by-election: `no_ballot`, not on this list). An
  unknown `residence_since` is treated as under 12 months (the narrower ballot is the one
  the record can prove), with the note `residence_since_unknown`.

The register holds no nationality: a record is taken to be a Vietnamese citizen's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.elections.models import ElectionLevel, ExclusionReason
from domain.register.models import ResidenceStatus

VOTING_AGE = 18
FULL_BALLOT_MONTHS = 12  # temporary residence that gives every level
TEMPORARY_LEVELS = frozenset({ElectionLevel.national_assembly,
                              ElectionLevel.provincial_council})


class Ineligible(StrEnum):
    """Why a register record is not on the list."""

    under_age = "under_age"
    birth_unknown = "birth_unknown"
    deceased = "deceased"
    moved_away = "moved_away"
    no_ballot = "no_ballot"  # temporary under 12 months, and the election has no NA/provincial
    excluded_court_deprived = "excluded:court_deprived"
    excluded_death_sentence_pending = "excluded:death_sentence_pending"
    excluded_serving_prison_term = "excluded:serving_prison_term"
    excluded_lost_civil_capacity = "excluded:lost_civil_capacity"


class EligibilityNote(StrEnum):
    """What an officer should know about an eligible record."""

    temporarily_absent = "temporarily_absent"
    residence_since_unknown = "residence_since_unknown"


EXCLUDED = {reason: Ineligible(f"excluded:{reason.value}") for reason in ExclusionReason}


@dataclass(frozen=True, slots=True)
class Voter:
    """What the rules read of a register record."""

    birth_date: date | None
    birth_year: int | None
    residence_status: ResidenceStatus
    residence_since: date | None = None


@dataclass(frozen=True, slots=True)
class Eligibility:
    eligible: bool
    reasons: tuple[Ineligible, ...] = ()
    ballot_levels: tuple[ElectionLevel, ...] = ()
    birth_date_uncertain: bool = False
    notes: tuple[EligibilityNote, ...] = ()


def anniversary(day: date, years: int) -> date:
    """`day` plus whole years; 29 February lands on 1 March in a year without one."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def add_months(day: date, months: int) -> date:
    """`day` plus whole months (the same day of the month; the 1st of the next month when
    that month is shorter, as `anniversary` does)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    try:
        return date(year, month, day.day)
    except ValueError:
        return date(year + month // 12, month % 12 + 1, 1)


def of_age(voter: Voter, election_day: date) -> tuple[bool | None, bool]:
    """(18 on election day: True, False or None when unknown; uncertain: a birth year only,
    the borderline one)."""
    if voter.birth_date is not None:
        return anniversary(voter.birth_date, VOTING_AGE) <= election_day, False
    if voter.birth_year is None:
        return None, False
    borderline = election_day.year - VOTING_AGE
    if voter.birth_year == borderline:
        return True, True
    return voter.birth_year < borderline, False


def assess(voter: Voter, *, election_day: date, levels: Iterable[ElectionLevel | str],
           exclusion: ExclusionReason | None = None) -> Eligibility:
    """Whether `voter` is on the list of an election held on `election_day` with `levels`,
    and on which ballots; `exclusion` is their active exclusion's reason, if any."""
    reasons: list[Ineligible] = []
    adult, uncertain = of_age(voter, election_day)
    if adult is None:
        reasons.append(Ineligible.birth_unknown)
    elif not adult:
        reasons.append(Ineligible.under_age)
    status = voter.residence_status
    if status == ResidenceStatus.deceased:
        reasons.append(Ineligible.deceased)
    elif status == ResidenceStatus.moved_out:
        reasons.append(Ineligible.moved_away)
    if exclusion is not None:
        reasons.append(EXCLUDED[ExclusionReason(exclusion)])
    if reasons:
        return Eligibility(False, tuple(reasons), birth_date_uncertain=uncertain)
    wanted = set(levels)
    ordered = [level for level in ElectionLevel if level in wanted]
    notes: list[EligibilityNote] = []
    if status == ResidenceStatus.temporarily_absent:
        notes.append(EligibilityNote.temporarily_absent)
    if status == ResidenceStatus.temporary:
        if voter.residence_since is None:
            notes.append(EligibilityNote.residence_since_unknown)
        if (voter.residence_since is None or add_months(voter.residence_since,
                                                        FULL_BALLOT_MONTHS) > election_day):
            ordered = [level for level in ordered if level in TEMPORARY_LEVELS]
    if not ordered:
        return Eligibility(False, (Ineligible.no_ballot,), (), uncertain, tuple(notes))
    return Eligibility(True, (), tuple(ordered), uncertain, tuple(notes))


def latest_adult_birth(election_day: date) -> date:
    """The last birth date that is 18 on `election_day` (`anniversary` never decreases as
    the birth moves later, so a full date is of age exactly when it is on or before this
    one; 29 February births included)."""
    day = date(election_day.year - VOTING_AGE, election_day.month, 1) + (
        timedelta(days=election_day.day - 1))  # near the answer, whatever the month's length
    while anniversary(day, VOTING_AGE) > election_day:
        day -= timedelta(days=1)
    while anniversary(day + timedelta(days=1), VOTING_AGE) <= election_day:
        day += timedelta(days=1)
    return day


class Assessor:
    """`assess` for the many records of one election. Records that agree on all the rules
    read share one verdict: a birth only through `of_age`, a residence date only for a
    temporary resident. A commune's hundred thousand cost a few dozen assessments, and a
    full birth date one comparison (with `latest_adult_birth`, not a date built per
    record)."""

    __slots__ = ("adult_by", "day", "levels", "seen")

    def __init__(self, *, election_day: date, levels: Iterable[ElectionLevel | str]) -> None:
        self.day, self.levels = election_day, tuple(levels)
        self.seen: dict[tuple[object, ...], Eligibility] = {}
        self.adult_by = latest_adult_birth(election_day)

    def __call__(self, voter: Voter, exclusion: ExclusionReason | None = None) -> Eligibility:
        status = voter.residence_status
        born = voter.birth_date
        key = ((born <= self.adult_by, False) if born is not None else of_age(voter, self.day),
               status,
               voter.residence_since if status == ResidenceStatus.temporary else None,
               exclusion)
        got = self.seen.get(key)
        if got is None:
            got = self.seen[key] = assess(voter, election_day=self.day, levels=self.levels,
                                          exclusion=exclusion)
        return got
