"""The OAuth2 grants: password, refresh_token (rotating) and client_credentials."""

from __future__ import annotations

import logging
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from auth.passwords import verify_password
from auth.tokens import REFRESH_TYP, TokenError, TokenService
from domain.access import Role, permissions_for
from domain.accounts.errors import (
    InvalidClient,
    InvalidCredentials,
    InvalidGrant,
    InvalidScope,
    TooManyLoginAttempts,
)
from domain.accounts.models import RefreshToken, ServiceAccount, User
from domain.types import utcnow

log = logging.getLogger("auth")

USER_THRESHOLD = 5  # failures before an account name starts to wait
IP_THRESHOLD = 20  # failures before a client address starts to wait
MAX_DELAY = 900


@dataclass
class TokenPair:
    access_token: str
    expires_in: int
    scope: str
    refresh_token: str | None = None


def _delay(failures: int, threshold: int) -> int:
    """Growing wait: 1 s at the threshold, doubling each failure, capped at 15 minutes."""
    if failures < threshold:
        return 0
    return min(MAX_DELAY, 2 ** (failures - threshold))


def _throttle_keys(username: str, client_ip: str | None) -> list[str]:
    return [f"user:{username}", f"ip:{client_ip or '-'}"]


async def _check_throttle(uow, keys: list[str]) -> None:
    now = utcnow()
    waits = [
        (row.blocked_until - now).total_seconds()
        for row in await uow.throttle.get_many(keys)
        if row.blocked_until and row.blocked_until > now
    ]
    if waits:
        raise TooManyLoginAttempts(retry_after=math.ceil(max(waits)))


async def _count_failure(uow, keys: list[str]) -> None:
    now = utcnow()
    for key in keys:
        row = await uow.throttle.for_update(key)
        row.failures += 1
        row.last_failure_at = now
        threshold = USER_THRESHOLD if key.startswith("user:") else IP_THRESHOLD
        wait = _delay(row.failures, threshold)
        row.blocked_until = now + timedelta(seconds=wait) if wait else None


def _user_claims(user: User, unit_ids: list) -> dict:
    role = Role(user.role)
    return {
        "role": role.value,
        "scope_units": sorted(str(u) for u in unit_ids),
        "scope": " ".join(sorted(p.value for p in permissions_for(role))),
        "kind": "user",
        "ep": user.token_epoch,
        "name": user.username,
        **({"res": str(user.resident_id)} if user.resident_id else {}),
    }


async def _issue_user_pair(uow, tokens: TokenService, user: User, family_id: str) -> TokenPair:
    units = (await uow.users.unit_ids([user.id]))[user.id]
    claims = _user_claims(user, units)
    access, _ = tokens.issue_access(str(user.id), **claims)
    refresh, rclaims = tokens.issue_refresh(str(user.id), fam=family_id, ep=user.token_epoch)
    await uow.tokens.add_refresh(
        RefreshToken(
            jti=rclaims["jti"],
            family_id=family_id,
            user_id=user.id,
            expires_at=datetime.fromtimestamp(rclaims["exp"], UTC),
        )
    )
    return TokenPair(access, tokens.access_ttl, claims["scope"], refresh)


async def password_grant(
    uow, tokens: TokenService, *, username: str, password: str, client_ip: str | None
) -> TokenPair:
    """Sign a user in. Unknown names and wrong passwords look and cost the same."""
    username = username.strip().lower()
    keys = _throttle_keys(username, client_ip)
    await _check_throttle(uow, keys)
    user = await uow.users.by_username(username)
    ok = await verify_password(password, user.password_hash if user else None)
    if not ok or user is None or user.disabled_at is not None:
        await _count_failure(uow, keys)
        await uow.audit.record(None, "auth.login", "user_account", outcome="failed",
                               actor_name=username[:200])
        await uow.commit()
        raise InvalidCredentials()
    await uow.throttle.clear(keys)
    user.last_login_at = utcnow()
    pair = await _issue_user_pair(uow, tokens, user, secrets.token_urlsafe(12))
    await uow.audit.record(None, "auth.login", "user_account", [user.id],
                           actor_name=user.username)
    await uow.commit()
    return pair


async def refresh_grant(uow, tokens: TokenService, *, refresh_token: str) -> TokenPair:
    """Rotate a refresh token; presenting a used one revokes its whole family."""
    try:
        claims = tokens.decode(refresh_token, typ=REFRESH_TYP)
    except TokenError as exc:
        raise InvalidGrant() from exc
    row = await uow.tokens.refresh_for_update(claims["jti"])
    now = utcnow()
    if row is None:
        raise InvalidGrant()
    if row.used_at is not None or row.revoked_at is not None:
        await uow.tokens.revoke_family(row.family_id, now)
        await uow.audit.record(None, "auth.refresh_reuse", "user_account", [row.user_id],
                               outcome="denied")
        await uow.commit()
        log.warning("refresh token reuse; family revoked")
        raise InvalidGrant()
    user = await uow.users.by_id(row.user_id)
    if user is None or user.disabled_at is not None or claims.get("ep") != user.token_epoch:
        await uow.tokens.revoke_family(row.family_id, now)
        await uow.commit()
        raise InvalidGrant()
    row.used_at = now
    pair = await _issue_user_pair(uow, tokens, user, row.family_id)
    await uow.commit()
    return pair


async def client_credentials_grant(
    uow, tokens: TokenService, *, client_id: str, client_secret: str, scope: str | None,
) -> TokenPair:
    """Sign a service account in; it gets the scopes it asks for, within those it holds."""
    account: ServiceAccount | None = await uow.service_accounts.by_client_id(client_id)
    ok = await verify_password(client_secret, account.secret_hash if account else None)
    if not ok or account is None or account.revoked_at is not None:
        await uow.audit.record(None, "auth.client_credentials", "service_account",
                               outcome="failed", actor_name=client_id[:200])
        await uow.commit()
        raise InvalidClient()
    held = set(account.scopes)
    asked = set(scope.split()) if scope else held
    if not asked <= held:
        raise InvalidScope(invalid=" ".join(sorted(asked - held)))
    units = await uow.service_accounts.unit_ids(account.id)
    granted = " ".join(sorted(asked))
    access, _ = tokens.issue_access(
        str(account.id),
        role=Role.integration.value,
        scope_units=sorted(str(u) for u in units),
        scope=granted,
        scp=granted,
        kind="service",
        ep=account.token_epoch,
        name=account.client_id,
    )
    account.last_used_at = utcnow()
    await uow.audit.record(None, "auth.client_credentials", "service_account", [account.id],
                           actor_name=account.client_id)
    await uow.commit()
    return TokenPair(access, tokens.access_ttl, granted)


async def revoke(uow, tokens: TokenService, *, token: str) -> None:
    """RFC 7009: revoke an access token or a refresh token's family; unknown tokens are fine."""
    now = utcnow()
    for typ in ("at+jwt", REFRESH_TYP):
        try:
            claims = tokens.decode(token, typ=typ)
        except TokenError:
            continue
        if typ == REFRESH_TYP:
            row = await uow.tokens.refresh_for_update(claims["jti"])
            if row is not None:
                await uow.tokens.revoke_family(row.family_id, now)
        else:
            expires = datetime.fromtimestamp(claims["exp"], UTC)
            await uow.tokens.revoke_access(claims["jti"], expires)
        await uow.audit.record(None, "auth.revoke", "token", outcome="success",
                               actor_name=str(claims.get("name", ""))[:200])
        await uow.commit()
        return
