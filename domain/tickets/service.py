"""Use cases of tickets: categories, opening (on a resident's behalf or their own), the
workflow's moves, changes and comments. Every write leaves a timeline line and an audit
event."""

from __future__ import annotations

import uuid
from datetime import datetime

from domain.access import Principal
from domain.checks import Checks
from domain.concurrency import check_if_match, touch
from domain.errors import FieldMissing
from domain.ports import UnitOfWork
from domain.text import fold
from domain.tickets.calendar import VN, WorkCalendar
from domain.tickets.errors import (
    AssigneeOutsideUnit,
    DuplicateOfRequired,
    DuplicateOfUnknown,
    OutcomeRequired,
    OutcomeUnexpected,
    RequesterOtherHousehold,
    RequesterRequired,
    TicketCategoryUnknown,
    TicketClosed,
    TicketForSomeoneElse,
    TicketStaffOnly,
    TicketUnitRequired,
    TransitionNotAllowed,
)
from domain.tickets.models import (
    CategoryKind,
    EventKind,
    Holiday,
    Ticket,
    TicketCategory,
    TicketComment,
    TicketEvent,
    TicketOutcome,
    TicketStatus,
    Visibility,
)
from domain.tickets.rules import FRAUD_TEAM, RESPONDED, TicketPolicy, allowed_moves, is_reopen
from domain.tickets.schemas import (
    CategoryCreate,
    CategoryUpdate,
    CommentCreate,
    HolidayCreate,
    TicketCreate,
    TicketUpdate,
    TransitionCreate,
)
from domain.tickets.views import PUBLIC_ONLY
from domain.types import uuid7
from domain.units.models import UnitLevel

S = TicketStatus


def _check_staff(who: Principal) -> None:
    if who.role in PUBLIC_ONLY:
        raise TicketStaffOnly()


def _event(ticket: Ticket, who: Principal, kind: EventKind, **values) -> TicketEvent:
    return TicketEvent(ticket_id=ticket.id, kind=kind, actor_id=who.subject_id,
                       actor_name=who.name, **values)


# -- the service targets' clock -----------------------------------------------------------
async def _calendar(uow: UnitOfWork, policy: TicketPolicy, *moments: datetime
                    ) -> WorkCalendar:
    """The working calendar of the years `moments` fall in (and the next, where a target
    may run into): the WORK_HOURS setting minus the holidays of `work_holiday`."""
    years = [moment.astimezone(VN).year for moment in moments]
    days = await uow.holidays.days(min(years), max(years) + 1)
    return WorkCalendar(hours=policy.hours, holidays=frozenset(days))


def _set_due(ticket: Ticket, category: TicketCategory, cal: WorkCalendar) -> None:
    """Both due times from the category's targets, counted in working minutes since the
    ticket was opened; the resolution target also waits out the time paused."""
    ticket.first_response_due_at = cal.add(ticket.created_at, category.first_response_minutes)
    ticket.resolution_due_at = cal.add(ticket.created_at,
                                       category.resolution_minutes + ticket.paused_minutes)


def _first_answer(ticket: Ticket, at: datetime, cal: WorkCalendar) -> None:
    ticket.first_responded_at = at
    ticket.first_response_work_minutes = cal.minutes_between(ticket.created_at, at)


# -- categories ---------------------------------------------------------------------------
async def create_category(uow: UnitOfWork, who: Principal, *,
                          data: CategoryCreate) -> TicketCategory:
    """A commune's category; without `commune_id`, the caller's one commune, or for an
    admin a global category."""
    commune_id = data.commune_id
    if commune_id is None and not who.is_unscoped:
        if len(who.unit_ids) != 1:
            raise FieldMissing(loc=("body", "commune_id"))
        commune_id = next(iter(who.unit_ids))
    if commune_id is not None:
        await uow.units.target(who, commune_id, level=UnitLevel.commune,
                               loc=("body", "commune_id"))
    category = TicketCategory(**{**data.model_dump(), "commune_id": commune_id},
                              created_by_id=who.subject_id)
    await uow.ticket_categories.add(category)
    await uow.audit.record(who, "ticket_category.create", "ticket_category", [category.id],
                           code=category.code, kind=str(category.kind))
    await uow.commit()
    return category


async def update_category(uow: UnitOfWork, who: Principal, category_id: uuid.UUID, *,
                          data: CategoryUpdate, if_match: str | None) -> TicketCategory:
    category = await uow.ticket_categories.get_writable(who, category_id, for_update=True)
    check_if_match(category, if_match)
    changes = data.model_dump(exclude_unset=True)
    for key, value in changes.items():
        setattr(category, key, value)
    touch(category)
    await uow.audit.record(who, "ticket_category.update", "ticket_category", [category.id],
                           fields=sorted(changes))
    await uow.commit()
    return category


# -- opening ------------------------------------------------------------------------------
async def _place(uow: UnitOfWork, who: Principal, data: TicketCreate):
    """(province, commune, group, household id) of a new ticket: the household's, the
    registered requester's, the unit named, or a resident's own unit."""
    household = requester = None
    if data.household_id is not None:
        household = await uow.households.get(who, data.household_id)
    if data.requester_resident_id is not None:
        requester = await uow.residents.get(who, data.requester_resident_id)
        if household is not None and requester.household_id != household.id:
            raise RequesterOtherHousehold(loc=("body", "requester_resident_id"))
    known = household or requester
    if known is not None:
        if data.unit_id is not None:
            raise TicketUnitRequired(loc=("body", "unit_id"))
        household_id = household.id if household else getattr(requester, "household_id", None)
        return known.province_id, known.commune_id, known.group_id, household_id
    if who.role in PUBLIC_ONLY and who.resident_id is not None and data.unit_id is None:
        # A resident's account is a register record: the ticket is that person's, in
        # their household, even though a resident reads nothing of the register.
        placed = await uow.residents.placement_of(who.resident_id)
        return (placed["province_id"], placed["commune_id"], placed["group_id"],
                placed["household_id"])
    unit_id = data.unit_id
    if unit_id is None and who.role in PUBLIC_ONLY and len(who.unit_ids) == 1:
        unit_id = next(iter(who.unit_ids))
    if unit_id is None:
        raise TicketUnitRequired(loc=("body", "unit_id"))
    unit = await uow.units.target(who, unit_id, level=(UnitLevel.group, UnitLevel.commune),
                                  loc=("body", "unit_id"))
    group_id = unit.id if unit.level == UnitLevel.group else None
    return unit.province_id, unit.commune_id, group_id, None


async def open_ticket(uow: UnitOfWork, who: Principal, *, data: TicketCreate,
                      policy: TicketPolicy) -> Ticket:
    """Staff and volunteers open on a resident's behalf (named, or a contact not in the
    register); a resident opens their own, naming nobody else. The due times are the
    category's targets in working time from now."""
    ticket = await open_core(uow, who, data=data, policy=policy)
    await uow.commit()
    return ticket


async def open_core(uow: UnitOfWork, who: Principal, *, data: TicketCreate,
                    policy: TicketPolicy, visit_id: uuid.UUID | None = None,
                    visit_need_id: uuid.UUID | None = None, **audit: str) -> Ticket:
    """The one way a ticket is opened (a body, or a need raised at the door): the checks,
    the row, its due times, routing and first timeline lines, the audit event; the caller
    commits."""
    resident = who.role in PUBLIC_ONLY
    if resident and (data.requester_resident_id or data.household_id or data.contact_name
                     or data.contact_phone):
        raise TicketForSomeoneElse()
    with Checks() as checks:
        checks.check(resident or data.requester_resident_id is not None
                     or bool(data.contact_name and data.contact_phone),
                     RequesterRequired(loc=("body", "requester_resident_id")))
        place = await checks.wait(_place(uow, who, data))
        category = None
        if place is not None:
            category = await uow.ticket_categories.for_ticket(who, data.category_id, place[1])
            checks.check(category is not None,
                         TicketCategoryUnknown(loc=("body", "category_id")))
    assert place is not None and category is not None  # else Checks raised
    province_id, commune_id, group_id, household_id = place
    ticket_id, now = uuid7(), policy.now()
    ticket = Ticket(
        id=ticket_id, code=ticket_id.hex[-8:].upper(),  # short, said over the phone
        created_at=now, updated_at=now,
        requester_resident_id=who.resident_id if resident else data.requester_resident_id,
        contact_name=who.name if resident else data.contact_name,
        contact_phone=data.contact_phone, contact_email=data.contact_email,
        address=data.address, latitude=data.latitude, longitude=data.longitude,
        household_id=household_id,
        province_id=province_id, commune_id=commune_id, group_id=group_id,
        channel=data.channel, subject=data.subject, description=data.description,
        subject_folded=fold(data.subject)[:200], category_id=category.id,
        priority=data.priority or category.default_priority, team=category.default_team,
        tags=list(dict.fromkeys(data.tags)), opened_by_id=who.subject_id,
        on_behalf=not resident, visit_id=visit_id, visit_need_id=visit_need_id)
    _set_due(ticket, category, await _calendar(uow, policy, now))
    await uow.tickets.add(ticket)
    await uow.tickets.add_event(_event(ticket, who, EventKind.opened, to_status=S.new,
                                       occurred_at=now))
    await _route(uow, who, ticket, category.kind)
    requester = str(ticket.requester_resident_id) if ticket.requester_resident_id else None
    await uow.audit.record(
        who, "ticket.open", "ticket", [ticket.id], category=str(category.kind),
        on_behalf=ticket.on_behalf, on_behalf_of=requester if ticket.on_behalf else None,
        requester_resident_id=requester, channel=str(ticket.channel), **audit)
    return ticket


async def _route(uow: UnitOfWork, who: Principal, ticket: Ticket, kind: CategoryKind) -> None:
    """A fraud report goes to the security team of its unit, and to its one officer when
    exactly one covers the ticket's group or commune (else it waits on the team's queue)."""
    if kind != CategoryKind.fraud_report:
        return
    ticket.team = FRAUD_TEAM
    officers = await uow.tickets.officers(ticket, FRAUD_TEAM)
    assignee = officers[0] if len(officers) == 1 else None
    if assignee != ticket.assignee_id:
        ticket.assignee_id = assignee
        await uow.tickets.add_event(_event(ticket, who, EventKind.assignment,
                                           visibility=Visibility.internal,
                                           assignee_id=assignee))


# -- changes ------------------------------------------------------------------------------
async def update_ticket(uow: UnitOfWork, who: Principal, ticket_id: uuid.UUID, *,
                        data: TicketUpdate, if_match: str | None,
                        policy: TicketPolicy) -> Ticket:
    """Assignee, team, priority, tags, category; an assignee covers the ticket's unit. A
    new category sets both due times again from its targets (the time paused still
    counts); recategorised as a fraud report, it is routed as one unless the change names
    the team or the assignee itself."""
    ticket = await uow.tickets.get_writable(who, ticket_id, for_update=True)
    _check_staff(who)
    check_if_match(ticket, if_match)
    changes = data.model_dump(exclude_unset=True)
    found = None
    with Checks() as checks:
        if data.assignee_id is not None:
            checks.check(await uow.tickets.covers(data.assignee_id, ticket),
                         AssigneeOutsideUnit(loc=("body", "assignee_id")))
        if data.category_id is not None:
            found = await uow.ticket_categories.for_ticket(who, data.category_id,
                                                           ticket.commune_id)
            checks.check(found is not None, TicketCategoryUnknown(loc=("body", "category_id")))
    route = (found is not None and found.id != ticket.category_id
             and not {"team", "assignee_id"} & set(changes))
    if "assignee_id" in changes and data.assignee_id != ticket.assignee_id:
        await uow.tickets.add_event(_event(ticket, who, EventKind.assignment,
                                           visibility=Visibility.internal,
                                           assignee_id=data.assignee_id))
    if "tags" in changes:
        changes["tags"] = list(dict.fromkeys(changes["tags"]))
    if found is not None and found.id != ticket.category_id:
        _set_due(ticket, found, await _calendar(uow, policy, ticket.created_at))
    for key, value in changes.items():
        setattr(ticket, key, value)
    if route:
        assert found is not None
        await _route(uow, who, ticket, found.kind)
    touch(ticket)
    await uow.audit.record(who, "ticket.update", "ticket", [ticket.id], fields=sorted(changes))
    await uow.commit()
    return ticket


def _apply_move(ticket: Ticket, to: TicketStatus, data: TransitionCreate, now: datetime,
                cal: WorkCalendar) -> None:
    if ticket.status == S.waiting_on_resident and ticket.waiting_since is not None:
        # The wait's working minutes push the resolution target back by as much.
        waited = cal.minutes_between(ticket.waiting_since, now)
        ticket.paused_minutes += waited
        if ticket.resolution_due_at is not None:
            ticket.resolution_due_at = cal.add(ticket.resolution_due_at, waited)
        ticket.waiting_since = None
    if to in RESPONDED and ticket.first_responded_at is None:
        _first_answer(ticket, now, cal)
    if is_reopen(ticket.status, to):
        ticket.outcome = ticket.duplicate_of_id = ticket.closed_at = None
        ticket.resolved_at = ticket.resolution_work_minutes = None
    if to == S.waiting_on_resident:
        ticket.waiting_since = now
    elif to == S.resolved:
        ticket.resolved_at, ticket.outcome = now, data.outcome
        ticket.duplicate_of_id = data.duplicate_of_id
        ticket.resolution_work_minutes = max(
            0, cal.minutes_between(ticket.created_at, now) - ticket.paused_minutes)
    elif to == S.closed:
        ticket.closed_at = now
    ticket.status = to


async def move_ticket(uow: UnitOfWork, who: Principal, ticket_id: uuid.UUID, *,
                      data: TransitionCreate, policy: TicketPolicy) -> Ticket:
    """One move of the workflow (domain/tickets/rules.py); any other is a 409 naming the
    allowed ones. Reopening counts its window from the end (closed, else resolved)."""
    ticket = await uow.tickets.get_writable(who, ticket_id, for_update=True)
    _check_staff(who)
    now = policy.now()
    allowed = allowed_moves(ticket.status, ended_at=ticket.closed_at or ticket.resolved_at,
                            now=now, window=policy.reopen_window)
    if data.to not in allowed:
        raise TransitionNotAllowed(status=str(ticket.status), to=str(data.to),
                                   allowed=[str(s) for s in allowed],
                                   allowed_text=", ".join(allowed) or "—")
    with Checks() as checks:
        if data.to == S.resolved:
            checks.check(data.outcome is not None, OutcomeRequired(loc=("body", "outcome")))
        else:
            checks.check(data.outcome is None, OutcomeUnexpected(loc=("body", "outcome")))
        if data.outcome == TicketOutcome.duplicate:
            if checks.check(data.duplicate_of_id is not None,
                            DuplicateOfRequired(loc=("body", "duplicate_of_id"))):
                assert data.duplicate_of_id is not None
                found = await uow.tickets.get_many(who, [data.duplicate_of_id])
                checks.check(bool(found) and data.duplicate_of_id != ticket.id,
                             DuplicateOfUnknown(loc=("body", "duplicate_of_id")))
        else:
            checks.check(data.duplicate_of_id is None,
                         OutcomeUnexpected(loc=("body", "duplicate_of_id")))
    before = ticket.status
    _apply_move(ticket, data.to, data, now, await _calendar(uow, policy, ticket.created_at,
                                                            now))
    touch(ticket)
    await uow.tickets.add_event(_event(ticket, who, EventKind.transition, from_status=before,
                                       to_status=data.to, outcome=data.outcome,
                                       note=data.note, occurred_at=now))
    await uow.audit.record(who, "ticket.transition", "ticket", [ticket.id],
                           from_status=str(before), to_status=str(data.to),
                           resolution=str(data.outcome) if data.outcome else None)
    await uow.commit()
    return ticket


async def add_comment(uow: UnitOfWork, who: Principal, ticket_id: uuid.UUID, *,
                      data: CommentCreate, policy: TicketPolicy) -> TicketComment:
    """A public reply or an internal note (staff only); a closed ticket takes none. Staff's
    first public reply is the first answer."""
    ticket = await uow.tickets.get_writable(who, ticket_id, for_update=True)
    if data.visibility == Visibility.internal:
        _check_staff(who)
    if ticket.status == S.closed:
        raise TicketClosed()
    comment = TicketComment(ticket_id=ticket.id, body=data.body, visibility=data.visibility,
                            author_id=who.subject_id, author_name=who.name,
                            created_at=policy.now())
    await uow.tickets.add_comment(comment)
    await uow.tickets.add_event(_event(ticket, who, EventKind.comment,
                                       visibility=data.visibility, comment_id=comment.id,
                                       occurred_at=comment.created_at))
    if (data.visibility == Visibility.public and who.role not in PUBLIC_ONLY
            and ticket.first_responded_at is None):
        _first_answer(ticket, comment.created_at,  # a public reply answers
                      await _calendar(uow, policy, ticket.created_at, comment.created_at))
        touch(ticket)
    await uow.audit.record(who, "ticket.comment", "ticket", [ticket.id],
                           comment_id=str(comment.id), visibility=str(data.visibility))
    await uow.commit()
    return comment


# -- holidays -----------------------------------------------------------------------------
async def create_holiday(uow: UnitOfWork, who: Principal, *, data: HolidayCreate) -> Holiday:
    """A public holiday for every commune's clock. The due times of tickets already open
    stay as they were set; tickets opened from now on count it (409 when the day is one
    already)."""
    holiday = Holiday(day=data.day, name=data.name, created_by_id=who.subject_id)
    await uow.holidays.add(holiday)
    await uow.audit.record(who, "holiday.create", "holiday", [holiday.id],
                           day=holiday.day.isoformat())
    await uow.commit()
    return holiday


async def delete_holiday(uow: UnitOfWork, who: Principal, holiday_id: uuid.UUID, *,
                         if_match: str | None) -> None:
    """The day is a working day again for tickets opened from now on; open tickets keep
    their due times."""
    holiday = await uow.holidays.get_writable(who, holiday_id, for_update=True)
    check_if_match(holiday, if_match)
    await uow.holidays.delete(holiday)
    await uow.audit.record(who, "holiday.delete", "holiday", [holiday.id],
                           day=holiday.day.isoformat())
    await uow.commit()
