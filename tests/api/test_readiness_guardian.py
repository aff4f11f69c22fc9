"""VNeID level 2 under 14 needs a guardian (DOMAIN.md "Digital readiness"): the one rule
(`rules.guardian_fault`) on every path that records the fact, the API's and a visit's."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlmodel import select

from domain.access import Role
from domain.outreach.models import Visit
from domain.register.models import ReadinessFact
from domain.register.rules import guardian_fault
from tests.api.test_campaigns import started, visit
from tests.api.test_ops import assert_invalid
from tests.builders import bearer, make_household, make_resident, make_tree, make_user

CHILD_BORN = date(2012, 3, 10)  # 14 on 2026-03-10


@pytest.fixture
async def family(app, session):
    tree = await make_tree(session)
    home = await make_household(session, tree.group_a1, street=tree.street_a)
    mother = await make_resident(session, home, head=True, full_name="Siu H'Prông",
                                 sex="female", birth_date=date(1985, 2, 1), birth_year=1985)
    child = await make_resident(session, home, full_name="Rơ Châm H'Bia", sex="female",
                                birth_date=CHILD_BORN, birth_year=CHILD_BORN.year)
    sister = await make_resident(session, home, full_name="Rơ Châm Ksor", sex="female",
                                 birth_date=date(2009, 1, 5), birth_year=2009)  # 17 in 2026
    away = await make_household(session, tree.group_b1)
    stranger = await make_resident(session, away, head=True, full_name="Trần Văn Phú")
    leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
    return {"tree": tree, "home": home, "mother": mother, "child": child, "sister": sister,
            "stranger": stranger, "leader": bearer(app, leader, [tree.group_a1])}


async def record(client, family, person, **body):
    return await client.post(f"/api/v1/residents/{person.id}/readiness",
                             headers=family["leader"], json={"kind": "vneid_level2",
                                                             "occurred_on": "2026-01-11",
                                                             **body})


async def facts(session, person) -> list[ReadinessFact]:
    return list((await session.exec(select(ReadinessFact).where(
        ReadinessFact.resident_id == person.id))).all())


LOC = ("body", "guardian_id")


class TestRecordReadiness:
    async def test_a_child_without_a_guardian_is_refused_and_nothing_is_written(
            self, client, session, family):
        resp = await record(client, family, family["child"])
        body = assert_invalid(resp, {LOC: "guardian_required"})
        assert "14" in body["errors"][0]["message"] and "giám hộ" in body["errors"][0]["message"]
        assert await facts(session, family["child"]) == []
        en = await client.post(f"/api/v1/residents/{family['child'].id}/readiness",
                               headers={**family["leader"], "Accept-Language": "en"},
                               json={"kind": "vneid_level2", "occurred_on": "2026-01-11"})
        assert "guardian" in assert_invalid(en, {LOC: "guardian_required"})["errors"][0][
            "message"]

    async def test_with_a_parent_it_is_recorded_and_shown(self, client, session, family):
        resp = await record(client, family, family["child"],
                            guardian_id=str(family["mother"].id))
        assert resp.status_code == 200, resp.text
        assert resp.json()["readiness"]["vneid_level2"]["guardian_id"] == str(
            family["mother"].id)
        [fact] = await facts(session, family["child"])
        assert fact.guardian_id == family["mother"].id
        read = await client.get(f"/api/v1/residents/{family['child'].id}",
                                headers=family["leader"])
        assert read.json()["readiness"]["vneid_level2"]["guardian_id"] == str(
            family["mother"].id)
        listed = await client.get("/api/v1/residents", headers=family["leader"],
                                  params={"household_id": str(family["home"].id)})
        child = next(r for r in listed.json()["items"] if r["id"] == str(family["child"].id))
        assert child["readiness"]["vneid_level2"]["guardian_id"] == str(family["mother"].id)

    @pytest.mark.parametrize(("day", "needed"), [
        ("2026-03-09", True),  # the day before the 14th birthday
        ("2026-03-10", False),  # the birthday itself
        ("2026-11-30", False),
    ])
    async def test_the_age_is_taken_on_the_facts_day(self, client, family, day, needed):
        resp = await record(client, family, family["child"], occurred_on=day)
        if needed:
            assert_invalid(resp, {LOC: "guardian_required"})
        else:
            assert resp.status_code == 200, resp.text

    async def test_other_facts_of_a_child_need_no_guardian(self, client, family):
        for kind in ("joined_group", "has_smartphone", "vneid_level1", "fraud_warning"):
            resp = await record(client, family, family["child"], kind=kind)
            assert resp.status_code == 200, (kind, resp.text)

    async def test_a_guardian_on_another_kind_of_fact_is_refused(self, client, family):
        resp = await record(client, family, family["mother"], kind="joined_group",
                            guardian_id=str(family["mother"].id))
        assert_invalid(resp, {LOC: "guardian_not_applicable"})

    async def test_unknown_removed_and_out_of_scope_guardians_are_one_answer(
            self, client, session, family):
        from domain.types import utcnow

        gone = await make_resident(session, family["home"], full_name="Lê Văn Đã Xoá",
                                   deleted_at=utcnow())
        answers = []
        for guardian in (uuid.uuid4(), gone.id, family["stranger"].id):
            resp = await record(client, family, family["child"], guardian_id=str(guardian))
            body = assert_invalid(resp, {LOC: "guardian_not_found"})
            answers.append((body["title"], body["errors"][0]["message"]))
        assert len(set(answers)) == 1  # nothing tells the stranger apart
        assert await facts(session, family["child"]) == []

    async def test_a_guardian_must_be_an_adult_living_other_person(self, client, session,
                                                                   family):
        dead = await make_resident(session, family["home"], full_name="Rơ Châm Y",
                                   residence_status="deceased",
                                   status_changed_on=date(2025, 5, 1))
        for guardian in (family["sister"], dead, family["child"]):
            resp = await record(client, family, family["child"], guardian_id=str(guardian.id))
            assert_invalid(resp, {LOC: "guardian_ineligible"})
        later = await make_resident(session, family["home"], full_name="Rơ Châm Nay",
                                    residence_status="deceased",
                                    status_changed_on=date(2026, 6, 1))
        ok = await record(client, family, family["child"], guardian_id=str(later.id))
        assert ok.status_code == 200, ok.text  # living on the fact's day

    async def test_the_rule_meets_the_days_own_checks_in_one_answer(self, client, family):
        resp = await record(client, family, family["child"], occurred_on="2011-01-01")
        assert_invalid(resp, {("body", "occurred_on"): "date_before_birth"})


class TestMerge:
    async def test_a_merged_guardian_record_passes_to_the_record_kept(self, client, session,
                                                                      family):
        twin = await make_resident(session, family["home"], full_name="Siu HPrông",
                                   sex="female", birth_year=1985, birth_date=None)
        assert (await record(client, family, family["child"],
                             guardian_id=str(twin.id))).status_code == 200
        url = f"/api/v1/residents/{family['mother'].id}"
        tag = (await client.get(url, headers=family["leader"])).headers["etag"]
        merged = await client.post(url + "/merge", headers={**family["leader"], "If-Match": tag},
                                   json={"duplicate_id": str(twin.id)})
        assert merged.status_code == 200, merged.text
        await session.refresh((await facts(session, family["child"]))[0])
        [fact] = await facts(session, family["child"])
        assert fact.guardian_id == family["mother"].id


class Person:
    def __init__(self, born: date | None, year: int | None, **over):
        self.id = over.pop("id", uuid.uuid4())
        self.birth_date, self.birth_year = born, year
        self.residence_status = over.pop("residence_status", "permanent")
        self.status_changed_on = over.pop("status_changed_on", None)


class TestRule:
    """The pure rule over the class of ages, with a full date and with a year alone."""

    ON = date(2026, 6, 15)

    @pytest.mark.parametrize(("born", "needed"), [
        (date(2012, 6, 16), True), (date(2012, 6, 15), False), (date(2020, 1, 1), True),
        (date(1990, 1, 1), False)])
    def test_under_14_by_the_full_date(self, born, needed):
        fault = guardian_fault("vneid_level2", Person(born, born.year), self.ON, None)
        assert (fault == "guardian_required") is needed

    @pytest.mark.parametrize(("year", "needed"), [(2013, True), (2012, False), (2000, False)])
    def test_under_14_by_a_year_alone(self, year, needed):
        fault = guardian_fault("vneid_level2", Person(None, year), self.ON, None)
        assert (fault == "guardian_required") is needed

    @pytest.mark.parametrize(("born", "fit"), [
        (date(2008, 6, 15), True), (date(2008, 6, 16), False), (date(1950, 1, 1), True)])
    def test_a_guardian_is_18_on_the_day(self, born, fit):
        child = Person(date(2020, 1, 1), 2020)
        fault = guardian_fault("vneid_level2", child, self.ON, Person(born, born.year))
        assert (fault is None) is fit

    def test_every_other_kind_needs_none_and_takes_none(self):
        child = Person(date(2020, 1, 1), 2020)
        for kind in ("invited_to_group", "joined_group", "has_smartphone", "vneid_level1",
                     "public_service_portal", "fraud_warning"):
            assert guardian_fault(kind, child, self.ON, None) is None
            assert guardian_fault(kind, child, self.ON, Person(date(1980, 1, 1), 1980)) == (
                "guardian_not_applicable")


class TestVisits:
    @pytest.fixture
    async def walk(self, app, session, family):
        volunteers = [await make_user(session, role=Role.volunteer,
                                      units=[family["tree"].group_a1]) for _ in range(2)]
        field = {**family, "vol_ids": [v.id for v in volunteers],
                 "vols": [bearer(app, v, [family["tree"].group_a1]) for v in volunteers]}
        return field

    async def _post(self, client, walk, cid, person_body):
        body = visit(walk["home"])
        body["residents"] = [person_body]
        for h in walk["vols"]:  # whoever walks the household
            resp = await client.post(f"/api/v1/campaigns/{cid}/visits", headers=h, json=body)
            if resp.status_code != 404 and not (
                    resp.status_code == 422 and "household_not_in_walk_list" in resp.text):
                return resp
        raise AssertionError(resp.text)

    async def test_level_2_at_the_door_follows_the_same_rule(self, client, session, walk):
        cid = await started(client, walk)
        child = {"resident_id": str(walk["child"].id),
                 "actions": ["installed_vneid", "activated_level2"],
                 "consent": {"given": True, "method": "verbal"}}
        refused = await self._post(client, walk, cid, child)
        assert_invalid(refused, {("body", "residents", 0, "guardian_id"): "guardian_required"})
        assert await facts(session, walk["child"]) == []
        assert (await session.exec(select(Visit).where(
            Visit.household_id == walk["home"].id))).first() is None
        stranger = await self._post(client, walk, cid,
                                    {**child, "guardian_id": str(walk["stranger"].id)})
        assert_invalid(stranger, {("body", "residents", 0, "guardian_id"):
                                  "guardian_not_found"})
        ok = await self._post(client, walk, cid, {**child, "guardian_id": str(walk["mother"].id)})
        assert ok.status_code == 201, ok.text
        got = {f.kind: f.guardian_id for f in await facts(session, walk["child"])}
        assert got == {"vneid_level1": None, "vneid_level2": walk["mother"].id}
        assert ok.json()["residents"][0]["guardian_id"] == str(walk["mother"].id)

    async def test_a_guardian_without_level_2_is_out_of_place(self, client, walk):
        cid = await started(client, walk)
        resp = await self._post(client, walk, cid, {
            "resident_id": str(walk["child"].id), "actions": ["joined_group"],
            "guardian_id": str(walk["mother"].id)})
        assert_invalid(resp, {("body", "residents", 0, "guardian_id"):
                              "guardian_not_applicable"})

    async def test_a_visit_without_a_guardian_is_stored_as_before(self, client, walk):
        cid = await started(client, walk)
        resp = await self._post(client, walk, cid, {
            "resident_id": str(walk["mother"].id), "actions": ["activated_level2"]})
        assert resp.status_code == 201, resp.text
        assert "guardian_id" not in resp.json()["residents"][0]
