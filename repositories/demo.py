"""Loading the generated demo group (domain/register/demo.py) into the database."""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import date, time

from sqlmodel import select

from auth.passwords import hash_password
from domain.access import Principal, Role, permissions_for
from domain.accounts.models import User, UserUnit
from domain.elections import demo as election_demo
from domain.elections import reconciliation
from domain.elections import tasks as election_tasks
from domain.elections.models import (
    Election,
    Exclusion,
    ExclusionReason,
    PollingArea,
    PollingAreaUnit,
    Reconciliation,
    VoterListRow,
    VoterListVersion,
)
from domain.elections.reconciliation_schemas import ReconciliationCreate
from domain.elections.rules import default_amendment_deadline
from domain.outreach import service as campaigns
from domain.outreach import visits
from domain.outreach.demo import DAY_ONE, Door, plan_day_one
from domain.outreach.models import Goal
from domain.outreach.schemas import AssignmentRequest, CampaignCreate, VisitCreate
from domain.register import service as register_service
from domain.register.demo import DemoData, generate_demo
from domain.register.models import Household, ReadinessFact, ResidenceStatus, Resident
from domain.register.rules import age_on, name_keys
from domain.register.schemas import ResidentUpdate
from domain.text import fold
from domain.tickets.calendar import default_calendar
from domain.tickets.demo import CATEGORIES as TICKET_CATEGORIES
from domain.tickets.demo import plan_tickets
from domain.tickets.models import (
    EventKind,
    Ticket,
    TicketCategory,
    TicketChannel,
    TicketComment,
    TicketEvent,
    TicketOutcome,
    TicketStatus,
    Visibility,
)
from domain.types import utcnow, uuid7
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
    by_key: dict[str, Resident] = {}
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
            by_key[member.key] = resident
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
    await load_demo_tickets(uow, people, commune, group, heads, seed=seed)
    await load_demo_election(uow, people, commune, group, data, by_key, seed=seed)
    return data


async def load_demo_election(uow, people: dict[Role, Principal], commune: AdminUnit,
                             group: AdminUnit, data: DemoData, by_key: dict[str, Resident],
                             *, seed: int) -> Reconciliation | None:
    """The 15 March 2026 election (national), a polling area over the demo group, the office's
    list with the differences found by hand (domain/elections/demo.py), the register's
    record of who died or moved away since, and one finished reconciliation run by the demo
    election officer through the real use cases. Nothing when the commune has an area of
    that election already."""
    session = uow.session
    found = (await session.exec(select(PollingArea).join(
        Election, Election.id == PollingArea.election_id).where(
        Election.election_day == election_demo.ELECTION_DAY,
        PollingArea.commune_id == commune.id))).first()
    if found is not None:
        return None
    plan = election_demo.plan_demo_list(data, seed=seed)
    officer = people[Role.election_officer]
    election = Election(
        name="Bầu cử đại biểu Quốc hội khóa XVI và đại biểu HĐND các cấp nhiệm kỳ 2026-2031",
        election_day=election_demo.ELECTION_DAY, levels=election_demo.LEVELS,
        list_posting_on=date(2026, 2, 3),
        amendment_deadline_at=default_amendment_deadline(election_demo.ELECTION_DAY,
                                                         time(7, 0)),
        complaint_deadline_on=date(2026, 3, 10), voting_opens_at=time(7, 0))
    session.add(election)
    await session.flush()
    area = PollingArea(election_id=election.id, province_id=commune.province_id,
                       commune_id=commune.id, code="01",
                       name="Khu vực bỏ phiếu số 1 (Tổ dân phố Trần Phú)")
    session.add(area)
    await session.flush()
    session.add(PollingAreaUnit(polling_area_id=area.id, unit_id=group.id,
                                election_id=election.id))
    # Deaths and departures go through the register's own update, as a ward officer records
    # them: each leaves its history line and audit entry (and commits what is above).
    for keys, status in ((plan.deceased, ResidenceStatus.deceased),
                         (plan.moved_out, ResidenceStatus.moved_out)):
        for key in keys:
            resident = by_key[key]
            await register_service.update_resident(
                uow, people[Role.ward_officer], resident.id,
                data=ResidentUpdate(residence_status=status, status_changed_on=plan.status_on),
                if_match=resident.etag)
    for key in plan.excluded:
        resident = by_key[key]
        session.add(Exclusion(
            election_id=election.id, resident_id=resident.id, province_id=resident.province_id,
            commune_id=resident.commune_id, group_id=resident.group_id,
            reason=ExclusionReason.serving_prison_term,
            document_ref="Bản án số 21/2025/HS-ST ngày 12/11/2025 của TAND khu vực 1 Gia Lai",
            recorded_by_id=officer.subject_id, recorded_by_name=officer.name))
    content = "\n".join(f"{r['full_name']};{r['birth_year']};{r['id_number']}"
                        for r in plan.rows).encode()
    version = VoterListVersion(
        election_id=election.id, polling_area_id=area.id, province_id=commune.province_id,
        commune_id=commune.id, number=1, filename="danh-sach-cu-tri-kvbp-01.xlsx",
        file_sha256=hashlib.sha256(content).hexdigest(), header=election_demo.HEADER,
        columns=election_demo.COLUMNS, row_count=len(plan.rows),
        imported_by_id=officer.subject_id, imported_by_name=officer.name)
    session.add(version)
    await session.flush()
    session.add_all(VoterListRow(
        version_id=version.id, line=n + 1, seq=str(n), full_name=r["full_name"],
        name_folded=fold(r["full_name"]), birth_date=r["birth_date"],
        birth_year=r["birth_year"], sex=r["sex"], id_number=r["id_number"],
        address=r["address"], cells=election_demo.cells(r, n))
        for n, r in enumerate(plan.rows, start=1))
    await session.flush()
    await uow.audit.record(None, "demo.election", "election", [election.id],
                           actor_name="bootstrap", rows=len(plan.rows))
    await uow.commit()
    run, _ = await reconciliation.start_reconciliation(
        uow, officer, election.id, data=ReconciliationCreate(unit_id=commune.id),
        inline_rows=len(plan.rows))
    await election_tasks.run_inline(uow, officer, run.id)
    return run


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


async def load_demo_tickets(uow, people: dict[Role, Principal], commune: AdminUnit,
                            group: AdminUnit, heads: list, *, seed: int) -> int:
    """The ward's seven categories and about three weeks of tickets (domain/tickets/demo.py),
    inserted in bulk with their timelines; targets, working minutes and breach flags as the
    SLA clock sets them (the default calendar). Nothing when the ward has tickets already."""
    session = uow.session
    if (await session.exec(select(Ticket.id).where(Ticket.commune_id == commune.id)
                           .limit(1))).first() is not None:
        return 0
    calendar, now, rng = default_calendar(), utcnow(), random.Random(seed)
    categories = {}
    for code, name, name_en, kind, team, priority, first, resolution in TICKET_CATEGORIES:
        categories[code] = TicketCategory(
            code=code, name=name, name_en=name_en, kind=kind, default_team=team,
            default_priority=priority, first_response_minutes=first,
            resolution_minutes=resolution, commune_id=commune.id,
            created_by_id=people[Role.ward_officer].subject_id)
    session.add_all(categories.values())
    await session.flush()
    tickets, comments, events = [], [], []
    earlier: dict[str, list[uuid.UUID]] = {}
    for plan in plan_tickets(now, calendar, seed=seed):
        category = categories[plan.category]
        opener = people[plan.opener]
        staff = people[category.default_team or Role.group_leader]
        ticket = _demo_ticket(plan, category, opener, commune, group, heads, rng, calendar,
                              now, earlier.get(plan.category, []))
        earlier.setdefault(plan.category, []).append(ticket.id)
        tickets.append(ticket)

        def line(kind, who, at, **values):
            events.append(TicketEvent(ticket_id=ticket.id, kind=kind,  # noqa: B023
                                      actor_id=who.subject_id, actor_name=who.name,
                                      occurred_at=at, **values))

        line(EventKind.opened, opener, plan.created_at, to_status=TicketStatus.new)
        before = TicketStatus.new
        for move in plan.moves:
            line(EventKind.transition, staff, move.at, from_status=before, to_status=move.to,
                 outcome=move.outcome if move.to == TicketStatus.resolved else None)
            before = move.to
        for note in plan.notes:
            comment = TicketComment(ticket_id=ticket.id, body=note.body,
                                    visibility=note.visibility, author_id=staff.subject_id,
                                    author_name=staff.name, created_at=note.at)
            comments.append(comment)
            line(EventKind.comment, staff, note.at, visibility=note.visibility,
                 comment_id=comment.id)
        for breached, due, text in (
                (ticket.first_response_breached, ticket.first_response_due_at,
                 "Quá hạn phản hồi lần đầu"),
                (ticket.resolution_breached, ticket.resolution_due_at, "Quá hạn giải quyết")):
            if breached and due is not None:
                line(EventKind.breach, staff, due, visibility=Visibility.internal, note=text)
    session.add_all(tickets)
    await session.flush()
    session.add_all(comments)
    session.add_all(sorted(events, key=lambda e: e.occurred_at))
    await session.flush()
    await uow.audit.record(None, "demo.tickets", "ticket", [t.id for t in tickets][:20],
                           actor_name="bootstrap", tickets=len(tickets))
    await uow.commit()
    return len(tickets)


def _demo_ticket(plan, category: TicketCategory, opener: Principal, commune: AdminUnit,
                 group: AdminUnit, heads: list, rng: random.Random, calendar, now,
                 earlier: list[uuid.UUID]) -> Ticket:
    """A planned ticket's row: its requester, and what its moves leave on it."""
    requester = household = None
    contact_name = contact_phone = None
    if plan.opener == Role.resident:
        contact_name = opener.name
    elif plan.channel == TicketChannel.phone and rng.random() < 0.4:  # not in the register
        contact_name = rng.choice(("Bà Tư bán tạp hóa", "Anh Hùng sửa xe", "Chị Mai"))
        contact_phone = f"+8490{rng.randrange(10**7):07d}"
    else:
        home, head = rng.choice(heads)
        household, requester = home.id, head.id
    ticket_id = uuid7()
    first_due = calendar.add(plan.created_at, category.first_response_minutes)
    responded = plan.moves[0].at if plan.moves else None
    paused, waiting_since, resolved, closed, outcome = 0, None, None, None, None
    for move, after in zip(plan.moves, [*plan.moves[1:], None], strict=False):
        if move.to == TicketStatus.waiting_on_resident:
            if after is None:
                waiting_since = move.at
            else:
                paused += calendar.minutes_between(move.at, after.at)
        elif move.to == TicketStatus.resolved:
            resolved, outcome = move.at, move.outcome
        elif move.to == TicketStatus.closed:
            closed = move.at
    duplicate_of = None
    if outcome == TicketOutcome.duplicate:
        if earlier:
            duplicate_of = rng.choice(earlier)
        else:
            outcome = TicketOutcome.answered
    # Time waiting on the resident does not count: it moves the resolution target on.
    resolution_due = calendar.add(plan.created_at, category.resolution_minutes + paused)
    status = plan.moves[-1].to if plan.moves else TicketStatus.new
    clock_stop = resolved or waiting_since or now
    return Ticket(
        id=ticket_id, code=ticket_id.hex[-8:].upper(), requester_resident_id=requester,
        contact_name=contact_name, contact_phone=contact_phone, household_id=household,
        province_id=commune.province_id, commune_id=commune.id, group_id=group.id,
        channel=plan.channel, subject=plan.subject, description=plan.description,
        subject_folded=fold(plan.subject)[:200], category_id=category.id,
        priority=plan.priority or category.default_priority, status=status, outcome=outcome,
        duplicate_of_id=duplicate_of, team=category.default_team, tags=plan.tags,
        opened_by_id=opener.subject_id, on_behalf=plan.opener != Role.resident,
        first_response_due_at=first_due, resolution_due_at=resolution_due,
        first_responded_at=responded, resolved_at=resolved, closed_at=closed,
        waiting_since=waiting_since, paused_minutes=paused,
        first_response_work_minutes=(calendar.minutes_between(plan.created_at, responded)
                                     if responded else None),
        resolution_work_minutes=(calendar.minutes_between(plan.created_at, resolved) - paused
                                 if resolved else None),
        first_response_breached=(responded or now) > first_due,
        resolution_breached=clock_stop > resolution_due,
        created_at=plan.created_at,
        updated_at=max([plan.created_at, *(m.at for m in plan.moves),
                        *(n.at for n in plan.notes)]),
        version=1 + len(plan.moves) + len(plan.notes))
