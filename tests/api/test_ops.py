"""Health, readiness, request ids and problem+json for the framework's own errors."""

from __future__ import annotations

PROBLEM = "application/problem+json"


def assert_problem(resp, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith(PROBLEM)
    body = resp.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"] and body["detail"] and body["type"].endswith(code)
    assert body["request_id"] == resp.headers["x-request-id"]
    return body


def assert_invalid(resp, expected: dict[tuple, str]) -> dict:
    """One 422 `validation_failed` whose `errors[]` lists exactly `expected` (loc → code),
    each field once, with its message."""
    body = assert_problem(resp, 422, "validation_failed")
    got = {tuple(e["loc"]): e["code"] for e in body["errors"]}
    assert got == expected, body["errors"]
    assert len(body["errors"]) == len(got), body["errors"]
    assert all(e["message"] for e in body["errors"])
    return body


class TestHealth:
    async def test_healthz(self, client):
        resp = await client.get("/healthz")
        assert resp.status_code == 200
        assert resp.json() == {"status": "ok", "migration": None, "jobs": None}

    async def test_readyz_at_head(self, client, app):
        resp = await client.get("/readyz")
        assert resp.status_code == 200, resp.text
        assert resp.json()["migration"] == app.state.migration_head

    async def test_readyz_shows_the_job_queue(self, client, engine):
        """Committed jobs with no worker running: the operator sees them wait."""
        from sqlalchemy import text

        from repositories.db import make_session_factory
        from repositories.uow import SqlUnitOfWork

        async with SqlUnitOfWork(make_session_factory(engine)) as uow:
            await uow.jobs.enqueue("audit.seal", queueing_lock="readyz-test")
            await uow.commit()
        try:
            jobs = (await client.get("/readyz")).json()["jobs"]
            assert jobs["queued"] >= 1 and jobs["oldest_queued_seconds"] >= 0
            assert jobs["live_workers"] >= 0 and jobs["failed"] >= 0
        finally:
            async with engine.begin() as conn:
                await conn.execute(text("DELETE FROM procrastinate_jobs"
                                        " WHERE queueing_lock = 'readyz-test'"))

    async def test_readyz_behind_head(self, client, app):
        app.state.migration_head = "9999"
        resp = await client.get("/readyz")
        assert_problem(resp, 503, "not_ready")
        assert int(resp.headers["retry-after"]) >= 1  # every 503 says when to try again


class TestRequestId:
    async def test_echoes_given_id(self, client):
        resp = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
        assert resp.headers["x-request-id"] == "abc-123"

    async def test_mints_id_when_missing_or_bad(self, client):
        resp = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
        assert resp.headers["x-request-id"] != "bad id\twith spaces"
        assert len(resp.headers["x-request-id"]) == 16


class TestFrameworkErrors:
    async def test_unknown_route_is_problem_in_vietnamese(self, client):
        body = assert_problem(await client.get("/api/v1/nope"), 404, "route_not_found")
        assert body["title"] == "Không có địa chỉ này"
        assert body["instance"] == "/api/v1/nope"

    async def test_english_on_request(self, client):
        resp = await client.get("/api/v1/nope", headers={"Accept-Language": "en-US,en;q=0.9"})
        body = assert_problem(resp, 404, "route_not_found")
        assert body["title"] == "No such endpoint"
        assert resp.headers["content-language"] == "en"

    async def test_method_not_allowed(self, client):
        assert_problem(await client.put("/healthz"), 405, "method_not_allowed")

    async def test_docs_are_served_offline(self, client):
        resp = await client.get("/docs")
        assert resp.status_code == 200
        assert "/static/docs/swagger-ui-bundle.js" in resp.text
        assert "cdn.jsdelivr" not in resp.text and "unpkg" not in resp.text
        js = await client.get("/static/docs/swagger-ui-bundle.js")
        assert js.status_code == 200 and len(js.content) > 100_000
        redoc = await client.get("/redoc")
        assert '<script src="/static/redoc.js">' in redoc.text
        assert "fonts.googleapis" not in redoc.text
        bundle = await client.get("/static/redoc.js")
        assert bundle.status_code == 200 and len(bundle.content) > 100_000
        assert "cdn.redoc.ly" not in bundle.text  # its footer logo, served blank instead


class TestDatabaseOutage:
    async def test_unreachable_database_is_503_not_a_hang(self):
        import uuid

        import httpx

        from api.app import create_app
        from repositories.db import make_engine, make_session_factory
        from tests.conftest import make_settings

        engine = make_engine("postgresql+asyncpg://postgres@127.0.0.1:1/none",
                             connect_timeout=2, pool_timeout=2)
        app = create_app(make_settings(), engine=engine,
                         session_factory=make_session_factory(engine))
        token, _ = app.state.tokens.issue_access(
            str(uuid.uuid4()), role="admin", scope_units=[], scope="", kind="user", ep=0)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://t") as client:
            resp = await client.get("/api/v1/units",
                                    headers={"Authorization": f"Bearer {token}"})
            body = assert_problem(resp, 503, "database_unavailable")
            assert resp.headers["retry-after"] == "5"
            assert "asyncpg" not in resp.text and "Traceback" not in resp.text
            assert body["detail"]
            assert_problem(await client.get("/readyz"), 503, "database_unavailable")
        await engine.dispose()


class TestSaturation:
    async def test_exhausted_pool_is_busy_not_an_outage(self, app, client, session, monkeypatch):
        from sqlalchemy.exc import TimeoutError as PoolTimeout

        from domain.access import Role
        from tests.builders import bearer, make_user

        admin = await make_user(session, role=Role.admin)

        async def busy(*args, **kwargs):
            raise PoolTimeout("QueuePool limit reached")

        monkeypatch.setattr("repositories.units.UnitRepository.list", busy)
        resp = await client.get("/api/v1/units", headers=bearer(app, admin))
        assert_problem(resp, 503, "service_busy")
        assert resp.headers["retry-after"] == "1"


class TestBugs:
    async def test_a_500_names_its_request_and_hides_internals(self, app, client, session,
                                                               monkeypatch):
        from domain.access import Role
        from tests.builders import bearer, make_user

        admin = await make_user(session, role=Role.admin)

        async def broken(*args, **kwargs):
            raise RuntimeError("secret internals at /srv/x.py line 3")

        monkeypatch.setattr("repositories.units.UnitRepository.list", broken)
        resp = await client.get("/api/v1/units", headers={**bearer(app, admin),
                                                          "X-Request-ID": "trace-500"})
        body = assert_problem(resp, 500, "internal_error")
        assert body["request_id"] == "trace-500" and "trace-500" in body["detail"]
        assert "secret" not in resp.text and "RuntimeError" not in resp.text


class TestDatabaseRestart:
    async def test_connections_closed_by_the_server_are_replaced_without_an_error(
        self, pg_url, engine
    ):
        """No pre-ping round trip, yet a pooled connection the server closed (a restart, an
        administrator's pg_terminate_backend) is not handed to the next request."""
        import asyncio

        from sqlalchemy import text

        from repositories.db import make_engine

        app_engine = make_engine(pg_url, pool_size=1, max_overflow=0)
        try:
            async with app_engine.connect() as conn:
                before = await conn.scalar(text("SELECT pg_backend_pid()"))
            async with engine.connect() as admin:
                killed = await admin.scalar(text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid = :pid"), {"pid": before})
            assert killed == 1
            await asyncio.sleep(0.2)  # the loop sees the socket close
            async with app_engine.connect() as conn:
                after = await conn.scalar(text("SELECT pg_backend_pid()"))
            assert after != before
        finally:
            await app_engine.dispose()
