"""Wiring: the unit of work, the caller's Principal, and permission checks as aliases."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from fastapi.security import OAuth2PasswordBearer

from api.writes import REQUEST_UOW
from auth.principal import principal_from_token
from auth.tokens import TokenService
from domain.access import Permission, Principal
from domain.errors import Forbidden
from domain.storage import BlobStorage
from domain.tickets.rules import TicketPolicy
from repositories.accounts import BearerLookup
from repositories.uow import SqlUnitOfWork

log = logging.getLogger("api")

oauth2 = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/token", auto_error=False, refreshUrl="/api/v1/auth/token"
)


async def get_uow(request: Request) -> AsyncIterator[SqlUnitOfWork]:
    """One unit of work per request; use cases commit explicitly, the rest rolls back. A
    write request's one is opened, and committed once its answer is ready, by
    `api/writes.py`; a read's is opened here."""
    uow = request.scope.get(REQUEST_UOW)
    if uow is not None:
        yield uow
        return
    async with SqlUnitOfWork(request.app.state.session_factory) as uow:
        yield uow


UoW = Annotated[SqlUnitOfWork, Depends(get_uow)]


async def get_tokens(request: Request) -> TokenService:
    # async on purpose: FastAPI runs a plain `def` dependency in a worker thread.
    return request.app.state.tokens


Tokens = Annotated[TokenService, Depends(get_tokens)]


async def get_storage(request: Request) -> BlobStorage:
    """Where attachments' bytes live (the filesystem under ATTACHMENTS_DIR by default)."""
    return request.app.state.storage


Storage = Annotated[BlobStorage, Depends(get_storage)]


async def get_ticket_policy(request: Request) -> TicketPolicy:
    """What the settings say of tickets (WORK_HOURS, TICKET_REOPEN_DAYS)."""
    return request.app.state.ticket_policy


Policy = Annotated[TicketPolicy, Depends(get_ticket_policy)]


async def _audit_denied(request: Request, who: Principal, permission: Permission) -> None:
    """A denied request is audited in its own transaction: the request's own rolls back."""
    async with SqlUnitOfWork(request.app.state.session_factory) as uow:
        await uow.audit.record(
            who, "access.denied", None, outcome="denied", permission=permission.value,
            route=getattr(request.scope.get("route"), "path_format", None),
        )
        await uow.commit()


async def also_require(request: Request, who: Principal, permission: Permission) -> None:
    """A permission a route needs besides the one it declares (a denial is audited too)."""
    if not who.can(permission):
        await _audit_denied(request, who, permission)
        raise Forbidden()


def require(permission: Permission):
    """A dependency that lets the call through only with `permission`."""

    async def dependency(
        request: Request, token: Annotated[str | None, Depends(oauth2)]
    ) -> Principal:
        # The caller from the bearer token. The token service and the lookup come straight
        # from the app rather than as dependencies, and no session is opened (the check runs
        # outside the ORM): FastAPI solves every dependency again on every request.
        state = request.app.state
        who = await principal_from_token(BearerLookup(state.direct), state.tokens, token)
        await also_require(request, who, permission)
        return who

    dependency.__permission__ = permission  # type: ignore[attr-defined]  # read by the permission-matrix test and docs
    return dependency


def allow(permission: Permission):
    return Annotated[Principal, Depends(require(permission))]


ProfileRead = allow(Permission.profile_read)
UnitsRead = allow(Permission.units_read)
UnitsWrite = allow(Permission.units_write)
UsersRead = allow(Permission.users_read)
UsersWrite = allow(Permission.users_write)
ServiceAccountsRead = allow(Permission.service_accounts_read)
ServiceAccountsWrite = allow(Permission.service_accounts_write)
AuditRead = allow(Permission.audit_read)
HouseholdsRead = allow(Permission.households_read)
HouseholdsWrite = allow(Permission.households_write)
ResidentsRead = allow(Permission.residents_read)
ResidentsWrite = allow(Permission.residents_write)
RegisterExport = allow(Permission.register_export)
ImportsWrite = allow(Permission.imports_write)
CampaignsRead = allow(Permission.campaigns_read)
CampaignsWrite = allow(Permission.campaigns_write)
VisitsWrite = allow(Permission.visits_write)
AnnouncementsRead = allow(Permission.announcements_read)
AnnouncementsWrite = allow(Permission.announcements_write)
TicketsRead = allow(Permission.tickets_read)
TicketsWrite = allow(Permission.tickets_write)
TicketCategoriesManage = allow(Permission.ticket_categories_manage)
ElectionsRead = allow(Permission.elections_read)
ElectionsManage = allow(Permission.elections_manage)
HolidaysManage = allow(Permission.holidays_manage)

# Marks a header the document lists as required while the route receives it optional: a
# missing one is the use case's 428 `precondition_required`, not FastAPI's 422.
REQUIRED_IN_DOCUMENT = "x-required-in-document"
IfMatch = Annotated[
    str | None,
    Header(description="The ETag from your last read; required on this change (else 428)",
           json_schema_extra={REQUIRED_IN_DOCUMENT: True}),
]
IfMatchOptional = Annotated[
    str | None,
    Header(description="The ETag from your last read; when sent, a stale one is a 412"),
]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size, 50 by default, at most 200")]
Cursor = Annotated[str | None, Query(max_length=2000, description="`next_cursor` of the last page")]
Sort = Annotated[
    str | None, Query(max_length=200, description="Comma-separated fields, `-` for descending")
]
SearchText = Annotated[
    str | None,
    Query(max_length=200, description="Free text; ignores case and Vietnamese diacritics"),
]
IncludeTotal = Annotated[bool, Query(description="Add `total` to the page")]
