"""Recording visits (offline-safe, order-independent) and reading progress."""

from __future__ import annotations

import hashlib
import uuid

import orjson

from domain.access import Principal, Role
from domain.checks import Checks
from domain.clock import day_vn
from domain.outreach.errors import (
    CampaignNotActive,
    ClientVisitIdReused,
    FollowUpBeforeVisit,
    HouseholdNotInWalkList,
    ResidentNotInHousehold,
    VisitBeforeCampaign,
)
from domain.outreach.models import (
    GOAL_STEPS,
    REACHED,
    READINESS_OF,
    CampaignStatus,
    Goal,
    Visit,
    VisitNeed,
)
from domain.outreach.schemas import VisitCreate
from domain.ports import UnitOfWork
from domain.register.models import ReadinessFact
from domain.register.rules import GUARDED_KINDS
from domain.register.service import check_guardian


def _people(body: dict) -> list[dict]:
    """The body's residents as stored and hashed: without a guardian, as before the field."""
    for person in body["residents"]:
        if person.get("guardian_id") is None:
            person.pop("guardian_id", None)
    return body["residents"]


def _hash(data: VisitCreate) -> str:
    body = data.model_dump(mode="json")
    _people(body)
    body["visited_at"] = data.visited_at.timestamp()
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _slices(target, volunteer_id, moment) -> list[tuple[str, str]]:
    return [("total", "all"), ("unit", str(target.group_id)),
            ("street", str(target.street_id) if target.street_id else "none"),
            ("volunteer", str(volunteer_id)), ("day", day_vn(moment).isoformat())]


def _move(changes, metric, target, old_volunteer, old_at, new_volunteer, new_at) -> None:
    """Credit a first time to the earlier visit: out of the old slices, into the new ones."""
    for dim, key in _slices(target, old_volunteer, old_at):
        changes.append((dim, key, metric, -1))
    for dim, key in _slices(target, new_volunteer, new_at):
        changes.append((dim, key, metric, +1))


async def record_visit(uow: UnitOfWork, who: Principal, campaign_id: uuid.UUID, *,
                       data: VisitCreate) -> tuple[Visit, bool]:
    """Record a visit once; answers (visit, created). A replay answers the first record."""
    campaign = await uow.outreach.get(who, campaign_id)
    request_hash = _hash(data)
    existing = await uow.outreach.visit_by_client_id(campaign, data.client_visit_id)
    if existing is not None:
        return _replayed(existing, request_hash), False
    if campaign.status != CampaignStatus.active:
        raise CampaignNotActive()
    # Its offset, its range and "not ahead of now" are the type's (PastInstant).
    day = day_vn(data.visited_at)
    target = await uow.outreach.target(campaign, data.household_id, for_update=True)
    if target is None or (who.role == Role.volunteer and target.volunteer_id != who.subject_id):
        raise HouseholdNotInWalkList()
    members = {m.id: m for m in await uow.residents.members([data.household_id])}
    with Checks() as checks:
        checks.check(day >= campaign.starts_on, VisitBeforeCampaign(loc=("body", "visited_at")))
        checks.check(data.follow_up_on is None or data.follow_up_on >= day,
                     FollowUpBeforeVisit(loc=("body", "follow_up_on")))
        for i, person in enumerate(data.residents):
            if checks.check(person.resident_id in members, ResidentNotInHousehold(
                    loc=("body", "residents", i, "resident_id"))):
                await _check_guardian(uow, who, members[person.resident_id], person, day,
                                      ("body", "residents", i, "guardian_id"), checks)
        for i, need in enumerate(data.needs):
            checks.check(need.resident_id is None or need.resident_id in members,
                         ResidentNotInHousehold(loc=("body", "needs", i, "resident_id")))
    visit = Visit(
        campaign_id=campaign.id, client_visit_id=data.client_visit_id,
        request_hash=request_hash, household_id=data.household_id,
        volunteer_id=who.subject_id, volunteer_name=who.name, visited_at=data.visited_at,
        outcome=data.outcome, notes=data.notes, follow_up_on=data.follow_up_on,
        residents=_people(data.model_dump(mode="json")))
    if not await uow.outreach.add_visit(visit):  # a twin replay won the race
        twin = await uow.outreach.visit_by_client_id(campaign, data.client_visit_id)
        assert twin is not None  # the row our insert met
        return _replayed(twin, request_hash), False

    changes: list[tuple[str, str, str, int]] = []
    if target.last_visit_at is None or data.visited_at >= target.last_visit_at:
        target.last_visit_at, target.last_outcome = data.visited_at, data.outcome.value
        target.follow_up_on = data.follow_up_on
    if data.outcome in REACHED:
        if target.reached_at is None:
            changes += [(d, k, "households_reached", 1)
                        for d, k in _slices(target, who.subject_id, data.visited_at)]
            target.reached_at, target.reached_visit_id = data.visited_at, visit.id
        elif data.visited_at < target.reached_at:
            earlier = await uow.outreach.visit(campaign, target.reached_visit_id)  # type: ignore[arg-type]  # set with reached_at
            assert earlier is not None
            _move(changes, "households_reached", target, earlier.volunteer_id,
                  target.reached_at, who.subject_id, data.visited_at)
            target.reached_at, target.reached_visit_id = data.visited_at, visit.id
    done = [(person.resident_id, action) for person in data.residents
            for action in dict.fromkeys(person.actions)]
    await _first_times(uow, changes, campaign.id, target, done, visit, who)
    for person in data.residents:
        for action in dict.fromkeys(person.actions):
            if action in READINESS_OF:
                kind = READINESS_OF[action]
                await uow.residents.add_fact(ReadinessFact(
                    resident_id=person.resident_id, kind=kind,
                    occurred_on=day_vn(data.visited_at),
                    guardian_id=person.guardian_id if kind in GUARDED_KINDS else None,
                    recorded_by_id=who.subject_id, recorded_by_name=who.name),
                    flush=False)  # inserted together at commit
    for need in data.needs:
        await uow.outreach.add_need(VisitNeed(
            campaign_id=campaign.id, visit_id=visit.id, household_id=data.household_id,
            resident_id=need.resident_id, category=need.category,
            description=need.description))
    await uow.outreach.bump(campaign.id, changes)
    await uow.audit.record(who, "visit.record", "visit", [visit.id, data.household_id],
                           outcome=data.outcome.value)
    await uow.commit()
    return visit, True


async def _check_guardian(uow: UnitOfWork, who: Principal, resident, person, day, loc,
                         checks: Checks) -> None:
    """The register's guardian rule for the facts a person's actions record: the guarded
    one (VNeID level 2) if done, else any guardian named is out of place."""
    kinds = {READINESS_OF[a] for a in person.actions if a in READINESS_OF}
    guarded = sorted(kinds & GUARDED_KINDS)
    if guarded or person.guardian_id is not None:
        await check_guardian(uow, who, resident, kind=guarded[0] if guarded else "",
                             on=day, guardian_id=person.guardian_id, loc=loc, checks=checks)


async def _first_times(uow: UnitOfWork, changes, campaign_id, target, done, visit, who) -> None:
    """Credit the visit with each (resident, action) done for the first time, or move the
    credit to it when it is earlier than the one recorded: one read for every action."""
    keys = {(resident_id, str(action)): action for resident_id, action in done}
    known = await uow.outreach.first_actions(campaign_id, keys)
    new = [key for key in keys if key not in known]
    inserted = await uow.outreach.add_first_actions([{
        "campaign_id": campaign_id, "resident_id": resident_id, "action": action,
        "first_at": visit.visited_at, "visit_id": visit.id, "volunteer_id": who.subject_id,
        "group_id": target.group_id, "street_id": target.street_id}
        for resident_id, action in new])
    for _, action in inserted:
        changes += [(d, k, action, 1) for d, k in _slices(target, who.subject_id,
                                                          visit.visited_at)]
    if lost := [key for key in new if key not in inserted]:  # a twin visit got there first
        known |= await uow.outreach.first_actions(campaign_id, lost)
    for key, row in known.items():
        if visit.visited_at < row.first_at:  # an earlier visit arrived late: credit moves
            _move(changes, keys[key].value, target, row.volunteer_id, row.first_at,
                  who.subject_id, visit.visited_at)
            row.first_at, row.visit_id = visit.visited_at, visit.id
            row.volunteer_id = who.subject_id


def _replayed(existing: Visit, request_hash: str) -> Visit:
    if existing.request_hash != request_hash:
        raise ClientVisitIdReused(loc=("body", "client_visit_id"))
    return existing


async def open_goals(uow: UnitOfWork, campaign, resident_ids) -> dict[uuid.UUID, list[Goal]]:
    """Goals whose last step has not happened yet, per resident (register facts count)."""
    facts = await uow.residents.readiness(resident_ids)
    done = {(r, a) for r, a in await uow.outreach.actions_done(campaign, resident_ids)}
    out = {}
    for resident_id in resident_ids:
        have = set(facts.get(resident_id, {}))
        goals = []
        for goal in campaign.goals:
            last = GOAL_STEPS[Goal(goal)][-1]
            if (resident_id, last) in done or READINESS_OF.get(last) in have:
                continue
            goals.append(Goal(goal))
        out[resident_id] = goals
    return out
