"""The real unit of work: one session, repositories over it, and rollback unless committed."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from repositories.areas import REPOSITORIES
from repositories.idempotency import IdempotencyRepository
from repositories.queue import SqlJobs

if TYPE_CHECKING:
    from repositories.accounts import (
        ServiceAccountRepository,
        ThrottleRepository,
        TokenRepository,
        UserRepository,
    )
    from repositories.announcements import AnnouncementRepository
    from repositories.audit import AuditRepository
    from repositories.imports import ImportRepository
    from repositories.outreach import OutreachRepository
    from repositories.register import (
        ChangeLogRepository,
        HouseholdRepository,
        ResidentRepository,
        TransferRepository,
    )
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
    audit: AuditRepository

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._factory = session_factory
        self.session: AsyncSession | None = None

    async def __aenter__(self) -> SqlUnitOfWork:
        self.session = self._factory()
        return self

    async def __aexit__(self, *exc) -> None:
        assert self.session is not None
        try:
            await self.session.rollback()
        finally:
            await self.session.close()

    async def commit(self) -> None:
        assert self.session is not None
        await self.session.commit()
        if "jobs" in self.__dict__:  # SQLite: jobs go to the in-process worker only now
            await self.jobs.after_commit()

    async def rollback(self) -> None:
        assert self.session is not None
        await self.session.rollback()
        if "jobs" in self.__dict__:
            self.jobs.pending.clear()

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
