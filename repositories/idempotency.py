"""Stored answers to POSTs sent with an Idempotency-Key, written in the request's own
transaction (see `api/writes.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, text

from domain.idempotency import IdempotencyRecord
from repositories.scoped import Repository

_T = IdempotencyRecord.__table__
_LOCK = text("SELECT pg_advisory_xact_lock(:ns, :k)")
_NAMESPACE = 0x1DE0  # the first of the two-int lock keys: ours (other locks take one bigint)


class IdempotencyRepository(Repository):
    """Stored answers, kept two days."""

    async def claim(self, key_hash: str) -> Any | None:
        """The answer stored under `key_hash`, or None (then run the request). On PostgreSQL
        a transaction lock on the key is taken first: a twin request waits here until the
        first one's transaction ends, then finds its answer (or, rolled back, none)."""
        if self.run.dialect == "postgresql":
            k = int(key_hash[:8], 16) - (1 << 31)  # a signed 32-bit int
            await self.run.execute(_LOCK, {"ns": _NAMESPACE, "k": k})
        return await self.run.fetchrow(select(_T).where(_T.c.key_hash == key_hash))

    async def store(self, key_hash: str, request_hash: str, status: int,
                    headers: list[list[str]], body: bytes) -> None:
        """The answer, in the transaction of the write it answers (a twin that got here
        first is a unique violation: the caller replays that one)."""
        await self.run.execute(insert(_T).values(
            key_hash=key_hash, request_hash=request_hash, status_code=status,
            headers=headers, body=body))

    async def forget(self, key_hash: str) -> None:
        """A record left "in progress" by an earlier version of the app: it answers nothing."""
        await self.run.execute(delete(_T).where(_T.c.key_hash == key_hash))

    async def purge(self, older_than: datetime) -> int:
        """Remove records created before `older_than`; how many."""
        result = await self.session.execute(delete(IdempotencyRecord).where(
            IdempotencyRecord.created_at < older_than))
        return result.rowcount or 0
