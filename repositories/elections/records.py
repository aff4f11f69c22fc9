"""SQL for elections, their polling areas (with groups and streets) and exclusions, and the
register records a polling area holds."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence

from sqlalchemy import and_, delete, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import select

from domain.access import Principal
from domain.elections.errors import ElectionNotFound, ExclusionNotFound, PollingAreaNotFound
from domain.elections.models import (
    Election,
    Exclusion,
    ExclusionReason,
    PollingArea,
    PollingAreaStreet,
    PollingAreaUnit,
)
from domain.paging import Page
from domain.register.models import Household, Resident
from domain.units.models import AdminUnit
from repositories.direct import any_of
from repositories.flush import flush_or_conflict
from repositories.paging import count_of, keyset, page_from_rows, parse_sort
from repositories.register.records import ResidentRepository
from repositories.scoped import ScopedRepository, UnitColumns, Units, Where, inside, reaching


def holding(unit_column, principal: Principal):
    """The unit is one of the caller's, or the commune or province one of them sits in."""
    ids = list(principal.unit_ids)
    return or_(unit_column.in_(ids),
               unit_column.in_(sa_select(AdminUnit.commune_id).where(AdminUnit.id.in_(ids))),
               unit_column.in_(sa_select(AdminUnit.province_id).where(AdminUnit.id.in_(ids))))


E, A, X = Election, PollingArea, Exclusion
Ids = builtins.list[uuid.UUID]


class ElectionRepository(ScopedRepository[Election]):
    """A national election (no unit) is read by all; a by-election by whoever works in its
    province or commune, above or below. Only admins change elections (the use cases)."""

    model, not_found = Election, ElectionNotFound
    scope = (Where(E.province_id.is_(None))
             | (Where(E.commune_id.is_(None)) & Units(E.province_id, holding))
             | Units(E.commune_id, holding) | Units(E.commune_id, inside))

    async def list(self, principal: Principal, *, sort, cursor, limit,
                   include_total) -> Page:
        return await self.page(self.readable(principal), sort=sort, allowed={
            "election_day": E.election_day, "created_at": E.created_at},
            default="-election_day", cursor=cursor, limit=limit, include_total=include_total)

    async def add(self, election: Election) -> None:
        self.session.add(election)
        await flush_or_conflict(self.session)


_AREA_UNITS = {"commune": A.commune_id, "province": A.province_id}


class PollingAreaRepository(ScopedRepository[PollingArea]):
    """Through the area's commune: its officers (and those of its province) read and write
    it; a group leader or an auditor of one of its groups reads it."""

    model, not_found = PollingArea, PollingAreaNotFound
    scope = UnitColumns(_AREA_UNITS) | Units(A.commune_id, reaching)
    write_scope = UnitColumns(_AREA_UNITS)

    async def list(self, principal: Principal, election_id: uuid.UUID, *, commune_id, cursor,
                   limit, include_total) -> Page:
        stmt = self.readable(principal).where(A.election_id == election_id)
        if commune_id is not None:
            stmt = stmt.where(A.commune_id == commune_id)
        return await self.page(stmt, sort=None, allowed={"code": A.code}, default="code",
                               cursor=cursor, limit=limit, include_total=include_total)

    async def add(self, area: PollingArea) -> None:
        self.session.add(area)
        await flush_or_conflict(self.session)

    async def save(self) -> None:
        await flush_or_conflict(self.session)

    async def delete(self, area: PollingArea) -> None:
        await self.session.delete(area)
        await flush_or_conflict(self.session)

    async def in_use(self, area: PollingArea) -> bool:
        """Whether a voter list version refers to the area."""
        from domain.elections.models import VoterListVersion

        return await self.run.fetchval(sa_select(VoterListVersion.id).where(
            VoterListVersion.polling_area_id == area.id).limit(1)) is not None

    async def members(self, area_ids: Sequence[uuid.UUID]
                      ) -> dict[uuid.UUID, tuple[Ids, Ids]]:
        """Each area's (group ids, street ids), sorted."""
        out: dict[uuid.UUID, tuple[Ids, Ids]] = {
            i: ([], []) for i in area_ids}
        if not area_ids:
            return out
        u, s = PollingAreaUnit.__table__.c, PollingAreaStreet.__table__.c
        for row in await self.run.fetch(sa_select(u.polling_area_id, u.unit_id).where(
                u.polling_area_id.in_(list(area_ids))).order_by(u.unit_id)):
            out[row["polling_area_id"]][0].append(row["unit_id"])
        for row in await self.run.fetch(sa_select(s.polling_area_id, s.street_id).where(
                s.polling_area_id.in_(list(area_ids))).order_by(s.street_id)):
            out[row["polling_area_id"]][1].append(row["street_id"])
        return out

    async def set_members(self, area: PollingArea, *, group_ids: Sequence[uuid.UUID] | None,
                          street_ids: Sequence[uuid.UUID] | None) -> None:
        """Replace the area's groups and/or streets (None: leave that list); a group or a
        street of another area of the election is its conflict."""
        for model, column, ids in ((PollingAreaUnit, "unit_id", group_ids),
                                   (PollingAreaStreet, "street_id", street_ids)):
            if ids is None:
                continue
            t = model.__table__
            await self.session.execute(delete(t).where(t.c.polling_area_id == area.id))
            for i in dict.fromkeys(ids):
                self.session.add(model(polling_area_id=area.id, election_id=area.election_id,
                                       **{column: i}))
        await flush_or_conflict(self.session)

    async def residents(self, principal: Principal, area: PollingArea, *, cursor, limit,
                        include_total) -> Page:
        """The register records (scoped as the register scopes them) living in the area:
        households on its streets, and those of its groups on no street another area of
        the election lists; by given name."""
        stmt = self.residents_stmt(principal, area)
        keys = parse_sort(None, {"name": Resident.sort_key}, "name", Resident.id)
        total = await self.run.fetchval(count_of(stmt)) if include_total else None
        rows = list((await self.session.exec(keyset(stmt, keys, cursor, limit))).all())
        return page_from_rows(rows, keys, limit, total)

    @staticmethod
    def placed(principal: Principal, election_id: uuid.UUID, commune_id: uuid.UUID):
        """The register records of a commune (scoped as the register scopes them) joined to
        their household, and the polling area each votes in: the area listing their
        household's street in the election, else their group's area (None: no area). One
        statement for a whole commune: a reconciliation reads it once, not once per area."""
        on_street, in_group = aliased(PollingAreaStreet), aliased(PollingAreaUnit)
        area = func.coalesce(on_street.polling_area_id, in_group.polling_area_id)
        stmt = (ResidentRepository.readable(principal).where(Resident.commune_id == commune_id)
                .outerjoin(Household, Household.id == Resident.household_id)
                .outerjoin(on_street, and_(on_street.street_id == Household.street_id,
                                           on_street.election_id == election_id))
                .outerjoin(in_group, and_(in_group.unit_id == Resident.group_id,
                                          in_group.election_id == election_id)))
        return stmt, area

    @staticmethod
    def residents_stmt(principal: Principal, area: PollingArea):
        """The statement of `residents`, unpaged."""
        stmt, placed_in = PollingAreaRepository.placed(principal, area.election_id,
                                                       area.commune_id)
        return stmt.where(placed_in == area.id)


_EXCLUSION_UNITS = {"group": X.group_id, "commune": X.commune_id, "province": X.province_id}


class ExclusionRepository(ScopedRepository[Exclusion]):
    """By the person's units when recorded; written by the commune's (or province's)
    officers."""

    model, not_found = Exclusion, ExclusionNotFound
    scope = UnitColumns(_EXCLUSION_UNITS)
    write_scope = UnitColumns({"commune": X.commune_id, "province": X.province_id})

    async def list(self, principal: Principal, election_id: uuid.UUID, *, resident_id,
                   active, cursor, limit, include_total) -> Page:
        stmt = self.readable(principal).where(X.election_id == election_id)
        if resident_id is not None:
            stmt = stmt.where(X.resident_id == resident_id)
        if active is not None:
            stmt = stmt.where(X.revoked_at.is_(None) if active else X.revoked_at.is_not(None))
        return await self.page(stmt, sort=None, allowed={"recorded_at": X.recorded_at},
                               default="-recorded_at", cursor=cursor, limit=limit,
                               include_total=include_total)

    async def active(self, election_id: uuid.UUID, resident_ids: Sequence[uuid.UUID]
                     ) -> dict[uuid.UUID, Exclusion]:
        """The active exclusion of each of `resident_ids` in the election."""
        if not resident_ids:
            return {}
        stmt = select(Exclusion).where(X.election_id == election_id, X.revoked_at.is_(None),
                                       any_of(X.resident_id, "ids", self.run.dialect,
                                              list(resident_ids)))
        return {x.resident_id: x for x in (await self.session.exec(stmt)).all()}

    async def active_in(self, election_id: uuid.UUID, commune_ids: Sequence[uuid.UUID]
                        ) -> dict[uuid.UUID, ExclusionReason]:
        """The reason of every active exclusion of the election in those communes, by
        resident (a run reads its communes' whole register)."""
        stmt = sa_select(X.resident_id, X.reason).where(
            X.election_id == election_id, X.revoked_at.is_(None),
            any_of(X.commune_id, "communes", self.run.dialect, list(commune_ids)))
        return {r["resident_id"]: ExclusionReason(r["reason"])
                for r in await self.run.records(stmt)}

    async def add(self, exclusion: Exclusion) -> None:
        self.session.add(exclusion)
        await flush_or_conflict(self.session)


