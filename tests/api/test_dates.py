"""Plausible dates: each date field's range and the rules between fields, through the API
(PATCH against the stored record) and through imports (rejected rows with the reason)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.access import Role
from domain.clock import today_vn
from tests.api.test_campaigns import field, started, visit  # noqa: F401  (fixture)
from tests.api.test_imports import csv_bytes, post, row
from tests.api.test_ops import assert_invalid, assert_problem
from tests.builders import bearer, make_household, make_resident, make_tree, make_user

TOMORROW = (today_vn() + timedelta(days=1)).isoformat()  # the same in every worker


@pytest.fixture
async def ward(app, session):
    tree = await make_tree(session)
    household = await make_household(session, tree.group_a1,
                                     code=f"D-{tree.group_a1.id.hex[-8:]}")
    person = await make_resident(session, household, head=True, birth_date=date(1990, 6, 1),
                                 birth_year=1990, residence_since=date(2010, 1, 1))
    officer = await make_user(session, role=Role.ward_officer, units=[tree.commune_a])
    return {"tree": tree, "household": household, "person": person,
            "h": bearer(app, officer, [tree.commune_a])}


def person(ward, **over) -> dict:
    return {"household_id": str(ward["household"].id), "relationship": "child",
            "full_name": "Nguyễn Thị Ánh", "birth_date": "1990-03-15", "sex": "female",
            **over}


def errors(resp) -> dict[str, str]:
    """loc (dotted, without "body") → code, from a 422."""
    assert resp.status_code == 422, resp.text
    problem = resp.json()
    return {".".join(str(p) for p in e["loc"][1:]): e["code"] for e in problem["errors"]}


async def patch(client, ward, resident_id, body, lang="vi"):
    url = f"/api/v1/residents/{resident_id}"
    got = await client.get(url, headers=ward["h"])
    return await client.patch(url, json=body, headers={
        **ward["h"], "If-Match": got.headers["etag"], "accept-language": lang})


class TestBirthDate:
    @pytest.mark.parametrize(("born", "code"), [
        ("1899-12-31", "birth_date_too_old"), (TOMORROW, "birth_date_future")])
    async def test_out_of_range(self, client, ward, born, code):
        resp = await client.post("/api/v1/residents", headers=ward["h"],
                                 json=person(ward, birth_date=born))
        assert_invalid(resp, {("body", "birth_date"): code})

    @pytest.mark.parametrize("born", ["1900-01-01", today_vn().isoformat()])
    async def test_in_range(self, client, ward, born):
        resp = await client.post("/api/v1/residents", headers=ward["h"],
                                 json=person(ward, birth_date=born))
        assert resp.status_code == 201, resp.text


class TestNothingBeforeBirth:
    async def test_residence_since_before_birth(self, client, ward):
        resp = await client.post("/api/v1/residents", headers=ward["h"], json=person(
            ward, birth_date="1990-01-01", residence_since="1800-01-01"))
        assert errors(resp) == {"residence_since": "date_too_old"}
        resp = await client.post("/api/v1/residents", headers=ward["h"], json=person(
            ward, birth_date="1990-01-01", residence_since="1989-12-31"))
        assert_invalid(resp, {("body", "residence_since"): "date_before_birth"})
        resp = await client.post("/api/v1/residents", headers=ward["h"], json=person(
            ward, birth_date="1990-01-01", residence_since="1990-01-01"))
        assert resp.status_code == 201, resp.text

    async def test_with_a_birth_year_alone(self, client, ward):
        body = person(ward, birth_date=None, birth_year=1990, residence_since="1989-06-01")
        resp = await client.post("/api/v1/residents", headers=ward["h"], json=body)
        assert errors(resp) == {"residence_since": "date_before_birth"}
        body["residence_since"] = "1990-01-01"
        resp = await client.post("/api/v1/residents", headers=ward["h"], json=body)
        assert resp.status_code == 201, resp.text

    async def test_every_broken_date_in_one_422(self, client, ward):
        resp = await client.post("/api/v1/residents", headers={
            **ward["h"], "accept-language": "en"}, json=person(
            ward, birth_date="1990-01-01", residence_status="deceased",
            residence_since="1985-01-01", status_changed_on="1980-01-01"))
        problem = assert_problem(resp, 422, "validation_failed")
        assert errors(resp) == {"residence_since": "date_before_birth",
                                "status_changed_on": "date_before_birth"}
        assert problem["errors"][0]["message"] == "This date is before the birth date"
        resp = await client.post("/api/v1/residents", headers=ward["h"], json=person(
            ward, birth_date="1800-01-01", residence_since="9999-01-01"))
        assert errors(resp) == {"birth_date": "birth_date_too_old",
                                "residence_since": "date_in_future"}

    async def test_patch_of_residence_since_meets_the_stored_birth_date(self, client, ward):
        pid = ward["person"].id
        resp = await patch(client, ward, pid, {"residence_since": "1989-01-01"}, lang="en")
        problem = assert_invalid(resp, {("body", "residence_since"): "date_before_birth"})
        assert problem["errors"][0]["message"] == "This date is before the birth date"
        resp = await patch(client, ward, pid, {"residence_since": "1990-06-01"})
        assert resp.status_code == 200, resp.text
        assert resp.json()["residence_since"] == "1990-06-01"

    async def test_patch_of_birth_date_meets_the_stored_residence(self, client, ward):
        resp = await patch(client, ward, ward["person"].id, {"birth_date": "2011-01-01"})
        assert errors(resp) == {"residence_since": "date_before_birth"}
        resp = await patch(client, ward, ward["person"].id, {"birth_date": "2009-01-01"})
        assert resp.status_code == 200, resp.text

    async def test_death_before_birth(self, client, ward):
        resp = await patch(client, ward, ward["person"].id, {
            "residence_status": "deceased", "status_changed_on": "1975-04-30"})
        assert errors(resp) == {"status_changed_on": "date_before_birth"}
        resp = await patch(client, ward, ward["person"].id, {
            "residence_status": "deceased", "status_changed_on": "2020-04-30"})
        assert resp.status_code == 200, resp.text


class TestReadiness:
    @pytest.mark.parametrize(("day", "code"), [
        ("1800-01-01", "date_too_old"), ("1989-12-31", "date_before_birth"),
        (TOMORROW, "date_in_future")])
    async def test_refused(self, client, ward, day, code):
        url = f"/api/v1/residents/{ward['person'].id}/readiness"
        resp = await client.post(url, headers=ward["h"],
                                 json={"kind": "vneid_level2", "occurred_on": day})
        assert_invalid(resp, {("body", "occurred_on"): code})

    async def test_accepted(self, client, ward):
        url = f"/api/v1/residents/{ward['person'].id}/readiness"
        resp = await client.post(url, headers=ward["h"], json={
            "kind": "vneid_level2", "occurred_on": today_vn().isoformat()})
        assert resp.status_code in (200, 201), resp.text


class TestImportRows:
    async def test_rows_get_the_same_rules(self, client, ward):
        code = ward["household"].code
        since_before_birth = row(code, name="Trần Văn Một", born="01/01/1990")
        since_before_birth[8] = "01/01/1800"
        late = row(code, name="Trần Văn Hai", born="01/01/1990")
        late[8] = "31/12/1989"
        rows = [since_before_birth, late, row(code, name="Trần Văn Ba", born="1850", id_number=""),
                row(code, name="Trần Văn Bốn", born="01/01/1800", id_number=""),
                row(code, name="Trần Văn Năm", born="02/01/1990")]
        resp = await post(client, ward["h"], csv_bytes(rows), dry_run=True, partial=True)
        assert resp.status_code == 202, resp.text
        job = resp.json()
        reasons = {(e["line"], e["column"], e["code"]) for e in job["errors"]}
        assert reasons == {(2, "residence_since", "date_too_old"),
                           (3, "residence_since", "date_before_birth"),
                           (4, "birth_date", "birth_date_too_old"),
                           (5, "birth_date", "birth_date_too_old")}, job["errors"]
        assert job["rejected_count"] == 4 and job["created_count"] == 1
        assert {e["message"] for e in job["errors"] if e["line"] == 3} == {
            "Ngày này trước ngày sinh"}


class TestCampaignDates:
    async def test_ranges_and_horizon(self, client, field):  # noqa: F811
        base = {"name": "Đợt 2", "goals": ["join_group"],
                "group_ids": [str(field["tree"].group_a1.id)], "starts_on": "2026-01-11"}
        for ends_on, code in (("9999-12-31", "date_too_far"),
                              ("2028-02-01", "campaign_too_long"),
                              ("2026-01-10", "campaign_dates")):
            resp = await client.post("/api/v1/campaigns", headers=field["leader"],
                                     json={**base, "ends_on": ends_on})
            assert_invalid(resp, {("body", "ends_on"): code})
        resp = await client.post("/api/v1/campaigns", headers=field["leader"],
                                 json={**base, "starts_on": "1999-12-31", "ends_on": "2000-01-02"})
        assert errors(resp) == {"starts_on": "date_too_old"}
        resp = await client.post("/api/v1/campaigns", headers=field["leader"],
                                 json={**base, "ends_on": "2028-01-11"})
        assert resp.status_code == 201, resp.text

    async def test_patch_of_the_end_meets_the_stored_start(self, client, field):  # noqa: F811
        resp = await client.post("/api/v1/campaigns", headers=field["leader"], json={
            "name": "Đợt 3", "goals": ["join_group"], "starts_on": "2026-01-11",
            "group_ids": [str(field["tree"].group_a1.id)], "ends_on": "2026-03-01"})
        url = f"/api/v1/campaigns/{resp.json()['id']}"
        h = {**field["leader"], "If-Match": resp.headers["etag"]}
        resp = await client.patch(url, headers=h, json={"ends_on": "2028-06-01"})
        assert_invalid(resp, {("body", "ends_on"): "campaign_too_long"})
        resp = await client.patch(url, headers=h, json={"ends_on": "2027-06-01"})
        assert resp.status_code == 200, resp.text

    async def test_follow_up_not_before_the_visit(self, client, field):  # noqa: F811
        cid = await started(client, field)
        url, h = f"/api/v1/campaigns/{cid}/visits", field["vols"][0]
        mine = field["households"][0]
        resp = await client.post(url, headers=h, json=visit(mine, follow_up_on="2026-01-10"))
        assert_invalid(resp, {("body", "follow_up_on"): "follow_up_before_visit"})
        resp = await client.post(url, headers=h, json=visit(mine, follow_up_on="9999-01-01"))
        assert errors(resp) == {"follow_up_on": "date_too_far"}
        resp = await client.post(url, headers=h, json=visit(mine, follow_up_on="2026-01-12"))
        assert resp.status_code == 201, resp.text


def _at(**delta) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


class TestPublishAt:
    def notice(self, ward, **over) -> dict:
        return {"title": "Lịch tiêm chủng", "body": "Sáng thứ Bảy tại nhà văn hoá.",
                "category": "policy", "unit_ids": [str(ward["tree"].group_a1.id)],
                "channels": ["loudspeaker"], **over}

    @pytest.mark.parametrize(("when", "code"), [
        ("1800-01-01T07:00:00+07:00", "datetime_out_of_range"),
        ({"hours": -1}, "publish_at_past"), ({"days": 400}, "publish_at_too_far")],
        ids=["1800", "an-hour-ago", "in-400-days"])
    async def test_refused(self, client, ward, when, code):
        when = when if isinstance(when, str) else _at(**when)
        resp = await client.post("/api/v1/announcements", headers=ward["h"],
                                 json=self.notice(ward, publish_at=when))
        assert errors(resp) == {"publish_at": code}

    @pytest.mark.parametrize("delta", [{"minutes": -5}, {"seconds": 1}, {"days": 300}])
    async def test_accepted(self, client, ward, delta):
        resp = await client.post("/api/v1/announcements", headers=ward["h"],
                                 json=self.notice(ward, publish_at=_at(**delta)))
        assert resp.status_code == 201, resp.text

    async def test_patch_cannot_move_it_into_the_past(self, client, ward):
        resp = await client.post("/api/v1/announcements", headers=ward["h"],
                                 json=self.notice(ward, publish_at=_at(days=2)))
        url = f"/api/v1/announcements/{resp.json()['id']}"
        h = {**ward["h"], "If-Match": resp.headers["etag"]}
        resp = await client.patch(url, headers=h, json={"publish_at": "1800-01-01T00:00:00Z"})
        assert errors(resp) == {"publish_at": "datetime_out_of_range"}
        resp = await client.patch(url, headers=h, json={"publish_at": _at(hours=-2)})
        assert errors(resp) == {"publish_at": "publish_at_past"}
        resp = await client.patch(url, headers=h, json={"publish_at": _at(days=3)})
        assert resp.status_code == 200, resp.text
