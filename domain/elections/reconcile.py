"""Every difference between official voter lists and the register, with its evidence: pure.

`differences(entries, people, eligibility=..., election_day=...)` links the rows to the
records (`matching.link`) and explains each difference as one `Finding`:

- `missing_from_list` (rule "eligible_not_listed"): an eligible person (per `eligibility`)
  that no row links to, in these lists or in `other_area_entries`; a candidate of an
  ambiguous row is not reported missing (the row may be them: the ambiguous finding says
  so).
- `under_age`, `deceased`, `moved_away`, `excluded`, `birth_unknown`, `no_ballot` (rules
  "eligibility:<reason>"): a linked person whose `Eligibility` carries that reason, one
  finding per kind. `birth_unknown`: the register has neither a birth date nor a year, so
  the age cannot be told (the officer checks the papers; the row's birth is then not also a
  `data_mismatch`); `no_ballot`: a temporary resident under 12 months in an election with
  no level they may vote in (a commune council's by-election). Every `Ineligible` reason
  has its kind: none is dropped.
- `wrong_area` (rule "lives_in_other_area"): a linked, otherwise eligible person whom the
  register places in another polling area (`person_area_key`: of the run, or of
  `people` beyond the run's areas). They are listed, so they are not also
  `missing_from_list` in their own area. Listed in their own area as well, the row in their
  own area is the listing and the other one only `listed_twice` (of two rows in these
  lists, the own area's keeps the link whichever `link` preferred).
- `listed_twice`: two rows for the same person: in these lists (rule "same_person_twice",
  the row that lost the one-to-one link, `other_entry_keys` the linked row), or in another
  area's list of the same election (`other_area_entries`: rule "same_id_number_other_area"
  for the same ID number, "same_person_other_area" for a row linking to the same person).
- `unknown_to_register` (rule "no_candidate"): a row with no candidate.
- `data_mismatch` (rule "id_number_equal" or "name_birth_score", as linked): a linked row
  that differs in `fields`.
- `ambiguous_match` (rule "ambiguous_within_margin"): two or more candidates within the
  margin, in `candidates` with their scores.

`key` names the same difference in every run: the kind, the row's identity (its ID number,
else its folded name, `name_fold`, and birth) and the person's key, at most 200 characters;
rows the data cannot tell apart get "#2", "#3"... in the list's order, so a run's keys are
distinct.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from domain.elections.eligibility import Eligibility, Ineligible
from domain.elections.matching import Entry, Linkage, PeopleIndex, Person, link
from domain.elections.models import DiscrepancyKind
from domain.text import name_fold

KEY_LENGTH = 200

_REASON_KIND = {
    Ineligible.under_age: DiscrepancyKind.under_age,
    Ineligible.deceased: DiscrepancyKind.deceased,
    Ineligible.moved_away: DiscrepancyKind.moved_away,
    Ineligible.excluded_court_deprived: DiscrepancyKind.excluded,
    Ineligible.excluded_death_sentence_pending: DiscrepancyKind.excluded,
    Ineligible.excluded_serving_prison_term: DiscrepancyKind.excluded,
    Ineligible.excluded_lost_civil_capacity: DiscrepancyKind.excluded,
    Ineligible.birth_unknown: DiscrepancyKind.birth_unknown,
    Ineligible.no_ballot: DiscrepancyKind.no_ballot,
}
assert set(_REASON_KIND) == set(Ineligible), "every reason a record is not listed has a kind"


@dataclass(frozen=True, slots=True)
class Finding:
    kind: DiscrepancyKind
    key: str
    rule: str
    entry_key: uuid.UUID | None = None
    person_key: uuid.UUID | None = None
    area_key: uuid.UUID | None = None  # the row's area, else the person's
    score: float | None = None
    fields: tuple[str, ...] = ()
    candidates: tuple[tuple[uuid.UUID, float], ...] = ()
    other_entry_keys: tuple[uuid.UUID, ...] = ()
    person_area_key: uuid.UUID | None = None  # wrong_area: the person's own area


def row_identity(entry: Entry) -> str:
    """The row's identity in a key: its ID number, else its folded name and birth."""
    if entry.id_number:
        return f"id:{entry.id_number}"
    birth = (entry.birth_date.isoformat() if entry.birth_date is not None
             else str(entry.birth_year) if entry.birth_year is not None else "-")
    return f"n:{name_fold(entry.full_name).replace(' ', '_')}:{birth}"


def finding_key(kind: DiscrepancyKind, entry: Entry | None, person_key: uuid.UUID | None,
                ) -> str:
    """Stable text naming one difference; long names are replaced by their hash."""
    who = str(person_key) if person_key is not None else "-"
    row = row_identity(entry) if entry is not None else "-"
    key = f"{kind.value}|{row}|{who}"
    if len(key) > KEY_LENGTH:
        digest = hashlib.sha256(row.encode()).hexdigest()[:32]
        key = f"{kind.value}|h:{digest}|{who}"
    return key


def differences(
    entries: Iterable[Entry], people: Sequence[Person] | PeopleIndex, *,
    eligibility: Mapping[uuid.UUID, Eligibility], election_day: date,
    other_area_entries: Iterable[Entry] = (), linkage: Linkage | None = None,
) -> list[Finding]:
    """Every difference between the rows and the records (see the module's text).
    `people` may be a `PeopleIndex` built once; `election_day` is the day `eligibility`
    was assessed on; `linkage`, when given, is `link(entries, people)` computed already."""
    del election_day  # the eligibility carries it; kept in the signature for the caller
    rows = list(entries)
    index = people if isinstance(people, PeopleIndex) else PeopleIndex(people)
    linkage = _own_area_first(linkage if linkage is not None else link(rows, index))
    out: list[Finding] = []
    linked_rows: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)  # person → rows
    for item in linkage.links:
        linked_rows[item.person.key].append(item.entry.key)

    others = list(other_area_entries)
    other_area = {other.key: other.area_key for other in others}
    other_by_id: dict[str, list[uuid.UUID]] = defaultdict(list)
    for other in others:
        if other.id_number:
            other_by_id[other.id_number].append(other.key)
    other_person: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if others:
        for item in link(others, index).links:
            other_person[item.person.key].append(item.entry.key)

    for item in linkage.links:
        entry, person = item.entry, item.person
        area = entry.area_key
        rule = "id_number_equal" if item.method == "id_number" else "name_birth_score"
        verdict = eligibility.get(person.key)
        fields = item.fields
        seen: set[DiscrepancyKind] = set()
        if verdict is not None:
            if Ineligible.birth_unknown in verdict.reasons:
                fields = tuple(f for f in fields if f != "birth_date")
            for reason in verdict.reasons:
                kind = _REASON_KIND[reason]
                if kind in seen:
                    continue
                seen.add(kind)
                out.append(Finding(kind, finding_key(kind, entry, person.key),
                                   f"eligibility:{reason.value}", entry.key, person.key,
                                   area, item.score, fields))
        same_id = other_by_id.get(entry.id_number, []) if entry.id_number else []
        same_person = [k for k in other_person.get(person.key, []) if k not in same_id]
        home = person.area_key
        if (not seen and home is not None and home != area
                and not any(other_area[k] == home for k in same_id + same_person)):
            kind = DiscrepancyKind.wrong_area
            out.append(Finding(kind, finding_key(kind, entry, person.key),
                               "lives_in_other_area", entry.key, person.key, area, item.score,
                               fields, person_area_key=home))
        if fields:
            kind = DiscrepancyKind.data_mismatch
            out.append(Finding(kind, finding_key(kind, entry, person.key), rule, entry.key,
                               person.key, area, item.score, fields))
        if same_id or same_person:
            kind = DiscrepancyKind.listed_twice
            out.append(Finding(kind, finding_key(kind, entry, person.key),
                               "same_id_number_other_area" if same_id
                               else "same_person_other_area",
                               entry.key, person.key, area, item.score, item.fields,
                               other_entry_keys=tuple(sorted(same_id + same_person))))

    for item in linkage.taken:
        kind = DiscrepancyKind.listed_twice
        out.append(Finding(kind, finding_key(kind, item.entry, item.person.key),
                           "same_person_twice", item.entry.key, item.person.key,
                           item.entry.area_key, item.score, item.fields,
                           other_entry_keys=tuple(sorted(linked_rows[item.person.key]))))

    by_key = {entry.key: entry for entry in rows}
    for amb in linkage.ambiguous:
        kind = DiscrepancyKind.ambiguous_match
        out.append(Finding(kind, finding_key(kind, amb.entry, None), "ambiguous_within_margin",
                           amb.entry.key, None, amb.entry.area_key, amb.candidates[0][1],
                           candidates=amb.candidates))

    for key in linkage.unmatched:
        entry = by_key[key]
        same_id = other_by_id.get(entry.id_number, []) if entry.id_number else []
        kind = DiscrepancyKind.unknown_to_register
        out.append(Finding(kind, finding_key(kind, entry, None), "no_candidate", entry.key,
                           None, entry.area_key))
        if same_id:
            kind = DiscrepancyKind.listed_twice
            out.append(Finding(kind, finding_key(kind, entry, None),
                               "same_id_number_other_area", entry.key, None, entry.area_key,
                               other_entry_keys=tuple(sorted(same_id))))

    maybe = {key for amb in linkage.ambiguous for key, _ in amb.candidates}
    for person in index.people:
        verdict = eligibility.get(person.key)
        if (verdict is None or not verdict.eligible or person.key in linked_rows
                or person.key in other_person or person.key in maybe):
            continue
        kind = DiscrepancyKind.missing_from_list
        out.append(Finding(kind, finding_key(kind, None, person.key), "eligible_not_listed",
                           None, person.key, person.area_key))
    return _distinct_keys(out)


def _own_area_first(linkage: Linkage) -> Linkage:
    """A person listed in their own area and in another one of the run: the row in their
    own area is the listing (whichever row `link` preferred), the other one is the row
    listed twice."""
    if not linkage.taken:
        return linkage
    at = {item.person.key: i for i, item in enumerate(linkage.links)}
    links, taken = list(linkage.links), []
    for item in linkage.taken:
        i, home = at.get(item.person.key), item.person.area_key
        if (i is not None and home is not None and item.entry.area_key == home
                and links[i].entry.area_key != home):
            links[i], item = item, links[i]
        taken.append(item)
    return Linkage(links, linkage.ambiguous, linkage.unmatched, taken)


def _distinct_keys(findings: list[Finding]) -> list[Finding]:
    """Rows the data cannot tell apart (two namesakes listed with the same name and year,
    a third copy of a row) would share a key: the second gets "#2", the third "#3", in the
    order of the findings (the list's order), so every key of a run names one finding."""
    seen: dict[str, int] = {}
    out = []
    for finding in findings:
        n = seen.get(finding.key, 0) + 1
        seen[finding.key] = n
        if n > 1:
            suffix = f"#{n}"
            finding = replace(finding, key=finding.key[:KEY_LENGTH - len(suffix)] + suffix)
        out.append(finding)
    return out
