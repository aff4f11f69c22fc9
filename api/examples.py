"""The models' examples in the OpenAPI document as the models declare them: FastAPI writes
the document with `exclude_none`, which drops every `null` inside an example too (a
`UnitRead` example lost its required `"code": null`, a PATCH example its `null` that clears
a field)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel

from api.permissions import api_routes

REF = "#/components/schemas/{model}"


def _models(app: FastAPI) -> set[type[BaseModel]]:
    found: set[type[BaseModel]] = set()
    for ctx in api_routes(app):
        route: APIRoute = ctx.original_route
        candidates = [route.response_model]
        if route.body_field is not None:
            candidates.append(route.body_field.field_info.annotation)
        found |= {c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)}
    return found


def restore_examples(app: FastAPI, schema: dict[str, Any]) -> None:
    components = schema.get("components", {}).get("schemas", {})
    for model in _models(app):
        full = model.model_json_schema(ref_template=REF)
        for name, declared in [(model.__name__, full), *full.get("$defs", {}).items()]:
            if name in components and "examples" in declared:
                components[name]["examples"] = declared["examples"]
