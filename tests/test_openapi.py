"""The committed OpenAPI document is the contract: it must match what the app serves."""

from __future__ import annotations

import json

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
