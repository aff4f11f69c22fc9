"""Stored answers to POSTs sent with an Idempotency-Key, so a retry replays the first one
(stored in the same transaction as the write they answer: `api/writes.py`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary
from sqlmodel import Field, SQLModel

from domain.jobs import Runtime, periodic
from domain.types import UTCDateTime, utcnow

KEEP_HOURS = 48  # the contract promises at least 24


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_record"
    __table_args__ = (Index(None, "created_at"),)

    key_hash: str = Field(primary_key=True, max_length=64)  # caller + key
    request_hash: str = Field(max_length=64)  # method, path, body
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Written with the answer, in the write's own transaction; None only in a record an
    # earlier version left "in progress" (forgotten when its key comes again).
    status_code: int | None = Field(default=None)
    headers: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    body: bytes | None = Field(default=None, sa_column=Column(LargeBinary))


@periodic("idempotency.purge", every_seconds=3600)
async def purge_idempotency_keys(runtime: Runtime) -> int:
    """Forget stored answers older than KEEP_HOURS; how many."""
    async with runtime.uow() as uow:
        removed = await uow.idempotency.purge(utcnow() - timedelta(hours=KEEP_HOURS))
        await uow.commit()
    return removed
