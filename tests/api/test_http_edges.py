"""HTTP edges every client meets: a 405 names every method of its path (several routes
serve one path, one per method), and a browser may read the headers an SPA needs."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from api.app import create_app
from tests.conftest import make_settings

_ALL = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _paths(app) -> dict[str, set[str]]:
    """Each documented path with a real-looking id in its parameters, and its methods."""
    out = {}
    for template, operations in app.openapi()["paths"].items():
        path = re.sub(r"\{\w+\}", str(uuid.uuid4()), template)
        out[path] = {method.upper() for method in operations}
    return out


async def test_a_405_lists_every_method_of_its_path(app, client):
    checked = 0
    for path, methods in _paths(app).items():
        expected = methods  # no route answers HEAD (a HEAD is a 405 too)
        for method in _ALL:
            if method in methods:
                continue
            resp = await client.request(method, path)
            assert resp.status_code == 405, (method, path, resp.status_code)
            if path.startswith("/open311/"):  # that face answers GeoReport's own errors
                assert "<error>" in resp.text or resp.json()[0]["code"] == 405, resp.text
            else:
                assert resp.headers["content-type"].startswith("application/problem+json")
                assert resp.json()["code"] == "method_not_allowed"
            allow = {m.strip() for m in resp.headers["allow"].split(",")}
            assert allow == expected, (method, path, allow)
            checked += 1
    assert checked > 100  # every path, not a few


async def test_a_405_on_a_path_with_several_routes(client):
    """`/households` is one route for GET and another for POST: both are allowed."""
    resp = await client.put("/api/v1/households")
    assert resp.status_code == 405
    assert {m.strip() for m in resp.headers["allow"].split(",")} == {"GET", "POST"}
    resp = await client.patch("/api/v1/residents/export")
    assert resp.status_code == 405, resp.text
    assert {m.strip() for m in resp.headers["allow"].split(",")} == {"GET"}


@pytest.mark.parametrize("header", ["Content-Disposition", "ETag", "Location", "Retry-After",
                                    "Idempotency-Replayed"])
async def test_cors_exposes_what_an_spa_reads(session_factory, engine, header):
    origin = "http://spa.example"
    app = create_app(make_settings(cors_origins=origin), session_factory=session_factory,
                     engine=engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as c:
        resp = await c.get("/healthz", headers={"Origin": origin})
        exposed = {h.strip().lower() for h in
                   resp.headers["access-control-expose-headers"].split(",")}
        assert header.lower() in exposed
        other = await c.get("/healthz", headers={"Origin": "http://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers
