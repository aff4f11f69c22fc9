"""SQL for households, residents, readiness facts and their change log, scoped per caller."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    Text,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    literal_column,
    not_,
    or_,
    true,
    update,
)
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.access import Permission, Principal
from domain.register.errors import HouseholdNotFound, IdNumberTaken, ResidentNotFound
from domain.register.models import ChangeLog, Household, ReadinessFact, Resident
from domain.register.views import PII_FIELDS
from repositories.direct import ConnectionRun, Run, any_of
from repositories.flush import flush_or_conflict
from repositories.paging import Page, count_of, keyset, page_from_rows, parse_sort

_LEVELS = ("group", "commune", "province")


def scope_shape(principal: Principal) -> tuple[tuple[str, ...] | None, dict[str, list]]:
    """Which unit columns the caller's scope tests (None: everything) and the ids to bind.

    With the units' levels known, only the matching columns are tested, so a commune
    officer's list is one indexed `commune_id IN (...)` rather than an OR of three. Hot
    statements are built once per shape with these as bound parameters: composing
    SQLAlchemy expressions costs more CPU than running the query they stand for."""
    if principal.is_unscoped:
        return None, {}
    if principal.levels:
        shape = tuple(level for level in _LEVELS if principal.units_at(level))
        return shape, {f"scope_{level}": list(principal.units_at(level)) for level in shape}
    return _LEVELS, {f"scope_{level}": list(principal.unit_ids) for level in _LEVELS}


def scope_clause(table, shape: tuple[str, ...] | None, ids: dict[str, list] | None = None,
                 dialect: str | None = None):
    """Rows of `table` (with province/commune/group columns) inside a `scope_shape`: its ids
    bound now (`ids`), or at execution as lists (`any_of`, one array on PostgreSQL)."""
    if shape is None:
        return true()
    tests = [any_of(table.c[f"{level}_id"], f"scope_{level}", dialect,
                    *([ids[f"scope_{level}"]] if ids else [])) for level in shape]
    return or_(*tests) if len(tests) > 1 else (tests[0] if tests else false())


def in_scope(model, principal: Principal, dialect: str | None = None):
    """Rows of `model` inside the caller's units, the ids bound into the clause."""
    shape, ids = scope_shape(principal)
    return scope_clause(model.__table__, shape, ids, dialect)


@lru_cache(maxsize=32)
def _resident_read_stmt(shape: tuple[str, ...] | None, dialect: str):
    t = Resident.__table__
    return select(t).where(t.c.id == bindparam("id"), t.c.deleted_at.is_(None),
                           scope_clause(t, shape, dialect=dialect))


@lru_cache(maxsize=2)
def _facts_stmt(dialect: str):
    t = ReadinessFact.__table__
    return select(t.c.resident_id, t.c.kind, t.c.occurred_on, t.c.recorded_by_name,
                  t.c.recorded_at).where(any_of(t.c.resident_id, "ids", dialect)).order_by(
        t.c.resident_id, t.c.occurred_on, t.c.recorded_at)


def readable_residents(principal: Principal, *, include_deleted: bool = False,
                       dialect: str | None = None):
    """Every read of residents starts here: the caller's scope cannot be forgotten."""
    stmt = select(Resident)
    if not include_deleted:
        stmt = stmt.where(Resident.deleted_at.is_(None))
    if not principal.is_unscoped:
        stmt = stmt.where(in_scope(Resident, principal, dialect))
    return stmt


async def resident_page(run: Run, principal: Principal, f: dict[str, Any], *, sort, cursor,
                        limit, include_total, document=None) -> Page:
    """A page of the list as plain rows (the resident's columns, and `rank` with `q`; with
    `document`, only the sort keys and that column)."""
    stmt = _resident_filters(readable_residents(principal, dialect=run.dialect), f)
    if document is not None:
        t = Resident.__table__
        stmt = stmt.with_only_columns(t.c.id, t.c.given_name_folded, t.c.name_folded,
                                      t.c.created_at, t.c.updated_at, document)
    allowed = {"name": Resident.given_name_folded, "full_name": Resident.name_folded,
               "created_at": Resident.created_at, "updated_at": Resident.updated_at}
    keys = parse_sort(sort, allowed, "name", Resident.id)
    if f.get("q_words"):
        # Exact-diacritic matches first: "Dương" ranks above "Đường" for q=dương.
        rank = case((Resident.name_lower.contains(f["q_lower"], autoescape=True), 0),
                    else_=1).label("rank")
        keys = parse_sort(None, {"rank": rank}, "rank", Resident.id)[:1] + keys
        stmt = stmt.add_columns(rank)
    total = await run.fetchval(count_of(stmt)) if include_total else None
    rows = await run.fetch(keyset(stmt, keys, cursor, limit))
    page = page_from_rows(rows, keys, limit, _resident_value)
    page.total = total
    return page


def _utc_text(column: str) -> str:
    """A timestamp as the API writes it (orjson, `Z`, microseconds only when not zero)."""
    return (f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
            f" || CASE WHEN extract(microseconds FROM {column})::bigint % 1000000 = 0"
            f" THEN '' ELSE to_char({column} AT TIME ZONE 'UTC', '.US') END || 'Z'")


def _masked_text(column: str) -> str:
    """`domain.register.rules.mask` in SQL: all but the last four characters hidden."""
    return (f"CASE WHEN length({column}) <= 4 THEN repeat('*', length({column}))"
            f" ELSE repeat('*', length({column}) - 4) || right({column}, 4) END")


@lru_cache(maxsize=2)
def _document_column(masked: bool):
    """`domain.register.views.resident_document` built by PostgreSQL as JSON text, for list
    pages: building and writing 50 documents in Python costs more CPU than the query.
    `TestFastReadDocument` (tests/api/test_residents.py) holds the two equal, masked and not,
    facts included: a change to either is a change to both."""
    r = "resident"
    if masked:
        id_number, phone = _masked_text(f"{r}.id_number"), _masked_text(f"{r}.phone")
        birth_date = "NULL::date"
        listed = ", ".join(f"CASE WHEN {r}.{c} IS NOT NULL THEN '{c}' END"
                           for c in PII_FIELDS)
        masked_fields = f"array_to_json(array_remove(ARRAY[{listed}]::text[], NULL))"
    else:
        id_number, phone, birth_date = f"{r}.id_number", f"{r}.phone", f"{r}.birth_date"
        masked_fields = "'[]'::json"
    fields = {
        "id": f"{r}.id", "household_id": f"{r}.household_id",
        "relationship": f"{r}.relationship", "province_id": f"{r}.province_id",
        "commune_id": f"{r}.commune_id", "group_id": f"{r}.group_id",
        "full_name": f"{r}.full_name", "birth_date": birth_date,
        "birth_year": f"{r}.birth_year", "sex": f"{r}.sex", "id_number": id_number,
        "phone": phone, "residence_status": f"{r}.residence_status",
        "residence_since": f"{r}.residence_since",
        "status_changed_on": f"{r}.status_changed_on",
        "data_quality": f"CASE WHEN {r}.id_number_mismatch THEN '[\"id_number_mismatch\"]'::json"
                        " ELSE '[]'::json END",
        # The latest fact of each kind, as `readiness_of` keeps it. Only constant column
        # names are put into this text, never a value.
        "readiness": "COALESCE((SELECT json_object_agg(f.kind, json_build_object("  # noqa: S608
                     "'occurred_on', f.occurred_on, 'recorded_by_name', f.recorded_by_name,"
                     f" 'recorded_at', {_utc_text('f.recorded_at')})) FROM (SELECT DISTINCT"
                     " ON (kind) kind, occurred_on, recorded_by_name, recorded_at FROM"
                     f" readiness_fact WHERE resident_id = {r}.id ORDER BY kind,"
                     " occurred_on DESC, recorded_at DESC) AS f), '{}'::json)",
        "masked_fields": masked_fields,
        "created_at": _utc_text(f"{r}.created_at"),
        "updated_at": _utc_text(f"{r}.updated_at"),
        "version": f"{r}.version",
    }
    body = ", ".join(f"'{key}', {sql}" for key, sql in fields.items())
    return literal_column(f"json_build_object({body})::text", Text).label("document")


async def resident_page_documents(run: Run, principal: Principal, f: dict[str, Any], *,
                                  sort, cursor, limit, include_total) -> Page:
    """`resident_page` with each row's document built by PostgreSQL (`document`, JSON text),
    masked for `principal`; PostgreSQL only."""
    return await resident_page(run, principal, f, sort=sort, cursor=cursor, limit=limit,
                               include_total=include_total,
                               document=_document_column(not principal.can(
                                   Permission.pii_read)))


class Fact(NamedTuple):
    """The latest fact of one kind, as a resident's views show it."""

    occurred_on: date
    recorded_by_name: str | None
    recorded_at: datetime


async def read_resident(run: Run, principal: Principal, resident_id: uuid.UUID):
    """A living resident in scope as a plain row, or NotFound (for views; `get` for changes)."""
    shape, params = scope_shape(principal)
    row = await run.fetchrow(_resident_read_stmt(shape, run.dialect),
                             {"id": resident_id, **params})
    if row is None:
        raise ResidentNotFound(resident_id=str(resident_id))
    return row


async def readiness_of(run: Run, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Fact]]:
    """The latest fact of each kind per resident."""
    out: dict[uuid.UUID, dict[str, Fact]] = defaultdict(dict)
    if ids:
        for f in await run.fetch(_facts_stmt(run.dialect), {"ids": list(ids)}):
            out[f["resident_id"]][str(f["kind"])] = Fact(
                f["occurred_on"], f["recorded_by_name"], f["recorded_at"])
    return out


class ResidentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def readable(self, principal: Principal, *, include_deleted: bool = False):
        return readable_residents(principal, include_deleted=include_deleted)

    async def get(self, principal: Principal, resident_id: uuid.UUID, *, for_update=False,
                  include_deleted=False):
        stmt = self.readable(principal, include_deleted=include_deleted).where(
            Resident.id == resident_id)
        if for_update:
            stmt = stmt.with_for_update()
        resident = (await self.session.exec(stmt)).first()
        if resident is None:
            raise ResidentNotFound(resident_id=str(resident_id))
        return resident

    async def get_many(self, principal: Principal, ids: list[uuid.UUID], *, for_update=False):
        stmt = self.readable(principal).where(Resident.id.in_(ids)).order_by(Resident.id)
        if for_update:
            stmt = stmt.with_for_update()
        return list((await self.session.exec(stmt)).all())

    async def living_with_id_number(self, id_number: str, exclude: uuid.UUID | None = None):
        stmt = select(Resident.id).where(
            Resident.id_number == id_number, Resident.deleted_at.is_(None), Resident.id != exclude
        )
        return await self.session.scalar(stmt)

    async def members(self, household_ids: list[uuid.UUID], *, for_update=False):
        stmt = select(Resident).where(
            Resident.household_id.in_(household_ids), Resident.deleted_at.is_(None)
        ).order_by(Resident.household_id, Resident.given_name_folded, Resident.id)
        if for_update:
            stmt = stmt.with_for_update()
        return list((await self.session.exec(stmt)).all())

    async def possible_duplicates(self, principal: Principal, limit: int):
        """Same folded name and birth date (or year) in one commune, none with an ID number."""
        base = self.readable(principal).where(Resident.id_number.is_(None)).subquery()
        groups = (
            select(base.c.commune_id, base.c.name_folded, base.c.birth_date, base.c.birth_year)
            .group_by(base.c.commune_id, base.c.name_folded, base.c.birth_date,
                      base.c.birth_year)
            .having(func.count() > 1)
            .order_by(base.c.name_folded)
            .limit(limit)
        )
        out = []
        for commune_id, name_folded, birth_date, birth_year in (await self.session.exec(groups)):
            stmt = self.readable(principal).where(
                Resident.id_number.is_(None), Resident.commune_id == commune_id,
                Resident.name_folded == name_folded, Resident.birth_date == birth_date
                if birth_date is not None else Resident.birth_date.is_(None),
                Resident.birth_year == birth_year,
            ).order_by(Resident.created_at)
            out.append((name_folded, birth_date, birth_year,
                        list((await self.session.exec(stmt)).all())))
        return out

    async def add(self, resident: Resident) -> Resident:
        self.session.add(resident)
        await self.save(resident)
        return resident

    async def save(self, *residents: Resident) -> None:
        await flush_or_conflict(self.session)

    async def readiness(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Fact]]:
        """The latest fact of each kind per resident, in this unit of work."""
        return await readiness_of(ConnectionRun(await self.session.connection()), ids)

    async def add_fact(self, fact: ReadinessFact, *, flush: bool = True) -> None:
        self.session.add(fact)
        if flush:
            await self.session.flush()

    async def move_facts(self, from_id: uuid.UUID, to_id: uuid.UUID) -> None:
        await self.session.execute(update(ReadinessFact).where(
            ReadinessFact.resident_id == from_id).values(resident_id=to_id))


def _resident_value(row: Any, name: str) -> Any:
    return row[{"name": "given_name_folded", "full_name": "name_folded"}.get(name, name)]


def _resident_filters(stmt, f: dict[str, Any]):
    for key, column in (("group_id", Resident.group_id), ("commune_id", Resident.commune_id),
                        ("household_id", Resident.household_id), ("sex", Resident.sex),
                        ("residence_status", Resident.residence_status)):
        if f.get(key) is not None:
            stmt = stmt.where(column == f[key])
    if f.get("street_id") is not None:
        stmt = stmt.where(Resident.household_id.in_(
            select(Household.id).where(Household.street_id == f["street_id"])))
    if f.get("born_on_or_after") is not None:
        d: date = f["born_on_or_after"]
        stmt = stmt.where(or_(Resident.birth_date >= d, and_(
            Resident.birth_date.is_(None), Resident.birth_year >= d.year)))
    if f.get("born_on_or_before") is not None:
        d = f["born_on_or_before"]
        stmt = stmt.where(or_(Resident.birth_date <= d, and_(
            Resident.birth_date.is_(None), Resident.birth_year <= d.year)))
    if f.get("id_number_mismatch") is not None:
        stmt = stmt.where(Resident.id_number_mismatch.is_(f["id_number_mismatch"]))
    if f.get("has_id_number") is not None:
        has = Resident.id_number.is_not(None)
        stmt = stmt.where(has if f["has_id_number"] else not_(has))
    for kind in f.get("readiness") or ():
        stmt = stmt.where(exists().where(ReadinessFact.resident_id == Resident.id,
                                         ReadinessFact.kind == kind))
    for kind in f.get("missing_readiness") or ():
        stmt = stmt.where(~exists().where(ReadinessFact.resident_id == Resident.id,
                                          ReadinessFact.kind == kind))
    for word in f.get("q_words") or ():
        stmt = stmt.where(Resident.name_folded.contains(word, autoescape=True))
    return stmt


class HouseholdRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def readable(self, principal: Principal, *, include_deleted: bool = False):
        stmt = select(Household)
        if not include_deleted:
            stmt = stmt.where(Household.deleted_at.is_(None))
        if not principal.is_unscoped:
            stmt = stmt.where(in_scope(Household, principal))
        return stmt

    async def get(self, principal: Principal, household_id: uuid.UUID, *, for_update=False,
                  include_deleted=False):
        stmt = self.readable(principal, include_deleted=include_deleted).where(
            Household.id == household_id)
        if for_update:
            stmt = stmt.with_for_update()
        household = (await self.session.exec(stmt)).first()
        if household is None:
            raise HouseholdNotFound(household_id=str(household_id))
        return household

    async def list(self, principal: Principal, f: dict[str, Any], *, sort, cursor, limit,
                   include_total) -> Page:
        stmt = self.readable(principal)
        for key, column in (("group_id", Household.group_id),
                            ("commune_id", Household.commune_id),
                            ("street_id", Household.street_id)):
            if f.get(key) is not None:
                stmt = stmt.where(column == f[key])
        if f.get("q"):
            stmt = stmt.where(or_(Household.code.contains(f["q"], autoescape=True),
                                  Household.house_number.contains(f["q"], autoescape=True)))
        allowed = {"address": Household.house_number_sort, "code": Household.code,
                   "created_at": Household.created_at}
        keys = parse_sort(sort, allowed, "code", Household.id)
        total = await self.session.scalar(count_of(stmt)) if include_total else None
        rows = list((await self.session.exec(keyset(stmt, keys, cursor, limit))).all())
        value = {"address": "house_number_sort"}
        page = page_from_rows(rows, keys, limit, lambda r, n: getattr(r, value.get(n, n)))
        page.total = total
        return page

    async def by_code(self, code: str) -> Household | None:
        stmt = select(Household).where(Household.code == code, Household.deleted_at.is_(None))
        return (await self.session.exec(stmt)).first()

    async def code_taken(self, code: str) -> bool:
        return bool(await self.session.scalar(select(exists().where(Household.code == code))))

    async def add(self, household: Household) -> Household:
        self.session.add(household)
        await flush_or_conflict(self.session, code_value=household.code)
        return household

    async def save(self) -> None:
        await flush_or_conflict(self.session)


class ChangeLogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, entry: ChangeLog) -> None:
        self.session.add(entry)

    async def list(self, entity_type: str, entity_id: uuid.UUID, *, cursor, limit) -> Page:
        stmt = select(ChangeLog).where(ChangeLog.entity_type == entity_type,
                                       ChangeLog.entity_id == entity_id)
        keys = parse_sort(None, {"id": ChangeLog.id}, "id", ChangeLog.id)[:1]
        rows = list((await self.session.exec(keyset(stmt, keys, cursor, limit))).all())
        return page_from_rows(rows, keys, limit, lambda r, n: getattr(r, n))


def conflict_on_id_number(existing_id: uuid.UUID) -> IdNumberTaken:
    return IdNumberTaken(existing_id=str(existing_id))
