"""SQL for voter lists: the immutable versions of a polling area's official list (scoped by
their commune and province), their rows (read through their version, written in bulk by
the import job) and the communes' saved column mappings."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func
from sqlalchemy import select as sa_select
from sqlmodel import select

from domain.access import Principal
from domain.elections.errors import (
    VoterListMappingNotFound,
    VoterListMappingUnknown,
    VoterListNotFound,
)
from domain.elections.matching import Entry
from domain.elections.models import VoterListMapping, VoterListRow, VoterListVersion
from domain.paging import Page
from domain.units.models import AdminUnit
from repositories.direct import any_of
from repositories.flush import flush_or_conflict
from repositories.paging import (
    SortKey,
    count_of,
    decode_cursor,
    encode_cursor,
    keyset,
    page_from_rows,
    parse_sort,
)
from repositories.scoped import ScopedRepository, UnitColumns

V, M = VoterListVersion, VoterListMapping
R = VoterListRow.__table__.c
ROW_COLUMNS = ["id", "version_id", "line", "seq", "full_name", "name_folded", "birth_date",
               "birth_year", "sex", "id_number", "address", "cells"]
# What a diff compares of two rows (the parsed fields; `seq` and `line` move with any
# insertion, so they are not changes).
DIFF_COLUMNS = ["id", "line", "seq", "full_name", "name_folded", "birth_date", "birth_year",
                "sex", "id_number", "address"]

# A row as the matcher reads it (`matching.Entry`, in its fields' order).
_ENTRY = (R.id, VoterListVersion.polling_area_id, R.full_name, R.birth_date, R.birth_year,
          R.sex, R.id_number, R.address)


class VoterListRepository(ScopedRepository[VoterListVersion]):
    """A version is the commune's: its officers and election officers (and the
    province's) read it; a group leader's scope reaches none (they check the register)."""

    model, not_found = VoterListVersion, VoterListNotFound
    scope = UnitColumns({"commune": V.commune_id, "province": V.province_id})

    async def list(self, principal: Principal, polling_area_id: uuid.UUID, *, cursor,
                   limit, include_total) -> Page:
        stmt = self.readable(principal).where(V.polling_area_id == polling_area_id)
        return await self.page(stmt, sort=None, allowed={"number": V.number},
                               default="-number", cursor=cursor, limit=limit,
                               include_total=include_total)

    async def by_job(self, job_id: uuid.UUID) -> uuid.UUID | None:
        """The version an import job wrote (None while it runs, or when it wrote none)."""
        return await self.run.fetchval(sa_select(V.id).where(V.import_job_id == job_id))

    async def latest_number(self, polling_area_id: uuid.UUID) -> int:
        """The area's last version number (0 before the first). The import holds the area's
        row locked while it writes, so two imports of one area number one after the other."""
        return await self.run.fetchval(sa_select(func.coalesce(func.max(V.number), 0)).where(
            V.polling_area_id == polling_area_id)) or 0

    async def latest_versions(self, area_ids: Sequence[uuid.UUID]
                              ) -> dict[uuid.UUID, VoterListVersion]:
        """Each area's latest list version (by number)."""
        if not area_ids:
            return {}
        top = (sa_select(V.polling_area_id, func.max(V.number).label("n"))
               .where(any_of(V.polling_area_id, "areas", self.run.dialect, list(area_ids)))
               .group_by(V.polling_area_id).subquery())
        stmt = select(V).join(top, and_(V.polling_area_id == top.c.polling_area_id,
                                        V.number == top.c.n))
        return {v.polling_area_id: v for v in (await self.session.exec(stmt)).all()}

    async def version(self, version_id: uuid.UUID, *, for_update: bool = False
                      ) -> VoterListVersion | None:
        """A version whoever asks (a run's own, the job's)."""
        stmt = select(V).where(V.id == version_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.exec(stmt)).first()

    async def all_rows(self, version_id: uuid.UUID) -> builtins.list[VoterListRow]:
        """Every row of one version, in file order (a corrected list reads its area's)."""
        stmt = select(VoterListRow).where(VoterListRow.version_id == version_id).order_by(
            VoterListRow.line)
        return builtins.list((await self.session.exec(stmt)).all())

    async def entries(self, version_ids: Sequence[uuid.UUID]) -> builtins.list[Entry]:
        """The rows of the versions as the matcher reads them, each with its polling
        area, in file order: the driver's records, for a province's million."""
        if not version_ids:
            return []
        stmt = (sa_select(*_ENTRY).join(V, V.id == R.version_id)
                .where(any_of(R.version_id, "versions", self.run.dialect, list(version_ids)))
                .order_by(R.version_id, R.line))
        return [Entry(*r) for r in await self.run.records(stmt)]

    async def same_id_elsewhere(self, election_id: uuid.UUID, version_ids: Sequence[uuid.UUID]
                                ) -> builtins.list[Entry]:
        """Rows of the election's other polling areas (their latest lists, anywhere) that
        carry an ID number found on the rows of `version_ids`: the same citizen listed in
        two places, whatever the commune or province (an ID number is national)."""
        if not version_ids:
            return []
        dialect = self.run.dialect
        ours = list(version_ids)
        top = (sa_select(V.polling_area_id, func.max(V.number).label("n"))
               .where(V.election_id == election_id).group_by(V.polling_area_id).subquery())
        mine = sa_select(R.id_number).where(any_of(R.version_id, "ours", dialect, ours),
                                            R.id_number.is_not(None))
        our_areas = sa_select(V.polling_area_id).where(any_of(V.id, "ours_v", dialect, ours))
        stmt = (sa_select(*_ENTRY).join(V, V.id == R.version_id)
                .join(top, and_(V.polling_area_id == top.c.polling_area_id,
                                V.number == top.c.n))
                .where(R.id_number.in_(mine), V.polling_area_id.not_in(our_areas))
                .order_by(R.version_id, R.line))
        return [Entry(*r) for r in await self.run.records(stmt)]

    async def row(self, row_id: uuid.UUID) -> VoterListRow | None:
        return (await self.session.exec(select(VoterListRow).where(
            VoterListRow.id == row_id))).first()

    async def previous(self, version: VoterListVersion) -> VoterListVersion | None:
        """The version before `version` in its area."""
        stmt = select(V).where(V.polling_area_id == version.polling_area_id,
                               V.number < version.number).order_by(V.number.desc()).limit(1)
        return (await self.session.exec(stmt)).first()

    async def commune_name(self, commune_id: uuid.UUID) -> str:
        return await self.run.fetchval(sa_select(AdminUnit.name).where(
            AdminUnit.id == commune_id)) or ""

    async def add(self, version: VoterListVersion) -> None:
        self.session.add(version)
        await flush_or_conflict(self.session)

    async def save(self) -> None:
        await flush_or_conflict(self.session)

    async def add_rows(self, version_id: uuid.UUID, rows: builtins.list[dict[str, Any]]
                       ) -> None:
        """Many rows at once (each with its `id`): COPY on PostgreSQL."""
        await self.run.insert_many(VoterListRow.__table__, [
            {c: version_id if c == "version_id" else r[c] for c in ROW_COLUMNS} for r in rows])

    async def rows(self, version: VoterListVersion, *, cursor, limit, include_total) -> Page:
        """The version's rows in file order."""
        stmt = select(VoterListRow).where(VoterListRow.version_id == version.id)
        keys = parse_sort(None, {"line": VoterListRow.line}, "line", VoterListRow.id)
        total = await self.run.fetchval(count_of(stmt)) if include_total else None
        found = list((await self.session.exec(keyset(stmt, keys, cursor, limit))).all())
        return page_from_rows(found, keys, limit, total)

    async def diff_rows(self, version_id: uuid.UUID) -> builtins.list[Any]:
        """The fields a diff compares, of every row of a version, in file order (rows read
        by name): the driver's records on PostgreSQL (a 100,000-row list is read in a
        fraction of what building SQLAlchemy rows costs)."""
        stmt = (sa_select(*(R[c] for c in DIFF_COLUMNS)).where(R.version_id == version_id)
                .order_by(R.line))
        return builtins.list(await self.run.records(stmt))

    async def counts(self, version_id: uuid.UUID) -> dict[str, int]:
        """How many rows carry each read field (a version's summary)."""
        row = await self.run.fetchrow(sa_select(
            func.count().label("rows"), func.count(R.id_number).label("with_id_number"),
            func.count(R.birth_date).label("with_birth_date"),
            func.count(R.birth_year).label("with_birth_year"),
            func.count(R.sex).label("with_sex")).where(R.version_id == version_id))
        assert row is not None  # an aggregate answers one row
        return {k: int(row[k] or 0) for k in ("rows", "with_id_number", "with_birth_date",
                                               "with_birth_year", "with_sex")}


_DIFF_KEYS = [SortKey("change", R.line, False), SortKey("line", R.line, False)]


def page_of(entries: builtins.list[tuple[int, int, Any]], cursor: str | None, limit: int
            ) -> tuple[builtins.list[Any], str | None]:
    """A keyset page of computed entries `(rank, line, item)`, sorted, with the signed
    cursor every list uses."""
    if cursor:
        after = tuple(decode_cursor(cursor, _DIFF_KEYS))
        entries = [e for e in entries if (e[0], e[1]) > after]
    page = entries[:limit]
    more = len(entries) > limit
    return [e[2] for e in page], (encode_cursor(_DIFF_KEYS, [page[-1][0], page[-1][1]])
                                  if more and page else None)


class VoterListMappingRepository(ScopedRepository[VoterListMapping]):
    """A commune's saved mappings: its officers' (and the province's)."""

    model, not_found = VoterListMapping, VoterListMappingNotFound
    scope = UnitColumns({"commune": M.commune_id, "province": M.province_id})

    async def list(self, principal: Principal, *, commune_id, cursor, limit,
                   include_total) -> Page:
        stmt = self.readable(principal)
        if commune_id is not None:
            stmt = stmt.where(M.commune_id == commune_id)
        return await self.page(stmt, sort=None, allowed={"name": M.name}, default="name",
                               cursor=cursor, limit=limit, include_total=include_total)

    async def find(self, principal: Principal, commune_id: uuid.UUID, ref: str
                   ) -> VoterListMapping:
        """A mapping of the commune by id or by name, else its not-found error."""
        stmt = self.readable(principal).where(M.commune_id == commune_id)
        try:
            stmt = stmt.where(M.id == uuid.UUID(ref))
        except ValueError:
            stmt = stmt.where(M.name == ref)
        found = (await self.session.exec(stmt)).first()
        if found is None:
            raise VoterListMappingUnknown(loc=("body", "mapping"))
        return found

    async def add(self, mapping: VoterListMapping) -> None:
        self.session.add(mapping)
        await flush_or_conflict(self.session)
