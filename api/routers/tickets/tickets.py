"""Tickets: open, list the queues, read, change, move through the workflow, comment."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from api.deps import (
    Cursor,
    IfMatch,
    IncludeTotal,
    Limit,
    Policy,
    SearchText,
    Sort,
    TicketsRead,
    TicketsWrite,
    UoW,
)
from api.http import CREATED, LOCATION, WITH_ETAG, created, sends, with_etag
from api.problems import responses
from domain.access import Role
from domain.errors import CursorInvalid, SortInvalid
from domain.tickets import service
from domain.tickets.errors import COMMENT_CASES, TICKET_CASES, TRANSITION_CASES, TicketNotFound
from domain.tickets.models import TicketStatus
from domain.tickets.schemas import (
    CommentCreate,
    CommentPage,
    CommentRead,
    EventPage,
    TicketCreate,
    TicketPage,
    TicketRead,
    TicketUpdate,
    TransitionCreate,
)
from domain.tickets.views import comment_view, event_view, ticket_view

router = APIRouter(prefix="/api/v1", tags=["tickets"])
READ_ERRORS = responses(401, 403, 404, 422, 503, TicketNotFound, SortInvalid, CursorInvalid)
WRITE_ERRORS = responses(401, 403, 404, 409, 412, 422, 428, 503, *TICKET_CASES)
MOVE_ERRORS = responses(401, 403, 404, 409, 422, 503, *TRANSITION_CASES)
COMMENT_ERRORS = responses(401, 403, 404, 409, 422, 503, *COMMENT_CASES)


@router.get("/tickets", operation_id="tickets_list", summary="List tickets (the queues)",
            responses=READ_ERRORS)
async def list_tickets(
    uow: UoW, who: TicketsRead, status: TicketStatus | None = None,
    assignee_id: uuid.UUID | None = None, team: Role | None = None,
    category_id: uuid.UUID | None = None, breached: bool | None = None,
    q: SearchText = None, sort: Sort = None, cursor: Cursor = None, limit: Limit = 50,
    include_total: IncludeTotal = False,
) -> TicketPage:
    """Latest first (`sort=created_at|updated_at|resolution_due_at`); `q` searches the
    subject (case and diacritics folded) and the ticket's code. A resident sees their own."""
    page = await uow.tickets.list(
        who, status=status, assignee_id=assignee_id, team=team, category_id=category_id,
        breached=breached, q=q, sort=sort, cursor=cursor, limit=limit,
        include_total=include_total)
    return TicketPage(items=[ticket_view(t, who) for t in page.items],
                      next_cursor=page.next_cursor, total=page.total)


@router.post("/tickets", operation_id="tickets_create", summary="Open a ticket",
             status_code=status.HTTP_201_CREATED, responses={**WRITE_ERRORS, **CREATED})
async def create_ticket(request: Request, response: Response, uow: UoW, who: TicketsWrite,
                        body: TicketCreate, policy: Policy) -> TicketRead:
    """Staff and volunteers open on a resident's behalf and name the requester; a resident
    opens their own (403 `ticket_for_someone_else` when naming anyone)."""
    ticket = await service.open_ticket(uow, who, data=body, policy=policy)
    created(request, response, ticket, "tickets_get", ticket_id=ticket.id)
    return ticket_view(ticket, who)


@router.get("/tickets/{ticket_id:uuid}", operation_id="tickets_get", name="tickets_get",
            summary="Read one ticket", responses={**READ_ERRORS, **WITH_ETAG})
async def get_ticket(ticket_id: uuid.UUID, response: Response, uow: UoW,
                     who: TicketsRead) -> TicketRead:
    ticket = await uow.tickets.get(who, ticket_id)
    with_etag(response, ticket)
    return ticket_view(ticket, who)


@router.patch("/tickets/{ticket_id:uuid}", operation_id="tickets_update",
              summary="Assign, reprioritise, tag or recategorise a ticket",
              responses={**WRITE_ERRORS, **WITH_ETAG})
async def update_ticket(ticket_id: uuid.UUID, body: TicketUpdate, response: Response,
                        uow: UoW, who: TicketsWrite, policy: Policy,
                        if_match: IfMatch = None) -> TicketRead:
    """Staff only; the assignee must cover the ticket's unit. A new category sets both due
    times again from its targets."""
    ticket = await service.update_ticket(uow, who, ticket_id, data=body, if_match=if_match,
                                         policy=policy)
    with_etag(response, ticket)
    return ticket_view(ticket, who)


@router.post("/tickets/{ticket_id:uuid}/transitions", operation_id="tickets_transition",
             summary="Move a ticket in the workflow", responses={**MOVE_ERRORS, **WITH_ETAG})
async def transition(ticket_id: uuid.UUID, body: TransitionCreate, response: Response,
                     uow: UoW, who: TicketsWrite, policy: Policy) -> TicketRead:
    """new → acknowledged | in_progress | resolved; acknowledged → in_progress |
    waiting_on_resident | resolved; in_progress → waiting_on_resident | resolved;
    waiting_on_resident → in_progress | resolved; resolved → closed, or in_progress
    (reopen) within the reopen window; closed → in_progress (reopen, same window). Any
    other move: 409 `ticket_transition_not_allowed` with the `allowed` ones."""
    ticket = await service.move_ticket(uow, who, ticket_id, data=body, policy=policy)
    with_etag(response, ticket)
    return ticket_view(ticket, who)


@router.get("/tickets/{ticket_id:uuid}/timeline", operation_id="tickets_timeline",
            summary="A ticket's timeline", responses=READ_ERRORS)
async def timeline(ticket_id: uuid.UUID, uow: UoW, who: TicketsRead, cursor: Cursor = None,
                   limit: Limit = 50) -> EventPage:
    """Oldest first: opened, moves, comments, assignments, and the internal `breach` lines
    of the service targets (`note`: `first_response` or `resolution`). Residents see
    neither internal lines nor staff notes on moves."""
    ticket = await uow.tickets.get(who, ticket_id)
    page = await uow.tickets.events(who, ticket, cursor=cursor, limit=limit)
    return EventPage(items=[event_view(e, who) for e in page.items],
                     next_cursor=page.next_cursor)


@router.get("/tickets/{ticket_id:uuid}/comments", operation_id="tickets_comments",
            name="tickets_comments", summary="A ticket's comments", responses=READ_ERRORS)
async def list_comments(ticket_id: uuid.UUID, uow: UoW, who: TicketsRead,
                        cursor: Cursor = None, limit: Limit = 50) -> CommentPage:
    """Oldest first; residents see the public replies only."""
    ticket = await uow.tickets.get(who, ticket_id)
    page = await uow.tickets.comments(who, ticket, cursor=cursor, limit=limit)
    return CommentPage(items=[comment_view(c, who) for c in page.items],
                       next_cursor=page.next_cursor)


@router.post("/tickets/{ticket_id:uuid}/comments", operation_id="tickets_comment",
             summary="Reply or add an internal note", status_code=201,
             responses={**COMMENT_ERRORS, **sends(201, LOCATION)})
async def add_comment(ticket_id: uuid.UUID, body: CommentCreate, request: Request,
                      response: Response, uow: UoW, who: TicketsWrite,
                      policy: Policy) -> CommentRead:
    """`visibility` is required: `public` (the requester reads it) or `internal` (staff
    only). A closed ticket is reopened first (409 `ticket_closed`)."""
    comment = await service.add_comment(uow, who, ticket_id, data=body, policy=policy)
    response.headers["Location"] = request.url_for("tickets_comments", ticket_id=ticket_id).path
    return comment_view(comment, who)
