"""A group leader of group A sees nothing of group B, whatever the resource and the verb."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from domain.access import ROLE_PERMISSIONS, Permission, Principal, Role
from domain.announcements.models import Announcement, AnnouncementDelivery
from domain.elections.models import (
    Discrepancy,
    DiscrepancyResolution,
    Exclusion,
    Reconciliation,
    VoterListMapping,
)
from domain.errors import NotFound
from domain.imports.models import ImportJob
from domain.outreach.models import Campaign, Visit, VisitNeed
from domain.register.models import ReadinessFact
from domain.storage import new_key
from domain.tickets.models import (
    Ticket,
    TicketAttachment,
    TicketCategory,
    TicketComment,
    TicketEvent,
)
from domain.types import uuid7
from domain.units.models import Street
from repositories.announcements import AnnouncementRepository
from repositories.audit import AuditRepository
from repositories.outreach import OutreachRepository
from tests.api.attachment_files import png, stored_files
from tests.api.test_ops import assert_problem
from tests.builders import (
    bearer,
    make_election,
    make_household,
    make_polling_area,
    make_resident,
    make_tree,
    make_user,
    make_voter_list,
    make_walk,
)

P = Permission


@pytest.fixture
async def two_groups(app, session):
    tree = await make_tree(session)
    mine = await make_household(session, tree.group_a1, code=f"A-{tree.group_a1.id.hex[-8:]}")
    theirs = await make_household(session, tree.group_b1, code=f"B-{tree.group_b1.id.hex[-8:]}")
    me = await make_resident(session, mine, head=True, full_name="Phan Văn Mình")
    them = await make_resident(session, theirs, head=True, full_name="Phan Văn Người")
    campaign = Campaign(name="B", goals=["join_group"], province_id=tree.province.id,
                        commune_id=tree.commune_b.id, group_ids=[str(tree.group_b1.id)],
                        starts_on=date(2026, 1, 11), ends_on=date(2026, 2, 1))
    session.add(campaign)
    await session.flush()
    leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
    return {"tree": tree, "mine": mine, "theirs": theirs, "me": me, "them": them,
            "campaign": campaign, "h": bearer(app, leader, [tree.group_a1])}


async def test_group_b_is_invisible_to_a_leader_of_group_a(client, two_groups):
    t, h = two_groups, two_groups["h"]
    tree = t["tree"]
    for url, code in [
        (f"/api/v1/units/{tree.group_b1.id}", "unit_not_found"),
        (f"/api/v1/units/{tree.commune_b.id}", "unit_not_found"),
        (f"/api/v1/households/{t['theirs'].id}", "household_not_found"),
        (f"/api/v1/households/{t['theirs'].id}/members", "household_not_found"),
        (f"/api/v1/households/{t['theirs'].id}/history", "household_not_found"),
        (f"/api/v1/residents/{t['them'].id}", "resident_not_found"),
        (f"/api/v1/residents/{t['them'].id}/history", "resident_not_found"),
        (f"/api/v1/campaigns/{t['campaign'].id}", "campaign_not_found"),
        (f"/api/v1/campaigns/{t['campaign'].id}/progress", "campaign_not_found"),
    ]:
        assert_problem(await client.get(url, headers=h), 404, code)
    lists = {
        f"/api/v1/units?parent_id={tree.commune_b.id}&include_total=true": 0,
        f"/api/v1/households?group_id={tree.group_b1.id}&include_total=true": 0,
        "/api/v1/households?include_total=true": 1,
        "/api/v1/residents?q=phan%20van&include_total=true": 1,
        f"/api/v1/residents?group_id={tree.group_b1.id}&include_total=true": 0,
    }
    for url, total in lists.items():
        page = (await client.get(url, headers=h)).json()
        assert page["total"] == total, url
    assert (await client.get("/api/v1/campaigns", headers=h)).json()["items"] == []
    exported = await client.get("/api/v1/residents/export", headers=h)
    names = [row[1] for row in csv.reader(io.StringIO(exported.content.decode("utf-8-sig")))]
    assert "Phan Văn Mình" in names and "Phan Văn Người" not in names
    for method, url, body in [
        ("PATCH", f"/api/v1/residents/{t['them'].id}", {"full_name": "X Y"}),
        ("DELETE", f"/api/v1/residents/{t['them'].id}", None),
        ("PATCH", f"/api/v1/households/{t['theirs'].id}", {"house_number": "1"}),
        ("POST", f"/api/v1/residents/{t['them'].id}/readiness",
         {"kind": "joined_group", "occurred_on": "2026-01-11"}),
        ("POST", f"/api/v1/households/{t['mine'].id}/members",
         {"resident_id": str(t["them"].id), "relationship": "other"}),
    ]:
        resp = await client.request(method, url, headers={**h, "If-Match": "*"}, json=body)
        assert resp.status_code == 404, (method, url, resp.text)
    resp = await client.post("/api/v1/residents", headers=h, json={
        "household_id": str(t["theirs"].id), "full_name": "Kẻ Lạ", "birth_year": 1990,
        "sex": "male"})
    assert_problem(resp, 404, "household_not_found")


# -- the same world swept across every resource, for every scoped role ---------------------

@pytest.fixture
async def world(app, session, two_groups):
    """Group B's objects of every kind, and a ward officer of commune A beside the leader."""
    t = two_groups
    tree = t["tree"]
    leader_b = await make_user(session, role=Role.group_leader, units=[tree.group_b1])
    street_b = Street(commune_id=tree.commune_b.id, province_id=tree.province.id,
                      name="Đống Đa", name_folded="dong da")
    session.add(street_b)
    campaign = Campaign(name="B2", goals=["join_group"], province_id=tree.province.id,
                        commune_id=tree.commune_b.id, group_ids=[str(tree.group_b1.id)],
                        starts_on=date(2026, 1, 11), ends_on=date(2026, 2, 1))
    await OutreachRepository(session).add(campaign)  # its group goes into campaign_group
    notice = Announcement(title="B", body="B", category="policy", province_id=tree.province.id,
                          commune_id=tree.commune_b.id, unit_ids=[str(tree.group_b1.id)],
                          channels=["loudspeaker"], publish_at=datetime(2026, 1, 1, tzinfo=UTC))
    await AnnouncementRepository(session).add(notice)
    job = ImportJob(kind="households", filename="b.csv", file_sha256="0" * 64,
                    group_id=tree.group_b1.id, created_by_id=leader_b.id)
    session.add(job)
    await session.flush()
    await AuditRepository(session).record(Principal(
        subject_id=leader_b.id, name=leader_b.username, role=Role.group_leader,
        unit_ids=frozenset({tree.group_b1.id})), "resident.update", "resident", [t["them"].id])
    category = TicketCategory(code="b-fraud", name="Lừa đảo", kind="fraud_report",
                              first_response_minutes=60, resolution_minutes=600,
                              commune_id=tree.commune_b.id)
    session.add(category)
    await session.flush()
    ticket = Ticket(code="B0000001", province_id=tree.province.id, commune_id=tree.commune_b.id,
                    group_id=tree.group_b1.id, household_id=t["theirs"].id, channel="phone",
                    subject="B", description="B", subject_folded="b", category_id=category.id,
                    priority="normal", opened_by_id=leader_b.id)
    session.add(ticket)
    walked = Campaign(name="B3", goals=["fraud_awareness"], province_id=tree.province.id,
                      commune_id=tree.commune_b.id, group_ids=[str(tree.group_b1.id)],
                      starts_on=date(2026, 1, 11), ends_on=date(2026, 2, 1), status="active")
    await OutreachRepository(session).add(walked)
    visit = Visit(campaign_id=walked.id, client_visit_id="b-visit-0001", request_hash="0" * 64,
                  household_id=t["theirs"].id, volunteer_id=leader_b.id, volunteer_name="B",
                  visited_at=datetime(2026, 1, 11, tzinfo=UTC), outcome="met")
    session.add(visit)
    await session.flush()
    need = VisitNeed(campaign_id=walked.id, visit_id=visit.id, household_id=t["theirs"].id,
                     category="fraud_attempt", description="B")
    session.add(need)
    await session.flush()
    attachment = TicketAttachment(ticket_id=ticket.id, storage_key=new_key(), file_name="b.png",
                                  media_type="image/png", size_bytes=1, sha256="0" * 64,
                                  visibility="public", uploaded_by_id=leader_b.id,
                                  uploaded_by_name="b")
    session.add(attachment)
    await session.flush()
    officer = await make_user(session, role=Role.ward_officer, units=[tree.commune_a])
    election_officer = await make_user(session, role=Role.election_officer,
                                       units=[tree.commune_a])
    volunteer = await make_user(session, role=Role.volunteer, units=[tree.group_a1])
    await make_walk(session, volunteer, [t["mine"]])  # group A's walk: nothing of B
    # A national election everyone reads, with commune B's polling area and exclusion, and
    # a by-election of commune B.
    national = await make_election(session)
    by_b = await make_election(session, name="Bầu cử bổ sung", commune_id=tree.commune_b.id,
                               province_id=tree.province.id, levels=["commune_council"])
    area_b = await make_polling_area(session, national, tree.commune_b, groups=[tree.group_b1])
    exclusion_b = Exclusion(
        election_id=national.id, resident_id=t["them"].id, province_id=tree.province.id,
        commune_id=tree.commune_b.id, group_id=tree.group_b1.id, reason="court_deprived",
        document_ref="Bản án 7/2025", recorded_by_id=leader_b.id, recorded_by_name="B")
    session.add(exclusion_b)
    list_b = await make_voter_list(session, area_b, [{"full_name": t["them"].full_name}])
    mapping_b = VoterListMapping(province_id=tree.province.id, commune_id=tree.commune_b.id,
                                 name="Mẫu B", columns={"Tên": "full_name"})
    session.add(mapping_b)
    await session.flush()
    # A finished reconciliation of commune B's list and one of its findings.
    run_b = Reconciliation(election_id=national.id, unit_id=tree.commune_b.id,
                           province_id=tree.province.id, commune_id=tree.commune_b.id,
                           status="succeeded", list_version_ids=[str(list_b.id)])
    session.add(run_b)
    await session.flush()
    finding_b = Discrepancy(reconciliation_id=run_b.id, election_id=national.id,
                            polling_area_id=area_b.id, province_id=tree.province.id,
                            commune_id=tree.commune_b.id, group_id=tree.group_b1.id,
                            kind="missing_from_list", key=f"missing_from_list|-|{t['them'].id}",
                            resident_id=t["them"].id, rule="eligible_not_listed")
    session.add(finding_b)
    await session.flush()
    return {**t, "list_b": list_b, "mapping_b": mapping_b, "run_b": run_b,
            "finding_b": finding_b, "campaign": campaign,
            "street_b": street_b, "notice": notice, "job": job,
            "ticket": ticket, "category": category, "national": national, "by_b": by_b,
            "area_b": area_b, "exclusion_b": exclusion_b, "attachment": attachment,
            "need": need,
            "leader_b": leader_b, "roles": {
                Role.group_leader: t["h"],
                Role.ward_officer: bearer(app, officer, [tree.commune_a]),
                Role.election_officer: bearer(app, election_officer, [tree.commune_a]),
                Role.volunteer: bearer(app, volunteer, [tree.group_a1])}}


def _reads(w) -> list[tuple[str, str, Permission]]:
    tree, c, n = w["tree"], w["campaign"].id, w["notice"].id
    return [
        (f"/api/v1/units/{tree.group_b1.id}", "unit_not_found", P.units_read),
        (f"/api/v1/streets/{w['street_b'].id}", "street_not_found", P.units_read),
        (f"/api/v1/households/{w['theirs'].id}", "household_not_found", P.households_read),
        (f"/api/v1/households/{w['theirs'].id}/members", "household_not_found",
         P.households_read),
        (f"/api/v1/households/{w['theirs'].id}/history", "household_not_found",
         P.households_read),
        (f"/api/v1/residents/{w['them'].id}", "resident_not_found", P.residents_read),
        (f"/api/v1/residents/{w['them'].id}/history", "resident_not_found", P.residents_read),
        *[(f"/api/v1/campaigns/{c}{tail}", "campaign_not_found", P.campaigns_read)
          for tail in ("", "/progress", "/visits", "/walk-list")],
        *[(f"/api/v1/campaigns/{c}{tail}", "campaign_not_found", P.campaigns_write)
          for tail in ("/needs", "/assignments")],
        (f"/api/v1/announcements/{n}", "announcement_not_found", P.announcements_read),
        (f"/api/v1/announcements/{n}/deliveries", "announcement_not_found", P.households_read),
        (f"/api/v1/imports/{w['job'].id}", "import_not_found", P.imports_write),
        (f"/api/v1/users/{w['leader_b'].id}", "user_not_found", P.users_read),
        *[(f"/api/v1/tickets/{w['ticket'].id}{tail}", "ticket_not_found", P.tickets_read)
          for tail in ("", "/comments", "/timeline", "/attachments",
                       f"/attachments/{w['attachment'].id}",
                       f"/attachments/{w['attachment'].id}/content")],
        (f"/api/v1/ticket-categories/{w['category'].id}", "ticket_category_not_found",
         P.tickets_read),
        *[(f"/api/v1/elections/{w['by_b'].id}{tail}", "election_not_found", P.elections_read)
          for tail in ("", "/polling-areas", "/exclusions")],
        (f"/api/v1/polling-areas/{w['area_b'].id}", "polling_area_not_found",
         P.elections_read),
        (f"/api/v1/exclusions/{w['exclusion_b'].id}", "exclusion_not_found", P.elections_read),
        (f"/api/v1/elections/{w['national'].id}/eligibility?polling_area_id="
         f"{w['area_b'].id}", "polling_area_not_found", P.elections_read),
        (f"/api/v1/visit-needs/{w['need'].id}", "visit_need_not_found", P.visits_write),
        *[(f"/api/v1/reconciliations/{w['run_b'].id}{tail}", "reconciliation_not_found",
           P.elections_read) for tail in ("", "/discrepancies")],
        (f"/api/v1/discrepancies/{w['finding_b'].id}", "discrepancy_not_found",
         P.elections_read),
        *[(f"/api/v1/polling-areas/{w['area_b'].id}{tail}", "polling_area_not_found",
           P.elections_read) for tail in ("/voter-list", "/voter-lists")],
        *[(f"/api/v1/voter-lists/{w['list_b'].id}{tail}", "voter_list_not_found",
           P.elections_read) for tail in ("", "/rows", "/diff")],
        (f"/api/v1/voter-list-mappings/{w['mapping_b'].id}", "voter_list_mapping_not_found",
         P.elections_read),
    ]


def _writes(w) -> list[tuple[str, str, dict | None, str, Permission]]:
    tree, c, n, them = w["tree"], w["campaign"].id, w["notice"].id, str(w["them"].id)
    theirs, r, hh = str(w["theirs"].id), "/api/v1/residents", "/api/v1/households"
    at = "2026-01-12T09:00:00+07:00"
    return [
        ("PATCH", f"{r}/{them}", {"full_name": "X Y"}, "resident_not_found", P.residents_write),
        ("DELETE", f"{r}/{them}", None, "resident_not_found", P.residents_write),
        ("POST", f"{r}/{them}/readiness", {"kind": "joined_group", "occurred_on": "2026-01-11"},
         "resident_not_found", P.residents_write),
        ("POST", f"{r}/{w['me'].id}/merge", {"duplicate_id": them}, "resident_not_found",
         P.residents_write),
        ("POST", r, {"household_id": theirs, "full_name": "Kẻ Lạ", "birth_year": 1990,
                     "sex": "male"}, "household_not_found", P.residents_write),
        ("PATCH", f"{hh}/{theirs}", {"house_number": "1"}, "household_not_found",
         P.households_write),
        ("DELETE", f"{hh}/{theirs}", None, "household_not_found", P.households_write),
        ("POST", f"{hh}/{w['mine'].id}/members", {"resident_id": them, "relationship": "other"},
         "resident_not_found", P.households_write),
        ("POST", f"{hh}/{w['mine'].id}/merge", {"other_household_id": theirs},
         "household_not_found", P.households_write),
        ("PATCH", f"/api/v1/units/{tree.group_b1.id}", {"name": "X"}, "unit_not_found",
         P.units_write),
        ("PATCH", f"/api/v1/campaigns/{c}", {"name": "X"}, "campaign_not_found",
         P.campaigns_write),
        ("POST", f"/api/v1/campaigns/{c}/start", None, "campaign_not_found", P.campaigns_write),
        ("POST", f"/api/v1/campaigns/{c}/close", None, "campaign_not_found", P.campaigns_write),
        ("POST", f"/api/v1/campaigns/{c}/assignments", {"mode": "balanced", "volunteer_ids": [
            str(w["leader_b"].id)]}, "campaign_not_found", P.campaigns_write),
        ("POST", f"/api/v1/campaigns/{c}/visits", {"client_visit_id": "sweep-0001",
                                                   "household_id": theirs, "visited_at": at,
                                                   "outcome": "met"},
         "campaign_not_found", P.visits_write),
        ("POST", "/api/v1/campaigns", {"name": "X", "goals": ["join_group"], "group_ids": [
            str(tree.group_b1.id)], "starts_on": "2026-01-11", "ends_on": "2026-02-01"},
         "unit_not_found", P.campaigns_write),
        ("PATCH", f"/api/v1/announcements/{n}", {"title": "X"}, "announcement_not_found",
         P.announcements_write),
        ("POST", f"/api/v1/announcements/{n}/withdraw", None, "announcement_not_found",
         P.announcements_write),
        ("POST", f"/api/v1/announcements/{n}/deliveries", {"household_id": theirs,
                                                           "delivered_at": at},
         "announcement_not_found", P.announcements_write),
        ("PATCH", f"/api/v1/users/{w['leader_b'].id}", {"display_name": "X"}, "user_not_found",
         P.users_write),
        ("POST", f"/api/v1/users/{w['leader_b'].id}/disable", None, "user_not_found",
         P.users_write),
        ("PATCH", f"/api/v1/tickets/{w['ticket'].id}", {"priority": "high"},
         "ticket_not_found", P.tickets_write),
        ("POST", f"/api/v1/tickets/{w['ticket'].id}/transitions", {"to": "acknowledged"},
         "ticket_not_found", P.tickets_write),
        ("POST", f"/api/v1/tickets/{w['ticket'].id}/comments",
         {"body": "X", "visibility": "internal"}, "ticket_not_found", P.tickets_write),
        # A multipart form (see the sweep): a real file, refused before it is read.
        ("POST", f"/api/v1/tickets/{w['ticket'].id}/attachments", {"visibility": "public"},
         "ticket_not_found", P.tickets_write),
        ("DELETE", f"/api/v1/tickets/{w['ticket'].id}/attachments/{w['attachment'].id}",
         None, "ticket_not_found", P.tickets_write),
        ("PATCH", f"/api/v1/ticket-categories/{w['category'].id}", {"active": False},
         "ticket_category_not_found", P.ticket_categories_manage),
        ("PATCH", f"/api/v1/elections/{w['by_b'].id}", {"name": "X"}, "election_not_found",
         P.elections_manage),
        ("POST", f"/api/v1/elections/{w['by_b'].id}/polling-areas",
         {"code": "01", "name": "X", "group_ids": [str(tree.group_b1.id)]},
         "election_not_found", P.elections_manage),
        ("PATCH", f"/api/v1/polling-areas/{w['area_b'].id}", {"name": "X"},
         "polling_area_not_found", P.elections_manage),
        ("DELETE", f"/api/v1/polling-areas/{w['area_b'].id}", None, "polling_area_not_found",
         P.elections_manage),
        ("POST", f"/api/v1/elections/{w['national'].id}/exclusions",
         {"resident_id": them, "reason": "court_deprived", "document_ref": "X"},
         "resident_not_found", P.elections_manage),
        ("POST", f"/api/v1/exclusions/{w['exclusion_b'].id}/revoke", {"note": "X"},
         "exclusion_not_found", P.elections_manage),
        ("POST", f"/api/v1/elections/{w['national'].id}/reconciliations",
         {"unit_id": str(tree.commune_b.id)}, "unit_not_found", P.elections_manage),
        ("POST", f"/api/v1/discrepancies/{w['finding_b'].id}/resolution",
         {"action": "add_to_list", "note": "X"}, "discrepancy_not_found", P.elections_manage),
        ("POST", f"/api/v1/voter-lists/{w['list_b'].id}/finalise", None,
         "voter_list_not_found", P.elections_manage),
        ("POST", f"/api/v1/visit-needs/{w['need'].id}/ticket", None, "visit_need_not_found",
         P.tickets_write),
        ("POST", f"/api/v1/tickets/{w['ticket'].id}/warning", {
            "title": "X", "body": "X", "channels": ["loudspeaker"]}, "ticket_not_found",
         P.announcements_write),
    ]


async def _snapshot(session, w) -> list:
    """Group B's objects as stored, read again from the database."""
    rows = [(type(w[k]), w[k].id) for k in ("them", "theirs", "campaign", "notice",
                                            "leader_b", "job", "ticket", "category", "by_b",
                                            "area_b", "exclusion_b", "attachment", "need",
                                            "list_b", "mapping_b", "run_b")]
    counts = ((ReadinessFact, "resident_id", w["them"].id),
              (Visit, "campaign_id", w["campaign"].id),
              (AnnouncementDelivery, "announcement_id", w["notice"].id),
              (TicketEvent, "ticket_id", w["ticket"].id),
              (TicketComment, "ticket_id", w["ticket"].id),
              (Exclusion, "resident_id", w["them"].id),
              (TicketAttachment, "ticket_id", w["ticket"].id),
              (Ticket, "visit_need_id", w["need"].id),
              (Announcement, "category", "fraud_warning"),
              (Reconciliation, "election_id", w["area_b"].election_id),
              (DiscrepancyResolution, "election_id", w["area_b"].election_id))
    session.expire_all()
    out = []
    for model, row_id in rows:
        row = await session.get(model, row_id)
        out.append({c.name: getattr(row, c.name) for c in model.__table__.columns})
    for model, column, value in counts:
        out.append(await session.scalar(select(func.count()).select_from(model).where(
            getattr(model, column) == value)))
    return out


@pytest.mark.parametrize("role", [Role.group_leader, Role.ward_officer, Role.volunteer,
                                  Role.election_officer])
async def test_every_resource_of_group_b_is_out_of_scope(app, client, session, world, role):
    w, h = world, world["roles"][role]
    allowed = ROLE_PERMISSIONS[role]
    for url, code, permission in _reads(w):
        if permission in allowed:
            assert_problem(await client.get(url, headers=h), 404, code)
    writes, b_ids = _writes(w), {str(w[k].id) for k in ("them", "theirs", "campaign",
                                                           "notice", "leader_b", "need")}
    b_ids |= {str(w["tree"].group_b1.id), str(w["tree"].commune_b.id), str(w["street_b"].id)}
    b_ids |= {str(w[k].id) for k in ("by_b", "area_b", "exclusion_b", "mapping_b", "run_b")}
    national = w["national"].id
    leader_b_id = w["leader_b"].id
    before = await _snapshot(session, w)
    for method, url, body, code, permission in writes:
        if permission in allowed and url.endswith("/attachments"):
            resp = await client.post(url, headers=h, data=body,
                                     files={"file": ("b.png", png(), "image/png")})
            assert_problem(resp, 404, code)
        elif permission in allowed:
            resp = await client.request(method, url, headers={**h, "If-Match": "*"}, json=body)
            assert_problem(resp, 404, code)
    assert await _snapshot(session, w) == before, "a refused write changed group B's data"
    assert stored_files(app.state.settings.attachments_path) == []
    for url, permission in [("/api/v1/units?limit=200", P.units_read),
                            ("/api/v1/streets?limit=200", P.units_read),
                            ("/api/v1/households?limit=200", P.households_read),
                            ("/api/v1/residents?limit=200", P.residents_read),
                            ("/api/v1/campaigns?limit=200", P.campaigns_read),
                            ("/api/v1/announcements?limit=200", P.announcements_read),
                            ("/api/v1/visit-needs?limit=200", P.visits_write),
                            ("/api/v1/users?limit=200", P.users_read),
                            ("/api/v1/elections?limit=200", P.elections_read),
                            (f"/api/v1/elections/{national}/polling-areas?limit=200",
                             P.elections_read),
                            (f"/api/v1/elections/{national}/exclusions?limit=200",
                             P.elections_read),
                            (f"/api/v1/audit-events?actor_id={leader_b_id}",
                             P.audit_read)]:
        if permission in allowed:
            page = await client.get(url, headers=h)
            assert page.status_code == 200, url
            seen = {str(i.get(k)) for i in page.json()["items"] for k in ("id", "actor_id")}
            assert not seen & b_ids, url


async def test_a_ward_officer_follows_the_imports_of_their_communes_groups(
        client, session, world):
    tree = world["tree"]
    leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
    job = ImportJob(kind="households", filename="a.csv", file_sha256="1" * 64,
                    group_id=tree.group_a1.id, created_by_id=leader.id)
    session.add(job)
    await session.flush()
    h = world["roles"][Role.ward_officer]
    resp = await client.get(f"/api/v1/imports/{job.id}", headers=h)
    assert resp.status_code == 200 and resp.json()["id"] == str(job.id)
    assert_problem(await client.get(f"/api/v1/imports/{world['job'].id}", headers=h), 404,
                   "import_not_found")


async def test_a_child_read_checks_its_campaign_even_at_the_repository(session, world):
    tree = world["tree"]
    leader_a = Principal(subject_id=uuid7(), name="a", role=Role.group_leader,
                         unit_ids=frozenset({tree.group_a1.id}))
    repo, c = OutreachRepository(session), world["campaign"].id
    for read in (lambda: repo.visits(leader_a, c, household_id=None, volunteer_id=None,
                                     cursor=None, limit=10),
                 lambda: repo.needs(leader_a, c, None, 10),
                 lambda: repo.loads(leader_a, c),
                 lambda: repo.walk(leader_a, c, leader_a.subject_id),
                 lambda: repo.counters(leader_a, c)):
        with pytest.raises(NotFound) as caught:
            await read()
        assert caught.value.code == "campaign_not_found"
    leader_b = Principal(subject_id=uuid7(), name="b", role=Role.group_leader,
                         unit_ids=frozenset({tree.group_b1.id}))
    assert (await repo.visits(leader_b, c, household_id=None, volunteer_id=None, cursor=None,
                              limit=10)).items == []
