"""SQL for exports: the caller's readable rows, the list's filters, in keyset batches on id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Row, and_, select
from sqlalchemy.orm import aliased
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.access import Principal
from domain.register.models import Household, Resident
from domain.units.models import AdminUnit, Street
from repositories.register.records import HouseholdRepository, ResidentRepository, _resident_filters

# Rows per round trip: big enough to amortise the query, small enough to keep memory flat.
BATCH = 1000


class ExportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def resident_batches(self, principal: Principal, filters: dict[str, Any], *,
                         batch: int | None = None) -> AsyncIterator[list[Row]]:
        """Residents as the list filters them, with their household's code and address."""
        scoped = _resident_filters(ResidentRepository(self.session).readable(principal),
                                   filters).subquery()
        c = scoped.c
        stmt = select(
            c.id, c.id_number, c.full_name, c.birth_date, c.birth_year, c.sex,
            Household.code.label("household_code"), c.relationship, c.phone,
            c.residence_status, c.residence_since, c.status_changed_on,
            Household.house_number, Street.name.label("street"),
        ).select_from(scoped).outerjoin(Household, Household.id == c.household_id).outerjoin(
            Street, Street.id == Household.street_id)
        return self._keyset(_with_units(stmt, c), c.id, batch or BATCH)

    def household_batches(self, principal: Principal, filters: dict[str, Any], *,
                          batch: int | None = None) -> AsyncIterator[list[Row]]:
        """Households with their street's name and their (living) head's ID number."""
        stmt = HouseholdRepository(self.session).readable(principal)
        for key, column in (("group_id", Household.group_id),
                            ("commune_id", Household.commune_id),
                            ("street_id", Household.street_id)):
            if filters.get(key) is not None:
                stmt = stmt.where(column == filters[key])
        scoped = stmt.subquery()
        c = scoped.c
        head = aliased(Resident)
        stmt = (
            select(c.id, c.code, Street.name.label("street"), c.house_number,
                   c.residence_type, c.old_address_text,
                   head.id_number.label("head_id_number"))
            .select_from(scoped)
            .outerjoin(Street, Street.id == c.street_id)
            .outerjoin(head, and_(head.id == c.head_id, head.deleted_at.is_(None)))
        )
        return self._keyset(_with_units(stmt, c), c.id, batch or BATCH)

    async def _keyset(self, stmt, id_column, batch: int) -> AsyncIterator[list[Row]]:
        # Plain rows, not entities: nothing piles up in the session's identity map.
        after = None
        while True:
            page = stmt if after is None else stmt.where(id_column > after)
            rows = list((await self.session.exec(page.order_by(id_column).limit(batch))).all())
            if rows:
                yield rows
            if len(rows) < batch:
                return
            after = rows[-1].id


def _with_units(stmt, c):
    """`stmt` with the names of the row's group, commune and province (the current address)."""
    for level in ("group", "commune", "province"):
        unit = aliased(AdminUnit)
        stmt = stmt.add_columns(unit.name.label(f"{level}_name")).outerjoin(
            unit, unit.id == c[f"{level}_id"])
    return stmt
