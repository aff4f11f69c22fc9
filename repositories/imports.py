"""Applying an import set-wise: rows are staged (COPY on PostgreSQL), checked and matched
against the register with a few statements, then inserted or updated in one transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
    update,
)
from sqlalchemy.schema import CreateTable, DropTable
from sqlmodel import select as sqlmodel_select

from domain.access import Principal
from domain.elections.models import PollingArea
from domain.imports.errors import ImportNotFound
from domain.imports.models import ImportJob
from domain.register.models import ChangeLog, Household, Resident
from domain.register.policy import (
    DEMOTED_HEAD,
    HEAD,
    HEAD_REPLACED,
    ID_NUMBER_ELSEWHERE,
    PLACEMENT,
    RESIDENT_MERGE,
)
from domain.types import utcnow, uuid7
from repositories.accounts import UserRepository
from repositories.register import policy as rules
from repositories.register.records import (
    HouseholdRepository,
    ResidentRepository,
    living_with_id_number,
)
from repositories.scoped import JoinTable, ScopedRepository, Through, Units, inside

_RESIDENT = Resident.__table__.c

_meta = MetaData()
STAGE = Table(
    "import_stage", _meta,
    Column("line", Integer, primary_key=True),
    Column("new_id", Uuid), Column("log_id", Uuid),
    Column("id_number", String(12)), Column("full_name", String(200)),
    Column("name_folded", String(200)), Column("name_lower", String(200)),
    Column("sort_key", String), Column("full_name_key", String), Column("birth_date", Date),
    Column("birth_year", Integer), Column("sex", String(8)),
    Column("household_code", String(32)), Column("relationship", String(24)),
    Column("phone", String(16)), Column("phone_masked", Boolean),
    Column("residence_status", String(24)), Column("residence_since", Date),
    Column("status_changed_on", Date), Column("id_number_mismatch", Boolean),
    Column("household_id", Uuid), Column("resident_id", Uuid), Column("action", String(8)),
    prefixes=["TEMPORARY"],
)
_LONG_STATEMENTS = text("SET LOCAL statement_timeout = '60min'")
STAGE_COLUMNS = [c.name for c in STAGE.columns if c.name not in
                 ("household_id", "resident_id", "action")]


class ImportRepository(ScopedRepository[ImportJob]):
    # A job is seen by whoever sees its target group, or its polling area's commune (a voter
    # list: the commune's officers, not its group leaders), or the user who submitted it.
    model, not_found = ImportJob, ImportNotFound
    scope = (Units(ImportJob.group_id, inside)
             | JoinTable(ImportJob.polling_area_id, PollingArea.id, PollingArea.commune_id,
                         inside)
             | Through(UserRepository, ImportJob.created_by_id))

    async def add_job(self, job: ImportJob) -> None:
        self.session.add(job)
        await self.session.flush()

    async def job(self, job_id: uuid.UUID, *, fresh: bool = False) -> ImportJob:
        stmt = sqlmodel_select(ImportJob).where(ImportJob.id == job_id)
        if fresh:
            stmt = stmt.execution_options(populate_existing=True)
        return (await self.session.exec(stmt)).one()

    async def hold_writes(self, job_id: uuid.UUID) -> None:
        """SQLite: take the database's write lock now, for the whole of a job's transaction.
        A transaction that reads first and writes later fails at once when another
        connection (the audit sealer, a request) has committed in between (WAL snapshot),
        and a job's transaction is long. Others wait for it instead (busy timeout). On
        PostgreSQL nothing: progress is written beside the job's transaction."""
        if self.session.bind.dialect.name == "sqlite":
            await self.beat(job_id)

    async def request_cancel(self, job_id: uuid.UUID) -> bool:
        """Cancel a queued job, or flag a running one to stop; False when it has finished."""
        j = ImportJob.__table__.c
        now = utcnow()
        queued = j.status == "queued"
        row = (await self.session.execute(update(ImportJob).where(
            j.id == job_id, j.status.in_(("queued", "running"))).values(
            status=case((queued, "cancelled"), else_=j.status),
            finished_at=case((queued, now), else_=j.finished_at),
            cancel_requested_at=func.coalesce(j.cancel_requested_at, now),
        ).returning(j.id))).first()
        return row is not None

    async def claim(self, job_id: uuid.UUID, silent_since: datetime) -> ImportJob | None:
        """Take the job to run it: queued, or running with a worker silent since
        `silent_since` (it died, and its transaction rolled back). None when it is finished,
        cancelled, or running alive elsewhere: so no job ever runs twice at once."""
        j = ImportJob.__table__.c
        now = utcnow()
        row = (await self.session.execute(update(ImportJob).where(
            j.id == job_id,
            or_(j.status == "queued",
                and_(j.status == "running",
                     func.coalesce(j.heartbeat_at, j.started_at, j.created_at) < silent_since)),
        ).values(status="running", started_at=now, heartbeat_at=now, processed_rows=0,
                 attempts=j.attempts + 1).returning(j.id))).first()
        return None if row is None else await self.job(job_id)

    async def set_progress(self, job_id: uuid.UUID, rows: int) -> bool:
        """Rows read so far (and the worker is alive); answers whether a stop was asked."""
        j = ImportJob.__table__.c
        row = (await self.session.execute(update(ImportJob).where(j.id == job_id).values(
            processed_rows=rows, heartbeat_at=utcnow()).returning(j.cancel_requested_at))
        ).first()
        return row is not None and row[0] is not None

    async def cancel_requested(self, job_id: uuid.UUID) -> bool:
        j = ImportJob.__table__.c
        return await self.run.fetchval(
            select(j.cancel_requested_at.is_not(None)).where(j.id == job_id)) or False

    async def beat(self, job_id: uuid.UUID) -> None:
        """The job's worker is alive (the long set-wise statements report no progress)."""
        j = ImportJob.__table__.c  # a side transaction of its own: no job loaded in it
        await self.run.execute(update(ImportJob.__table__).where(
            j.id == job_id, j.status.in_(("queued", "running"))).values(heartbeat_at=utcnow()))

    async def unfinished(self, silent_since: datetime | None) -> list[ImportJob]:
        """Jobs queued or running with no sign of life since `silent_since` (or, given None,
        every unfinished job: the one process that held them has restarted)."""
        j = ImportJob.__table__.c
        stmt = sqlmodel_select(ImportJob).where(j.status.in_(("queued", "running")))
        if silent_since is not None:
            stmt = stmt.where(func.coalesce(j.heartbeat_at, j.created_at) < silent_since)
        return list((await self.session.exec(stmt)).all())

    async def drop_stage(self) -> None:
        await self.run.execute(DropTable(STAGE, if_exists=True))

    # -- staging -------------------------------------------------------------------------
    async def create_stage(self) -> None:
        if self.run.dialect == "postgresql":
            # A million-row apply runs single statements for minutes; the service-wide
            # statement timeout is for requests, not for this background transaction.
            await self.run.execute(_LONG_STATEMENTS)
        await self.drop_stage()
        await self.run.execute(CreateTable(STAGE))

    async def stage(self, records: list[tuple[int, dict[str, Any]]]) -> None:
        rest = STAGE_COLUMNS[3:]
        await self.run.insert_many(STAGE, [
            {"line": line, "new_id": uuid7(), "log_id": uuid7(), **{c: rec.get(c) for c in rest}}
            for line, rec in records])

    # -- checks --------------------------------------------------------------------------
    async def resolve(self, principal: Principal) -> list[tuple[int, str, str]]:
        """Find households and existing residents; answer (line, column, code) problems."""
        s, h, r = STAGE.c, Household, Resident
        # Placement and uniqueness by the clauses the per-record use cases use. A code is
        # unique in its commune: a caller writing to several communes may see it twice, and
        # such a line is refused below rather than placed in either household.
        households = HouseholdRepository.writable(principal).with_only_columns(h.id).where(
            h.code == s.household_code)
        # Correlated by hand: nested in `by_name` it would not find the staged row itself.
        household = households.order_by(h.id).limit(1).correlate_except(h).scalar_subquery()
        by_id = living_with_id_number(s.id_number)
        by_name = select(r.id).where(
            r.household_id == household, r.name_folded == s.name_folded,
            r.birth_year == s.birth_year, r.deleted_at.is_(None)).limit(1)
        # One pass over the staged rows (each UPDATE of a million rows rewrites them all).
        await self.run.execute(update(STAGE).values(
            household_id=household,
            resident_id=case((s.id_number.is_not(None), by_id.scalar_subquery()),
                             else_=by_name.scalar_subquery())))
        problems = [(line, "household_code", "household_unknown") for line in await self._lines(
            select(s.line).where(s.household_id.is_(None)))]
        other = HouseholdRepository.writable(principal).with_only_columns(h.id).where(
            h.code == s.household_code, h.id != s.household_id).correlate_except(h)
        problems += [(line, "household_code", "household_code_ambiguous") for line in
                     await self._lines(select(s.line).where(other.exists()))]
        first = select(func.min(s.line)).where(s.id_number.is_not(None)).group_by(s.id_number)
        problems += [(line, "id_number", "duplicate_in_file") for line in await self._lines(
            select(s.line).where(s.id_number.is_not(None), s.line.not_in(first)))]
        # An ID number living elsewhere, outside the caller's scope: not theirs to move, and
        # the row's reason names nothing of that record (`policy.id_number_conflict`).
        elsewhere = select(s.line).select_from(STAGE.join(r, r.id == s.resident_id)).where(
            r.household_id.is_distinct_from(s.household_id),
            ~ResidentRepository.scope_of(principal))
        problems += [(line, "id_number", ID_NUMBER_ELSEWHERE) for line in
                     await self._lines(elsewhere)]
        return problems

    async def drop_lines(self, lines: set[int]) -> None:
        if lines:
            await self.run.execute(delete(STAGE).where(STAGE.c.line.in_(sorted(lines))))

    async def classify(self) -> dict[str, int]:
        s, r = STAGE.c, _RESIDENT
        changed = select(literal(1)).where(r.id == s.resident_id, rules.differs(s, r))
        await self.run.execute(update(STAGE).values(action=case(
            (s.resident_id.is_(None), "create"), (changed.exists(), "update"), else_="same")))
        counts = {row["action"]: row["n"] for row in await self.run.fetch(
            select(s.action, func.count().label("n")).group_by(s.action))}
        return {k: counts.get(k, 0) for k in ("create", "update", "same")}

    # -- apply ---------------------------------------------------------------------------
    async def apply(self, who: Principal, job_id: uuid.UUID) -> None:
        """Write the classified rows by the register's rules, each change with its history
        entry (the stored values before, the new version), in a few statements."""
        s, r, h = STAGE.c, _RESIDENT, Household.__table__.c
        dialect = self.run.dialect
        now = utcnow()
        at = literal(now, Resident.updated_at.type)

        def entries(rows, where, action, version, before, after, related, log_id, entity=r.id):
            """History entries of the residents in `rows` (a join) that match `where`."""
            return insert(ChangeLog).from_select(
                ["id", "entity_type", "entity_id", "action", "changed_at", "actor_id",
                 "actor_name", "version", "before", "after", "related_ids"],
                select(log_id, literal("resident"), entity, literal(action),
                       literal(now, ChangeLog.changed_at.type), literal(who.subject_id, Uuid),
                       literal(who.name), version, before, after, related)
                .select_from(rows).where(where))

        job = literal([str(job_id)], ChangeLog.related_ids.type)
        await self.run.execute(insert(Resident).from_select(
            ["id", "created_at", "updated_at", "version", *RESIDENT_MERGE],
            select(s.new_id, at, at, literal(1),
                   *(rules.merged(name, s, None, h) for name in RESIDENT_MERGE))
            # One join gives the placement (was three lookups of the household per row).
            .select_from(STAGE.join(Household, h.id == s.household_id))
            .where(s.action == "create")))
        await self.run.execute(entries(
            STAGE.join(Household, h.id == s.household_id), s.action == "create", "imported",
            literal(1), literal({}, ChangeLog.before.type),
            rules.history_after_create(s, h, dialect), job, s.log_id, entity=s.new_id))
        # The entry of an update is written first: it reads the stored values it replaces.
        before, after = rules.history_of_update(s, r, h, dialect)
        await self.run.execute(entries(
            STAGE.join(Resident, r.id == s.resident_id).join(Household, h.id == s.household_id),
            s.action == "update", "import_updated", r.version + 1, before, after,
            job, s.log_id))
        upd = (select(STAGE, *(h[name].label(f"h_{name}") for name in PLACEMENT))
               .select_from(STAGE.join(Household, h.id == s.household_id))
               .where(s.action == "update", s.resident_id == r.id).subquery())
        placed = {name: upd.c[f"h_{name}"] for name in PLACEMENT}
        await self.run.execute(update(Resident).where(r.id == upd.c.resident_id).values(
            **{name: rules.merged(name, upd.c, r, placed) for name in RESIDENT_MERGE},
            version=r.version + 1, updated_at=at))
        await self._apply_heads(entries, dialect, at)

    async def _apply_heads(self, entries, dialect: str, at) -> None:
        """The single head: a head arriving in a household (the last such line of the file)
        heads it; whoever headed it before steps down, with a history entry each."""
        s, r, h = STAGE.c, _RESIDENT, Household.__table__.c
        arriving = STAGE.alias("arriving")
        last = select(func.max(arriving.c.line)).where(
            arriving.c.relationship == HEAD, arriving.c.action.in_(("create", "update"))
        ).group_by(arriving.c.household_id)
        heads = select(s.household_id, func.coalesce(s.resident_id, s.new_id).label("head_id")
                       ).where(s.line.in_(last)).subquery("heads")
        stepping_down = and_(r.household_id == heads.c.household_id, r.relationship == HEAD,
                             r.id != heads.c.head_id, r.deleted_at.is_(None))
        await self.run.execute(entries(
            Resident.__table__.join(heads, stepping_down), true(), HEAD_REPLACED,
            r.version + 1, literal({"relationship": HEAD.value}, ChangeLog.before.type),
            literal({"relationship": DEMOTED_HEAD.value}, ChangeLog.after.type),
            rules.json_list([heads.c.head_id], ["id"], dialect), rules.new_uuid7(dialect)))
        # UPDATE ... FROM the heads: joined, not NOT IN over a list of a million ids.
        await self.run.execute(update(Resident).where(stepping_down).values(
            relationship=DEMOTED_HEAD.value, version=r.version + 1, updated_at=at))
        await self.run.execute(update(Household).where(
            h.id == heads.c.household_id, h.head_id.is_distinct_from(heads.c.head_id)).values(
            head_id=heads.c.head_id, version=h.version + 1, updated_at=at))

    async def _lines(self, stmt) -> list[int]:
        return [row["line"] for row in await self.run.fetch(stmt)]


# The unit of work's attributes for this area (`uow.<name>`), see repositories/areas.py.
REPOSITORIES = {"imports": ImportRepository}
