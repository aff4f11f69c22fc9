"""Background work, as the domain sees it: tasks declared by each area, a port to enqueue them.

An area declares its tasks in `domain/<area>/tasks.py` with `@task` (run when enqueued) or
`@periodic` (run on a schedule); a use case enqueues one through `uow.jobs.enqueue(...)`,
inside the transaction of the change that causes it, so a job exists exactly when its cause
was committed. `repositories/queue.py` runs them (procrastinate on PostgreSQL).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from domain.ports import UnitOfWork


class Jobs(Protocol):
    """The port a use case enqueues through (`uow.jobs`)."""

    async def enqueue(self, task: str, /, *, lock: str | None = None,
                      queueing_lock: str | None = None, **args: Any) -> None:
        """Enqueue `task` with JSON-able `args`; it runs once the transaction commits.
        `lock`: jobs sharing it never run at the same time; `queueing_lock`: at most one
        such job waits in the queue (a second enqueue is then a no-op)."""
        ...


class Runtime(Protocol):
    """What a running task is given: fresh units of work and where files live."""

    var_dir: Path
    heartbeat_seconds: float  # a running job says it is alive this often
    @property
    def dialect(self) -> str: ...  # "postgresql" or "sqlite"

    def uow(self) -> UnitOfWork: ...


TaskFunc = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class TaskSpec:
    name: str
    func: TaskFunc
    every_seconds: int | None = None  # periodic: run every this many seconds
    lock: str | None = None  # at most one running at a time
    retries: int = 0  # a failed run is tried again this many times (with a pause)


TASKS: dict[str, TaskSpec] = {}


def task(name: str, *, retries: int = 0, lock: str | None = None
         ) -> Callable[[TaskFunc], TaskFunc]:
    """Declare `func(runtime, **args)` as the task `name`."""

    def register(func: TaskFunc) -> TaskFunc:
        TASKS[name] = TaskSpec(name, func, lock=lock, retries=retries)
        return func

    return register


def periodic(name: str, *, every_seconds: int) -> Callable[[TaskFunc], TaskFunc]:
    """Declare `func(runtime)` to run every `every_seconds` (one at a time, cluster-wide)."""

    def register(func: TaskFunc) -> TaskFunc:
        TASKS[name] = TaskSpec(name, func, every_seconds=every_seconds, lock=name)
        return func

    return register


class Busy(Exception):
    """Raised by a task whose work someone else holds right now: run it again later."""


_pauses = 0  # the steps holding the collector off now, in this process
_restore = True  # whether the collector was on when the first of them began
_pauses_lock = threading.Lock()


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for one step of bulk work (a commune of a
    reconciliation or of a summary): such a step allocates hundreds of thousands of objects
    that live until it ends, and every full pass of the collector walks all of them while
    finding nothing (the data holds no reference cycles; reference counting frees it). On a
    province's reconciliation those passes were more than half of the CPU time. Steps may
    overlap (two requests of one server, jobs run in process): the collector stays off
    until the last of them ends, then is restored as it was before the first, and one
    collection runs, so a stray cycle cannot outlive them."""
    global _pauses, _restore
    with _pauses_lock:
        if _pauses == 0:
            _restore = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pauses_lock:
            _pauses -= 1
            last = _pauses == 0
            if last and _restore:
                gc.enable()
        if last:
            gc.collect()
