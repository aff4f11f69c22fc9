"""The real unit of work: one session, repositories over it, and rollback unless committed.

Outside a request (jobs, the CLI, reads) `commit()` commits. A write request's unit of work
is `deferred` (opened by `api/writes.py`): there `commit()` flushes and sets a SAVEPOINT, so
the use case keeps its explicit commits and reads its own writes, and the one COMMIT happens
when the answer is ready, with the stored Idempotency-Key answer in the same transaction."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

import anyio
from sqlalchemy.ext.asyncio import AsyncSessionTransaction, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from repositories.areas import REPOSITORIES
from repositories.idempotency import IdempotencyRepository
from repositories.queue import SqlJobs

log = logging.getLogger("repositories.uow")

if TYPE_CHECKING:
    from repositories.accounts import (
        ServiceAccountRepository,
        ThrottleRepository,
        TokenRepository,
        UserRepository,
    )
    from repositories.announcements import AnnouncementRepository
    from repositories.audit import AuditRepository
    from repositories.elections import (
        DiscrepancyRepository,
        ElectionRepository,
        ExclusionRepository,
        PollingAreaRepository,
        ReconciliationRepository,
        ResolutionRepository,
        VoterListMappingRepository,
        VoterListRepository,
    )
    from repositories.imports import ImportRepository
    from repositories.outreach import OutreachRepository
    from repositories.register import (
        ChangeLogRepository,
        HouseholdRepository,
        ResidentRepository,
        TransferRepository,
    )
    from repositories.tickets import CategoryRepository, HolidayRepository, TicketRepository
    from repositories.units import StreetRepository, UnitRepository


class SqlUnitOfWork:
    # The areas' repositories, built on first use from their registry (repositories/areas.py).
    # Declared here only so a type checker knows them; tests/unit/test_areas.py holds these
    # declarations equal to the registry.
    units: UnitRepository
    streets: StreetRepository
    users: UserRepository
    service_accounts: ServiceAccountRepository
    tokens: TokenRepository
    throttle: ThrottleRepository
    households: HouseholdRepository
    residents: ResidentRepository
    changes: ChangeLogRepository
    transfers: TransferRepository
    imports: ImportRepository
    outreach: OutreachRepository
    announcements: AnnouncementRepository
    tickets: TicketRepository
    ticket_categories: CategoryRepository
    elections: ElectionRepository
    polling_areas: PollingAreaRepository
    exclusions: ExclusionRepository
    reconciliations: ReconciliationRepository
    discrepancies: DiscrepancyRepository
    resolutions: ResolutionRepository
    voter_lists: VoterListRepository
    voter_list_mappings: VoterListMappingRepository
    holidays: HolidayRepository
    audit: AuditRepository

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], *,
                 deferred: bool = False) -> None:
        self._factory = session_factory
        self.session: AsyncSession | None = None
        # A write request's unit of work (`api/writes.py`): `commit()` keeps, COMMIT waits
        # for the answer.
        self.deferred = deferred
        self.commit_wanted = False
        self._mark: AsyncSessionTransaction | None = None  # the SAVEPOINT of the last commit()
        self._jobs_kept = 0
        # Work outside the database that follows the transaction's fate (a stored file):
        # what to run once it is committed, or if it is not; see `after_commit`.
        self._hooks = _Hooks()

    async def __aenter__(self) -> SqlUnitOfWork:
        self.session = self._factory()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def close(self) -> None:
        """Roll back what was not committed and give the connection back. A rollback or close
        that fails (the connection died under it) never hides the answer being given: the
        connection is invalidated, so the pool does not hand it out again, and that is all."""
        session, self.session = self.session, None
        if session is None:
            return
        await self._hooks.run_undo(everything=True)  # still registered: never committed
        try:
            await session.rollback()
        except Exception as exc:
            log.warning("rollback failed; connection discarded",
                        extra={"error": type(exc).__name__})
            try:
                await session.invalidate()
            except Exception:  # nothing more to be done with a dead connection
                log.debug("invalidate failed", exc_info=True)
        try:
            await session.close()
        except Exception as exc:
            log.warning("close failed", extra={"error": type(exc).__name__})

    async def commit(self) -> None:
        """Keep what this unit of work wrote. Deferred (a write request): flush, and keep
        going in the same transaction (read-your-writes), which the request's layer commits
        once the answer is ready; a later `rollback()` goes back to here."""
        assert self.session is not None
        if not self.deferred:
            await self.session.commit()
            if "jobs" in self.__dict__:  # SQLite: jobs go to the in-process worker only now
                await self.jobs.after_commit()
            await self._hooks.run_done()
            return
        await self.session.flush()
        self._hooks.keep()
        self.commit_wanted = True
        self._jobs_kept = len(self.jobs.pending) if "jobs" in self.__dict__ else 0
        self._mark = await self.session.begin_nested()

    async def rollback(self) -> None:
        """Forget what was written since the last `commit()` (deferred), or since the start."""
        assert self.session is not None
        if self.deferred and self._mark is not None:
            await self.undo_since_commit()
            return
        await self.session.rollback()
        await self._hooks.run_undo(everything=True)
        if "jobs" in self.__dict__:
            self.jobs.pending.clear()

    async def undo_since_commit(self) -> None:
        """Deferred: back to the state of the last `commit()`, which is kept."""
        assert self.session is not None and self._mark is not None
        if self._mark.is_active:
            await self._mark.rollback()
        self._mark = await self.session.begin_nested()
        await self._hooks.run_undo(everything=False)
        if "jobs" in self.__dict__:
            del self.jobs.pending[self._jobs_kept:]

    async def forget(self) -> None:
        """Deferred: roll the whole transaction back (nothing of it is kept)."""
        assert self.session is not None
        await self.session.rollback()
        self.commit_wanted, self._mark = False, None
        await self._hooks.run_undo(everything=True)
        if "jobs" in self.__dict__:
            self.jobs.pending.clear()

    async def commit_now(self) -> None:
        """Deferred: the one real COMMIT, when the answer is ready (then SQLite's jobs)."""
        assert self.session is not None
        await self.session.commit()
        self.commit_wanted, self._mark = False, None
        if "jobs" in self.__dict__:
            await self.jobs.after_commit()
        await self._hooks.run_done()

    def after_commit(self, done: Hook) -> None:
        """Run `done` once what this unit of work writes from now on is committed (a file
        whose row was deleted goes only then: a failed COMMIT leaves both)."""
        self._hooks.since.append((done, None))

    def on_rollback(self, undo: Hook) -> None:
        """Run `undo` if what this unit of work writes from now on is not committed in the
        end (rolled back, refused, or the COMMIT failed): a file stored before its row is
        deleted again, so no file is left that no row names."""
        self._hooks.since.append((None, undo))

    @cached_property
    def jobs(self) -> SqlJobs:
        return SqlJobs(self.session)

    @cached_property
    def idempotency(self) -> IdempotencyRepository:
        return IdempotencyRepository(self.session)

    def __getattr__(self, name: str) -> Any:
        """An area's repository over this unit of work's session, kept for the next use."""
        repository = REPOSITORIES.get(name)
        if repository is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        built = self.__dict__[name] = repository(self.session)
        return built


Hook = Callable[[], Awaitable[None]]


class _Hooks:
    """The `after_commit` / `on_rollback` callbacks of a unit of work: those kept by its
    last `commit()` (deferred) and those since. Best effort: a failing one is logged, never
    raised, since the transaction's own outcome is already decided."""

    def __init__(self) -> None:
        self.kept: list[tuple[Hook | None, Hook | None]] = []
        self.since: list[tuple[Hook | None, Hook | None]] = []

    def keep(self) -> None:
        self.kept, self.since = self.kept + self.since, []

    async def run_done(self) -> None:
        hooks, self.kept, self.since = self.kept + self.since, [], []
        await _run([done for done, _ in hooks if done is not None])

    async def run_undo(self, *, everything: bool) -> None:
        hooks, self.since = self.since + (self.kept if everything else []), []
        if everything:
            self.kept = []
        await _run([undo for _, undo in reversed(hooks) if undo is not None])


async def _run(hooks: list[Hook]) -> None:
    for hook in hooks:
        with anyio.CancelScope(shield=True):  # a client gone away must not stop it
            try:
                await hook()
            except Exception as exc:
                log.error("a hook of the transaction failed",
                          extra={"error": type(exc).__name__})
