"""SQL for tickets, their categories, comments and timeline."""

from __future__ import annotations

import builtins
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import (
    Uuid,
    and_,
    cast,
    exists,
    func,
    insert,
    literal_column,
    null,
    or_,
    true,
    union_all,
    update,
)
from sqlalchemy import select as sa_select
from sqlmodel import select

from domain.access import Principal, Role
from domain.accounts.models import User, UserUnit
from domain.paging import Page
from domain.text import fold
from domain.tickets.errors import (
    AttachmentNotFound,
    HolidayNotFound,
    TicketCategoryNotFound,
    TicketNotFound,
)
from domain.tickets.models import (
    CategoryKind,
    EventKind,
    Holiday,
    Ticket,
    TicketAttachment,
    TicketCategory,
    TicketComment,
    TicketEvent,
    TicketStatus,
    Visibility,
)
from domain.tickets.stats import Tally, median
from domain.tickets.views import ATTACHMENT, COMMENT, EVENT
from domain.types import uuid7
from domain.units.models import AdminUnit
from repositories.flush import flush_or_conflict
from repositories.paging import keyset, page_from_rows, parse_sort
from repositories.scoped import (
    ASSIGNED,
    ByRole,
    Own,
    ScopedRepository,
    UnitColumns,
    Units,
    Where,
    inside,
    reaching,
)

_UNITS = {"group": Ticket.group_id, "commune": Ticket.commune_id,
          "province": Ticket.province_id}
_FRAUD = Ticket.category_id.in_(sa_select(TicketCategory.id).where(
    TicketCategory.kind == CategoryKind.fraud_report))


class CategoryRepository(ScopedRepository[TicketCategory]):
    """Global categories and those of the caller's commune; a ward officer writes their
    commune's, only admins the global ones."""

    model, not_found, id_param = TicketCategory, TicketCategoryNotFound, None
    scope = Where(TicketCategory.commune_id.is_(None)) | Units(TicketCategory.commune_id,
                                                               reaching)
    write_scope = Units(TicketCategory.commune_id, inside)

    async def list(self, principal: Principal, *, kind, active, cursor, limit) -> Page:
        stmt = self.readable(principal)
        if kind:
            stmt = stmt.where(TicketCategory.kind == kind)
        if active is not None:
            stmt = stmt.where(TicketCategory.active.is_(active))
        return await self.page(stmt, sort=None, allowed={"code": TicketCategory.code},
                               default="code", cursor=cursor, limit=limit)

    async def of_kind(self, principal: Principal, kind: CategoryKind,
                      commune_id: uuid.UUID) -> TicketCategory | None:
        """The commune's active category of `kind`, else a global one (the first by code)."""
        stmt = self.readable(principal).where(
            TicketCategory.kind == kind, TicketCategory.active.is_(True),
            or_(TicketCategory.commune_id.is_(None), TicketCategory.commune_id == commune_id)
        ).order_by(TicketCategory.commune_id.is_(None), TicketCategory.code).limit(1)
        return (await self.session.exec(stmt)).first()

    async def kind_of(self, category_id: uuid.UUID) -> CategoryKind:
        """The kind of a category a ticket already has (scope: the ticket's)."""
        stmt = sa_select(TicketCategory.kind).where(TicketCategory.id == category_id)
        return CategoryKind(await self.run.fetchval(stmt))

    async def for_ticket(self, principal: Principal, category_id: uuid.UUID,
                         commune_id: uuid.UUID) -> TicketCategory | None:
        """An active category the caller reads that applies to the commune."""
        stmt = self.readable(principal).where(
            TicketCategory.id == category_id, TicketCategory.active.is_(True),
            or_(TicketCategory.commune_id.is_(None), TicketCategory.commune_id == commune_id))
        return (await self.session.exec(stmt)).first()

    async def add(self, category: TicketCategory) -> None:
        self.session.add(category)
        await flush_or_conflict(self.session)

    # -- the Open311 face: services by code -----------------------------------------------
    async def services(self, principal: Principal | None) -> builtins.list[TicketCategory]:
        """Active categories by code, one per code (a commune's own before a global one of
        the same code); without a caller, the global ones only."""
        stmt = (self.readable(principal) if principal is not None
                else select(TicketCategory).where(TicketCategory.commune_id.is_(None)))
        stmt = stmt.where(TicketCategory.active.is_(True)).order_by(
            TicketCategory.code, TicketCategory.commune_id.is_(None), TicketCategory.id)
        found: dict[str, TicketCategory] = {}
        for category in (await self.session.exec(stmt)).all():
            found.setdefault(category.code, category)
        return list(found.values())

    async def by_code(self, principal: Principal, code: str,
                      commune_id: uuid.UUID | None) -> TicketCategory | None:
        """The active category of that code a ticket of the commune takes: its own first."""
        stmt = self.readable(principal).where(
            TicketCategory.code == code, TicketCategory.active.is_(True),
            or_(TicketCategory.commune_id.is_(None), TicketCategory.commune_id == commune_id)
        ).order_by(TicketCategory.commune_id.is_(None)).limit(1)
        return (await self.session.exec(stmt)).first()

    async def by_ids(self, ids: set[uuid.UUID]) -> dict[uuid.UUID, TicketCategory]:
        """Categories of tickets already read (their labels), whatever the caller's scope."""
        if not ids:
            return {}
        stmt = select(TicketCategory).where(TicketCategory.id.in_(ids))
        return {c.id: c for c in (await self.session.exec(stmt)).all()}


SORTS = {"created_at": Ticket.created_at, "updated_at": Ticket.updated_at,
         "resolution_due_at": Ticket.resolution_due_at}


class TicketRepository(ScopedRepository[Ticket]):
    """By the ticket's units (a volunteer: the households they walk), and the tickets the
    caller opened; a resident only their own (opened by them or for them), a security
    officer the fraud reports. Ward
    officers and group leaders open tickets only inside their units, so their scope is the
    units alone: `OR opened_by_id = me` kept PostgreSQL from walking the commune's
    (commune_id, created_at) index in order, 72 ms instead of 2 ms for a `q` page of a
    40,000-ticket commune (bench/tickets.py)."""

    model, not_found = Ticket, TicketNotFound
    scope = ByRole(UnitColumns({**_UNITS, ASSIGNED: Ticket.household_id})
                   | Own(Ticket.opened_by_id), {
        # Their own: opened by them, or for the register record their account is.
        Role.resident: Own(Ticket.opened_by_id)
        | Own(Ticket.requester_resident_id, attr="resident_id"),
        Role.ward_officer: UnitColumns(_UNITS),
        Role.group_leader: UnitColumns(_UNITS),
        Role.security_officer: UnitColumns(_UNITS) & Where(_FRAUD),
    })

    @classmethod
    def queue(cls, principal: Principal, *, status=None, assignee_id=None, team=None,
              category_id=None, breached=None, q=None):
        """The list's filtered statement, before its keyset (the benchmark runs it bare)."""
        stmt = cls.readable(principal)
        for column, value in ((Ticket.status, status), (Ticket.assignee_id, assignee_id),
                              (Ticket.team, team), (Ticket.category_id, category_id)):
            if value is not None:
                stmt = stmt.where(column == value)
        if breached is not None:
            either = or_(Ticket.first_response_breached, Ticket.resolution_breached)
            stmt = stmt.where(either if breached else ~either)
        if q:
            folded = fold(q)
            stmt = stmt.where(or_(Ticket.subject_folded.contains(folded, autoescape=True),
                                  Ticket.code == q.strip().upper()))
        return stmt

    async def list(self, principal: Principal, *, status, assignee_id, team, category_id,
                   breached, q, sort, cursor, limit, include_total) -> Page:
        stmt = self.queue(principal, status=status, assignee_id=assignee_id, team=team,
                          category_id=category_id, breached=breached, q=q)
        return await self.page(stmt, sort=sort, allowed=SORTS, default="-created_at",
                               cursor=cursor, limit=limit, include_total=include_total)

    async def stats(self, principal: Principal, *, since: datetime, until: datetime,
                    unit_id: uuid.UUID | None, category_id: uuid.UUID | None
                    ) -> Sequence[Tally]:
        """`GET /tickets/stats`' tallies: one GROUP BY statement (`stats_statement`)."""
        return await _stats(self, principal, since=since, until=until,
                                        unit_id=unit_id, category_id=category_id)

    async def add(self, ticket: Ticket) -> None:
        self.session.add(ticket)
        await flush_or_conflict(self.session)

    # -- the Open311 face -------------------------------------------------------------------
    async def by_code(self, principal: Principal, code: str) -> Ticket:
        """A readable ticket by its code (GeoReport's service_request_id), else the 404."""
        stmt = self.readable(principal).where(Ticket.code == code.strip().upper()).order_by(
            Ticket.created_at.desc()).limit(1)
        ticket = (await self.session.exec(stmt)).first()
        if ticket is None:
            raise self.missing()
        return ticket

    async def open311(self, principal: Principal, *, codes: builtins.list[str] | None,
                      service_codes: builtins.list[str] | None, start: datetime | None,
                      end: datetime | None, statuses: frozenset[str] | None,
                      limit: int) -> builtins.list[Ticket]:
        """GET Service Requests: by ticket codes (then nothing else applies), or by service
        codes, the range of `created_at` and statuses; latest first, at most `limit`."""
        stmt = self.readable(principal)
        if codes:
            stmt = stmt.where(Ticket.code.in_([c.upper() for c in codes]))
        else:
            if service_codes:
                stmt = stmt.where(Ticket.category_id.in_(sa_select(TicketCategory.id).where(
                    TicketCategory.code.in_(service_codes))))
            if start is not None:
                stmt = stmt.where(Ticket.created_at >= start)
            if end is not None:
                stmt = stmt.where(Ticket.created_at <= end)
            if statuses is not None:
                stmt = stmt.where(Ticket.status.in_(sorted(statuses)))
        stmt = stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit)
        return list((await self.session.exec(stmt)).all())

    async def covers(self, user_id: uuid.UUID, ticket: Ticket) -> bool:
        """The user is staff (not a resident) of one of the ticket's units."""
        units = [u for u in (ticket.group_id, ticket.commune_id, ticket.province_id) if u]
        stmt = sa_select(exists().where(
            UserUnit.user_id == user_id, UserUnit.unit_id.in_(units),
            User.id == UserUnit.user_id, User.disabled_at.is_(None),
            User.role != Role.resident))
        return bool(await self.run.fetchval(stmt))

    async def officers(self, ticket: Ticket, role: Role, *, limit: int = 2
                       ) -> builtins.list[uuid.UUID]:
        """Active users of `role` with the ticket's group or commune among their units (at
        most `limit`: routing only asks whether there is exactly one)."""
        units = [u for u in (ticket.group_id, ticket.commune_id) if u]
        stmt = sa_select(User.id).where(
            User.id == UserUnit.user_id, UserUnit.unit_id.in_(units),
            User.disabled_at.is_(None), User.role == role).distinct().order_by(User.id).limit(
            limit)
        return [row["id"] for row in await self.run.fetch(stmt)]

    async def by_need(self, need_id: uuid.UUID) -> Ticket | None:
        """The ticket a need became, whoever may read it (a 409 names its id only)."""
        stmt = select(Ticket).where(Ticket.visit_need_id == need_id)
        return (await self.session.exec(stmt)).first()
    # -- the service targets ----------------------------------------------------------------
    async def flag_breaches(self, now: datetime, *, actor_id: uuid.UUID,
                            actor_name: str) -> dict[str, Sequence[uuid.UUID]]:
        """Set the breach flags that are due, one UPDATE per flag: still unanswered
        (unresolved, not waiting on the resident) past the due time, or answered
        (resolved) after it; each newly flagged ticket gets a new version and one internal
        `breach` line naming the target in `note`. The ids flagged, by target."""
        t = Ticket.__table__.c
        done = (TicketStatus.resolved.value, TicketStatus.closed.value,
                TicketStatus.waiting_on_resident.value)
        targets = {
            "first_response": (t.first_response_breached, t.first_response_due_at, or_(
                and_(t.first_responded_at.is_(None), t.first_response_due_at < now),
                t.first_responded_at > t.first_response_due_at)),
            "resolution": (t.resolution_breached, t.resolution_due_at, or_(
                and_(t.resolved_at.is_(None), t.status.not_in(done),
                     t.resolution_due_at < now),
                t.resolved_at > t.resolution_due_at)),
        }
        flagged: dict[str, Sequence[uuid.UUID]] = {}
        for target, (flag, due, late) in targets.items():
            stmt = (update(Ticket.__table__)
                    .where(flag.is_not(true()), due.is_not(None), late)
                    .values({flag: True, t.version: t.version + 1, t.updated_at: now})
                    .returning(t.id))
            ids = list((await self.session.execute(stmt)).scalars())
            flagged[target] = ids
            if ids:
                await self.session.execute(insert(TicketEvent.__table__), [
                    {"id": uuid7(), "ticket_id": ticket_id, "kind": EventKind.breach.value,
                     "visibility": Visibility.internal.value, "note": target,
                     "actor_id": actor_id, "actor_name": actor_name, "occurred_at": now}
                    for ticket_id in ids])
        return flagged

    # -- the timeline and comments ------------------------------------------------------
    async def add_event(self, event: TicketEvent) -> None:
        self.session.add(event)
        await self.session.flush()

    async def add_comment(self, comment: TicketComment) -> None:
        self.session.add(comment)
        await self.session.flush()

    async def comments(self, principal: Principal, ticket: Ticket, *, cursor,
                       limit) -> Page:
        """Oldest first, without the rows `COMMENT` hides from the caller."""
        stmt = _visible(select(TicketComment).where(TicketComment.ticket_id == ticket.id),
                        TicketComment, COMMENT.hidden_rows(principal))
        keys = parse_sort(None, {"created_at": TicketComment.created_at}, "created_at",
                          TicketComment.id)
        rows = list((await self.session.exec(keyset(stmt, keys, cursor, limit))).all())
        return page_from_rows(rows, keys, limit)

    async def events(self, principal: Principal, ticket: Ticket, *, cursor, limit) -> Page:
        """Oldest first, without the rows `EVENT` hides from the caller."""
        stmt = _visible(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id),
                        TicketEvent, EVENT.hidden_rows(principal))
        keys = parse_sort(None, {"occurred_at": TicketEvent.occurred_at}, "occurred_at",
                          TicketEvent.id)
        rows = list((await self.session.exec(keyset(stmt, keys, cursor, limit))).all())
        return page_from_rows(rows, keys, limit)

    # -- attachments (the row; its bytes are in the blob storage) ----------------------
    async def add_attachment(self, attachment: TicketAttachment) -> None:
        self.session.add(attachment)
        await flush_or_conflict(self.session)

    async def attachments(self, principal: Principal, ticket: Ticket, *, cursor,
                          limit) -> Page:
        """Oldest first, without the rows `ATTACHMENT` hides from the caller."""
        stmt = self._attachments(principal, ticket)
        keys = parse_sort(None, {"created_at": TicketAttachment.created_at}, "created_at",
                          TicketAttachment.id)
        rows = list((await self.session.exec(keyset(stmt, keys, cursor, limit))).all())
        return page_from_rows(rows, keys, limit)

    async def attachment(self, principal: Principal, ticket: Ticket,
                         attachment_id: uuid.UUID) -> TicketAttachment:
        """One of the ticket's (read through the scoped ticket); hidden ones are missing."""
        stmt = self._attachments(principal, ticket).where(TicketAttachment.id == attachment_id)
        found = (await self.session.exec(stmt)).first()
        if found is None:
            raise AttachmentNotFound()
        return found

    async def delete_attachment(self, attachment: TicketAttachment) -> None:
        await self.session.delete(attachment)
        await self.session.flush()

    @staticmethod
    def _attachments(principal: Principal, ticket: Ticket):
        return _visible(select(TicketAttachment).where(TicketAttachment.ticket_id == ticket.id),
                        TicketAttachment, ATTACHMENT.hidden_rows(principal))


def _visible(stmt, model, hidden: dict[str, frozenset[str]]):
    for name, values in hidden.items():
        stmt = stmt.where(getattr(model, name).not_in(sorted(values)))
    return stmt


# -- stats: one GROUP BY statement over the caller's readable tickets of a range, its four
# groupings (the whole range, per category, per commune, per residential group) joined by
# UNION ALL over one CTE. Medians of the stored working minutes are PostgreSQL's
# `percentile_cont(0.5) WITHIN GROUP`; SQLite has none, so there a second statement reads
# the minutes of those tickets and `domain.tickets.stats.median` takes them per group.
_DIMENSIONS = ("total", "category", "commune", "group")
_KEYS = {"total": None, "category": "category_id", "commune": "commune_id",
         "group": "group_id"}


def stats_base(repository, principal: Principal, *, since: datetime, until: datetime,
               unit_id: uuid.UUID | None, category_id: uuid.UUID | None,
               dialect: str | None):
    """The caller's readable tickets created in [since, until), with what the stats need."""
    stmt = sa_select(
        Ticket.category_id, Ticket.commune_id, Ticket.group_id, Ticket.status,
        or_(Ticket.first_response_breached, Ticket.resolution_breached).label("breached"),
        Ticket.first_response_work_minutes.label("first_response"),
        Ticket.resolution_work_minutes.label("resolution"),
    ).where(Ticket.created_at >= since, Ticket.created_at < until,
            repository.scope_of(principal, dialect))
    if unit_id is not None:
        stmt = stmt.where(or_(Ticket.province_id == unit_id, Ticket.commune_id == unit_id,
                              Ticket.group_id == unit_id))
    if category_id is not None:
        stmt = stmt.where(Ticket.category_id == category_id)
    return stmt


def stats_statement(base, dialect: str | None):
    """Counts by status, breaches and (PostgreSQL) the two medians, per grouping."""
    t = base.cte("stats_ticket")
    branches = []
    for dimension in _DIMENSIONS:
        key = t.c[_KEYS[dimension]] if _KEYS[dimension] else cast(null(), Uuid)
        columns = [literal_column(f"'{dimension}'").label("dimension"), key.label("key"),
                   *(func.count().filter(t.c.status == s).label(s.value)
                     for s in TicketStatus),
                   func.count().filter(t.c.breached).label("breached")]
        if dialect == "postgresql":
            columns += [func.percentile_cont(0.5).within_group(t.c.first_response)
                        .label("first_response"),
                        func.percentile_cont(0.5).within_group(t.c.resolution)
                        .label("resolution")]
        branch = sa_select(*columns).select_from(t)
        if dimension == "group":
            branch = branch.where(t.c.group_id.is_not(None))
        if _KEYS[dimension]:
            branch = branch.group_by(key)
        else:
            branch = branch.having(func.count() > 0)
        branches.append(branch)
    # The names beside the ids (the units and categories of the caller's own tickets), in
    # the same statement: no second read per kind of row.
    u = union_all(*branches).subquery("tally")
    category, unit = TicketCategory.__table__, AdminUnit.__table__
    return sa_select(u, category.c.code, func.coalesce(category.c.name, unit.c.name)
                     .label("name")).select_from(
        u.outerjoin(category, and_(u.c.dimension == "category", category.c.id == u.c.key))
        .outerjoin(unit, and_(u.c.dimension != "category", unit.c.id == u.c.key)))


async def _stats(repository, principal: Principal, **where) -> list[Tally]:
    run = repository.run
    base = stats_base(repository, principal, dialect=run.dialect, **where)
    tallies = {}
    for row in await run.fetch(stats_statement(base, run.dialect)):
        tallies[row["dimension"], row["key"]] = Tally(
            dimension=row["dimension"], key=row["key"],
            by_status={s: row[s.value] for s in TicketStatus}, breached=row["breached"],
            first_response_minutes=row.get("first_response"),
            resolution_minutes=row.get("resolution"), code=row["code"], name=row["name"])
    if run.dialect != "postgresql" and tallies:
        values: dict[tuple, tuple[list, list]] = defaultdict(lambda: ([], []))
        minutes = base.where(or_(Ticket.first_response_work_minutes.is_not(None),
                                 Ticket.resolution_work_minutes.is_not(None)))
        for row in await run.fetch(minutes):
            for dimension, column in _KEYS.items():
                key = (dimension, row[column] if column else None)
                if key in tallies:
                    values[key][0].append(row["first_response"])
                    values[key][1].append(row["resolution"])
        for key, (first, resolution) in values.items():
            tallies[key].first_response_minutes = median(first)
            tallies[key].resolution_minutes = median(resolution)
    return list(tallies.values())
class HolidayRepository(ScopedRepository[Holiday]):
    """Public holidays: one list for everyone (written by admins, the route says)."""

    model, not_found, id_param = Holiday, HolidayNotFound, None
    scope = Where(true())

    async def days(self, first_year: int, last_year: int) -> set[date]:
        """The holidays of the years `first_year` to `last_year`, in one query."""
        stmt = sa_select(Holiday.day).where(Holiday.day >= date(first_year, 1, 1),
                                            Holiday.day <= date(last_year, 12, 31))
        return set((await self.session.execute(stmt)).scalars())

    async def any_exist(self) -> bool:
        return bool(await self.run.fetchval(sa_select(exists().where(Holiday.id.is_not(None)))))

    async def list(self, principal: Principal, *, year: int | None, cursor,
                   limit) -> Page:
        stmt = self.readable(principal)
        if year is not None:
            stmt = stmt.where(Holiday.day >= date(year, 1, 1),
                              Holiday.day <= date(year, 12, 31))
        return await self.page(stmt, sort=None, allowed={"day": Holiday.day},
                               default="day", cursor=cursor, limit=limit)

    async def add(self, holiday: Holiday) -> None:
        self.session.add(holiday)
        await flush_or_conflict(self.session)

    async def delete(self, holiday: Holiday) -> None:
        await self.session.delete(holiday)
        await self.session.flush()


# The unit of work's attributes for this area (`uow.<name>`), see repositories/areas.py.
REPOSITORIES = {"tickets": TicketRepository, "ticket_categories": CategoryRepository,
                "holidays": HolidayRepository}
