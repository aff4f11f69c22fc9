"""Loading the generated demo group (domain/register/demo.py) into the database."""

from __future__ import annotations

from datetime import date

from auth.passwords import hash_password
from domain.access import Principal, Role, permissions_for
from domain.accounts.models import User, UserUnit
from domain.outreach import service as campaigns
from domain.outreach import visits
from domain.outreach.demo import DAY_ONE, Door, plan_day_one
from domain.outreach.models import Goal
from domain.outreach.schemas import AssignmentRequest, CampaignCreate, VisitCreate
from domain.register.demo import DemoData, generate_demo
from domain.register.models import Household, ReadinessFact, Resident
from domain.register.rules import age_on, name_keys
from domain.text import fold
from domain.units.models import LEVEL_OF_KIND, AdminUnit, Street, UnitLevel

DEMO_ROLES = [r for r in Role if r not in {Role.admin, Role.integration}]


def _unit(spec, parent: AdminUnit | None) -> AdminUnit:
    unit = AdminUnit(level=LEVEL_OF_KIND[spec.kind], kind=spec.kind, code=spec.code,
                     name=spec.name, name_folded=fold(spec.name),
                     old_address_text=spec.old_address_text)
    if parent is None:
        unit.province_id = unit.id
    else:
        unit.parent_id = parent.id
        unit.province_id = parent.province_id
        unit.commune_id = unit.id if unit.level == UnitLevel.commune else parent.commune_id
    return unit


async def load_demo(uow, password: str, *, seed: int) -> DemoData:
    """Insert the demo province, ward, group, streets, households, residents and accounts."""
    data = generate_demo(seed)
    session = uow.session
    province = _unit(data.province, None)
    commune = _unit(data.commune, province)
    group = _unit(data.group, commune)
    session.add_all([province, commune, group])
    await session.flush()
    streets = {
        s.key: Street(commune_id=commune.id, province_id=province.id, name=s.name,
                      name_folded=fold(s.name), old_name=s.old_name)
        for s in data.streets
    }
    session.add_all(streets.values())
    await session.flush()

    facts: list[ReadinessFact]
    households, residents, facts, heads = [], [], [], []
    for spec in data.households:
        household = Household(
            code=spec.code, province_id=province.id, commune_id=commune.id, group_id=group.id,
            street_id=streets[spec.street_key].id, house_number=spec.house_number,
            house_number_sort=spec.house_number_sort, old_address_text=spec.old_address_text,
        )
        households.append(household)
        for member in spec.members:
            resident = Resident(
                household_id=household.id, relationship=member.relationship,
                province_id=province.id, commune_id=commune.id, group_id=group.id,
                **name_keys(member.full_name), birth_date=member.birth_date,
                birth_year=member.birth_year, sex=member.sex, id_number=member.id_number,
                id_number_mismatch=member.id_number_mismatch, phone=member.phone,
                residence_status=member.residence_status,
                residence_since=member.residence_since,
            )
            residents.append(resident)
            if member is spec.members[0]:
                heads.append((household, resident))
            facts.extend(
                ReadinessFact(resident_id=resident.id, kind=kind, occurred_on=on,
                              recorded_by_name="Dữ liệu mẫu")
                for kind, on in member.readiness
            )
    session.add_all(households)
    await session.flush()
    session.add_all(residents)
    await session.flush()
    session.add_all(facts)
    for household, head in heads:  # the two tables point at each other: set heads last
        household.head_id = head.id
    await session.flush()

    hashed = await hash_password(password)
    people: dict[Role, Principal] = {}
    for role in DEMO_ROLES:
        user = User(username=f"demo-{role.value}", display_name=f"Tài khoản mẫu ({role.value})",
                    password_hash=hashed, role=role)
        session.add(user)
        await session.flush()
        scope = commune if role in {Role.ward_officer, Role.election_officer} else group
        session.add(UserUnit(user_id=user.id, unit_id=scope.id))
        people[role] = Principal(subject_id=user.id, name=user.username, role=role,
                                 unit_ids=frozenset({scope.id}),
                                 permissions=permissions_for(role))
    await session.flush()
    await uow.audit.record(None, "demo.load", "admin_unit", [group.id], actor_name="bootstrap",
                           households=len(households), residents=len(residents))
    await uow.commit()
    await load_demo_campaign(uow, people, group)
    return data


async def load_demo_campaign(uow, people: dict[Role, Principal], group: AdminUnit) -> None:
    """The "Tuyến đường số" campaign and its first day, recorded through the real use cases."""
    leader = people[Role.group_leader]
    walkers = [leader, people[Role.volunteer], people[Role.security_officer]]
    campaign = await campaigns.create_campaign(uow, leader, data=CampaignCreate(
        name="Tuyến đường số – Tổ dân phố Trần Phú", goals=list(Goal),
        group_ids=[group.id], starts_on=DAY_ONE.date(), ends_on=date(2026, 3, 14)))
    campaign = await campaigns.start_campaign(uow, leader, campaign.id, if_match=campaign.etag)
    await campaigns.assign(uow, leader, campaign.id, data=AssignmentRequest(
        mode="by_street", volunteer_ids=[w.subject_id for w in walkers]))
    walks = []
    for walker in walkers:
        _, rows = await uow.outreach.walk(leader, campaign.id, walker.subject_id)
        members = await uow.residents.members([row[0].household_id for row in rows])
        facts = await uow.residents.readiness([m.id for m in members])
        by_household: dict = {}
        for m in members:
            by_household.setdefault(m.household_id, []).append(
                (m.id, age_on(m.birth_date, m.birth_year, DAY_ONE.date()),
                 "has_smartphone" in facts.get(m.id, {})))
        walks.append([Door(row[0].household_id, tuple(by_household.get(row[0].household_id,
                                                                       ())))
                      for row in rows])
    for walker_index, body in plan_day_one(walks):
        await visits.record_visit(uow, walkers[walker_index], campaign.id,
                                  data=VisitCreate.model_validate(body))
