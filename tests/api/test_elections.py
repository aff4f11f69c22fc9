"""Elections end to end: declaring them (admins), a commune's polling areas and exclusions,
the eligibility of a polling area's register, scope between communes, and bad input that
writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func
from sqlmodel import select

from domain.access import Role
from domain.audit.models import AuditEvent
from domain.elections.models import (
    Election,
    Exclusion,
    PollingArea,
    PollingAreaStreet,
    PollingAreaUnit,
)
from domain.units.models import Street
from tests.api.test_ops import assert_invalid, assert_problem
from tests.builders import (
    bearer,
    make_election,
    make_household,
    make_polling_area,
    make_resident,
    make_tree,
    make_user,
)

URL = "/api/v1/elections"
ALL = ["national_assembly", "provincial_council", "commune_council"]
ELECTION = {"name": "Bầu cử đại biểu Quốc hội khóa XVI và HĐND các cấp",
            "election_day": "2026-03-15", "levels": ALL, "list_posting_on": "2026-02-03",
            "complaint_deadline_on": "2026-03-10"}
COUNTED = (Election, PollingArea, PollingAreaUnit, PollingAreaStreet, Exclusion)


async def _counts(session) -> list[int]:
    return [await session.scalar(select(func.count()).select_from(m)) for m in COUNTED]


@pytest.fixture
async def w(app, session):
    tree = await make_tree(session)
    street_b = Street(commune_id=tree.commune_b.id, province_id=tree.province.id,
                      name="Đống Đa", name_folded="dong da")
    session.add(street_b)
    users = {
        "admin": (await make_user(session, role=Role.admin), []),
        Role.ward_officer: (await make_user(session, role=Role.ward_officer,
                                            units=[tree.commune_a]), [tree.commune_a]),
        Role.election_officer: (await make_user(session, role=Role.election_officer,
                                                units=[tree.commune_a]), [tree.commune_a]),
        "officer_b": (await make_user(session, role=Role.election_officer,
                                      units=[tree.commune_b]), [tree.commune_b]),
        Role.group_leader: (await make_user(session, role=Role.group_leader,
                                            units=[tree.group_a1]), [tree.group_a1]),
        Role.auditor: (await make_user(session, role=Role.auditor, units=[tree.commune_a]),
                       [tree.commune_a]),
    }
    national = await make_election(session)
    home = await make_household(session, tree.group_a1, street=tree.street_a)
    head = await make_resident(session, home, head=True, full_name="Nguyễn Văn Chủ",
                               id_number="052080001234")
    home_b = await make_household(session, tree.group_b1)
    stranger = await make_resident(session, home_b, head=True, full_name="Trần Văn Khách")
    await session.flush()
    return {"tree": tree, "national": national, "head": head, "stranger": stranger,
            "street_b": street_b, "users": users,
            **{k: bearer(app, u, units) for k, (u, units) in users.items()}}


def _area(w, **over) -> dict:
    return {"code": "05", "name": "Khu vực bỏ phiếu số 5",
            "group_ids": [str(w["tree"].group_a1.id)], **over}


class TestCreateElection:
    async def test_an_admin_declares_a_national_election(self, client, session, w):
        resp = await client.post(URL, headers=w["admin"], json=ELECTION)
        assert resp.status_code == 201, resp.text
        made = resp.json()
        assert resp.headers["location"] == f"{URL}/{made['id']}"
        assert resp.headers["etag"]
        # 24 hours before 07:00 on election day in Vietnam.
        assert made["amendment_deadline_at"] == "2026-03-14T00:00:00Z"
        assert (made["voting_opens_at"], made["levels"]) == ("07:00:00", ALL)
        assert made["province_id"] is None and made["commune_id"] is None
        assert (await session.exec(select(AuditEvent).where(
            AuditEvent.action == "election.create"))).one()

    async def test_a_by_election_of_a_commune_takes_its_province(self, client, w):
        resp = await client.post(URL, headers=w["admin"], json={
            **ELECTION, "levels": ["commune_council"], "voting_opens_at": "06:30",
            "commune_id": str(w["tree"].commune_a.id)})
        assert resp.status_code == 201, resp.text
        made = resp.json()
        assert made["province_id"] == str(w["tree"].province.id)
        assert made["amendment_deadline_at"] == "2026-03-13T23:30:00Z"

    async def test_only_an_admin_declares_one(self, client, session, w):
        before = await _counts(session)
        for who in (Role.ward_officer, Role.election_officer):
            assert_problem(await client.post(URL, headers=w[who], json=ELECTION), 403,
                           "election_admin_only")
        assert_problem(await client.post(URL, headers=w[Role.group_leader], json=ELECTION),
                       403, "forbidden")
        assert await _counts(session) == before

    async def test_dates_after_the_election_are_refused_together(self, client, session, w):
        before = await _counts(session)
        resp = await client.post(URL, headers=w["admin"], json={
            **ELECTION, "list_posting_on": "2026-03-15", "complaint_deadline_on": "2026-03-16",
            "amendment_deadline_at": "2026-03-15T07:00:00+07:00"})
        assert_invalid(resp, {("body", "list_posting_on"): "election_posting_after_day",
                              ("body", "complaint_deadline_on"): "election_complaint_after_day",
                              ("body", "amendment_deadline_at"):
                                  "election_amendment_after_voting"})
        assert await _counts(session) == before

    async def test_bad_fields_are_422s(self, client, session, w):
        before = await _counts(session)
        resp = await client.post(URL, headers=w["admin"], json={
            **ELECTION, "levels": [], "voting_opens_at": "7am", "election_day": "15/03/2026"})
        body = assert_problem(resp, 422, "validation_failed")
        codes = {tuple(e["loc"]): e["code"] for e in body["errors"]}
        assert codes[("body", "levels")] == "too_short"
        assert codes[("body", "voting_opens_at")] == "time_parsing"
        assert codes[("body", "election_day")] == "date_parsing"
        resp = await client.post(URL, headers={**w["admin"], "Accept-Language": "en"},
                                 json={k: v for k, v in ELECTION.items() if k != "levels"})
        body = assert_problem(resp, 422, "validation_failed")
        assert body["errors"][0]["loc"] == ["body", "levels"]
        assert await _counts(session) == before

    async def test_units_of_the_wrong_level_or_place(self, client, session, w):
        tree, before = w["tree"], await _counts(session)
        resp = await client.post(URL, headers=w["admin"], json={
            **ELECTION, "commune_id": str(tree.group_a1.id)})
        assert_invalid(resp, {("body", "commune_id"): "election_unit_level"})
        other = await make_tree(session)
        resp = await client.post(URL, headers=w["admin"], json={
            **ELECTION, "commune_id": str(tree.commune_a.id),
            "province_id": str(other.province.id)})
        assert_invalid(resp, {("body", "commune_id"): "election_unit_mismatch"})
        assert await _counts(session) == before


class TestReadAndUpdateElection:
    async def test_read_with_etag_and_change_with_if_match(self, client, session, w):
        url = f"{URL}/{w['national'].id}"
        got = await client.get(url, headers=w[Role.election_officer])
        assert got.status_code == 200 and got.headers["etag"]
        resp = await client.patch(url, headers={**w["admin"], "If-Match": got.headers["etag"]},
                                  json={"election_day": "2026-03-22",
                                        "list_posting_on": "2026-02-10"})
        assert resp.status_code == 200, resp.text
        # The deadline was the default: it follows the day.
        assert resp.json()["amendment_deadline_at"] == "2026-03-21T00:00:00Z"
        assert resp.json()["version"] == 2
        stale = await client.patch(url, headers={**w["admin"], "If-Match": got.headers["etag"]},
                                   json={"name": "X"})
        assert_problem(stale, 412, "precondition_failed")
        assert_problem(await client.patch(url, headers=w["admin"], json={"name": "X"}), 428,
                       "precondition_required")

    async def test_a_change_is_checked_as_it_would_be_stored(self, client, w):
        url = f"{URL}/{w['national'].id}"
        resp = await client.patch(url, headers={**w["admin"], "If-Match": "*"},
                                  json={"election_day": "2026-03-08"})
        # The default deadline follows the day; the complaint deadline does not.
        assert_invalid(resp, {("body", "complaint_deadline_on"): "election_complaint_after_day"})
        resp = await client.patch(url, headers={**w["admin"], "If-Match": "*"}, json={
            "list_posting_on": "2026-04-01", "amendment_deadline_at": "2026-03-15T00:00:00Z"})
        assert_invalid(resp, {("body", "list_posting_on"): "election_posting_after_day",
                              ("body", "amendment_deadline_at"):
                                  "election_amendment_after_voting"})
        resp = await client.patch(url, headers={**w["admin"], "If-Match": "*"},
                                  json={"levels": None})
        assert_invalid(resp, {("body", "levels"): "null_not_allowed"})

    async def test_officers_read_but_do_not_change_elections(self, client, session, w):
        url = f"{URL}/{w['national'].id}"
        resp = await client.patch(url, headers={**w[Role.ward_officer], "If-Match": "*"},
                                  json={"name": "X"})
        assert_problem(resp, 403, "election_admin_only")
        assert await session.scalar(select(Election.name).where(
            Election.id == w["national"].id)) != "X"

    async def test_a_by_election_is_seen_only_where_it_is_held(self, app, client, session, w):
        tree = w["tree"]
        by_b = await make_election(session, name="Bầu cử bổ sung B", commune_id=tree.commune_b.id,
                                   province_id=tree.province.id, levels=["commune_council"])
        by_province = await make_election(session, name="Bầu cử bổ sung tỉnh",
                                          province_id=tree.province.id)
        listed = (await client.get(URL, headers=w[Role.group_leader])).json()["items"]
        assert {e["id"] for e in listed} >= {str(w["national"].id), str(by_province.id)}
        assert str(by_b.id) not in {e["id"] for e in listed}
        assert_problem(await client.get(f"{URL}/{by_b.id}", headers=w[Role.election_officer]),
                       404, "election_not_found")
        got = await client.get(f"{URL}/{by_b.id}", headers=w["officer_b"])
        assert got.status_code == 200
        other = await make_tree(session)
        outsider = await make_user(session, role=Role.ward_officer, units=[other.commune_a])
        h = bearer(app, outsider, [other.commune_a])
        assert_problem(await client.get(f"{URL}/{by_province.id}", headers=h), 404,
                       "election_not_found")


class TestPollingAreas:
    async def test_a_ward_officer_adds_an_area_of_their_commune(self, client, session, w):
        url = f"{URL}/{w['national'].id}/polling-areas"
        resp = await client.post(url, headers=w[Role.ward_officer], json=_area(
            w, street_ids=[str(w["tree"].street_a.id)]))
        assert resp.status_code == 201, resp.text
        made = resp.json()
        assert resp.headers["location"] == f"/api/v1/polling-areas/{made['id']}"
        assert made["commune_id"] == str(w["tree"].commune_a.id)
        assert made["province_id"] == str(w["tree"].province.id)
        assert made["group_ids"] == [str(w["tree"].group_a1.id)]
        assert made["street_ids"] == [str(w["tree"].street_a.id)]
        got = await client.get(resp.headers["location"], headers=w[Role.group_leader])
        assert got.status_code == 200 and got.json() == made
        listed = (await client.get(url, headers=w[Role.election_officer])).json()["items"]
        assert [a["id"] for a in listed] == [made["id"]]

    async def test_a_group_already_in_another_area_is_a_409(self, client, session, w):
        url = f"{URL}/{w['national'].id}/polling-areas"
        h = w[Role.election_officer]
        assert (await client.post(url, headers=h, json=_area(w))).status_code == 201
        before = await _counts(session)
        resp = await client.post(url, headers=h, json=_area(w, code="06", group_ids=[
            str(w["tree"].group_a2.id), str(w["tree"].group_a1.id)]))
        assert_problem(resp, 409, "polling_area_group_taken")
        resp = await client.post(url, headers=h, json=_area(w, group_ids=[
            str(w["tree"].group_a2.id)]))
        assert_problem(resp, 409, "polling_area_code_taken")
        assert await _counts(session) == before
        # Another election may use the same group and number.
        other = await make_election(session, name="Trưng cầu ý dân")
        resp = await client.post(f"{URL}/{other.id}/polling-areas", headers=h, json=_area(w))
        assert resp.status_code == 201, resp.text

    async def test_a_street_already_in_another_area_is_a_409(self, client, session, w):
        url = f"{URL}/{w['national'].id}/polling-areas"
        h, street = w[Role.ward_officer], str(w["tree"].street_a.id)
        assert (await client.post(url, headers=h, json=_area(
            w, street_ids=[street]))).status_code == 201
        before = await _counts(session)
        resp = await client.post(url, headers=h, json=_area(
            w, code="07", group_ids=[], street_ids=[street]))
        assert_problem(resp, 409, "polling_area_street_taken")
        assert await _counts(session) == before

    async def test_members_of_another_commune_or_none_are_422s(self, client, session, w):
        tree, url = w["tree"], f"{URL}/{w['national'].id}/polling-areas"
        before = await _counts(session)
        resp = await client.post(url, headers=w["admin"], json=_area(
            w, commune_id=str(tree.commune_a.id),
            group_ids=[str(tree.group_a1.id), str(tree.group_b1.id)],
            street_ids=[str(w["street_b"].id)]))
        assert_invalid(resp, {("body", "group_ids", 1): "polling_area_other_commune",
                              ("body", "street_ids", 0): "polling_area_other_commune"})
        resp = await client.post(url, headers=w[Role.ward_officer],
                                 json=_area(w, group_ids=[]))
        assert_invalid(resp, {("body", "group_ids"): "polling_area_empty"})
        resp = await client.post(url, headers=w[Role.ward_officer],
                                 json=_area(w, group_ids=[str(tree.commune_a.id)]))
        assert_invalid(resp, {("body", "group_ids", 0): "not_a_group"})
        resp = await client.post(url, headers=w[Role.ward_officer], json=_area(w, code="5 A"))
        assert_invalid(resp, {("body", "code"): "string_pattern_mismatch"})
        assert await _counts(session) == before

    async def test_an_area_outside_a_by_election_is_a_422(self, client, session, w):
        tree = w["tree"]
        by_b = await make_election(session, commune_id=tree.commune_b.id,
                                   province_id=tree.province.id, levels=["commune_council"])
        before = await _counts(session)
        resp = await client.post(f"{URL}/{by_b.id}/polling-areas", headers=w["admin"],
                                 json=_area(w))
        assert_invalid(resp, {("body", "commune_id"): "polling_area_outside_election"})
        assert await _counts(session) == before

    async def test_change_and_delete_with_if_match(self, client, session, w):
        tree = w["tree"]
        area = await make_polling_area(session, w["national"], tree.commune_a,
                                       groups=[tree.group_a1])
        url, h = f"/api/v1/polling-areas/{area.id}", w[Role.election_officer]
        etag = (await client.get(url, headers=h)).headers["etag"]
        resp = await client.patch(url, headers={**h, "If-Match": etag}, json={
            "name": "Khu vực bỏ phiếu số 1 (Nhà văn hoá)",
            "group_ids": [str(tree.group_a2.id)], "street_ids": [str(tree.street_a.id)]})
        assert resp.status_code == 200, resp.text
        assert resp.json()["group_ids"] == [str(tree.group_a2.id)]
        assert resp.json()["street_ids"] == [str(tree.street_a.id)]
        resp = await client.patch(url, headers={**h, "If-Match": "*"},
                                  json={"group_ids": [], "street_ids": []})
        assert_invalid(resp, {("body", "group_ids"): "polling_area_empty"})
        assert_problem(await client.delete(url, headers={**h, "If-Match": etag}), 412,
                       "precondition_failed")
        assert (await client.delete(url, headers={**h, "If-Match": "*"})).status_code == 204
        assert_problem(await client.get(url, headers=h), 404, "polling_area_not_found")
        assert await session.scalar(select(func.count()).select_from(PollingAreaUnit).where(
            PollingAreaUnit.polling_area_id == area.id)) == 0

    async def test_an_officer_of_another_commune_sees_and_changes_nothing(self, client, session,
                                                                          w):
        tree = w["tree"]
        area = await make_polling_area(session, w["national"], tree.commune_a,
                                       groups=[tree.group_a1])
        h, url = w["officer_b"], f"/api/v1/polling-areas/{area.id}"
        assert_problem(await client.get(url, headers=h), 404, "polling_area_not_found")
        listed = await client.get(f"{URL}/{w['national'].id}/polling-areas", headers=h)
        assert listed.json()["items"] == []
        for method, body in (("PATCH", {"name": "X"}), ("DELETE", None)):
            resp = await client.request(method, url, headers={**h, "If-Match": "*"}, json=body)
            assert_problem(resp, 404, "polling_area_not_found")
        # Naming commune A's group from commune B: out of write scope.
        resp = await client.post(f"{URL}/{w['national'].id}/polling-areas", headers=h,
                                 json=_area(w, code="09"))
        assert_problem(resp, 404, "unit_not_found")
        assert await session.scalar(select(PollingArea.name).where(
            PollingArea.id == area.id)) == "Khu vực bỏ phiếu số 01"


class TestExclusions:
    def _body(self, w, **over) -> dict:
        return {"resident_id": str(w["head"].id), "reason": "serving_prison_term",
                "document_ref": "Bản án số 12/2025/HS-ST", **over}

    async def test_record_and_revoke(self, client, session, w):
        url, h = f"{URL}/{w['national'].id}/exclusions", w[Role.election_officer]
        resp = await client.post(url, headers=h, json=self._body(w))
        assert resp.status_code == 201, resp.text
        made = resp.json()
        assert resp.headers["location"] == f"/api/v1/exclusions/{made['id']}"
        assert (made["group_id"], made["revoked_at"]) == (str(w["tree"].group_a1.id), None)
        assert_problem(await client.post(url, headers=h, json=self._body(w)), 409,
                       "exclusion_active")
        revoke = f"/api/v1/exclusions/{made['id']}/revoke"
        resp = await client.post(revoke, headers=h, json={"note": "Quyết định đặc xá 45"})
        assert resp.status_code == 200, resp.text
        assert resp.json()["revoked_at"] and resp.json()["revoke_note"] == "Quyết định đặc xá 45"
        assert_problem(await client.post(revoke, headers=h, json={"note": "Lần nữa"}), 409,
                       "exclusion_revoked")
        # Rights restored, then taken again: a new exclusion.
        assert (await client.post(url, headers=h, json=self._body(w))).status_code == 201
        actions = (await session.exec(select(AuditEvent.action).where(
            AuditEvent.action.in_(["exclusion.record", "exclusion.revoke"])))).all()
        assert sorted(actions) == ["exclusion.record", "exclusion.record", "exclusion.revoke"]
        listed = (await client.get(f"{url}?active=true", headers=h)).json()["items"]
        assert len(listed) == 1 and listed[0]["revoked_at"] is None

    async def test_the_document_is_required_and_nothing_is_written(self, client, session, w):
        url, h = f"{URL}/{w['national'].id}/exclusions", w[Role.ward_officer]
        before = await _counts(session)
        body = self._body(w)
        del body["document_ref"]
        assert_invalid(await client.post(url, headers=h, json=body),
                       {("body", "document_ref"): "missing"})
        assert_invalid(await client.post(url, headers=h, json=self._body(
            w, document_ref="  ", reason="jailed")), {
            ("body", "document_ref"): "string_too_short", ("body", "reason"): "enum"})
        assert await _counts(session) == before

    async def test_a_resident_outside_scope_is_a_404(self, client, session, w):
        before = await _counts(session)
        resp = await client.post(f"{URL}/{w['national'].id}/exclusions",
                                 headers=w[Role.election_officer],
                                 json=self._body(w, resident_id=str(w["stranger"].id)))
        assert_problem(resp, 404, "resident_not_found")
        assert await _counts(session) == before

    async def test_a_resident_outside_a_by_election_is_a_422(self, client, session, w):
        tree = w["tree"]
        by_b = await make_election(session, commune_id=tree.commune_b.id,
                                   province_id=tree.province.id, levels=["commune_council"])
        resp = await client.post(f"{URL}/{by_b.id}/exclusions", headers=w["admin"],
                                 json=self._body(w))
        assert_invalid(resp, {("body", "resident_id"): "exclusion_outside_election"})

    async def test_an_auditor_reads_them_masked(self, client, session, w):
        h = w[Role.election_officer]
        made = (await client.post(f"{URL}/{w['national'].id}/exclusions", headers=h,
                                  json=self._body(w, note="Trại giam số 3"))).json()
        seen = (await client.get(f"/api/v1/exclusions/{made['id']}",
                                 headers=w[Role.auditor])).json()
        assert (seen["document_ref"], seen["note"], seen["reason"]) == (
            None, None, "serving_prison_term")
        assert seen["masked_fields"] == ["document_ref", "note"]
        assert_problem(await client.post(f"/api/v1/exclusions/{made['id']}/revoke",
                                         headers=w[Role.auditor], json={"note": "x"}),
                       403, "forbidden")
        assert_problem(await client.get(f"/api/v1/exclusions/{made['id']}",
                                        headers=w["officer_b"]), 404, "exclusion_not_found")


@pytest.fixture
async def register(session, w):
    """A small register in group A1 (one household on Trần Phú, one on no street), one
    person in group A2, and a polling area over group A1."""
    tree, national = w["tree"], w["national"]
    on_street = await make_household(session, tree.group_a1, street=tree.street_a)
    off_street = await make_household(session, tree.group_a1, house_number="3")
    people = {"head": w["head"]}

    async def person(key, household, **over):
        people[key] = await make_resident(session, household, full_name=f"Lê Thị {key}",
                                          **over)

    await person("birthday_on_the_day", on_street, birth_date=date(2008, 3, 15),
                 birth_year=2008)
    await person("birthday_the_day_after", on_street, birth_date=date(2008, 3, 16),
                 birth_year=2008)
    await person("year_only_borderline", on_street, birth_date=None, birth_year=2008)
    await person("deceased", on_street, residence_status="deceased")
    await person("moved_out", off_street, residence_status="moved_out")
    await person("absent", off_street, residence_status="temporarily_absent")
    await person("temporary_12_months", off_street, residence_status="temporary",
                 residence_since=date(2025, 3, 15))
    await person("temporary_short", off_street, residence_status="temporary",
                 residence_since=date(2025, 9, 1))
    await person("temporary_unknown", off_street, residence_status="temporary")
    await person("excluded", off_street, id_number="052080009999")
    await person("restored", off_street)
    elsewhere = await make_household(session, tree.group_a2)
    people["other_group"] = await make_resident(session, elsewhere, full_name="Lê Thị khác")
    area = await make_polling_area(session, national, tree.commune_a, groups=[tree.group_a1])
    recorder = w["users"][Role.election_officer][0]
    for key, revoked in (("excluded", None), ("restored", datetime(2026, 1, 5, tzinfo=UTC))):
        r = people[key]
        session.add(Exclusion(
            election_id=national.id, resident_id=r.id, province_id=r.province_id,
            commune_id=r.commune_id, group_id=r.group_id, reason="serving_prison_term",
            document_ref="Bản án 1/2025", recorded_by_id=recorder.id,
            recorded_by_name="Cán bộ", revoked_at=revoked))
    await session.flush()
    return {"people": people, "area": area, "on_street": on_street}


async def _eligibility(client, w, area, headers, **query) -> dict:
    resp = await client.get(f"{URL}/{w['national'].id}/eligibility", headers=headers,
                            params={"polling_area_id": str(area.id), "limit": 200, **query})
    assert resp.status_code == 200, resp.text
    return resp.json()


class TestEligibility:
    async def test_each_rule_on_a_small_register(self, client, w, register):
        page = await _eligibility(client, w, register["area"], w[Role.election_officer],
                                  include_total="true")
        by_id = {item["resident"]["id"]: item for item in page["items"]}
        people = register["people"]
        assert page["total"] == len(people) - 1  # not the other group's
        assert str(people["other_group"].id) not in by_id
        na_province = ALL[:2]
        expected = {
            "head": (True, [], ALL, False, []),
            "birthday_on_the_day": (True, [], ALL, False, []),
            "birthday_the_day_after": (False, ["under_age"], [], False, []),
            "year_only_borderline": (True, [], ALL, True, []),
            "deceased": (False, ["deceased"], [], False, []),
            "moved_out": (False, ["moved_away"], [], False, []),
            "absent": (True, [], ALL, False, ["temporarily_absent"]),
            "temporary_12_months": (True, [], ALL, False, []),
            "temporary_short": (True, [], na_province, False, []),
            "temporary_unknown": (True, [], na_province, False, ["residence_since_unknown"]),
            "excluded": (False, ["excluded:serving_prison_term"], [], False, []),
            "restored": (True, [], ALL, False, []),
        }
        for key, (eligible, reasons, levels, uncertain, notes) in expected.items():
            item = by_id[str(people[key].id)]
            assert (item["eligible"], item["reasons"], item["ballot_levels"],
                    item["birth_date_uncertain"], item["notes"]) == (
                eligible, reasons, levels, uncertain, notes), key
        assert by_id[str(people["excluded"].id)]["exclusion_id"]
        assert by_id[str(people["restored"].id)]["exclusion_id"] is None
        # The register's own record, unmasked for an election officer.
        assert by_id[str(people["head"].id)]["resident"]["id_number"] == "052080001234"

    async def test_records_are_masked_as_the_register_masks_them(self, client, w, register):
        page = await _eligibility(client, w, register["area"], w[Role.auditor])
        head = next(i for i in page["items"]
                    if i["resident"]["id"] == str(register["people"]["head"].id))
        assert head["resident"]["id_number"] == "********1234"
        assert head["resident"]["birth_date"] is None and head["resident"]["birth_year"] == 1980
        assert "id_number" in head["resident"]["masked_fields"]
        assert head["eligible"] is True  # decided on the record, not on what is shown

    async def test_a_street_of_another_area_takes_its_households(self, client, session, w,
                                                                 register):
        tree = w["tree"]
        street_area = await make_polling_area(session, w["national"], tree.commune_a,
                                              streets=[tree.street_a], code="02")
        # The head's household (the fixture's) is on Trần Phú too.
        on_street = {str(p.id) for p in register["people"].values()
                     if p.household_id in (register["on_street"].id, w["head"].household_id)}
        # A record without a household votes where its group does.
        lone = await make_resident(session, group=tree.group_a1, full_name="Lê Văn Một")
        groups = await _eligibility(client, w, register["area"], w[Role.ward_officer])
        assert str(lone.id) in {i["resident"]["id"] for i in groups["items"]}
        streets = await _eligibility(client, w, street_area, w[Role.ward_officer])
        assert {i["resident"]["id"] for i in streets["items"]} == on_street
        assert not {i["resident"]["id"] for i in groups["items"]} & on_street

    async def test_pages_by_keyset(self, client, w, register):
        first = await _eligibility(client, w, register["area"], w[Role.ward_officer], limit=5)
        assert len(first["items"]) == 5 and first["next_cursor"]
        second = await _eligibility(client, w, register["area"], w[Role.ward_officer],
                                    limit=5, cursor=first["next_cursor"])
        ids = [i["resident"]["id"] for i in first["items"] + second["items"]]
        assert len(set(ids)) == 10

    async def test_a_group_leader_checks_their_groups_voters(self, app, client, session, w,
                                                             register):
        page = await _eligibility(client, w, register["area"], w[Role.group_leader])
        assert len(page["items"]) == len(register["people"]) - 1
        leader_a2 = await make_user(session, role=Role.group_leader, units=[w["tree"].group_a2])
        page = await _eligibility(client, w, register["area"],
                                  bearer(app, leader_a2, [w["tree"].group_a2]))
        assert page["items"] == []

    async def test_another_communes_officer_and_bad_input(self, client, session, w, register):
        url = f"{URL}/{w['national'].id}/eligibility"
        area = str(register["area"].id)
        assert_problem(await client.get(url, headers=w["officer_b"],
                                        params={"polling_area_id": area}),
                       404, "polling_area_not_found")
        h = w[Role.election_officer]
        other = await make_election(session, name="Bầu cử khác")
        assert_problem(await client.get(f"{URL}/{other.id}/eligibility", headers=h,
                                        params={"polling_area_id": area}),
                       404, "polling_area_not_found")
        resp = await client.get(url, headers={**h, "Accept-Language": "en"})
        body = assert_problem(resp, 422, "validation_failed")
        assert body["errors"][0]["loc"] == ["query", "polling_area_id"]
        assert_problem(await client.get(url, headers=h, params={"polling_area_id": "x"}),
                       422, "validation_failed")
