"""Open311's `api_key`: `<client_id>.<secret>` of a service account, turned into the same
Principal its client-credentials token would carry (role `integration`, its scopes, its
units)."""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from auth.passwords import verify_password
from domain.access import Principal, Role, permissions_for
from domain.tickets.errors import Open311KeyInvalid, Open311KeyRequired


class AccountLookup(Protocol):
    """What a key is checked against: `uow.service_accounts` reads the account..."""

    async def by_client_id(self, client_id: str) -> Any | None: ...

    async def unit_ids(self, account_id: uuid.UUID) -> list[uuid.UUID]: ...


class StateLookup(Protocol):
    """...and the bearer check's lookup (`repositories.accounts.BearerLookup`) its state
    and the levels of its units."""

    async def state(self, kind: str, subject_id: uuid.UUID, jti: str) -> Any | None: ...

    async def levels(self, ids: frozenset[uuid.UUID]) -> dict[str, frozenset[uuid.UUID]]: ...


@dataclass(frozen=True, slots=True)
class _Verified:
    principal: Principal
    epoch: int
    until: float  # time.monotonic()


class ApiKeys:
    """Verifies api keys, remembering the good ones for `ttl` seconds.

    Why a cache: a key is a client secret, stored as an argon2id hash (19 MiB, two passes:
    tens of milliseconds of CPU) so that a stolen table does not give the keys away. The
    token endpoint pays that once per token; an Open311 client sends its key on every
    request, so each would pay it. A verified key is kept in this process, under the
    sha256 of the key (never the key itself), for a short time; every request still reads
    the account's state (one indexed row, as a bearer token does), and a revoked account
    or a bumped `token_epoch` (scopes or units changed) drops the entry at once. A wrong key
    is never cached: it pays the full verification each time."""

    def __init__(self, ttl: float = 60.0, size: int = 1024) -> None:
        self.ttl = ttl
        self.size = size
        self._cache: dict[str, _Verified] = {}

    async def principal(self, key: str | None, accounts: AccountLookup,
                        lookup: StateLookup) -> Principal:
        if not key:
            raise Open311KeyRequired()
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
        now = time.monotonic()
        known = self._cache.get(digest)
        if known is not None and known.until > now:
            state = await lookup.state("service", known.principal.subject_id, "")
            if state is not None and state["active"] and state["token_epoch"] == known.epoch:
                return known.principal
        self._cache.pop(digest, None)
        principal, epoch = await self._verify(key, accounts, lookup)
        if len(self._cache) >= self.size:
            self._cache = {k: v for k, v in self._cache.items() if v.until > now}
            if len(self._cache) >= self.size:
                self._cache.clear()
        self._cache[digest] = _Verified(principal, epoch, now + self.ttl)
        return principal

    @staticmethod
    async def _verify(key: str, accounts: AccountLookup,
                      lookup: StateLookup) -> tuple[Principal, int]:
        client_id, _, secret = key.partition(".")
        # The token endpoint's check (auth/login.py client_credentials_grant), same cost
        # for an unknown client.
        account = await accounts.by_client_id(client_id) if client_id and secret else None
        ok = await verify_password(secret, account.secret_hash if account else None)
        if not ok or account is None or account.revoked_at is not None:
            raise Open311KeyInvalid()
        units = frozenset(await accounts.unit_ids(account.id))
        levels = await lookup.levels(units) if units else {}
        principal = Principal(
            subject_id=account.id, name=account.name, role=Role.integration, unit_ids=units,
            permissions=permissions_for(Role.integration, frozenset(account.scopes)),
            kind="service", levels=tuple(sorted(levels.items())))
        return principal, account.token_epoch
