"""SQL for reconciliation: runs, what a run reads (the latest list of each polling area, the
register records of the areas), its discrepancies written in bulk, and resolutions by key."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy import select as sa_select
from sqlmodel import select

from domain.access import Principal
from domain.elections.eligibility import Voter
from domain.elections.errors import DiscrepancyNotFound, ReconciliationNotFound
from domain.elections.models import (
    Discrepancy,
    DiscrepancyKind,
    DiscrepancyResolution,
    PollingArea,
    PollingAreaUnit,
    Reconciliation,
    ReconciliationStatus,
    RegisterRecord,
    VoterListVersion,
)
from domain.paging import Page
from domain.register.models import Household, Relationship, ResidenceStatus, Resident
from domain.units.models import AdminUnit, Street, UnitLevel
from repositories.direct import any_of
from repositories.flush import flush_or_conflict
from repositories.scoped import ScopedRepository, UnitColumns

R, D, S = Reconciliation, Discrepancy, DiscrepancyResolution
V = VoterListVersion
List = builtins.list


class ReconciliationRepository(ScopedRepository[Reconciliation]):
    """Read by the officers of the run's commune or province, and by those of its group
    (a group-level run); started by the commune's or province's."""

    model, not_found = Reconciliation, ReconciliationNotFound
    scope = UnitColumns({"group": R.unit_id, "commune": R.commune_id, "province": R.province_id})
    write_scope = UnitColumns({"commune": R.commune_id, "province": R.province_id})

    async def add(self, run: Reconciliation) -> None:
        self.session.add(run)
        await flush_or_conflict(self.session)

    async def save(self) -> None:
        await flush_or_conflict(self.session)

    async def list(self, principal: Principal, election_id: uuid.UUID, *, unit_id, cursor,
                   limit, include_total) -> Page:
        stmt = self.readable(principal).where(R.election_id == election_id)
        if unit_id is not None:
            stmt = stmt.where(R.unit_id == unit_id)
        return await self.page(stmt, sort=None, allowed={"created_at": R.created_at},
                               default="-created_at", cursor=cursor, limit=limit,
                               include_total=include_total)

    async def one(self, run_id: uuid.UUID, *, for_update: bool = False) -> Reconciliation:
        """The run whoever asks (the job)."""
        stmt = select(R).where(R.id == run_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.exec(stmt)).one()

    async def previous(self, run: Reconciliation) -> Reconciliation | None:
        """The last succeeded run over the same election and unit before `run`."""
        stmt = select(R).where(R.election_id == run.election_id, R.unit_id == run.unit_id,
                               R.status == ReconciliationStatus.succeeded, R.id != run.id
                               ).order_by(R.id.desc()).limit(1)
        return (await self.session.exec(stmt)).first()

    async def latest(self, election_id: uuid.UUID, unit_id: uuid.UUID
                     ) -> Reconciliation | None:
        """The last succeeded run over the election and unit."""
        stmt = select(R).where(R.election_id == election_id, R.unit_id == unit_id,
                               R.status == ReconciliationStatus.succeeded
                               ).order_by(R.id.desc()).limit(1)
        return (await self.session.exec(stmt)).first()

    async def latest_covering(self, version: VoterListVersion) -> Reconciliation | None:
        """The last succeeded run that compared this list version."""
        return (await self.covering([version])).get(version.id)

    async def covering(self, versions: Sequence[VoterListVersion]
                       ) -> dict[uuid.UUID, Reconciliation]:
        """The last succeeded run that compared each of `versions`, by version id: one read
        of their elections' succeeded runs, newest first (a run names its versions in a JSON
        list, which neither database indexes)."""
        wanted = {str(v.id) for v in versions}
        if not wanted:
            return {}
        stmt = select(R).where(R.election_id.in_({v.election_id for v in versions}),
                               R.status == ReconciliationStatus.succeeded).order_by(
            R.id.desc())
        out: dict[uuid.UUID, Reconciliation] = {}
        for run in (await self.session.exec(stmt)).all():
            for version_id in wanted.intersection(run.list_version_ids):
                out.setdefault(uuid.UUID(version_id), run)
            if len(out) == len(wanted):
                break
        return out

    # -- what a run reads -----------------------------------------------------------------
    async def areas_within(self, election_id: uuid.UUID, unit: AdminUnit) -> List[PollingArea]:
        """The election's polling areas inside `unit` (a group: the areas holding it)."""
        stmt = select(PollingArea).where(PollingArea.election_id == election_id)
        if unit.level == UnitLevel.province:
            stmt = stmt.where(PollingArea.province_id == unit.id)
        elif unit.level == UnitLevel.commune:
            stmt = stmt.where(PollingArea.commune_id == unit.id)
        else:
            stmt = stmt.where(PollingArea.id.in_(sa_select(PollingAreaUnit.polling_area_id)
                                                 .where(PollingAreaUnit.unit_id == unit.id)))
        return list((await self.session.exec(stmt.order_by(PollingArea.code))).all())

    async def areas_readable(self, principal: Principal, election_id: uuid.UUID
                             ) -> List[PollingArea]:
        """The election's polling areas the caller reads, by commune and code."""
        from repositories.elections.records import PollingAreaRepository

        stmt = PollingAreaRepository.readable(principal).where(
            PollingArea.election_id == election_id).order_by(PollingArea.commune_id,
                                                             PollingArea.code)
        return list((await self.session.exec(stmt)).all())

    async def other_areas(self, election_id: uuid.UUID, commune_ids: set[uuid.UUID],
                          exclude: set[uuid.UUID]) -> List[PollingArea]:
        """The election's other areas in the same communes (a person listed in two)."""
        stmt = select(PollingArea).where(PollingArea.election_id == election_id,
                                         PollingArea.commune_id.in_(list(commune_ids)),
                                         PollingArea.id.not_in(list(exclude) or [uuid.UUID(int=0)]))
        return list((await self.session.exec(stmt)).all())

    async def _placed(self, principal: Principal, areas: Sequence[PollingArea], *columns
                      ) -> List[Any]:
        """`columns` and the area (last) of every register record living in each area,
        moved-out and deceased ones of its households included: one statement per commune
        (`PollingAreaRepository.placed`), read as the driver's records, by record id."""
        from repositories.elections.records import PollingAreaRepository

        by_commune: dict[tuple[uuid.UUID, uuid.UUID], List[uuid.UUID]] = {}
        for area in areas:
            by_commune.setdefault((area.election_id, area.commune_id), []).append(area.id)
        out: List[Any] = []
        for (election_id, commune_id), ids in by_commune.items():
            stmt, placed_in = PollingAreaRepository.placed(principal, election_id, commune_id)
            stmt = (stmt.with_only_columns(*columns, placed_in)
                    .outerjoin(Street, Street.id == Household.street_id)
                    .where(any_of(placed_in, "areas", self.run.dialect, ids))
                    .order_by(Resident.id))
            out += await self.run.records(stmt)
        return out

    async def people(self, principal: Principal, areas: Sequence[PollingArea]
                     ) -> List[tuple[uuid.UUID, RegisterRecord]]:
        """(area id, record) for every register record living in each area, with the
        household's address and order, the register's enums restored."""
        status = {s.value: s for s in ResidenceStatus}
        relation = {r.value: r for r in Relationship}
        r = Resident
        return [(x[15], RegisterRecord(
            x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7],
            relation[x[8]] if x[8] is not None else None, status[x[9]], x[10], x[11], x[12],
            x[13], x[14])) for x in await self._placed(
            principal, areas, r.id, r.full_name, r.birth_date, r.birth_year, r.sex,
            r.id_number, r.household_id, r.group_id, r.relationship, r.residence_status,
            r.residence_since, Street.name, Household.house_number,
            Household.house_number_sort, Household.code)]

    async def voters(self, principal: Principal, areas: Sequence[PollingArea]
                     ) -> List[tuple[uuid.UUID, uuid.UUID, Voter]]:
        """(area id, record id, what eligibility reads) for the same records as `people`:
        the six columns a count of eligible voters needs, not the sixteen a match does."""
        status = {s.value: s for s in ResidenceStatus}
        r = Resident
        return [(x[5], x[0], Voter(x[1], x[2], status[x[3]], x[4])) for x in await self._placed(
            principal, areas, r.id, r.birth_date, r.birth_year, r.residence_status,
            r.residence_since)]


_D_UNITS = {"group": D.group_id, "commune": D.commune_id, "province": D.province_id}


class DiscrepancyRepository(ScopedRepository[Discrepancy]):
    """By the record's group, commune and province; resolved by the commune's officers."""

    model, not_found = Discrepancy, DiscrepancyNotFound
    scope = UnitColumns(_D_UNITS)
    write_scope = UnitColumns({"commune": D.commune_id, "province": D.province_id})

    async def add_many(self, rows: List[dict[str, Any]]) -> None:
        """Bulk: COPY on PostgreSQL (no statement, no ORM flush per row)."""
        await self.run.insert_many(Discrepancy.__table__, rows)

    async def list(self, principal: Principal, run_id: uuid.UUID, *, kind, polling_area_id,
                   status, is_new, cursor, limit, include_total) -> Page:
        stmt = self.readable(principal).where(D.reconciliation_id == run_id)
        if kind is not None:
            stmt = stmt.where(D.kind == kind)
        if polling_area_id is not None:
            stmt = stmt.where(D.polling_area_id == polling_area_id)
        if status is not None:
            stmt = stmt.where(D.resolution_id.is_not(None) if status == "resolved"
                              else D.resolution_id.is_(None))
        if is_new is not None:
            stmt = stmt.where(D.is_new.is_(is_new))
        return await self.page(stmt, sort=None, allowed={"kind": D.kind}, default="kind",
                               cursor=cursor, limit=limit, include_total=include_total)

    async def of_run(self, run_id: uuid.UUID, *, area_id: uuid.UUID | None = None
                     ) -> List[Discrepancy]:
        stmt = select(D).where(D.reconciliation_id == run_id)
        if area_id is not None:
            stmt = stmt.where(D.polling_area_id == area_id)
        return list((await self.session.exec(stmt)).all())

    async def areas_of(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        """The polling area of each discrepancy among `ids`."""
        if not ids:
            return {}
        rows = await self.run.fetch(sa_select(D.id, D.polling_area_id).where(
            D.id.in_(list(ids))))
        return {row["id"]: row["polling_area_id"] for row in rows}

    async def keys(self, run_id: uuid.UUID) -> set[str]:
        rows = await self.run.fetch(sa_select(D.key).where(D.reconciliation_id == run_id))
        return {row["key"] for row in rows}

    async def open_count(self, run_id: uuid.UUID, area_id: uuid.UUID) -> int:
        return int(await self.run.fetchval(sa_select(func.count()).select_from(D).where(
            D.reconciliation_id == run_id, D.polling_area_id == area_id,
            D.resolution_id.is_(None))) or 0)

    async def tally(self, run_of: dict[uuid.UUID, uuid.UUID]
                    ) -> dict[uuid.UUID, tuple[dict[str, int], int, int]]:
        """Per polling area, of the run covering it (`run_of`: area id → run id): the
        discrepancies by kind, how many are resolved and how many open. One GROUP BY."""
        if not run_of:
            return {}
        dialect = self.run.dialect
        resolved = D.resolution_id.is_not(None).label("resolved")
        stmt = (sa_select(D.polling_area_id, D.reconciliation_id, D.kind, resolved,
                          func.count().label("n"))
                .where(any_of(D.reconciliation_id, "runs", dialect, list(set(run_of.values()))),
                       any_of(D.polling_area_id, "areas", dialect, list(run_of)))
                .group_by(D.polling_area_id, D.reconciliation_id, D.kind, resolved))
        out: dict[uuid.UUID, tuple[dict[str, int], int, int]] = {}
        for row in await self.run.fetch(stmt):
            area_id, n, done = row["polling_area_id"], row["n"], row["resolved"]
            if run_of.get(area_id) != row["reconciliation_id"]:
                continue  # another area's run
            kinds, closed, still = out.get(area_id, ({}, 0, 0))
            kind = DiscrepancyKind(row["kind"]).value
            kinds[kind] = kinds.get(kind, 0) + n
            out[area_id] = (kinds, closed + n if done else closed, still if done else still + n)
        return out

    async def mark(self, run_id: uuid.UUID, key: str, resolution_id: uuid.UUID) -> None:
        await self.session.execute(update(D).where(D.reconciliation_id == run_id, D.key == key)
                                   .values(resolution_id=resolution_id))


class ResolutionRepository(ScopedRepository[DiscrepancyResolution]):
    """By the commune (and province) of the election's list."""

    model, not_found = DiscrepancyResolution, DiscrepancyNotFound
    scope = UnitColumns({"commune": S.commune_id, "province": S.province_id})

    async def add(self, resolution: DiscrepancyResolution) -> None:
        self.session.add(resolution)
        await flush_or_conflict(self.session)

    async def live(self, election_id: uuid.UUID, commune_ids: Sequence[uuid.UUID] | None = None
                   ) -> dict[str, DiscrepancyResolution]:
        """The live resolutions of the election (in those communes), by key."""
        stmt = select(S).where(S.election_id == election_id, S.superseded_at.is_(None))
        if commune_ids is not None:
            stmt = stmt.where(S.commune_id.in_(list(commune_ids)))
        return {r.key: r for r in (await self.session.exec(stmt)).all()}

    async def by_ids(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, DiscrepancyResolution]:
        if not ids:
            return {}
        stmt = select(S).where(S.id.in_(list(ids)))
        return {r.id: r for r in (await self.session.exec(stmt)).all()}

    async def supersede(self, ids: Sequence[uuid.UUID], at: datetime) -> None:
        if ids:
            await self.session.execute(update(S).where(S.id.in_(list(ids)))
                                       .values(superseded_at=at))

    async def is_live(self, election_id: uuid.UUID, key: str) -> bool:
        return await self.run.fetchval(sa_select(func.count()).select_from(S).where(
            S.election_id == election_id, S.key == key, S.superseded_at.is_(None))) > 0
