"""Turn a verified access token into the domain's Principal, checking it is still valid."""

from __future__ import annotations

import logging
import uuid
from typing import Any, Protocol

from auth.tokens import TokenError, TokenService
from domain.access import Principal, Role, permissions_for
from domain.errors import Unauthorized
from domain.service_errors import InvalidToken

log = logging.getLogger("auth")


class BearerLookup(Protocol):
    async def state(self, kind: str, subject_id: uuid.UUID, jti: str) -> Any | None:
        """(name, role, token_epoch, active, revoked) of the account, by column name."""

    async def levels(self, ids: frozenset[uuid.UUID]) -> dict[str, frozenset[uuid.UUID]]: ...


async def principal_from_token(lookup: BearerLookup, tokens: TokenService,
                               token: str | None) -> Principal:
    """Verify the token, then that its account is active, its epoch current, its id unrevoked."""
    if not token:
        raise Unauthorized()
    try:
        claims = tokens.decode(token)
        role = Role(claims["role"])
        subject_id = uuid.UUID(claims["sub"])
        units = frozenset(uuid.UUID(u) for u in claims.get("scope_units", []))
        epoch = int(claims["ep"])
        resident_id = uuid.UUID(claims["res"]) if claims.get("res") else None
    except (TokenError, KeyError, ValueError, TypeError) as exc:
        log.info("token refused", extra={"reason": str(exc)[:200]})
        raise InvalidToken() from exc
    kind = claims.get("kind", "user")
    state = await lookup.state(kind, subject_id, str(claims["jti"]))
    if state is not None and state["revoked"]:
        log.info("token refused", extra={"reason": "revoked jti"})
        raise InvalidToken()
    if kind == "service":
        granted = frozenset(str(claims.get("scp", "")).split())
        permissions = permissions_for(Role.integration, granted)
        valid = state is not None and state["active"]
    else:
        permissions = permissions_for(role)
        valid = state is not None and state["active"] and state["role"] == role
    if not valid or state is None or epoch != state["token_epoch"]:
        log.info("token refused", extra={"reason": "account changed since issue"})
        raise InvalidToken()
    name = state["name"]
    levels = await lookup.levels(units) if units else {}
    return Principal(
        levels=tuple(sorted(levels.items())),
        subject_id=subject_id,
        name=name,
        role=role,
        unit_ids=units,
        permissions=permissions,
        kind=kind,
        token_id=claims["jti"],
        resident_id=resident_id if kind == "user" else None,
    )
