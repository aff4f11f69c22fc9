"""Use cases of elections: declaring an election (admins), a commune's polling areas and
exclusions (its officers), and the eligibility of a polling area's register records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from domain.access import Principal
from domain.checks import Checks
from domain.concurrency import check_if_match, touch
from domain.elections.eligibility import Eligibility, Voter, assess
from domain.elections.errors import (
    AmendmentAfterVoting,
    ComplaintAfterElection,
    ElectionAdminOnly,
    ElectionUnitLevel,
    ElectionUnitMismatch,
    ExclusionOutsideElection,
    ExclusionRevoked,
    PollingAreaEmpty,
    PollingAreaInUse,
    PollingAreaOtherCommune,
    PollingAreaOutsideElection,
    PostingAfterElection,
)
from domain.elections.models import Election, Exclusion, PollingArea
from domain.elections.rules import default_amendment_deadline, voting_opens
from domain.elections.schemas import (
    ElectionCreate,
    ElectionUpdate,
    ExclusionCreate,
    ExclusionRevoke,
    PollingAreaCreate,
    PollingAreaUpdate,
)
from domain.errors import FieldMissing
from domain.paging import Page
from domain.ports import UnitOfWork
from domain.register.models import Resident
from domain.types import utcnow
from domain.units.models import AdminUnit, UnitLevel


def _admin_only(who: Principal) -> None:
    if not who.is_unscoped:
        raise ElectionAdminOnly()


def _check_dates(checks: Checks, *, day: date, posting: date, deadline: datetime,
                 complaint: date, opens: time) -> None:
    checks.check(posting < day, PostingAfterElection(loc=("body", "list_posting_on")))
    checks.check(complaint < day, ComplaintAfterElection(loc=("body", "complaint_deadline_on")))
    checks.check(deadline < voting_opens(day, opens),
                 AmendmentAfterVoting(loc=("body", "amendment_deadline_at")))


def _covers(election: Election, province_id: uuid.UUID | None,
            commune_id: uuid.UUID | None) -> bool:
    """The election is held in that commune (a national one everywhere)."""
    return (election.province_id in (None, province_id)
            and election.commune_id in (None, commune_id))


# -- elections ----------------------------------------------------------------------------
async def create_election(uow: UnitOfWork, who: Principal, *, data: ElectionCreate) -> Election:
    """A national election, or a by-election of a province or a commune; admins only."""
    _admin_only(who)
    province_id, commune_id = data.province_id, data.commune_id
    deadline = data.amendment_deadline_at or default_amendment_deadline(
        data.election_day, data.voting_opens_at)
    with Checks() as checks:
        if commune_id is not None:
            commune = await checks.wait(uow.units.target(
                who, commune_id, level=UnitLevel.commune, loc=("body", "commune_id"),
                wrong_level=ElectionUnitLevel(loc=("body", "commune_id"))))
            if commune is not None:
                checks.check(province_id in (None, commune.province_id),
                             ElectionUnitMismatch(loc=("body", "commune_id")))
                province_id = commune.province_id
        elif province_id is not None:
            await checks.wait(uow.units.target(
                who, province_id, level=UnitLevel.province, loc=("body", "province_id"),
                wrong_level=ElectionUnitLevel(loc=("body", "province_id"))))
        _check_dates(checks, day=data.election_day, posting=data.list_posting_on,
                     deadline=deadline, complaint=data.complaint_deadline_on,
                     opens=data.voting_opens_at)
    election = Election(
        name=data.name, election_day=data.election_day,
        levels=[str(level) for level in dict.fromkeys(data.levels)],
        list_posting_on=data.list_posting_on, amendment_deadline_at=deadline,
        complaint_deadline_on=data.complaint_deadline_on, voting_opens_at=data.voting_opens_at,
        province_id=province_id, commune_id=commune_id, created_by_id=who.subject_id)
    await uow.elections.add(election)
    await uow.audit.record(who, "election.create", "election", [election.id],
                           election_day=str(election.election_day))
    await uow.commit()
    return election


async def update_election(uow: UnitOfWork, who: Principal, election_id: uuid.UUID, *,
                          data: ElectionUpdate, if_match: str | None) -> Election:
    """Names, levels and dates; a deadline still at its default follows the day."""
    election = await uow.elections.get(who, election_id, for_update=True)
    _admin_only(who)
    check_if_match(election, if_match)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if "levels" in changes:
        changes["levels"] = [str(level) for level in dict.fromkeys(changes["levels"])]
    was_default = election.amendment_deadline_at == default_amendment_deadline(
        election.election_day, election.voting_opens_at)
    merged = {**election.model_dump(), **changes}
    if "amendment_deadline_at" not in changes and was_default:
        merged["amendment_deadline_at"] = changes["amendment_deadline_at"] = (
            default_amendment_deadline(merged["election_day"], merged["voting_opens_at"]))
    with Checks() as checks:
        _check_dates(checks, day=merged["election_day"], posting=merged["list_posting_on"],
                     deadline=merged["amendment_deadline_at"],
                     complaint=merged["complaint_deadline_on"], opens=merged["voting_opens_at"])
    for key, value in changes.items():
        setattr(election, key, value)
    touch(election)
    await uow.audit.record(who, "election.update", "election", [election.id],
                           fields=sorted(changes))
    await uow.commit()
    return election


# -- polling areas ------------------------------------------------------------------------
@dataclass(frozen=True)
class AreaMembers:
    group_ids: list[uuid.UUID]
    street_ids: list[uuid.UUID]


async def _members(uow: UnitOfWork, who: Principal, checks: Checks, commune_id: uuid.UUID,
                   group_ids: list[uuid.UUID] | None,
                   street_ids: list[uuid.UUID] | None) -> None:
    """The groups and streets a write names: the caller's to write to (else their 404), a
    group's level, all in the area's commune."""
    if group_ids:
        groups = await checks.wait(uow.units.targets(
            who, group_ids, level=UnitLevel.group, loc=("body", "group_ids")))
        for i, group in enumerate(groups or []):
            checks.check(group.commune_id == commune_id,
                         PollingAreaOtherCommune(loc=("body", "group_ids", i)))
    if street_ids:
        wanted = list(dict.fromkeys(street_ids))
        found = {s.id: s for s in await uow.streets.get_many_writable(who, wanted)}
        if missing := [s for s in wanted if s not in found]:
            raise uow.streets.missing(missing[0])
        for i, street_id in enumerate(wanted):
            checks.check(found[street_id].commune_id == commune_id,
                         PollingAreaOtherCommune(loc=("body", "street_ids", i)))


async def _area_commune(uow: UnitOfWork, who: Principal, data: PollingAreaCreate
                        ) -> AdminUnit:
    """The commune named, else the first group's, else the caller's one unit."""
    commune_id = data.commune_id
    if commune_id is None and data.group_ids:
        group = await uow.units.target(who, data.group_ids[0], level=UnitLevel.group,
                                       loc=("body", "group_ids", 0))
        commune_id = group.commune_id
    if commune_id is None and len(who.unit_ids) == 1:
        commune_id = next(iter(who.unit_ids))
    if commune_id is None:
        raise FieldMissing(loc=("body", "commune_id"))
    return await uow.units.target(who, commune_id, level=UnitLevel.commune,
                                  loc=("body", "commune_id"),
                                  wrong_level=ElectionUnitLevel(loc=("body", "commune_id")))


async def create_polling_area(uow: UnitOfWork, who: Principal, election_id: uuid.UUID, *,
                              data: PollingAreaCreate) -> tuple[PollingArea, AreaMembers]:
    """A polling area of one commune the election is held in; each group and street in
    one area of the election (else 409)."""
    election = await uow.elections.get(who, election_id)
    with Checks() as checks:
        checks.check(bool(data.group_ids or data.street_ids),
                     PollingAreaEmpty(loc=("body", "group_ids")))
        commune = await checks.wait(_area_commune(uow, who, data))
        if commune is not None:
            checks.check(_covers(election, commune.province_id, commune.id),
                         PollingAreaOutsideElection(loc=("body", "commune_id")))
            await _members(uow, who, checks, commune.id, data.group_ids, data.street_ids)
    assert commune is not None and commune.province_id is not None  # else Checks raised
    area = PollingArea(election_id=election.id, province_id=commune.province_id,
                       commune_id=commune.id, code=data.code, name=data.name)
    await uow.polling_areas.add(area)
    await uow.polling_areas.set_members(area, group_ids=data.group_ids,
                                        street_ids=data.street_ids)
    await uow.audit.record(who, "polling_area.create", "polling_area", [area.id],
                           election_id=str(election.id), code=area.code)
    await uow.commit()
    members = (await uow.polling_areas.members([area.id]))[area.id]
    return area, AreaMembers(*members)


async def update_polling_area(uow: UnitOfWork, who: Principal, area_id: uuid.UUID, *,
                              data: PollingAreaUpdate, if_match: str | None
                              ) -> tuple[PollingArea, AreaMembers]:
    """Its number, name, groups or streets (each list replaced when given)."""
    area = await uow.polling_areas.get_writable(who, area_id, for_update=True)
    check_if_match(area, if_match)
    changes = data.model_dump(exclude_unset=True)
    current = (await uow.polling_areas.members([area.id]))[area.id]
    with Checks() as checks:
        groups, streets = changes.get("group_ids", current[0]), changes.get("street_ids",
                                                                            current[1])
        checks.check(bool(groups or streets), PollingAreaEmpty(loc=("body", "group_ids")))
        await _members(uow, who, checks, area.commune_id, changes.get("group_ids"),
                       changes.get("street_ids"))
    for key in ("code", "name"):
        if key in changes:
            setattr(area, key, changes[key])
    touch(area)
    await uow.polling_areas.save()
    await uow.polling_areas.set_members(area, group_ids=changes.get("group_ids"),
                                        street_ids=changes.get("street_ids"))
    await uow.audit.record(who, "polling_area.update", "polling_area", [area.id],
                           fields=sorted(changes))
    await uow.commit()
    members = (await uow.polling_areas.members([area.id]))[area.id]
    return area, AreaMembers(*members)


async def delete_polling_area(uow: UnitOfWork, who: Principal, area_id: uuid.UUID, *,
                              if_match: str | None) -> None:
    """Only while no voter list refers to it."""
    area = await uow.polling_areas.get_writable(who, area_id, for_update=True)
    check_if_match(area, if_match)
    if await uow.polling_areas.in_use(area):
        raise PollingAreaInUse()
    await uow.polling_areas.delete(area)
    await uow.audit.record(who, "polling_area.delete", "polling_area", [area_id],
                           election_id=str(area.election_id), code=area.code)
    await uow.commit()


# -- exclusions ---------------------------------------------------------------------------
async def record_exclusion(uow: UnitOfWork, who: Principal, election_id: uuid.UUID, *,
                           data: ExclusionCreate) -> Exclusion:
    """A person of the caller's commune taken off the election's lists, with the legal
    reason and the decision; one active exclusion per person and election (else 409)."""
    election = await uow.elections.get(who, election_id)
    resident = await uow.residents.get_writable(who, data.resident_id)
    with Checks() as checks:
        checks.check(_covers(election, resident.province_id, resident.commune_id),
                     ExclusionOutsideElection(loc=("body", "resident_id")))
    exclusion = Exclusion(
        election_id=election.id, resident_id=resident.id, province_id=resident.province_id,
        commune_id=resident.commune_id, group_id=resident.group_id, reason=data.reason,
        document_ref=data.document_ref, note=data.note, recorded_by_id=who.subject_id,
        recorded_by_name=who.name)
    await uow.exclusions.add(exclusion)
    await uow.audit.record(who, "exclusion.record", "exclusion", [exclusion.id],
                           election_id=str(election.id), resident_id=str(resident.id),
                           reason=str(data.reason))
    await uow.commit()
    return exclusion


async def revoke_exclusion(uow: UnitOfWork, who: Principal, exclusion_id: uuid.UUID, *,
                           data: ExclusionRevoke) -> Exclusion:
    """Rights restored: the person is eligible again (the exclusion stays, revoked)."""
    exclusion = await uow.exclusions.get_writable(who, exclusion_id, for_update=True)
    if exclusion.revoked_at is not None:
        raise ExclusionRevoked()
    exclusion.revoked_at = utcnow()
    exclusion.revoked_by_id, exclusion.revoked_by_name = who.subject_id, who.name
    exclusion.revoke_note = data.note
    touch(exclusion)
    await uow.audit.record(who, "exclusion.revoke", "exclusion", [exclusion.id],
                           election_id=str(exclusion.election_id),
                           resident_id=str(exclusion.resident_id))
    await uow.commit()
    return exclusion


# -- eligibility --------------------------------------------------------------------------
@dataclass(frozen=True)
class Assessed:
    resident: Resident
    eligibility: Eligibility
    exclusion_id: uuid.UUID | None


async def eligibility(uow: UnitOfWork, who: Principal, election_id: uuid.UUID, *,
                      polling_area_id: uuid.UUID, cursor: str | None, limit: int,
                      include_total: bool) -> tuple[Page, list[Assessed]]:
    """A page of the polling area's register records, each assessed as of election day."""
    election = await uow.elections.get(who, election_id)
    area = await uow.polling_areas.get(who, polling_area_id)
    if area.election_id != election.id:
        raise uow.polling_areas.missing(polling_area_id)
    page = await uow.polling_areas.residents(who, area, cursor=cursor, limit=limit,
                                             include_total=include_total)
    excluded = await uow.exclusions.active(election.id, [r.id for r in page.items])
    out = []
    for resident in page.items:
        exclusion = excluded.get(resident.id)
        voter = Voter(resident.birth_date, resident.birth_year, resident.residence_status,
                      resident.residence_since)
        out.append(Assessed(resident, assess(
            voter, election_day=election.election_day, levels=election.levels,
            exclusion=exclusion.reason if exclusion else None),
            exclusion.id if exclusion else None))
    return page, out
