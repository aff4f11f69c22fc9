"""Service accounts: created by admins, secret shown once, client credentials, revocation."""

from __future__ import annotations

import csv
import io
import uuid

from domain.access import Role
from domain.register.columns import ADDRESS_COLUMNS, RESIDENT_EXPORT_COLUMNS
from tests.api.test_ops import assert_invalid, assert_problem
from tests.builders import bearer, make_household, make_resident, make_tree, make_user

ACCOUNTS = "/api/v1/service-accounts"
TOKEN_URL = "/api/v1/auth/token"
SCOPES = ["households:read", "units:read"]


async def admin_headers(app, session):
    return bearer(app, await make_user(session, role=Role.admin))


async def create(client, h, tree, **over):
    data = {"name": "Hệ thống một cửa", "scopes": SCOPES, "unit_ids": [str(tree.commune_a.id)]}
    data.update(over)
    return await client.post(ACCOUNTS, headers=h, json=data)


async def client_token(client, client_id, secret, **extra):
    form = {"grant_type": "client_credentials", "client_id": client_id,
            "client_secret": secret, **extra}
    return await client.post(TOKEN_URL, data=form)


class TestCreate:
    async def test_secret_shown_once_and_client_credentials_work(self, app, client, session):
        tree = await make_tree(session)
        h = await admin_headers(app, session)
        resp = await create(client, h, tree)
        assert resp.status_code == 201, resp.text
        account = resp.json()
        assert account["client_id"].startswith("svc_") and len(account["client_secret"]) >= 32
        assert account["scopes"] == SCOPES and account["unit_ids"] == [str(tree.commune_a.id)]
        assert resp.headers["location"] == f"{ACCOUNTS}/{account['id']}"
        assert resp.headers["cache-control"] == "no-store"
        read = (await client.get(resp.headers["location"], headers=h)).json()
        listed = (await client.get(ACCOUNTS, headers=h)).json()["items"]
        for shown in (read, *listed):
            assert "client_secret" not in shown and "secret_hash" not in shown
        assert read["client_id"] == account["client_id"] and read["revoked_at"] is None

        token = await client_token(client, account["client_id"], account["client_secret"])
        assert token.status_code == 200, token.text
        assert token.json()["scope"] == " ".join(SCOPES)
        me = await client.get("/api/v1/me", headers={
            "Authorization": f"Bearer {token.json()['access_token']}"})
        assert me.status_code == 200, me.text
        assert me.json()["role"] == "integration" and me.json()["kind"] == "service"
        assert me.json()["id"] == account["id"]
        assert "households:read" in me.json()["permissions"]
        assert "users:write" not in me.json()["permissions"]
        used = (await client.get(resp.headers["location"], headers=h)).json()
        assert used["last_used_at"] is not None

    async def test_wrong_secret_is_401(self, app, client, session):
        tree = await make_tree(session)
        account = (await create(client, await admin_headers(app, session), tree)).json()
        resp = await client_token(client, account["client_id"], "not-the-secret")
        assert_problem(resp, 401, "invalid_client")

    async def test_scopes_must_be_grantable_to_integration(self, app, client, session):
        tree = await make_tree(session)
        h = await admin_headers(app, session)
        for bad in ("users:write", "audit:read", "anything"):
            resp = await create(client, h, tree, scopes=["units:read", bad])
            assert_invalid(resp, {("body", "scopes", 1): "invalid_scope"})
        assert_problem(await create(client, h, tree, scopes=[]), 422, "validation_failed")

    async def test_units_required_and_known(self, app, client, session):
        tree = await make_tree(session)
        h = await admin_headers(app, session)
        assert_invalid(await create(client, h, tree, unit_ids=[]),
                       {("body", "unit_ids"): "scope_required"})
        assert_invalid(await create(client, h, tree, unit_ids=[str(uuid.uuid4())]),
                       {("body", "unit_ids"): "unit_unknown"})
        assert_problem(await create(client, h, tree, secret="x"), 422, "validation_failed")

    async def test_ward_officer_is_forbidden(self, app, client, session):
        tree = await make_tree(session)
        officer = await make_user(session, role=Role.ward_officer, units=[tree.commune_a])
        h = bearer(app, officer, [tree.commune_a])
        assert_problem(await create(client, h, tree), 403, "forbidden")
        assert_problem(await client.get(ACCOUNTS, headers=h), 403, "forbidden")


class TestReadAndRevoke:
    async def test_revoked_account_gets_no_token_and_old_tokens_die(self, app, client, session):
        tree = await make_tree(session)
        h = await admin_headers(app, session)
        account = (await create(client, h, tree)).json()
        token = (await client_token(client, account["client_id"], account["client_secret"]))
        old = {"Authorization": f"Bearer {token.json()['access_token']}"}
        url = f"{ACCOUNTS}/{account['id']}/revoke"
        assert_problem(await client.post(url, headers={**h, "If-Match": '"0.0"'}), 412,
                       "precondition_failed")
        resp = await client.post(url, headers=h)
        assert resp.status_code == 200, resp.text
        assert resp.json()["revoked_at"] is not None and "client_secret" not in resp.json()
        resp = await client_token(client, account["client_id"], account["client_secret"])
        assert_problem(resp, 401, "invalid_client")
        assert_problem(await client.get("/api/v1/me", headers=old), 401, "invalid_token")

    async def test_list_pages_and_unknown_is_404(self, app, client, session):
        tree = await make_tree(session)
        h = await admin_headers(app, session)
        ids = [(await create(client, h, tree, name=f"Hệ thống {i}")).json()["id"]
               for i in range(3)]
        seen, cursor = [], None
        while True:
            url = f"{ACCOUNTS}?limit=2" + (f"&cursor={cursor}" if cursor else "")
            page = (await client.get(url, headers=h)).json()
            seen += [a["id"] for a in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert [i for i in seen if i in ids] == ids
        assert_problem(await client.get(f"{ACCOUNTS}/{uuid.uuid4()}", headers=h), 404,
                       "service_account_not_found")
        assert_problem(await client.post(f"{ACCOUNTS}/{uuid.uuid4()}/revoke", headers=h), 404,
                       "service_account_not_found")
        assert_invalid(await client.get(f"{ACCOUNTS}?cursor=zzz", headers=h),
                       {("query", "cursor"): "cursor_invalid"})


class TestExportNeedsReadToo:
    async def test_register_export_alone_exports_nothing(self, app, client, session):
        """`register:export` is the right to take the register away in a file; what is in
        the file must be readable too: residents:read, households:read."""
        tree = await make_tree(session)
        h = await admin_headers(app, session)

        async def token_for(scopes: list[str]) -> dict[str, str]:
            account = (await create(client, h, tree, scopes=scopes)).json()
            got = await client_token(client, account["client_id"], account["client_secret"])
            return {"Authorization": f"Bearer {got.json()['access_token']}"}

        export_only = await token_for(["register:export"])
        for url in ("/api/v1/residents/export", "/api/v1/households/export"):
            assert_problem(await client.get(url, headers=export_only), 403, "forbidden")
        both = await token_for(["register:export", "residents:read", "households:read"])
        for url in ("/api/v1/residents/export", "/api/v1/households/export"):
            got = await client.get(url, headers=both)
            assert got.status_code == 200, got.text
        denied = (await client.get("/api/v1/audit-events", headers=h, params={
            "action": "access.denied"})).json()["items"]
        assert {e["details"]["permission"] for e in denied} >= {"residents:read",
                                                               "households:read"}

    async def test_without_households_read_the_address_cells_are_empty(self, app, client,
                                                                       session):
        """Granted residents:read and register:export but not households:read, an account
        reads no household's address through the resident export; the rest of the row is
        there."""
        tree = await make_tree(session)
        household = await make_household(session, tree.group_a1, street=tree.street_a)
        await make_resident(session, household, head=True)
        h = await admin_headers(app, session)
        width = len(ADDRESS_COLUMNS) + 2
        for scopes, has_address in ((["register:export", "residents:read"], False),
                                    (["register:export", "residents:read",
                                      "households:read"], True)):
            account = (await create(client, h, tree, scopes=scopes)).json()
            got = await client_token(client, account["client_id"], account["client_secret"])
            resp = await client.get("/api/v1/residents/export", headers={
                "Authorization": f"Bearer {got.json()['access_token']}"})
            assert resp.status_code == 200, resp.text
            rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"), newline="")))
            assert rows[0] == [label for _, label in RESIDENT_EXPORT_COLUMNS]
            [line] = rows[1:]
            assert line[1] == "Nguyễn Văn An" and line[4] == household.code
            assert (line[-width:] != [""] * width) is has_address, line
            if has_address:
                assert line[-width:-4] == ["12", "Trần Phú"]
