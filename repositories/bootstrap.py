"""First-run data: the bootstrap admin, Việt Nam's public holidays, and the demo
residential group with its accounts."""

from __future__ import annotations

from datetime import date, timedelta

from auth.passwords import hash_password
from domain.access import Role
from domain.accounts.models import User
from domain.tickets.models import Holiday
from repositories.uow import SqlUnitOfWork

_TET_2026 = date(2026, 2, 14)  # Tết Nguyên đán Bính Ngọ: 14 to 22 February, 9 days
# Việt Nam's public holidays of 2026 as the government announced them; the next years'
# (Tết Đinh Mùi 2027 ...) are added by an administrator (POST /api/v1/holidays).
HOLIDAYS_2026: tuple[tuple[date, str], ...] = (
    (date(2026, 1, 1), "Tết Dương lịch"),
    *((_TET_2026 + timedelta(days=n), "Tết Nguyên đán Bính Ngọ") for n in range(9)),
    # 10/3 âm lịch falls on Sunday 26 April: the day off moves to Monday 27.
    (date(2026, 4, 27), "Giỗ Tổ Hùng Vương (nghỉ bù)"),
    (date(2026, 4, 30), "Ngày Giải phóng miền Nam, thống nhất đất nước"),
    (date(2026, 5, 1), "Ngày Quốc tế Lao động"),
    (date(2026, 9, 1), "Quốc khánh"),
    (date(2026, 9, 2), "Quốc khánh"),
)


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


async def ensure_holidays(factory) -> bool:
    """Seed 2026's public holidays on a database that has none at all; True when seeded."""
    async with SqlUnitOfWork(factory) as uow:
        if await uow.holidays.any_exist():
            return False
        holidays = [Holiday(day=day, name=name) for day, name in HOLIDAYS_2026]
        for holiday in holidays:
            await uow.holidays.add(holiday)
        await uow.audit.record(None, "holiday.bootstrap", "holiday", [h.id for h in holidays],
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
