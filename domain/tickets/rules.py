"""The ticket workflow as data: which moves each status allows, and reopening's window;
what the settings say of tickets (`TicketPolicy`); what a need raised at the door becomes,
and who fraud reports go to."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.access import Role
from domain.outreach.models import NeedCategory
from domain.tickets.calendar import DEFAULT_HOURS, Interval, parse_hours
from domain.tickets.models import CategoryKind, TicketStatus
from domain.types import utcnow

S = TicketStatus

MOVES: dict[TicketStatus, tuple[TicketStatus, ...]] = {
    S.new: (S.acknowledged, S.in_progress, S.resolved),
    S.acknowledged: (S.in_progress, S.waiting_on_resident, S.resolved),
    S.in_progress: (S.waiting_on_resident, S.resolved),
    S.waiting_on_resident: (S.in_progress, S.resolved),
    S.resolved: (S.closed, S.in_progress),
    S.closed: (S.in_progress,),
}
# Back to work after the end: only within the reopen window since it ended.
REOPENS = frozenset({(S.resolved, S.in_progress), (S.closed, S.in_progress)})
REOPEN_WINDOW = timedelta(days=14)  # the default of TICKET_REOPEN_DAYS
# A first answer stops the first-response clock: any move out of `new` is one.
RESPONDED = frozenset(MOVES) - {S.new}


def allowed_moves(status: TicketStatus, *, ended_at: datetime | None, now: datetime,
                  window: timedelta = REOPEN_WINDOW) -> tuple[TicketStatus, ...]:
    """The statuses a ticket in `status` may move to now; `ended_at` is when it was resolved
    or closed (the later), which the reopen window counts from."""
    out = []
    for to in MOVES[status]:
        if (status, to) in REOPENS and (ended_at is None or now - ended_at > window):
            continue
        out.append(to)
    return tuple(out)


def is_reopen(status: TicketStatus, to: TicketStatus) -> bool:
    return (status, to) in REOPENS


# A need raised at the door becomes a ticket of the commune's active category of this kind
# (unless the caller names one), with a subject that starts with the need's label.
NEED_KINDS: dict[NeedCategory, CategoryKind] = {
    NeedCategory.procedure_question: CategoryKind.public_service_help,
    NeedCategory.app_help: CategoryKind.app_help,
    NeedCategory.fraud_attempt: CategoryKind.fraud_report,
    NeedCategory.feedback: CategoryKind.feedback,
    NeedCategory.other: CategoryKind.other,
}
NEED_LABELS: dict[NeedCategory, str] = {
    NeedCategory.procedure_question: "Hỏi thủ tục, dịch vụ công",
    NeedCategory.app_help: "Hỗ trợ ứng dụng",
    NeedCategory.fraud_attempt: "Báo lừa đảo",
    NeedCategory.feedback: "Góp ý",
    NeedCategory.other: "Nhu cầu khác",
}


def need_subject(category: NeedCategory, description: str) -> str:
    """`<label>: <the description's first line>`, one line of at most 200 characters."""
    first = next((part.strip() for part in description.splitlines() if part.strip()), "")
    text = " ".join("".join(c if c.isprintable() else " " if c.isspace() else ""
                            for c in first).split())
    subject = f"{NEED_LABELS[category]}: {text}" if text else NEED_LABELS[category]
    return subject if len(subject) <= 200 else subject[:199].rstrip() + "…"


# Fraud reports (báo lừa đảo) go to the security team (tổ bảo vệ ANTT) of their unit.
FRAUD_TEAM = Role.security_officer
@dataclass(frozen=True)
class TicketPolicy:
    """The settings the ticket use cases follow: the office's working hours (WORK_HOURS;
    the holidays come from `work_holiday`), the reopen window (TICKET_REOPEN_DAYS), and
    the clock their moments are read from (tests hold it still)."""

    hours: Mapping[int, tuple[Interval, ...]] = field(
        default_factory=lambda: parse_hours(DEFAULT_HOURS))
    reopen_window: timedelta = REOPEN_WINDOW
    now: Callable[[], datetime] = utcnow
