"""User accounts: admins and ward officers manage accounts, scope and roles are enforced."""

from __future__ import annotations

import uuid

from domain.access import Role
from tests.api.test_ops import assert_invalid, assert_problem
from tests.builders import bearer, make_tree, make_user

USERS = "/api/v1/users"
TOKEN_URL = "/api/v1/auth/token"
NEW_PASSWORD = "mot cau mat khau rat dai"


async def admin_of(app, session):
    user = await make_user(session, role=Role.admin)
    return user, bearer(app, user)


async def officer_of(app, session, tree):
    user = await make_user(session, role=Role.ward_officer, units=[tree.commune_a])
    return user, bearer(app, user, [tree.commune_a])


def body(uid: str, unit, **over) -> dict:
    data = {"username": f"User.{uid}", "display_name": "Trần Thị Bình",
            "password": NEW_PASSWORD, "role": "group_leader", "unit_ids": [str(unit.id)]}
    data.update(over)
    return data


async def login(client, username: str, password: str = NEW_PASSWORD):
    return await client.post(TOKEN_URL, data={"grant_type": "password", "username": username,
                                              "password": password})


async def etag_of(client, h, user_id) -> str:
    return (await client.get(f"{USERS}/{user_id}", headers=h)).headers["etag"]


class TestCreateUser:
    async def test_admin_creates_user_who_can_sign_in(self, app, client, session, uid):
        tree = await make_tree(session)
        _, h = await admin_of(app, session)
        resp = await client.post(USERS, headers=h, json=body(uid, tree.group_a1))
        assert resp.status_code == 201, resp.text
        user = resp.json()
        assert user["username"] == f"user.{uid}"
        assert user["unit_ids"] == [str(tree.group_a1.id)] and user["role"] == "group_leader"
        assert "password" not in user and "password_hash" not in user
        assert resp.headers["location"] == f"{USERS}/{user['id']}" and resp.headers["etag"]
        token = (await login(client, f"USER.{uid}")).json()["access_token"]
        me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["id"] == user["id"]

    async def test_ward_officer_creates_user_in_own_commune(self, app, client, session, uid):
        tree = await make_tree(session)
        _, h = await officer_of(app, session, tree)
        resp = await client.post(USERS, headers=h, json=body(uid, tree.group_a2,
                                                                role="volunteer"))
        assert resp.status_code == 201, resp.text
        assert resp.json()["role"] == "volunteer"

    async def test_ward_officer_may_not_give_admin(self, app, client, session, uid):
        tree = await make_tree(session)
        _, h = await officer_of(app, session, tree)
        for role in ("admin", "ward_officer"):
            resp = await client.post(USERS, headers=h, json=body(uid, tree.group_a1, role=role))
            assert_problem(resp, 403, "role_not_assignable")

    async def test_ward_officer_may_not_give_other_commune(self, app, client, session, uid):
        tree = await make_tree(session)
        _, h = await officer_of(app, session, tree)
        for unit_ids in ([str(tree.group_b1.id)], [str(tree.group_a1.id), str(tree.commune_b.id)],
                         [str(tree.province.id)], [str(uuid.uuid4())]):
            resp = await client.post(USERS, headers=h,
                                     json=body(uid, tree.group_a1, unit_ids=unit_ids))
            assert_problem(resp, 403, "scope_not_assignable")

    async def test_scoped_role_needs_a_unit(self, app, client, session, uid):
        tree = await make_tree(session)
        _, h = await admin_of(app, session)
        resp = await client.post(USERS, headers=h, json=body(uid, tree.group_a1, unit_ids=[]))
        assert_invalid(resp, {("body", "unit_ids"): "scope_required"})
        resp = await client.post(USERS, headers=h,
                                 json=body(uid, tree.group_a1, role="admin", unit_ids=[]))
        assert resp.status_code == 201, resp.text

    async def test_admin_unknown_unit_and_integration_role(self, app, client, session, uid):
        tree = await make_tree(session)
        _, h = await admin_of(app, session)
        resp = await client.post(USERS, headers=h,
                                 json=body(uid, tree.group_a1, unit_ids=[str(uuid.uuid4())]))
        assert_invalid(resp, {("body", "unit_ids"): "unit_unknown"})
        resp = await client.post(USERS, headers=h,
                                 json=body(uid, tree.group_a1, role="integration"))
        assert_problem(resp, 403, "role_not_assignable")

    async def test_username_is_unique_ignoring_case(self, app, client, session, uid):
        tree = await make_tree(session)
        _, h = await admin_of(app, session)
        assert (await client.post(USERS, headers=h, json=body(uid, tree.group_a1))).status_code \
            == 201
        resp = await client.post(USERS, headers=h,
                                 json=body(uid, tree.group_a1, username=f"USER.{uid}"))
        assert_problem(resp, 409, "username_taken")

    async def test_bad_bodies(self, app, client, session, uid):
        tree = await make_tree(session)
        _, h = await admin_of(app, session)
        cases = [
            ({"password": "short"}, ["body", "password"]),
            ({"password_hash": "x"}, ["body", "password_hash"]),
            ({"role": "superuser"}, ["body", "role"]),
            ({"username": "a b"}, ["body", "username"]),
            ({"unit_ids": ["nope"]}, ["body", "unit_ids", 0]),
        ]
        for over, loc in cases:
            resp = await client.post(USERS, headers=h, json=body(uid, tree.group_a1, **over))
            problem = assert_problem(resp, 422, "validation_failed")
            assert loc in [e["loc"] for e in problem["errors"]], problem

    async def test_group_leader_may_not_write_users(self, app, client, session, uid):
        tree = await make_tree(session)
        leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
        other = await make_user(session, role=Role.volunteer, units=[tree.group_a1])
        h = bearer(app, leader, [tree.group_a1])
        assert_problem(await client.post(USERS, headers=h, json=body(uid, tree.group_a1)), 403,
                       "forbidden")
        assert_problem(await client.patch(f"{USERS}/{other.id}", headers=h,
                                          json={"display_name": "X"}), 403, "forbidden")
        for action in ("disable", "enable"):
            assert_problem(await client.post(f"{USERS}/{other.id}/{action}", headers=h), 403,
                           "forbidden")
        assert_problem(await client.get(USERS, headers=h), 403, "forbidden")

    async def test_without_token_is_401(self, client):
        assert_problem(await client.get(USERS), 401, "unauthorized")


class TestListAndGet:
    async def test_pages_filters_and_total(self, app, client, session, uid):
        tree = await make_tree(session)
        _, h = await admin_of(app, session)
        for i in range(3):
            await make_user(session, role=Role.volunteer, units=[tree.group_a1],
                            username=f"vol{i}.{uid}")
        await make_user(session, role=Role.group_leader, units=[tree.group_a1],
                        username=f"leader.{uid}")
        url = f"{USERS}?role=volunteer&q={uid.upper()}&limit=2&include_total=true"
        first = (await client.get(url, headers=h)).json()
        assert first["total"] == 3 and first["next_cursor"]
        assert [u["username"] for u in first["items"]] == [f"vol0.{uid}", f"vol1.{uid}"]
        second = (await client.get(f"{url}&cursor={first['next_cursor']}", headers=h)).json()
        assert [u["username"] for u in second["items"]] == [f"vol2.{uid}"]
        assert second["next_cursor"] is None
        assert second["items"][0]["unit_ids"] == [str(tree.group_a1.id)]
        assert "password_hash" not in second["items"][0]
        assert_invalid(await client.get(f"{USERS}?cursor=bad", headers=h),
                       {("query", "cursor"): "cursor_invalid"})
        assert_problem(await client.get(f"{USERS}?limit=500", headers=h), 422,
                       "validation_failed")

    async def test_ward_officer_sees_own_commune_only(self, app, client, session, uid):
        tree = await make_tree(session)
        _, h = await officer_of(app, session, tree)
        inside = await make_user(session, role=Role.volunteer, units=[tree.group_a1],
                                 username=f"in.{uid}")
        outside = await make_user(session, role=Role.volunteer, units=[tree.group_b1],
                                  username=f"out.{uid}")
        listed = (await client.get(f"{USERS}?q={uid}", headers=h)).json()
        assert [u["id"] for u in listed["items"]] == [str(inside.id)]
        resp = await client.get(f"{USERS}/{inside.id}", headers=h)
        assert resp.status_code == 200 and resp.headers["etag"]
        assert_problem(await client.get(f"{USERS}/{outside.id}", headers=h), 404,
                       "user_not_found")
        assert_problem(await client.post(f"{USERS}/{outside.id}/disable", headers=h), 404,
                       "user_not_found")


class TestUpdateUser:
    async def test_patch_needs_etag_and_role_change_revokes_tokens(self, app, client, session):
        tree = await make_tree(session)
        _, h = await admin_of(app, session)
        target = await make_user(session, role=Role.volunteer, units=[tree.group_a1])
        old = bearer(app, target, [tree.group_a1])
        url = f"{USERS}/{target.id}"
        etag = await etag_of(client, h, target.id)
        change = {"role": "group_leader", "unit_ids": [str(tree.group_a1.id),
                                                       str(tree.group_a2.id)]}
        assert_problem(await client.patch(url, headers=h, json=change), 428,
                       "precondition_required")
        resp = await client.patch(url, headers={**h, "If-Match": etag}, json=change)
        assert resp.status_code == 200, resp.text
        assert resp.json()["role"] == "group_leader" and len(resp.json()["unit_ids"]) == 2
        assert resp.headers["etag"] != etag
        assert_problem(await client.patch(url, headers={**h, "If-Match": etag},
                                          json={"display_name": "B"}), 412,
                       "precondition_failed")
        assert_problem(await client.get("/api/v1/me", headers=old), 401, "invalid_token")

    async def test_display_name_change_keeps_tokens(self, app, client, session):
        tree = await make_tree(session)
        _, h = await officer_of(app, session, tree)
        target = await make_user(session, role=Role.volunteer, units=[tree.group_a1])
        etag = await etag_of(client, h, target.id)
        resp = await client.patch(f"{USERS}/{target.id}", headers={**h, "If-Match": etag},
                                  json={"display_name": "  Lê   Văn  Cường "})
        assert resp.json()["display_name"] == "Lê Văn Cường"
        me = await client.get("/api/v1/me", headers=bearer(app, target, [tree.group_a1]))
        assert me.status_code == 200
        resp = await client.patch(f"{USERS}/{target.id}",
                                  headers={**h, "If-Match": resp.headers["etag"]},
                                  json={"display_name": None})
        assert_invalid(resp, {("body", "display_name"): "null_not_allowed"})

    async def test_ward_officer_limits(self, app, client, session):
        tree = await make_tree(session)
        officer, h = await officer_of(app, session, tree)
        target = await make_user(session, role=Role.volunteer, units=[tree.group_a1])
        peer = await make_user(session, role=Role.ward_officer, units=[tree.commune_a])
        etag = await etag_of(client, h, target.id)
        resp = await client.patch(f"{USERS}/{target.id}", headers={**h, "If-Match": etag},
                                  json={"unit_ids": [str(tree.group_b1.id)]})
        assert_problem(resp, 403, "scope_not_assignable")
        resp = await client.patch(f"{USERS}/{target.id}", headers={**h, "If-Match": etag},
                                  json={"role": "admin"})
        assert_problem(resp, 403, "role_not_assignable")
        for someone in (peer, officer):
            etag = await etag_of(client, h, someone.id)
            resp = await client.patch(f"{USERS}/{someone.id}", headers={**h, "If-Match": etag},
                                      json={"display_name": "X"})
            assert_problem(resp, 403, "role_not_assignable")

    async def test_admin_may_not_demote_or_disable_self(self, app, client, session):
        me, h = await admin_of(app, session)
        etag = await etag_of(client, h, me.id)
        resp = await client.patch(f"{USERS}/{me.id}", headers={**h, "If-Match": etag},
                                  json={"role": "auditor"})
        assert_problem(resp, 409, "user_is_self")
        assert_problem(await client.post(f"{USERS}/{me.id}/disable", headers=h), 409,
                       "user_is_self")


class TestActions:
    async def test_disable_revokes_tokens_and_enable_restores_sign_in(
        self, app, client, session, uid
    ):
        tree = await make_tree(session)
        _, h = await officer_of(app, session, tree)
        created = (await client.post(USERS, headers=h, json=body(uid, tree.group_a1))).json()
        token = (await login(client, created["username"])).json()["access_token"]
        mine = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/api/v1/me", headers=mine)).status_code == 200
        resp = await client.post(f"{USERS}/{created['id']}/disable", headers=h)
        assert resp.status_code == 200 and resp.json()["disabled_at"]
        assert_problem(await client.get("/api/v1/me", headers=mine), 401, "invalid_token")
        assert_problem(await login(client, created["username"]), 400, "invalid_credentials")
        resp = await client.post(f"{USERS}/{created['id']}/enable",
                                 headers={**h, "If-Match": resp.headers["etag"]})
        assert resp.status_code == 200 and resp.json()["disabled_at"] is None
        assert_problem(await client.get("/api/v1/me", headers=mine), 401, "invalid_token")
        assert (await login(client, created["username"])).status_code == 200

    async def test_password_reset_revokes_old_token(self, app, client, session):
        tree = await make_tree(session)
        _, h = await admin_of(app, session)
        target = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
        old = bearer(app, target, [tree.group_a1])
        url = f"{USERS}/{target.id}/password"
        assert_problem(await client.post(url, headers=h, json={"password": "short"}), 422,
                       "validation_failed")
        assert_problem(await client.post(url, headers={**h, "If-Match": '"stale.1"'},
                                         json={"password": NEW_PASSWORD}), 412,
                       "precondition_failed")
        resp = await client.post(url, headers=h, json={"password": NEW_PASSWORD})
        assert resp.status_code == 200, resp.text
        assert_problem(await client.get("/api/v1/me", headers=old), 401, "invalid_token")
        assert (await login(client, target.username)).status_code == 200
        assert_problem(await login(client, target.username, "correct horse battery staple"),
                       400, "invalid_credentials")

    async def test_unknown_user_is_404(self, app, client, session):
        _, h = await admin_of(app, session)
        resp = await client.post(f"{USERS}/{uuid.uuid4()}/enable", headers=h)
        assert_problem(resp, 404, "user_not_found")
