"""Use cases of announcements: publish or schedule, change before publishing, withdraw, and
record the households told in person."""

from __future__ import annotations

import uuid

from domain.access import Principal, Role
from domain.announcements.errors import (
    AnnouncementCategoryForbidden,
    AnnouncementOneCommune,
    AnnouncementOutsideScope,
    AnnouncementPublished,
    AnnouncementUnitLevel,
    AnnouncementWithdrawn,
    DeliveredBeforePublish,
)
from domain.announcements.models import (
    Announcement,
    AnnouncementCategory,
    AnnouncementCreate,
    AnnouncementDelivery,
    AnnouncementUpdate,
    Channel,
    DeliveryCreate,
)
from domain.checks import Checks
from domain.concurrency import check_if_match, touch
from domain.ports import UnitOfWork
from domain.register.errors import HouseholdNotFound
from domain.types import utcnow
from domain.units.models import AdminUnit, UnitLevel

# Security officers (tổ bảo vệ ANTT) issue fraud warnings, and nothing else.
CATEGORIES_OF: dict[Role, frozenset[AnnouncementCategory]] = {
    Role.security_officer: frozenset({AnnouncementCategory.fraud_warning}),
}


def _check_category(who: Principal, category: AnnouncementCategory) -> None:
    allowed = CATEGORIES_OF.get(who.role)
    if allowed is not None and category not in allowed:
        raise AnnouncementCategoryForbidden(category=str(category))


async def _targets(uow: UnitOfWork, who: Principal, unit_ids) -> AdminUnit:
    """Groups or a commune, all in one commune, each one the caller may write to (an
    ancestor they only read is a 404 as any unit out of scope); answers one."""
    units = await uow.units.targets(
        who, unit_ids, level=(UnitLevel.group, UnitLevel.commune), loc=("body", "unit_ids"),
        wrong_level=AnnouncementUnitLevel(loc=("body", "unit_ids")))
    if len({u.commune_id for u in units}) != 1:
        raise AnnouncementOneCommune(loc=("body", "unit_ids"))
    return units[0]


async def _check_writer(uow: UnitOfWork, who: Principal, announcement: Announcement) -> None:
    """A reader may not be a writer: every target must be a unit the caller may write to."""
    _check_category(who, announcement.category)
    if who.is_unscoped:
        return
    targets = {uuid.UUID(u) for u in announcement.unit_ids}
    if not targets or len(await uow.units.get_many_writable(who, list(targets))) < len(targets):
        raise AnnouncementOutsideScope()


async def create_announcement(uow: UnitOfWork, who: Principal, *,
                              data: AnnouncementCreate) -> Announcement:
    """Publish now, or schedule for `publish_at`."""
    _check_category(who, data.category)
    unit = await _targets(uow, who, data.unit_ids)
    announcement = Announcement(
        title=data.title, body=data.body, category=data.category,
        province_id=unit.province_id, commune_id=unit.commune_id,  # type: ignore[arg-type]  # set on groups and communes
        unit_ids=[str(u) for u in dict.fromkeys(data.unit_ids)],
        channels=[c.value for c in dict.fromkeys(data.channels)],
        publish_at=data.publish_at, created_by_id=who.subject_id)
    await uow.announcements.add(announcement)
    await uow.audit.record(who, "announcement.create", "announcement", [announcement.id],
                           category=str(announcement.category),
                           scheduled=announcement.publish_at > utcnow())
    await uow.commit()
    return announcement


def _check_open(announcement: Announcement) -> None:
    if announcement.withdrawn_at is not None:
        raise AnnouncementWithdrawn()


async def update_announcement(uow: UnitOfWork, who: Principal, announcement_id: uuid.UUID, *,
                              data: AnnouncementUpdate, if_match: str | None) -> Announcement:
    """Change a scheduled announcement; once published it stands as told (409)."""
    announcement = await uow.announcements.get(who, announcement_id, for_update=True)
    check_if_match(announcement, if_match)
    await _check_writer(uow, who, announcement)
    _check_open(announcement)
    if announcement.publish_at <= utcnow():
        raise AnnouncementPublished()
    changes = data.model_dump(exclude_unset=True)
    unit = None
    with Checks() as checks:
        if "category" in changes:
            _check_category(who, data.category)  # type: ignore[arg-type]  # never None: Omittable
        if "unit_ids" in changes:
            unit = await checks.wait(_targets(uow, who, data.unit_ids))
    if unit is not None:
        announcement.province_id, announcement.commune_id = unit.province_id, unit.commune_id  # type: ignore[assignment]  # set on groups and communes
        announcement.unit_ids = [str(u) for u in dict.fromkeys(data.unit_ids)]  # type: ignore[arg-type]  # never None: Omittable
        await uow.announcements.set_units(announcement)
    if "channels" in changes:
        announcement.channels = [c.value for c in dict.fromkeys(data.channels)]  # type: ignore[arg-type]  # never None: Omittable
    for key in ("title", "body", "category", "publish_at"):
        if key in changes:
            setattr(announcement, key, getattr(data, key))
    touch(announcement)
    await uow.audit.record(who, "announcement.update", "announcement", [announcement.id],
                           fields=sorted(changes))
    await uow.commit()
    return announcement


async def withdraw_announcement(uow: UnitOfWork, who: Principal, announcement_id: uuid.UUID, *,
                                if_match: str | None) -> Announcement:
    """Take a notice back (scheduled or published); it stays on record as withdrawn."""
    announcement = await uow.announcements.get(who, announcement_id, for_update=True)
    check_if_match(announcement, if_match)
    await _check_writer(uow, who, announcement)
    _check_open(announcement)
    announcement.withdrawn_at, announcement.withdrawn_by_id = utcnow(), who.subject_id
    touch(announcement)
    await uow.audit.record(who, "announcement.withdraw", "announcement", [announcement.id])
    await uow.commit()
    return announcement


def reaches(announcement: Announcement, household) -> bool:
    """The household lives in one of the announcement's target units."""
    if household.commune_id != announcement.commune_id:
        return False
    return announcement.whole_commune or household.group_id in announcement.group_ids


async def record_delivery(uow: UnitOfWork, who: Principal, announcement_id: uuid.UUID, *,
                          data: DeliveryCreate) -> tuple[AnnouncementDelivery, bool]:
    """Record once per household; answers (delivery, created). Again answers the first."""
    announcement = await uow.announcements.get(who, announcement_id)
    # A leader tells their own households of a commune-wide notice: the household's scope
    # is what counts here, not every target of the announcement.
    _check_category(who, announcement.category)
    household = await uow.households.get_writable(who, data.household_id)
    if not reaches(announcement, household):
        raise HouseholdNotFound(household_id=str(data.household_id))
    existing = await uow.announcements.delivery(announcement, household.id)
    if existing is not None:
        return existing, False
    _check_open(announcement)
    if data.delivered_at < announcement.publish_at:
        raise DeliveredBeforePublish(loc=("body", "delivered_at"))
    delivery = AnnouncementDelivery(
        announcement_id=announcement.id, household_id=household.id, channel=Channel(data.channel),
        delivered_at=data.delivered_at, delivered_by_id=who.subject_id,
        delivered_by_name=who.name)
    if not await uow.announcements.add_delivery(delivery):  # a twin got there first
        twin = await uow.announcements.delivery(announcement, household.id)
        assert twin is not None  # the row our insert met
        return twin, False
    await uow.audit.record(who, "announcement.deliver", "announcement", [announcement.id],
                           household_id=str(household.id), channel=data.channel)
    await uow.commit()
    return delivery, True
