"""Accounts: people who sign in, service accounts for ward systems, and token bookkeeping."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey
from sqlmodel import Field, SQLModel

from domain.access import Role
from domain.base import Entity
from domain.types import EnumText, UTCDateTime, utcnow


class User(Entity, table=True):
    """A person who signs in with a username and password."""

    __tablename__ = "user_account"

    username: str = Field(max_length=64, unique=True)  # stored lower-case
    display_name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_type=EnumText(Role, 32), index=True)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Bumped on a password, role, scope or status change: older tokens carry the old epoch.
    token_epoch: int = Field(default=0)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: uuid.UUID | None = Field(default=None)
    # A resident's account is the person of one register record (at most one account):
    # their own tickets include those opened on their behalf for that record.
    resident_id: uuid.UUID | None = Field(default=None, foreign_key="resident.id",
                                          unique=True)


class UserUnit(SQLModel, table=True):
    """The administrative units a user's scope covers."""

    __tablename__ = "user_unit"

    user_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    )
    unit_id: uuid.UUID = Field(
        sa_column=Column(
            ForeignKey("admin_unit.id", ondelete="RESTRICT"), primary_key=True, index=True
        )
    )


class ServiceAccount(Entity, table=True):
    """A ward system or script: signs in with client credentials, holds OAuth scopes."""

    __tablename__ = "service_account"

    client_id: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    secret_hash: str = Field(max_length=255)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    token_epoch: int = Field(default=0)
    created_by_id: uuid.UUID | None = Field(default=None)


class ServiceAccountUnit(SQLModel, table=True):
    __tablename__ = "service_account_unit"

    service_account_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("service_account.id", ondelete="CASCADE"), primary_key=True)
    )
    unit_id: uuid.UUID = Field(
        sa_column=Column(
            ForeignKey("admin_unit.id", ondelete="RESTRICT"), primary_key=True, index=True
        )
    )


class RefreshToken(SQLModel, table=True):
    """One refresh token; rotation links them in a family, reuse revokes the family."""

    __tablename__ = "refresh_token"

    jti: str = Field(primary_key=True, max_length=64)
    family_id: str = Field(max_length=64, index=True)
    user_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False,
                         index=True)
    )
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RevokedToken(SQLModel, table=True):
    """Access-token ids revoked before their expiry (logout)."""

    __tablename__ = "revoked_token"

    jti: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins per account name or client address, shared by all workers."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=200)
    failures: int = Field(default=0)
    last_failure_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    blocked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
