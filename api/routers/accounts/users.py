"""User accounts: admins manage everyone, ward officers the roles below them in their commune."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from api.deps import (
    Cursor,
    IfMatch,
    IfMatchOptional,
    IncludeTotal,
    Limit,
    SearchText,
    Sort,
    UoW,
    UsersRead,
    UsersWrite,
)
from api.http import CREATED, WITH_ETAG, created, with_etag
from api.problems import responses
from auth.passwords import hash_password
from domain.access import Role
from domain.accounts import service
from domain.accounts.errors import USER_CASES, UserNotFound
from domain.accounts.schemas import PasswordReset, UserCreate, UserPage, UserRead, UserUpdate
from domain.errors import CursorInvalid, SortInvalid
from domain.text import fold

router = APIRouter(prefix="/api/v1", tags=["users"])
LIST_ERRORS = responses(401, 403, 422, 503, SortInvalid, CursorInvalid)
READ_ERRORS = responses(401, 403, 404, 422, 503, UserNotFound)
CREATE_ERRORS = responses(401, 403, 409, 422, 503, *USER_CASES)
WRITE_ERRORS = responses(401, 403, 404, 409, 412, 422, 428, 503, UserNotFound, *USER_CASES)
ACTION_ERRORS = responses(401, 403, 404, 409, 412, 422, 503, UserNotFound, *USER_CASES)


@router.get("/users", operation_id="users_list", summary="List user accounts",
            responses=LIST_ERRORS)
async def list_users(
    uow: UoW, who: UsersRead,
    role: Role | None = None,
    q: SearchText = None, sort: Sort = None, cursor: Cursor = None,
    limit: Limit = 50, include_total: IncludeTotal = False,
) -> UserPage:
    """Accounts the caller can see, by username; filter by `role`, search the username."""
    page = await uow.users.list(
        who, role=role, q=fold(q) if q else None, sort=sort, cursor=cursor, limit=limit,
        include_total=include_total,
    )
    units = await uow.users.unit_ids([u.id for u in page.items])
    return UserPage(
        items=[UserRead.of(u, units[u.id]) for u in page.items],
        next_cursor=page.next_cursor, total=page.total,
    )


@router.post("/users", operation_id="users_create", summary="Create a user account",
             status_code=status.HTTP_201_CREATED, responses={**CREATE_ERRORS, **CREATED})
async def create_user(
    request: Request, response: Response, uow: UoW, who: UsersWrite, body: UserCreate
) -> UserRead:
    """Create an account with a role and units the caller may give (403 otherwise)."""
    user, units = await service.create_user(uow, who, data=body, hasher=hash_password)
    created(request, response, user, "users_get", user_id=user.id)
    return UserRead.of(user, units)


@router.get("/users/{user_id:uuid}", operation_id="users_get", name="users_get",
            summary="Read one user account", responses={**READ_ERRORS, **WITH_ETAG})
async def get_user(user_id: uuid.UUID, response: Response, uow: UoW, who: UsersRead) -> UserRead:
    """One account with its ETag; accounts outside the caller's scope are 404."""
    user, units = await service.read_user(uow, who, user_id)
    with_etag(response, user)
    return UserRead.of(user, units)


@router.patch("/users/{user_id:uuid}", operation_id="users_update", summary="Change a user account",
              responses={**WRITE_ERRORS, **WITH_ETAG})
async def update_user(
    user_id: uuid.UUID, body: UserUpdate, response: Response, uow: UoW, who: UsersWrite,
    if_match: IfMatch = None,
) -> UserRead:
    """Change display name, role or units; a role or unit change revokes the user's tokens."""
    user, units = await service.update_user(uow, who, user_id, data=body, if_match=if_match)
    with_etag(response, user)
    return UserRead.of(user, units)


@router.post("/users/{user_id:uuid}/disable", operation_id="users_disable",
             summary="Disable a user account", responses={**ACTION_ERRORS, **WITH_ETAG})
async def disable_user(
    user_id: uuid.UUID, response: Response, uow: UoW, who: UsersWrite,
    if_match: IfMatchOptional = None,
) -> UserRead:
    """Stop the account signing in and revoke its tokens; If-Match is checked when sent."""
    user, units = await service.disable_user(uow, who, user_id, if_match=if_match)
    with_etag(response, user)
    return UserRead.of(user, units)


@router.post("/users/{user_id:uuid}/enable", operation_id="users_enable",
             summary="Enable a disabled user account", responses={**ACTION_ERRORS, **WITH_ETAG})
async def enable_user(
    user_id: uuid.UUID, response: Response, uow: UoW, who: UsersWrite,
    if_match: IfMatchOptional = None,
) -> UserRead:
    """Let the account sign in again; If-Match is checked when sent."""
    user, units = await service.enable_user(uow, who, user_id, if_match=if_match)
    with_etag(response, user)
    return UserRead.of(user, units)


@router.post("/users/{user_id:uuid}/password", operation_id="users_reset_password",
             summary="Reset a user's password", responses={**ACTION_ERRORS, **WITH_ETAG})
async def reset_password(
    user_id: uuid.UUID, body: PasswordReset, response: Response, uow: UoW, who: UsersWrite,
    if_match: IfMatchOptional = None,
) -> UserRead:
    """Set a new password (at least 12 characters) and revoke every earlier token."""
    user, units = await service.reset_password(
        uow, who, user_id, password=body.password, hasher=hash_password, if_match=if_match
    )
    with_etag(response, user)
    return UserRead.of(user, units)
