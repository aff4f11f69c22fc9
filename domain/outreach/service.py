"""Use cases of campaigns: draft, start (freezing the targets), assign walks, close."""

from __future__ import annotations

import uuid

from domain.access import Principal, Role
from domain.checks import Checks
from domain.concurrency import check_if_match, touch
from domain.errors import FieldMissing
from domain.outreach.errors import (
    CampaignDates,
    CampaignNotActive,
    CampaignNotDraft,
    CampaignOneCommune,
    CampaignTooLong,
    HouseholdNotInCampaign,
    NotAWalker,
)
from domain.outreach.models import Campaign, CampaignHousehold, CampaignStatus
from domain.outreach.schemas import AssignmentRequest, CampaignCreate, CampaignUpdate
from domain.ports import UnitOfWork
from domain.types import PLAN_HORIZON, utcnow
from domain.units.errors import StreetOtherCommune
from domain.units.models import UnitLevel

WALKERS = {Role.volunteer, Role.group_leader, Role.ward_officer, Role.security_officer}


async def _targets(uow: UnitOfWork, who: Principal, group_ids, street_ids, checks: Checks):
    """All groups in one commune, each one the caller may write to; streets of that
    commune. Answers a group of the commune (None when `checks` holds why not)."""
    groups = await checks.wait(uow.units.targets(who, group_ids, level=UnitLevel.group,
                                                 loc=("body", "group_ids")))
    if groups is None:
        return None
    communes = {g.commune_id for g in groups}
    checks.check(len(communes) == 1, CampaignOneCommune(loc=("body", "group_ids")))
    wanted = list(dict.fromkeys(street_ids))
    streets = {s.id: s for s in await uow.streets.get_many(who, wanted)}
    for street_id in wanted:
        if street_id not in streets:
            raise uow.streets.missing(street_id)
    checks.check(all(streets[s].commune_id in communes for s in wanted),
                 StreetOtherCommune(loc=("body", "street_ids")))
    return groups[0]


def _check_dates(starts_on, ends_on, checks: Checks) -> None:
    """Both dates as they will be stored (a PATCH of one meets the other as stored)."""
    if checks.check(ends_on >= starts_on, CampaignDates(loc=("body", "ends_on"))):
        checks.check(ends_on <= starts_on + PLAN_HORIZON,
                     CampaignTooLong(loc=("body", "ends_on")))


async def create_campaign(uow: UnitOfWork, who: Principal, *, data: CampaignCreate) -> Campaign:
    """Draft a campaign over residential groups of one commune."""
    with Checks() as checks:
        _check_dates(data.starts_on, data.ends_on, checks)
        group = await _targets(uow, who, data.group_ids, data.street_ids, checks)
    assert group is not None
    campaign = Campaign(
        name=data.name, goals=[g.value for g in dict.fromkeys(data.goals)],
        province_id=group.province_id, commune_id=group.commune_id,
        group_ids=[str(g) for g in dict.fromkeys(data.group_ids)],
        street_ids=[str(s) for s in dict.fromkeys(data.street_ids)],
        starts_on=data.starts_on, ends_on=data.ends_on, created_by_id=who.subject_id)
    await uow.outreach.add(campaign)
    await uow.audit.record(who, "campaign.create", "campaign", [campaign.id])
    await uow.commit()
    return campaign


async def update_campaign(uow: UnitOfWork, who: Principal, campaign_id: uuid.UUID, *,
                          data: CampaignUpdate, if_match: str | None) -> Campaign:
    """Change a draft; a started campaign keeps its frozen targets (409)."""
    campaign = await uow.outreach.get_writable(who, campaign_id, for_update=True)
    check_if_match(campaign, if_match)
    changes = data.model_dump(exclude_unset=True)
    if campaign.status != CampaignStatus.draft and set(changes) - {"name", "ends_on"}:
        raise CampaignNotDraft()
    def after(key: str):  # the value once changed (never null: Omittable)
        return changes.get(key, getattr(campaign, key))

    group = None
    with Checks() as checks:
        if "group_ids" in changes or "street_ids" in changes:
            group = await _targets(uow, who, after("group_ids"), after("street_ids"), checks)
        _check_dates(after("starts_on"), after("ends_on"), checks)
    if group is not None:
        campaign.province_id, campaign.commune_id = group.province_id, group.commune_id
    for key, value in changes.items():
        if key in ("group_ids", "street_ids"):
            value = [str(v) for v in dict.fromkeys(value)]
        elif key == "goals":
            value = [g.value for g in dict.fromkeys(value)]
        setattr(campaign, key, value)
    if "group_ids" in changes:
        await uow.outreach.set_groups(campaign)
    touch(campaign)
    await uow.audit.record(who, "campaign.update", "campaign", [campaign.id],
                           fields=sorted(changes))
    await uow.commit()
    return campaign


async def start_campaign(uow: UnitOfWork, who: Principal, campaign_id: uuid.UUID, *,
                         if_match: str | None) -> Campaign:
    """Freeze the target households and residents; visits may be recorded from now on."""
    campaign = await uow.outreach.get_writable(who, campaign_id, for_update=True)
    check_if_match(campaign, if_match)
    if campaign.status != CampaignStatus.draft:
        raise CampaignNotDraft()
    households, residents = await uow.outreach.freeze_targets(campaign)
    campaign.status, campaign.started_at = CampaignStatus.active, utcnow()
    campaign.target_households, campaign.target_residents = households, residents
    await _target_counters(uow, campaign)
    touch(campaign)
    await uow.audit.record(who, "campaign.start", "campaign", [campaign.id],
                           households=households, residents=residents)
    await uow.commit()
    return campaign


async def _target_counters(uow: UnitOfWork, campaign: Campaign) -> None:
    rows = await uow.outreach.targets_in_walk_order(campaign)
    by_unit: dict[str, int] = {}
    by_street: dict[str, int] = {}
    for target, *_ in rows:
        by_unit[str(target.group_id)] = by_unit.get(str(target.group_id), 0) + 1
        street = str(target.street_id) if target.street_id else "none"
        by_street[street] = by_street.get(street, 0) + 1
    await uow.outreach.set_counters(campaign.id, "unit", "target_households", by_unit)
    await uow.outreach.set_counters(campaign.id, "street", "target_households", by_street)


async def close_campaign(uow: UnitOfWork, who: Principal, campaign_id: uuid.UUID, *,
                         if_match: str | None) -> Campaign:
    """No more visits; progress stays readable."""
    campaign = await uow.outreach.get_writable(who, campaign_id, for_update=True)
    check_if_match(campaign, if_match)
    if campaign.status != CampaignStatus.active:
        raise CampaignNotActive()
    campaign.status, campaign.closed_at = CampaignStatus.closed, utcnow()
    touch(campaign)
    await uow.audit.record(who, "campaign.close", "campaign", [campaign.id])
    await uow.commit()
    return campaign


def _cut(items: list, parts: int) -> list[list]:
    """Contiguous, near-equal slices (walks stay along the street)."""
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return out


async def _check_walkers(uow: UnitOfWork, who: Principal, campaign, ids,
                         loc: tuple = ("body", "volunteer_ids")) -> None:
    users = {u.id: u for u in await uow.users.get_many(who, list(dict.fromkeys(ids)))}
    units_of = await uow.users.unit_ids(list(users))
    targets = {uuid.UUID(g) for g in campaign.group_ids} | {campaign.commune_id}
    for volunteer_id in ids:
        if volunteer_id not in users:
            raise uow.users.missing(volunteer_id)
        user = users[volunteer_id]
        inside = set(units_of[user.id]) & targets
        if Role(user.role) not in WALKERS or user.disabled_at is not None or not inside:
            raise NotAWalker(loc=loc)


async def assign(uow: UnitOfWork, who: Principal, campaign_id: uuid.UUID, *,
                 data: AssignmentRequest) -> None:
    """Cut walk lists by street or evenly, or move listed households by hand."""
    campaign = await uow.outreach.get_writable(who, campaign_id, for_update=True)
    if campaign.status != CampaignStatus.active:
        raise CampaignNotActive()
    rows = await uow.outreach.targets_in_walk_order(campaign)
    if data.mode == "manual":
        await _assign_manual(uow, who, campaign, rows, data)
    else:
        if not data.volunteer_ids:
            raise FieldMissing(loc=("body", "volunteer_ids"))
        await _check_walkers(uow, who, campaign, data.volunteer_ids)
        targets = [row[0] for row in rows]
        if data.mode == "balanced":
            walks = _cut(targets, len(data.volunteer_ids))
        else:  # by_street: whole streets to the least-loaded walker, in street order
            walks = [[] for _ in data.volunteer_ids]
            streets: dict[object, list] = {}
            for target in targets:
                streets.setdefault(target.street_id, []).append(target)
            for street_targets in sorted(streets.values(), key=len, reverse=True):
                min(walks, key=len).extend(street_targets)
            for walk in walks:
                walk.sort(key=lambda t: targets.index(t))
        for volunteer_id, walk in zip(data.volunteer_ids, walks, strict=True):
            for order, target in enumerate(walk, start=1):
                target.volunteer_id, target.walk_order = volunteer_id, order
    await uow.audit.record(who, "campaign.assign", "campaign", [campaign.id], mode=data.mode)
    await uow.commit()


async def _assign_manual(uow: UnitOfWork, who, campaign, rows, data: AssignmentRequest) -> None:
    by_household = {row[0].household_id: row[0] for row in rows}
    late = {h.id: h for h in await uow.outreach.late_households(campaign)}
    with Checks() as checks:
        checks.check(bool(data.household_ids), FieldMissing(loc=("body", "household_ids")))
        checks.check(all(h in by_household or h in late for h in data.household_ids),
                     HouseholdNotInCampaign(loc=("body", "household_ids")))
        if data.volunteer_id is not None:
            await checks.wait(_check_walkers(uow, who, campaign, [data.volunteer_id],
                                             loc=("body", "volunteer_id")))
    for household_id in data.household_ids:
        target = by_household.get(household_id)
        if target is None and household_id in late:
            household = late[household_id]
            target = CampaignHousehold(
                campaign_id=campaign.id, household_id=household_id, group_id=household.group_id,
                street_id=household.street_id, added_late=True)
            await uow.outreach.add_target(target)
        assert target is not None  # checked above
        target.volunteer_id = data.volunteer_id
    if data.volunteer_id is not None:  # renumber the volunteer's walk in street order
        order = 0
        for row in await uow.outreach.targets_in_walk_order(campaign):
            if row[0].volunteer_id == data.volunteer_id:
                order += 1
                row[0].walk_order = order
