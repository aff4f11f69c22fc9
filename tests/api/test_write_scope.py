"""Write scope is its own rule: a write may target only the caller's own units and those
below them, never an ancestor they can read (a group leader reads their commune and
province) nor a unit of another commune. Out of write scope is the same 404 as a unit that
does not exist (accounts answer their own `scope_not_assignable` for both alike); the wrong
level inside it is a 422. Nothing is written either way, imports included."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from domain.access import ROLE_PERMISSIONS, Permission, Principal, Role, permissions_for
from domain.accounts.models import User, UserUnit
from domain.announcements.models import Announcement, AnnouncementUnit
from domain.elections.models import (
    PollingArea,
    PollingAreaUnit,
    Reconciliation,
    VoterListVersion,
)
from domain.imports import service as imports
from domain.imports.models import ImportJob, ImportStatus
from domain.outreach.models import Campaign, CampaignGroup
from domain.register.models import Household, Resident
from domain.tickets.models import Ticket, TicketCategory
from domain.units.models import AdminUnit, Street
from repositories.announcements import AnnouncementRepository
from repositories.outreach import OutreachRepository
from repositories.uow import SqlUnitOfWork
from tests.api.test_ops import assert_problem
from tests.builders import (
    PASSWORD,
    bearer,
    make_election,
    make_polling_area,
    make_tree,
    make_user,
)
from tests.test_permissions import _integration_headers

P = Permission
HOUSEHOLDS_CSV = "Mã hộ;Đường;Số nhà;Loại hộ\r\n{code};;12;Thường trú\r\n".encode("utf-8-sig")
COUNTED = (Household, Resident, ImportJob, Campaign, CampaignGroup, Announcement,
           AnnouncementUnit, User, UserUnit, AdminUnit, Street, Ticket, PollingArea,
           PollingAreaUnit, Reconciliation)


@pytest.fixture
async def world(app, session):
    tree = await make_tree(session)
    leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
    officer = await make_user(session, role=Role.ward_officer, units=[tree.commune_a])
    security = await make_user(session, role=Role.security_officer, units=[tree.group_a1])
    admin = await make_user(session, role=Role.admin)
    walker = await make_user(session, role=Role.volunteer, units=[tree.group_a1])
    # A draft campaign and a scheduled fraud warning of group A1 that every writer may change.
    draft = Campaign(name="Nháp", goals=["join_group"], province_id=tree.province.id,
                     commune_id=tree.commune_a.id, group_ids=[str(tree.group_a1.id)],
                     starts_on=date(2026, 1, 11), ends_on=date(2026, 2, 1))
    await OutreachRepository(session).add(draft)
    scheduled = Announcement(
        title="Sắp phát", body="Cảnh giác", category="fraud_warning",
        province_id=tree.province.id, commune_id=tree.commune_a.id,
        unit_ids=[str(tree.group_a1.id)], channels=["loudspeaker"],
        publish_at=datetime.now(UTC) + timedelta(days=3))
    await AnnouncementRepository(session).add(scheduled)
    category = TicketCategory(code=f"ws-{uuid.uuid4().hex[:8]}", name="Hỏi đáp",
                              kind="fraud_report", first_response_minutes=60,
                              resolution_minutes=600)  # global: every caller reads it
    session.add(category)
    await session.flush()
    national = await make_election(session)  # every caller reads it
    # Another election whose area over the caller's group has a list to reconcile.
    checked = await make_election(session, name="Bầu cử thử")
    area = await make_polling_area(session, checked, tree.commune_a, groups=[tree.group_a1])
    session.add(VoterListVersion(election_id=checked.id, polling_area_id=area.id,
                                 province_id=tree.province.id, commune_id=tree.commune_a.id,
                                 number=1, filename="ds.csv", file_sha256="0" * 64))
    report = Ticket(code=f"W{uuid.uuid4().hex[:7].upper()}", province_id=tree.province.id,
                    commune_id=tree.commune_a.id, group_id=tree.group_a1.id, channel="phone",
                    subject="Cuộc gọi lạ", description="Đòi chuyển tiền.",
                    subject_folded="cuoc goi la", category_id=category.id, priority="normal",
                    contact_name="Bà Tư", contact_phone="+84912345678",
                    opened_by_id=officer.id, on_behalf=True)  # a fraud report to warn of
    session.add(report)
    await session.flush()
    ancestors = {"commune": tree.commune_a, "province": tree.province}
    elsewhere = {"other commune": tree.commune_b, "other commune's group": tree.group_b1}
    in_group = {**ancestors, **elsewhere, "sibling group": tree.group_a2}
    return {
        "tree": tree, "draft": draft, "scheduled": scheduled, "walker": walker,
        "category": category, "national": national, "report": report, "checked": checked,
        "leader": leader,
        "admin": bearer(app, admin),
        "callers": {
            Role.group_leader: (bearer(app, leader, [tree.group_a1]), in_group),
            Role.security_officer: (bearer(app, security, [tree.group_a1]), in_group),
            Role.integration: (await _integration_headers(app, session, tree.group_a1),
                               in_group),
            Role.ward_officer: (bearer(app, officer, [tree.commune_a]),
                                {"province": tree.province, **elsewhere}),
        },
    }


def _writes(w, unit_id: str) -> list[tuple[str, str, Permission, dict]]:
    """Every write that names a unit, aimed at `unit_id`: (method, url, permission, body);
    imports are sent as a form."""
    draft, scheduled, walker = w["draft"].id, w["scheduled"].id, w["walker"].id
    tag = uuid.uuid4().hex[:8]
    return [
        ("POST", "/api/v1/households", P.households_write,
         {"group_id": unit_id, "code": f"WS-{tag}", "house_number": "7"}),
        ("POST", "/api/v1/residents", P.residents_write,
         {"group_id": unit_id, "full_name": "Trần Thị Lạc", "birth_year": 1990,
          "sex": "female"}),
        ("POST", "/api/v1/imports", P.imports_write,
         {"kind": "households", "group_id": unit_id, "code": f"WS-IMP-{tag}"}),
        ("POST", "/api/v1/campaigns", P.campaigns_write,
         {"name": "Đợt lạ", "goals": ["join_group"], "group_ids": [unit_id],
          "starts_on": "2026-01-11", "ends_on": "2026-02-01"}),
        ("PATCH", f"/api/v1/campaigns/{draft}", P.campaigns_write, {"group_ids": [unit_id]}),
        ("POST", "/api/v1/announcements", P.announcements_write,
         {"title": "Cảnh giác", "body": "Không chuyển tiền cho người lạ.",
          "category": "fraud_warning", "unit_ids": [unit_id], "channels": ["loudspeaker"],
          "publish_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat()}),
        ("PATCH", f"/api/v1/announcements/{scheduled}", P.announcements_write,
         {"unit_ids": [unit_id]}),
        ("POST", "/api/v1/users", P.users_write,
         {"username": f"ws-{tag}", "display_name": "Tình nguyện viên", "password": PASSWORD,
          "role": "volunteer", "unit_ids": [unit_id]}),
        ("PATCH", f"/api/v1/users/{walker}", P.users_write, {"unit_ids": [unit_id]}),
        ("POST", "/api/v1/tickets", P.tickets_write,
         {"subject": "Cuộc gọi lạ", "description": "Đòi chuyển tiền.", "channel": "phone",
          "category_id": str(w["category"].id), "unit_id": unit_id, "contact_name": "Bà Tư",
          "contact_phone": "0912345678"}),
        ("POST", f"/api/v1/elections/{w['national'].id}/polling-areas", P.elections_manage,
         {"code": "05", "name": "Khu vực bỏ phiếu số 5", "group_ids": [unit_id]}),
        ("POST", f"/api/v1/elections/{w['checked'].id}/reconciliations", P.elections_manage,
         {"unit_id": unit_id}),
        ("POST", f"/api/v1/tickets/{w['report'].id}/warning", P.announcements_write,
         {"title": "Cảnh giác", "body": "Không chuyển tiền cho người lạ.",
          "unit_ids": [unit_id], "channels": ["loudspeaker"]}),
    ]


async def _send(client, headers, method, url, body):
    headers = {**headers, "If-Match": "*"}
    if url == "/api/v1/imports":
        content = HOUSEHOLDS_CSV.decode("utf-8-sig").format(code=body["code"]).encode(
            "utf-8-sig")
        return await client.post(url, headers=headers, data={
            "kind": body["kind"], "group_id": body["group_id"]},
            files={"file": ("ho.csv", content, "text/csv")})
    return await client.request(method, url, headers=headers, json=body)


async def _stored(session, w) -> list:
    """Row counts of everything a write could add, and the draft and the notice as stored."""
    rows = ((Campaign, w["draft"].id), (Announcement, w["scheduled"].id),
            (User, w["walker"].id), (Ticket, w["report"].id))
    walker_id = w["walker"].id  # plain statements: the session's objects are not reloaded
    out: list = [await session.scalar(select(func.count()).select_from(m)) for m in COUNTED]
    for model, row_id in rows:
        t = model.__table__
        out.append(dict((await session.execute(select(t).where(t.c.id == row_id))
                         ).mappings().one()))
    units = await session.scalars(select(UserUnit.unit_id).where(
        UserUnit.user_id == walker_id))
    out.append(sorted(units))
    return out


def _expected(url: str) -> tuple[int, str]:
    if url.startswith("/api/v1/users"):  # unknown and foreign units alike: names nothing
        return 403, "scope_not_assignable"
    return 404, "unit_not_found"


@pytest.mark.parametrize("role", [Role.group_leader, Role.security_officer, Role.integration,
                                  Role.ward_officer])
async def test_no_write_reaches_an_ancestor_or_another_commune(client, session, world, role):
    headers, targets = world["callers"][role]
    allowed = ROLE_PERMISSIONS[role]
    before = await _stored(session, world)
    sent = 0
    for name, unit in targets.items():
        for method, url, permission, body in _writes(world, str(unit.id)):
            if permission not in allowed:
                continue
            resp = await _send(client, headers, method, url, body)
            status, code = _expected(url)
            assert resp.status_code == status, (role.value, name, method, url, resp.text)
            assert resp.json()["code"] == code, (role.value, name, method, url, resp.text)
            sent += 1
    assert sent >= len(targets)
    assert await _stored(session, world) == before, f"a refused write of {role.value} wrote"
    # The same writes aimed at the caller's own group go through: the bodies are good.
    own = str(world["tree"].group_a1.id)
    for method, url, permission, body in _writes(world, own):
        if permission in allowed:
            resp = await _send(client, headers, method, url, body)
            assert resp.status_code in (200, 201, 202), (role.value, method, url, resp.text)
            if url == "/api/v1/imports":
                assert resp.json()["status"] == "succeeded", resp.text


async def test_a_leaders_import_into_their_commune_writes_nothing(client, session, world):
    """The case that was written: 202, and a household straight under the commune."""
    headers, _ = world["callers"][Role.group_leader]
    tree = world["tree"]
    for unit in (tree.commune_a, tree.province):
        body = {"kind": "households", "group_id": str(unit.id), "code": "WS-UNDER-COMMUNE"}
        resp = await _send(client, headers, "POST", "/api/v1/imports", body)
        assert_problem(resp, 404, "unit_not_found")
    assert await session.scalar(select(func.count()).select_from(Household).where(
        Household.code == "WS-UNDER-COMMUNE")) == 0
    assert await session.scalar(select(func.count()).select_from(ImportJob).where(
        ImportJob.group_id.in_([tree.commune_a.id, tree.province.id]))) == 0


async def test_the_wrong_level_inside_write_scope_is_a_422(client, session, world):
    officer, _ = world["callers"][Role.ward_officer]
    tree = world["tree"]
    commune = str(tree.commune_a.id)
    before = await _stored(session, world)
    for method, url, _permission, body in _writes(world, commune):
        if url.startswith("/api/v1/users") or any(
                area in url for area in ("announcements", "tickets", "reconciliations")):
            continue  # a commune is a good target for those
        resp = await _send(client, officer, method, url, body)
        problem = resp.json()
        codes = {problem["code"], *[e["code"] for e in problem.get("errors", [])]}
        assert resp.status_code == 422 and "not_a_group" in codes, (method, url, resp.text)
    admin = world["admin"]
    for url, body, code in [
        ("/api/v1/households", {"group_id": str(tree.province.id)}, "not_a_group"),
        ("/api/v1/streets", {"commune_id": str(tree.group_a1.id), "name": "Lạc Long Quân"},
         "unit_parent_invalid"),
        ("/api/v1/units", {"kind": "neighbourhood", "name": "Tổ mới",
                           "parent_id": str(tree.province.id)}, "unit_parent_invalid"),
        ("/api/v1/announcements", {**_writes(world, str(tree.province.id))[5][3]},
         "announcement_unit_level"),
    ]:
        resp = await client.post(url, headers=admin, json=body)
        assert resp.status_code == 422, (url, resp.text)
        problem = resp.json()
        assert code in {problem["code"], *[e["code"] for e in problem.get("errors", [])]}
    assert await _stored(session, world) == before


async def test_a_queued_import_checks_the_group_again(app, session, session_factory, world,
                                                      tmp_path):
    """A job queued for an ancestor or another commune (before the POST refused those)
    fails with the unit's error at line 0 and writes nothing."""
    tree = world["tree"]
    leader = Principal(subject_id=world["leader"].id, name="leader", role=Role.group_leader,
                       unit_ids=frozenset({tree.group_a1.id}),
                       permissions=permissions_for(Role.group_leader))
    path = tmp_path / "ho.csv"
    path.write_bytes(HOUSEHOLDS_CSV.decode("utf-8-sig").format(code="WS-JOB").encode(
        "utf-8-sig"))
    for unit, code in ((tree.commune_a, "unit_not_found"), (tree.group_b1, "unit_not_found")):
        job = ImportJob(kind="households", filename="ho.csv", file_sha256="2" * 64,
                        group_id=unit.id, created_by_id=leader.subject_id,
                        submitted_by=leader.snapshot())
        session.add(job)
        await session.flush()

        async def progress(rows: int) -> bool:
            return False

        async with SqlUnitOfWork(session_factory) as uow:
            done = await imports.run_import(uow, leader, job.id, path, progress)
        assert done.status == ImportStatus.failed
        assert [(e["line"], e["code"]) for e in done.errors] == [(0, code)]
    assert await session.scalar(select(func.count()).select_from(Household).where(
        Household.code == "WS-JOB")) == 0


async def test_a_campaign_over_other_groups_too_is_read_not_written_by_a_leader(
        client, session, world):
    """The commune's campaign over groups A1 and A2: A1's leader follows it, and may not
    start, change, assign or close it (a 404, as any campaign out of write scope)."""
    tree, (leader, _) = world["tree"], world["callers"][Role.group_leader]
    officer, _ = world["callers"][Role.ward_officer]
    resp = await client.post("/api/v1/campaigns", headers=officer, json={
        "name": "Cả phường", "goals": ["join_group"],
        "group_ids": [str(tree.group_a1.id), str(tree.group_a2.id)],
        "starts_on": "2026-01-11", "ends_on": "2026-02-01"})
    assert resp.status_code == 201, resp.text
    url = f"/api/v1/campaigns/{resp.json()['id']}"
    assert (await client.get(url, headers=leader)).status_code == 200
    stored = (await client.get(url, headers=officer)).json()
    for method, tail, body in [("PATCH", "", {"name": "Của tổ"}), ("POST", "/start", None),
                               ("POST", "/close", None),
                               ("POST", "/assignments", {"mode": "balanced",
                                                         "volunteer_ids": [
                                                             str(world["walker"].id)]})]:
        resp = await client.request(method, url + tail, headers={**leader, "If-Match": "*"},
                                    json=body)
        assert_problem(resp, 404, "campaign_not_found")
    assert (await client.get(url, headers=officer)).json() == stored
    resp = await client.post(url + "/start", headers={**officer, "If-Match": "*"})
    assert resp.status_code == 200, resp.text


async def test_a_saved_mapping_goes_only_to_the_callers_own_commune(app, client, session, world):
    """`POST /voter-list-mappings` names a commune: an ancestor or another commune is a 404,
    a group of one's own a 422; nothing is written. (Not in `_writes`: the unit it names is
    a commune, not the group those writes are aimed at.)"""
    from domain.elections.models import VoterListMapping

    tree = world["tree"]
    officer = await make_user(session, role=Role.election_officer, units=[tree.commune_a])
    callers = [world["callers"][Role.ward_officer][0], bearer(app, officer, [tree.commune_a])]
    count = select(func.count()).select_from(VoterListMapping)
    before = await session.scalar(count)
    for headers in callers:
        for unit, status, code in ((tree.province, 404, "unit_not_found"),
                                   (tree.commune_b, 404, "unit_not_found"),
                                   (tree.group_b1, 404, "unit_not_found"),
                                   (tree.group_a1, 422, "validation_failed")):
            resp = await client.post("/api/v1/voter-list-mappings", headers=headers, json={
                "commune_id": str(unit.id), "name": f"M-{unit.id}",
                "columns": {"Tên": "full_name"}})
            assert_problem(resp, status, code)
    assert await session.scalar(count) == before
    resp = await client.post("/api/v1/voter-list-mappings", headers=callers[1], json={
        "commune_id": str(tree.commune_a.id), "name": "Mẫu", "columns": {"Tên": "full_name"}})
    assert resp.status_code == 201, resp.text
