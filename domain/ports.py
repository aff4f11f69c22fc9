"""What use cases need from persistence, as Protocols; `repositories/` implements them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from domain.jobs import Jobs


class UnitOfWork(Protocol):
    """One use case's transaction: nothing is kept unless `commit()` is called."""

    units: Any
    streets: Any
    users: Any
    service_accounts: Any
    households: Any
    residents: Any
    changes: Any
    imports: Any
    outreach: Any
    announcements: Any
    audit: Any
    idempotency: Any
    jobs: Jobs

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...
