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
