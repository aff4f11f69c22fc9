"""First-run data: the bootstrap admin and the demo residential group with its accounts."""

from __future__ import annotations

from auth.passwords import hash_password
from domain.access import Role
from domain.accounts.models import User
from repositories.uow import SqlUnitOfWork


async def ensure_admin(factory, username: str, password: str) -> bool:
    """Create an admin when none exists; True when one was created."""
    async with SqlUnitOfWork(factory) as uow:
        if await uow.users.admin_exists():
            return False
        user = User(
            username=username.lower(), display_name="Quản trị hệ thống",
            password_hash=await hash_password(password), role=Role.admin,
        )
        await uow.users.add(user)
        await uow.audit.record(None, "user.bootstrap_admin", "user_account", [user.id],
                               actor_name="bootstrap")
        await uow.commit()
        return True


async def ensure_demo(factory, password: str, *, seed: int) -> bool:
    """Load the demo group and its demo-<role> accounts on a database with no units yet."""
    from repositories.demo import load_demo

    async with SqlUnitOfWork(factory) as uow:
        if await uow.units.any_exist():
            return False
        await load_demo(uow, password, seed=seed)
        await uow.commit()
        return True
