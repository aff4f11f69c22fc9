"""From the door to a fraud warning: a need raised at a visit becomes a ticket, a confirmed
fraud report becomes a fraud-warning announcement."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Body, Request, Response, status

from api.deps import AnnouncementsWrite, Policy, TicketsWrite, UoW, also_require
from api.http import CREATED, created
from api.problems import responses
from domain.access import Permission
from domain.announcements.models import AnnouncementRead
from domain.tickets import outreach
from domain.tickets.errors import FROM_NEED_CASES, WARNING_CASES
from domain.tickets.schemas import TicketFromNeed, TicketRead, WarningCreate
from domain.tickets.views import ticket_view

router = APIRouter(prefix="/api/v1", tags=["tickets"])
OPTIONAL = Body(None, description="Optional: without a body, everything comes from the need")
FROM_NEED_ERRORS = responses(401, 403, 404, 409, 422, 503, *FROM_NEED_CASES)
WARNING_ERRORS = responses(401, 403, 404, 409, 422, 503, *WARNING_CASES)


@router.post("/visit-needs/{need_id:uuid}/ticket", operation_id="tickets_from_need",
             summary="Turn a need raised at the door into a ticket",
             status_code=status.HTTP_201_CREATED, responses={**FROM_NEED_ERRORS, **CREATED})
async def ticket_from_need(need_id: uuid.UUID, request: Request, response: Response, uow: UoW,
                           who: TicketsWrite, policy: Policy,
                           body: TicketFromNeed = OPTIONAL) -> TicketRead:
    """On the resident's behalf (the need's resident, else the household's head), channel
    `door_to_door`, linked to the visit and the need, which becomes `ticketed`. The category
    is the commune's active one of the need's kind unless `category_id` says otherwise.
    Again for the same need: 409 `ticket_need_ticketed` with the ticket's `existing_id`."""
    ticket = await outreach.open_from_need(uow, who, need_id, data=body or TicketFromNeed(),
                                           policy=policy)
    created(request, response, ticket, "tickets_get", ticket_id=ticket.id)
    return ticket_view(ticket, who)


@router.post("/tickets/{ticket_id:uuid}/warning", operation_id="tickets_publish_warning",
             summary="Publish a fraud warning from a fraud report",
             status_code=status.HTTP_201_CREATED, responses={**WARNING_ERRORS, **CREATED})
async def publish_warning(ticket_id: uuid.UUID, body: WarningCreate, request: Request,
                          response: Response, uow: UoW, who: AnnouncementsWrite
                          ) -> AnnouncementRead:
    """A `fraud_warning` announcement to `unit_ids` (the ticket's group, else its commune),
    now or at `publish_at`, by whoever may both announce and work the ticket; the ticket
    keeps its `announcement_id` and its timeline a public `published` line. Only a fraud
    report (409 `ticket_not_fraud_report`), once (409 `ticket_warning_published` naming the
    announcement). Answers the announcement."""
    await also_require(request, who, Permission.tickets_write)
    _, announcement = await outreach.publish_warning(uow, who, ticket_id, data=body)
    created(request, response, announcement, "announcements_get",
            announcement_id=announcement.id)
    return AnnouncementRead.model_validate(announcement)
