"""SQL for users, service accounts, refresh tokens, revocations and login throttling."""

from __future__ import annotations

import builtins
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, bindparam, delete, exists, false, literal, update
from sqlmodel import select

from domain.access import Principal
from domain.accounts.errors import ServiceAccountNotFound, UserNotFound
from domain.accounts.models import (
    LoginThrottle,
    RefreshToken,
    RevokedToken,
    ServiceAccount,
    ServiceAccountUnit,
    User,
    UserUnit,
)
from domain.paging import Page
from repositories.direct import Direct, Run
from repositories.flush import flush_or_conflict
from repositories.scoped import JoinTable, Own, Repository, Scope, ScopedRepository, inside
from repositories.units import known_levels, unit_levels


class UserRepository(ScopedRepository[User]):
    """Admins see everyone; others see accounts scoped inside their own units, and
    themselves."""

    model, not_found = User, UserNotFound
    scope = JoinTable(User.id, UserUnit.user_id, UserUnit.unit_id, inside) | Own(User.id)

    async def by_username(self, username: str) -> User | None:
        return (await self.session.exec(select(User).where(User.username == username))).first()

    async def many(self, user_ids: set[uuid.UUID]) -> list[User]:
        if not user_ids:
            return []
        return list((await self.session.exec(select(User).where(User.id.in_(user_ids)))).all())

    async def by_id(self, user_id: uuid.UUID) -> User | None:
        return await self.session.get(User, user_id)

    async def list(
        self, principal: Principal, *, role, q, sort, cursor, limit, include_total
    ) -> Page[User]:
        stmt = self.readable(principal)
        if role:
            stmt = stmt.where(User.role == role)
        if q:
            stmt = stmt.where(User.username.contains(q.lower(), autoescape=True))
        return await self.page(
            stmt, sort=sort, allowed={"username": User.username, "created_at": User.created_at},
            default="username", cursor=cursor, limit=limit, include_total=include_total)

    async def unit_ids(self, user_ids: builtins.list[uuid.UUID]
                       ) -> dict[uuid.UUID, builtins.list[uuid.UUID]]:
        out: dict[uuid.UUID, list[uuid.UUID]] = {u: [] for u in user_ids}
        if not user_ids:
            return out
        rows = await self.session.exec(select(UserUnit).where(UserUnit.user_id.in_(user_ids)))
        for row in rows:
            out[row.user_id].append(row.unit_id)
        return out

    async def set_units(self, user_id: uuid.UUID, unit_ids: set[uuid.UUID]) -> None:
        await self.session.execute(delete(UserUnit).where(UserUnit.user_id == user_id))
        for unit_id in unit_ids:
            self.session.add(UserUnit(user_id=user_id, unit_id=unit_id))

    async def admin_exists(self) -> bool:
        return bool(await self.run.fetchval(select(exists().where(User.role == "admin"))))

    async def add(self, user: User) -> User:
        self.session.add(user)
        await flush_or_conflict(self.session, username=user.username)
        return user

    async def save(self, user: User) -> None:
        await flush_or_conflict(self.session)


@dataclass(frozen=True)
class _AdminsOnly(Scope):
    """Managing service accounts is an admin permission: no scoped caller sees one."""

    def clause(self, principal, dialect=None):
        return false()


class ServiceAccountRepository(ScopedRepository[ServiceAccount]):
    model, scope, not_found = ServiceAccount, _AdminsOnly(), ServiceAccountNotFound

    async def by_client_id(self, client_id: str) -> ServiceAccount | None:
        stmt = select(ServiceAccount).where(ServiceAccount.client_id == client_id)
        return (await self.session.exec(stmt)).first()

    async def list(self, principal: Principal, *, cursor, limit) -> Page[ServiceAccount]:
        return await self.page(self.readable(principal), sort=None,
                               allowed={"created_at": ServiceAccount.created_at},
                               default="created_at", cursor=cursor, limit=limit)

    async def unit_ids(self, account_id: uuid.UUID) -> builtins.list[uuid.UUID]:
        stmt = select(ServiceAccountUnit.unit_id).where(
            ServiceAccountUnit.service_account_id == account_id
        )
        return list((await self.session.exec(stmt)).all())

    async def unit_ids_many(
        self, account_ids: builtins.list[uuid.UUID]
    ) -> dict[uuid.UUID, builtins.list[uuid.UUID]]:
        """Units of several accounts in one query (list pages)."""
        out: dict[uuid.UUID, list[uuid.UUID]] = {a: [] for a in account_ids}
        if not account_ids:
            return out
        stmt = select(ServiceAccountUnit).where(
            ServiceAccountUnit.service_account_id.in_(account_ids)
        )
        for row in await self.session.exec(stmt):
            out[row.service_account_id].append(row.unit_id)
        return out

    async def set_units(self, account_id: uuid.UUID, unit_ids: set[uuid.UUID]) -> None:
        for unit_id in unit_ids:
            self.session.add(ServiceAccountUnit(service_account_id=account_id, unit_id=unit_id))

    async def add(self, account: ServiceAccount) -> ServiceAccount:
        self.session.add(account)
        await flush_or_conflict(self.session)
        return account

    async def save(self, account: ServiceAccount) -> None:
        await flush_or_conflict(self.session)


class TokenRepository(Repository):
    """Refresh-token families and revoked access-token ids."""

    async def add_refresh(self, token: RefreshToken) -> None:
        self.session.add(token)
        await self.session.flush()

    async def refresh_for_update(self, jti: str) -> RefreshToken | None:
        stmt = select(RefreshToken).where(RefreshToken.jti == jti).with_for_update()
        return (await self.session.exec(stmt)).first()

    async def revoke_family(self, family_id: str, when: datetime) -> None:
        await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=when)
        )

    async def revoke_access(self, jti: str, expires_at: datetime) -> None:
        if await self.session.get(RevokedToken, jti) is None:
            self.session.add(RevokedToken(jti=jti, expires_at=expires_at))
            await self.session.flush()

    async def purge_expired(self, now: datetime) -> None:
        await self.session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))
        await self.session.execute(delete(RefreshToken).where(RefreshToken.expires_at < now))


def _bearer_state(account, name, role) -> Select:
    """Built once: composing the expression costs more than running it."""
    revoked = exists().where(RevokedToken.__table__.c.jti == bindparam("jti")).label("revoked")
    t = account.__table__
    active = (t.c.revoked_at if account is ServiceAccount else t.c.disabled_at).is_(None)
    return select(t.c[name].label("name"), role.label("role"), t.c.token_epoch,
                  active.label("active"), revoked).where(t.c.id == bindparam("subject_id"))


_BEARER_STATE = {
    "service": _bearer_state(ServiceAccount, "name", literal(None)),
    "user": _bearer_state(User, "username", User.__table__.c.role),
}


async def bearer_state(run: Run, kind: str, subject_id: uuid.UUID, jti: str):
    """Everything a bearer token is checked against, in one round trip on every request:
    (name, role, token_epoch, active, revoked) of its account, None if there is none."""
    return await run.fetchrow(_BEARER_STATE["service" if kind == "service" else "user"],
                              {"subject_id": subject_id, "jti": jti})


class ThrottleRepository(Repository):
    """Failed sign-ins per key, for slowing down guessing."""

    async def get_many(self, keys: list[str]) -> list[LoginThrottle]:
        stmt = select(LoginThrottle).where(LoginThrottle.key.in_(keys))
        return list((await self.session.exec(stmt)).all())

    async def for_update(self, key: str) -> LoginThrottle:
        stmt = select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()
        row = (await self.session.exec(stmt)).first()
        if row is None:
            row = LoginThrottle(key=key, failures=0)
            self.session.add(row)
            await flush_or_conflict(self.session)
        return row

    async def clear(self, keys: list[str]) -> None:
        await self.session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))


class BearerLookup:
    """The account state and unit levels a bearer token is checked against, each read on a
    connection of its own outside any session (repositories/direct.py says why), taken only
    once the token's signature is known good, and given back before the route runs."""

    def __init__(self, direct: Direct) -> None:
        self.direct = direct

    async def state(self, kind: str, subject_id: uuid.UUID, jti: str):
        async with self.direct.run() as run:
            return await bearer_state(run, kind, subject_id, jti)

    async def levels(self, ids: frozenset[uuid.UUID]) -> dict[str, frozenset[uuid.UUID]]:
        if (known := known_levels(ids)) is not None:  # levels never change: no connection
            return known
        async with self.direct.run() as run:
            return await unit_levels(run, ids)


# The unit of work's attributes for this area (`uow.<name>`), see repositories/areas.py.
REPOSITORIES = {"users": UserRepository, "service_accounts": ServiceAccountRepository,
                "tokens": TokenRepository, "throttle": ThrottleRepository}
