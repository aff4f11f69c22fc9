"""The audit trail: append-only, each row chained to the previous one by a hash.

A request appends its event without the chain (one INSERT, no lock), and a sealer gives the
events their place `seq` in the chain with `prev_hash` and `hash`, in the order they became
visible, within about a second (and before every verification). The database refuses any other
change (a trigger on PostgreSQL): an event is written once, then sealed once."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import JSON, BigInteger, Column, Identity, Index, Integer, text
from sqlmodel import Field, SQLModel

from domain import base  # noqa: F401  (the naming convention, before the table is made)
from domain.types import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    """Who did what to which objects, when, from where, with which outcome."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index(None, "actor_id", "id"),
        Index(None, "action", "id"),
        Index(None, "occurred_at"),
        Index("ix_audit_event_unsealed", "id", postgresql_where=text("seq IS NULL"),
              sqlite_where=text("seq IS NULL")),
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
    seq: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer, "sqlite"), unique=True),
    )
    prev_hash: str | None = Field(default=None, max_length=64)
    hash: str | None = Field(default=None, max_length=64)

    def compute_hash(self) -> str:
        return chain_hash(self, self.prev_hash or GENESIS_HASH)


def chain_hash(event, prev_hash: str) -> str:
    """The hash of an event (an AuditEvent or a row of its table) chained after `prev_hash`."""
    body = {
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "actor_role": event.actor_role,
        "on_behalf_of": event.on_behalf_of,
        "action": event.action,
        "object_type": event.object_type,
        "object_ids": event.object_ids,
        "outcome": event.outcome,
        "request_id": event.request_id,
        "client_ip": event.client_ip,
        "details": event.details,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


GENESIS_HASH = "0" * 64
