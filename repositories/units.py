"""SQL for administrative units and streets, scoped by `readable(principal)`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import exists
from sqlmodel import select

from domain.access import Principal
from domain.errors import DomainError
from domain.paging import Page
from domain.units.errors import (
    NotAGroup,
    StreetInUse,
    StreetNotFound,
    UnitHasChildren,
    UnitNotFound,
)
from domain.units.models import AdminUnit, RetiredUnitCode, Street, UnitKind, UnitLevel
from repositories.direct import Run, any_of
from repositories.flush import flush_or_conflict
from repositories.scoped import (
    UNITS_BELOW,
    Scope,
    ScopedRepository,
    UnitColumns,
    Units,
    inside,
    reaching,
)

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


@dataclass(frozen=True)
class _Ancestors(Scope):
    """The province and commune above each of the caller's units (a group leader reads
    their own commune and province)."""

    def clause(self, principal, dialect=None):
        scope = list(principal.unit_ids)
        above = select(AdminUnit.province_id).where(AdminUnit.id.in_(scope)).union(
            select(AdminUnit.commune_id).where(AdminUnit.id.in_(scope)))
        return AdminUnit.id.in_(above)


Levels = UnitLevel | tuple[UnitLevel, ...] | None


class UnitRepository(ScopedRepository[AdminUnit]):
    # Read: the caller's units, those below, and the commune and province above them.
    # Write (placing a household, targeting a campaign, assigning an account, a parent):
    # the caller's units and below only.
    model, scope, write_scope = AdminUnit, UNITS_BELOW | _Ancestors(), UNITS_BELOW
    not_found, id_param = UnitNotFound, "unit_id"

    async def target(self, principal: Principal, unit_id: uuid.UUID, *, level: Levels = None,
                     loc: tuple = ("body", "unit_id"), wrong_level: DomainError | None = None,
                     for_update: bool = False) -> AdminUnit:
        """The unit a write targets: one the caller may write to (their own or below:
        anything else, readable or not, is `UnitNotFound`), of `level` (else `wrong_level`,
        by default `NotAGroup` at `loc`)."""
        unit = await self.get_writable(principal, unit_id, for_update=for_update)
        self._check_level(unit, level, loc, wrong_level)
        return unit

    async def targets(self, principal: Principal, unit_ids: Sequence[uuid.UUID], *,
                      level: Levels = None, loc: tuple = ("body", "unit_ids"),
                      wrong_level: DomainError | None = None) -> list[AdminUnit]:
        """`target` for several units, in one statement; answers them in the order given
        (duplicates once). The first one out of write scope is its `UnitNotFound`."""
        wanted = list(dict.fromkeys(unit_ids))
        found = {u.id: u for u in await self.get_many_writable(principal, wanted)}
        if missing := [u for u in wanted if u not in found]:
            raise self.missing(missing[0])
        units = [found[u] for u in wanted]
        for unit in units:
            self._check_level(unit, level, loc, wrong_level)
        return units

    @staticmethod
    def _check_level(unit: AdminUnit, level: Levels, loc: tuple,
                     wrong_level: DomainError | None) -> None:
        if level is None:
            return
        levels = level if isinstance(level, tuple) else (level,)
        if unit.level not in levels:
            raise wrong_level or NotAGroup(loc=loc)

    async def by_ids(self, ids: set[uuid.UUID]) -> list[AdminUnit]:
        """Units by id whatever the caller's scope (labels of what is already readable)."""
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
        return await self.page(
            stmt, sort=sort, allowed={"name": AdminUnit.name_folded,
                                      "created_at": AdminUnit.created_at},
            default="name", cursor=cursor, limit=limit, include_total=include_total)

    async def any_exist(self) -> bool:
        return bool(await self.run.fetchval(select(exists().where(AdminUnit.id.is_not(None)))))

    async def code_taken(self, code: str, exclude: uuid.UUID | None = None) -> bool:
        stmt = select(exists().where(AdminUnit.code == code, AdminUnit.id != exclude))
        return bool(await self.run.fetchval(stmt))

    async def retired_code(self, code: str) -> RetiredUnitCode | None:
        """The unit that gave up `code`, if one did (codes are never given again)."""
        return await self.session.get(RetiredUnitCode, code)

    async def retire_code(self, unit: AdminUnit) -> None:
        """`unit`'s code stays its own: the unit is deleted, or takes another code."""
        if unit.code:
            self.session.add(RetiredUnitCode(code=unit.code, unit_id=unit.id,
                                             unit_name=unit.name))
            await flush_or_conflict(self.session)

    async def unretire_code(self, retired: RetiredUnitCode) -> None:
        """The unit that gave the code up takes it back."""
        await self.session.delete(retired)
        await flush_or_conflict(self.session)

    async def has_children(self, unit_id: uuid.UUID) -> bool:
        stmt = select(exists().where(AdminUnit.parent_id == unit_id))
        streets = select(exists().where(Street.commune_id == unit_id))
        return bool(await self.run.fetchval(stmt)) or bool(await self.run.fetchval(streets))

    async def add(self, unit: AdminUnit) -> AdminUnit:
        self.session.add(unit)
        await flush_or_conflict(self.session, code_value=unit.code)
        return unit

    async def save(self, unit: AdminUnit) -> None:
        await flush_or_conflict(self.session, code_value=unit.code)

    async def delete(self, unit: AdminUnit) -> None:
        await self.session.delete(unit)
        await flush_or_conflict(self.session, in_use=UnitHasChildren)


class StreetRepository(ScopedRepository[Street]):
    # The streets of the commune each of the caller's units sits in, or of their province.
    # Written by those whose units hold the street's commune (or its province).
    model = Street
    scope = Units(Street.commune_id, reaching) | UnitColumns({"province": Street.province_id})
    write_scope = Units(Street.commune_id, inside) | UnitColumns({"province": Street.province_id})
    not_found, id_param = StreetNotFound, "street_id"

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
        return await self.page(
            stmt, sort=sort, allowed={"name": Street.name_folded, "created_at": Street.created_at},
            default="name", cursor=cursor, limit=limit, include_total=include_total)

    async def add(self, street: Street) -> Street:
        self.session.add(street)
        await flush_or_conflict(self.session)
        return street

    async def save(self, street: Street) -> None:
        await flush_or_conflict(self.session)

    async def delete(self, street: Street) -> None:
        await self.session.delete(street)
        await flush_or_conflict(self.session, in_use=StreetInUse)


# The unit of work's attributes for this area (`uow.<name>`), see repositories/areas.py.
REPOSITORIES = {"units": UnitRepository, "streets": StreetRepository}
