"""Background jobs, in process for now: submit a coroutine, keep a handle, drain on shutdown.

The interface is one method, so a PostgreSQL-backed queue (procrastinate) can replace it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from repositories.audit import SEAL_BATCH
from repositories.uow import SqlUnitOfWork

log = logging.getLogger("jobs")


class InProcessRunner:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task] = set()

    def submit(self, name: str, work: Callable[[], Awaitable[object]]) -> None:
        async def guarded() -> None:
            try:
                await work()
            except Exception:  # a failed job is recorded by the job itself; never kill the loop
                log.exception("job failed", extra={"job": name})

        task = asyncio.get_running_loop().create_task(guarded(), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, seconds: float = 30) -> None:
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=seconds)


async def seal_audit_trail(session_factory, interval: float) -> None:
    """Chain committed audit events every `interval` seconds (at once while there is a backlog).

    Every worker runs one; the chain lock lets one seal at a time and the others skip."""
    while True:
        try:
            async with SqlUnitOfWork(session_factory) as uow:
                sealed = await uow.audit.seal(wait=False)
                await uow.commit()
        except Exception:
            log.warning("audit sealing failed; retrying", exc_info=True)
            sealed = 0
            await asyncio.sleep(max(interval, 5.0))
        if sealed < SEAL_BATCH:
            await asyncio.sleep(interval)
