"""Sign-in, refresh rotation, revocation, throttling and the token attacks of the contract."""

from __future__ import annotations

import base64
import json
import time

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwt
from sqlalchemy import update

from api.app import create_app
from auth.tokens import hmac_key
from domain.access import Role
from domain.accounts.models import User
from tests.api.test_ops import assert_problem
from tests.builders import PASSWORD, bearer, make_tree, make_user
from tests.conftest import TEST_SECRET, make_settings

TOKEN_URL = "/api/v1/auth/token"


async def login(client, username, password=PASSWORD, **extra):
    return await client.post(TOKEN_URL, data={"grant_type": "password", "username": username,
                                              "password": password}, **extra)


def b64(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


def forged(app, user, **override) -> str:
    """A token signed with the real HS256 key, with claims or header fields overridden."""
    now = int(time.time())
    claims = {"iss": "digital-street", "aud": "digital-street-api", "sub": str(user.id),
              "iat": now, "nbf": now, "exp": now + 300, "jti": f"j{now}{id(override)}",
              "role": user.role.value, "scope_units": [], "kind": "user", "ep": 0}
    headers = {"kid": app.state.tokens.current.kid, "typ": "at+jwt"}
    headers.update(override.pop("_headers", {}))
    for key, value in override.items():
        if value is None:
            claims.pop(key, None)
        else:
            claims[key] = value
    return jwt.encode(claims, TEST_SECRET, algorithm="HS256", headers=headers)


class TestPasswordGrant:
    async def test_sign_in_and_use_the_token(self, client, session):
        tree = await make_tree(session)
        user = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
        resp = await login(client, user.username.upper())
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert body["token_type"] == "bearer" and body["expires_in"] <= 900
        assert body["refresh_token"] and "residents:read" in body["scope"]
        assert resp.headers["cache-control"] == "no-store"
        me = await client.get("/api/v1/me",
                              headers={"Authorization": f"Bearer {body['access_token']}"})
        assert me.status_code == 200
        assert me.json()["role"] == "group_leader"
        assert me.json()["unit_ids"] == [str(tree.group_a1.id)]
        header = jwt.get_unverified_header(body["access_token"])
        assert header["typ"] == "at+jwt" and header["kid"]
        claims = jwt.get_unverified_claims(body["access_token"])
        assert {"sub", "role", "scope", "iss", "aud", "iat", "nbf", "exp", "jti"} <= set(claims)
        assert claims["exp"] - claims["iat"] <= 900

    async def test_unknown_user_and_wrong_password_look_the_same(self, client, session):
        user = await make_user(session, role=Role.admin)
        wrong = await login(client, user.username, "not the password")
        unknown = await login(client, "nobody-here", "not the password")
        a = assert_problem(wrong, 400, "invalid_credentials")
        b = assert_problem(unknown, 400, "invalid_credentials")
        assert (a["title"], a["detail"]) == (b["title"], b["detail"])

    async def test_failures_are_throttled_and_success_resets(self, client, session):
        user = await make_user(session, role=Role.admin)
        for _ in range(5):
            await login(client, user.username, "wrong")
        resp = await login(client, user.username)  # even the right password waits now
        assert_problem(resp, 429, "too_many_login_attempts")
        assert int(resp.headers["retry-after"]) >= 1
        other = await make_user(session, role=Role.admin)
        for _ in range(3):
            await login(client, other.username, "wrong")
        assert (await login(client, other.username)).status_code == 200
        for _ in range(4):
            assert (await login(client, other.username, "wrong")).status_code == 400

    async def test_disabled_account_cannot_sign_in(self, client, session):
        user = await make_user(session, role=Role.admin)
        await session.execute(update(User).where(User.id == user.id)
                              .values(disabled_at=user.created_at))
        assert_problem(await login(client, user.username), 400, "invalid_credentials")


class TestRefreshAndRevoke:
    async def test_rotation_and_reuse_revokes_the_family(self, client, session):
        user = await make_user(session, role=Role.admin)
        first = (await login(client, user.username)).json()
        second = await client.post(TOKEN_URL, data={"grant_type": "refresh_token",
                                                    "refresh_token": first["refresh_token"]})
        assert second.status_code == 200, second.text
        second = second.json()
        assert second["refresh_token"] != first["refresh_token"]
        reuse = await client.post(TOKEN_URL, data={"grant_type": "refresh_token",
                                                   "refresh_token": first["refresh_token"]})
        assert_problem(reuse, 400, "invalid_grant")
        after = await client.post(TOKEN_URL, data={"grant_type": "refresh_token",
                                                   "refresh_token": second["refresh_token"]})
        assert_problem(after, 400, "invalid_grant")

    async def test_revoke_access_token(self, client, session):
        user = await make_user(session, role=Role.admin)
        token = (await login(client, user.username)).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/api/v1/me", headers=auth)).status_code == 200
        assert (await client.post("/api/v1/auth/revoke", data={"token": token})).status_code \
            == 200
        assert_problem(await client.get("/api/v1/me", headers=auth), 401, "invalid_token")


class TestTokenEndpointBadInput:
    async def test_json_body_is_415(self, client):
        resp = await client.post(TOKEN_URL, json={"grant_type": "password"})
        assert_problem(resp, 415, "unsupported_media_type")

    async def test_unknown_grant_and_missing_fields(self, client):
        assert_problem(await client.post(TOKEN_URL, data={"grant_type": "implicit"}), 400,
                       "unsupported_grant_type")
        body = assert_problem(await client.post(TOKEN_URL, data={"grant_type": "password",
                                                                 "username": "x"}), 422, "missing")
        assert body["errors"][0]["loc"] == ["body", "password"]
        # The form's schema requires grant_type (the document says so): a schema error.
        body = assert_problem(await client.post(TOKEN_URL, data={"username": "x"}), 422,
                              "validation_failed")
        assert [(e["loc"], e["code"]) for e in body["errors"]] == [
            (["body", "grant_type"], "missing")]

    async def test_garbage_refresh_token(self, client):
        resp = await client.post(TOKEN_URL, data={"grant_type": "refresh_token",
                                                   "refresh_token": "x" * 5000})
        assert_problem(resp, 422, "validation_failed")
        resp = await client.post(TOKEN_URL, data={"grant_type": "refresh_token",
                                                   "refresh_token": "abc.def.ghi"})
        assert_problem(resp, 400, "invalid_grant")


class TestTokenAttacks:
    """Each forged or stale token is a 401 problem with WWW-Authenticate: Bearer."""

    async def check(self, client, token):
        resp = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert_problem(resp, 401, "invalid_token")
        assert resp.headers["www-authenticate"].startswith("Bearer")

    async def test_the_forger_helper_makes_valid_tokens(self, app, client, session):
        user = await make_user(session, role=Role.admin)
        resp = await client.get("/api/v1/me",
                                headers={"Authorization": f"Bearer {forged(app, user)}"})
        assert resp.status_code == 200  # so each attack below fails for its own reason

    async def test_alg_none(self, app, client, session):
        user = await make_user(session, role=Role.admin)
        good = forged(app, user)
        _, payload, _ = good.split(".")
        header = b64({"alg": "none", "typ": "at+jwt", "kid": app.state.tokens.current.kid})
        await self.check(client, f"{header}.{payload}.")

    @pytest.mark.parametrize("override", [
        {"role": "admin"},
        {"scope_units": ["00000000-0000-0000-0000-000000000001"]},
    ])
    async def test_tampered_claims(self, app, client, session, override):
        user = await make_user(session, role=Role.volunteer)
        head, payload, sig = bearer(app, user)["Authorization"][7:].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims.update(override)
        await self.check(client, f"{head}.{b64(claims)}.{sig}")

    @pytest.mark.parametrize("override", [
        {"exp": int(time.time()) - 10},
        {"nbf": int(time.time()) + 600},
        {"exp": None},
        {"iss": "someone-else"},
        {"iss": "digital"},
        {"aud": "other-api"},
        {"aud": "digital-street"},
        {"_headers": {"kid": "unknown-kid"}},
        {"_headers": {"typ": "rt+jwt"}},
        {"ep": 1},
    ])
    async def test_bad_claims_and_headers(self, app, client, session, override):
        user = await make_user(session, role=Role.admin)
        await self.check(client, forged(app, user, **override))

    async def test_revoked_jti(self, app, client, session):
        user = await make_user(session, role=Role.admin)
        token = forged(app, user)
        await client.post("/api/v1/auth/revoke", data={"token": token})
        await self.check(client, token)

    async def test_refresh_token_as_access_token(self, client, session):
        user = await make_user(session, role=Role.admin)
        refresh = (await login(client, user.username)).json()["refresh_token"]
        await self.check(client, refresh)

    async def test_token_issued_before_password_change(self, app, client, session):
        user = await make_user(session, role=Role.admin)
        token = bearer(app, user)["Authorization"][7:]
        await session.execute(update(User).where(User.id == user.id).values(token_epoch=1))
        await self.check(client, token)

    async def test_huge_and_garbage_tokens(self, app, client, session):
        await self.check(client, "x" * 10_240)
        await self.check(client, "not.a.token")
        await self.check(client, "%%%")
        resp = await client.get("/api/v1/me", headers={"Authorization": "Bearer " + "a" * 10_240})
        assert resp.status_code == 401

    async def test_hs256_signed_with_the_rsa_public_key(self, client, session, tmp_path,
                                                        session_factory, engine):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        path = tmp_path / "jwt.pem"
        path.write_bytes(pem)
        # Rotation: the old HS256 key stays valid for the tokens it signed.
        previous = tmp_path / "previous"
        previous.mkdir()
        (previous / "old.secret").write_text(TEST_SECRET)
        rs_app = create_app(make_settings(jwt_algorithm="RS256", jwt_private_key_file=path,
                                          jwt_previous_keys_dir=previous),
                            session_factory=session_factory, engine=engine)
        import httpx

        transport = httpx.ASGITransport(app=rs_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as rs:
            user = await make_user(session, role=Role.admin)
            jwks = (await rs.get("/.well-known/jwks.json")).json()
            assert jwks["keys"][0]["kty"] == "RSA" and jwks["keys"][0]["alg"] == "RS256"
            good = (await login(rs, user.username)).json()["access_token"]
            assert jwt.get_unverified_header(good)["alg"] == "RS256"
            assert (await rs.get("/api/v1/me",
                                 headers={"Authorization": f"Bearer {good}"})).status_code == 200
            claims = jwt.get_unverified_claims(good)
            public_pem = rs_app.state.tokens.current.verify_with
            header = b64({"alg": "HS256", "typ": "at+jwt", "kid": jwks["keys"][0]["kid"]})
            body = b64(claims)
            import hashlib
            import hmac

            sig = hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
            attack = f"{header}.{body}.{base64.urlsafe_b64encode(sig).decode().rstrip('=')}"
            resp = await rs.get("/api/v1/me", headers={"Authorization": f"Bearer {attack}"})
            assert_problem(resp, 401, "invalid_token")
            old = forged(rs_app, user, _headers={"kid": hmac_key(TEST_SECRET).kid})
            resp = await rs.get("/api/v1/me", headers={"Authorization": f"Bearer {old}"})
            assert resp.status_code == 200, resp.text
