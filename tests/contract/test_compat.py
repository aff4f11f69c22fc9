"""The compatibility check (scripts/openapi_compat.py) catches each kind of breaking change,
wherever in the document it happens; additive changes pass; a new `info.version` lets breaking
changes through."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable

import orjson
import pytest

from scripts.openapi_compat import ROOT, breaking_changes
from tests.contract.compat_mutations import (
    DOC,
    IN_REQUESTS,
    IN_RESPONSES,
    OPS,
    SCHEMAS,
    Mutation,
    breaking,
    field_at,
    fields,
    mutated,
    nullable,
    prop,
    string_branch,
)


@pytest.mark.parametrize(("mutate", "kind", "says"), list(breaking()))
def test_a_breaking_change_is_caught_with_its_reason(mutate, kind, says):
    changes = breaking_changes(DOC, mutated(mutate))
    assert any(c.kind == kind and re.search(says, str(c)) for c in changes), (
        says, [str(c) for c in changes])


def test_a_field_of_a_nested_schema_is_named_where_the_client_reads_it():
    """A field removed from `ResidentRead` is reported on every list that carries it."""
    new = mutated(lambda d: d["components"]["schemas"]["ResidentRead"]["properties"].pop(
        "full_name"))
    assert "GET /api/v1/residents: response 200 field `items[].full_name` removed" in [
        str(c) for c in breaking_changes(DOC, new)]


def new_path(d: dict) -> None:
    d["paths"]["/api/v1/added"] = {"get": {**d["paths"]["/healthz"]["get"],
                                           "operationId": "added_get"}}


def new_operation(d: dict) -> None:
    path, _, op = next(o for o in OPS if o[1] == "get" and "put" not in DOC["paths"][o[0]])
    d["paths"][path]["put"] = {**op, "operationId": "added_put"}


def every_operation(d: dict, change: Callable[[dict], object]) -> None:
    for item in d["paths"].values():
        for op in item.values():
            change(op)


def every_schema(d: dict, names: set[str], change: Callable[[dict], object]) -> None:
    for name in names:
        if "properties" in SCHEMAS[name]:
            change(d["components"]["schemas"][name])


def every_field(d: dict, names: set[str], change: Callable[[dict, str, dict], object]) -> None:
    every_schema(d, names, lambda s: [change(s, f, sub) for f, sub in s["properties"].items()])


def prose(node: object, *, fields: bool = False) -> None:
    """Every description, summary and title rewritten, every example dropped."""
    if isinstance(node, list):
        for x in node:
            prose(x)
    elif isinstance(node, dict):
        for key in list(node):
            if not fields and key in {"example", "examples"}:
                del node[key]
            elif not fields and key in {"description", "summary", "title"} and isinstance(
                    node[key], str):
                node[key] = "Đã viết lại"
            else:
                prose(node[key], fields=key == "properties")


def loosened(s: dict, field: str, sub: dict) -> None:
    """A request field takes more: null, longer, no longer required."""
    branch = string_branch(sub)
    if branch and "maxLength" in branch:
        branch["maxLength"] += 10
    s["properties"][field] = {"anyOf": [sub, {"type": "null"}]}
    s["required"] = []


def tightened(s: dict, field: str, sub: dict) -> None:
    """A response field says less: never null, shorter, always there."""
    if nullable(sub):
        sub["anyOf"].remove({"type": "null"})
    branch = string_branch(sub)
    if branch and "maxLength" in branch:
        branch["maxLength"] -= 1
    s["required"] = sorted({*s.get("required", []), field})


REQUEST_ONLY, RESPONSE_ONLY = IN_REQUESTS - IN_RESPONSES, IN_RESPONSES - IN_REQUESTS
ADDITIVE: dict[str, Mutation] = {
    "new path": new_path,
    "new operation": new_operation,
    "optional parameter": lambda d: every_operation(d, lambda op: op.setdefault(
        "parameters", []).append({"name": "added", "in": "query", "schema": {"type": "string"}})),
    "new error response": lambda d: every_operation(d, lambda op: op["responses"].update(
        {"418": {"description": "teapot"}})),
    "new success status": lambda d: every_operation(d, lambda op: op["responses"].setdefault(
        "299", {"description": "also fine"})),
    "new request media type": lambda d: every_operation(d, lambda op: op.get(
        "requestBody", {}).get("content", {}).update({"application/x-added": {}})),
    "renamed path parameter": lambda d: d["paths"].update({
        p.replace("{resident_id}", "{id}"): d["paths"].pop(p) for p in list(d["paths"])
        if "{resident_id}" in p}) or every_operation(d, lambda op: [
            x.update(name="id") for x in op.get("parameters", [])
            if x["name"] == "resident_id" and x["in"] == "path"]),
    "parameter no longer null (never sent: absent instead)": lambda d: every_operation(
        d, lambda op: [x["schema"]["anyOf"].remove({"type": "null"}) for x in op.get(
            "parameters", []) if nullable(x["schema"])]),
    # (a field no schema has: a diff's `added` count is one already)
    "optional field everywhere": lambda d: every_schema(d, set(SCHEMAS), lambda s: s[
        "properties"].update(field_added={"type": "string"})),
    "required response field": lambda d: every_schema(d, RESPONSE_ONLY, lambda s: (
        s["properties"].update(field_added={"type": "string"}), s.setdefault(
            "required", []).append("field_added"))),
    "enum value added (a documented choice)": lambda d: [s["enum"].append("added") for s in d[
        "components"]["schemas"].values() if "enum" in s],
    "prose": prose,
    "request fields loosened": lambda d: every_field(d, REQUEST_ONLY, loosened),
    "response fields tightened": lambda d: every_field(d, RESPONSE_ONLY, tightened),
}


@pytest.mark.parametrize("mutate", ADDITIVE.values(), ids=ADDITIVE.keys())
def test_an_additive_change_passes(mutate):
    assert [str(c) for c in breaking_changes(DOC, mutated(mutate))] == []


@pytest.mark.parametrize(("name", "field"), fields(
    IN_RESPONSES, lambda n, f, s: string_branch(s) is not None))
def test_a_response_bound_loosened_is_caught(name, field):
    """The document's responses declare no bounds yet: one is added to the old side."""
    def bounded(d: dict) -> None:
        (string_branch(prop(d, name, field)) or {})["maxLength"] = 10
    changes = [str(c) for c in breaking_changes(mutated(bounded), DOC) if c.kind == "bound_widened"]
    assert any(re.search(field_at(name, field) + " maxLength 10 -> None", c) for c in changes)


def test_the_document_is_compatible_with_itself():
    assert breaking_changes(DOC, DOC) == []


def test_a_recursive_schema_is_compared_to_its_end():
    def tree(leaf: dict) -> dict:
        node = {"type": "object", "required": ["name"], "properties": {"name": leaf, "children": {
            "type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}
        return {"info": {"version": "1"}, "components": {"schemas": {"Node": node}}, "paths": {
            "/t": {"get": {"responses": {"200": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Node"}}}}}}}}}
    old, new = tree({"type": "string"}), tree({"type": ["string", "null"]})
    assert [str(c) for c in breaking_changes(old, new)] == [
        "GET /t: response 200 field `name` may now be null"]


def cli(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own script, arguments of this test
        [sys.executable, str(ROOT / "scripts" / "openapi_compat.py"), *map(str, args)],
        capture_output=True, text=True, timeout=60, check=False)


def test_the_command_fails_on_a_breaking_change_unless_the_version_changes(tmp_path):
    old, new = tmp_path / "1.0.0.json", tmp_path / "new.json"
    old.write_bytes(orjson.dumps(DOC))
    path = "/api/v1/residents"
    broken = mutated(lambda d: d["paths"].pop(path))
    new.write_bytes(orjson.dumps(broken))
    run = cli(old, new)
    assert (run.returncode, run.stdout.splitlines()[0]) == (1, f"{path}: path removed"), run
    assert "info.version still 1.0.0" in run.stdout
    new.write_bytes(orjson.dumps({**broken, "info": {**broken["info"], "version": "2.0.0"}}))
    run = cli(old, new)
    assert run.returncode == 0 and "accepted: info.version 1.0.0 -> 2.0.0" in run.stdout, run
    new.write_bytes(orjson.dumps(mutated(new_path)))
    run = cli(old, new)
    assert run.returncode == 0 and "no breaking change" in run.stdout, run


def test_a_release_s_corrections_are_accepted_and_counted(tmp_path):
    old, new = tmp_path / "1.0.0.json", tmp_path / "new.json"
    old.write_bytes(orjson.dumps(DOC))
    new.write_bytes(orjson.dumps(mutated(lambda d: d["paths"].pop("/api/v1/residents"))))
    (tmp_path / "1.0.0.corrections.json").write_text(json.dumps([
        {"match": "/api/v1/residents: path removed", "why": "never served"}]))
    run = cli(old, new)
    assert run.returncode == 0, run
    assert run.stdout.splitlines()[0] == "1 changes accepted as corrections of " + str(old)


def test_every_kind_of_breaking_change_finds_places_in_the_document():
    """Sites come from the document: a kind that finds none would test nothing."""
    kinds = {param.id.partition(":")[0] for param in breaking()}
    assert kinds == {
        "path", "operation", "operationId", "new required parameter", "parameter removed",
        "success status", "parameter made required", "parameter maxLength", "header",
        "request media type", "response media type", "security added", "security scheme",
        "enum value", "response field", "response field optional", "response nullable",
        "response type widened", "new required field", "request field required",
        "request nullable", "request maxLength", "request pattern", "request type narrowed",
        "request format", "request enum", "request closed",
        "response format", "response integer", "body required", "security scheme changed"}


def test_a_removed_schema_no_operation_uses_is_caught():
    """Every component schema is in use today (ErrorCode through `Problem.code`): one that
    is not still belongs to the contract (a client may have generated it)."""
    old = orjson.loads(orjson.dumps(DOC))
    old["components"]["schemas"]["Catalogue"] = {"type": "string", "enum": ["a"]}
    changes = breaking_changes(old, DOC)
    assert [c.kind for c in changes] == ["schema_removed"], changes
    assert "`Catalogue` removed" in str(changes[0])
