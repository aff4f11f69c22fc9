"""Outreach end to end: draft, start, walk lists, visits (replays, order, bad input), progress."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from domain.access import Role
from domain.register.models import ReadinessFact
from tests.api.test_ops import assert_invalid, assert_problem
from tests.builders import bearer, make_household, make_resident, make_tree, make_user

VN = "+07:00"


@pytest.fixture
async def field(app, session):
    tree = await make_tree(session)
    households, residents = [], []
    for n in range(1, 7):
        hh = await make_household(session, tree.group_a1, street=tree.street_a,
                                  house_number=str(n))
        households.append(hh)
        residents.append(await make_resident(session, hh, head=True,
                                             full_name=f"Lê Văn Hộ {n}"))
    leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
    vols = [await make_user(session, role=Role.volunteer, units=[tree.group_a1])
            for _ in range(2)]
    auditor = await make_user(session, role=Role.auditor, units=[tree.group_a1])
    return {"tree": tree, "households": households, "residents": residents,
            "leader": bearer(app, leader, [tree.group_a1]),
            "vols": [bearer(app, v, [tree.group_a1]) for v in vols],
            "vol_ids": [v.id for v in vols], "auditor": bearer(app, auditor, [tree.group_a1])}


async def started(client, field, **over):
    body = {"name": "Tuyến đường số – đợt 1", "goals": ["join_group", "activate_vneid_level2"],
            "group_ids": [str(field["tree"].group_a1.id)], "starts_on": "2026-01-11",
            "ends_on": "2026-12-31", **over}
    resp = await client.post("/api/v1/campaigns", headers=field["leader"], json=body)
    assert resp.status_code == 201, resp.text
    cid = resp.json()["id"]
    resp = await client.post(f"/api/v1/campaigns/{cid}/start",
                             headers={**field["leader"], "If-Match": resp.headers["etag"]})
    assert resp.status_code == 200, resp.text
    resp = await client.post(f"/api/v1/campaigns/{cid}/assignments", headers=field["leader"],
                             json={"mode": "balanced",
                                   "volunteer_ids": [str(v) for v in field["vol_ids"]]})
    assert resp.status_code == 200, resp.text
    return cid


def visit(household, *, at="2026-01-11T09:00:00", outcome="met", residents=(), cid=None,
          **over):
    return {"client_visit_id": over.pop("client_visit_id", f"v-{uuid.uuid4().hex}"),
            "household_id": str(household.id), "visited_at": at + VN, "outcome": outcome,
            "residents": [{"resident_id": str(r.id), "actions": acts,
                           "consent": {"given": True, "method": "verbal"}}
                          for r, acts in residents], **over}


async def progress(client, h, cid):
    resp = await client.get(f"/api/v1/campaigns/{cid}/progress", headers=h)
    assert resp.status_code == 200, resp.text
    return resp.json()


class TestCampaignFlow:
    async def test_start_freezes_and_walk_lists_split(self, client, session, field):
        cid = await started(client, field)
        camp = (await client.get(f"/api/v1/campaigns/{cid}", headers=field["leader"])).json()
        assert (camp["status"], camp["target_households"], camp["target_residents"]) == \
            ("active", 6, 6)
        late = await make_household(session, field["tree"].group_a1, house_number="99")
        walk = (await client.get(f"/api/v1/campaigns/{cid}/walk-list",
                                 headers=field["vols"][0])).json()
        assert [s["house_number"] for s in walk["items"]] == ["1", "2", "3"]
        stop = walk["items"][0]
        assert set(stop["residents"][0]) == {"resident_id", "full_name", "relationship", "age",
                                             "open_goals"}
        assert stop["residents"][0]["open_goals"] == ["join_group", "activate_vneid_level2"]
        other = await client.get(f"/api/v1/campaigns/{cid}/walk-list?volunteer_id="
                                 f"{field['vol_ids'][1]}", headers=field["vols"][0])
        assert_problem(other, 403, "forbidden")
        resp = await client.post(f"/api/v1/campaigns/{cid}/assignments", headers=field["leader"],
                                 json={"mode": "manual", "household_ids": [str(late.id)],
                                       "volunteer_id": str(field["vol_ids"][1])})
        assert resp.status_code == 200, resp.text
        walk = (await client.get(f"/api/v1/campaigns/{cid}/walk-list",
                                 headers=field["vols"][1])).json()
        assert [s["house_number"] for s in walk["items"]] == ["4", "5", "6", "99"]
        assert walk["items"][-1]["added_late"] is True
        patch = await client.patch(f"/api/v1/campaigns/{cid}", json={"goals": ["use_portal"]},
                                   headers={**field["leader"], "If-Match": f'"{camp["id"][:8]}'
                                            f'.{camp["version"]}"'})
        assert_problem(patch, 409, "campaign_not_draft")

    async def test_visit_updates_readiness_and_progress(self, client, session, field):
        cid = await started(client, field)
        hh, person = field["households"][0], field["residents"][0]
        body = visit(hh, residents=[(person, ["invited_to_group", "joined_group"])],
                     needs=[{"category": "app_help", "description": "Cần kích hoạt VNeID mức 2"}])
        resp = await client.post(f"/api/v1/campaigns/{cid}/visits", headers=field["vols"][0],
                                 json=body)
        assert resp.status_code == 201, resp.text
        kinds = {f.kind for f in (await session.exec(select(ReadinessFact).where(
            ReadinessFact.resident_id == person.id))).all()}
        assert {"invited_to_group", "joined_group"} <= kinds
        p = await progress(client, field["auditor"], cid)
        assert (p["households_reached"], p["households_not_reached"]) == (1, 5)
        assert p["actions"]["invited_to_group"] == 1 and p["actions"]["joined_group"] == 1
        join = next(f for f in p["funnels"] if f["goal"] == "join_group")
        assert join["onboarded"] == 1 and join["steps"][0]["share_of_base"] == round(1 / 6, 4)
        assert p["by_day"][0]["key"] == "2026-01-11"
        assert p["by_unit"][0]["target_households"] == 6
        assert p["by_volunteer"][0]["households_reached"] == 1
        needs = (await client.get(f"/api/v1/campaigns/{cid}/needs",
                                  headers=field["leader"])).json()["items"]
        assert needs[0]["category"] == "app_help"
        walk = (await client.get(f"/api/v1/campaigns/{cid}/walk-list",
                                 headers=field["vols"][0])).json()
        assert walk["items"][0]["residents"][0]["open_goals"] == ["activate_vneid_level2"]
        assert walk["items"][0]["last_outcome"] == "met"

    async def test_replays_create_once_and_other_bodies_are_refused(self, client, field):
        cid = await started(client, field)
        hh, person = field["households"][0], field["residents"][0]
        body = visit(hh, residents=[(person, ["invited_to_group"])], client_visit_id="offline-1")
        url, h = f"/api/v1/campaigns/{cid}/visits", field["vols"][0]
        first = await client.post(url, headers=h, json=body)
        again = await client.post(url, headers=h, json=body)
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json()["id"] == first.json()["id"]
        changed = await client.post(url, headers=h, json={**body, "outcome": "refused"})
        assert_invalid(changed, {("body", "client_visit_id"): "client_visit_id_reused"})
        keyed = {**h, "Idempotency-Key": "phone-queue-7"}
        body2 = visit(field["households"][1], client_visit_id="offline-2")
        assert (await client.post(url, headers=keyed, json=body2)).status_code == 201
        assert (await client.post(url, headers=keyed, json=body2)).status_code == 201
        p = await progress(client, h, cid)
        assert p["households_reached"] == 2 and p["actions"]["invited_to_group"] == 1

    async def test_out_of_order_visits_resolve_by_time(self, client, field):
        cid = await started(client, field)
        hh, person = field["households"][0], field["residents"][0]
        url, h = f"/api/v1/campaigns/{cid}/visits", field["vols"][0]
        later = visit(hh, at="2026-01-12T11:00:00", residents=[(person, ["invited_to_group"])])
        earlier = visit(hh, at="2026-01-11T10:00:00", outcome="come_back_later",
                        residents=[(person, ["invited_to_group"])])
        assert (await client.post(url, headers=h, json=later)).status_code == 201
        p = await progress(client, h, cid)
        assert [(d["key"], d["households_reached"]) for d in p["by_day"]] == [("2026-01-12", 1)]
        assert (await client.post(url, headers=h, json=earlier)).status_code == 201
        p = await progress(client, h, cid)
        days = {d["key"]: (d["households_reached"], d["actions"].get("invited_to_group", 0))
                for d in p["by_day"]}
        assert days == {"2026-01-11": (1, 1), "2026-01-12": (0, 0)}
        assert p["households_reached"] == 1 and p["actions"]["invited_to_group"] == 1
        walk = (await client.get(f"/api/v1/campaigns/{cid}/walk-list", headers=h)).json()
        assert walk["items"][0]["last_outcome"] == "met"  # the later visit stays the latest

    async def test_bad_visits_write_nothing(self, client, session, field):
        cid = await started(client, field)
        url, h = f"/api/v1/campaigns/{cid}/visits", field["vols"][0]
        mine, theirs = field["households"][0], field["households"][5]
        future = (datetime.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S")
        cases = [
            (visit(theirs), 404, "household_not_in_walk_list"),
            (visit(mine, at=future), 422, "date_in_future"),
            (visit(mine, at="2026-01-10T23:00:00"), 422, "visit_before_campaign"),
            (visit(mine, residents=[(field["residents"][3], ["invited_to_group"])]), 422,
             "resident_not_in_household"),
            ({**visit(mine), "outcome": "sleeping"}, 422, "validation_failed"),
            ({**visit(mine), "visited_at": "2026-01-11T09:00:00"}, 422, "timezone_aware"),
        ]
        for body, status, code in cases:
            resp = await client.post(url, headers=h, json=body)
            assert resp.status_code == status, (code, resp.text)
            problem = resp.json()
            assert code in (problem["code"], *[e["code"] for e in problem.get("errors", [])])
        p = await progress(client, h, cid)
        assert p["households_reached"] == 0 and sum(p["actions"].values()) == 0
        camp = (await client.get(f"/api/v1/campaigns/{cid}", headers=field["leader"]))
        await client.post(f"/api/v1/campaigns/{cid}/close",
                          headers={**field["leader"], "If-Match": camp.headers["etag"]})
        # A closed campaign is out of a volunteer's scope; a leader is told it is closed.
        assert_problem(await client.post(url, headers=h, json=visit(mine)), 404,
                       "campaign_not_found")
        resp = await client.post(url, headers=field["leader"], json=visit(mine))
        assert_problem(resp, 409, "campaign_not_active")

    async def test_roles(self, client, field):
        cid = await started(client, field)
        body = {"name": "X", "goals": ["use_portal"], "group_ids": [str(field["tree"].group_a1.id)],
                "starts_on": "2026-01-11", "ends_on": "2026-01-12"}
        assert_problem(await client.post("/api/v1/campaigns", headers=field["vols"][0],
                                         json=body), 403, "forbidden")
        assert_problem(await client.post(f"/api/v1/campaigns/{cid}/visits",
                                         headers=field["auditor"],
                                         json=visit(field["households"][0])), 403, "forbidden")
        listed = (await client.get("/api/v1/campaigns", headers=field["vols"][0])).json()
        assert [c["id"] for c in listed["items"]] == [cid]
        leader_visit = await client.post(f"/api/v1/campaigns/{cid}/visits",
                                         headers=field["leader"],
                                         json=visit(field["households"][5]))
        assert leader_visit.status_code == 201  # leaders may record for any target household


def test_dates_are_vietnamese_days():
    from domain.clock import day_vn

    assert day_vn(datetime.fromisoformat("2026-01-10T18:30:00+00:00")) == date(2026, 1, 11)
