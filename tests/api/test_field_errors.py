"""One 422 lists every bad field of a body at once, schema and domain rules alike, under the
top-level code `validation_failed`; each entry keeps its own code, `loc` and message."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from domain.access import Role
from domain.clock import today_vn
from domain.units.models import Street
from tests.api.test_announcements import create, moment, notice
from tests.api.test_campaigns import field, started, visit  # noqa: F401  (fixture)
from tests.api.test_imports import csv_bytes, post, row
from tests.api.test_ops import assert_invalid, assert_problem
from tests.builders import bearer, make_household, make_resident, make_tree, make_user

NOBODY = str(uuid.UUID(int=1))  # an id nothing holds


@pytest.fixture
async def ward(app, session):
    tree = await make_tree(session)
    household = await make_household(session, tree.group_a1, street=tree.street_a)
    head = await make_resident(session, household, head=True, birth_date=date(1990, 6, 1),
                               birth_year=1990)
    elsewhere = Street(commune_id=tree.commune_b.id, province_id=tree.province.id,
                       name="Lê Lợi", name_folded="le loi")
    session.add(elsewhere)
    officer = await make_user(session, role=Role.ward_officer, units=[tree.commune_a])
    admin = await make_user(session, role=Role.admin)
    volunteer = await make_user(session, role=Role.volunteer, units=[tree.group_a1])
    await session.flush()
    return {"tree": tree, "household": household, "head": head, "street_b": elsewhere,
            "h": bearer(app, officer, [tree.commune_a]), "admin": bearer(app, admin),
            "volunteer": volunteer}


async def patch(client, headers, url, body):
    got = await client.get(url, headers=headers)
    assert got.status_code == 200, got.text
    return await client.patch(url, json=body, headers={**headers, "If-Match": got.headers["etag"]})


class TestResidents:
    async def test_schema_errors_and_field_rules_come_together(self, client, ward):
        body = {"household_id": str(ward["household"].id), "full_name": "Trần Thị Lan",
                "sex": "alien", "birth_date": "1899-12-31", "id_number": "0523-04x",
                "phone": "12345", "nickname": "Lan"}
        resp = await client.post("/api/v1/residents", headers=ward["h"], json=body)
        assert_invalid(resp, {("body", "sex"): "enum",
                              ("body", "birth_date"): "birth_date_too_old",
                              ("body", "id_number"): "id_number_not_digits",
                              ("body", "phone"): "phone_invalid",
                              ("body", "nickname"): "extra_forbidden"})

    async def test_rules_between_fields_come_together(self, client, ward):
        body = {"full_name": "Trần Thị Lan", "sex": "female", "birth_date": "1990-01-01",
                "residence_status": "moved_out", "residence_since": "1989-12-31"}
        resp = await client.post("/api/v1/residents", headers=ward["h"], json=body)
        assert_invalid(resp, {("body", "group_id"): "group_required",
                              ("body", "status_changed_on"): "status_date_required",
                              ("body", "residence_since"): "date_before_birth"})

    async def test_a_patch_meets_the_stored_record_with_every_rule(self, client, ward):
        url = f"/api/v1/residents/{ward['head'].id}"
        resp = await patch(client, ward["h"], url, {
            "residence_status": "deceased", "residence_since": "1985-01-01"})
        assert_invalid(resp, {("body", "status_changed_on"): "status_date_required",
                              ("body", "residence_since"): "date_before_birth"})
        # Nulls where null clears nothing are the schema's: every one of them at once.
        resp = await patch(client, ward["h"], url, {"full_name": None, "sex": None})
        assert_invalid(resp, {("body", "full_name"): "null_not_allowed",
                              ("body", "sex"): "null_not_allowed"})

    @pytest.mark.parametrize(("lang", "word"), [("vi", "Số điện thoại"), ("en", "phone")])
    async def test_one_rule_alone_is_validation_failed_in_the_callers_language(
            self, client, ward, lang, word):
        body = {"household_id": str(ward["household"].id), "full_name": "Trần Thị Lan",
                "sex": "female", "birth_year": 1990, "phone": "12345"}
        resp = await client.post("/api/v1/residents", json=body,
                                 headers={**ward["h"], "Accept-Language": lang})
        problem = assert_invalid(resp, {("body", "phone"): "phone_invalid"})
        assert word in problem["errors"][0]["message"]
        assert problem["detail"] != problem["errors"][0]["message"]


class TestHouseholds:  # the admin: a street of the other commune is out of the officer's scope
    async def test_patch_lists_street_head_and_null(self, client, ward):
        resp = await patch(client, ward["admin"], f"/api/v1/households/{ward['household'].id}", {
            "street_id": str(ward["street_b"].id), "head_id": NOBODY})
        assert_invalid(resp, {("body", "street_id"): "street_other_commune",
                              ("body", "head_id"): "head_not_member"})

    async def test_split_lists_members_and_street(self, client, ward):
        url = f"/api/v1/households/{ward['household'].id}"
        etag = (await client.get(url, headers=ward["admin"])).headers["etag"]
        resp = await client.post(f"{url}/split", headers={**ward["admin"], "If-Match": etag},
                                 json={"member_ids": [NOBODY], "head_id": NOBODY,
                                       "street_id": str(ward["street_b"].id)})
        assert_invalid(resp, {("body", "member_ids"): "members_not_in_household",
                              ("body", "street_id"): "street_other_commune"})


class TestCampaigns:
    @pytest.mark.parametrize(("groups", "streets", "ends_on", "expected"), [
        (["group_a1"], ["street_b"], "2026-01-01",
         {("body", "ends_on"): "campaign_dates", ("body", "street_ids"): "street_other_commune"}),
        (["group_a1", "group_b1"], [], "2028-06-05",
         {("body", "ends_on"): "campaign_too_long",
          ("body", "group_ids"): "campaign_one_commune"}),
        (["group_a1", "commune_a"], [], "2026-01-01",
         {("body", "ends_on"): "campaign_dates", ("body", "group_ids"): "not_a_group"}),
    ])
    async def test_create_lists_dates_and_targets(self, client, ward, groups, streets, ends_on,
                                                  expected):
        tree = ward["tree"]
        body = {"name": "Đợt 1", "goals": ["join_group"], "starts_on": "2026-06-01",
                "ends_on": ends_on, "group_ids": [str(getattr(tree, g).id) for g in groups],
                "street_ids": [str(ward[s].id) for s in streets]}
        resp = await client.post("/api/v1/campaigns", headers=ward["admin"], json=body)
        assert_invalid(resp, expected)

    async def test_patch_lists_nulls_and_dates_against_the_stored_ones(self, client, ward):
        body = {"name": "Đợt 1", "goals": ["join_group"], "starts_on": "2026-06-01",
                "ends_on": "2026-07-01", "group_ids": [str(ward["tree"].group_a1.id)]}
        made = await client.post("/api/v1/campaigns", headers=ward["h"], json=body)
        assert made.status_code == 201, made.text
        url = f"/api/v1/campaigns/{made.json()['id']}"
        resp = await patch(client, ward["h"], url, {"name": None, "goals": None})
        assert_invalid(resp, {("body", "name"): "null_not_allowed",
                              ("body", "goals"): "null_not_allowed"})
        resp = await patch(client, ward["h"], url, {"ends_on": "2026-05-01"})
        assert_invalid(resp, {("body", "ends_on"): "campaign_dates"})

    async def test_manual_assignment_lists_households_and_walker(self, client, field):  # noqa: F811
        cid = await started(client, field)
        auditor = (await client.get("/api/v1/me", headers=field["auditor"])).json()["id"]
        resp = await client.post(f"/api/v1/campaigns/{cid}/assignments", headers=field["leader"],
                                 json={"mode": "manual", "household_ids": [NOBODY],
                                       "volunteer_id": auditor})
        assert_invalid(resp, {("body", "household_ids"): "household_not_in_campaign",
                              ("body", "volunteer_id"): "not_a_walker"})

    async def test_visit_lists_dates_residents_and_needs(self, client, field):  # noqa: F811
        cid = await started(client, field)
        follow = (today_vn() - timedelta(days=400)).isoformat()
        body = visit(field["households"][0], at="2026-01-10T09:00:00", follow_up_on=follow,
                     residents=[(field["residents"][0], ["invited_to_group"]),
                                (field["residents"][1], ["invited_to_group"])],
                     needs=[{"category": "app_help", "description": "VNeID"},
                            {"category": "app_help", "description": "VNeID",
                             "resident_id": str(field["residents"][2].id)}])
        resp = await client.post(f"/api/v1/campaigns/{cid}/visits", headers=field["vols"][0],
                                 json=body)
        assert_invalid(resp, {
            ("body", "visited_at"): "visit_before_campaign",
            ("body", "follow_up_on"): "follow_up_before_visit",
            ("body", "residents", 1, "resident_id"): "resident_not_in_household",
            ("body", "needs", 1, "resident_id"): "resident_not_in_household"})


class TestAnnouncements:
    async def test_patch_lists_nulls_and_units(self, client, ward):
        tree = ward["tree"]
        made = await create(client, ward["admin"], notice([tree.group_a1],
                                                          publish_at=moment(days=2)))
        url = f"/api/v1/announcements/{made['id']}"
        resp = await patch(client, ward["admin"], url, {"title": None, "channels": None})
        assert_invalid(resp, {("body", "title"): "null_not_allowed",
                              ("body", "channels"): "null_not_allowed"})
        resp = await patch(client, ward["admin"], url, {
            "unit_ids": [str(tree.group_a1.id), str(tree.group_b1.id)]})
        assert_invalid(resp, {("body", "unit_ids"): "announcement_one_commune"})


class TestUnits:
    async def test_create_lists_code_and_parent(self, client, ward):
        resp = await client.post("/api/v1/units", headers=ward["admin"],
                                 json={"kind": "ward", "name": "Phường Mới", "code": "12"})
        assert_invalid(resp, {("body", "code"): "unit_code_invalid",
                              ("body", "parent_id"): "unit_parent_invalid"})

    async def test_patch_lists_code_and_null_name(self, client, ward):
        resp = await patch(client, ward["admin"], f"/api/v1/units/{ward['tree'].commune_b.id}",
                           {"code": "12", "name": None})
        # The null is the schema's, so it answers first: the code once the body is whole.
        assert_invalid(resp, {("body", "name"): "null_not_allowed"})
        resp = await patch(client, ward["admin"], f"/api/v1/units/{ward['tree'].commune_b.id}",
                           {"code": "12", "name": "Phường Mới"})
        assert_invalid(resp, {("body", "code"): "unit_code_invalid"})


class TestAccounts:
    async def test_user_patch_lists_nulls_and_scope(self, client, ward):
        resp = await patch(client, ward["admin"], f"/api/v1/users/{ward['volunteer'].id}",
                           {"display_name": None, "role": "group_leader", "unit_ids": []})
        assert_invalid(resp, {("body", "display_name"): "null_not_allowed"})
        resp = await patch(client, ward["admin"], f"/api/v1/users/{ward['volunteer'].id}",
                           {"role": "group_leader", "unit_ids": []})
        assert_invalid(resp, {("body", "unit_ids"): "scope_required"})

    async def test_service_account_lists_every_scope_and_the_units(self, client, ward):
        resp = await client.post("/api/v1/service-accounts", headers=ward["admin"], json={
            "name": "Một cửa", "scopes": ["nope", "residents:read", "root"], "unit_ids": []})
        assert_invalid(resp, {("body", "scopes", 0): "invalid_scope",
                              ("body", "scopes", 2): "invalid_scope",
                              ("body", "unit_ids"): "scope_required"})


class TestImports:
    async def test_form_lists_group_and_file(self, client, ward):
        resp = await post(client, ward["h"], b"", kind="households")
        assert_invalid(resp, {("body", "group_id"): "group_id_required",
                              ("body", "file"): "file_empty"})

    async def test_form_lists_wrong_group_and_columns(self, client, ward):
        resp = await post(client, ward["h"], b"\xef\xbb\xbfHo ten;Ngay sinh\r\nA;1990\r\n",
                          kind="households", group_id=ward["tree"].commune_a.id)
        assert_invalid(resp, {("body", "group_id"): "not_a_group",
                              ("body", "file"): "columns_missing"})

    async def test_a_rejected_row_lists_every_cell_it_refuses(self, client, ward):
        bad = row(ward["household"].code, id_number="12ab", sex="Khác lạ", phone="12345",
                  status="Không rõ")
        resp = await post(client, ward["h"], csv_bytes([bad]))
        assert resp.status_code == 202, resp.text
        job = (await client.get(resp.headers["location"], headers=ward["h"])).json()
        assert job["rejected_count"] == 1, job
        found = {(e["line"], e["column"], e["code"]) for e in job["errors"]}
        assert found == {(2, "id_number", "id_number_not_digits"), (2, "sex", "value_unknown"),
                         (2, "phone", "phone_invalid"),
                         (2, "residence_status", "value_unknown")}
        assert all(e["message"] for e in job["errors"])


def _resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _types(doc: dict, schema: dict) -> set[str] | None:
    """The JSON types a property accepts (None: anything)."""
    schema = _resolve(doc, schema)
    branches = schema.get("anyOf") or schema.get("oneOf") or [schema]
    found: set[str] = set()
    for branch in branches:
        branch = _resolve(doc, branch)
        if "anyOf" in branch or "oneOf" in branch:
            inner = _types(doc, branch)
            if inner is None:
                return None
            found |= inner
        elif "type" in branch:
            found.add(branch["type"])
        elif "properties" in branch:
            found.add("object")
        else:
            return None
    return found


def _wrong(accepted: set[str]):
    """A value of a JSON type the property does not accept."""
    for kind, value in (("object", {"x": [1]}), ("array", [{"x": 1}]), ("string", "?")):
        if kind not in accepted:
            return value
    return None


class TestEveryBody:
    async def test_every_json_body_lists_each_bad_field_at_once(self, client, ward):
        """Each operation taking a JSON body, sent a value of the wrong type in every field
        and an unknown field: one 422 naming each of them."""
        doc = (await client.get("/openapi.json")).json()
        checked = []
        for path, item in doc["paths"].items():
            for method, op in item.items():
                media = op.get("requestBody", {}).get("content", {}).get("application/json")
                if not media:
                    continue
                schema = _resolve(doc, media["schema"])
                body: dict = {"not_a_field": 1}
                for name, prop in schema.get("properties", {}).items():
                    accepted = _types(doc, prop)
                    value = _wrong(accepted) if accepted is not None else None
                    if value is not None:
                        body[name] = value
                url = path.replace("{", "").replace("}", "")
                url = "/".join(NOBODY if "_id" in part else part for part in url.split("/"))
                resp = await client.request(method, url, json=body, headers=ward["admin"])
                problem = assert_problem(resp, 422, "validation_failed")
                named = {tuple(e["loc"][:2]) for e in problem["errors"]}
                assert {("body", k) for k in body} <= named, (method, path, problem["errors"])
                assert all(e["message"] and e["code"] for e in problem["errors"])
                checked.append((method, path))
        assert len(checked) >= 25, checked

    async def test_every_documented_422_answers_validation_failed(self, client):
        """The answer's code is `validation_failed`; the fields' codes are listed beside it."""
        doc = (await client.get("/openapi.json")).json()
        answers = [(path, method, op["responses"]["422"]) for path, item in doc["paths"].items()
                   for method, op in item.items() if "422" in op.get("responses", {})]
        assert len(answers) >= 40
        for path, method, answer in answers:
            assert "validation_failed" in answer.get("x-error-codes", []), (method, path)
        codes = next(a for p, m, a in answers if (p, m) == ("/api/v1/residents", "post"))
        assert {"phone_invalid", "id_number_not_digits", "group_required"} <= set(
            codes["x-error-codes"])
