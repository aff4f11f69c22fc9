"""Ticket stats (`GET /tickets/stats`): counts, median working hours to the first answer and
to resolution, and breach rate, per category and per unit, for the tickets created in a
range of local dates. Built on the working minutes the SLA clock stores on each ticket
(never computed on read); the SQL is the repository's (`TicketRepository.stats`)."""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as Body

from domain.access import Principal
from domain.checks import Checks
from domain.clock import today_vn
from domain.examples import COMMUNE, GROUP, RECORD, examples
from domain.ports import UnitOfWork
from domain.tickets.calendar import VN
from domain.tickets.errors import StatsRangeReversed, StatsRangeTooLong, TicketStaffOnly
from domain.tickets.models import TicketStatus
from domain.tickets.views import PUBLIC_ONLY

DEFAULT_DAYS = 30  # the last 30 days, today included
MAX_SPAN = timedelta(days=366)
OPEN = (TicketStatus.new, TicketStatus.acknowledged, TicketStatus.in_progress,
        TicketStatus.waiting_on_resident)


# -- what the repository answers ---------------------------------------------------------
@dataclass
class Tally:
    """One row of the GROUP BY: the whole range (`dimension` "total"), a category, a commune
    or a residential group."""

    dimension: Literal["total", "category", "commune", "group"]
    key: uuid.UUID | None
    by_status: dict[TicketStatus, int] = field(default_factory=dict)
    breached: int = 0
    first_response_minutes: float | None = None  # the median
    resolution_minutes: float | None = None
    code: str | None = None  # the category's
    name: str | None = None  # the category's or the unit's


def median(values: Iterable[float | int | None]) -> float | None:
    """The median as PostgreSQL's `percentile_cont(0.5)` gives it (the mean of the middle
    two for an even count), over the values that are set; None when none is."""
    present = [v for v in values if v is not None]
    return float(statistics.median(present)) if present else None


def instants(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after `end` 00:00) in Vietnam, as instants."""
    return (datetime.combine(start, time(0), VN),
            datetime.combine(end + timedelta(days=1), time(0), VN))


# -- the answer ---------------------------------------------------------------------------
class StatusCounts(BaseModel):
    new: int = 0
    acknowledged: int = 0
    in_progress: int = 0
    waiting_on_resident: int = 0
    resolved: int = 0
    closed: int = 0


_COUNTS = {"new": 3, "acknowledged": 1, "in_progress": 2, "waiting_on_resident": 1,
           "resolved": 4, "closed": 3}
_MEASURES = {"opened": 14, "by_status": _COUNTS, "breached": 2,
             "median_first_response_hours": 2.5, "median_resolution_hours": 11.25,
             "breach_rate": 0.1429}


class StatsRow(BaseModel):
    opened: int = Body(description="Tickets created in the range")
    by_status: StatusCounts = Body(description="Those tickets by their status now")
    breached: int = Body(description="Those past a first-response or resolution target")
    median_first_response_hours: float | None = Body(
        description="Working hours from opening to the first answer; null when none answered")
    median_resolution_hours: float | None = Body(
        description="Working hours from opening to resolution, time waiting on the resident "
                    "left out; null when none resolved")
    breach_rate: float | None = Body(description="breached ÷ opened; null when none opened")


class CategoryStats(StatsRow):
    category_id: uuid.UUID
    code: str | None
    name: str | None

    model_config = ConfigDict(json_schema_extra=examples(
        {"category_id": RECORD, "code": "vneid", "name": "Hỗ trợ VNeID", **_MEASURES}))


class UnitStats(StatsRow):
    unit_id: uuid.UUID
    level: Literal["commune", "group"]
    name: str | None

    model_config = ConfigDict(json_schema_extra=examples(
        {"unit_id": GROUP, "level": "group", "name": "Tổ dân phố Trần Phú", **_MEASURES}))


class StatsTotals(BaseModel):
    opened: int
    open: int = Body(description="Of those, not resolved or closed now")
    resolved: int
    closed: int
    breached: int
    median_first_response_hours: float | None
    median_resolution_hours: float | None
    breach_rate: float | None

    model_config = ConfigDict(json_schema_extra=examples(
        {"opened": 14, "open": 7, "resolved": 4, "closed": 3, "breached": 2,
         "median_first_response_hours": 2.5, "median_resolution_hours": 11.25,
         "breach_rate": 0.1429}))


class TicketStats(BaseModel):
    """Tickets created from `from` to `to` (local dates, Asia/Ho_Chi_Minh, both included)
    inside your scope."""

    from_: date = Body(alias="from", serialization_alias="from")
    to: date
    unit_id: uuid.UUID | None
    category_id: uuid.UUID | None
    totals: StatsTotals
    categories: list[CategoryStats]
    units: list[UnitStats] = Body(description="Per commune, and per residential group for "
                                              "tickets that carry one")

    model_config = ConfigDict(populate_by_name=True, json_schema_extra=examples({
        "from": "2026-01-01", "to": "2026-01-30", "unit_id": None, "category_id": None,
        "totals": {"opened": 14, "open": 7, "resolved": 4, "closed": 3, "breached": 2,
                   "median_first_response_hours": 2.5, "median_resolution_hours": 11.25,
                   "breach_rate": 0.1429},
        "categories": [{"category_id": RECORD, "code": "vneid", "name": "Hỗ trợ VNeID",
                        **_MEASURES}],
        "units": [{"unit_id": COMMUNE, "level": "commune", "name": "Phường Bình Định",
                   **_MEASURES},
                  {"unit_id": GROUP, "level": "group", "name": "Tổ dân phố Trần Phú",
                   **_MEASURES}]}))


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 2)


def _measures(t: Tally) -> dict:
    opened = sum(t.by_status.values())
    return {"opened": opened,
            "by_status": StatusCounts(**{str(s): n for s, n in t.by_status.items()}),
            "breached": t.breached,
            "median_first_response_hours": _hours(t.first_response_minutes),
            "median_resolution_hours": _hours(t.resolution_minutes),
            "breach_rate": round(t.breached / opened, 4) if opened else None}


# -- the use case -------------------------------------------------------------------------
async def ticket_stats(uow: UnitOfWork, who: Principal, *, start: date | None,
                       end: date | None, unit_id: uuid.UUID | None,
                       category_id: uuid.UUID | None) -> TicketStats:
    """Staff only; the range defaults to the last 30 days and spans at most 366."""
    if who.role in PUBLIC_ONLY:
        raise TicketStaffOnly()
    end = end or today_vn()
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    with Checks() as checks:
        if checks.check(start <= end, StatsRangeReversed(loc=("query", "from"))):
            checks.check(end - start <= MAX_SPAN, StatsRangeTooLong(loc=("query", "to")))
    if unit_id is not None:
        await uow.units.get(who, unit_id)  # 404 when out of scope
    since, until = instants(start, end)
    tallies = await uow.tickets.stats(who, since=since, until=until, unit_id=unit_id,
                                      category_id=category_id)
    total = next((t for t in tallies if t.dimension == "total"), Tally("total", None))
    categories = [t for t in tallies if t.dimension == "category"]
    units = [t for t in tallies if t.dimension in ("commune", "group")]
    measures = _measures(total)
    counts = measures["by_status"]
    return TicketStats(
        from_=start, to=end, unit_id=unit_id, category_id=category_id,
        totals=StatsTotals(
            opened=measures["opened"], breached=measures["breached"],
            open=sum(getattr(counts, s) for s in OPEN), resolved=counts.resolved,
            closed=counts.closed, breach_rate=measures["breach_rate"],
            median_first_response_hours=measures["median_first_response_hours"],
            median_resolution_hours=measures["median_resolution_hours"]),
        categories=sorted((CategoryStats(
            category_id=t.key, code=t.code, name=t.name, **_measures(t))
            for t in categories), key=lambda c: (c.code or "", str(c.category_id))),
        units=sorted((UnitStats(
            unit_id=t.key, level=t.dimension, name=t.name, **_measures(t)) for t in units),
            key=lambda u: (u.level != "commune", u.name or "", str(u.unit_id))))
