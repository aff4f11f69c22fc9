"""Every answer is held to the document outside production (`api/conformance.py`): the
whole suite's requests sweep every route. These prove the check fails when the document
and the server disagree, in each direction, and that it is off in production."""

from __future__ import annotations

import copy

import pytest

from api.app import create_app
from api.conformance import ConformanceMiddleware, violations
from domain.access import Role
from tests.api.test_ops import assert_problem
from tests.builders import bearer, make_tree, make_user
from tests.conftest import make_settings

UNIT = "/api/v1/units/{unit_id}"


@pytest.fixture
async def unit_read(app, session):
    tree = await make_tree(session)
    admin = await make_user(session, role=Role.admin)
    return f"/api/v1/units/{tree.group_a1.id}", bearer(app, admin)


async def test_a_route_answers_as_its_document_says(client, unit_read):
    url, h = unit_read
    resp = await client.get(url, headers=h)
    assert resp.status_code == 200 and resp.headers["etag"]


async def test_a_header_sent_but_not_declared_fails_the_request(app, client, unit_read):
    url, h = unit_read
    document = app.openapi()
    saved = copy.deepcopy(document["paths"][UNIT]["get"]["responses"]["200"])
    document["paths"][UNIT]["get"]["responses"]["200"].pop("headers")
    try:
        assert_problem(await client.get(url, headers=h), 500, "internal_error")
    finally:
        document["paths"][UNIT]["get"]["responses"]["200"] = saved


async def test_an_undocumented_status_fails_the_request(app, client, unit_read):
    url, h = unit_read
    answers = app.openapi()["paths"][UNIT]["get"]["responses"]
    saved = answers.pop("404")
    try:
        missing = url[:-12] + "000000000000"
        assert_problem(await client.get(missing, headers=h), 500, "internal_error")
    finally:
        answers["404"] = saved


def test_each_kind_of_departure_is_named(app):
    patch = app.openapi()["paths"][UNIT]["patch"]
    assert violations(patch, {"if-match"}, 200, {"etag"}) == []
    assert violations(patch, {"if-match"}, 200, set()) == ["etag is required but was not sent"]
    assert violations(patch, {"if-match"}, 200, {"etag", "location"}) == [
        "location was sent but is not declared"]
    assert violations(patch, set(), 200, {"etag"}) == [
        "answered without the required request header if-match"]
    assert violations(patch, set(), 428, set()) == []
    assert violations(patch, set(), 418, set()) == ["status 418 is not documented"]
    assert violations(patch, set(), 401, set()) == [
        "www-authenticate is required but was not sent"]


def test_production_answers_unchecked(session_factory, engine):
    def layers(app) -> set[type]:
        return {m.cls for m in app.user_middleware}

    checked = create_app(make_settings(), session_factory=session_factory, engine=engine)
    assert ConformanceMiddleware in layers(checked)
    plain = create_app(make_settings(app_env="production", secret_key="x" * 64),
                       session_factory=session_factory, engine=engine)
    assert ConformanceMiddleware not in layers(plain)
    measured = create_app(make_settings(check_conformance=False),
                          session_factory=session_factory, engine=engine)
    assert ConformanceMiddleware not in layers(measured)  # what the benchmarks run
