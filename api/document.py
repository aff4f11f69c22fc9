"""What every operation's entry says beyond its route's own declarations, from the layers
that answer for it: the write transaction (`Idempotency-Key`, its 400 and its replays), the
body limit (413), the JSON parser (400 `malformed_json`), headers the document requires
while the route reads them optional (`If-Match`: the use case's 428), binary form parts,
and the codes every error answer can carry. Each pass runs on the generated document and
can run on it again without changing it."""

from __future__ import annotations

from typing import Any

from api.deps import REQUIRED_IN_DOCUMENT
from api.problems import responses
from domain.errors import DomainError
from domain.service_errors import (
    IdempotencyKeyInvalid,
    MalformedJson,
    PayloadTooLarge,
    RouteNotFound,
    ValidationFailed,
)

IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "Retry-safe POST: the same key and body replay the first answer "
                   "(header `Idempotency-Replayed: true`); another body is a 422. "
                   "Kept 48 hours, per caller. Printable ASCII, no spaces (else a 400).",
    # The pattern `api/writes.py` holds a key to.
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$",
               "examples": ["0b8f5c2e-visit-42"]},
}
REPLAYED = {"Idempotency-Replayed": {
    "description": "`true` on an answer replayed for a reused `Idempotency-Key`",
    "required": False, "schema": {"type": "string", "enum": ["true"]}}}
WRITES = ("post", "put", "patch", "delete")  # the methods whose bodies the limit counts
JSON = "application/json"
MULTIPART = "multipart/form-data"


def complete(schema: dict[str, Any]) -> None:
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method == "post":
                _idempotent(operation)
            if method in WRITES:
                add_answer(operation, PayloadTooLarge)
            if JSON in operation.get("requestBody", {}).get("content", {}):
                add_answer(operation, MalformedJson)
            _required_headers(operation)
            _framework_codes(operation)
            _same_body(operation)
            _multipart_encoding(operation, schema)
            _forms_carry_no_null(operation, schema)
    for component in schema.get("components", {}).get("schemas", {}).values():
        for prop in component.get("properties", {}).values():
            if prop.get("type") == "string" and "contentMediaType" in prop:
                prop["format"] = "binary"  # what both client generators send as a file


def _same_body(operation: dict[str, Any]) -> None:
    """A success status declared by its headers alone (the 200 a retry of an offline-safe
    record gets, beside the 201) answers the body of the operation's other success."""
    answers = operation.get("responses", {})
    bodies = [a["content"] for s, a in answers.items() if s[0] == "2" and a.get("content")]
    for status, answer in answers.items():
        if status[0] == "2" and status != "204" and not answer.get("content") and bodies:
            answer["content"] = bodies[0]


def add_answer(operation: dict[str, Any], *cases: type[DomainError]) -> None:
    """Document `cases` on the operation: their codes join the status's answer."""
    answers = operation.setdefault("responses", {})
    for status, entry in responses(*cases).items():
        answer = answers.get(str(status))
        if answer is None:
            answers[str(status)] = {k: v for k, v in entry.items() if k != "model"}
            continue
        codes = set(answer.get("x-error-codes", [])) | set(entry.get("x-error-codes", []))
        answer["x-error-codes"] = sorted(codes)
    operation["responses"] = dict(sorted(answers.items()))


def _idempotent(operation: dict[str, Any]) -> None:
    parameters = operation.setdefault("parameters", [])
    if not any(p["name"] == IDEMPOTENCY_KEY["name"] for p in parameters):
        parameters.append(IDEMPOTENCY_KEY)
    add_answer(operation, IdempotencyKeyInvalid)
    if operation.get("security") == []:
        return  # a key is kept per caller: a public POST never replays
    for status, answer in operation["responses"].items():
        if int(status) < 500:  # every stored answer replays, refusals included
            answer.setdefault("headers", {}).update(REPLAYED)


def _required_headers(operation: dict[str, Any]) -> None:
    """The If-Match statuses follow its declaration (`api.deps.IfMatch`): a 428 only where
    it is required, a 412 only where it is read; shared `responses=` lists do not know."""
    for parameter in operation.get("parameters", []):
        if parameter.get("schema", {}).pop(REQUIRED_IN_DOCUMENT, False):
            parameter["required"] = True
            parameter["schema"] = {"type": "string", "title": parameter["schema"].get("title"),
                                   "description": parameter.get("description")}
    if_match = [p for p in operation.get("parameters", []) if p["name"].lower() == "if-match"]
    answers = operation.get("responses", {})
    if not (if_match and if_match[0].get("required")):
        answers.pop("428", None)
    if not if_match:
        answers.pop("412", None)


def _framework_codes(operation: dict[str, Any]) -> None:
    """What the framework answers for any operation of a shape: a path id that is no id
    matches no route (404 `route_not_found`); any input may fail its schema (422)."""
    parameters = operation.get("parameters", [])
    if any(p["in"] == "path" for p in parameters):
        add_answer(operation, RouteNotFound)
    if "422" in operation.get("responses", {}):
        add_answer(operation, ValidationFailed)


FORMS = ("application/x-www-form-urlencoded", MULTIPART)


def _forms_carry_no_null(operation: dict[str, Any], schema: dict[str, Any]) -> None:
    """A form has no null: a field is sent or left out, and the text "null" is a value
    (refused by the field's type). An optional form field is documented as its type."""
    for kind in FORMS:
        content = operation.get("requestBody", {}).get("content", {}).get(kind)
        if content is None:
            continue
        ref = content.get("schema", {}).get("$ref", "")
        body = schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
        for prop in body.get("properties", {}).values():
            branches = [b for b in prop.get("anyOf", ()) if b != {"type": "null"}]
            if "anyOf" in prop and len(branches) == 1:
                del prop["anyOf"]
                prop.update(branches[0])
            if prop.get("default", 0) is None:
                del prop["default"]


def _multipart_encoding(operation: dict[str, Any], schema: dict[str, Any]) -> None:
    """Each binary part of a form is sent as the file it is."""
    content = operation.get("requestBody", {}).get("content", {}).get(MULTIPART)
    if content is None:
        return
    ref = content.get("schema", {}).get("$ref", "")
    body = schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
    encoding = {name: {"contentType": prop["contentMediaType"]}
                for name, prop in body.get("properties", {}).items()
                if "contentMediaType" in prop}
    if encoding:
        content["encoding"] = encoding
