"""Announcements end to end: roles and scope, scheduled vs published, changes before publishing,
withdrawal, and the households told in person (idempotent, inside the target units)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from domain.access import Role
from domain.audit.models import AuditEvent
from tests.api.test_ops import assert_invalid, assert_problem
from tests.builders import bearer, make_household, make_tree, make_user

URL = "/api/v1/announcements"


def moment(**delta) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


@pytest.fixture
async def ward(app, session):
    tree = await make_tree(session)
    households = [await make_household(session, tree.group_a1, house_number=str(n))
                  for n in range(1, 4)]
    households.append(await make_household(session, tree.group_a2, house_number="7"))
    households.append(await make_household(session, tree.group_b1, house_number="9"))
    people = {}
    for name, role, unit in [
        ("officer", Role.ward_officer, tree.commune_a),
        ("leader", Role.group_leader, tree.group_a1),
        ("leader_a2", Role.group_leader, tree.group_a2),
        ("volunteer", Role.volunteer, tree.group_a1),
        ("security", Role.security_officer, tree.group_a1),
        ("resident", Role.resident, tree.group_a1),
        ("auditor", Role.auditor, tree.group_a1),
    ]:
        user = await make_user(session, role=role, units=[unit])
        people[name] = bearer(app, user, [unit])
    admin = await make_user(session, role=Role.admin)
    people["admin"] = bearer(app, admin)
    return {"tree": tree, "households": households, **people}


def notice(units, **over) -> dict:
    return {"title": "Cảnh giác cuộc gọi giả danh công an",
            "body": "Công an không gọi điện yêu cầu chuyển tiền.", "category": "fraud_warning",
            "unit_ids": [str(u.id) for u in units], "publish_at": moment(minutes=-10),
            "channels": ["community_group", "door_to_door"], **over}


async def create(client, headers, body) -> dict:
    resp = await client.post(URL, headers=headers, json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


async def ids(client, headers, query: str = "") -> list[str]:
    resp = await client.get(f"{URL}{query}", headers=headers)
    assert resp.status_code == 200, resp.text
    return [a["id"] for a in resp.json()["items"]]


class TestCreate:
    async def test_leader_publishes_to_their_group(self, client, session, ward):
        body = notice([ward["tree"].group_a1], category="policy")
        resp = await client.post(URL, headers=ward["leader"], json=body)
        assert resp.status_code == 201, resp.text
        made = resp.json()
        assert resp.headers["location"] == f"{URL}/{made['id']}"
        assert resp.headers["etag"] == f'"{uuid.UUID(made["id"]).hex[:8]}.1"'
        assert (made["status"], made["category"], made["channels"]) == (
            "published", "policy", ["community_group", "door_to_door"])
        assert made["commune_id"] == str(ward["tree"].commune_a.id)
        assert made["unit_ids"] == [str(ward["tree"].group_a1.id)]
        events = (await session.exec(select(AuditEvent).where(
            AuditEvent.action == "announcement.create"))).all()
        assert [e.object_ids for e in events] == [[made["id"]]]

    async def test_volunteer_may_not_create(self, client, ward):
        resp = await client.post(URL, headers=ward["volunteer"],
                                 json=notice([ward["tree"].group_a1]))
        assert_problem(resp, 403, "forbidden")

    async def test_security_officer_issues_fraud_warnings_only(self, client, ward):
        made = await create(client, ward["security"], notice([ward["tree"].group_a1]))
        assert made["category"] == "fraud_warning"
        resp = await client.post(URL, headers=ward["security"],
                                 json=notice([ward["tree"].group_a1], category="policy"))
        assert_problem(resp, 403, "announcement_category_forbidden")

    async def test_targets_stay_inside_scope_and_one_commune(self, client, ward):
        tree = ward["tree"]
        # The leader can read their commune, but it is not theirs to address: out of their
        # write scope, it is a 404 as any unit out of scope.
        resp = await client.post(URL, headers=ward["leader"], json=notice([tree.commune_a]))
        assert_problem(resp, 404, "unit_not_found")
        resp = await client.post(URL, headers=ward["officer"], json=notice([tree.group_b1]))
        assert_problem(resp, 404, "unit_not_found")
        resp = await client.post(URL, headers=ward["admin"],
                                 json=notice([tree.group_a1, tree.group_b1]))
        assert_invalid(resp, {("body", "unit_ids"): "announcement_one_commune"})
        resp = await client.post(URL, headers=ward["admin"], json=notice([tree.province]))
        assert_invalid(resp, {("body", "unit_ids"): "announcement_unit_level"})
        made = await create(client, ward["officer"], notice([tree.commune_a]))
        assert made["unit_ids"] == [str(tree.commune_a.id)]

    @pytest.mark.parametrize(("over", "loc", "code"), [
        ({"channels": []}, ["body", "channels"], "too_short"),
        ({"channels": ["carrier_pigeon"]}, ["body", "channels", 0], "enum"),
        ({"category": "gossip"}, ["body", "category"], "enum"),
        ({"publish_at": "2026-01-12T07:00:00"}, ["body", "publish_at"], "timezone_aware"),
        ({"body": "   "}, ["body", "body"], "string_too_short"),
        ({"unit_ids": []}, ["body", "unit_ids"], "too_short"),
        ({"status": "published"}, ["body", "status"], "extra_forbidden"),
    ])
    async def test_bad_input(self, client, ward, over, loc, code):
        resp = await client.post(URL, headers={**ward["leader"], "Accept-Language": "en"},
                                 json=notice([ward["tree"].group_a1], **over))
        body = assert_problem(resp, 422, "validation_failed")
        assert [(e["loc"], e["code"]) for e in body["errors"]] == [(loc, code)]
        assert body["errors"][0]["message"]


class TestListAndGet:
    async def test_scheduled_vs_published(self, client, ward):
        group = ward["tree"].group_a1
        out = await create(client, ward["leader"], notice([group], category="policy"))
        later = await create(client, ward["leader"], notice(
            [group], category="election", publish_at=moment(days=2)))
        assert later["status"] == "scheduled"
        assert set(await ids(client, ward["leader"])) == {out["id"], later["id"]}
        assert await ids(client, ward["leader"], "?published=true") == [out["id"]]
        assert await ids(client, ward["leader"], "?published=false") == [later["id"]]
        for who in ("resident", "volunteer"):
            assert await ids(client, ward[who]) == [out["id"]]
            assert await ids(client, ward[who], "?published=false") == []
            resp = await client.get(f"{URL}/{later['id']}", headers=ward[who])
            assert_problem(resp, 404, "announcement_not_found")
        resp = await client.get(f"{URL}/{out['id']}", headers=ward["resident"])
        assert resp.status_code == 200 and resp.headers["etag"]
        assert await ids(client, ward["auditor"]) == [later["id"], out["id"]]

    async def test_units_see_their_own_and_their_communes(self, client, ward):
        tree = ward["tree"]
        mine = await create(client, ward["leader"], notice([tree.group_a1]))
        commune = await create(client, ward["officer"], notice([tree.commune_a],
                                                              publish_at=moment(minutes=-11)))
        other = await create(client, ward["officer"], notice([tree.group_a2],
                                                            publish_at=moment(minutes=-12)))
        assert await ids(client, ward["resident"]) == [mine["id"], commune["id"]]
        assert await ids(client, ward["leader_a2"]) == [commune["id"], other["id"]]
        assert await ids(client, ward["officer"]) == [mine["id"], commune["id"], other["id"]]
        resp = await client.get(f"{URL}/{other['id']}", headers=ward["leader"])
        assert_problem(resp, 404, "announcement_not_found")
        by_unit = await ids(client, ward["officer"], f"?unit_id={tree.group_a2.id}")
        assert by_unit == [commune["id"], other["id"]]
        by_commune = await ids(client, ward["officer"], f"?unit_id={tree.commune_a.id}")
        assert len(by_commune) == 3

    async def test_filters_and_pages(self, client, ward):
        group = ward["tree"].group_a1
        made = [await create(client, ward["leader"], notice(
            [group], category=c, publish_at=moment(minutes=-n)))
            for n, c in enumerate(["policy", "election", "policy"], start=1)]
        assert await ids(client, ward["leader"], "?category=policy") == [
            made[0]["id"], made[2]["id"]]
        first = (await client.get(f"{URL}?limit=2&include_total=true",
                                  headers=ward["leader"])).json()
        assert first["total"] == 3 and first["next_cursor"]
        rest = (await client.get(f"{URL}?limit=2&cursor={first['next_cursor']}",
                                 headers=ward["leader"])).json()
        assert [a["id"] for a in first["items"] + rest["items"]] == [m["id"] for m in made]
        assert rest["next_cursor"] is None
        resp = await client.get(f"{URL}?category=gossip", headers=ward["leader"])
        assert_problem(resp, 422, "validation_failed")


class TestUpdate:
    async def test_change_before_publishing(self, client, ward):
        made = await create(client, ward["leader"], notice(
            [ward["tree"].group_a1], publish_at=moment(days=1)))
        url, tag = f"{URL}/{made['id']}", f'"{uuid.UUID(made["id"]).hex[:8]}.1"'
        resp = await client.patch(url, headers={**ward["leader"], "If-Match": tag},
                                  json={"title": "Lịch tiếp công dân", "channels": ["loudspeaker"]})
        assert resp.status_code == 200, resp.text
        assert (resp.json()["title"], resp.json()["channels"]) == (
            "Lịch tiếp công dân", ["loudspeaker"])
        assert resp.headers["etag"] != tag and resp.json()["version"] == 2
        stale = await client.patch(url, headers={**ward["leader"], "If-Match": tag},
                                   json={"title": "X"})
        assert_problem(stale, 412, "precondition_failed")
        missing = await client.patch(url, headers=ward["leader"], json={"title": "X"})
        assert_problem(missing, 428, "precondition_required")
        nulls = await client.patch(url, headers={**ward["leader"], "If-Match": "*"},
                                   json={"title": None})
        assert_invalid(nulls, {("body", "title"): "null_not_allowed"})

    async def test_published_is_final(self, client, ward):
        made = await create(client, ward["leader"], notice([ward["tree"].group_a1]))
        resp = await client.patch(f"{URL}/{made['id']}",
                                  headers={**ward["leader"], "If-Match": "*"},
                                  json={"title": "Sửa lại"})
        assert_problem(resp, 409, "announcement_published")

    async def test_security_officer_keeps_to_fraud_warnings(self, client, ward):
        made = await create(client, ward["security"], notice(
            [ward["tree"].group_a1], publish_at=moment(days=1)))
        resp = await client.patch(f"{URL}/{made['id']}",
                                  headers={**ward["security"], "If-Match": "*"},
                                  json={"category": "policy"})
        assert_problem(resp, 403, "announcement_category_forbidden")
        policy = await create(client, ward["leader"], notice(
            [ward["tree"].group_a1], category="policy", publish_at=moment(days=1)))
        resp = await client.patch(f"{URL}/{policy['id']}",
                                  headers={**ward["security"], "If-Match": "*"},
                                  json={"title": "X"})
        assert_problem(resp, 403, "announcement_category_forbidden")


class TestWithdraw:
    async def test_withdraw_hides_from_residents(self, client, session, ward):
        made = await create(client, ward["leader"], notice([ward["tree"].group_a1]))
        url = f"{URL}/{made['id']}"
        etag = (await client.get(url, headers=ward["leader"])).headers["etag"]
        resp = await client.post(f"{url}/withdraw", headers={**ward["leader"], "If-Match": etag})
        assert resp.status_code == 200, resp.text
        assert resp.json()["status"] == "withdrawn" and resp.json()["withdrawn_at"]
        assert await ids(client, ward["resident"]) == []
        assert await ids(client, ward["leader"], "?published=false") == [made["id"]]
        again = await client.post(f"{url}/withdraw", headers={**ward["leader"], "If-Match": "*"})
        assert_problem(again, 409, "announcement_withdrawn")
        events = (await session.exec(select(AuditEvent).where(
            AuditEvent.action == "announcement.withdraw"))).all()
        assert len(events) == 1

    async def test_scheduled_withdrawn_cannot_change(self, client, ward):
        made = await create(client, ward["leader"], notice(
            [ward["tree"].group_a1], publish_at=moment(days=1)))
        url = f"{URL}/{made['id']}"
        resp = await client.post(f"{url}/withdraw", headers={**ward["leader"], "If-Match": "*"})
        assert resp.status_code == 200, resp.text
        resp = await client.patch(url, headers={**ward["leader"], "If-Match": "*"},
                                  json={"title": "X"})
        assert_problem(resp, 409, "announcement_withdrawn")

    async def test_roles(self, client, ward):
        made = await create(client, ward["officer"], notice([ward["tree"].commune_a]))
        url = f"{URL}/{made['id']}/withdraw"
        resp = await client.post(url, headers={**ward["leader"], "If-Match": "*"})
        assert_problem(resp, 403, "announcement_outside_scope")  # readable, not theirs
        resp = await client.post(url, headers={**ward["volunteer"], "If-Match": "*"})
        assert_problem(resp, 403, "forbidden")
        resp = await client.post(url, headers=ward["officer"])
        assert_problem(resp, 428, "precondition_required")
        resp = await client.post(url, headers={**ward["officer"], "If-Match": "*"})
        assert resp.status_code == 200, resp.text


class TestDeliveries:
    async def test_once_per_household(self, client, session, ward):
        made = await create(client, ward["leader"], notice([ward["tree"].group_a1]))
        url, hh = f"{URL}/{made['id']}/deliveries", ward["households"][0]
        body = {"household_id": str(hh.id), "delivered_at": moment(minutes=-8),
                "channel": "door_to_door"}
        first = await client.post(url, headers=ward["leader"], json=body)
        assert first.status_code == 201, first.text
        assert first.headers["location"] == f"{url}?household_id={hh.id}"
        again = await client.post(url, headers=ward["security"],
                                  json={**body, "delivered_at": moment(minutes=-5)})
        assert again.status_code == 200, again.text
        assert again.json() == first.json()
        listed = await client.get(url, headers=ward["auditor"])
        assert listed.status_code == 200, listed.text
        page = listed.json()
        assert (page["households_told"], page["target_households"]) == (1, 3)
        assert [d["household_id"] for d in page["items"]] == [str(hh.id)]
        events = (await session.exec(select(AuditEvent).where(
            AuditEvent.action == "announcement.deliver"))).all()
        assert len(events) == 1

    async def test_households_outside_the_units_are_not_found(self, client, ward):
        made = await create(client, ward["leader"], notice([ward["tree"].group_a1]))
        url = f"{URL}/{made['id']}/deliveries"
        for hh in ward["households"][3:]:  # another group of the commune; another commune
            resp = await client.post(url, headers=ward["leader"], json={
                "household_id": str(hh.id), "delivered_at": moment(minutes=-1)})
            assert_problem(resp, 404, "household_not_found")
        commune = await create(client, ward["officer"], notice([ward["tree"].commune_a]))
        url = f"{URL}/{commune['id']}/deliveries"
        resp = await client.post(url, headers=ward["officer"], json={
            "household_id": str(ward["households"][3].id), "delivered_at": moment(minutes=-1)})
        assert resp.status_code == 201, resp.text
        resp = await client.post(url, headers=ward["leader"], json={
            "household_id": str(ward["households"][0].id), "delivered_at": moment(minutes=-1)})
        assert resp.status_code == 201, resp.text  # the leader's own household, ward's notice
        page = (await client.get(url, headers=ward["officer"])).json()
        assert (page["households_told"], page["target_households"]) == (2, 4)
        resp = await client.post(url, headers=ward["leader"], json={
            "household_id": str(ward["households"][3].id), "delivered_at": moment(minutes=-1)})
        assert_problem(resp, 404, "household_not_found")  # in the targets, not in their scope

    async def test_bad_deliveries(self, client, ward):
        made = await create(client, ward["leader"], notice([ward["tree"].group_a1]))
        url, hh = f"{URL}/{made['id']}/deliveries", str(ward["households"][0].id)
        cases = [
            ({"household_id": hh, "delivered_at": moment(days=1)}, "date_in_future"),
            ({"household_id": hh, "delivered_at": moment(minutes=-12)}, "delivered_before_publish"),
        ]
        for body, code in cases:
            resp = await client.post(url, headers=ward["leader"], json=body)
            assert_invalid(resp, {("body", "delivered_at"): code})
        resp = await client.post(url, headers=ward["leader"], json={
            "household_id": hh, "delivered_at": moment(minutes=-1), "channel": "loudspeaker"})
        problem = assert_problem(resp, 422, "validation_failed")
        assert problem["errors"][0]["code"] == "literal_error"
        resp = await client.post(url, headers=ward["leader"], json={
            "household_id": hh, "delivered_at": "2026-01-12T07:00:00"})
        problem = assert_problem(resp, 422, "validation_failed")
        assert problem["errors"][0]["code"] == "timezone_aware"
        page = (await client.get(url, headers=ward["leader"])).json()
        assert page["households_told"] == 0

    async def test_who_may_record_and_read(self, client, ward):
        made = await create(client, ward["leader"], notice([ward["tree"].group_a1]))
        url = f"{URL}/{made['id']}/deliveries"
        body = {"household_id": str(ward["households"][0].id),
                "delivered_at": moment(minutes=-1)}
        assert_problem(await client.post(url, headers=ward["volunteer"], json=body),
                       403, "forbidden")
        assert_problem(await client.get(url, headers=ward["resident"]), 403, "forbidden")
        scheduled = await create(client, ward["leader"], notice(
            [ward["tree"].group_a1], publish_at=moment(days=1)))
        resp = await client.get(f"{URL}/{scheduled['id']}/deliveries", headers=ward["volunteer"])
        assert_problem(resp, 404, "announcement_not_found")
        withdrawn = await client.post(f"{URL}/{made['id']}/withdraw",
                                      headers={**ward["leader"], "If-Match": "*"})
        assert withdrawn.status_code == 200
        assert_problem(await client.post(url, headers=ward["leader"], json=body),
                       409, "announcement_withdrawn")
