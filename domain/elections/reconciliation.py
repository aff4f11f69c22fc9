"""Use cases of voter-list reconciliation: start a run over a unit's polling areas, run it
(the latest list of each area against the register, `matching.link` and
`reconcile.differences`), resolve a discrepancy, finalise a list.

A run is one transaction: its discrepancies, counts and changes, the resolutions it keeps
(their key found again: linked by `resolution_id`) and those it supersedes (their key gone)
commit together, or the run is marked failed and writes no discrepancy. Resolutions record
the officer's decision; correcting the register itself goes through the register's API, and
the next run then no longer finds the difference (its resolution is superseded)."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

from domain.access import Principal
from domain.checks import Checks
from domain.concurrency import touch
from domain.elections.eligibility import Assessor, Eligibility, Voter
from domain.elections.errors import (
    DiscrepancyOutdated,
    DiscrepancyResolved,
    LegalReasonNotAllowed,
    LegalReasonRequired,
    PollingAreaNotFound,
    ReconciliationNoLists,
    ResolutionActionNotAllowed,
    VoterListFinalised,
    VoterListNotFound,
    VoterListNotReconciled,
    VoterListOpenDiscrepancies,
)
from domain.elections.matching import Entry, Person
from domain.elections.models import (
    Discrepancy,
    DiscrepancyKind,
    DiscrepancyResolution,
    Election,
    PollingArea,
    Reconciliation,
    ReconciliationStatus,
    RegisterRecord,
    ResolutionAction,
    VoterListRow,
    VoterListVersion,
)
from domain.elections.reconcile import differences
from domain.elections.reconciliation_schemas import ReconciliationCreate, ResolutionCreate
from domain.jobs import collector_paused
from domain.ports import UnitOfWork
from domain.types import utcnow, uuid7
from domain.units.models import UnitLevel

A = ResolutionAction
# What an officer may decide on each kind of difference.
ALLOWED: dict[DiscrepancyKind, tuple[ResolutionAction, ...]] = {
    DiscrepancyKind.missing_from_list: (A.add_to_list, A.correct_register, A.no_change),
    DiscrepancyKind.under_age: (A.remove_from_list, A.correct_register, A.false_match),
    DiscrepancyKind.deceased: (A.remove_from_list, A.correct_register, A.false_match),
    DiscrepancyKind.moved_away: (A.remove_from_list, A.correct_register, A.false_match),
    DiscrepancyKind.excluded: (A.remove_from_list, A.false_match),
    DiscrepancyKind.listed_twice: (A.remove_from_list, A.no_change, A.false_match),
    DiscrepancyKind.unknown_to_register: (A.remove_from_list, A.correct_register,
                                          A.no_change),
    DiscrepancyKind.data_mismatch: (A.correct_list, A.correct_register, A.no_change,
                                    A.false_match),
    DiscrepancyKind.ambiguous_match: (A.correct_list, A.correct_register, A.remove_from_list,
                                      A.no_change, A.false_match),
    # The officer checked the papers: of age (no change, or the birth into the register),
    # under age (removed), or another person.
    DiscrepancyKind.birth_unknown: (A.correct_register, A.remove_from_list, A.no_change,
                                    A.false_match),
    # Not "no change": the person has no ballot in this election, unless the register's
    # residence date is wrong (correct_register).
    DiscrepancyKind.no_ballot: (A.remove_from_list, A.correct_register, A.false_match),
    # Removed here (not_resident): the corrected list of their own area takes them in;
    # or the register's address is wrong, or they vote here (no change), or another person.
    DiscrepancyKind.wrong_area: (A.remove_from_list, A.correct_register, A.no_change,
                                 A.false_match),
}
RUN_LEVELS = (UnitLevel.group, UnitLevel.commune, UnitLevel.province)


async def start_reconciliation(uow: UnitOfWork, who: Principal, election_id: uuid.UUID, *,
                               data: ReconciliationCreate, inline_rows: int
                               ) -> tuple[Reconciliation, bool]:
    """Queue a run over the latest list of each polling area within a unit the caller may
    write to; one queued or running per election and unit (else 409). Answers the run and
    whether it is small enough (`inline_rows`) for the request to run it itself."""
    election = await uow.elections.get(who, election_id)
    unit = await uow.units.target(who, data.unit_id, level=RUN_LEVELS, loc=("body", "unit_id"))
    areas = await uow.reconciliations.areas_within(election.id, unit)
    versions = await uow.voter_lists.latest_versions([a.id for a in areas])
    if not versions:
        raise ReconciliationNoLists(loc=("body", "unit_id"))
    assert unit.province_id is not None
    run = Reconciliation(
        election_id=election.id, unit_id=unit.id, province_id=unit.province_id,
        commune_id=unit.commune_id, list_version_ids=[str(v.id) for v in versions.values()],
        requested_by_id=who.subject_id, requested_by_name=who.name,
        submitted_by=who.snapshot())
    await uow.reconciliations.add(run)
    await uow.audit.record(who, "reconciliation.start", "reconciliation", [run.id],
                           election_id=str(election.id), unit_id=str(unit.id))
    inline = sum(v.row_count for v in versions.values()) <= inline_rows
    if not inline:
        await uow.jobs.enqueue("elections.reconcile", queueing_lock=f"reconciliation:{run.id}",
                               reconciliation_id=str(run.id))
    await uow.commit()
    return run, inline


def _entry(row: VoterListRow, area_id: uuid.UUID) -> Entry:
    return Entry(key=row.id, area_key=area_id, full_name=row.full_name,
                 birth_date=row.birth_date, birth_year=row.birth_year, sex=row.sex,
                 id_number=row.id_number, address=row.address)


def address_of(row: Any) -> str | None:
    """A household's address as a list prints it: "34/2 Trần Phú"."""
    parts = [p for p in (row.house_number, row.street) if p]
    return " ".join(parts) or None


async def _versions(uow: UnitOfWork, run: Reconciliation) -> list[VoterListVersion]:
    out = []
    for vid in run.list_version_ids:
        version = await uow.voter_lists.version(uuid.UUID(vid))
        if version is not None:
            out.append(version)
    return out


async def eligible_in(uow: UnitOfWork, who: Principal, election: Election,
                      areas: list[PollingArea]) -> Counter[uuid.UUID]:
    """How many of the areas' register records are on the list on election day, per area:
    `register_of`'s verdicts, reading only what they need."""
    excluded = await uow.exclusions.active_in(election.id, list({a.commune_id for a in areas}))
    verdict = Assessor(election_day=election.election_day, levels=election.levels)
    return Counter(area_id for area_id, resident_id, voter
                   in await uow.reconciliations.voters(who, areas)
                   if verdict(voter, excluded.get(resident_id)).eligible)


async def register_of(uow: UnitOfWork, who: Principal, election: Election,
                      areas: list[PollingArea]) -> tuple[list[Person],
                                                         dict[uuid.UUID, RegisterRecord],
                                                         dict[uuid.UUID, Eligibility]]:
    """The areas' register records as the matcher reads them, the records by id, and each
    one's eligibility on election day."""
    rows = await uow.reconciliations.people(who, areas)
    excluded = await uow.exclusions.active_in(election.id, list({a.commune_id for a in areas}))
    people, raw, verdicts = [], {}, {}
    verdict = Assessor(election_day=election.election_day, levels=election.levels)
    for area_id, r in rows:
        people.append(Person(r.id, r.full_name, r.birth_date, r.birth_year, r.sex,
                             r.id_number, address_of(r), r.household_id, area_id))
        raw[r.id] = r
        verdicts[r.id] = verdict(
            Voter(r.birth_date, r.birth_year, r.residence_status, r.residence_since),
            excluded.get(r.id))
    return people, raw, verdicts


class _Tally:
    """What a run has found so far, commune after commune."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.found: set[str] = set()
        self.new = 0


async def _reconcile_commune(uow: UnitOfWork, who: Principal, run: Reconciliation,
                             election: Election, areas: list[PollingArea],
                             versions: list[VoterListVersion], *, before: set[str],
                             live: dict[str, DiscrepancyResolution], tally: _Tally) -> None:
    """One commune's lists against its register: read, compare, write its discrepancies.
    A person lives in one commune, so a province's run holds one commune in memory at a
    time; a citizen listed in two communes is found by the ID number (`same_id_elsewhere`)."""
    by_area = {a.id: a for a in areas}
    version_ids = [v.id for v in versions]
    entries = await uow.voter_lists.entries(version_ids)
    # The commune's other areas outside this run (their lists may hold the same person),
    # and rows anywhere else in the election carrying one of these rows' ID numbers.
    commune = areas[0].commune_id
    others = await uow.reconciliations.other_areas(
        election.id, {commune}, {a.id for a in areas})
    other_versions = await uow.voter_lists.latest_versions([a.id for a in others])
    other_entries = await uow.voter_lists.entries([v.id for v in other_versions.values()])
    seen_other = {e.key for e in other_entries}
    other_entries += [e for e in await uow.voter_lists.same_id_elsewhere(
        election.id, version_ids) if e.key not in seen_other]
    # The register of the commune's other areas too (a group's run: a row of its list
    # may be a neighbouring area's resident, `wrong_area`, not `unknown_to_register`); what
    # is found about those areas themselves is theirs, dropped below.
    people, raw, verdicts = await register_of(uow, who, election, areas + others)
    findings = differences(entries, people, eligibility=verdicts,
                           election_day=election.election_day, other_area_entries=other_entries)
    del entries, other_entries, people, verdicts
    rows: list[dict[str, Any]] = []
    found = tally.found
    for f in findings:
        if f.key in found or f.area_key not in by_area:
            continue
        found.add(f.key)
        area = by_area[f.area_key]
        kept = live.get(f.key)
        person = raw.get(f.person_key) if f.person_key else None
        is_new = f.key not in before
        tally.new += is_new
        tally.counts[f.kind.value] += 1
        rows.append({
            "id": uuid7(), "reconciliation_id": run.id, "election_id": election.id,
            "polling_area_id": area.id, "province_id": area.province_id,
            "commune_id": area.commune_id, "group_id": person.group_id if person else None,
            "kind": f.kind.value, "key": f.key, "row_id": f.entry_key,
            "resident_id": f.person_key, "score": f.score, "rule": f.rule,
            "fields": list(f.fields),
            "candidates": [{"resident_id": str(k), "score": s} for k, s in f.candidates] or (
                [{"resident_id": str(f.person_key), "score": f.score,
                  "polling_area_id": str(f.person_area_key)}] if f.person_area_key else []),
            "other_row_ids": [str(k) for k in f.other_entry_keys],
            "is_new": is_new,
            "resolution_id": kept.id if kept is not None and kept.kind == f.kind else None})
    await uow.discrepancies.add_many(rows)


async def run_reconciliation(uow: UnitOfWork, who: Principal, run: Reconciliation) -> None:
    """Compare commune by commune, write the discrepancies in bulk, keep or supersede
    resolutions by key, and mark the run succeeded; the caller commits."""
    election = await uow.elections.get(who, run.election_id)
    versions = await _versions(uow, run)
    areas = await uow.polling_areas.get_many(who, [v.polling_area_id for v in versions])
    by_area = {a.id: a for a in areas}
    communes: dict[uuid.UUID, tuple[list[PollingArea], list[VoterListVersion]]] = {}
    for version in versions:
        area = by_area.get(version.polling_area_id)
        if area is not None:
            held = communes.setdefault(area.commune_id, ([], []))
            held[0].append(area)
            held[1].append(version)

    previous = await uow.reconciliations.previous(run)
    before = await uow.discrepancies.keys(previous.id) if previous else set()
    live = await uow.resolutions.live(election.id, list(communes))
    tally = _Tally()
    for commune_areas, commune_versions in communes.values():
        with collector_paused():
            await _reconcile_commune(uow, who, run, election, commune_areas,
                                     commune_versions, before=before, live=live, tally=tally)
    # Resolutions made in these areas whose difference is no longer found.
    stale = [r for r in live.values() if r.key not in tally.found]
    made_in = await uow.discrepancies.areas_of([r.discrepancy_id for r in stale])
    await uow.resolutions.supersede(
        [r.id for r in stale if made_in.get(r.discrepancy_id) in by_area], utcnow())
    run.counts = {kind.value: tally.counts.get(kind.value, 0) for kind in DiscrepancyKind}
    run.changes = {"new": tally.new, "gone": len(before - tally.found),
                   "same": len(before & tally.found)}
    run.previous_id = previous.id if previous else None
    run.status, run.finished_at = ReconciliationStatus.succeeded, utcnow()
    touch(run)
    await uow.reconciliations.save()
    await uow.audit.record(who, "reconciliation.finish", "reconciliation", [run.id],
                           discrepancies=sum(tally.counts.values()), **run.changes)


def failed(run: Reconciliation, code: str, message: str) -> None:
    run.status, run.finished_at = ReconciliationStatus.failed, utcnow()
    run.error = {"code": code, "message": message}
    touch(run)


def started(run: Reconciliation) -> None:
    run.status, run.started_at = ReconciliationStatus.running, utcnow()
    touch(run)


# -- resolution ---------------------------------------------------------------------------
async def _open_version(uow: UnitOfWork, run: Reconciliation, area_id: uuid.UUID
                        ) -> VoterListVersion:
    """The run's list of the area, still the area's latest and not finalised."""
    latest = (await uow.voter_lists.latest_versions([area_id])).get(area_id)
    if latest is None or str(latest.id) not in run.list_version_ids:
        raise DiscrepancyOutdated()
    if latest.finalised_at is not None:
        raise VoterListFinalised()
    return latest


async def resolve_discrepancy(uow: UnitOfWork, who: Principal, discrepancy_id: uuid.UUID, *,
                              data: ResolutionCreate) -> tuple[Discrepancy,
                                                               DiscrepancyResolution]:
    """An officer's decision with a note, kept by key for later runs; once per difference
    (409), on the latest run only (409), never after the list was finalised (409)."""
    found = await uow.discrepancies.get_writable(who, discrepancy_id, for_update=True)
    run = await uow.reconciliations.one(found.reconciliation_id)
    latest = await uow.reconciliations.latest(run.election_id, run.unit_id)
    if latest is None or latest.id != run.id:
        raise DiscrepancyOutdated()
    await _open_version(uow, run, found.polling_area_id)
    if found.resolution_id is not None or await uow.resolutions.is_live(found.election_id,
                                                                        found.key):
        raise DiscrepancyResolved()
    allowed = ALLOWED[found.kind]
    with Checks() as checks:
        checks.check(data.action in allowed, ResolutionActionNotAllowed(
            loc=("body", "action"), kind=found.kind.value,
            allowed=", ".join(a.value for a in allowed)))
        if data.action == A.remove_from_list:
            checks.check(data.legal_reason is not None,
                         LegalReasonRequired(loc=("body", "legal_reason")))
        else:
            checks.check(data.legal_reason is None,
                         LegalReasonNotAllowed(loc=("body", "legal_reason")))
    resolution = DiscrepancyResolution(
        election_id=found.election_id, province_id=found.province_id,
        commune_id=found.commune_id, key=found.key, kind=found.kind,
        discrepancy_id=found.id, action=data.action, legal_reason=data.legal_reason,
        note=data.note, resolved_by_id=who.subject_id, resolved_by_name=who.name)
    await uow.resolutions.add(resolution)
    await uow.discrepancies.mark(run.id, found.key, resolution.id)
    found.resolution_id = resolution.id
    await uow.audit.record(who, "discrepancy.resolve", "discrepancy", [found.id],
                           decision=data.action.value, kind=found.kind.value,
                           legal_reason=data.legal_reason)
    await uow.commit()
    return found, resolution


async def finalise_list(uow: UnitOfWork, who: Principal, version_id: uuid.UUID
                        ) -> VoterListVersion:
    """The corrected list is handed back: refused while its latest run has open
    discrepancies (409 with their count) or before any run compared it."""
    version = await uow.voter_lists.version(version_id, for_update=True)
    if version is None:
        raise VoterListNotFound()
    try:
        area = await uow.polling_areas.get_writable(who, version.polling_area_id)
    except PollingAreaNotFound:
        raise VoterListNotFound() from None
    if version.finalised_at is not None:
        raise VoterListFinalised()
    run = await uow.reconciliations.latest_covering(version)
    if run is None:
        raise VoterListNotReconciled()
    if still := await uow.discrepancies.open_count(run.id, area.id):
        raise VoterListOpenDiscrepancies(open=still)
    version.finalised_at, version.finalised_by_id = utcnow(), who.subject_id
    touch(version)
    await uow.reconciliations.save()
    await uow.audit.record(who, "voter_list.finalise", "voter_list_version", [version.id],
                           polling_area_id=str(area.id), reconciliation_id=str(run.id))
    await uow.commit()
    return version
