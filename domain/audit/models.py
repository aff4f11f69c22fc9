"""The audit trail: append-only, each row chained to the previous one by a hash."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import JSON, BigInteger, Column, Identity, Index, Integer
from sqlmodel import Field, SQLModel

from domain.types import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    """Who did what to which objects, when, from where, with which outcome."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index(None, "actor_id", "id"),
        Index(None, "action", "id"),
        Index(None, "occurred_at"),
    )

    id: int | None = Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer, "sqlite"), Identity(), primary_key=True
        ),
    )
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_id: str | None = Field(default=None, max_length=64)
    actor_name: str | None = Field(default=None, max_length=200)
    actor_role: str | None = Field(default=None, max_length=32)
    on_behalf_of: str | None = Field(default=None, max_length=64)
    action: str = Field(max_length=64)
    object_type: str | None = Field(default=None, max_length=64)
    object_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    outcome: str = Field(max_length=16)  # success, denied, failed
    request_id: str | None = Field(default=None, max_length=128)
    client_ip: str | None = Field(default=None, max_length=64)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)

    def compute_hash(self) -> str:
        body = {
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "actor_role": self.actor_role,
            "on_behalf_of": self.on_behalf_of,
            "action": self.action,
            "object_type": self.object_type,
            "object_ids": self.object_ids,
            "outcome": self.outcome,
            "request_id": self.request_id,
            "client_ip": self.client_ip,
            "details": self.details,
            "prev_hash": self.prev_hash,
        }
        return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


GENESIS_HASH = "0" * 64
