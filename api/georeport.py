"""GeoReport v2's wire formats: documents as JSON or XML (by the path's `.json`/`.xml`), its
error list in place of problem+json under `/open311/`, and their declarations in the
OpenAPI document.

Errors: `api/problems.py` hands every problem it would answer under `PREFIX` (a handler's,
or a middleware's: a body too large, refused input) to `error_response`, so the face has one
error format whatever raised. A 422 is GeoReport's 400; each field of it is one error."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import orjson
from fastapi import Query
from pydantic import BaseModel
from starlette.responses import Response

from domain.errors import DomainError
from domain.service_errors import ValidationFailed
from domain.tickets.open311.schemas import (
    Discovery,
    GeoReportError,
    Service,
    ServiceDefinition,
    ServiceRequest,
    ServiceRequestCreated,
)

PREFIX = "/open311/"
FORMATS = ("json", "xml")
JSON = "application/json"
XML = "application/xml"
_TYPES = {"json": JSON + "; charset=utf-8", "xml": XML + "; charset=utf-8"}
# The element of each item of a list, by the list's element (GeoReport's examples).
_ITEMS = {"services": "service", "service_requests": "request", "errors": "error",
          "endpoints": "endpoint", "formats": "format", "attributes": "attribute",
          "values": "value"}


def is_open311(scope) -> bool:
    return str(scope.get("path", "")).startswith(PREFIX)


def format_of(path: str) -> str:
    """The format a path asks for; XML (GeoReport's required one) when it names neither."""
    return "json" if path.endswith(".json") else "xml"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(parent: ET.Element, tag: str, value: Any) -> None:
    node = ET.SubElement(parent, tag)
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, dict):
        for key, inner in value.items():
            _element(node, key, inner)
    elif isinstance(value, list):
        for inner in value:
            _element(node, _ITEMS.get(tag, "item"), inner)
    elif value is not None:
        node.text = _text(value)


def xml_document(root: str, content: Any) -> bytes:
    """`content` under `root`: a list becomes one element per item (`_ITEMS`), a document
    its fields in order; null is an empty element."""
    top = ET.Element(root)
    if isinstance(content, BaseModel):
        content = content.model_dump(mode="json")
    if isinstance(content, list):
        for item in content:
            _element(top, _ITEMS[root], item)
    else:
        for key, value in content.items():
            _element(top, key, value)
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)


def render(fmt: str, root: str, content: Any, status: int = 200,
           headers: dict[str, str] | None = None) -> Response:
    """One answer in `fmt`: JSON as the document itself, XML under `root`."""
    if fmt == "xml":
        body = xml_document(root, content)
    else:
        plain = ([c.model_dump(mode="json") if isinstance(c, BaseModel) else c for c in content]
                 if isinstance(content, list) else
                 content.model_dump(mode="json") if isinstance(content, BaseModel) else content)
        body = orjson.dumps(plain)
    return Response(body, status_code=status, media_type=_TYPES[fmt], headers=headers)


def error_response(scope, body: dict[str, Any], headers: dict[str, str]) -> Response:
    """The problem `body` (api/problems.py) as GeoReport's error list."""
    status = 400 if body["status"] == 422 else body["status"]
    errors = [{"code": status, "description": f"{_field(e['loc'])}: {e['message']}"}
              for e in body.get("errors") or ()]
    if not errors:
        errors = [{"code": status, "description": body["detail"]}]
    headers = {k: v for k, v in headers.items() if k.lower() != "www-authenticate"}
    return render(format_of(str(scope.get("path", ""))), "errors", errors, status, headers)


def _field(loc: list[Any]) -> str:
    """A field error's place as the client named it: `service_code`, not `body.service_code`."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


# -- the OpenAPI declarations ----------------------------------------------------------------
def query(description: str) -> Any:
    """A GeoReport filter: text, as its clients send it."""
    return Query(max_length=4000, description=description)


def document(schema: dict[str, Any]) -> None:
    """The face's operations in the generated document: a 422 is its 400 here, which the
    routes declare (FastAPI adds a 422 to any operation with parameters); its models keep
    their examples' nulls (FastAPI writes the document without them), and each JSON list
    answer has its example, a list of the item's."""
    components = schema.get("components", {}).get("schemas", {})
    for model in MODELS:
        if model.__name__ in components:
            components[model.__name__]["examples"] = [_example(model)]
    for path, item in schema.get("paths", {}).items():
        if not path.startswith(PREFIX):
            continue
        for operation in item.values():
            operation.get("responses", {}).pop("422", None)
            for status, answer in operation.get("responses", {}).items():
                media = answer.get("content", {}).get(JSON)
                ref = (media or {}).get("schema", {}).get("items", {}).get("$ref", "")
                if ref:
                    media["example"] = components[ref.rsplit("/", 1)[-1]]["examples"][:1]
                if links := _LINKS.get((operation.get("operationId"), status)):
                    answer["links"] = links


def _to(operation_id: str, **parameters: str) -> dict[str, Any]:
    return {"operationId": operation_id,
            "parameters": {**parameters, "format": "$request.path.format"}}


# What a client reads next from an answer: a listed service's definition, a request's
# record (`api/openapi_links.py` links the /api/v1 resources; these paths name no `id`).
_LINKS: dict[tuple[str | None, str], dict[str, Any]] = {
    ("open311_services_list", "200"): {"open311_services_get": _to(
        "open311_services_get", service_code="$response.body#/0/service_code")},
    ("open311_requests_list", "200"): {"open311_requests_get": _to(
        "open311_requests_get", service_request_id="$response.body#/0/service_request_id")},
    ("open311_requests_create", "201"): {"open311_requests_get": _to(
        "open311_requests_get", service_request_id="$response.body#/0/service_request_id")},
}


def _example(model: type[BaseModel]) -> dict[str, Any]:
    """A model's first example in its fields' order, nulls included."""
    declared = model.model_json_schema().get("examples", [{}])[0]
    return model.model_validate(declared).model_dump(mode="json")


def _xml_example(root: str, example: Any) -> str:
    return xml_document(root, example).decode()


# Answers' models (a form has no null: `ServiceRequestForm` keeps its example as declared).
MODELS = (Discovery, Service, ServiceDefinition, ServiceRequest, ServiceRequestCreated,
          GeoReportError)


def answers(model: type[BaseModel], root: str, *, many: bool, status: int = 200,
            description: str = "", headers: dict[int | str, dict[str, Any]] | None = None
            ) -> dict[int | str, dict[str, Any]]:
    """A success answer: JSON by the route's response model (a list when `many`), XML as
    GeoReport writes it, each with its example."""
    example = _example(model)
    document = [example] if many else example
    sent = (headers or {}).get(status, {}).get("headers")
    return {status: {"description": description or "Successful Response",
                     **({"headers": sent} if sent else {}), "content": {
        XML: {"schema": {"type": "string", "description": f"`<{root}>` as GeoReport v2 "
                         "writes it"}, "example": _xml_example(root, document)}}}}


_STATUS_TEXT = {400: "A field is missing or wrong (each one an error)",
                403: "api_key missing, wrong, revoked or without the scope",
                404: "Not found (an unknown format, service or request)",
                413: "Body too large", 415: "Not a form body",
                503: "Database unavailable"}


def responses(*cases: int | type[DomainError]) -> dict[int | str, dict[str, Any]]:
    """`responses=` of an Open311 route: GeoReport's error list (JSON, XML) for each status,
    with the codes behind it in `x-error-codes`; a 422 case answers 400 here."""
    from api.problems import _DESCRIBED

    codes: dict[int, list[str]] = {}
    for case in (*cases, ValidationFailed):  # any parameter or field may fail its type
        if isinstance(case, int):
            status, found = case, _DESCRIBED.get(case, ("", ()))[1]
        else:
            status, found = case.status, (case,)
        status = 400 if status == 422 else status
        listed = codes.setdefault(status, [])
        listed.extend(c.code for c in found if c.code not in listed)
    example = [_example(GeoReportError)]
    out: dict[int | str, dict[str, Any]] = {}
    for status in sorted(codes):
        out[status] = {
            "model": list[GeoReportError], "description": _STATUS_TEXT.get(status, "Error"),
            "content": {
                XML: {"schema": {"type": "string", "description": "`<errors>` of `<error>`"},
                      "example": _xml_example("errors", example)}},
            **({"x-error-codes": sorted(codes[status])} if codes[status] else {})}
    return out
