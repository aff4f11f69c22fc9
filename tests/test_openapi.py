"""The committed OpenAPI document is the contract: it must match what the app serves."""

from __future__ import annotations

import json
import re

from api.app import ROOT

COMMITTED = ROOT / "openapi" / "openapi.json"


async def test_committed_document_matches_the_app(client):
    served = (await client.get("/openapi.json")).json()
    committed = json.loads(COMMITTED.read_text())
    assert served == committed, "openapi/openapi.json is stale: run `make openapi`"


async def test_every_operation_is_described(client):
    doc = (await client.get("/openapi.json")).json()
    assert doc["openapi"].startswith("3.1")
    seen = set()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            where = f"{method.upper()} {path}"
            area, _, verb = op["operationId"].partition("_")
            assert area and verb, where
            assert op["operationId"] not in seen, where
            seen.add(op["operationId"])
            assert op.get("tags") and op.get("summary") and op.get("description"), where
            if path not in {"/healthz", "/.well-known/jwks.json"}:
                errors = [s for s in op["responses"] if s[0] in "45"]
                assert errors, f"{where} documents no error responses"


PROSE = {"description", "summary", "title", "example", "examples"}


def _lost(old, new, path=""):
    """What `new` no longer has of `old`: keys, values, list members (prose aside)."""
    if isinstance(old, dict):
        if not isinstance(new, dict):
            return [path]
        return [lost for key, value in old.items() if key not in PROSE
                for lost in ([f"{path}/{key}"] if key not in new
                             else _lost(value, new[key], f"{path}/{key}"))]
    if isinstance(old, list):
        if not isinstance(new, list):
            return [path]
        if all(not isinstance(x, dict | list) for x in old):
            return [f"{path}: {x!r}" for x in old if x not in new]
        return [lost for i, (a, b) in enumerate(zip(old, new, strict=False))
                for lost in _lost(a, b, f"{path}[{i}]")] + (
            [f"{path}: shorter"] if len(new) < len(old) else [])
    return [] if old == new else [f"{path}: {old!r} -> {new!r}"]


def test_v1_only_grows():
    """Against the first published v1 (`openapi/v1-baseline.json`), the contract only gains:
    a change that breaks a client belongs in v2 (CONTRACT.md). Not seen here: a field a
    request must now carry (a longer `required` of a request body)."""
    baseline = json.loads((ROOT / "openapi" / "v1-baseline.json").read_text())
    lost = _lost(baseline, json.loads(COMMITTED.read_text()))
    assert [p for p in lost if p not in CORRECTIONS and not _ERROR_AS_JSON.match(p)] == []


# What the baseline said and the server never did, corrected since; nothing a client could
# have relied on. `auth_revoke`'s 422 was FastAPI's `HTTPValidationError` as JSON, while
# the server has always answered a problem document there (as every other 422); and every
# error answer listed an `application/json` copy of the problem beside the
# `application/problem+json` the server sends. `auth_revoke`'s 200 was documented as JSON
# and has always been sent without a body (RFC 7009).
_ERROR_AS_JSON = re.compile(r"^/paths/.*/responses/[45]\d\d/content/application/json$")
CORRECTIONS = {
    "/paths//api/v1/auth/revoke/post/responses/422/content/application/json",
    "/paths//api/v1/auth/revoke/post/responses/200/content",
    "/components/schemas/HTTPValidationError",
    "/components/schemas/ValidationError",
}


def test_the_growth_check_sees_what_a_client_would_lose():
    old = {"paths": {"/x": {"get": {"description": "old", "parameters": [{"name": "a"}]}}},
           "components": {"schemas": {"S": {"required": ["a", "b"], "type": "object"}}}}
    assert _lost(old, old) == []
    grown = {"paths": {"/x": {"get": {"description": "new", "parameters": [{"name": "a"}]}},
                       "/y": {}},
             "components": {"schemas": {"S": {"required": ["a", "b", "c"], "type": "object"}}}}
    assert _lost(old, grown) == []
    shrunk = {"paths": {"/x": {"get": {"parameters": [{"name": "b"}]}}},
              "components": {"schemas": {"S": {"required": ["a"], "type": "array"}}}}
    assert _lost(old, shrunk) == ["/paths//x/get/parameters[0]/name: 'a' -> 'b'",
                                  "/components/schemas/S/required: 'b'",
                                  "/components/schemas/S/type: 'object' -> 'array'"]


def test_every_error_response_is_the_problem_document():
    """Each documented 4xx/5xx is `application/problem+json` with the Problem schema: the
    server answers nothing else (FastAPI's own `HTTPValidationError` is never sent)."""
    document = json.loads(COMMITTED.read_text())
    for path, item in document["paths"].items():
        for method, op in item.items():
            for status, answer in op["responses"].items():
                if status[0] not in "45":
                    continue
                content = answer.get("content", {})
                assert list(content) == ["application/problem+json"], (method, path, status)
                assert content["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"}, (method, path, status)


def test_security_and_the_headers_every_error_carries_are_declared():
    """Every operation states its `security` (`[]` when public); every documented 401 names
    `WWW-Authenticate`, every 429 and 503 `Retry-After`, as the server always sends them."""
    document = json.loads(COMMITTED.read_text())
    needed = {"401": "WWW-Authenticate", "429": "Retry-After", "503": "Retry-After"}
    public = set()
    for path, item in document["paths"].items():
        for method, op in item.items():
            assert "security" in op, (method, path)
            if op["security"] == []:
                public.add(path)
            for status, header in needed.items():
                if status in op["responses"]:
                    assert header in op["responses"][status].get("headers", {}), (
                        method, path, status)
    assert public == {"/healthz", "/readyz", "/api/v1/auth/token", "/api/v1/auth/revoke",
                      "/.well-known/jwks.json"}
