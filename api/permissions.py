"""Which permission each route declares, shown in the OpenAPI document and the docs matrix."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from api.problems import error_code_schema
from domain.access import ROLE_PERMISSIONS, Permission, Role

# Operations anyone may call: they authenticate the caller themselves, or expose nothing.
PUBLIC = {"ops_healthz", "ops_readyz", "auth_token", "auth_revoke", "auth_jwks",
          "open311_discovery", "open311_services_list", "open311_services_get"}


def api_key_permission(route) -> Permission | None:
    """The permission an operation's `api_key` must hold (Open311: a service account's key
    instead of a token; only `integration` has keys)."""
    def walk(dependant: Dependant) -> Permission | None:
        for dep in dependant.dependencies:
            found = getattr(dep.call, "__api_key_permission__", None) or walk(dep)
            if found:
                return found
        return None

    return walk(route.original_route.dependant)


def route_permission(route) -> Permission | None:
    def walk(dependant: Dependant) -> Permission | None:
        for dep in dependant.dependencies:
            found = getattr(dep.call, "__permission__", None) or walk(dep)
            if found:
                return found
        return None

    return walk(route.original_route.dependant)


def api_routes(app: FastAPI) -> list:
    """Every documented API route, with its full path (routers are included, not copied)."""
    return [
        ctx for ctx in iter_route_contexts(app.routes)
        if isinstance(ctx.original_route, APIRoute) and ctx.original_route.include_in_schema
    ]


def annotate(app: FastAPI) -> None:
    """Add `x-required-permission` and the roles holding it to every operation of the document.

    Done on the generated document, not on the routes: routers are shared between apps.
    """
    by_operation = {ctx.original_route.operation_id: route_permission(ctx)
                    or api_key_permission(ctx) for ctx in api_routes(app)}
    by_key = {ctx.original_route.operation_id for ctx in api_routes(app)
              if api_key_permission(ctx)}
    plain_openapi = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = plain_openapi()
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                permission = by_operation.get(operation.get("operationId"))
                if permission is None:
                    continue
                roles = [r.value for r in Role if permission in ROLE_PERMISSIONS[r]
                         and (r == Role.integration or operation["operationId"] not in by_key)]
                operation["x-required-permission"] = permission.value
                operation["x-roles"] = roles
                operation["description"] = (
                    f"{operation.get('description', '')}\n\nRequires `{permission.value}` "
                    f"({', '.join(roles)})."
                ).strip()
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorCode"] = (
            error_code_schema())
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override


# Which rows a permission reaches (repositories/scoped.py), above the matrix.
SCOPE_RULES = [
    "Where a permission reaches (`repositories/scoped.py`); `admin` is unscoped:",
    "",
    "- **Read**: the caller's units and everything below them; units also the commune and",
    "  province above them, and streets their commune's. A `volunteer` reads the register",
    "  (households, members, history, residents) of the households assigned to them in",
    "  active campaigns only, and campaigns only while active and walked by them; their",
    "  units and streets as above. Out of read scope is a 404, as if it did not exist.",
    "- **Write**: a write changes or targets (places a household or resident in, aims a",
    "  campaign, announcement, import, account or child unit at) only the caller's own units",
    "  and those below them, never an ancestor they can read. A unit out of write scope is",
    "  the 404 `unit_not_found` (accounts: 403 `scope_not_assignable`, unknown units alike);",
    "  one of the wrong level for the write is a 422 (`not_a_group`, `unit_parent_invalid`,",
    "  `announcement_unit_level`). A campaign is changed only by whoever may write to its",
    "  commune or to every group it targets (else 404); an announcement likewise (else 403).",
]


def matrix_markdown(app: FastAPI) -> str:
    """The role × operation table of docs/permissions.md."""
    roles = list(Role)
    lines = [
        "# Permission matrix",
        "",
        "Generated from `domain/access.py` and the routes by `make openapi`; do not edit.",
        "`integration` holds a permission only when its service account was granted that scope.",
        "",
        *SCOPE_RULES,
        "",
        "| operation | method and path | permission | " + " | ".join(r.value for r in roles) + " |",
        "| --- | --- | --- | " + " | ".join("---" for _ in roles) + " |",
    ]
    for route in sorted(api_routes(app), key=lambda r: (r.path_format, sorted(r.methods))):
        permission = route_permission(route)
        keyed = api_key_permission(route)
        operation_id = route.original_route.operation_id
        if keyed is not None:  # a service account's api_key, never a person's token
            marks = ["✓" if r == Role.integration and keyed in ROLE_PERMISSIONS[r] else ""
                     for r in roles]
            shown = f"api_key {keyed.value}"
        else:
            marks = ["✓" if permission is None or permission in ROLE_PERMISSIONS[r] else ""
                     for r in roles]
            shown = permission.value if permission else "public"
        method = ",".join(sorted(route.methods))
        lines.append(
            f"| `{operation_id}` | {method} `{route.path_format}` | {shown} | "
            + " | ".join(marks) + " |"
        )
    return "\n".join(lines) + "\n"
