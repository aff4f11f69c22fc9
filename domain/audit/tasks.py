"""The audit trail's background work: sealing committed events into the hash chain."""

from __future__ import annotations

from domain.jobs import Runtime, periodic

BATCH = 5000  # events chained per transaction


@periodic("audit.seal", every_seconds=1)
async def seal_audit_trail(runtime: Runtime) -> int:
    """Chain every committed, unsealed event (a batch per transaction); how many."""
    total = 0
    while True:
        async with runtime.uow() as uow:
            sealed = await uow.audit.seal(BATCH, wait=False)
            await uow.commit()
        total += sealed
        if sealed < BATCH:
            return total
