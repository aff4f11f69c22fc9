"""The Open311 GeoReport v2 face: discovery, services, service definitions, requests posted
form-encoded as the specification writes them and read back in JSON and XML, the status
mapping, what never leaves (internal notes, the requester's contact), api_key scope and
GeoReport's own errors, with nothing written on any of them."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func
from sqlmodel import select

from domain.access import Role
from domain.audit.models import AuditEvent
from domain.tickets.models import Ticket, TicketChannel, TicketEvent
from tests.api.tickets_world import comment, move, open_ticket, ward
from tests.builders import bearer, make_user

BASE = "/open311/v2"
ACCOUNTS = "/api/v1/service-accounts"
NAME, PHONE, EMAIL = "Nguyễn Thị Quế", "0912345678", "que.nguyen@example.vn"
SECRET_NOTE = "GHI-CHU-NOI-BO-7731"


async def service_key(client, admin, units, scopes=("tickets:read", "tickets:write")) -> dict:
    resp = await client.post(ACCOUNTS, headers=admin, json={
        "name": "Cổng phản ánh", "scopes": list(scopes), "unit_ids": [str(u.id) for u in units]})
    assert resp.status_code == 201, resp.text
    made = resp.json()
    return {"id": made["id"], "key": f"{made['client_id']}.{made['client_secret']}"}


@pytest.fixture
async def w(app, client, session):
    world = await ward(app, client, session)
    tree = world["tree"]
    world["key"] = (await service_key(client, world["admin"], [tree.group_a1]))["key"]
    resp = await client.post("/api/v1/ticket-categories", headers=world["admin"], json={
        "code": "question", "name": "Hỏi đáp chung", "kind": "question",
        "first_response_minutes": 120, "resolution_minutes": 960})
    assert resp.status_code == 201, resp.text
    world["global"] = resp.json()
    return world


def spec_form(w, **over) -> dict:
    """POST Service Request's fields, as GeoReport v2 names them."""
    first, _, last = NAME.partition(" ")
    return {"api_key": w["key"], "service_code": "app_help", "lat": "13.8905",
            "long": "109.1125", "address_string": "12 Trần Phú",
            "description": "Không kích hoạt được VNeID mức 2.\nỨng dụng báo lỗi.",
            "email": EMAIL, "first_name": first, "last_name": last, "phone": PHONE, **over}


async def post(client, w, fmt="json", **over):
    return await client.post(f"{BASE}/requests.{fmt}", data=spec_form(w, **over))


def xml(resp) -> ET.Element:
    assert resp.headers["content-type"].startswith("application/xml"), resp.headers
    assert resp.text.startswith("<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(resp.content)  # noqa: S314 - our own server's answer


def assert_georeport(resp, status: int, fmt: str = "json") -> list[str]:
    """GeoReport's error list (never problem+json), every error of `status`; answers the
    descriptions."""
    assert resp.status_code == status, resp.text
    if fmt == "xml":
        root = xml(resp)
        assert root.tag == "errors" and [e.tag for e in root] == ["error"] * len(root)
        errors = [{"code": int(e.findtext("code") or 0), "description": e.findtext("description")}
                  for e in root]
    else:
        assert resp.headers["content-type"].startswith("application/json"), resp.headers
        errors = resp.json()
    assert errors and all(e["code"] == status and e["description"] for e in errors), errors
    return [e["description"] for e in errors]


async def _counts(session) -> tuple[int, ...]:
    return tuple([await session.scalar(select(func.count()).select_from(m))  # type: ignore[misc]
                  for m in (Ticket, TicketEvent)])


def _never_personal(*answers) -> None:
    for resp in answers:
        for secret in (NAME, "Quế", PHONE[1:], "912", EMAIL, SECRET_NOTE):
            assert secret not in resp.text, (secret, resp.text)


class TestDiscovery:
    async def test_json_and_xml_name_the_specification(self, client):
        doc = (await client.get(f"{BASE}/discovery.json")).json()
        endpoint = doc["endpoints"][0]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"] == "http://testserver/open311/v2"
        assert set(endpoint["formats"]) == {"application/json", "application/xml"}
        root = xml(await client.get(f"{BASE}/discovery.xml"))
        assert root.tag == "discovery"
        assert root.findtext("endpoints/endpoint/specification") == endpoint["specification"]
        assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == (
            endpoint["formats"])

    async def test_an_unknown_format_is_a_404_in_georeport_format(self, client):
        descriptions = assert_georeport(await client.get(f"{BASE}/discovery.yaml"), 404, "xml")
        assert "json" in descriptions[0]


class TestServices:
    async def test_without_a_key_the_global_ones_with_one_its_communes_too(self, client, w):
        public = (await client.get(f"{BASE}/services.json")).json()
        assert "question" in [s["service_code"] for s in public]
        assert "app_help" not in [s["service_code"] for s in public]
        keyed = (await client.get(f"{BASE}/services.json", params={"api_key": w["key"]})).json()
        app_help = next(s for s in keyed if s["service_code"] == "app_help")
        assert app_help == {"service_code": "app_help", "service_name": "Loại app_help",
                            "description": "Hỗ trợ ứng dụng số", "metadata": False,
                            "type": "realtime", "keywords": "app_help, app_help",
                            "group": "app_help"}
        assert {"question", "fraud_report"} <= {s["service_code"] for s in keyed}

    async def test_xml(self, client, w):
        root = xml(await client.get(f"{BASE}/services.xml", params={"api_key": w["key"]}))
        assert root.tag == "services" and {s.tag for s in root} == {"service"}
        app_help = next(s for s in root if s.findtext("service_code") == "app_help")
        assert [c.tag for c in app_help] == ["service_code", "service_name", "description",
                                            "metadata", "type", "keywords", "group"]
        assert app_help.findtext("metadata") == "false"
        assert app_help.findtext("service_name") == "Loại app_help"

    async def test_a_wrong_key_is_a_403_even_where_none_is_needed(self, client, w):
        assert_georeport(await client.get(f"{BASE}/services.json",
                                          params={"api_key": w["key"] + "x"}), 403)


class TestServiceDefinition:
    async def test_no_attributes(self, client, w):
        resp = await client.get(f"{BASE}/services/question.json")
        assert resp.json() == {"service_code": "question", "attributes": []}
        root = xml(await client.get(f"{BASE}/services/app_help.xml",
                                    params={"api_key": w["key"]}))
        assert root.tag == "service_definition"
        assert root.findtext("service_code") == "app_help"
        assert root.find("attributes") is not None and len(root.find("attributes")) == 0

    async def test_an_unknown_service_is_a_404(self, client, w):
        descriptions = assert_georeport(await client.get(f"{BASE}/services/nothing.json"), 404)
        assert "nothing" in descriptions[0]
        # A commune's own service is not listed to a caller without its key.
        assert_georeport(await client.get(f"{BASE}/services/app_help.xml"), 404, "xml")


class TestCreate:
    async def test_posted_as_the_specification_then_read_back_in_both_formats(
            self, client, session, w):
        resp = await post(client, w)
        assert resp.status_code == 201, resp.text
        [made] = resp.json()
        code = made["service_request_id"]
        assert made["account_id"] is None
        assert made["service_notice"] == "Phường sẽ phản hồi trong 4 giờ làm việc."
        assert resp.headers["location"] == f"{BASE}/requests/{code}.json"
        ticket = (await session.exec(select(Ticket).where(Ticket.code == code))).one()
        assert (ticket.channel, ticket.contact_name, ticket.contact_phone,
                ticket.contact_email) == (TicketChannel.citizen_app, NAME, "+84912345678", EMAIL)
        assert (ticket.subject, ticket.address, ticket.latitude, ticket.longitude) == (
            "Không kích hoạt được VNeID mức 2.", "12 Trần Phú", 13.8905, 109.1125)
        assert ticket.group_id == w["tree"].group_a1.id and ticket.on_behalf
        audit = (await session.exec(select(AuditEvent).where(
            AuditEvent.action == "ticket.open"))).one()
        assert audit.details["channel"] == "citizen_app"

        got = await client.get(resp.headers["location"], params={"api_key": w["key"]})
        assert got.status_code == 200, got.text
        [read] = got.json()
        assert {k: read[k] for k in ("service_request_id", "status", "service_code",
                                     "service_name", "address", "lat", "long", "media_url",
                                     "agency_responsible", "status_notes")} == {
            "service_request_id": code, "status": "open", "service_code": "app_help",
            "service_name": "Loại app_help", "address": "12 Trần Phú", "lat": 13.8905,
            "long": 109.1125, "media_url": None,
            "agency_responsible": w["tree"].commune_a.name,
            "status_notes": "Đã tiếp nhận, chờ xử lý"}
        assert read["requested_datetime"].endswith("+07:00")
        assert read["description"].startswith("Không kích hoạt được VNeID mức 2.")
        root = xml(await client.get(f"{BASE}/requests/{code}.xml", params={"api_key": w["key"]}))
        assert root.tag == "service_requests" and [r.tag for r in root] == ["request"]
        assert root.findtext("request/service_request_id") == code
        assert root.findtext("request/status") == "open"
        assert root.findtext("request/lat") == "13.8905"
        assert root.find("request/media_url") is not None
        listed = await client.get(f"{BASE}/requests.json", params={"api_key": w["key"]})
        assert [r["service_request_id"] for r in listed.json()] == [code]
        _never_personal(resp, got, listed, await client.get(
            f"{BASE}/requests.xml", params={"api_key": w["key"]}))

    async def test_xml_answer(self, client, w):
        root = xml(await post(client, w, "xml"))
        assert root.tag == "service_requests"
        assert root.findtext("request/service_request_id")
        assert root.find("request/account_id") is not None

    async def test_the_key_in_the_query_and_an_empty_description(self, client, session, w):
        form = spec_form(w, description="")
        key = form.pop("api_key")
        resp = await client.post(f"{BASE}/requests.json", params={"api_key": key}, data=form)
        assert resp.status_code == 201, resp.text
        ticket = (await session.exec(select(Ticket).where(
            Ticket.code == resp.json()[0]["service_request_id"]))).one()
        assert ticket.subject == ticket.description == "Loại app_help"

    async def test_an_unknown_service_code_is_a_400_naming_it(self, client, session, w):
        before = await _counts(session)
        descriptions = assert_georeport(await post(client, w, service_code="pothole"), 400)
        assert any("pothole" in d and d.startswith("service_code") for d in descriptions)
        assert_georeport(await post(client, w, "xml", service_code="pothole"), 400, "xml")
        assert await _counts(session) == before

    async def test_missing_fields_each_an_error(self, client, session, w):
        before = await _counts(session)
        resp = await client.post(f"{BASE}/requests.json", data={"api_key": w["key"]})
        assert any(d.startswith("service_code") for d in assert_georeport(resp, 400))
        resp = await post(client, w, lat="", long="", address_string="", phone="")
        descriptions = assert_georeport(resp, 400)
        assert len(descriptions) == 2, descriptions
        resp = await post(client, w, lat="north", description="x" * 4001)
        assert {d.split(":")[0] for d in assert_georeport(resp, 400)} == {"lat", "description"}
        resp = await post(client, w, **{"attribute[WHISHETN]": "123", "jurisdiction_id": "x",
                                         "device_id": "d1", "media_url": "http://x.example"})
        assert resp.status_code == 201, resp.text  # taken, not kept
        assert await _counts(session) == (before[0] + 1, before[1] + 1)

    async def test_english_on_request(self, client, w):
        resp = await client.post(f"{BASE}/requests.json", headers={"Accept-Language": "en"},
                                 data=spec_form(w, service_code="pothole"))
        assert any("No service with service_code pothole" in d
                   for d in assert_georeport(resp, 400))

    async def test_a_wrong_key_is_a_403_and_writes_nothing(self, client, session, w):
        before = await _counts(session)
        for key in (w["key"] + "x", "no-dot-at-all", w["key"].split(".")[0] + ".wrong"):
            assert_georeport(await post(client, w, api_key=key), 403)
        assert_georeport(await post(client, w, "xml", api_key="svc_x.y"), 403, "xml")
        form = spec_form(w)
        del form["api_key"]
        assert_georeport(await client.post(f"{BASE}/requests.json", data=form), 403)
        assert await _counts(session) == before

    async def test_without_tickets_write_is_a_403(self, client, session, w):
        reader = (await service_key(client, w["admin"], [w["tree"].group_a1],
                                    scopes=["tickets:read"]))["key"]
        before = await _counts(session)
        descriptions = assert_georeport(await post(client, w, api_key=reader), 403)
        assert "tickets:write" in descriptions[0]
        assert await _counts(session) == before
        listed = await client.get(f"{BASE}/requests.json", params={"api_key": reader})
        assert listed.status_code == 200

    async def test_a_key_of_several_units_cannot_post(self, client, session, w):
        tree = w["tree"]
        wide = (await service_key(client, w["admin"], [tree.group_a1, tree.group_a2]))["key"]
        before = await _counts(session)
        descriptions = assert_georeport(await post(client, w, api_key=wide), 400)
        assert descriptions[0].startswith("api_key")
        assert await _counts(session) == before

    async def test_a_json_body_is_a_415(self, client, w):
        resp = await client.post(f"{BASE}/requests.json", json=spec_form(w))
        assert_georeport(resp, 415)


class TestRead:
    async def test_a_key_is_required(self, client, w):
        assert_georeport(await client.get(f"{BASE}/requests.json"), 403)
        assert_georeport(await client.get(f"{BASE}/requests/ABC.xml"), 403, "xml")

    async def test_resolved_is_closed_with_notes(self, client, w):
        code = (await post(client, w)).json()[0]["service_request_id"]
        officer = w[Role.ward_officer]
        [ticket] = (await client.get("/api/v1/tickets", headers=officer,
                                     params={"q": code})).json()["items"]
        assert (await move(client, officer, ticket["id"], "resolved", outcome="answered",
                           note=SECRET_NOTE)).status_code == 200
        url, key = f"{BASE}/requests/{code}", {"api_key": w["key"]}
        [read] = (await client.get(f"{url}.json", params=key)).json()
        assert (read["status"], read["status_notes"]) == ("closed", "Đã giải quyết: đã trả lời")
        [read] = (await client.get(f"{url}.json", params=key,
                                   headers={"Accept-Language": "en"})).json()
        assert read["status_notes"] == "Resolved: answered"
        closed = await client.get(f"{BASE}/requests.json", params={**key, "status": "closed"})
        opened = await client.get(f"{BASE}/requests.json", params={**key, "status": "open"})
        assert [r["service_request_id"] for r in closed.json()] == [code]
        assert opened.json() == []

    async def test_internal_notes_never_leave(self, client, w):
        code = (await post(client, w)).json()[0]["service_request_id"]
        officer = w[Role.ward_officer]
        [ticket] = (await client.get("/api/v1/tickets", headers=officer,
                                     params={"q": code})).json()["items"]
        assert (await comment(client, officer, ticket["id"], SECRET_NOTE,
                              "internal")).status_code == 201
        assert (await move(client, officer, ticket["id"], "in_progress",
                           note=SECRET_NOTE)).status_code == 200
        key = {"api_key": w["key"]}
        answers = [await client.get(f"{BASE}/requests/{code}.{fmt}", params=key)
                   for fmt in ("json", "xml")]
        answers += [await client.get(f"{BASE}/requests.{fmt}", params=key)
                    for fmt in ("json", "xml")]
        assert all(a.status_code == 200 for a in answers)
        assert answers[0].json()[0]["status_notes"] == "Đang xử lý"
        _never_personal(*answers)

    async def test_no_resident_id_or_household_leaves(self, client, w):
        made = await open_ticket(client, w[Role.ward_officer], {
            "subject": "Hỏi thủ tục", "description": "Cấp lại CCCD.",
            "category_id": w["app_help"]["id"], "channel": "door_to_door",
            "household_id": str(w["home"].id), "requester_resident_id": str(w["head"].id)})
        got = await client.get(f"{BASE}/requests/{made['code']}.json",
                               params={"api_key": w["key"]})
        assert got.status_code == 200, got.text
        for secret in (str(w["head"].id), str(w["home"].id), "Lê Thị Hoa", made["id"]):
            assert secret not in got.text

    async def test_another_communes_ticket_is_a_404(self, client, w):
        other = await open_ticket(client, w["other_officer"], {
            "subject": "Ở phường khác", "description": "Không thuộc địa bàn.",
            "category_id": w["global"]["id"], "channel": "phone", "contact_name": "Bà Tư",
            "contact_phone": "0987654321", "unit_id": str(w["tree"].commune_b.id)})
        key = {"api_key": w["key"]}
        assert_georeport(await client.get(f"{BASE}/requests/{other['code']}.json",
                                          params=key), 404)
        assert_georeport(await client.get(f"{BASE}/requests/{other['code']}.xml",
                                          params=key), 404, "xml")
        listed = await client.get(f"{BASE}/requests.json",
                                  params={**key, "service_request_id": other["code"]})
        assert listed.json() == []

    async def test_filters(self, client, w):
        first = (await post(client, w)).json()[0]["service_request_id"]
        second = (await post(client, w, service_code="question")).json()[0][
            "service_request_id"]
        key = {"api_key": w["key"]}
        both = await client.get(f"{BASE}/requests.json", params={
            **key, "service_request_id": f"{first},{second}", "status": "closed"})
        assert {r["service_request_id"] for r in both.json()} == {first, second}
        only = await client.get(f"{BASE}/requests.json", params={
            **key, "service_code": "question"})
        assert [r["service_request_id"] for r in only.json()] == [second]
        old = await client.get(f"{BASE}/requests.json", params={
            **key, "start_date": "2020-01-01T00:00:00Z", "end_date": "2020-03-01T00:00:00Z"})
        assert old.json() == []

    async def test_bad_filters_are_400s(self, client, w):
        key = {"api_key": w["key"]}
        for params in ({"start_date": "2020-01-01T00:00:00Z",
                        "end_date": "2020-06-01T00:00:00Z"},
                       {"start_date": "yesterday"}, {"status": "pending"}):
            assert_georeport(await client.get(f"{BASE}/requests.json",
                                              params={**key, **params}), 400)

    async def test_a_revoked_account_is_refused_at_once(self, client, session, w):
        made = await service_key(client, w["admin"], [w["tree"].group_a1])
        key = {"api_key": made["key"]}
        assert (await client.get(f"{BASE}/requests.json", params=key)).status_code == 200
        resp = await client.post(f"{ACCOUNTS}/{made['id']}/revoke", headers=w["admin"])
        assert resp.status_code == 200, resp.text
        before = await _counts(session)
        assert_georeport(await client.get(f"{BASE}/requests.json", params=key), 403)
        assert_georeport(await post(client, w, api_key=made["key"]), 403)
        assert await _counts(session) == before

    async def test_a_bearer_token_is_not_a_key(self, app, client, session, w):
        officer = await make_user(session, role=Role.ward_officer, units=[w["tree"].commune_a])
        resp = await client.get(f"{BASE}/requests.json",
                                headers=bearer(app, officer, [w["tree"].commune_a]))
        assert_georeport(resp, 403)
