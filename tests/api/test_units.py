"""Administrative units and streets: CRUD for admins, scope for others, bad input."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from domain.access import Role
from domain.units.models import AdminUnit
from tests.api.test_ops import assert_invalid, assert_problem
from tests.builders import bearer, make_tree, make_user
from tests.unit_codes import check_codes_never_reused


async def admin_headers(app, session):
    user = await make_user(session, role=Role.admin)
    return bearer(app, user)


class TestCreateUnit:
    async def test_admin_creates_province_commune_group(self, app, client, session):
        h = await admin_headers(app, session)
        code = str(uuid.uuid4().int % 90 + 10)
        await session.execute(AdminUnit.__table__.delete().where(AdminUnit.code == code))
        resp = await client.post("/api/v1/units", headers=h,
                                 json={"kind": "province", "name": "Tỉnh  Gia Lai", "code": code})
        assert resp.status_code == 201, resp.text
        province = resp.json()
        assert province["name"] == "Tỉnh Gia Lai"  # spaces squashed
        assert province["level"] == "province"
        assert resp.headers["location"] == f"/api/v1/units/{province['id']}"
        assert resp.headers["etag"]
        resp = await client.post("/api/v1/units", headers=h, json={
            "kind": "ward", "name": "Phường Bình Định", "parent_id": province["id"],
            "old_address_text": "thị xã An Nhơn, tỉnh Bình Định"})
        assert resp.status_code == 201, resp.text
        ward = resp.json()
        assert ward["commune_id"] == ward["id"] and ward["province_id"] == province["id"]
        resp = await client.post("/api/v1/units", headers=h, json={
            "kind": "neighbourhood", "name": "Tổ dân phố Trần Phú", "parent_id": ward["id"]})
        group = resp.json()
        assert group["commune_id"] == ward["id"] and group["level"] == "group"

    async def test_group_under_province_is_refused(self, app, client, session):
        h = await admin_headers(app, session)
        tree = await make_tree(session)
        resp = await client.post("/api/v1/units", headers=h, json={
            "kind": "neighbourhood", "name": "Tổ 1", "parent_id": str(tree.province.id)})
        assert_invalid(resp, {("body", "parent_id"): "unit_parent_invalid"})

    async def test_duplicate_code_is_409(self, app, client, session):
        h = await admin_headers(app, session)
        tree = await make_tree(session)
        resp = await client.post("/api/v1/units", headers=h, json={
            "kind": "ward", "name": "Phường Khác", "code": tree.commune_a.code,
            "parent_id": str(tree.province.id)})
        assert_problem(resp, 409, "unit_code_taken")

    async def test_a_code_once_used_is_never_given_again(self, app, client, session):
        tree = await make_tree(session)
        await check_codes_never_reused(client, await admin_headers(app, session),
                                       str(tree.province.id))

    async def test_group_leader_may_not_create(self, app, client, session):
        tree = await make_tree(session)
        leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
        resp = await client.post("/api/v1/units", headers=bearer(app, leader, [tree.group_a1]),
                                 json={"kind": "province", "name": "X"})
        assert_problem(resp, 403, "forbidden")

    async def test_without_token_is_401(self, client):
        resp = await client.post("/api/v1/units", json={"kind": "province", "name": "X"})
        assert_problem(resp, 401, "unauthorized")
        assert resp.headers["www-authenticate"].startswith("Bearer")


class TestBadInput:
    async def _count(self, session) -> int:
        return await session.scalar(select(func.count()).select_from(AdminUnit))

    async def test_each_bad_body_is_a_4xx_problem_and_writes_nothing(self, app, client, session):
        h = await admin_headers(app, session)
        before = await self._count(session)
        cases = [
            (b'{"kind": "province", "name": ', 400, "malformed_json", "application/json"),
            (b'[1, 2]', 422, "validation_failed", "application/json"),
            (b'{"kind": 5, "name": "X"}', 422, "validation_failed", "application/json"),
            (b'{"kind": "province", "name": "X", "role": "admin"}', 422, "validation_failed",
             "application/json"),
            (b'{"kind": "province", "name": "A\\u0000B"}', 422, "validation_failed",
             "application/json"),
            (('{"kind": "province", "name": "' + "x" * 201 + '"}').encode(), 422,
             "validation_failed", "application/json"),
            (b'{"kind": "province", "name": "X", "code": "5"}', 422, "validation_failed",
             "application/json"),
            (b"\xff\xfe garbage", 400, "malformed_json", "application/json"),
        ]
        for body, status, code, ctype in cases:
            resp = await client.post("/api/v1/units", headers={**h, "Content-Type": ctype},
                                     content=body)
            assert_problem(resp, status, code)
        assert await self._count(session) == before

    async def test_field_errors_speak_vietnamese_then_english(self, app, client, session):
        h = await admin_headers(app, session)
        resp = await client.post("/api/v1/units", headers=h,
                                 json={"kind": "province", "name": "A\x00B", "extra": 1})
        body = assert_problem(resp, 422, "validation_failed")
        by_loc = {tuple(e["loc"]): e for e in body["errors"]}
        assert by_loc[("body", "name")]["code"] == "control_characters"
        assert "ký tự điều khiển" in by_loc[("body", "name")]["message"]
        assert by_loc[("body", "extra")]["code"] == "extra_forbidden"
        resp = await client.post("/api/v1/units", headers={**h, "Accept-Language": "en"},
                                 json={"kind": "province", "name": "A\x00B"})
        assert "control characters" in resp.json()["errors"][0]["message"]

    async def test_ten_megabyte_body_is_413(self, app, client, session):
        h = await admin_headers(app, session)
        before = await self._count(session)
        big = b'{"kind": "province", "name": "' + b"x" * (10 * 1024 * 1024) + b'"}'
        resp = await client.post("/api/v1/units", headers={**h, "Content-Type":
                                 "application/json"}, content=big)
        assert_problem(resp, 413, "payload_too_large")

        async def chunks():  # no Content-Length: the limit must hold while streaming
            yield b'{"kind": "province", "name": "'
            for _ in range(20):
                yield b"x" * (512 * 1024)
            yield b'"}'

        resp = await client.post("/api/v1/units", headers={**h, "Content-Type":
                                 "application/json"}, content=chunks())
        assert_problem(resp, 413, "payload_too_large")
        assert await self._count(session) == before

    async def test_bad_query_values(self, app, client, session):
        h = await admin_headers(app, session)
        assert_problem(await client.get("/api/v1/units?limit=201", headers=h), 422,
                       "validation_failed")
        assert_invalid(await client.get("/api/v1/units?cursor=nonsense", headers=h),
                       {("query", "cursor"): "cursor_invalid"})
        assert_invalid(await client.get("/api/v1/units?sort=password", headers=h),
                       {("query", "sort"): "sort_invalid"})
        # An id that is no UUID matches no route (typed path parameters).
        assert_problem(await client.get("/api/v1/units/not-a-uuid", headers=h), 404,
                       "route_not_found")


class TestReadAndScope:
    async def test_list_pages_with_cursor_and_total(self, app, client, session):
        h = await admin_headers(app, session)
        tree = await make_tree(session)
        url = f"/api/v1/units?parent_id={tree.commune_a.id}&limit=1&include_total=true"
        first = (await client.get(url, headers=h)).json()
        assert first["total"] == 2 and len(first["items"]) == 1
        second = (await client.get(url + f"&cursor={first['next_cursor']}", headers=h)).json()
        assert second["next_cursor"] is None
        names = [first["items"][0]["name"], second["items"][0]["name"]]
        assert names == ["Tổ dân phố Lê Lợi", "Tổ dân phố Trần Phú"]

    async def test_q_ignores_case_and_diacritics(self, app, client, session):
        h = await admin_headers(app, session)
        tree = await make_tree(session)
        resp = await client.get(f"/api/v1/units?parent_id={tree.commune_a.id}&q=TRAN%20PHU",
                                headers=h)
        assert [u["name"] for u in resp.json()["items"]] == ["Tổ dân phố Trần Phú"]
        resp = await client.get(f"/api/v1/streets?commune_id={tree.commune_a.id}&q=tran",
                                headers=h)
        assert [s["name"] for s in resp.json()["items"]] == ["Trần Phú"]

    async def test_group_leader_sees_own_group_and_ancestors_only(self, app, client, session):
        tree = await make_tree(session)
        leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
        h = bearer(app, leader, [tree.group_a1])
        ok = await client.get(f"/api/v1/units/{tree.group_a1.id}", headers=h)
        assert ok.status_code == 200
        assert (await client.get(f"/api/v1/units/{tree.commune_a.id}", headers=h)).status_code \
            == 200
        for hidden in (tree.group_a2, tree.group_b1, tree.commune_b):
            resp = await client.get(f"/api/v1/units/{hidden.id}", headers=h)
            assert_problem(resp, 404, "unit_not_found")
        listed = (await client.get(f"/api/v1/units?parent_id={tree.commune_a.id}",
                                   headers=h)).json()
        assert [u["id"] for u in listed["items"]] == [str(tree.group_a1.id)]


class TestUpdateDelete:
    async def test_patch_needs_fresh_etag(self, app, client, session):
        h = await admin_headers(app, session)
        tree = await make_tree(session)
        url = f"/api/v1/units/{tree.group_a1.id}"
        etag = (await client.get(url, headers=h)).headers["etag"]
        assert_problem(await client.patch(url, headers=h, json={"name": "Tổ 1"}), 428,
                       "precondition_required")
        resp = await client.patch(url, headers={**h, "If-Match": etag}, json={"name": "Tổ 1"})
        assert resp.status_code == 200 and resp.json()["name"] == "Tổ 1"
        assert resp.headers["etag"] != etag
        stale = await client.patch(url, headers={**h, "If-Match": etag}, json={"name": "Tổ 2"})
        assert_problem(stale, 412, "precondition_failed")
        assert (await client.get(url, headers=h)).json()["name"] == "Tổ 1"

    async def test_patch_with_a_code_of_the_wrong_length_or_level_is_a_422(
            self, app, client, session):
        """Every unit level with each code shape: a code that does not fit the level is a
        422 on `code`, never a server error, and the unit is unchanged."""
        h = await admin_headers(app, session)
        tree = await make_tree(session)
        for unit in (tree.province, tree.commune_a, tree.group_a1):
            url = f"/api/v1/units/{unit.id}"
            for code in ("12", "12345", "1", "abc", ""):
                before = await client.get(url, headers=h)
                resp = await client.patch(url, headers={**h, "If-Match": before.headers["etag"]},
                                          json={"code": code})
                if resp.status_code == 200:
                    assert (unit.level.value, len(code)) in {("province", 2), ("commune", 5)}
                    continue
                assert resp.status_code == 422, (unit.level, code, resp.text)
                assert resp.json()["errors"][0]["loc"] == ["body", "code"]
                assert (await client.get(url, headers=h)).headers["etag"] == \
                    before.headers["etag"]

    async def test_delete_refuses_unit_with_children(self, app, client, session):
        h = await admin_headers(app, session)
        tree = await make_tree(session)
        url = f"/api/v1/units/{tree.commune_b.id}"
        etag = (await client.get(url, headers=h)).headers["etag"]
        assert_problem(await client.delete(url, headers={**h, "If-Match": etag}), 409,
                       "unit_has_children")
        group_url = f"/api/v1/units/{tree.group_b1.id}"
        etag = (await client.get(group_url, headers=h)).headers["etag"]
        resp = await client.delete(group_url, headers={**h, "If-Match": etag})
        assert resp.status_code == 204
        assert_problem(await client.get(group_url, headers=h), 404, "unit_not_found")
