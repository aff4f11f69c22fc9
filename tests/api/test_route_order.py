"""Typed ids keep routes apart: whatever order the routers are included in (and the routes
inside them), `/residents/export` is the export and `/residents/{id}` the record."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter

import api.app
from api.app import create_app
from domain.access import Role
from tests.api.test_ops import assert_problem
from tests.builders import bearer, make_household, make_resident, make_tree, make_user


def _reversed(routers: list[APIRouter]) -> list[APIRouter]:
    """The same routes, the routers and each router's own routes in reversed order."""
    out = []
    for router in reversed(routers):
        copy = APIRouter()
        copy.routes.extend(reversed(router.routes))
        out.append(copy)
    return out


@pytest.fixture(params=["as declared", "reversed"])
async def client(request, monkeypatch, settings, session_factory, engine):
    if request.param == "reversed":
        routers = api.app.area_routers()
        monkeypatch.setattr(api.app, "area_routers", lambda: _reversed(routers))
    app = create_app(settings, session_factory=session_factory, engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        c.app = app
        yield c


async def test_exports_and_records_both_answer(client, session):
    tree = await make_tree(session)
    household = await make_household(session, tree.group_a1)
    resident = await make_resident(session, household, head=True)
    h = bearer(client.app, await make_user(session, role=Role.group_leader,
                                           units=[tree.group_a1]), [tree.group_a1])

    export = await client.get("/api/v1/residents/export?format=csv", headers=h)
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    record = await client.get(f"/api/v1/residents/{resident.id}", headers=h)
    assert record.status_code == 200 and record.json()["id"] == str(resident.id)
    assert (await client.get("/api/v1/households/export?format=csv", headers=h)
            ).status_code == 200
    assert (await client.get(f"/api/v1/households/{household.id}", headers=h)
            ).json()["id"] == str(household.id)
    duplicates = await client.get("/api/v1/residents/duplicates", headers=h)
    assert duplicates.status_code == 200, duplicates.text


async def test_a_malformed_id_matches_no_route(client, session):
    tree = await make_tree(session)
    h = bearer(client.app, await make_user(session, role=Role.group_leader,
                                           units=[tree.group_a1]), [tree.group_a1])
    assert_problem(await client.get("/api/v1/residents/not-a-uuid", headers=h), 404,
                   "route_not_found")
