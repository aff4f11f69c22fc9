"""Ticket stats: counts, median working hours and breach rate per category and unit."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import TicketsRead, UoW
from api.problems import responses
from domain.tickets.errors import STATS_CASES
from domain.tickets.stats import TicketStats, ticket_stats
from domain.types import Day

router = APIRouter(prefix="/api/v1", tags=["tickets"])
LocalDate = Annotated[Day | None, Query(description="A local date (Asia/Ho_Chi_Minh), "
                                                    "YYYY-MM-DD")]


@router.get("/tickets/stats", operation_id="tickets_stats",
            summary="Ticket counts, median response and resolution times, breach rate",
            responses=responses(401, 403, 404, 422, 503, *STATS_CASES))
async def stats(
    uow: UoW, who: TicketsRead,
    start: Annotated[LocalDate, Query(alias="from")] = None,
    to: LocalDate = None,
    unit_id: Annotated[uuid.UUID | None, Query(
        description="A commune or residential group of yours: its tickets only")] = None,
    category_id: uuid.UUID | None = None,
) -> TicketStats:
    """Over the tickets created from `from` to `to` (local dates, both included; by default
    the last 30 days; at most 366 days) inside your scope: totals, and per category and per
    unit (commune, residential group) the counts by status, the median working hours to the
    first answer and to resolution (from the working minutes stored when each came), and the
    breach rate. Staff only: a resident gets 403 `ticket_staff_only`."""
    return await ticket_stats(uow, who, start=start, end=to, unit_id=unit_id,
                              category_id=category_id)


