"""Where tickets meet outreach: a need raised at the door becomes a ticket with one call, and
a confirmed fraud report becomes a fraud-warning announcement with one call."""

from __future__ import annotations

import uuid

from domain.access import Principal
from domain.announcements import service as announcements
from domain.announcements.models import Announcement, AnnouncementCategory, AnnouncementCreate
from domain.checks import Checks
from domain.concurrency import touch
from domain.outreach.models import NEED_TICKETED, VisitNeed
from domain.ports import UnitOfWork
from domain.tickets.errors import (
    NeedAlreadyTicketed,
    NeedRequesterUnknown,
    NotAFraudReport,
    TicketCategoryNoneOfKind,
    WarningAlreadyPublished,
)
from domain.tickets.models import CategoryKind, EventKind, Ticket, TicketChannel, Visibility
from domain.tickets.rules import NEED_KINDS, TicketPolicy, need_subject
from domain.tickets.schemas import TicketCreate, TicketFromNeed, WarningCreate
from domain.tickets.service import _check_staff, _event, open_core
from domain.types import utcnow


async def _already_ticketed(uow: UnitOfWork, who: Principal,
                            need: VisitNeed) -> NeedAlreadyTicketed:
    """The 409, naming the ticket when the caller may read it (else nothing out of scope)."""
    ticket = await uow.tickets.by_need(need.id)
    readable = ticket is not None and bool(await uow.tickets.get_many(who, [ticket.id]))
    return NeedAlreadyTicketed(existing_id=str(ticket.id) if readable and ticket else None)


async def open_from_need(uow: UnitOfWork, who: Principal, need_id: uuid.UUID, *,
                         data: TicketFromNeed, policy: TicketPolicy) -> Ticket:
    """The need's household and resident (else the household's head) as the requester, on
    their behalf, at the door (`door_to_door`), linked to the visit and the need, which is
    then `ticketed`; a need becomes one ticket only (409 naming it)."""
    need = await uow.outreach.need(who, need_id, for_update=True)  # twins wait here
    _check_staff(who)
    if need.status == NEED_TICKETED or await uow.tickets.by_need(need.id) is not None:
        raise await _already_ticketed(uow, who, need)
    household = await uow.households.get(who, need.household_id)
    requester_id = need.resident_id or household.head_id
    if requester_id is None:
        raise NeedRequesterUnknown()
    category_id = data.category_id
    if category_id is None:
        kind = NEED_KINDS[need.category]
        with Checks() as checks:
            found = await uow.ticket_categories.of_kind(who, kind, household.commune_id)
            checks.check(found is not None, TicketCategoryNoneOfKind(
                loc=("body", "category_id"), kind=str(kind)))
        assert found is not None
        category_id = found.id
    # Built from stored values the caller did not type: the visit's own checks ran on them.
    body = TicketCreate.model_construct(
        subject=data.subject or need_subject(need.category, need.description),
        description=need.description, category_id=category_id,
        channel=TicketChannel.door_to_door, unit_id=None, household_id=household.id,
        requester_resident_id=requester_id, contact_name=None, contact_phone=None,
        priority=data.priority, tags=[])
    try:
        ticket = await open_core(uow, who, data=body, policy=policy, visit_id=need.visit_id,
                                 visit_need_id=need.id, need_id=str(need.id))
    except NeedAlreadyTicketed:  # uq_ticket_visit_need_id: a twin that did not wait
        raise await _already_ticketed(uow, who, need) from None
    need.status = NEED_TICKETED
    await uow.commit()
    return ticket


async def publish_warning(uow: UnitOfWork, who: Principal, ticket_id: uuid.UUID, *,
                          data: WarningCreate) -> tuple[Ticket, Announcement]:
    """A fraud-warning announcement from a fraud report, through the announcements' own use
    case (its checks, its audit), linked from the ticket, with a public timeline line."""
    ticket = await uow.tickets.get_writable(who, ticket_id, for_update=True)
    _check_staff(who)
    kind = await uow.ticket_categories.kind_of(ticket.category_id)
    if kind != CategoryKind.fraud_report:
        raise NotAFraudReport(kind=str(kind))
    if ticket.announcement_id is not None:
        raise WarningAlreadyPublished(existing_id=str(ticket.announcement_id))
    unit_ids = data.unit_ids or [ticket.group_id or ticket.commune_id]
    # Its fields were checked as the announcement's own are (the same types).
    notice = AnnouncementCreate.model_construct(
        title=data.title, body=data.body, category=AnnouncementCategory.fraud_warning,
        unit_ids=unit_ids, publish_at=data.publish_at or utcnow(), channels=data.channels)
    announcement = await announcements.create_announcement(uow, who, data=notice)
    ticket.announcement_id = announcement.id
    touch(ticket)
    await uow.tickets.add_event(_event(ticket, who, EventKind.published,
                                       visibility=Visibility.public))
    await uow.audit.record(who, "ticket.publish_warning", "ticket",
                           [ticket.id, announcement.id], announcement_id=str(announcement.id))
    await uow.commit()
    return ticket, announcement
