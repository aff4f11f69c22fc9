"""The job queue: procrastinate on PostgreSQL, behind the domain's `Jobs` port.

Why procrastinate: it keeps jobs in the same PostgreSQL as the data (no broker to run), so a
job is enqueued inside the transaction that causes it; it has locks (one seal at a time),
queueing locks, retries, periodic tasks deduplicated across workers, worker heartbeats to
find jobs whose worker died, and an asyncio worker. Tasks are the domain's own functions
(`domain.jobs.TASKS`), registered here once.

On the embedded SQLite database there is no server to hold a queue: jobs are handed to an
in-process worker after the enqueuing transaction commits (procrastinate's in-memory
connector, which its authors describe as for tests; here it serves only that embedded
development mode, where a restart loses queued jobs and unfinished imports are failed).
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import procrastinate
from procrastinate.testing import InMemoryConnector
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.areas import area_modules
from domain.jobs import TASKS, Busy, TaskSpec
from domain.ports import UnitOfWork
from repositories.scoped import Repository

log = logging.getLogger("jobs")
QUEUE = "default"
# Tasks the worker runs besides the areas' own (`domain/<area>/tasks.py`, found by name):
# they declare them with @task/@periodic.
SHARED_TASK_MODULES = ("domain.idempotency",)
_DEFER = text(
    "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, :lock, :qlock,"
    " CAST(:args AS jsonb), NULL)::procrastinate_job_to_defer_v1]))")


@cache
def declared_tasks() -> dict[str, TaskSpec]:
    """Every area's tasks (their modules register them when imported)."""
    area_modules("domain", "tasks")
    for module in SHARED_TASK_MODULES:
        importlib.import_module(module)
    return TASKS


def is_queue_object(name: str | None) -> bool:
    """Tables, types and functions that belong to the queue, not to our models."""
    return bool(name) and name.startswith("procrastinate_")


def conninfo(url: str) -> str:
    """A libpq connection string for the database a SQLAlchemy URL names."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql", query={}).render_as_string(hide_password=False)


_HEALTH = text(
    "SELECT (SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'),"
    " (SELECT extract(epoch FROM now() - min(scheduled_at_or_now)) FROM ("
    "   SELECT coalesce(scheduled_at, e.at) AS scheduled_at_or_now FROM procrastinate_jobs j"
    "   JOIN procrastinate_events e ON e.job_id = j.id AND e.type = 'deferred'"
    "   WHERE j.status = 'todo' AND coalesce(j.scheduled_at, e.at) <= now()) waiting),"
    " (SELECT count(*) FROM procrastinate_workers"
    "   WHERE last_heartbeat > now() - make_interval(secs => :stalled)),"
    " (SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed')")


async def health(conn, stalled_after: float) -> dict[str, Any] | None:
    """What an operator needs to see of the queue (PostgreSQL): jobs waiting, how long the
    oldest has waited, live workers, failed jobs kept."""
    if conn.dialect.name != "postgresql":
        return None
    waiting, oldest, workers, failed = (await conn.execute(
        _HEALTH, {"stalled": stalled_after})).one()
    return {"queued": waiting, "oldest_queued_seconds": round(oldest or 0.0, 1),
            "live_workers": workers, "failed": failed}


class SqlJobs(Repository):
    """`uow.jobs`: on PostgreSQL a job is a row written in the session's own transaction; on
    SQLite it is held until the unit of work commits, then given to the in-process worker."""

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self.pending: list[tuple[str, dict[str, Any]]] = []

    async def enqueue(self, task: str, /, *, lock: str | None = None,
                      queueing_lock: str | None = None, **args: Any) -> None:
        if task not in declared_tasks():
            raise KeyError(f"unknown task {task}")
        if self.run.dialect != "postgresql":
            self.pending.append((task, {"lock": lock, "queueing_lock": queueing_lock,
                                        "args": args}))
            return
        params = {"queue": QUEUE, "task": task, "lock": lock, "qlock": queueing_lock,
                  "args": orjson.dumps(args).decode()}
        if queueing_lock is None:
            await self.run.execute(_DEFER, params)
            return
        try:  # one waiting job per queueing lock: a second one is refused by an index
            async with self.session.begin_nested():
                await self.run.execute(_DEFER, params)
        except IntegrityError:
            log.info("job already queued", extra={"task": task})

    async def after_commit(self) -> None:
        """SQLite: hand the committed transaction's jobs to the in-process worker."""
        app = self.session.info.get("queue")
        pending, self.pending = self.pending, []
        if app is None:
            return
        for task, options in pending:
            try:
                await app.configure_task(
                    task, lock=options["lock"], queueing_lock=options["queueing_lock"]
                ).defer_async(**options["args"])
            except procrastinate.exceptions.AlreadyEnqueued:
                pass


@dataclass
class Runtime:
    """What a running task is given (`domain.jobs.Runtime`)."""

    session_factory: async_sessionmaker
    var_dir: Path
    heartbeat_seconds: float = 10.0

    @property
    def dialect(self) -> str:
        return self.session_factory.kw["bind"].dialect.name

    def uow(self) -> UnitOfWork:
        from repositories.uow import SqlUnitOfWork

        return SqlUnitOfWork(self.session_factory)


def _cron(every_seconds: int) -> str:
    if every_seconds < 60:
        return f"* * * * * */{every_seconds}"
    return f"*/{max(1, every_seconds // 60)} * * * *"


def build_queue(database_url: str, *, stalled_after: float = 30.0,
                intervals: dict[str, int] | None = None) -> procrastinate.App:
    """The procrastinate app with every declared task; a PostgreSQL URL gets the real
    connector, anything else the in-process one. `intervals` overrides periodic tasks'."""
    if database_url.startswith("postgresql"):
        connector: Any = procrastinate.PsycopgConnector(
            conninfo=conninfo(database_url), min_size=1, max_size=4)
    else:
        connector = InMemoryConnector()
    app = procrastinate.App(connector=connector)
    for spec in declared_tasks().values():
        every = (intervals or {}).get(spec.name, spec.every_seconds)
        _register(app, replace(spec, every_seconds=every) if spec.every_seconds else spec)

    @app.periodic(cron=_cron(max(1, int(stalled_after // 3))), periodic_id="stalled")
    @app.task(name="jobs.retry_stalled", queueing_lock="jobs.retry_stalled", pass_context=True)
    async def retry_stalled(context, timestamp: int) -> None:
        """Jobs of a worker whose heartbeat stopped (killed, lost) go back to the queue."""
        for job in await app.job_manager.get_stalled_jobs(
                seconds_since_heartbeat=stalled_after):
            log.warning("retrying a job whose worker stopped",
                        extra={"job": job.id, "task": job.task_name})
            await app.job_manager.retry_job(job)

    @app.periodic(cron="17 * * * *", periodic_id="cleanup")
    @app.task(name="jobs.remove_old", queueing_lock="jobs.remove_old", pass_context=True)
    async def remove_old(context, timestamp: int) -> None:
        """Finished jobs are kept one day (periodic ones run every second)."""
        await app.job_manager.delete_old_jobs(nb_hours=24, include_failed=True)

    return app


def _register(app: procrastinate.App, spec: TaskSpec) -> None:
    retry: Any = (procrastinate.RetryStrategy(max_attempts=spec.retries, wait=5,
                                              retry_exceptions={Busy})
                  if spec.retries else False)

    async def run(context, **args: Any) -> None:
        if spec.every_seconds:
            args.pop("timestamp", None)  # procrastinate's, for periodic tasks
        await spec.func(context.additional_context["runtime"], **args)

    run.__name__ = run.__qualname__ = spec.name.replace(".", "_")
    task = app.task(name=spec.name, pass_context=True, retry=retry, lock=spec.lock,
                    queueing_lock=spec.lock if spec.every_seconds else None)(run)
    if spec.every_seconds:
        app.periodic(cron=_cron(spec.every_seconds), periodic_id=spec.name)(task)


async def run_worker(app: procrastinate.App, runtime: Runtime, *, concurrency: int = 4,
                     wait: bool = True, install_signal_handlers: bool = True) -> None:
    """Run jobs until stopped (SIGINT/SIGTERM finish the running ones first)."""
    heartbeat = runtime.heartbeat_seconds
    async with app.open_async():
        await app.run_worker_async(
            concurrency=concurrency, wait=wait, additional_context={"runtime": runtime},
            update_heartbeat_interval=heartbeat, stalled_worker_timeout=3 * heartbeat,
            install_signal_handlers=install_signal_handlers, delete_jobs="successful")

