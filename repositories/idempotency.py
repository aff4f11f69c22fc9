"""Stored answers to POSTs sent with an Idempotency-Key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.idempotency import IdempotencyRecord


class IdempotencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def purge(self, older_than: datetime) -> int:
        """Remove records created before `older_than`; how many."""
        result = await self.session.execute(delete(IdempotencyRecord).where(
            IdempotencyRecord.created_at < older_than))
        return result.rowcount or 0
