"""Service accounts: ward systems and scripts that sign in with client credentials."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from api.deps import (
    Cursor,
    IfMatchOptional,
    Limit,
    ServiceAccountsRead,
    ServiceAccountsWrite,
    UoW,
)
from api.http import CREATED, WITH_ETAG, created, with_etag
from api.problems import responses
from auth.passwords import hash_password
from domain.accounts import service
from domain.accounts.errors import SERVICE_ACCOUNT_CASES, ServiceAccountNotFound
from domain.accounts.schemas import (
    ServiceAccountCreate,
    ServiceAccountCreated,
    ServiceAccountPage,
    ServiceAccountRead,
)
from domain.errors import CursorInvalid

router = APIRouter(prefix="/api/v1", tags=["service-accounts"])
LIST_ERRORS = responses(401, 403, 422, 503, CursorInvalid)
READ_ERRORS = responses(401, 403, 404, 422, 503, ServiceAccountNotFound)
CREATE_ERRORS = responses(401, 403, 409, 422, 503, *SERVICE_ACCOUNT_CASES)
WRITE_ERRORS = responses(401, 403, 404, 409, 412, 422, 503, ServiceAccountNotFound,
                         *SERVICE_ACCOUNT_CASES)


@router.get("/service-accounts", operation_id="service_accounts_list",
            summary="List service accounts", responses=LIST_ERRORS)
async def list_service_accounts(
    uow: UoW, who: ServiceAccountsRead, cursor: Cursor = None, limit: Limit = 50,
) -> ServiceAccountPage:
    """Service accounts, oldest first; secrets are never shown."""
    page = await uow.service_accounts.list(who, cursor=cursor, limit=limit)
    units = await uow.service_accounts.unit_ids_many([a.id for a in page.items])
    return ServiceAccountPage(
        items=[ServiceAccountRead.of(a, units[a.id]) for a in page.items],
        next_cursor=page.next_cursor,
    )


@router.post("/service-accounts", operation_id="service_accounts_create",
             summary="Create a service account", status_code=status.HTTP_201_CREATED,
             responses={**CREATE_ERRORS, **CREATED})
async def create_service_account(
    request: Request, response: Response, uow: UoW, who: ServiceAccountsWrite,
    body: ServiceAccountCreate,
) -> ServiceAccountCreated:
    """Create a service account; `client_secret` is in this response and nowhere ever again."""
    account, units, secret = await service.create_service_account(
        uow, who, data=body, hasher=hash_password
    )
    created(request, response, account, "service_accounts_get", account_id=account.id)
    response.headers["Cache-Control"] = "no-store"
    return ServiceAccountCreated.of(account, units, client_secret=secret)


@router.get("/service-accounts/{account_id:uuid}", operation_id="service_accounts_get",
            name="service_accounts_get", summary="Read one service account",
            responses={**READ_ERRORS, **WITH_ETAG})
async def get_service_account(
    account_id: uuid.UUID, response: Response, uow: UoW, who: ServiceAccountsRead
) -> ServiceAccountRead:
    """One service account with its ETag; never its secret."""
    account, units = await service.read_service_account(uow, who, account_id)
    with_etag(response, account)
    return ServiceAccountRead.of(account, units)


@router.post("/service-accounts/{account_id:uuid}/revoke", operation_id="service_accounts_revoke",
             summary="Revoke a service account", responses={**WRITE_ERRORS, **WITH_ETAG})
async def revoke_service_account(
    account_id: uuid.UUID, response: Response, uow: UoW, who: ServiceAccountsWrite,
    if_match: IfMatchOptional = None,
) -> ServiceAccountRead:
    """Revoke for good: no new tokens and current ones stop working; If-Match checked if sent."""
    account, units = await service.revoke_service_account(
        uow, who, account_id, if_match=if_match
    )
    with_etag(response, account)
    return ServiceAccountRead.of(account, units)
