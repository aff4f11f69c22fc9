"""Use cases for user accounts and service accounts.

Who may assign what: an admin any role (except `integration`, which only service accounts
hold) and any unit; a ward officer only the roles in `ROLES_BELOW[ward_officer]` and only
units inside their own commune(s). Passwords and secrets are hashed by a `hasher` the
caller passes in, so the domain stays free of the hashing library.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Awaitable, Callable, Iterable

from domain.access import ROLE_PERMISSIONS, ROLES_BELOW, Principal, Role
from domain.accounts.errors import (
    ResidentLinkOutsideUnits,
    ResidentLinkRole,
    RoleNotAssignable,
    ScopeNotAssignable,
    ScopeNotGrantable,
    ScopeRequired,
    UserIsSelf,
    UsernameTaken,
)
from domain.accounts.models import ServiceAccount, User
from domain.accounts.schemas import ServiceAccountCreate, UserCreate, UserUpdate
from domain.checks import Checks
from domain.concurrency import check_if_match, touch
from domain.ports import UnitOfWork
from domain.types import utcnow
from domain.units.errors import UnitUnknown

Hasher = Callable[[str], Awaitable[str]]
UserView = tuple[User, list[uuid.UUID]]
AccountView = tuple[ServiceAccount, list[uuid.UUID]]

GRANTABLE_SCOPES = frozenset(p.value for p in ROLE_PERMISSIONS[Role.integration])


async def _check_units(uow: UnitOfWork, who: Principal, unit_ids: Iterable[uuid.UUID]) -> None:
    """Every unit is one the caller may write to: their own or below (never an ancestor)."""
    wanted = set(unit_ids)
    missing = wanted - {u.id for u in await uow.units.get_many_writable(who, list(wanted))}
    if missing and not who.is_unscoped:
        # Unknown ids look like foreign ones, so the answer does not reveal which units exist.
        raise ScopeNotAssignable()
    if missing:
        raise UnitUnknown(loc=("body", "unit_ids"), unit_id=str(min(missing)))


async def _check_assignment(
    uow: UnitOfWork, who: Principal, role: Role, unit_ids: Iterable[uuid.UUID]
) -> None:
    """The caller may give `role` over `unit_ids`, else 403; a scoped role needs a unit."""
    unit_ids = set(unit_ids)
    if role not in ROLES_BELOW.get(who.role, frozenset()):
        raise RoleNotAssignable(role=role.value)
    if role != Role.admin and not unit_ids:
        raise ScopeRequired(loc=("body", "unit_ids"), role=role.value)
    await _check_units(uow, who, unit_ids)


async def _check_resident_link(uow: UnitOfWork, who: Principal, checks: Checks,
                               role: Role, resident_id: uuid.UUID | None,
                               unit_ids: Iterable[uuid.UUID]) -> None:
    """A resident's account may be linked to a register record the caller reads, living
    in one of the account's units."""
    if resident_id is None:
        return
    loc = ("body", "resident_id")
    if not checks.check(role == Role.resident, ResidentLinkRole(loc=loc)):
        return
    record = await checks.wait(uow.residents.get(who, resident_id))
    if record is not None:
        where = {record.group_id, record.commune_id, record.province_id}
        checks.check(bool(where & set(unit_ids)), ResidentLinkOutsideUnits(loc=loc))


async def _managed_user(
    uow: UnitOfWork, who: Principal, user_id: uuid.UUID, if_match: str | None, *, strict: bool
) -> UserView:
    """Lock a user the caller may manage: invisible is 404, visible but above them is 403."""
    user = await uow.users.get(who, user_id, for_update=True)
    units = (await uow.users.unit_ids([user.id]))[user.id]
    if user.role not in ROLES_BELOW.get(who.role, frozenset()):
        raise RoleNotAssignable(role=Role(user.role).value)
    await _check_units(uow, who, units)
    if strict or if_match:
        check_if_match(user, if_match)
    return user, units


def _not_self(who: Principal, user: User) -> None:
    if user.id == who.subject_id:
        raise UserIsSelf()


async def _finish(uow: UnitOfWork, who: Principal, user: User, units, verb: str, **details):
    touch(user)
    await uow.users.save(user)
    await uow.audit.record(who, f"user.{verb}", "user_account", [user.id], **details)
    await uow.commit()
    return user, sorted(units)


async def read_user(uow: UnitOfWork, who: Principal, user_id: uuid.UUID) -> UserView:
    """One account the caller can see, with its units."""
    user = await uow.users.get(who, user_id)
    return user, (await uow.users.unit_ids([user.id]))[user.id]


async def create_user(
    uow: UnitOfWork, who: Principal, *, data: UserCreate, hasher: Hasher
) -> UserView:
    """Create an account with a role the caller may give, over units the caller holds."""
    await _check_assignment(uow, who, data.role, data.unit_ids)
    with Checks() as checks:
        await _check_resident_link(uow, who, checks, data.role, data.resident_id,
                                   data.unit_ids)
    if await uow.users.by_username(data.username) is not None:
        raise UsernameTaken(username=data.username)
    user = User(
        username=data.username,
        display_name=data.display_name,
        password_hash=await hasher(data.password),
        role=data.role,
        created_by_id=who.subject_id,
        resident_id=data.resident_id,
    )
    await uow.users.add(user)
    await uow.users.set_units(user.id, set(data.unit_ids))
    await uow.audit.record(
        who, "user.create", "user_account", [user.id], role=data.role.value,
        unit_ids=sorted(str(u) for u in set(data.unit_ids)),
    )
    await uow.commit()
    return user, sorted(set(data.unit_ids))


async def update_user(
    uow: UnitOfWork, who: Principal, user_id: uuid.UUID, *, data: UserUpdate,
    if_match: str | None,
) -> UserView:
    """Change the display name, role or units; a role or unit change revokes older tokens."""
    user, units = await _managed_user(uow, who, user_id, if_match, strict=True)
    changes = data.model_dump(exclude_unset=True)
    with Checks() as checks:
        role = Role(changes.get("role", user.role))  # loaded rows hold the plain string
        new_units = set(changes.get("unit_ids", units))
        role_changed, units_changed = role != user.role, new_units != set(units)
        if role_changed or units_changed:
            if role_changed:
                _not_self(who, user)
            await checks.wait(_check_assignment(uow, who, role, new_units))
        resident_id = changes.get("resident_id", user.resident_id)
        link_changed = resident_id != user.resident_id
        if link_changed or role_changed or units_changed:
            await _check_resident_link(uow, who, checks, role, resident_id, new_units)
    if "display_name" in changes:
        user.display_name = changes["display_name"]
    if link_changed:
        user.resident_id = resident_id
        user.token_epoch += 1  # tokens carry the record (the `res` claim)
    if units_changed:
        await uow.users.set_units(user.id, new_units)
    if role_changed or units_changed:
        user.role = role
        user.token_epoch += 1
    return await _finish(uow, who, user, new_units, "update", fields=sorted(changes))


async def disable_user(
    uow: UnitOfWork, who: Principal, user_id: uuid.UUID, *, if_match: str | None
) -> UserView:
    """Stop an account from signing in and revoke its tokens; nothing is deleted."""
    user, units = await _managed_user(uow, who, user_id, if_match, strict=False)
    _not_self(who, user)
    if user.disabled_at is None:
        user.disabled_at = utcnow()
    user.token_epoch += 1
    return await _finish(uow, who, user, units, "disable")


async def enable_user(
    uow: UnitOfWork, who: Principal, user_id: uuid.UUID, *, if_match: str | None
) -> UserView:
    """Let a disabled account sign in again (its old tokens stay revoked)."""
    user, units = await _managed_user(uow, who, user_id, if_match, strict=False)
    user.disabled_at = None
    return await _finish(uow, who, user, units, "enable")


async def reset_password(
    uow: UnitOfWork, who: Principal, user_id: uuid.UUID, *, password: str, hasher: Hasher,
    if_match: str | None,
) -> UserView:
    """Set a new password and revoke every token issued before it."""
    user, units = await _managed_user(uow, who, user_id, if_match, strict=False)
    user.password_hash = await hasher(password)
    user.token_epoch += 1
    return await _finish(uow, who, user, units, "password_reset")


async def read_service_account(
    uow: UnitOfWork, who: Principal, account_id: uuid.UUID
) -> AccountView:
    """One service account with its units."""
    account = await uow.service_accounts.get(who, account_id)
    return account, await uow.service_accounts.unit_ids(account.id)


async def create_service_account(
    uow: UnitOfWork, who: Principal, *, data: ServiceAccountCreate, hasher: Hasher
) -> tuple[ServiceAccount, list[uuid.UUID], str]:
    """Create a service account; the returned secret exists nowhere else in plain text."""
    unit_ids = set(data.unit_ids)
    with Checks() as checks:
        for i, scope in enumerate(data.scopes):
            checks.check(scope in GRANTABLE_SCOPES, ScopeNotGrantable(
                loc=("body", "scopes", i), invalid=scope,
                allowed=", ".join(sorted(GRANTABLE_SCOPES))))
        if checks.check(bool(unit_ids), ScopeRequired(loc=("body", "unit_ids"),
                                                      role=Role.integration.value)):
            await checks.wait(_check_units(uow, who, unit_ids))
    secret = secrets.token_urlsafe(32)
    account = ServiceAccount(
        client_id="svc_" + secrets.token_hex(10),
        name=data.name,
        secret_hash=await hasher(secret),
        scopes=sorted(set(data.scopes)),
        created_by_id=who.subject_id,
    )
    await uow.service_accounts.add(account)
    await uow.service_accounts.set_units(account.id, unit_ids)
    await uow.audit.record(
        who, "service_account.create", "service_account", [account.id],
        client_id=account.client_id, scopes=account.scopes,
        unit_ids=sorted(str(u) for u in unit_ids),
    )
    await uow.commit()
    return account, sorted(unit_ids), secret


async def revoke_service_account(
    uow: UnitOfWork, who: Principal, account_id: uuid.UUID, *, if_match: str | None
) -> AccountView:
    """Revoke a service account for good: no new tokens, and its current ones stop working."""
    account = await uow.service_accounts.get(who, account_id, for_update=True)
    if if_match:
        check_if_match(account, if_match)
    if account.revoked_at is None:
        account.revoked_at = utcnow()
    account.token_epoch += 1
    touch(account)
    await uow.service_accounts.save(account)
    units = await uow.service_accounts.unit_ids(account.id)
    await uow.audit.record(who, "service_account.revoke", "service_account", [account.id],
                           client_id=account.client_id)
    await uow.commit()
    return account, units
