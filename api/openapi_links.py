"""OpenAPI `links`, derived from the routes: an answer that carries a record (or a page of
them) links to every operation on that record, so a client, a generator or a fuzzer's
stateful phase can follow real ids from one call to the next.

A resource is an item path (`/api/v1/households/{household_id}`) with a `*_get` operation.
An answer carries one of its records when its schema is that operation's schema (`id` at
the top), a page of it (`items[0].id`), or it is the 201/202 of the POST on the item's
collection (`POST /api/v1/service-accounts` answers the one-time `ServiceAccountCreated`).
The targets are every operation under the item path; a further path parameter of a target
is linked only when the source's own path has it (`$request.path.<name>`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_PARAM = re.compile(r"\{(\w+)\}")
_METHODS = ("get", "put", "post", "patch", "delete")


@dataclass(frozen=True)
class _Resource:
    item_path: str  # /api/v1/households/{household_id}
    param: str  # household_id
    schema: str  # HouseholdRead: what its `*_get` answers


def _ref(content: dict[str, Any]) -> str | None:
    schema = content.get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else None


def _page_of(schemas: dict[str, Any], name: str | None) -> str | None:
    """The record schema of a page (`{"items": [Record], "next_cursor": ...}`), if it is one."""
    items = schemas.get(name or "", {}).get("properties", {}).get("items", {})
    ref = items.get("items", {}).get("$ref", "") if items.get("type") == "array" else ""
    return ref.rsplit("/", 1)[-1] if ref else None


def _resources(paths: dict[str, Any]) -> list[_Resource]:
    found = []
    for path, item in paths.items():
        operation = item.get("get") or {}
        match = re.search(r"/\{(\w+)\}$", path)
        if match is None or not operation.get("operationId", "").endswith("_get"):
            continue
        schema = _ref(operation.get("responses", {}).get("200", {}).get("content", {}))
        if schema is not None:
            found.append(_Resource(path, match.group(1), schema))
    return found


def _link(target: dict[str, Any], target_path: str, source_path: str, param: str,
          pointer: str) -> dict[str, Any] | None:
    parameters = {param: f"$response.body#{pointer}"}
    for name in _PARAM.findall(target_path):
        if name == param:
            continue
        if f"{{{name}}}" not in source_path:
            return None  # a parameter no answer or request of the source can supply
        parameters[name] = f"$request.path.{name}"
    return {"operationId": target["operationId"], "parameters": parameters}


def add_links(schema: dict[str, Any]) -> None:
    """Add the links to the document's answers (in place)."""
    paths: dict[str, Any] = schema.get("paths", {})
    schemas: dict[str, Any] = schema.get("components", {}).get("schemas", {})
    resources = _resources(paths)
    for source_path, item in paths.items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            for status, answer in operation.get("responses", {}).items():
                if status[0] != "2":
                    continue
                name = _ref(answer.get("content", {}))
                for resource in resources:
                    created = (method == "post" and status in {"201", "202"}
                               and source_path == resource.item_path.rsplit("/", 1)[0])
                    if name == resource.schema or created:
                        pointer = "/id"
                    elif _page_of(schemas, name) == resource.schema:
                        pointer = "/items/0/id"
                    else:
                        continue
                    _add(answer, paths, resource, source_path, pointer)


def _add(answer: dict[str, Any], paths: dict[str, Any], resource: _Resource, source_path: str,
         pointer: str) -> None:
    for target_path, target_item in paths.items():
        if target_path != resource.item_path and not target_path.startswith(
                resource.item_path + "/"):
            continue
        for method in _METHODS:
            target = target_item.get(method)
            if target is None or "operationId" not in target:
                continue
            link = _link(target, target_path, source_path, resource.param, pointer)
            if link is not None:
                answer.setdefault("links", {})[target["operationId"]] = link
