"""Residents: rules, uniqueness, masking per role, scope, search, concurrency headers."""

from __future__ import annotations

import unicodedata
from datetime import UTC

import pytest
from sqlalchemy import func
from sqlmodel import select

from domain.access import Role
from domain.audit.models import AuditEvent
from domain.register.models import Resident
from repositories.register.records import ResidentRepository
from tests.api.test_ops import assert_problem
from tests.builders import (
    bearer,
    make_household,
    make_resident,
    make_tree,
    make_user,
    make_walk,
    random_id_number,
)
from tests.name_order import (
    check_full_name_order,
    check_roster_and_search,
    check_roster_punctuation,
)


@pytest.fixture
async def world(app, session):
    tree = await make_tree(session)
    household = await make_household(session, tree.group_a1, street=tree.street_a)
    head = await make_resident(session, household, head=True, id_number=random_id_number(),
                               phone="+84912345678")
    other_household = await make_household(session, tree.group_b1)
    stranger = await make_resident(session, other_household, head=True,
                                   full_name="Trần Thị Bình", sex="female")
    leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
    return {"tree": tree, "household": household, "head": head, "stranger": stranger,
            "other_household": other_household,
            "leader": bearer(app, leader, [tree.group_a1])}


def body(household, **over):
    data = {"household_id": str(household.id), "relationship": "child",
            "full_name": "Nguyễn Thị Ánh", "birth_date": "2004-03-15", "sex": "female",
            "id_number": random_id_number(2004, "female"), "phone": "0912.345.679"}
    data.update(over)
    return data


class TestCreate:
    async def test_creates_with_normalised_values(self, client, world):
        decomposed = unicodedata.normalize("NFD", "Nguyễn  Thị Ánh")
        resp = await client.post("/api/v1/residents", headers=world["leader"],
                                 json=body(world["household"], full_name=decomposed))
        assert resp.status_code == 201, resp.text
        data = resp.json()
        assert data["full_name"] == unicodedata.normalize("NFC", "Nguyễn Thị Ánh")
        assert data["phone"] == "+84912345679"
        assert data["birth_year"] == 2004 and data["data_quality"] == []
        assert data["group_id"] == str(world["tree"].group_a1.id)
        assert resp.headers["location"] == f"/api/v1/residents/{data['id']}"

    async def test_id_number_disagreeing_with_birth_is_flagged_not_refused(self, client, world):
        resp = await client.post("/api/v1/residents", headers=world["leader"], json=body(
            world["household"], id_number=random_id_number(1990, "male")))
        assert resp.status_code == 201
        assert resp.json()["data_quality"] == ["id_number_mismatch"]

    async def test_second_living_record_is_409_pointing_at_the_first(self, client, world):
        head = world["head"]
        resp = await client.post("/api/v1/residents", headers=world["leader"], json=body(
            world["household"], id_number=head.id_number, birth_date="1980-05-17", sex="male"))
        problem = assert_problem(resp, 409, "id_number_taken")
        assert problem["existing_id"] == str(head.id)

    @pytest.mark.parametrize(("over", "code", "loc"), [
        ({"id_number": "05230400123A"}, "id_number_not_digits", "id_number"),
        ({"id_number": "05230400123"}, "id_number_length", "id_number"),
        ({"id_number": "003304001234"}, "id_number_province_unknown", "id_number"),
        ({"id_number": "052504001234"}, "id_number_born_in_future", "id_number"),  # 2104
        ({"phone": "12345"}, "phone_invalid", "phone"),
        ({"phone": "0912 345 67x"}, "phone_invalid", "phone"),
        ({"birth_date": "2999-01-01"}, "birth_date_future", "birth_date"),
        ({"birth_date": "1990-02-31"}, "date_from_datetime_parsing", "birth_date"),
        ({"birth_date": None}, "birth_required", "birth_date"),
        ({"residence_status": "deceased"}, "status_date_required", "status_changed_on"),
        ({"residence_status": "temporary"}, "residence_since_required", "residence_since"),
        ({"full_name": "A\u0000B"}, "control_characters", "full_name"),
        ({"role": "admin"}, "extra_forbidden", "role"),
    ])
    async def test_bad_input_is_422_and_writes_nothing(self, client, session, world, over, code,
                                                       loc):
        before = await session.scalar(select(func.count()).select_from(Resident))
        resp = await client.post("/api/v1/residents", headers=world["leader"],
                                 json=body(world["household"], **over))
        assert resp.status_code == 422, resp.text
        errors = resp.json()["errors"]
        assert any(e["code"].startswith(code.split("_from")[0]) and e["loc"][-1] == loc
                   for e in errors), errors
        assert all(e["message"] for e in errors)
        assert await session.scalar(select(func.count()).select_from(Resident)) == before

    async def test_phone_forms_people_type(self, client, world):
        for i, typed in enumerate(["0912 345 680", "84912345680", "+84 912 345 680",
                                   "(+84) 912.345.680"]):
            resp = await client.post("/api/v1/residents", headers=world["leader"], json=body(
                world["household"], full_name=f"Lê Văn {chr(65 + i)}", sex="male",
                id_number=random_id_number(2004, "male")))
            assert resp.status_code == 201, resp.text
            rid = resp.json()["id"]
            etag = resp.headers["etag"]
            resp = await client.patch(f"/api/v1/residents/{rid}", headers={
                **world["leader"], "If-Match": etag}, json={"phone": typed})
            assert resp.json()["phone"] == "+84912345680", typed


class TestMaskingAndScope:
    async def test_volunteer_sees_masked_personal_data(self, app, client, session, world):
        tree = world["tree"]
        volunteer = await make_user(session, role=Role.volunteer, units=[tree.group_a1])
        await make_walk(session, volunteer, [world["household"]])
        h = bearer(app, volunteer, [tree.group_a1])
        data = (await client.get(f"/api/v1/residents/{world['head'].id}", headers=h)).json()
        assert data["id_number"] == "********" + world["head"].id_number[-4:]
        assert data["phone"] == "********5678"
        assert data["birth_date"] is None
        assert set(data["masked_fields"]) == {"id_number", "phone", "birth_date"}
        listed = (await client.get(f"/api/v1/residents?household_id={world['household'].id}",
                                   headers=h)).json()["items"]
        assert listed[0]["id_number"].startswith("********")

    async def test_leader_sees_full_record(self, client, world):
        data = (await client.get(f"/api/v1/residents/{world['head'].id}",
                                 headers=world["leader"])).json()
        assert data["id_number"] == world["head"].id_number and data["masked_fields"] == []

    async def test_other_groups_are_invisible(self, client, world):
        h, stranger = world["leader"], world["stranger"]
        assert_problem(await client.get(f"/api/v1/residents/{stranger.id}", headers=h), 404,
                       "resident_not_found")
        patch = await client.patch(f"/api/v1/residents/{stranger.id}",
                                   headers={**h, "If-Match": '"x"'}, json={"full_name": "X"})
        assert_problem(patch, 404, "resident_not_found")
        page = (await client.get("/api/v1/residents?q=binh&include_total=true",
                                 headers=h)).json()
        assert page["total"] == 0 and page["items"] == []
        assert_problem(await client.get(
            f"/api/v1/households/{world['other_household'].id}", headers=h), 404,
            "household_not_found")
        assert_problem(await client.get(
            f"/api/v1/residents/{stranger.id}/history", headers=h), 404, "resident_not_found")
        listed = (await client.get("/api/v1/households?include_total=true", headers=h)).json()
        assert listed["total"] == 1

    async def test_full_record_read_is_audited(self, client, session, world):
        await client.get(f"/api/v1/residents/{world['head'].id}", headers=world["leader"])
        events = (await session.exec(select(AuditEvent).where(
            AuditEvent.action == "resident.read"))).all()
        assert any(str(world["head"].id) in e.object_ids for e in events)


class TestSearch:
    async def test_folded_search_ranks_exact_diacritics_first(self, client, session, world):
        household = world["household"]
        await make_resident(session, household, full_name="Đường Văn Lâm")
        await make_resident(session, household, full_name="Dương Văn Lâm")
        await make_resident(session, household, full_name="Trần Phú Đức")
        h = world["leader"]
        items = (await client.get("/api/v1/residents?q=Dương", headers=h)).json()["items"]
        assert [i["full_name"] for i in items] == ["Dương Văn Lâm", "Đường Văn Lâm"]
        items = (await client.get("/api/v1/residents?q=tran%20duc", headers=h)).json()["items"]
        assert [i["full_name"] for i in items] == ["Trần Phú Đức"]

    async def test_roster_order_and_search_ranks(self, client, session, world):
        household = await make_household(session, world["tree"].group_a1)
        await check_roster_and_search(client, world["leader"], str(household.id))

    async def test_full_name_order_is_vietnamese_in_written_order(self, client, session,
                                                                  world):
        household = await make_household(session, world["tree"].group_a1)
        await check_full_name_order(client, world["leader"], str(household.id))

    async def test_punctuation_around_q_and_a_blank_q(self, client, session, world):
        """Quotes and punctuation around a word are not part of it; a `q` of apostrophes,
        quotes or punctuation alone is a blank `q`: the whole roster, in roster order."""
        household = await make_household(session, world["tree"].group_a1)
        await check_roster_and_search(client, world["leader"], str(household.id))
        await check_roster_punctuation(client, world["leader"], str(household.id))

    async def test_keyset_pages_cover_everything_once(self, client, session, world):
        household = world["household"]
        for i in range(7):
            await make_resident(session, household, full_name=f"Phạm Văn {chr(75 + i)}")
        h = world["leader"]
        seen, cursor = [], None
        while True:
            url = f"/api/v1/residents?household_id={household.id}&limit=3"
            page = (await client.get(url + (f"&cursor={cursor}" if cursor else ""),
                                     headers=h)).json()
            seen += [i["id"] for i in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == 8

    async def test_filters(self, client, world):
        h, hid = world["leader"], world["household"].id
        resp = await client.get(f"/api/v1/residents?household_id={hid}&age_min=40&sex=male",
                                headers=h)
        assert [i["id"] for i in resp.json()["items"]] == [str(world["head"].id)]
        resp = await client.get(f"/api/v1/residents?household_id={hid}&age_max=30", headers=h)
        assert resp.json()["items"] == []
        resp = await client.get(f"/api/v1/residents?missing_readiness=joined_group"
                                f"&household_id={hid}", headers=h)
        assert len(resp.json()["items"]) == 1


class TestUpdate:
    async def test_etag_required_and_stale_refused(self, client, world):
        url, h = f"/api/v1/residents/{world['head'].id}", world["leader"]
        etag = (await client.get(url, headers=h)).headers["etag"]
        assert_problem(await client.patch(url, headers=h, json={"full_name": "X Y"}), 428,
                       "precondition_required")
        ok = await client.patch(url, headers={**h, "If-Match": etag},
                                json={"residence_status": "temporarily_absent"})
        assert ok.status_code == 200, ok.text
        stale = await client.patch(url, headers={**h, "If-Match": etag}, json={"sex": "female"})
        assert_problem(stale, 412, "precondition_failed")
        history = (await client.get(url + "/history", headers=h)).json()["items"]
        assert [e["action"] for e in history] == ["updated"]
        assert history[0]["after"] == {"residence_status": "temporarily_absent"}

    async def test_readiness_fact_is_dated_and_signed(self, client, world):
        url, h = f"/api/v1/residents/{world['head'].id}", world["leader"]
        resp = await client.post(url + "/readiness", headers=h,
                                 json={"kind": "vneid_level2", "occurred_on": "2026-01-11"})
        assert resp.status_code == 200, resp.text
        fact = resp.json()["readiness"]["vneid_level2"]
        assert fact["occurred_on"] == "2026-01-11" and fact["recorded_by_name"]
        future = await client.post(url + "/readiness", headers=h,
                                   json={"kind": "joined_group", "occurred_on": "2999-01-01"})
        assert future.status_code == 422


class TestSearchPages:
    async def test_q_search_pages_through_ranked_results(self, client, session, world):
        household = world["household"]
        for i in range(5):
            await make_resident(session, household, full_name=f"Dương Văn {chr(65 + i)}")
            await make_resident(session, household, full_name=f"Đường Văn {chr(65 + i)}")
        h, seen, cursor = world["leader"], [], None
        while True:
            url = "/api/v1/residents?q=Dương%20Văn&limit=3" + (f"&cursor={cursor}" if cursor
                                                               else "")
            resp = await client.get(url, headers=h)
            assert resp.status_code == 200, resp.text
            page = resp.json()
            seen += [i["full_name"] for i in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == 10
        assert all(n.startswith("Dương") for n in seen[:5])
        assert all(n.startswith("Đường") for n in seen[5:])


class TestFastReadDocument:
    """The read paths write plain documents (orjson; list pages on PostgreSQL: the database
    itself); they must equal the pydantic view."""

    @pytest.mark.parametrize("role", [Role.ward_officer, Role.volunteer])
    async def test_record_and_list_equal_the_model(self, app, client, session, world, role):
        from datetime import date, datetime

        from domain.access import Principal, permissions_for
        from domain.register.models import ReadinessFact
        from domain.register.views import resident_view

        tree, household = world["tree"], world["household"]
        # On PostgreSQL list pages are written by the database: whole seconds lose their
        # fraction as orjson writes them, and of two facts of one kind the later one shows.
        year_only = await make_resident(session, household, full_name="Lê Thị Đào",
                                        sex="female", birth_date=None, birth_year=1950,
                                        id_number_mismatch=True, phone="+84381234567",
                                        created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
        for day, who_recorded in ((5, "Cũ"), (9, "Mới"), (7, "Giữa")):
            session.add(ReadinessFact(resident_id=year_only.id, kind="invited_to_group",
                                      occurred_on=date(2026, 4, day),
                                      recorded_by_name=who_recorded,
                                      recorded_at=datetime(2026, 4, day, tzinfo=UTC)))
        session.add(ReadinessFact(resident_id=world["head"].id, kind="vneid_level2",
                                  occurred_on=date(2026, 3, 1), recorded_by_name="Tổ trưởng",
                                  recorded_at=datetime(2026, 3, 1, 2, 3, 4, tzinfo=UTC)))
        session.add(ReadinessFact(resident_id=world["head"].id, kind="joined_group",
                                  occurred_on=date(2026, 3, 2), recorded_by_name=None,
                                  recorded_at=datetime(2026, 3, 2, 2, 3, 4, 5, tzinfo=UTC)))
        await session.flush()
        user = await make_user(session, role=role, units=[tree.group_a1])
        if role == Role.volunteer:  # a volunteer reads the households they walk
            await make_walk(session, user, [household])
        h = bearer(app, user, [tree.group_a1])
        who = Principal(user.id, user.username, role, frozenset({tree.group_a1.id}),
                        permissions_for(role))
        listed = await client.get(f"/api/v1/residents?household_id={household.id}", headers=h)
        assert listed.status_code == 200, listed.text
        items = {item["id"]: item for item in listed.json()["items"]}
        assert len(items) == 2
        for resident in (world["head"], year_only):
            await session.refresh(resident)
            facts = await ResidentRepository(session).readiness([resident.id])
            expected = resident_view(resident, facts.get(resident.id, {}), who).model_dump(
                mode="json")
            one = await client.get(f"/api/v1/residents/{resident.id}", headers=h)
            assert one.status_code == 200
            assert one.headers["ETag"] == resident.etag
            assert one.headers["content-type"] == "application/json"
            assert one.json() == expected == items[str(resident.id)]
        assert items[str(world["head"].id)]["readiness"]["joined_group"]["recorded_at"] == (
            "2026-03-02T02:03:04.000005Z")
        late = items[str(year_only.id)]
        assert late["readiness"]["invited_to_group"]["recorded_by_name"] == "Mới"
        assert late["created_at"] == "2026-01-02T03:04:05Z"
