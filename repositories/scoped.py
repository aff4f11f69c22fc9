"""One scoping mechanism: each repository declares where its rows sit among the units, and
`readable(principal)`, get-or-404, keyset pages and child reads all start from it.

A scope is a predicate builder: `UnitColumns` for rows that carry their unit columns (the
register), `JoinTable` for rows whose units are listed in a table of their own (campaign
groups, announcement targets, users' units), `Through` for rows that belong to something
another repository scopes (an audit event to its actor), `Own` for the caller's own rows,
`EveryUnit` for rows whose listed units must all be the caller's (a campaign to write),
`Where` for a fixed condition, `ByRole` for roles that reach rows their own way.
Scopes combine with `|` and `&`. Admins are unscoped: no predicate at all.

Writing has its own rule: a repository's `write_scope` (its read scope when it declares
none) says which rows a caller may change or place something in. Read scope may reach
further than write scope (a group leader reads their commune and province units, and
writes to neither), so every write resolves what it changes or targets through
`writable(principal)`: `get_writable`, `get_many_writable`, and for units
`UnitRepository.target(s)` with the level the write needs (repositories/units.py).

The register has one more shape: a volunteer (`Principal.reads_assignments`) reads only the
households assigned to them in active campaigns and their residents (`ASSIGNED`), for a
table that declares its household column under that key.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import Select, String, Uuid, and_, bindparam, cast, false, or_, true
from sqlalchemy import select as sa_select
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.access import Principal, Role
from domain.errors import DomainError, NotFound
from domain.outreach.models import Campaign, CampaignHousehold, CampaignStatus
from domain.paging import Page
from domain.units.models import AdminUnit
from repositories.direct import SessionRun, any_of
from repositories.paging import count_of, keyset, page_from_rows, parse_sort

LEVELS = ("group", "commune", "province")


# A volunteer's register scope: the households assigned to them in active campaigns.
ASSIGNED = "assigned"


def assigned_households(volunteer):
    """Households assigned to `volunteer` (a value or a bound parameter) in an active
    campaign: by the (campaign_id, volunteer_id) index, per active campaign."""
    ch = CampaignHousehold.__table__.c
    active = sa_select(Campaign.__table__.c.id).where(
        Campaign.__table__.c.status == CampaignStatus.active.value)
    return sa_select(ch.household_id).where(ch.campaign_id.in_(active),
                                            ch.volunteer_id == volunteer)


def scope_shape(principal: Principal, *, assigned: bool = False
                ) -> tuple[tuple[str, ...] | None, dict[str, Any]]:
    """Which unit levels the caller's scope tests (None: everything) and the ids to bind;
    with `assigned` (a register table), `(ASSIGNED,)` for a volunteer.

    With the units' levels known, only the matching columns are tested, so a commune
    officer's list is one indexed `commune_id IN (...)` rather than an OR of three. Hot
    statements are built once per shape with these as bound parameters: composing
    SQLAlchemy expressions costs more CPU than running the query they stand for."""
    if principal.is_unscoped:
        return None, {}
    if assigned and principal.reads_assignments:
        return (ASSIGNED,), {"scope_assigned": principal.subject_id}
    if principal.levels:
        shape = tuple(level for level in LEVELS if principal.units_at(level))
        return shape, {f"scope_{level}": list(principal.units_at(level)) for level in shape}
    return LEVELS, {f"scope_{level}": list(principal.unit_ids) for level in LEVELS}


def level_columns(table) -> dict[str, Any]:
    """The province/commune/group columns of a register table."""
    return {level: table.c[f"{level}_id"] for level in LEVELS if f"{level}_id" in table.c}


def register_columns(table, household) -> dict[str, Any]:
    """`level_columns` and the column naming the row's household (`ASSIGNED`): a
    volunteer's scope tests that one alone."""
    return {**level_columns(table), ASSIGNED: household}


def scope_clause(columns: dict[str, Any], shape: tuple[str, ...] | None,
                 ids: dict[str, Any] | None = None, dialect: str | None = None):
    """Rows whose unit columns (by level) fall inside a `scope_shape`: its ids bound now
    (`ids`), or at execution as lists (`any_of`, one array on PostgreSQL)."""
    if shape is None:
        return true()
    if shape == (ASSIGNED,):
        volunteer = (bindparam("scope_assigned", ids["scope_assigned"], type_=Uuid()) if ids
                     else bindparam("scope_assigned", type_=Uuid()))
        return columns[ASSIGNED].in_(assigned_households(volunteer))
    tests = []
    for level in shape:
        if level not in columns:
            continue
        given = [ids[f"scope_{level}"]] if ids else []
        if dialect is None and ids:  # a session's statement: anonymous parameters compose
            tests.append(columns[level].in_(given[0]))
        else:
            tests.append(any_of(columns[level], f"scope_{level}", dialect, *given))
    return or_(*tests) if len(tests) > 1 else (tests[0] if tests else false())


class Scope:
    """Where rows sit among the units; `clause` is the predicate for one caller."""

    def clause(self, principal: Principal, dialect: str | None = None):
        raise NotImplementedError

    def __or__(self, other: Scope) -> Scope:
        return Either((self, other))

    def __and__(self, other: Scope) -> Scope:
        return Both((self, other))


@dataclass(frozen=True)
class Both(Scope):
    scopes: tuple[Scope, ...]

    def clause(self, principal, dialect=None):
        return and_(*(s.clause(principal, dialect) for s in self.scopes))


@dataclass(frozen=True)
class Either(Scope):
    scopes: tuple[Scope, ...]

    def clause(self, principal, dialect=None):
        return or_(*(s.clause(principal, dialect) for s in self.scopes))

    def __or__(self, other: Scope) -> Scope:
        return Either((*self.scopes, other))


@dataclass(frozen=True)
class UnitColumns(Scope):
    """Rows carrying their units by level: `{"group": t.group_id, "commune": ...}`; with
    an `ASSIGNED` column too (`register_columns`), a volunteer's rows are their assigned
    households'."""

    columns: dict[str, Any]

    def clause(self, principal, dialect=None):
        shape, ids = scope_shape(principal, assigned=ASSIGNED in self.columns)
        return scope_clause(self.columns, shape, ids, dialect)


# Every unit inside the caller's: its own, those below in the commune or the province.
UNITS_BELOW = UnitColumns({"group": AdminUnit.id, "commune": AdminUnit.commune_id,
                           "province": AdminUnit.province_id})


def mine(unit_column, principal: Principal):
    """The unit is one of the caller's."""
    return unit_column.in_(list(principal.unit_ids))


def inside(unit_column, principal: Principal):
    """The unit is one of the caller's or below one of them."""
    return unit_column.in_(sa_select(AdminUnit.id).where(UNITS_BELOW.clause(principal)))


def reaching(unit_column, principal: Principal):
    """The unit is one of the caller's or the commune one of them sits in."""
    ids = list(principal.unit_ids)
    return or_(unit_column.in_(ids), unit_column.in_(
        sa_select(AdminUnit.commune_id).where(AdminUnit.id.in_(ids))))


@dataclass(frozen=True)
class Units(Scope):
    """Rows with one unit column of any level, tested by `test` (`mine`, `inside`, ...)."""

    column: Any
    test: Any = inside

    def clause(self, principal, dialect=None):
        return self.test(self.column, principal)


@dataclass(frozen=True)
class JoinTable(Scope):
    """Rows whose units are listed in a join table: `key IN (SELECT fk WHERE unit ...)`."""

    key: Any
    fk: Any
    unit: Any
    test: Any = mine

    def clause(self, principal, dialect=None):
        return self.key.in_(sa_select(self.fk).where(self.test(self.unit, principal)))


@dataclass(frozen=True)
class EveryUnit(Scope):
    """Rows whose units, listed in a join table, all pass `test` (at least one listed): a
    campaign over several groups is written only by whoever may write to each of them."""

    key: Any
    fk: Any
    unit: Any
    test: Any = inside

    def clause(self, principal, dialect=None):
        passing = self.test(self.unit, principal)
        return and_(self.key.in_(sa_select(self.fk).where(passing)),
                    self.key.not_in(sa_select(self.fk).where(~passing)))


@dataclass(frozen=True)
class Through(Scope):
    """Rows that belong to a row another repository scopes (`fk` names it)."""

    parent: Any  # a ScopedRepository class
    fk: Any
    as_text: bool = False  # the fk keeps the parent's id as text (the audit trail)

    def clause(self, principal, dialect=None):
        parent_id = self.parent.model.id
        ids = sa_select(cast(parent_id, String) if self.as_text else parent_id).where(
            self.parent.scope.clause(principal, dialect))
        return self.fk.in_(ids)


@dataclass(frozen=True)
class Own(Scope):
    """The caller's own rows: `column` holds the caller's id, or another id of theirs
    (`attr="resident_id"`: the register record a resident's account is)."""

    column: Any
    attr: str = "subject_id"

    def clause(self, principal, dialect=None):
        mine = getattr(principal, self.attr)
        return self.column == mine if mine is not None else false()


@dataclass(frozen=True)
class Where(Scope):
    """Rows matching a fixed condition, whoever asks (global rows, one kind of row)."""

    condition: Any

    def clause(self, principal, dialect=None):
        return self.condition


@dataclass(frozen=True)
class ByRole(Scope):
    """Some roles reach rows their own way (a resident, only their own); the rest through
    `default`."""

    default: Scope
    roles: dict[Role, Scope]

    def clause(self, principal, dialect=None):
        return self.roles.get(principal.role, self.default).clause(principal, dialect)


M = TypeVar("M")


class Repository:
    """Over one unit of work's session: entities through the session (`session.exec`, `add`,
    `flush`), every Core statement through `run`, in the same transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @cached_property
    def run(self) -> SessionRun:
        return SessionRun(self.session)


class ScopedRepository(Repository, Generic[M]):
    """A table's repository: every read starts at `readable(principal)`.

    Subclasses declare `model`, `scope`, the error a missing row raises (`not_found`: a
    code or an error class, and `id_param`, the parameter naming the id) and `deleted_column`
    for soft-deleted tables; `write_scope` when the rows a caller may change are fewer than
    those they read (a row readable but not writable is the same not-found error)."""

    model: ClassVar[type]
    scope: ClassVar[Scope]
    write_scope: ClassVar[Scope | None] = None
    not_found: ClassVar[type[DomainError]] = NotFound
    id_param: ClassVar[str | None] = None
    deleted_column: ClassVar[str | None] = None

    @classmethod
    def scope_of(cls, principal: Principal, dialect: str | None = None):
        """The caller's scope as one predicate (true for the unscoped)."""
        return true() if principal.is_unscoped else cls.scope.clause(principal, dialect)

    # Class methods: a statement built elsewhere (an import's set-wise SQL) starts from the
    # same scope without a repository instance.
    @classmethod
    def readable(cls, principal: Principal, *, include_deleted: bool = False) -> Select:
        return cls._within(cls.scope, principal, include_deleted)

    @classmethod
    def writable(cls, principal: Principal, *, include_deleted: bool = False) -> Select:
        """The rows the caller may change, or place something in (their own units and
        below, never an ancestor they only read)."""
        return cls._within(cls.write_scope or cls.scope, principal, include_deleted)

    @classmethod
    def _within(cls, scope: Scope, principal: Principal, include_deleted: bool) -> Select:
        stmt: Select = select(cls.model)
        if cls.deleted_column and not include_deleted:
            stmt = stmt.where(getattr(cls.model, cls.deleted_column).is_(None))
        if not principal.is_unscoped:
            stmt = stmt.where(scope.clause(principal))
        return stmt

    @classmethod
    def missing(cls, row_id: uuid.UUID | None = None) -> DomainError:
        """The error for a row that does not exist or is out of the caller's scope."""
        params = {cls.id_param: str(row_id)} if cls.id_param and row_id else {}
        return cls.not_found(**params)

    async def get(self, principal: Principal, row_id: uuid.UUID, *, for_update: bool = False,
                  include_deleted: bool = False) -> M:
        """The row if the caller may see it, else the repository's not-found error."""
        return await self._one(self.readable(principal, include_deleted=include_deleted),
                               row_id, for_update)

    async def get_writable(self, principal: Principal, row_id: uuid.UUID, *,
                           for_update: bool = False) -> M:
        """The row if the caller may change it, else the not-found error (whether or not
        they may read it)."""
        return await self._one(self.writable(principal), row_id, for_update)

    async def _one(self, stmt: Select, row_id: uuid.UUID, for_update: bool) -> M:
        stmt = stmt.where(self.model.id == row_id)
        if for_update:
            stmt = stmt.with_for_update(of=self.model)
        row = (await self.session.exec(stmt)).first()
        if row is None:
            raise self.missing(row_id)
        return row

    async def holder(self, principal: Principal, *where: Any) -> tuple[uuid.UUID, bool] | None:
        """The (living) row matching `where` whatever the caller's scope, and whether the
        caller may read it: a uniqueness conflict names the row only when they may."""
        stmt = sa_select(self.model.id, self.scope_of(principal).label("readable")).where(*where)
        if self.deleted_column:
            stmt = stmt.where(getattr(self.model, self.deleted_column).is_(None))
        row = await self.run.fetchrow(stmt.limit(1))
        return None if row is None else (row["id"], bool(row["readable"]))

    async def get_many(self, principal: Principal, ids: Sequence[uuid.UUID], *,
                       for_update: bool = False) -> list[M]:
        """The readable rows among `ids`, in one statement, by id."""
        return await self._many(self.readable(principal), ids, for_update)

    async def get_many_writable(self, principal: Principal, ids: Sequence[uuid.UUID], *,
                                for_update: bool = False) -> list[M]:
        """The writable rows among `ids`, in one statement, by id."""
        return await self._many(self.writable(principal), ids, for_update)

    async def _many(self, stmt: Select, ids: Sequence[uuid.UUID], for_update: bool) -> list[M]:
        if not ids:
            return []
        stmt = stmt.where(self.model.id.in_(list(ids))).order_by(self.model.id)
        if for_update:
            stmt = stmt.with_for_update(of=self.model)
        return list((await self.session.exec(stmt)).all())

    async def page(self, stmt: Select, *, sort: str | None, allowed: dict[str, Any],
                   default: str, cursor: str | None, limit: int,
                   include_total: bool = False) -> Page:
        """A keyset page of `stmt` (built from `readable`) in the order `sort` asks."""
        keys = parse_sort(sort, allowed, default, self.model.id)
        total = await self.run.fetchval(count_of(stmt)) if include_total else None
        rows = list((await self.session.exec(keyset(stmt, keys, cursor, limit))).all())
        return page_from_rows(rows, keys, limit, total)
