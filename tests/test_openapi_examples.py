"""Every JSON body the document describes carries an example, and every example in the
document is valid against its own schema (formats included): what a generated client or a
fuzzer takes from the document, the server accepts and sends."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema_rs

from tests.test_openapi import COMMITTED

JSON = "application/json"
SCHEMA_LISTS = {"anyOf", "oneOf", "allOf", "prefixItems"}
SCHEMA_MAPS = {"properties", "$defs", "patternProperties"}


def _validator(document: dict[str, Any], schema: dict[str, Any]):
    # The document's components ride along so `#/components/schemas/...` resolves.
    root = {**schema, "components": document.get("components", {})}
    return jsonschema_rs.Draft202012Validator(root, validate_formats=True)


def _check(document, schema, values, where: str) -> list[str]:
    validator = _validator(document, schema)
    return [f"{where}[{i}]: {error.message}" for i, value in enumerate(values)
            for error in validator.iter_errors(value)]


def _schema_examples(document, schema: Any, where: str) -> list[str]:
    """The bad `examples` of `schema` and of every schema inside it."""
    if not isinstance(schema, dict):
        return []
    bad = _check(document, schema, schema.get("examples", []), where + "/examples")
    for key, value in schema.items():
        if key in SCHEMA_MAPS and isinstance(value, dict):
            for name, inner in value.items():
                bad += _schema_examples(document, inner, f"{where}/{key}/{name}")
        elif key in SCHEMA_LISTS and isinstance(value, list):
            for i, inner in enumerate(value):
                bad += _schema_examples(document, inner, f"{where}/{key}[{i}]")
        elif key in {"items", "additionalProperties", "not", "propertyNames"}:
            bad += _schema_examples(document, value, f"{where}/{key}")
    return bad


def bodies(document) -> list[tuple[str, dict[str, Any]]]:
    """Every JSON request body and success response of the document: (where, media type)."""
    found = []
    for path, item in document["paths"].items():
        for method, op in item.items():
            content = op.get("requestBody", {}).get("content", {})
            if JSON in content:
                found.append((f"{method.upper()} {path} request", content[JSON]))
            for status, answer in op["responses"].items():
                media = answer.get("content", {}).get(JSON)
                if status.startswith("2") and media is not None:
                    found.append((f"{method.upper()} {path} {status}", media))
    return found


def _has_example(document, media: dict[str, Any]) -> bool:
    if "example" in media or media.get("examples"):
        return True
    schema = media.get("schema", {})
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return bool(schema.get("examples"))


def problems(document) -> list[str]:
    """Bodies without an example, and examples their schema refuses."""
    bad = [f"{where}: no example" for where, media in bodies(document)
           # An empty schema (`{}`) describes no body, so there is nothing to show.
           if media.get("schema") != {} and not _has_example(document, media)]
    for name, schema in document["components"]["schemas"].items():
        bad += _schema_examples(document, schema, f"#/components/schemas/{name}")
    for where, media in bodies(document):
        schema = media.get("schema", {})
        bad += _schema_examples(document, schema, where)
        shown = ([media["example"]] if "example" in media else []) + [
            e.get("value") for e in media.get("examples", {}).values()]
        bad += _check(document, schema, shown, where + " example")
    for path, item in document["paths"].items():
        for method, op in item.items():
            for param in op.get("parameters", []):
                bad += _schema_examples(document, param.get("schema", {}),
                                        f"{method.upper()} {path} {param['name']}")
    return bad


def test_every_body_has_a_valid_example():
    document = json.loads(COMMITTED.read_text())
    assert len(bodies(document)) > 90  # the sweep reaches the whole document
    assert problems(document) == []


def test_the_check_sees_a_missing_or_wrong_example():
    document = json.loads(COMMITTED.read_text())
    assert problems(document) == []
    schemas = document["components"]["schemas"]
    broken = copy.deepcopy(document)
    broken["components"]["schemas"]["UnitRead"]["examples"][0]["id"] = "not-a-uuid"
    broken["components"]["schemas"]["ResidentRead"]["examples"][0]["sex"] = "unknown"
    del broken["components"]["schemas"]["StreetRead"]["examples"]
    found = problems(broken)
    assert any("UnitRead/examples[0]" in p for p in found), found
    assert any("ResidentRead/examples[0]" in p for p in found), found
    assert any(p.endswith("/api/v1/streets/{street_id} 200: no example") for p in found), found
    assert "examples" in schemas["StreetRead"]
