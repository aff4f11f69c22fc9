"""SQL for tickets, their categories, comments and timeline."""

from __future__ import annotations

import builtins
import uuid
from datetime import datetime

from sqlalchemy import exists, or_
from sqlalchemy import select as sa_select
from sqlmodel import select

from domain.access import Principal, Role
from domain.accounts.models import User, UserUnit
from domain.paging import Page
from domain.text import fold
from domain.tickets.errors import TicketCategoryNotFound, TicketNotFound
from domain.tickets.models import (
    CategoryKind,
    Ticket,
    TicketCategory,
    TicketComment,
    TicketEvent,
)
from domain.tickets.views import COMMENT, EVENT
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


class TicketRepository(ScopedRepository[Ticket]):
    """By the ticket's units (a volunteer: the households they walk), and the tickets the
    caller opened; a resident only their own, a security officer the fraud reports."""

    model, not_found = Ticket, TicketNotFound
    scope = ByRole(UnitColumns({**_UNITS, ASSIGNED: Ticket.household_id})
                   | Own(Ticket.opened_by_id), {
        Role.resident: Own(Ticket.opened_by_id),
        Role.security_officer: UnitColumns(_UNITS) & Where(_FRAUD),
    })

    async def list(self, principal: Principal, *, status, assignee_id, team, category_id,
                   breached, q, sort, cursor, limit, include_total) -> Page:
        stmt = self.readable(principal)
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
        return await self.page(stmt, sort=sort, allowed={
            "created_at": Ticket.created_at, "updated_at": Ticket.updated_at,
            "resolution_due_at": Ticket.resolution_due_at},
            default="-created_at", cursor=cursor, limit=limit, include_total=include_total)

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


def _visible(stmt, model, hidden: dict[str, frozenset[str]]):
    for name, values in hidden.items():
        stmt = stmt.where(getattr(model, name).not_in(sorted(values)))
    return stmt


# The unit of work's attributes for this area (`uow.<name>`), see repositories/areas.py.
REPOSITORIES = {"tickets": TicketRepository, "ticket_categories": CategoryRepository}
