"""SQL for households, residents, readiness facts and their change log, scoped per caller."""

from __future__ import annotations

import builtins
import uuid
from collections import defaultdict
from datetime import date, datetime
from functools import lru_cache
from typing import Any, ClassVar, NamedTuple

from sqlalchemy import (
    Text,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    literal_column,
    not_,
    or_,
    update,
)
from sqlmodel import select

from domain.access import Principal
from domain.paging import Page
from domain.register.errors import HouseholdNotFound, ResidentNotFound
from domain.register.models import ChangeLog, Household, ReadinessFact, Resident
from domain.register.views import RESIDENT
from domain.text import folded_pattern, query_words
from domain.units.models import Street
from domain.views import Audience
from repositories.direct import Run, any_of
from repositories.documents import document_sql, utc_text
from repositories.flush import flush_or_conflict
from repositories.paging import count_of, keyset, page_from_rows, parse_sort
from repositories.scoped import (
    Repository,
    ScopedRepository,
    UnitColumns,
    level_columns,
    register_columns,
    scope_clause,
    scope_shape,
)

# Read: the caller's units, or a volunteer's assigned households. Write: the units only.
RESIDENT_COLUMNS = register_columns(Resident.__table__, Resident.__table__.c.household_id)
RESIDENT_SCOPE = UnitColumns(RESIDENT_COLUMNS)
HOUSEHOLD_SCOPE = UnitColumns(register_columns(Household.__table__, Household.__table__.c.id))
RESIDENT_WRITE_SCOPE = UnitColumns(level_columns(Resident.__table__))
HOUSEHOLD_WRITE_SCOPE = UnitColumns(level_columns(Household.__table__))


@lru_cache(maxsize=32)
def _resident_read_stmt(shape: tuple[str, ...] | None, dialect: str):
    t = Resident.__table__
    return select(t).where(t.c.id == bindparam("id"), t.c.deleted_at.is_(None),
                           scope_clause(RESIDENT_COLUMNS, shape, dialect=dialect))


@lru_cache(maxsize=2)
def _facts_stmt(dialect: str):
    t = ReadinessFact.__table__
    return select(t.c.resident_id, t.c.kind, t.c.occurred_on, t.c.guardian_id,
                  t.c.recorded_by_name, t.c.recorded_at).where(
        any_of(t.c.resident_id, "ids", dialect)).order_by(
        t.c.resident_id, t.c.occurred_on, t.c.recorded_at)


def readable_residents(principal: Principal, *, include_deleted: bool = False,
                       dialect: str | None = None):
    """Every read of residents starts here: the caller's scope cannot be forgotten."""
    stmt = select(Resident)
    if not include_deleted:
        stmt = stmt.where(Resident.deleted_at.is_(None))
    if not principal.is_unscoped:
        stmt = stmt.where(RESIDENT_SCOPE.clause(principal, dialect))
    return stmt


def living_with_id_number(id_number, exclude=None):
    """The living record holding `id_number` (a value, or a column of staged rows): one
    per number, for the per-record check and the import's match alike."""
    stmt = select(Resident.id).where(Resident.id_number == id_number,
                                     Resident.deleted_at.is_(None))
    return stmt if exclude is None else stmt.where(Resident.id != exclude)


async def resident_page(run: Run, principal: Principal, f: dict[str, Any], *, sort, cursor,
                        limit, include_total, document=None) -> Page:
    """A page of the list as plain rows (the resident's columns, and `rank` with `q`; with
    `document`, only the sort keys and that column)."""
    stmt = _resident_filters(readable_residents(principal, dialect=run.dialect), f)
    if document is not None:
        t = Resident.__table__
        stmt = stmt.with_only_columns(t.c.id, t.c.sort_key, t.c.full_name_key,
                                      t.c.created_at, t.c.updated_at, document)
    # Both names by the Vietnamese alphabet (`name_keys`): the roster's order, given name
    # first, and the name as written.
    allowed = {"name": Resident.sort_key, "full_name": Resident.full_name_key,
               "created_at": Resident.created_at, "updated_at": Resident.updated_at}
    keys = parse_sort(sort, allowed, "name", Resident.id)
    if f.get("q_words"):
        rank = search_rank(f["q_exact"], f["q_words"]).label("rank")
        keys = parse_sort(None, {"rank": rank}, "rank", Resident.id)[:1] + keys
        stmt = stmt.add_columns(rank)
    total = await run.fetchval(count_of(stmt)) if include_total else None
    rows = await run.fetch(keyset(stmt, keys, cursor, limit))
    return page_from_rows(rows, keys, limit, total)


def _words_in(column, words: list[str], *, whole: bool):
    """Every one of `words` is a word of `column` (`whole`), or begins one."""
    padded = literal(" ") + column + literal(" ") if whole else literal(" ") + column
    return and_(*(padded.contains(f" {w} " if whole else f" {w}", autoescape=True)
                  for w in words))


def search_rank(exact: list[str], folded: list[str]):
    """How well a name matches `q` (0 best), before the roster order: every word of `q` a
    whole word of the name with its diacritics (either tone style), then a whole word once
    folded, then the start of a word; then the rest (`q`'s words inside words). `q=Anh`
    puts "Lê Anh" before "Nguyễn Thanh An"; `q=tran phu`, "Trần Văn Phú" before "Trần
    Phương Chi". The same SQL on PostgreSQL and SQLite: the keys are computed in Python."""
    return case((_words_in(Resident.name_lower, exact, whole=True), 0),
                (_words_in(Resident.name_folded, folded, whole=True), 1),
                (_words_in(Resident.name_folded, folded, whole=False), 2), else_=3)


@lru_cache(maxsize=8)
def _document_column(audience: Audience):
    """The resident's document (`domain.register.views.RESIDENT`) written by PostgreSQL as
    JSON text, for list pages (repositories/documents.py): `tests/api/test_views.py` holds
    it equal to the record and the Python list for every role, facts included."""
    r = "resident"
    derived = {
        "data_quality": f"CASE WHEN {r}.id_number_mismatch THEN '[\"id_number_mismatch\"]'::json"
                        " ELSE '[]'::json END",
        # The latest fact of each kind, as `readiness_of` keeps it.
        "readiness": "COALESCE((SELECT json_object_agg(f.kind, json_build_object("  # noqa: S608
                     "'occurred_on', f.occurred_on, 'guardian_id', f.guardian_id,"
                     " 'recorded_by_name', f.recorded_by_name,"
                     f" 'recorded_at', {utc_text('f.recorded_at')})) FROM (SELECT DISTINCT"
                     " ON (kind) kind, occurred_on, guardian_id, recorded_by_name, recorded_at"
                     " FROM"
                     f" readiness_fact WHERE resident_id = {r}.id ORDER BY kind,"
                     " occurred_on DESC, recorded_at DESC) AS f), '{}'::json)",
    }
    body = document_sql(RESIDENT, Resident.__table__, audience, derived)
    return literal_column(f"{body}::text", Text).label("document")


async def resident_page_documents(run: Run, principal: Principal, f: dict[str, Any], *,
                                  sort, cursor, limit, include_total) -> Page:
    """`resident_page` with each row's document built by PostgreSQL (`document`, JSON text),
    masked for `principal`; PostgreSQL only."""
    return await resident_page(run, principal, f, sort=sort, cursor=cursor, limit=limit,
                               include_total=include_total,
                               document=_document_column(RESIDENT.audience(principal)))


class Fact(NamedTuple):
    """The latest fact of one kind, as a resident's views show it."""

    occurred_on: date
    guardian_id: uuid.UUID | None
    recorded_by_name: str | None
    recorded_at: datetime


async def read_resident(run: Run, principal: Principal, resident_id: uuid.UUID):
    """A living resident in scope as a plain row, or NotFound (for views; `get` for changes)."""
    shape, params = scope_shape(principal, assigned=True)
    row = await run.fetchrow(_resident_read_stmt(shape, run.dialect),
                             {"id": resident_id, **params})
    if row is None:
        raise ResidentRepository.missing(resident_id)
    return row


async def readiness_of(run: Run, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Fact]]:
    """The latest fact of each kind per resident."""
    out: dict[uuid.UUID, dict[str, Fact]] = defaultdict(dict)
    if ids:
        for f in await run.fetch(_facts_stmt(run.dialect), {"ids": list(ids)}):
            out[f["resident_id"]][str(f["kind"])] = Fact(
                f["occurred_on"], f["guardian_id"], f["recorded_by_name"], f["recorded_at"])
    return out


class ResidentRepository(ScopedRepository[Resident]):
    model, scope, deleted_column = Resident, RESIDENT_SCOPE, "deleted_at"
    write_scope = RESIDENT_WRITE_SCOPE
    not_found, id_param = ResidentNotFound, "resident_id"

    async def id_number_holder(self, principal: Principal, id_number: str,
                               exclude: uuid.UUID | None = None) -> tuple[uuid.UUID, bool] | None:
        """The living record holding `id_number` (other than `exclude`) and whether the
        caller may read it."""
        where = [Resident.id_number == id_number]
        if exclude is not None:
            where.append(Resident.id != exclude)
        return await self.holder(principal, *where)

    async def placement_of(self, resident_id: uuid.UUID) -> dict[str, Any]:
        """A record's household and units whatever the caller's scope: a transfer request
        keeps them for the record's side, and never shows them to the side that asks."""
        t = Resident.__table__.c
        row = await self.run.fetchrow(select(t.household_id, t.province_id, t.commune_id,
                                             t.group_id).where(t.id == resident_id))
        return dict(row)

    async def members(self, household_ids: list[uuid.UUID], *, for_update=False):
        stmt = select(Resident).where(
            Resident.household_id.in_(household_ids), Resident.deleted_at.is_(None)
        ).order_by(Resident.household_id, Resident.sort_key, Resident.id)
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
        ).subquery()
        # The members of every group in one statement (was one query per group).
        stmt = self.readable(principal).join(groups, and_(
            Resident.commune_id == groups.c.commune_id,
            Resident.name_folded == groups.c.name_folded,
            Resident.birth_date.is_not_distinct_from(groups.c.birth_date),
            Resident.birth_year == groups.c.birth_year,
        )).where(Resident.id_number.is_(None)).order_by(
            Resident.name_folded, Resident.commune_id, Resident.birth_date,
            Resident.birth_year, Resident.created_at, Resident.id)
        out: dict[tuple, list[Resident]] = {}
        for person in (await self.session.exec(stmt)).all():
            key = (person.commune_id, person.name_folded, person.birth_date, person.birth_year)
            out.setdefault(key, []).append(person)
        return [(name, born, year, people) for (_, name, born, year), people in out.items()]

    async def add(self, resident: Resident) -> Resident:
        self.session.add(resident)
        await self.save(resident)
        return resident

    async def save(self, *residents: Resident) -> None:
        await flush_or_conflict(self.session)

    async def readiness(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Fact]]:
        """The latest fact of each kind per resident, in this unit of work."""
        return await readiness_of(self.run, ids)

    async def add_fact(self, fact: ReadinessFact, *, flush: bool = True) -> None:
        self.session.add(fact)
        if flush:
            await self.session.flush()

    async def move_facts(self, from_id: uuid.UUID, to_id: uuid.UUID) -> None:
        """A merged duplicate's facts, and the facts naming it as guardian, go to `to_id`."""
        await self.session.execute(update(ReadinessFact).where(
            ReadinessFact.resident_id == from_id).values(resident_id=to_id))
        await self.session.execute(update(ReadinessFact).where(
            ReadinessFact.guardian_id == from_id).values(guardian_id=to_id))


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


class HouseholdRepository(ScopedRepository[Household]):
    model, scope, deleted_column = Household, HOUSEHOLD_SCOPE, "deleted_at"
    write_scope = HOUSEHOLD_WRITE_SCOPE
    not_found, id_param = HouseholdNotFound, "household_id"

    async def list(self, principal: Principal, f: dict[str, Any], *, sort, cursor, limit,
                   include_total) -> Page:
        stmt = self.readable(principal)
        for key, column in (("group_id", Household.group_id),
                            ("commune_id", Household.commune_id),
                            ("street_id", Household.street_id)):
            if f.get(key) is not None:
                stmt = stmt.where(column == f[key])
        for word in query_words(f.get("q")):
            # Each word in the code, the house number, the street's name (folded) or the old
            # address text (stored as written: a pattern of each letter's forms): the same on
            # both databases (lower() of the ASCII codes and numbers alike; `~` and Python's
            # `re` read the pattern alike).
            stmt = stmt.where(or_(
                func.lower(Household.code).contains(word, autoescape=True),
                func.lower(Household.house_number).contains(word, autoescape=True),
                exists().where(Street.id == Household.street_id,
                               Street.name_folded.contains(word, autoescape=True)),
                Household.old_address_text.regexp_match(folded_pattern(word))))
        allowed = {"address": Household.house_number_sort, "code": Household.code,
                   "created_at": Household.created_at}
        return await self.page(stmt, sort=sort, allowed=allowed, default="code", cursor=cursor,
                               limit=limit, include_total=include_total)

    async def by_codes(self, commune_id: uuid.UUID, codes: builtins.list[str]
                       ) -> dict[str, Household]:
        """Living households of one commune by code, whatever the caller's scope there (an
        import matches codes; a code is the commune's, another commune may reuse it)."""
        if not codes:
            return {}
        stmt = select(Household).where(Household.commune_id == commune_id,
                                       Household.code.in_(codes), Household.deleted_at.is_(None))
        return {h.code: h for h in (await self.session.exec(stmt)).all()}

    async def code_holder(self, principal: Principal, commune_id: uuid.UUID, code: str
                          ) -> tuple[uuid.UUID, bool] | None:
        """The living household of the commune holding `code`, and whether the caller may
        read it."""
        return await self.holder(principal, Household.commune_id == commune_id,
                                 Household.code == code)

    async def add(self, household: Household) -> Household:
        self.session.add(household)
        await flush_or_conflict(self.session, code_value=household.code)
        return household

    async def save(self) -> None:
        await flush_or_conflict(self.session)


class ChangeLogRepository(Repository):
    """The register's history. A record's changes are read through its own repository's
    scoped get, so none can be read with a bare id."""

    parents: ClassVar[dict[str, type[ScopedRepository]]] = {
        "resident": ResidentRepository, "household": HouseholdRepository}

    async def add(self, entry: ChangeLog) -> None:
        self.session.add(entry)

    async def history(self, principal: Principal, *, entity: str, entity_id: uuid.UUID,
                      cursor, limit) -> Page:
        """One record's changes, oldest first, if the caller may read the record (deleted
        ones keep their history); else the record's not-found error."""
        parent = await self.parents[entity](self.session).get(principal, entity_id,
                                                              include_deleted=True)
        stmt = select(ChangeLog).where(ChangeLog.entity_type == entity,
                                       ChangeLog.entity_id == parent.id)
        keys = parse_sort(None, {"id": ChangeLog.id}, "id", ChangeLog.id)
        rows = list((await self.session.exec(keyset(stmt, keys, cursor, limit))).all())
        return page_from_rows(rows, keys, limit)

