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
    update,
)
from sqlmodel import select as sqlmodel_select

from domain.access import Principal
from domain.imports.models import ImportJob
from domain.register.models import ChangeLog, Household, Resident
from domain.types import utcnow, uuid7
from repositories.accounts import UserRepository
from repositories.register import in_scope
from repositories.scoped import ScopedRepository, Through, Units, inside

_meta = MetaData()
STAGE = Table(
    "import_stage", _meta,
    Column("line", Integer, primary_key=True),
    Column("new_id", Uuid), Column("log_id", Uuid),
    Column("id_number", String(12)), Column("full_name", String(200)),
    Column("name_folded", String(200)), Column("name_lower", String(200)),
    Column("given_name_folded", String(100)), Column("birth_date", Date),
    Column("birth_year", Integer), Column("sex", String(8)),
    Column("household_code", String(32)), Column("relationship", String(24)),
    Column("phone", String(16)), Column("phone_masked", Boolean),
    Column("residence_status", String(24)), Column("residence_since", Date),
    Column("status_changed_on", Date), Column("id_number_mismatch", Boolean),
    Column("household_id", Uuid), Column("resident_id", Uuid), Column("action", String(8)),
    prefixes=["TEMPORARY"],
)
STAGE_COLUMNS = [c.name for c in STAGE.columns if c.name not in
                 ("household_id", "resident_id", "action")]


class ImportRepository(ScopedRepository[ImportJob]):
    # A job is seen by whoever sees its target group, or the user who submitted it.
    model, not_found = ImportJob, "import_not_found"
    scope = Units(ImportJob.group_id, inside) | Through(UserRepository, ImportJob.created_by_id)

    async def add_job(self, job: ImportJob) -> None:
        self.session.add(job)
        await self.session.flush()

    async def job(self, job_id: uuid.UUID) -> ImportJob:
        stmt = sqlmodel_select(ImportJob).where(ImportJob.id == job_id)
        return (await self.session.exec(stmt)).one()

    async def set_progress(self, job_id: uuid.UUID, rows: int) -> None:
        """Rows read so far; the first call also marks the job running."""
        values: dict[str, Any] = {"processed_rows": rows, "heartbeat_at": utcnow()}
        if rows == 0:
            values |= {"status": "running", "started_at": utcnow()}
        await self._exec(update(ImportJob).where(ImportJob.id == job_id).values(**values))

    async def beat(self, job_id: uuid.UUID) -> None:
        """The job's worker is alive (the long set-wise statements report no progress)."""
        await self._exec(update(ImportJob).where(
            ImportJob.id == job_id, ImportJob.status.in_(("queued", "running"))).values(
            heartbeat_at=utcnow()))

    async def fail_interrupted(self, silent_since: datetime) -> list[uuid.UUID]:
        """Jobs queued or running whose worker has not beaten since `silent_since`: their
        worker died (a restart, a killed process) and rolled everything back. Mark them
        failed so nobody waits for them; answer their ids."""
        j = ImportJob.__table__.c
        rows = await self._rows(update(ImportJob).where(
            j.status.in_(("queued", "running")),
            func.coalesce(j.heartbeat_at, j.created_at) < silent_since,
        ).values(status="failed", finished_at=utcnow(), errors=[{
            "line": 0, "column": "", "code": "import_interrupted", "params": {},
            "message": "Lượt nhập bị gián đoạn"}]).returning(j.id))
        return [row[0] for row in rows]

    async def drop_stage(self) -> None:
        conn = await self.session.connection()
        await conn.run_sync(lambda c: STAGE.drop(c, checkfirst=True))

    # -- staging -------------------------------------------------------------------------
    async def create_stage(self) -> None:
        conn = await self.session.connection()
        if conn.dialect.name == "postgresql":
            # A million-row apply runs single statements for minutes; the service-wide
            # statement timeout is for requests, not for this background transaction.
            await conn.exec_driver_sql("SET LOCAL statement_timeout = '60min'")
        await conn.run_sync(lambda c: STAGE.drop(c, checkfirst=True))
        await conn.run_sync(lambda c: STAGE.create(c))

    async def stage(self, records: list[tuple[int, dict[str, Any]]]) -> None:
        rows = [(line, uuid7(), uuid7(), *(rec.get(c) for c in STAGE_COLUMNS[3:]))
                for line, rec in records]
        conn = await self.session.connection()
        if conn.dialect.name == "postgresql":
            raw = await conn.get_raw_connection()
            await raw.driver_connection.copy_records_to_table(
                "import_stage", records=rows, columns=STAGE_COLUMNS)
        else:
            await conn.execute(insert(STAGE), [dict(zip(STAGE_COLUMNS, r, strict=True))
                                              for r in rows])

    # -- checks --------------------------------------------------------------------------
    async def resolve(self, principal: Principal) -> list[tuple[int, str, str]]:
        """Find households and existing residents; answer (line, column, code) problems."""
        s, h, r = STAGE.c, Household, Resident
        households = select(h.id).where(h.code == s.household_code, h.deleted_at.is_(None))
        if not principal.is_unscoped:
            households = households.where(in_scope(h, principal))
        # Correlated by hand: nested in `by_name` it would not find the staged row itself.
        household = households.correlate_except(h).scalar_subquery()
        by_id = select(r.id).where(r.id_number == s.id_number, r.deleted_at.is_(None))
        by_name = select(r.id).where(
            r.household_id == household, r.name_folded == s.name_folded,
            r.birth_year == s.birth_year, r.deleted_at.is_(None)).limit(1)
        # One pass over the staged rows (each UPDATE of a million rows rewrites them all).
        await self._exec(update(STAGE).values(
            household_id=household,
            resident_id=case((s.id_number.is_not(None), by_id.scalar_subquery()),
                             else_=by_name.scalar_subquery())))
        problems = [(line, "household_code", "household_unknown") for (line,) in await self._rows(
            select(s.line).where(s.household_id.is_(None)))]
        first = select(func.min(s.line)).where(s.id_number.is_not(None)).group_by(s.id_number)
        problems += [(line, "id_number", "duplicate_in_file") for (line,) in await self._rows(
            select(s.line).where(s.id_number.is_not(None), s.line.not_in(first)))]
        # An ID number living elsewhere, outside the caller's households: not theirs to move.
        elsewhere = select(s.line).select_from(STAGE.join(r, r.id == s.resident_id)).where(
            r.household_id.is_distinct_from(s.household_id))
        if not principal.is_unscoped:
            elsewhere = elsewhere.where(~in_scope(r, principal))
        problems += [(line, "id_number", "id_number_taken") for (line,) in
                     await self._rows(elsewhere)]
        return problems

    async def drop_lines(self, lines: set[int]) -> None:
        if lines:
            await self._exec(delete(STAGE).where(STAGE.c.line.in_(sorted(lines))))

    async def classify(self) -> dict[str, int]:
        s, r = STAGE.c, Resident
        differs = select(literal(1)).where(r.id == s.resident_id, or_(
            r.full_name.is_distinct_from(s.full_name), r.sex.is_distinct_from(s.sex),
            r.household_id.is_distinct_from(s.household_id),
            r.relationship.is_distinct_from(func.coalesce(s.relationship, r.relationship)),
            r.birth_year.is_distinct_from(s.birth_year),
            and_(s.birth_date.is_not(None), r.birth_date.is_distinct_from(s.birth_date)),
            r.id_number.is_distinct_from(func.coalesce(s.id_number, r.id_number)),
            and_(s.phone_masked.is_(False), r.phone.is_distinct_from(s.phone)),
            r.residence_status.is_distinct_from(s.residence_status),
            r.residence_since.is_distinct_from(s.residence_since),
            r.status_changed_on.is_distinct_from(s.status_changed_on)))
        await self._exec(update(STAGE).values(action=case(
            (s.resident_id.is_(None), "create"), (differs.exists(), "update"), else_="same")))
        counts = dict(await self._rows(select(s.action, func.count()).group_by(s.action)))
        return {k: counts.get(k, 0) for k in ("create", "update", "same")}

    # -- apply ---------------------------------------------------------------------------
    async def apply(self, who: Principal, job_id: uuid.UUID) -> None:
        s, r, h = STAGE.c, Resident, Household
        now = utcnow()
        await self._exec(insert(Resident).from_select(
            ["id", "created_at", "updated_at", "version", "household_id", "relationship",
             "province_id", "commune_id", "group_id", "full_name", "name_folded", "name_lower",
             "given_name_folded", "birth_date", "birth_year", "sex", "id_number",
             "id_number_mismatch", "phone", "residence_status", "residence_since",
             "status_changed_on"],
            select(s.new_id, literal(now, Resident.created_at.type),
                   literal(now, Resident.updated_at.type), literal(1), s.household_id,
                   s.relationship, h.province_id, h.commune_id, h.group_id, s.full_name,
                   s.name_folded, s.name_lower, s.given_name_folded, s.birth_date,
                   s.birth_year, s.sex, s.id_number, s.id_number_mismatch, s.phone,
                   s.residence_status, s.residence_since, s.status_changed_on)
            # One join gives the placement (was three lookups of the household per row).
            .select_from(STAGE.join(h, h.id == s.household_id))
            .where(s.action == "create")))
        target = func.coalesce(s.resident_id, s.new_id)  # new residents take their new id
        upd = (select(STAGE, h.province_id.label("h_province_id"),
                      h.commune_id.label("h_commune_id"), h.group_id.label("h_group_id"))
               .select_from(STAGE.join(h, h.id == s.household_id))
               .where(s.action == "update", s.resident_id == r.id).subquery())
        col = upd.c
        await self._exec(update(r).where(r.id == col.resident_id).values(
            household_id=col.household_id,
            relationship=func.coalesce(col.relationship, r.relationship),
            province_id=col.h_province_id, commune_id=col.h_commune_id,
            group_id=col.h_group_id,
            full_name=col.full_name, name_folded=col.name_folded, name_lower=col.name_lower,
            given_name_folded=col.given_name_folded,
            birth_date=func.coalesce(col.birth_date, r.birth_date),
            birth_year=col.birth_year, sex=col.sex,
            id_number=func.coalesce(col.id_number, r.id_number),
            id_number_mismatch=col.id_number_mismatch,
            phone=case((col.phone_masked, r.phone), else_=col.phone),
            residence_status=col.residence_status, residence_since=col.residence_since,
            status_changed_on=col.status_changed_on, version=r.version + 1,
            updated_at=literal(now, Resident.updated_at.type)))
        heads = select(target).where(s.household_id == h.id, s.relationship == "head",
                                           s.action.in_(("create", "update"))).limit(1)
        await self._exec(update(h).where(h.id.in_(select(s.household_id).where(
            s.relationship == "head", s.action.in_(("create", "update"))))).values(
            head_id=heads.scalar_subquery(), version=h.version + 1))
        await self._exec(insert(ChangeLog).from_select(
            ["id", "entity_type", "entity_id", "action", "changed_at", "actor_id", "actor_name",
             "version", "before", "after", "related_ids"],
            select(s.log_id, literal("resident"), target,
                   case((s.action == "create", "imported"), else_="import_updated"),
                   literal(now, ChangeLog.changed_at.type), literal(who.subject_id, Uuid),
                   literal(who.name), literal(1), literal({}, ChangeLog.before.type),
                   self._json_line(s.line),
                   literal([str(job_id)], ChangeLog.related_ids.type),
                   ).where(s.action.in_(("create", "update")))))

    def _json_line(self, line):
        """{"import_line": n} built by the database (json_build_object / json_object)."""
        if self.session.bind.dialect.name == "postgresql":
            return func.json_build_object("import_line", line)
        return func.json_object("import_line", line)

    async def _exec(self, stmt) -> None:
        await self.session.execute(stmt)

    async def _rows(self, stmt) -> list[tuple]:
        return [tuple(row) for row in (await self.session.execute(stmt)).all()]
