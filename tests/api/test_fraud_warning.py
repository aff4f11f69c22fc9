"""Fraud reports go to the unit's security officers, and a confirmed one becomes a fraud
warning announcement with one call, linked from the ticket; each refusal writes nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from domain.access import Role
from domain.announcements.models import Announcement
from domain.audit.models import AuditEvent
from domain.tickets.models import Ticket, TicketEvent
from tests.api.test_ops import assert_problem
from tests.api.tickets_world import URL, body, open_ticket, ward
from tests.builders import bearer, make_user


@pytest.fixture
async def w(app, client, session):
    return await ward(app, client, session)


def fraud(w, **over) -> dict:
    return body(w, subject="Cuộc gọi giả danh công an", category_id=w["fraud_report"]["id"],
                description="Người gọi đòi chuyển tiền để 'xác minh'.", **over)


async def timeline(client, headers, ticket_id) -> list[dict]:
    resp = await client.get(f"{URL}/{ticket_id}/timeline", headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


async def _counts(session) -> tuple[int, int, int, int]:
    return tuple([await session.scalar(select(func.count()).select_from(m))  # type: ignore[misc]
                  for m in (Announcement, Ticket, TicketEvent, AuditEvent)])


class TestFraudRouting:
    async def test_the_one_security_officer_of_the_unit_is_assigned(self, client, w):
        made = await open_ticket(client, w[Role.volunteer], fraud(w))
        officer = w["users"][Role.security_officer]
        assert (made["team"], made["assignee_id"]) == ("security_officer", str(officer.id))
        lines = await timeline(client, w[Role.ward_officer], made["id"])
        assert [(e["kind"], e["visibility"], e["assignee_id"]) for e in lines] == [
            ("opened", "public", None), ("assignment", "internal", str(officer.id))]
        mine = (await client.get(URL, params={"assignee_id": str(officer.id)},
                                 headers=w[Role.security_officer])).json()["items"]
        assert [t["id"] for t in mine] == [made["id"]]

    async def test_two_officers_leave_it_on_the_teams_queue(self, app, client, session, w):
        await make_user(session, role=Role.security_officer, units=[w["tree"].commune_a])
        made = await open_ticket(client, w[Role.volunteer], fraud(w))
        assert (made["team"], made["assignee_id"]) == ("security_officer", None)
        lines = await timeline(client, w[Role.ward_officer], made["id"])
        assert [e["kind"] for e in lines] == ["opened"]
        queue = (await client.get(URL, params={"team": "security_officer"},
                                  headers=w[Role.security_officer])).json()["items"]
        assert [t["id"] for t in queue] == [made["id"]]

    async def test_an_officer_of_another_commune_does_not_count(self, client, session, w):
        await make_user(session, role=Role.security_officer, units=[w["tree"].commune_b])
        await make_user(session, role=Role.security_officer, units=[w["tree"].group_a2])
        made = await open_ticket(client, w[Role.volunteer], fraud(w))
        assert made["assignee_id"] == str(w["users"][Role.security_officer].id)

    async def test_a_disabled_officer_does_not_count(self, client, session, w):
        officer = w["users"][Role.security_officer]
        officer.disabled_at = datetime.now(UTC)
        await session.flush()
        made = await open_ticket(client, w[Role.volunteer], fraud(w))
        assert (made["team"], made["assignee_id"]) == ("security_officer", None)

    async def test_other_kinds_keep_their_categorys_team(self, client, w):
        made = await open_ticket(client, w[Role.volunteer], body(w))
        assert (made["team"], made["assignee_id"]) == ("group_leader", None)

    async def test_recategorised_as_fraud_it_is_routed(self, client, w):
        made = await open_ticket(client, w[Role.volunteer], body(w))
        etag = (await client.get(f"{URL}/{made['id']}", headers=w[Role.ward_officer])
                ).headers["etag"]
        resp = await client.patch(f"{URL}/{made['id']}", headers={
            **w[Role.ward_officer], "If-Match": etag},
            json={"category_id": w["fraud_report"]["id"]})
        assert resp.status_code == 200, resp.text
        officer = w["users"][Role.security_officer]
        assert (resp.json()["team"], resp.json()["assignee_id"]) == (
            "security_officer", str(officer.id))
        lines = await timeline(client, w[Role.security_officer], made["id"])
        assert lines[-1]["kind"] == "assignment" and lines[-1]["assignee_id"] == str(officer.id)

    async def test_a_change_naming_the_team_is_not_rerouted(self, client, w):
        made = await open_ticket(client, w[Role.volunteer], body(w))
        etag = (await client.get(f"{URL}/{made['id']}", headers=w[Role.ward_officer])
                ).headers["etag"]
        resp = await client.patch(f"{URL}/{made['id']}", headers={
            **w[Role.ward_officer], "If-Match": etag},
            json={"category_id": w["fraud_report"]["id"], "team": "ward_officer"})
        assert (resp.json()["team"], resp.json()["assignee_id"]) == ("ward_officer", None)


def warning(**over) -> dict:
    return {"title": "Cảnh giác cuộc gọi giả danh công an",
            "body": "Công an không gọi điện yêu cầu chuyển tiền hay cài ứng dụng lạ.",
            "channels": ["community_group", "door_to_door"], **over}


def warning_url(ticket_id) -> str:
    return f"{URL}/{ticket_id}/warning"


class TestPublishWarning:
    async def test_a_security_officer_publishes_from_a_residents_report(self, client, session,
                                                                         w):
        report = await open_ticket(client, w[Role.resident], {
            "subject": "Tin nhắn giả danh ngân hàng", "description": "Có đường link lạ.",
            "category_id": w["fraud_report"]["id"], "channel": "citizen_app"})
        resp = await client.post(warning_url(report["id"]), headers=w[Role.security_officer],
                                 json=warning())
        assert resp.status_code == 201, resp.text
        notice = resp.json()
        assert resp.headers["location"] == f"/api/v1/announcements/{notice['id']}"
        assert resp.headers["etag"]
        assert (notice["category"], notice["status"]) == ("fraud_warning", "published")
        assert notice["unit_ids"] == [str(w["tree"].group_a1.id)]
        assert notice["channels"] == ["community_group", "door_to_door"]
        ticket = (await client.get(f"{URL}/{report['id']}", headers=w[Role.resident])).json()
        assert ticket["announcement_id"] == notice["id"]
        seen = await timeline(client, w[Role.resident], report["id"])
        assert [e["kind"] for e in seen] == ["opened", "published"]  # not the assignment
        assert seen[-1]["visibility"] == "public"
        told = (await client.get("/api/v1/announcements", params={"category": "fraud_warning"},
                                 headers=w[Role.resident])).json()["items"]
        assert [a["id"] for a in told] == [notice["id"]]
        actions = {e.action: e for e in (await session.exec(select(AuditEvent).where(
            AuditEvent.action.in_(["announcement.create", "ticket.publish_warning"])))).all()}
        assert set(actions) == {"announcement.create", "ticket.publish_warning"}
        assert actions["ticket.publish_warning"].details["announcement_id"] == notice["id"]

    async def test_a_ward_officer_names_units_and_a_later_time(self, client, w):
        report = await open_ticket(client, w[Role.ward_officer], fraud(w))
        later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        units = [str(w["tree"].group_a1.id), str(w["tree"].group_a2.id)]
        resp = await client.post(warning_url(report["id"]), headers=w[Role.ward_officer],
                                 json=warning(unit_ids=units, publish_at=later,
                                              channels=["loudspeaker"]))
        assert resp.status_code == 201, resp.text
        assert (resp.json()["unit_ids"], resp.json()["status"]) == (units, "scheduled")

    async def test_a_commune_level_report_warns_the_commune(self, client, w):
        report = await open_ticket(client, w[Role.ward_officer], fraud(
            w, household_id=None, requester_resident_id=None, contact_name="Bà Tư",
            contact_phone="0912345678", unit_id=str(w["tree"].commune_a.id), channel="phone"))
        resp = await client.post(warning_url(report["id"]), headers=w[Role.ward_officer],
                                 json=warning())
        assert resp.json()["unit_ids"] == [str(w["tree"].commune_a.id)]

    async def test_a_second_warning_is_a_409_naming_the_first(self, client, session, w):
        report = await open_ticket(client, w[Role.volunteer], fraud(w))
        first = (await client.post(warning_url(report["id"]), headers=w[Role.security_officer],
                                   json=warning())).json()
        before = await _counts(session)
        resp = await client.post(warning_url(report["id"]), headers=w[Role.ward_officer],
                                 json=warning())
        assert assert_problem(resp, 409, "ticket_warning_published")["existing_id"] == first["id"]
        assert await _counts(session) == before

    async def test_a_ticket_that_is_no_fraud_report_is_refused(self, client, session, w):
        report = await open_ticket(client, w[Role.volunteer], body(w))
        before = await _counts(session)
        resp = await client.post(warning_url(report["id"]), headers={
            **w[Role.ward_officer], "Accept-Language": "en"}, json=warning())
        problem = assert_problem(resp, 409, "ticket_not_fraud_report")
        assert "app_help" in problem["detail"]
        assert await _counts(session) == before

    async def test_a_volunteer_may_not_announce(self, client, session, w):
        report = await open_ticket(client, w[Role.volunteer], fraud(w))
        before = await _counts(session)
        resp = await client.post(warning_url(report["id"]), headers=w[Role.volunteer],
                                 json=warning())
        assert_problem(resp, 403, "forbidden")
        after = await _counts(session)
        assert after[:3] == before[:3]  # only the denial's own audit event
        assert (await client.get(f"{URL}/{report['id']}", headers=w[Role.volunteer])
                ).json()["announcement_id"] is None

    @pytest.mark.parametrize("where, status, code", [
        ("group_b1", 404, "unit_not_found"),  # another commune
        ("group_a2", 404, "unit_not_found"),  # a group the officer does not hold
        ("province", 404, "unit_not_found"),  # an ancestor they only read
    ])
    async def test_a_unit_outside_the_callers_scope_writes_nothing(self, client, session, w,
                                                                   where, status, code):
        report = await open_ticket(client, w[Role.volunteer], fraud(w))
        before = await _counts(session)
        resp = await client.post(warning_url(report["id"]), headers=w[Role.security_officer],
                                 json=warning(unit_ids=[str(getattr(w["tree"], where).id)]))
        assert_problem(resp, status, code)
        assert await _counts(session) == before
        assert (await client.get(f"{URL}/{report['id']}", headers=w[Role.security_officer])
                ).json()["announcement_id"] is None

    async def test_a_unit_of_the_wrong_level_is_a_422(self, client, session, app, w):
        officer = await make_user(session, role=Role.ward_officer, units=[w["tree"].province])
        headers = bearer(app, officer, [w["tree"].province])
        report = await open_ticket(client, w[Role.volunteer], fraud(w))
        before = await _counts(session)
        resp = await client.post(warning_url(report["id"]), headers=headers,
                                 json=warning(unit_ids=[str(w["tree"].province.id)]))
        assert_problem(resp, 422, "validation_failed")
        assert resp.json()["errors"][0]["code"] == "announcement_unit_level"
        assert await _counts(session) == before

    async def test_a_ticket_outside_the_scope_is_a_404(self, client, session, w):
        report = await open_ticket(client, w[Role.volunteer], fraud(w))
        before = await _counts(session)
        resp = await client.post(warning_url(report["id"]), headers=w["other_officer"],
                                 json=warning())
        assert_problem(resp, 404, "ticket_not_found")
        resp = await client.post(warning_url(uuid.uuid4()), headers=w[Role.ward_officer],
                                 json=warning())
        assert_problem(resp, 404, "ticket_not_found")
        assert await _counts(session) == before

    async def test_bad_bodies_are_422(self, client, w):
        report = await open_ticket(client, w[Role.volunteer], fraud(w))
        resp = await client.post(warning_url(report["id"]), headers=w[Role.security_officer],
                                 json=warning(channels=[], title=" ", unit_ids=[],
                                              publish_at="2020-01-01T00:00:00+07:00"))
        problem = assert_problem(resp, 422, "validation_failed")
        assert {tuple(e["loc"]) for e in problem["errors"]} >= {
            ("body", "channels"), ("body", "unit_ids"), ("body", "publish_at")}
