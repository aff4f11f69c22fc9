"""Tickets' background work: the breach flags of the service targets."""

from __future__ import annotations

import uuid

from domain.jobs import Runtime, periodic
from domain.types import utcnow

# The timeline's actor of what the job does (no person: the clock).
CLOCK_ACTOR_ID = uuid.UUID(int=0)
CLOCK_ACTOR_NAME = "Hệ thống (hạn xử lý)"


@periodic("tickets.flag_breaches", every_seconds=60)
async def flag_breaches(runtime: Runtime) -> int:
    """Flag the tickets whose first answer or resolution is late, or came late (a set-based
    UPDATE per target, an internal `breach` line each); how many flags were set. The read
    path computes nothing: `breached=` filters on these flags."""
    async with runtime.uow() as uow:
        flagged = await uow.tickets.flag_breaches(utcnow(), actor_id=CLOCK_ACTOR_ID,
                                                  actor_name=CLOCK_ACTOR_NAME)
        for target, ids in flagged.items():
            if ids:
                await uow.audit.record(None, "ticket.breach", "ticket", ids, target=target,
                                       actor_name=CLOCK_ACTOR_NAME)
        await uow.commit()
    return sum(len(ids) for ids in flagged.values())
