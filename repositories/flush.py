"""Flushing with the database's refusals turned into domain errors (see `integrity`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.errors import Conflict
from repositories import integrity


async def flush_or_conflict(session: AsyncSession, code: str | None = None, /, *,
                            in_use: type[Conflict] | None = None, **params: Any) -> None:
    """Flush inside a savepoint; a violated unique constraint raises its own conflict.

    `in_use` is what a delete refused by a foreign key means. `code` is accepted from the
    time the caller named the conflict; the constraint decides now.
    """
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        integrity.raise_for(exc, in_use=in_use, **params)
