"""The audit trail: who did what, newest first, and a check that nobody altered it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AuditRead, Cursor, Limit, UoW
from api.problems import responses
from domain.errors import CursorInvalid
from domain.examples import CREATED, RECORD, USER, examples
from domain.paging import Page
from domain.types import Instant

router = APIRouter(prefix="/api/v1", tags=["audit"])

Short = Annotated[str | None, Query(max_length=64)]
Moment = Annotated[Instant | None, Query(description="RFC 3339 with offset")]


class AuditEventRead(BaseModel):
    """One audit event. Within about a second of its commit a sealer gives it its place `seq`
    in the hash chain: `hash` covers the event and `prev_hash`, the hash of event `seq - 1`.
    Until then the three are null."""

    id: int
    occurred_at: datetime
    actor_id: str | None
    actor_name: str | None
    actor_role: str | None
    on_behalf_of: str | None
    action: str = Field(examples=["user.create"])
    object_type: str | None = Field(examples=["user_account"])
    object_ids: list[str]
    outcome: str = Field(examples=["success"])
    request_id: str | None
    client_ip: str | None
    details: dict[str, Any]
    seq: int | None = Field(description="Place in the hash chain; null until sealed")
    prev_hash: str | None
    hash: str | None

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples({
        "id": 48213, "occurred_at": CREATED, "actor_id": str(USER),
        "actor_name": "Nguyễn Văn An", "actor_role": "group_leader", "on_behalf_of": None,
        "action": "resident.update", "object_type": "resident", "object_ids": [RECORD],
        "outcome": "success", "request_id": "3f2a9c1e8b7d4a60", "client_ip": "203.0.113.24",
        "details": {"fields": ["phone"]}, "seq": 48213, "prev_hash": "9c1f" * 16,
        "hash": "4be0" * 16}))


class AuditEventPage(Page[AuditEventRead]):  # its name in the OpenAPI document
    pass


class AuditVerification(BaseModel):
    """The result of walking the hash chain from the first event."""

    ok: bool
    checked: int = Field(description="Events that checked out before the first bad one")
    first_bad_id: int | None
    pending: int = Field(default=0, description="Events committed but not yet sealed (a "
                         "worker seals them within about a second)")

    model_config = ConfigDict(json_schema_extra=examples(
        {"ok": True, "checked": 48213, "first_bad_id": None, "pending": 2}))


@router.get("/audit-events", operation_id="audit_events_list", summary="List audit events",
            responses=responses(401, 403, 422, 503, CursorInvalid))
async def list_audit_events(
    uow: UoW, who: AuditRead,
    actor_id: Short = None, action: Short = None,
    object_id: Annotated[uuid.UUID | None, Query()] = None,
    outcome: Literal["success", "denied", "failed"] | None = None,
    since: Moment = None, until: Moment = None,
    cursor: Cursor = None, limit: Limit = 50,
) -> AuditEventPage:
    """Newest first; admins see all events, others only events by users they can see."""
    page = await uow.audit.list(
        actor_id=actor_id, action=action, object_id=str(object_id) if object_id else None,
        outcome=outcome, since=since, until=until, cursor=cursor, limit=limit, principal=who,
    )
    return AuditEventPage(items=[AuditEventRead.model_validate(r) for r in page.items],
                          next_cursor=page.next_cursor)


@router.get("/audit-events/verify", operation_id="audit_events_verify",
            summary="Check the audit trail's hash chain", responses=responses(401, 403, 503))
async def verify_audit_events(uow: UoW, who: AuditRead) -> AuditVerification:
    """Recompute every sealed event's hash in chain order; `ok` is false from the first
    altered (or missing) event. Reads only: the job worker does the sealing."""
    # Pending first: the sealer may commit between the two reads, and `pending: 0` must
    # mean that every event committed before it is among those `checked`.
    pending = await uow.audit.pending()
    checked, bad = await uow.audit.verify()
    return AuditVerification(ok=bad is None, checked=checked,
                             first_bad_id=bad.id if bad else None, pending=pending)


routers = [router]
