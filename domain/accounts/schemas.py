"""Request and response shapes for user accounts and service accounts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from domain.access import Role
from domain.accounts.models import ServiceAccount, User
from domain.examples import USER, examples, stamps
from domain.paging import Page
from domain.types import Clearable, Documented, Omittable, line
from domain.units.schemas import Strict


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


# Sign-in names are stored lower-case so "NguyenVanA" and "nguyenvana" are one account.
Username = Annotated[
    str,
    BeforeValidator(_lower),
    StringConstraints(min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9._@-]*$"),
    # What a client may send: any case (it is lowered first).
    Documented(pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$"),
]
# Long passphrases rather than composition rules (NIST SP 800-63B); capped to bound argon2.
Password = Annotated[str, StringConstraints(min_length=12, max_length=256)]
UnitIds = Annotated[list[uuid.UUID], Field(max_length=200)]
Scope = Annotated[str, StringConstraints(min_length=1, max_length=64)]

_UNIT = "0192f0c4-2b1e-7c3a-9d4e-5f6a7b8c9d0e"
_USER_READ = {
    "id": USER, "username": "totruong.tranphu", "display_name": "Nguyễn Văn An",
    "role": "group_leader", "unit_ids": [_UNIT], "resident_id": None, "disabled_at": None,
    "last_login_at": "2026-01-12T00:45:00Z", **stamps(2)}
_SERVICE_READ = {
    "id": "0192f0b2-4c00-7b11-8c22-3d4e5f607182", "client_id": "svc-mot-cua-binh-dinh",
    "name": "Hệ thống một cửa phường Bình Định",
    "scopes": ["households:read", "residents:read", "units:read"], "unit_ids": [_UNIT],
    "revoked_at": None, "last_used_at": "2026-01-12T01:00:00Z", **stamps()}


class UserCreate(Strict):
    """A new account; every role except `admin` needs at least one unit."""

    username: Username
    display_name: line(200)
    password: Password
    role: Role
    unit_ids: UnitIds = Field(default_factory=list)
    resident_id: uuid.UUID | None = Field(
        default=None, description="For a `resident` account: the register record the "
        "person is, living in one of `unit_ids`; their own tickets then include those "
        "opened on their behalf.")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "username": "totruong.tranphu",
                    "display_name": "Nguyễn Văn An",
                    "password": "mot-cau-mat-khau-dai",
                    "role": "group_leader",
                    "unit_ids": [_UNIT],
                }
            ]
        },
    )


class UserUpdate(Strict):
    """Fields absent stay as they are; a role or unit change signs the user out everywhere."""

    display_name: Omittable[line(200)] = None
    role: Omittable[Role] = None
    unit_ids: Omittable[UnitIds] = None
    resident_id: Clearable[uuid.UUID] = Field(
        default=None, description="A resident account's register record; null unlinks.")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=examples({"role": "volunteer", "unit_ids": [_UNIT]},
                                   {"display_name": "Nguyễn Văn Ân"}),
    )


class PasswordReset(Strict):
    """A new password set by an administrator; the user's older tokens stop working."""

    password: Password

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"password": "mot-cau-mat-khau-moi"}]}
    )


class UserRead(BaseModel):
    """An account as clients see it: never the password hash."""

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    unit_ids: list[uuid.UUID]
    resident_id: uuid.UUID | None = None
    disabled_at: datetime | None
    last_login_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(json_schema_extra=examples(_USER_READ))

    @classmethod
    def of(cls, user: User, unit_ids) -> UserRead:
        return cls(
            id=user.id, username=user.username, display_name=user.display_name,
            role=user.role, unit_ids=sorted(unit_ids), resident_id=user.resident_id,
            disabled_at=user.disabled_at,
            last_login_at=user.last_login_at, created_at=user.created_at,
            updated_at=user.updated_at, version=user.version,
        )


class UserPage(Page[UserRead]):  # its name in the OpenAPI document
    pass


class ServiceAccountCreate(Strict):
    """A ward system or script; scopes are permissions an `integration` account may hold."""

    name: line(200)
    scopes: Annotated[list[Scope], Field(min_length=1, max_length=50)]
    unit_ids: UnitIds = Field(default_factory=list)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Hệ thống một cửa phường Bình Định",
                    "scopes": ["households:read", "residents:read", "units:read"],
                    "unit_ids": [_UNIT],
                }
            ]
        },
    )


class ServiceAccountRead(BaseModel):
    """A service account as clients see it: never the secret."""

    id: uuid.UUID
    client_id: str
    name: str
    scopes: list[str]
    unit_ids: list[uuid.UUID]
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(json_schema_extra=examples(_SERVICE_READ))

    @classmethod
    def of(cls, account: ServiceAccount, unit_ids, **extra) -> Self:
        return cls(
            id=account.id, client_id=account.client_id, name=account.name,
            scopes=sorted(account.scopes), unit_ids=sorted(unit_ids),
            revoked_at=account.revoked_at, last_used_at=account.last_used_at,
            created_at=account.created_at, updated_at=account.updated_at,
            version=account.version, **extra,
        )


class ServiceAccountCreated(ServiceAccountRead):
    """The create response: the only time `client_secret` is ever shown."""

    client_secret: str = Field(description="Shown once; store it now, it cannot be read again")

    model_config = ConfigDict(json_schema_extra=examples(
        {**_SERVICE_READ, "last_used_at": None,
         "client_secret": "k3X9vQ2mT7pL5wR8zN4bY6cF1hJ0sD2gA5eU8iO3"}))


class ServiceAccountPage(Page[ServiceAccountRead]):  # its name in the OpenAPI document
    pass
