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
from domain.elections.eligibility import Eligibility, Voter, assess
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
    ResolutionAction,
    VoterListRow,
    VoterListVersion,
)
from domain.elections.reconcile import differences
from domain.elections.reconciliation_schemas import ReconciliationCreate, ResolutionCreate
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
    versions = await uow.reconciliations.latest_versions([a.id for a in areas])
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
        version = await uow.reconciliations.version(uuid.UUID(vid))
        if version is not None:
            out.append(version)
    return out


async def register_of(uow: UnitOfWork, who: Principal, election: Election,
                      areas: list[PollingArea]) -> tuple[list[Person], dict[uuid.UUID, Any],
                                                         dict[uuid.UUID, Eligibility]]:
    """The areas' register records as the matcher reads them, the raw rows by id, and each
    one's eligibility on election day."""
    rows = await uow.reconciliations.people(who, areas)
    excluded = await uow.exclusions.active(election.id, [r.id for _, r in rows])
    people, raw, verdicts = [], {}, {}
    for area_id, r in rows:
        people.append(Person(key=r.id, full_name=r.full_name, birth_date=r.birth_date,
                             birth_year=r.birth_year, sex=r.sex, id_number=r.id_number,
                             address=address_of(r), household_key=r.household_id,
                             area_key=area_id))
        raw[r.id] = r
        exclusion = excluded.get(r.id)
        verdicts[r.id] = assess(
            Voter(r.birth_date, r.birth_year, r.residence_status, r.residence_since),
            election_day=election.election_day, levels=election.levels,
            exclusion=exclusion.reason if exclusion else None)
    return people, raw, verdicts


async def run_reconciliation(uow: UnitOfWork, who: Principal, run: Reconciliation) -> None:
    """Compare, write the discrepancies in bulk, keep or supersede resolutions by key, and
    mark the run succeeded; the caller commits."""
    election = await uow.elections.get(who, run.election_id)
    versions = await _versions(uow, run)
    areas = await uow.polling_areas.get_many(who, [v.polling_area_id for v in versions])
    by_area = {a.id: a for a in areas}
    version_area = {v.id: v.polling_area_id for v in versions}
    entries = [_entry(r, version_area[r.version_id])
               for r in await uow.reconciliations.rows(list(version_area))]
    others = await uow.reconciliations.other_areas(
        election.id, {a.commune_id for a in areas}, set(by_area))
    other_versions = await uow.reconciliations.latest_versions([a.id for a in others])
    other_area = {v.id: v.polling_area_id for v in other_versions.values()}
    other_entries = [_entry(r, other_area[r.version_id])
                     for r in await uow.reconciliations.rows(list(other_area))]
    # The register of the communes' other areas too (a group's run: a row of its list may
    # be a neighbouring area's resident, `wrong_area`, not `unknown_to_register`); what is
    # found about those areas themselves is theirs, dropped below.
    people, raw, verdicts = await register_of(uow, who, election, areas + others)
    findings = differences(entries, people, eligibility=verdicts,
                           election_day=election.election_day, other_area_entries=other_entries)

    previous = await uow.reconciliations.previous(run)
    before = await uow.discrepancies.keys(previous.id) if previous else set()
    live = await uow.resolutions.live(election.id, list({a.commune_id for a in areas}))
    rows: list[dict[str, Any]] = []
    found: set[str] = set()
    for f in findings:
        if f.key in found or f.area_key not in by_area:
            continue
        found.add(f.key)
        area = by_area[f.area_key]
        kept = live.get(f.key)
        person = raw.get(f.person_key) if f.person_key else None
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
            "is_new": f.key not in before,
            "resolution_id": kept.id if kept is not None and kept.kind == f.kind else None})
    await uow.discrepancies.add_many(rows)
    # Resolutions made in these areas whose difference is no longer found.
    stale = [r for r in live.values() if r.key not in found]
    made_in = await uow.discrepancies.areas_of([r.discrepancy_id for r in stale])
    await uow.resolutions.supersede(
        [r.id for r in stale if made_in.get(r.discrepancy_id) in by_area], utcnow())
    counts = Counter(row["kind"] for row in rows)
    run.counts = {kind.value: counts.get(kind.value, 0) for kind in DiscrepancyKind}
    run.changes = {"new": sum(1 for row in rows if row["is_new"]),
                   "gone": len(before - found), "same": len(before & found)}
    run.previous_id = previous.id if previous else None
    run.status, run.finished_at = ReconciliationStatus.succeeded, utcnow()
    touch(run)
    await uow.reconciliations.save()
    await uow.audit.record(who, "reconciliation.finish", "reconciliation", [run.id],
                           discrepancies=len(rows), **run.changes)


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
    latest = (await uow.reconciliations.latest_versions([area_id])).get(area_id)
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
    version = await uow.reconciliations.version(version_id, for_update=True)
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
