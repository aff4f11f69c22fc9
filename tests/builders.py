"""Plain async builders: `make_<thing>(session, **overrides)`."""

from __future__ import annotations

from dataclasses import dataclass

from auth.login import _user_claims
from domain.access import Role
from domain.accounts.models import User, UserUnit
from domain.text import fold
from domain.types import uuid7
from domain.units.models import LEVEL_OF_KIND, AdminUnit, Street, UnitKind, UnitLevel

# A real argon2id hash of "correct horse battery staple", so tests skip the hashing cost.
PASSWORD = "correct horse battery staple"
_HASH_CACHE: dict[str, str] = {}


async def password_hash(password: str = PASSWORD) -> str:
    if password not in _HASH_CACHE:
        from auth.passwords import hash_password

        _HASH_CACHE[password] = await hash_password(password)
    return _HASH_CACHE[password]


async def make_unit(session, *, kind: UnitKind, name: str, parent: AdminUnit | None = None,
                    code: str | None = None) -> AdminUnit:
    level = LEVEL_OF_KIND[kind]
    unit = AdminUnit(level=level, kind=kind, name=name, name_folded=fold(name), code=code)
    if parent is None:
        unit.province_id = unit.id
    else:
        unit.parent_id = parent.id
        unit.province_id = parent.province_id
        unit.commune_id = unit.id if level == UnitLevel.commune else parent.commune_id
    session.add(unit)
    await session.flush()
    return unit


@dataclass
class Tree:
    province: AdminUnit
    commune_a: AdminUnit
    commune_b: AdminUnit
    group_a1: AdminUnit
    group_a2: AdminUnit
    group_b1: AdminUnit
    street_a: Street


async def make_tree(session, tag: str = "") -> Tree:
    """Two communes, each with groups, in one province; codes made unique per test."""
    from sqlalchemy import select

    while True:  # random, and free: other tests commit their trees
        n = int(uuid7().hex[-6:], 16) % 90000 + 10000
        if await session.scalar(select(AdminUnit.id).where(AdminUnit.code == str(n))) is None:
            break
    province = await make_unit(session, kind=UnitKind.province, name=f"Tỉnh Thử {tag}")
    ca = await make_unit(session, kind=UnitKind.ward, name=f"Phường Bình Định {tag}",
                         parent=province, code=str(n))
    cb = await make_unit(session, kind=UnitKind.ward, name=f"Phường An Nhơn {tag}",
                         parent=province)
    a1 = await make_unit(session, kind=UnitKind.neighbourhood, name="Tổ dân phố Trần Phú",
                         parent=ca)
    a2 = await make_unit(session, kind=UnitKind.neighbourhood, name="Tổ dân phố Lê Lợi",
                         parent=ca)
    b1 = await make_unit(session, kind=UnitKind.neighbourhood, name="Tổ dân phố Đống Đa",
                         parent=cb)
    street = Street(commune_id=ca.id, province_id=province.id, name="Trần Phú",
                    name_folded="tran phu")
    session.add(street)
    await session.flush()
    return Tree(province, ca, cb, a1, a2, b1, street)


async def make_user(session, *, role: Role, units=(), username: str | None = None,
                    password: str = PASSWORD) -> User:
    user = User(
        username=username or f"{role.value}-{uuid7().hex[-8:]}",
        display_name="Người thử",
        password_hash=await password_hash(password),
        role=role,
    )
    session.add(user)
    await session.flush()
    for unit in units:
        session.add(UserUnit(user_id=user.id, unit_id=unit.id))
    await session.flush()
    return user


def bearer(app, user: User, units=()) -> dict[str, str]:
    """A real signed access token for `user`, as the token endpoint would issue it."""
    claims = _user_claims(user, [u.id for u in units])
    token, _ = app.state.tokens.issue_access(str(user.id), **claims)
    return {"Authorization": f"Bearer {token}"}


async def make_household(session, group: AdminUnit, *, street: Street | None = None,
                         code: str | None = None, house_number: str = "12"):
    from domain.register.models import Household

    household = Household(
        code=code or f"T-{uuid7().hex[-10:]}", province_id=group.province_id,
        commune_id=group.commune_id, group_id=group.id,
        street_id=street.id if street else None, house_number=house_number,
        house_number_sort=int("".join(c for c in house_number if c.isdigit()) or 0),
    )
    session.add(household)
    await session.flush()
    return household


async def make_resident(session, household=None, *, group: AdminUnit | None = None,
                        head: bool = False, **over):
    from datetime import date

    from domain.register.models import Relationship, Resident
    from domain.register.rules import name_keys

    place = household or group
    values = {"full_name": "Nguyễn Văn An", "birth_date": date(1980, 5, 17), "birth_year": 1980,
              "sex": "male", "residence_status": "permanent"}
    values["relationship"] = Relationship.head if head else (
        Relationship.child if household else None)
    values.update(over)
    resident = Resident(
        household_id=household.id if household else None,
        province_id=place.province_id, commune_id=place.commune_id,
        group_id=household.group_id if household else group.id,
        **{**values, **name_keys(values["full_name"])},
    )
    session.add(resident)
    await session.flush()
    if head and household is not None:
        household.head_id = resident.id
        await session.flush()
    return resident


_SERIALS = iter(range(100_000, 999_999))  # each worker has its own database: no clashes


def random_id_number(birth_year: int = 1980, sex: str = "male") -> str:
    """A valid, never-repeated ID number agreeing with the birth year and sex."""
    from domain.register.rules import make_id_number

    return make_id_number("052", birth_year, sex, next(_SERIALS))


async def make_walk(session, volunteer: User, households, *, status: str = "active"):
    """A campaign over the households' groups (one commune) in which `volunteer` walks
    `households`: what a volunteer's register scope is made of (active unless told)."""
    from datetime import date

    from domain.outreach.models import Campaign, CampaignHousehold
    from repositories.outreach import OutreachRepository

    first = households[0]
    campaign = Campaign(name=f"Đợt {uuid7().hex[-6:]}", goals=["join_group"],
                        province_id=first.province_id, commune_id=first.commune_id,
                        group_ids=sorted({str(h.group_id) for h in households}),
                        starts_on=date(2026, 1, 11), ends_on=date(2026, 12, 31),
                        status=status, target_households=len(households))
    await OutreachRepository(session).add(campaign)  # its groups go into campaign_group
    for order, household in enumerate(households, start=1):
        session.add(CampaignHousehold(
            campaign_id=campaign.id, household_id=household.id, group_id=household.group_id,
            street_id=household.street_id, volunteer_id=volunteer.id, walk_order=order))
    await session.flush()
    return campaign


async def make_election(session, **over):
    """The 15 March 2026 election by default (national: no unit), as an example."""
    from datetime import UTC, date, datetime, time

    from domain.elections.models import Election

    values = {"name": "Bầu cử đại biểu Quốc hội khóa XVI và HĐND các cấp",
              "election_day": date(2026, 3, 15),
              "levels": ["national_assembly", "provincial_council", "commune_council"],
              "list_posting_on": date(2026, 2, 3),
              "amendment_deadline_at": datetime(2026, 3, 14, tzinfo=UTC),
              "complaint_deadline_on": date(2026, 3, 10), "voting_opens_at": time(7, 0)}
    election = Election(**{**values, **over})
    session.add(election)
    await session.flush()
    return election


async def make_polling_area(session, election, commune: AdminUnit, *, groups=(), streets=(),
                            code: str = "01"):
    """A polling area of `commune` over `groups` and `streets`."""
    from domain.elections.models import PollingArea, PollingAreaStreet, PollingAreaUnit

    area = PollingArea(election_id=election.id, province_id=commune.province_id,
                       commune_id=commune.id, code=code, name=f"Khu vực bỏ phiếu số {code}")
    session.add(area)
    await session.flush()
    for group in groups:
        session.add(PollingAreaUnit(polling_area_id=area.id, unit_id=group.id,
                                    election_id=election.id))
    for street in streets:
        session.add(PollingAreaStreet(polling_area_id=area.id, street_id=street.id,
                                      election_id=election.id))
    await session.flush()
    return area


async def make_voter_list(session, polling_area, rows: list[dict], **over):
    """A version of `polling_area`'s official list with `rows`, written directly (the next
    number of the area). A row gives any of `seq`, `full_name`, `birth_date` (a date),
    `birth_year`, `sex` ("male"/"female"), `id_number`, `address`, `cells`; the line, the
    folded name, the year of a birth date and the cells (as a commune office writes them)
    are filled in."""
    from sqlalchemy import func, select

    from domain.elections.models import VoterListRow, VoterListVersion

    number = await session.scalar(select(func.coalesce(func.max(VoterListVersion.number), 0))
                                  .where(VoterListVersion.polling_area_id == polling_area.id))
    header = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Nơi thường trú"]
    version = VoterListVersion(**{
        "election_id": polling_area.election_id, "polling_area_id": polling_area.id,
        "province_id": polling_area.province_id, "commune_id": polling_area.commune_id,
        "number": number + 1, "filename": "danh-sach-cu-tri.csv", "file_sha256": "0" * 64,
        "header": header, "columns": dict(zip(header, ["seq", "full_name", "birth_date", "sex",
                                                       "id_number", "address"], strict=True)),
        "row_count": len(rows), **over})
    session.add(version)
    await session.flush()
    for i, given in enumerate(rows):
        row = {"seq": str(i + 1), "full_name": "Nguyễn Văn An", "birth_date": None,
               "birth_year": None, "sex": None, "id_number": None, "address": None, **given}
        if row["birth_date"] is not None and row["birth_year"] is None:
            row["birth_year"] = row["birth_date"].year
        birth = (row["birth_date"].strftime("%d/%m/%Y") if row["birth_date"]
                 else str(row["birth_year"] or ""))
        sex = {"male": "Nam", "female": "Nữ"}.get(row["sex"] or "", "")
        row.setdefault("cells", dict(zip(header, [row["seq"], row["full_name"], birth, sex,
                                                  row["id_number"] or "", row["address"] or ""],
                                         strict=True)))
        row.setdefault("line", i + 2)
        row.setdefault("name_folded", fold(row["full_name"]))
        session.add(VoterListRow(version_id=version.id, **row))
    await session.flush()
    return version
