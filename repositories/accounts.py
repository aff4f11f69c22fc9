"""SQL for users, service accounts, refresh tokens, revocations and login throttling."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, bindparam, delete, exists, literal, or_, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

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
from domain.units.models import AdminUnit
from repositories.direct import Direct, Run
from repositories.flush import flush_or_conflict
from repositories.paging import Page, count_of, keyset, page_from_rows, parse_sort
from repositories.units import known_levels, unit_levels


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def readable(self, principal: Principal):
        """Admins see everyone; others see accounts scoped inside their own units."""
        stmt = select(User)
        if principal.is_unscoped:
            return stmt
        inside = (
            select(UserUnit.user_id)
            .join(AdminUnit, AdminUnit.id == UserUnit.unit_id)
            .where(
                or_(
                    AdminUnit.id.in_(principal.unit_ids),
                    AdminUnit.commune_id.in_(principal.unit_ids),
                    AdminUnit.province_id.in_(principal.unit_ids),
                )
            )
        )
        return stmt.where(or_(User.id.in_(inside), User.id == principal.subject_id))

    async def by_username(self, username: str) -> User | None:
        return (await self.session.exec(select(User).where(User.username == username))).first()

    async def many(self, user_ids: set[uuid.UUID]) -> list[User]:
        if not user_ids:
            return []
        return list((await self.session.exec(select(User).where(User.id.in_(user_ids)))).all())

    async def by_id(self, user_id: uuid.UUID) -> User | None:
        return await self.session.get(User, user_id)

    async def get(self, principal: Principal, user_id: uuid.UUID, *, for_update=False) -> User:
        stmt = self.readable(principal).where(User.id == user_id)
        if for_update:
            stmt = stmt.with_for_update()
        user = (await self.session.exec(stmt)).first()
        if user is None:
            raise UserNotFound()
        return user

    async def list(
        self, principal: Principal, *, role, q, sort, cursor, limit, include_total
    ) -> Page[User]:
        stmt = self.readable(principal)
        if role:
            stmt = stmt.where(User.role == role)
        if q:
            stmt = stmt.where(User.username.contains(q.lower(), autoescape=True))
        keys = parse_sort(
            sort, {"username": User.username, "created_at": User.created_at}, "username", User.id
        )
        total = await self.session.scalar(count_of(stmt)) if include_total else None
        rows = list((await self.session.exec(keyset(stmt, keys, cursor, limit))).all())
        page = page_from_rows(rows, keys, limit, lambda r, n: getattr(r, n))
        page.total = total
        return page

    async def unit_ids(self, user_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
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
        return bool(await self.session.scalar(select(exists().where(User.role == "admin"))))

    async def add(self, user: User) -> User:
        self.session.add(user)
        await flush_or_conflict(self.session, username=user.username)
        return user

    async def save(self, user: User) -> None:
        await flush_or_conflict(self.session)


class ServiceAccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def readable(self, principal: Principal):
        return select(ServiceAccount)  # managing service accounts is an admin permission

    async def by_client_id(self, client_id: str) -> ServiceAccount | None:
        stmt = select(ServiceAccount).where(ServiceAccount.client_id == client_id)
        return (await self.session.exec(stmt)).first()

    async def get(self, principal: Principal, account_id: uuid.UUID, *, for_update=False):
        stmt = self.readable(principal).where(ServiceAccount.id == account_id)
        if for_update:
            stmt = stmt.with_for_update()
        account = (await self.session.exec(stmt)).first()
        if account is None:
            raise ServiceAccountNotFound()
        return account

    async def list(self, principal: Principal, *, cursor, limit) -> Page[ServiceAccount]:
        keys = parse_sort(None, {"created_at": ServiceAccount.created_at}, "created_at",
                          ServiceAccount.id)
        stmt = keyset(self.readable(principal), keys, cursor, limit)
        rows = list((await self.session.exec(stmt)).all())
        return page_from_rows(rows, keys, limit, lambda r, n: getattr(r, n))

    async def unit_ids(self, account_id: uuid.UUID) -> list[uuid.UUID]:
        stmt = select(ServiceAccountUnit.unit_id).where(
            ServiceAccountUnit.service_account_id == account_id
        )
        return list((await self.session.exec(stmt)).all())

    async def unit_ids_many(
        self, account_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, list[uuid.UUID]]:
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


class TokenRepository:
    """Refresh-token families and revoked access-token ids."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

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


class ThrottleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

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
