"""The Open311 GeoReport v2 face of tickets (wiki.open311.org/GeoReport_v2): services are
ticket categories, service requests are tickets. The mapping onto its documents
(`schemas.py`), its filters, and the one use case it adds (a request posted by a citizen
front end).

What a request shows is read off the ticket's view as the public sees it
(`views.public_audience`): never an internal note, never the requester's name, phone or
e-mail, never a resident's id; the mapping below picks GeoReport's public fields from it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.access import Principal
from domain.checks import Checks
from domain.ports import UnitOfWork
from domain.tickets import service
from domain.tickets.errors import (
    Open311ContactRequired,
    Open311DateInvalid,
    Open311DateRange,
    Open311LocationRequired,
    Open311ServiceUnknown,
    Open311StatusUnknown,
    Open311UnitAmbiguous,
)
from domain.tickets.models import (
    CategoryKind,
    Ticket,
    TicketCategory,
    TicketChannel,
    TicketOutcome,
    TicketStatus,
)
from domain.tickets.open311.schemas import Service, ServiceRequest, ServiceRequestForm
from domain.tickets.rules import TicketPolicy
from domain.tickets.schemas import TicketCreate, TicketRead
from domain.types import utcnow
from domain.units.models import UnitLevel

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
WINDOW = timedelta(days=90)  # the spec's default and widest date range
MAX_REQUESTS = 1000  # the spec's recommended most requests in one answer
CLOSED = frozenset({TicketStatus.resolved, TicketStatus.closed})

# -- the mapping --------------------------------------------------------------------------
_STATUS_NOTES = {
    TicketStatus.new: ("Đã tiếp nhận, chờ xử lý", "Received, waiting"),
    TicketStatus.acknowledged: ("Đã xác nhận, sẽ xử lý", "Acknowledged"),
    TicketStatus.in_progress: ("Đang xử lý", "In progress"),
    TicketStatus.waiting_on_resident: ("Đang chờ người yêu cầu bổ sung thông tin",
                                       "Waiting on the requester"),
    TicketStatus.resolved: ("Đã giải quyết", "Resolved"),
    TicketStatus.closed: ("Đã đóng", "Closed"),
}
_OUTCOMES = {
    TicketOutcome.answered: ("đã trả lời", "answered"),
    TicketOutcome.done: ("đã thực hiện xong", "done"),
    TicketOutcome.duplicate: ("trùng với một yêu cầu khác", "duplicate of another request"),
    TicketOutcome.no_action_needed: ("không cần xử lý thêm", "no action needed"),
    TicketOutcome.referred: ("đã chuyển cơ quan khác", "referred to another office"),
}
_KINDS = {
    CategoryKind.public_service_help: "Hỗ trợ dịch vụ công trực tuyến",
    CategoryKind.administrative_procedure: "Thủ tục hành chính",
    CategoryKind.app_help: "Hỗ trợ ứng dụng số",
    CategoryKind.fraud_report: "Báo lừa đảo",
    CategoryKind.feedback: "Góp ý, phản ánh",
    CategoryKind.question: "Hỏi đáp",
    CategoryKind.other: "Khác",
}


def w3c(moment: datetime | None) -> str | None:
    """GeoReport's datetimes: W3C (ISO 8601) with the offset, in Vietnam's time."""
    return None if moment is None else moment.astimezone(LOCAL).isoformat(timespec="seconds")


def status_notes(status: TicketStatus, outcome: TicketOutcome | None, lang: str) -> str:
    i = 1 if lang == "en" else 0
    text = _STATUS_NOTES[status][i]
    return f"{text}: {_OUTCOMES[outcome][i]}" if outcome is not None else text


def service_of(category: TicketCategory) -> Service:
    return Service(service_code=category.code, service_name=category.name,
                   description=category.name_en or _KINDS[category.kind], metadata=False,
                   type="realtime", keywords=f"{category.kind}, {category.code}",
                   group=str(category.kind))


def request_of(ticket: TicketRead, category: TicketCategory | None,
               agency: str | None, lang: str) -> ServiceRequest:
    """`ticket` is the view's document for the public (`views.public_audience`)."""
    return ServiceRequest(
        service_request_id=ticket.code,
        status="closed" if ticket.status in CLOSED else "open",
        status_notes=status_notes(ticket.status, ticket.outcome, lang),
        service_name=category.name if category else None,
        service_code=category.code if category else None,
        description=ticket.description, agency_responsible=agency, service_notice=None,
        requested_datetime=w3c(ticket.created_at) or "", updated_datetime=w3c(ticket.updated_at),
        expected_datetime=w3c(ticket.resolution_due_at), address=ticket.address,
        address_id=None, zipcode=None, lat=ticket.latitude, long=ticket.longitude,
        media_url=None)


def service_notice(category: TicketCategory, lang: str) -> str:
    hours = max(1, round(category.first_response_minutes / 60))
    if lang == "en":
        return f"The ward answers within {hours} working hour(s)."
    return f"Phường sẽ phản hồi trong {hours} giờ làm việc."


# -- the query's filters ------------------------------------------------------------------
def parse_moment(value: str | None, field: str) -> datetime | None:
    """A W3C datetime; one without an offset is Vietnam's time."""
    if value is None or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        raise Open311DateInvalid(loc=("query", field)) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL)


def window(start_date: str | None, end_date: str | None) -> tuple[datetime, datetime]:
    """GeoReport's range: the last 90 days by default, never wider than 90 days."""
    with Checks() as checks:
        start = checks.run(parse_moment, start_date, "start_date")
        end = checks.run(parse_moment, end_date, "end_date")
    if start is None and end is None:
        end = utcnow()
    if start is None:
        assert end is not None
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if end < start or end - start > WINDOW:
        raise Open311DateRange(loc=("query", "end_date"))
    return start, end


def statuses(value: str | None) -> frozenset[TicketStatus] | None:
    """`open`, `closed` or both, comma separated; None: every status."""
    if value is None or not value.strip():
        return None
    wanted = {part.strip().lower() for part in value.split(",") if part.strip()}
    if not wanted <= {"open", "closed"}:
        raise Open311StatusUnknown(loc=("query", "status"))
    out: set[TicketStatus] = set()
    if "closed" in wanted:
        out |= CLOSED
    if "open" in wanted:
        out |= set(TicketStatus) - CLOSED
    return frozenset(out)


def codes(value: str | None, limit: int = MAX_REQUESTS) -> list[str]:
    """A comma-separated list (`service_request_id`, `service_code`)."""
    return list(dict.fromkeys(p.strip() for p in (value or "").split(",") if p.strip()))[:limit]


# -- posting ------------------------------------------------------------------------------
def _subject(description: str | None, fallback: str) -> str:
    first = (description or "").strip().split("\n", 1)[0].strip()
    return first[:200].strip() or fallback[:200]


def _unit(who: Principal) -> uuid.UUID | None:
    """The one residential group or commune of the service account, if it has exactly one."""
    if len(who.unit_ids) != 1:
        return None
    (unit_id,) = who.unit_ids
    levels = dict(who.levels)
    if levels and unit_id not in levels.get(UnitLevel.group.value, frozenset()) | levels.get(
            UnitLevel.commune.value, frozenset()):
        return None
    return unit_id


async def post_request(uow: UnitOfWork, who: Principal, *,
                       data: ServiceRequestForm,
                       policy: TicketPolicy) -> tuple[Ticket, TicketCategory]:
    """A request from a citizen front end: a ticket of the citizen app channel for the
    contact named, in the service account's one group or commune, through `open_ticket`
    (its checks, timeline and audit)."""
    name = " ".join(n for n in (data.first_name or "", data.last_name or "") if n) or None
    unit_id = _unit(who)
    category = None
    with Checks() as checks:
        checks.check((data.lat is not None and data.long is not None)
                     or bool(data.address_string),
                     Open311LocationRequired(loc=("body", "address_string")))
        checks.check(bool(name and data.phone), Open311ContactRequired(loc=("body", "phone")))
        if checks.check(unit_id is not None, Open311UnitAmbiguous(loc=("body", "api_key"))):
            assert unit_id is not None
            unit = await uow.units.get(who, unit_id)
            commune_id = unit.id if unit.level == UnitLevel.commune else unit.commune_id
            category = await uow.ticket_categories.by_code(who, data.service_code, commune_id)
            checks.check(category is not None, Open311ServiceUnknown(
                loc=("body", "service_code"), service_code=data.service_code))
    assert category is not None and unit_id is not None  # else Checks raised
    description = data.description or category.name
    ticket = await service.open_ticket(uow, who, data=TicketCreate(
        subject=_subject(data.description, category.name), description=description,
        category_id=category.id, channel=TicketChannel.citizen_app, unit_id=unit_id,
        contact_name=name, contact_phone=data.phone, contact_email=data.email,
        address=data.address_string, latitude=data.lat, longitude=data.long), policy=policy)
    return ticket, category

