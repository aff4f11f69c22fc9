"""Every operation, for every role, is allowed or denied exactly as the permission table says."""

from __future__ import annotations

import re
import uuid

import pytest

from api.app import ROOT
from api.permissions import (
    PUBLIC,
    api_key_permission,
    api_routes,
    matrix_markdown,
    route_permission,
)
from domain.access import ROLE_PERMISSIONS, Role
from domain.accounts.models import ServiceAccount, ServiceAccountUnit
from domain.tickets.views import PUBLIC_ONLY
from tests.builders import bearer, make_tree, make_user

# Reads their permission allows but the use case keeps to staff: a resident's tickets:read
# is their own tickets, and the stats are not theirs (403 `ticket_staff_only`).
STAFF_ONLY = {"tickets_stats": "ticket_staff_only"}


def test_every_route_declares_a_permission(app):
    undeclared = [r.original_route.operation_id for r in api_routes(app)
                  if route_permission(r) is None and api_key_permission(r) is None
                  and r.original_route.operation_id not in PUBLIC]
    assert undeclared == []


def test_permission_matrix_doc_is_current(app):
    committed = (ROOT / "docs" / "permissions.md").read_text()
    assert committed == matrix_markdown(app), "docs/permissions.md is stale: run `make openapi`"


async def _integration_headers(app, session, unit):
    scopes = sorted(p.value for p in ROLE_PERMISSIONS[Role.integration])
    account = ServiceAccount(client_id=f"svc_{uuid.uuid4().hex[:8]}", name="Matrix",
                             secret_hash="x", scopes=scopes)
    session.add(account)
    await session.flush()
    session.add(ServiceAccountUnit(service_account_id=account.id, unit_id=unit.id))
    await session.flush()
    token, _ = app.state.tokens.issue_access(
        str(account.id), role="integration", scope_units=[str(unit.id)], scope=" ".join(scopes),
        scp=" ".join(scopes), kind="service", ep=0, name=account.client_id)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("role", list(Role))
async def test_matrix(app, client, session, role):
    tree = await make_tree(session)
    if role == Role.integration:
        headers = await _integration_headers(app, session, tree.group_a1)
    else:
        units = [] if role == Role.admin else [tree.group_a1]
        user = await make_user(session, role=role, units=units)
        headers = bearer(app, user, units)
    checked = 0
    for route in api_routes(app):
        permission = route_permission(route)
        if permission is None:
            continue
        path = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), route.path)
        for method in route.methods:
            resp = await client.request(method, path, headers=headers, json={})
            allowed = permission in ROLE_PERMISSIONS[role]
            where = f"{role.value} {method} {route.path} ({permission.value})"
            staff_only = STAFF_ONLY.get(route.original_route.operation_id)
            if allowed and staff_only and role in PUBLIC_ONLY:
                assert resp.status_code == 403 and resp.json()["code"] == staff_only, where
            elif allowed:
                assert resp.status_code not in (401, 403), f"{where}: {resp.text}"
            else:
                assert resp.status_code == 403, f"{where}: {resp.status_code}"
                assert resp.json()["code"] == "forbidden"
            checked += 1
    assert checked >= 10
