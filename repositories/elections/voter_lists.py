"""SQL for voter lists: the immutable versions of a polling area's official list (scoped by
their commune and province), their rows (read through their version, written in bulk by
the import job) and the communes' saved column mappings."""

from __future__ import annotations

import builtins
import uuid
from typing import Any

import orjson
from sqlalchemy import func, insert
from sqlalchemy import select as sa_select
from sqlmodel import select

from domain.access import Principal
from domain.elections.errors import (
    VoterListMappingNotFound,
    VoterListMappingUnknown,
    VoterListNotFound,
)
from domain.elections.models import VoterListMapping, VoterListRow, VoterListVersion
from domain.paging import Page
from domain.units.models import AdminUnit
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

_DIFF_SQL = ("SELECT id, line, seq, full_name, name_folded, birth_date, birth_year, sex,"
             " id_number, address FROM voter_list_row WHERE version_id = $1 ORDER BY line")


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
        """Many rows at once (each with its `id`): the driver's COPY on PostgreSQL, one
        executemany elsewhere."""
        if not rows:
            return
        if self.run.dialect == "postgresql":
            dumps = orjson.dumps
            records = [(r["id"], version_id, r["line"], r["seq"], r["full_name"],
                        r["name_folded"], r["birth_date"], r["birth_year"], r["sex"],
                        r["id_number"], r["address"], dumps(r["cells"]).decode())
                       for r in rows]
            raw = await (await self.session.connection()).get_raw_connection()
            await raw.driver_connection.copy_records_to_table(
                "voter_list_row", records=records, columns=ROW_COLUMNS)
        else:
            await self.run.executemany(insert(VoterListRow.__table__), [
                {**{c: r[c] for c in ROW_COLUMNS if c != "version_id"}, "version_id": version_id}
                for r in rows])

    async def rows(self, version: VoterListVersion, *, cursor, limit, include_total) -> Page:
        """The version's rows in file order."""
        stmt = select(VoterListRow).where(VoterListRow.version_id == version.id)
        keys = parse_sort(None, {"line": VoterListRow.line}, "line", VoterListRow.id)
        total = await self.run.fetchval(count_of(stmt)) if include_total else None
        found = list((await self.session.exec(keyset(stmt, keys, cursor, limit))).all())
        return page_from_rows(found, keys, limit, total)

    async def diff_rows(self, version_id: uuid.UUID) -> builtins.list[Any]:
        """The fields a diff compares, of every row of a version, in file order (rows read
        by name). On PostgreSQL the driver's own records: a 100,000-row list is read in a
        fraction of what building SQLAlchemy rows costs."""
        stmt = (sa_select(*(R[c] for c in DIFF_COLUMNS)).where(R.version_id == version_id)
                .order_by(R.line))
        if self.run.dialect != "postgresql":
            return [dict(r) for r in await self.run.fetch(stmt)]
        raw = await (await self.session.connection()).get_raw_connection()
        return await raw.driver_connection.fetch(
            _DIFF_SQL, version_id)

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
