"""Stored answers to POSTs sent with an Idempotency-Key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from domain.idempotency import IdempotencyRecord
from repositories.scoped import Repository


class IdempotencyRepository(Repository):
    """Stored answers, kept a day."""

    async def purge(self, older_than: datetime) -> int:
        """Remove records created before `older_than`; how many."""
        result = await self.session.execute(delete(IdempotencyRecord).where(
            IdempotencyRecord.created_at < older_than))
        return result.rowcount or 0
