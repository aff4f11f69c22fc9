"""Turning constraint violations into domain conflicts at flush time."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.errors import Conflict


async def flush_or_conflict(session: AsyncSession, code: str, **params: Any) -> None:
    """Flush inside a savepoint so a unique or foreign-key violation becomes a Conflict."""
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(code, **params) from exc
