"""Internal notes never leak, whoever asks and however: the comments list, the timeline, a
ticket, the list pages, the attachments and their bytes, for every role that reads tickets;
and who reads which ticket."""

from __future__ import annotations

import uuid

import pytest

from domain.access import Principal, Role
from domain.tickets.views import ATTACHMENT, COMMENT, EVENT, PUBLIC_ONLY
from tests.api.attachment_files import png, upload
from tests.api.test_ops import assert_problem
from tests.api.tickets_world import ROLES, URL, body, comment, move, open_ticket, ward

SECRET = "NOI-BO"  # in every internal note and staff note of the fixture


@pytest.fixture
async def w(app, client, session):
    world = await ward(app, client, session)
    officer = world[Role.ward_officer]
    own = await open_ticket(client, world[Role.resident], {
        "subject": "Cuộc gọi giả danh công an", "description": "Họ đòi chuyển tiền.",
        "category_id": world["fraud_report"]["id"], "channel": "citizen_app"})
    walked = await open_ticket(client, officer, body(
        world, category_id=world["fraud_report"]["id"], requester_resident_id=None,
        contact_name="Bà Tư", contact_phone="0912345678"))
    plain = await open_ticket(client, officer, body(world))
    for t in (own, walked, plain):
        assert (await comment(client, officer, t["id"], f"Ghi chú {SECRET}",
                              "internal")).status_code == 201
        assert (await comment(client, officer, t["id"], "Chúng tôi đã nhận.",
                              "public")).status_code == 201
        resp = await move(client, officer, t["id"], "in_progress", note=f"Chuyển {SECRET}")
        assert resp.status_code == 200, resp.text
        files = {}
        for visibility in ("internal", "public"):
            resp = await upload(client, officer, t["id"], png(),
                                name=f"{SECRET}.png" if visibility == "internal" else "a.png",
                                visibility=visibility)
            assert resp.status_code == 201, resp.text
            files[visibility] = resp.json()["id"]
        t["files"] = files
    world["tickets"] = {"own": own, "walked": walked, "plain": plain}
    return world


# Which tickets each role reads: a resident their own, a volunteer the households they
# walk, a security officer the fraud reports of their units.
READS = {
    Role.ward_officer: {"own", "walked", "plain"},
    Role.group_leader: {"own", "walked", "plain"},
    Role.auditor: {"own", "walked", "plain"},
    Role.volunteer: {"walked", "plain"},
    Role.security_officer: {"own", "walked"},
    Role.resident: {"own"},
}


@pytest.mark.parametrize("role", ROLES)
async def test_every_way_out_for_every_role(client, w, role):
    h = w[role]
    staff = role != Role.resident
    listed = (await client.get(f"{URL}?limit=200", headers=h)).json()["items"]
    by_name = {name: t["id"] for name, t in w["tickets"].items()}
    assert {n for n, i in by_name.items() if i in {t["id"] for t in listed}} == READS[role]
    for name, ticket_id in by_name.items():
        files = w["tickets"][name]["files"]
        urls = [f"{URL}/{ticket_id}", f"{URL}/{ticket_id}/comments",
                f"{URL}/{ticket_id}/timeline", f"{URL}/{ticket_id}/attachments"]
        file_urls = {visibility: [f"{URL}/{ticket_id}/attachments/{file_id}{tail}"
                                  for tail in ("", "/content")]
                     for visibility, file_id in files.items()}
        if name not in READS[role]:
            for url in urls + file_urls["public"] + file_urls["internal"]:
                assert_problem(await client.get(url, headers=h), 404, "ticket_not_found")
            continue
        answers = [await client.get(url, headers=h) for url in urls]
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
        ticket, comments, events, attachments = (a.json() for a in answers)
        assert {a["visibility"] for a in attachments["items"]} == (
            {"public", "internal"} if staff else {"public"})
        for url in file_urls["public"] + (file_urls["internal"] if staff else []):
            assert (await client.get(url, headers=h)).status_code == 200, url
        for url in [] if staff else file_urls["internal"]:
            assert_problem(await client.get(url, headers=h), 404,
                           "ticket_attachment_not_found")
        leaked = any(SECRET in a.text for a in answers)
        assert leaked is staff, (role, name)
        assert {c["visibility"] for c in comments["items"]} == (
            {"public", "internal"} if staff else {"public"})
        assert {e["visibility"] for e in events["items"]} == (
            {"public", "internal"} if staff else {"public"})
        moved = next(e for e in events["items"] if e["kind"] == "transition")
        assert (moved["note"] is not None) is staff
        if ticket["contact_phone"] is not None:
            masked = role in (Role.volunteer, Role.auditor, Role.security_officer)
            assert (ticket["contact_phone"] == "********5678") is masked, role
            assert (ticket["masked_fields"] == ["contact_phone"]) is masked
    assert all(SECRET not in str(t) for t in listed)


async def test_the_view_declaration_is_the_one_filter():

    for view in (COMMENT, EVENT, ATTACHMENT):
        for role in Role:

            who = Principal(subject_id=uuid.uuid4(), name="x", role=role)
            hidden = view.hidden_rows(who)
            assert hidden == ({"visibility": frozenset({"internal"})} if role in PUBLIC_ONLY
                              else {})
            assert view.shows({"visibility": "public"}.__getitem__, who)
            assert view.shows({"visibility": "internal"}.__getitem__, who) is (
                role not in PUBLIC_ONLY)


async def test_security_officers_do_not_reach_other_kinds(client, w):
    plain = w["tickets"]["plain"]["id"]
    resp = await client.post(f"{URL}/{plain}/comments", headers=w[Role.security_officer],
                             json={"body": "x", "visibility": "internal"})
    assert_problem(resp, 404, "ticket_not_found")


async def test_the_open311_face_is_a_way_out_too(client, w):
    """An Open311 client with a key over the tickets' group reads all three, in JSON and
    XML, one by one and listed: no internal note, staff note or internal file name."""
    from tests.api.test_open311 import BASE, service_key

    key = {"api_key": (await service_key(client, w["admin"], [w["tree"].group_a1]))["key"]}
    codes = []
    for ticket in w["tickets"].values():
        got = await client.get(f"{URL}/{ticket['id']}", headers=w[Role.ward_officer])
        codes.append(got.json()["code"])
    answers = [await client.get(f"{BASE}/requests/{code}.{fmt}", params=key)
               for code in codes for fmt in ("json", "xml")]
    answers += [await client.get(f"{BASE}/requests.{fmt}", params=key) for fmt in ("json", "xml")]
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    listed = {r["service_request_id"] for r in answers[-2].json()}
    assert set(codes) <= listed
    assert all(code in answers[2 * i].text for i, code in enumerate(codes))
    assert not any(SECRET in a.text for a in answers)
