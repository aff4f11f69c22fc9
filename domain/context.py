"""Per-request facts the audit trail needs, carried without threading them through calls."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(slots=True)
class RequestContext:
    request_id: str
    client_ip: str | None = None
    method: str = ""
    path: str = ""


current: ContextVar[RequestContext | None] = ContextVar("request_context", default=None)


def request_id() -> str | None:
    ctx = current.get()
    return ctx.request_id if ctx else None
