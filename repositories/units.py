"""SQL for administrative units and streets, scoped by `readable(principal)`."""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Any

from sqlalchemy import exists, or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.access import Principal
from domain.units.errors import StreetInUse, StreetNotFound, UnitHasChildren, UnitNotFound
from domain.units.models import AdminUnit, Street, UnitKind, UnitLevel
from repositories.direct import Run, any_of
from repositories.flush import flush_or_conflict
from repositories.paging import Page, count_of, keyset, page_from_rows, parse_sort


def scope_communes(principal: Principal):
    """Ids of the communes the principal's units sit in (a commune counts as its own)."""
    return select(AdminUnit.commune_id).where(AdminUnit.id.in_(principal.unit_ids))


# A unit's level never changes once created, so it is safe to remember for the process.
_LEVELS: dict[uuid.UUID, str] = {}


@lru_cache(maxsize=2)
def _levels_stmt(dialect: str):
    t = AdminUnit.__table__
    return select(t.c.id, t.c.level).where(any_of(t.c.id, "ids", dialect))


def known_levels(ids: frozenset[uuid.UUID]) -> dict[str, frozenset[uuid.UUID]] | None:
    """`unit_levels` from memory alone, or None when a unit was not seen yet."""
    return _by_level(ids) if all(i in _LEVELS for i in ids) else None


async def unit_levels(run: Run, ids: frozenset[uuid.UUID]) -> dict[str, frozenset[uuid.UUID]]:
    """The units by level (group, commune, province); unknown ids are left out."""
    missing = [i for i in ids if i not in _LEVELS]
    if missing:
        rows = await run.fetch(_levels_stmt(run.dialect), {"ids": missing})
        _LEVELS.update({row["id"]: str(row["level"]) for row in rows})
    return _by_level(ids)


def _by_level(ids: frozenset[uuid.UUID]) -> dict[str, frozenset[uuid.UUID]]:
    out: dict[str, set[uuid.UUID]] = {}
    for unit_id in ids:
        if unit_id in _LEVELS:
            out.setdefault(_LEVELS[unit_id], set()).add(unit_id)
    return {level: frozenset(v) for level, v in out.items()}


class UnitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def readable(self, principal: Principal):
        stmt = select(AdminUnit)
        if principal.is_unscoped:
            return stmt
        scope = principal.unit_ids
        ancestors = select(AdminUnit.province_id).where(AdminUnit.id.in_(scope)).union(
            select(AdminUnit.commune_id).where(AdminUnit.id.in_(scope))
        )
        return stmt.where(
            or_(
                AdminUnit.id.in_(scope),
                AdminUnit.commune_id.in_(scope),
                AdminUnit.province_id.in_(scope),
                AdminUnit.id.in_(ancestors),
            )
        )

    async def get(self, principal: Principal, unit_id: uuid.UUID, *, for_update=False):
        stmt = self.readable(principal).where(AdminUnit.id == unit_id)
        if for_update:
            stmt = stmt.with_for_update()
        unit = (await self.session.exec(stmt)).first()
        if unit is None:
            raise UnitNotFound(unit_id=str(unit_id))
        return unit

    async def get_many(self, ids: set[uuid.UUID]) -> list[AdminUnit]:
        if not ids:
            return []
        return list((await self.session.exec(select(AdminUnit).where(AdminUnit.id.in_(ids)))).all())

    async def list(
        self,
        principal: Principal,
        *,
        kind: UnitKind | None,
        level: UnitLevel | None,
        parent_id: uuid.UUID | None,
        q: str | None,
        sort: str | None,
        cursor: str | None,
        limit: int,
        include_total: bool,
    ) -> Page[AdminUnit]:
        stmt = self.readable(principal)
        if kind:
            stmt = stmt.where(AdminUnit.kind == kind)
        if level:
            stmt = stmt.where(AdminUnit.level == level)
        if parent_id:
            stmt = stmt.where(AdminUnit.parent_id == parent_id)
        if q:
            stmt = stmt.where(AdminUnit.name_folded.contains(q, autoescape=True))
        keys = parse_sort(
            sort,
            {"name": AdminUnit.name_folded, "created_at": AdminUnit.created_at},
            "name",
            AdminUnit.id,
        )
        total = await self.session.scalar(count_of(stmt)) if include_total else None
        rows = list((await self.session.exec(keyset(stmt, keys, cursor, limit))).all())
        page = page_from_rows(rows, keys, limit, _value_of)
        page.total = total
        return page

    async def code_taken(self, code: str, exclude: uuid.UUID | None = None) -> bool:
        stmt = select(exists().where(AdminUnit.code == code, AdminUnit.id != exclude))
        return bool(await self.session.scalar(stmt))

    async def has_children(self, unit_id: uuid.UUID) -> bool:
        stmt = select(exists().where(AdminUnit.parent_id == unit_id))
        streets = select(exists().where(Street.commune_id == unit_id))
        return bool(await self.session.scalar(stmt)) or bool(await self.session.scalar(streets))

    async def add(self, unit: AdminUnit) -> AdminUnit:
        self.session.add(unit)
        await flush_or_conflict(self.session, code_value=unit.code)
        return unit

    async def save(self, unit: AdminUnit) -> None:
        await flush_or_conflict(self.session, code_value=unit.code)

    async def delete(self, unit: AdminUnit) -> None:
        await self.session.delete(unit)
        await flush_or_conflict(self.session, in_use=UnitHasChildren)


class StreetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def readable(self, principal: Principal):
        stmt = select(Street)
        if principal.is_unscoped:
            return stmt
        return stmt.where(
            or_(
                Street.commune_id.in_(scope_communes(principal)),
                Street.province_id.in_(principal.unit_ids),
            )
        )

    async def get(self, principal: Principal, street_id: uuid.UUID, *, for_update=False):
        stmt = self.readable(principal).where(Street.id == street_id)
        if for_update:
            stmt = stmt.with_for_update()
        street = (await self.session.exec(stmt)).first()
        if street is None:
            raise StreetNotFound(street_id=str(street_id))
        return street

    async def for_commune(self, commune_id: uuid.UUID) -> list[Street]:
        stmt = select(Street).where(Street.commune_id == commune_id)
        return list((await self.session.exec(stmt)).all())

    async def list(
        self,
        principal: Principal,
        *,
        commune_id: uuid.UUID | None,
        q: str | None,
        sort: str | None,
        cursor: str | None,
        limit: int,
        include_total: bool,
    ) -> Page[Street]:
        stmt = self.readable(principal)
        if commune_id:
            stmt = stmt.where(Street.commune_id == commune_id)
        if q:
            stmt = stmt.where(Street.name_folded.contains(q, autoescape=True))
        keys = parse_sort(
            sort, {"name": Street.name_folded, "created_at": Street.created_at}, "name", Street.id
        )
        total = await self.session.scalar(count_of(stmt)) if include_total else None
        rows = list((await self.session.exec(keyset(stmt, keys, cursor, limit))).all())
        page = page_from_rows(rows, keys, limit, _value_of)
        page.total = total
        return page

    async def add(self, street: Street) -> Street:
        self.session.add(street)
        await flush_or_conflict(self.session)
        return street

    async def save(self, street: Street) -> None:
        await flush_or_conflict(self.session)

    async def delete(self, street: Street) -> None:
        await self.session.delete(street)
        await flush_or_conflict(self.session, in_use=StreetInUse)


_FOLDED = {"name": "name_folded"}


def _value_of(row: Any, name: str) -> Any:
    return getattr(row, _FOLDED.get(name, name))
