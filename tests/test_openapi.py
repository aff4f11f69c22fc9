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
    server answers nothing else (FastAPI's own `HTTPValidationError` is never sent). The
    Open311 face answers GeoReport's error list instead, in JSON and XML, and no 422 (its
    400)."""
    document = json.loads(COMMITTED.read_text())
    georeport = {"type": "array", "items": {"$ref": "#/components/schemas/GeoReportError"}}
    for path, item in document["paths"].items():
        for method, op in item.items():
            for status, answer in op["responses"].items():
                if status[0] not in "45":
                    continue
                content = answer.get("content", {})
                if path.startswith("/open311/"):
                    assert sorted(content) == ["application/json", "application/xml"], (
                        method, path, status)
                    schema = dict(content["application/json"]["schema"])
                    schema.pop("title", None)
                    assert status != "422" and schema == georeport, (method, path, status)
                    continue
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
                      "/.well-known/jwks.json", "/open311/v2/discovery.{format}"}


def _operations(document):
    for path, item in document["paths"].items():
        for method, op in item.items():
            yield f"{method.upper()} {path}", method, op


def test_if_match_is_required_exactly_where_a_missing_one_is_a_428():
    """A required `If-Match` in the document is the use case's 428 at run time (and
    `api/conformance.py` fails any 2xx answered without it)."""
    document = json.loads(COMMITTED.read_text())
    required = 0
    for where, _, op in _operations(document):
        tags = [p for p in op.get("parameters", []) if p["name"].lower() == "if-match"]
        if not tags:
            assert "428" not in op["responses"], where
            continue
        if tags[0]["required"]:
            required += 1
            assert tags[0]["schema"]["type"] == "string", where
            assert op["responses"]["428"]["x-error-codes"] == ["precondition_required"], where
        else:
            assert "428" not in op["responses"], where
    assert required > 20


def test_every_post_takes_an_idempotency_key_as_the_server_checks_it():
    document = json.loads(COMMITTED.read_text())
    for where, method, op in _operations(document):
        if method != "post":
            continue
        key = next(p for p in op["parameters"] if p["name"] == "Idempotency-Key")
        assert key["schema"]["pattern"] == "^[!-~]+$" and key["schema"]["maxLength"] == 200
        assert "idempotency_key_invalid" in op["responses"]["400"]["x-error-codes"], where
        assert "payload_too_large" in op["responses"]["413"]["x-error-codes"], where
        if op["security"]:
            for status, answer in op["responses"].items():
                if int(status) < 500 and status != "413":  # refused before the key is read
                    assert "Idempotency-Replayed" in answer.get("headers", {}), (where, status)


def test_every_error_answer_lists_codes_of_its_own_status_from_the_catalogue():
    document = json.loads(COMMITTED.read_text())
    catalogue = document["components"]["schemas"]["ErrorCode"]["x-error-catalogue"]
    assert document["components"]["schemas"]["Problem"]["properties"]["code"]["anyOf"][0] == {
        "$ref": "#/components/schemas/ErrorCode"}
    for where, _, op in _operations(document):
        for status, answer in op["responses"].items():
            if status[0] in "45":
                assert answer["x-error-codes"], (where, status)
                # A code's variants may answer another status (`invalid_scope`: 400, 422).
                assert set(answer["x-error-codes"]) <= set(catalogue), (where, status)
        if "requestBody" in op and "application/json" in op["requestBody"]["content"]:
            assert "malformed_json" in op["responses"]["400"]["x-error-codes"], where


def test_created_answers_say_where_and_binary_parts_are_files():
    document = json.loads(COMMITTED.read_text())
    for where, _, op in _operations(document):
        if "201" in op["responses"]:
            assert op["responses"]["201"]["headers"]["Location"]["required"], where
        form = op.get("requestBody", {}).get("content", {}).get("multipart/form-data")
        if form:
            name = form["schema"]["$ref"].rsplit("/", 1)[-1]
            files = {k for k, v in document["components"]["schemas"][name]["properties"].items()
                     if v.get("format") == "binary"}
            assert files and files == set(form["encoding"]), where
    for path in ("/api/v1/residents/export", "/api/v1/households/export"):
        answer = document["paths"][path]["get"]["responses"]["200"]
        assert answer["headers"]["Content-Disposition"]["required"]
        for media in ("text/csv", "application/vnd.openxmlformats-officedocument."
                                  "spreadsheetml.sheet"):
            assert answer["content"][media]["schema"]["format"] == "binary", (path, media)


def test_the_token_form_is_required_with_its_grant_types():
    document = json.loads(COMMITTED.read_text())
    for path in ("/api/v1/auth/token", "/api/v1/auth/revoke"):
        body = document["paths"][path]["post"]["requestBody"]
        assert body["required"], path
    form = document["components"]["schemas"]["Body_auth_token"]
    assert form["required"] == ["grant_type"]
    assert form["properties"]["grant_type"]["enum"] == [
        "password", "refresh_token", "client_credentials"]
