"""The real unit of work: one session, repositories over it, and rollback unless committed."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from repositories.accounts import (
    ServiceAccountRepository,
    ThrottleRepository,
    TokenRepository,
    UserRepository,
)
from repositories.announcements import AnnouncementRepository
from repositories.audit import AuditRepository
from repositories.idempotency import IdempotencyRepository
from repositories.imports import ImportRepository
from repositories.outreach import OutreachRepository
from repositories.queue import SqlJobs
from repositories.register.records import (
    ChangeLogRepository,
    HouseholdRepository,
    ResidentRepository,
)
from repositories.units import StreetRepository, UnitRepository


class SqlUnitOfWork:
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

    @cached_property
    def units(self) -> UnitRepository:
        return UnitRepository(self.session)

    @cached_property
    def streets(self) -> StreetRepository:
        return StreetRepository(self.session)

    @cached_property
    def users(self) -> UserRepository:
        return UserRepository(self.session)

    @cached_property
    def service_accounts(self) -> ServiceAccountRepository:
        return ServiceAccountRepository(self.session)

    @cached_property
    def tokens(self) -> TokenRepository:
        return TokenRepository(self.session)

    @cached_property
    def throttle(self) -> ThrottleRepository:
        return ThrottleRepository(self.session)

    @cached_property
    def audit(self) -> AuditRepository:
        return AuditRepository(self.session)

    @cached_property
    def households(self) -> HouseholdRepository:
        return HouseholdRepository(self.session)

    @cached_property
    def residents(self) -> ResidentRepository:
        return ResidentRepository(self.session)

    @cached_property
    def changes(self) -> ChangeLogRepository:
        return ChangeLogRepository(self.session)

    @cached_property
    def imports(self) -> ImportRepository:
        return ImportRepository(self.session)

    @cached_property
    def outreach(self) -> OutreachRepository:
        return OutreachRepository(self.session)

    @cached_property
    def announcements(self) -> AnnouncementRepository:
        return AnnouncementRepository(self.session)
