"""SQL for announcements, their target units and the households told in person."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, delete, func, literal, not_, or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from domain.access import Principal, Role
from domain.announcements.errors import AnnouncementNotFound
from domain.announcements.models import (
    Announcement,
    AnnouncementDelivery,
    AnnouncementUnit,
)
from domain.paging import Page
from domain.register.models import Household
from domain.types import utcnow
from domain.units.models import AdminUnit
from repositories import integrity
from repositories.paging import keyset, page_from_rows, parse_sort
from repositories.register.records import HouseholdRepository
from repositories.scoped import JoinTable, ScopedRepository, UnitColumns, reaching

DELIVERY_TWIN = "uq_announcement_delivery_announcement_id_household_id"
# Who sees only what has gone out: the people the notices are for, and the walkers.
PUBLISHED_ONLY = frozenset({Role.resident, Role.volunteer})


def _published(now):
    return and_(Announcement.publish_at <= now, Announcement.withdrawn_at.is_(None))


def _reaching(unit_ids):
    """Announcements targeting one of `unit_ids` or the commune one of them sits in."""
    communes = sa_select(AdminUnit.commune_id).where(AdminUnit.id.in_(unit_ids))
    return Announcement.id.in_(sa_select(AnnouncementUnit.announcement_id).where(
        or_(AnnouncementUnit.unit_id.in_(unit_ids), AnnouncementUnit.unit_id.in_(communes))))


class AnnouncementRepository(ScopedRepository[Announcement]):
    """A group's people see notices to their group or their whole commune; a commune's
    officers see every notice of the commune. Residents and volunteers: published only."""

    model, not_found = Announcement, AnnouncementNotFound
    scope = (UnitColumns({"commune": Announcement.commune_id,
                          "province": Announcement.province_id})
             | JoinTable(Announcement.id, AnnouncementUnit.announcement_id,
                         AnnouncementUnit.unit_id, reaching))

    @classmethod
    def readable(cls, principal: Principal, *, include_deleted: bool = False):
        stmt = super().readable(principal)
        if not principal.is_unscoped and principal.role in PUBLISHED_ONLY:
            stmt = stmt.where(_published(utcnow()))
        return stmt

    async def list(self, principal: Principal, *, category, unit_id, published, sort, cursor,
                   limit, include_total) -> Page:
        stmt = self.readable(principal)
        if category:
            stmt = stmt.where(Announcement.category == category)
        if unit_id:  # notices reaching the unit: to it, to its commune, or inside it
            stmt = stmt.where(or_(Announcement.commune_id == unit_id,
                                  Announcement.province_id == unit_id,
                                  _reaching([unit_id])))
        if published is not None:
            condition = _published(utcnow())
            stmt = stmt.where(condition if published else not_(condition))
        return await self.page(stmt, sort=sort, allowed={
            "publish_at": Announcement.publish_at, "created_at": Announcement.created_at},
            default="-publish_at", cursor=cursor, limit=limit, include_total=include_total)

    async def add(self, announcement: Announcement) -> None:
        self.session.add(announcement)
        await self.session.flush()
        await self.set_units(announcement)

    async def set_units(self, announcement: Announcement) -> None:
        """Mirror `unit_ids` into the indexed target table."""
        await self.session.execute(delete(AnnouncementUnit).where(
            AnnouncementUnit.announcement_id == announcement.id))
        for unit_id in announcement.unit_ids:
            self.session.add(AnnouncementUnit(announcement_id=announcement.id,
                                              unit_id=uuid.UUID(unit_id)))
        await self.session.flush()

    # -- deliveries ------------------------------------------------------------------
    async def delivery(self, announcement: Announcement,
                       household_id: uuid.UUID) -> AnnouncementDelivery | None:
        stmt = select(AnnouncementDelivery).where(
            AnnouncementDelivery.announcement_id == announcement.id,
            AnnouncementDelivery.household_id == household_id)
        return (await self.session.exec(stmt)).first()

    async def add_delivery(self, delivery: AnnouncementDelivery) -> bool:
        """Insert; False when a twin for the same household got there first."""
        try:
            async with self.session.begin_nested():
                self.session.add(delivery)
                await self.session.flush()
        except IntegrityError as exc:
            if not integrity.is_unique_violation(exc, DELIVERY_TWIN):
                integrity.raise_for(exc)
            self.session.expunge(delivery)
            return False
        return True

    async def deliveries(self, principal: Principal, announcement_id: uuid.UUID, *,
                         household_id, cursor, limit) -> tuple[Announcement, Page]:
        """The announcement and a page of its deliveries to households the caller reads
        (a leader, their group's; a volunteer, the households they walk), latest first."""
        announcement = await self.get(principal, announcement_id)
        stmt = select(AnnouncementDelivery).where(
            AnnouncementDelivery.announcement_id == announcement.id)
        if not principal.is_unscoped:
            stmt = stmt.where(AnnouncementDelivery.household_id.in_(
                sa_select(Household.id).where(HouseholdRepository.scope_of(principal))))
        if household_id:
            stmt = stmt.where(AnnouncementDelivery.household_id == household_id)
        keys = parse_sort("-delivered_at", {"delivered_at": AnnouncementDelivery.delivered_at},
                          "-delivered_at", AnnouncementDelivery.id)
        rows = list((await self.session.exec(keyset(stmt, keys, cursor, limit))).all())
        return announcement, page_from_rows(rows, keys, limit)

    async def households_told(self, announcement: Announcement) -> int:
        stmt = sa_select(func.count()).where(
            AnnouncementDelivery.announcement_id == announcement.id)
        return int(await self.run.fetchval(stmt) or 0)

    async def target_households(self, announcement: Announcement) -> int:
        """Living households of the target units, by the (commune_id) or (group_id) index."""
        where: Any
        if announcement.whole_commune:
            where = Household.commune_id == announcement.commune_id
        elif announcement.group_ids:
            where = Household.group_id.in_(announcement.group_ids)
        else:
            where = literal(False)
        stmt = sa_select(func.count()).select_from(Household).where(
            where, Household.deleted_at.is_(None))
        return int(await self.run.fetchval(stmt) or 0)


# The unit of work's attributes for this area (`uow.<name>`), see repositories/areas.py.
REPOSITORIES = {"announcements": AnnouncementRepository}
