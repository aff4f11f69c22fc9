"""Bad text never reaches a route: every operation of the document, with a NUL (or a lone
surrogate, or bytes that are not UTF-8) in each of its query parameters and in each string
of its body (JSON, form or multipart), answers a 422 problem naming that field and writes
nothing; every datetime and date field refuses a moment past the calendar's end."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from domain.access import Role
from tests.api.test_ops import assert_problem
from tests.builders import bearer, make_user

NUL = "x\x00y"
SURROGATE = "x\ud800y"
FAR_INSTANT = "9999-12-31T23:59:59-12:00"  # its UTC is in the year 10000
Path = tuple[str | int, ...]


async def writes(session) -> int:
    """Rows this test's transaction inserted, updated or deleted so far (every request of
    a test runs on its connection)."""
    return int(await session.scalar(text(
        "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
        " FROM pg_stat_xact_user_tables")))


def _resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def leaves(doc: dict, schema: dict, path: Path = (), depth: int = 0) -> Iterator[
        tuple[Path, dict]]:
    """Every scalar field a body may hold (array items at index 0), with its schema."""
    schema = _resolve(doc, schema)
    if depth > 8:
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, ()):
            yield from leaves(doc, sub, path, depth + 1)
    kind = schema.get("type")
    if kind == "array":
        yield from leaves(doc, schema.get("items", {}), (*path, 0), depth + 1)
    elif kind == "object" or "properties" in schema:
        for name, sub in schema.get("properties", {}).items():
            yield from leaves(doc, sub, (*path, name), depth + 1)
    elif kind is not None:
        yield path, schema


def fields(doc: dict, schema: dict, *formats: str | None) -> list[Path]:
    """The string fields of `schema` of these formats (None: any string that is no file)."""
    found: dict[Path, None] = {}
    for path, leaf in leaves(doc, schema):
        if leaf.get("type") != "string" or leaf.get("format") == "binary":
            continue
        if None in formats or leaf.get("format") in formats:
            found[path] = None
    return list(found)


def put(body: Any, path: Path, value: Any) -> Any:
    """`body` with `value` at `path`, creating the objects and arrays on the way."""
    body = copy.deepcopy(body) if body is not None else {}
    node = body
    for key, nxt in zip(path, (*path[1:], None), strict=True):
        if nxt is None:
            break
        fresh: Any = {} if isinstance(nxt, str) else []
        if isinstance(node, list):
            assert isinstance(key, int)
            while len(node) <= key:
                node.append(copy.deepcopy(fresh))
            if not isinstance(node[key], dict | list):
                node[key] = fresh
        elif not isinstance(node.get(key), dict | list):
            node[key] = fresh
        node = node[key]
    last = path[-1]
    if isinstance(node, list):
        while len(node) <= last:  # type: ignore[operator]
            node.append(None)
    node[last] = value
    return body


class Operation:
    def __init__(self, doc: dict, path: str, method: str, spec: dict) -> None:
        self.method = method.upper()
        self.url = path
        for param in spec.get("parameters", []):
            if param["in"] == "path":
                value = (param.get("schema", {}).get("enum") or [uuid.uuid4()])[0]
                self.url = self.url.replace("{" + param["name"] + "}", str(value))
        self.query = [p["name"] for p in spec.get("parameters", []) if p["in"] == "query"]
        self.query_formats = {p["name"]: _resolve(doc, p.get("schema", {})).get("format")
                              for p in spec.get("parameters", []) if p["in"] == "query"}
        content = spec.get("requestBody", {}).get("content", {})
        self.kind, media = next(iter(content.items()), (None, {}))
        self.schema = _resolve(doc, media.get("schema", {})) if media else {}
        examples = self.schema.get("examples") or [{}]
        self.example = examples[0] if isinstance(examples, list) else {}

    def __repr__(self) -> str:
        return f"{self.method} {self.url}"

    async def send_json(self, client, headers, body: Any):
        raw = json.dumps(body, ensure_ascii=True).encode()  # a surrogate as \ud800
        return await client.request(self.method, self.url, content=raw, headers={
            **headers, "content-type": "application/json"})

    async def send_form(self, client, headers, name: str, value: str):
        if self.kind == "multipart/form-data":
            return await client.request(self.method, self.url, headers=headers,
                                        data={name: value},
                                        files={"file": ("rows.csv", b"full_name\n")})
        return await client.request(self.method, self.url, headers=headers,
                                    data={name: value})


async def operations(client) -> list[Operation]:
    doc = (await client.get("/openapi.json")).json()
    return [Operation(doc, path, method, spec) for path, item in doc["paths"].items()
            for method, spec in item.items() if method in ("get", "post", "patch", "delete")]


def _refused(op, resp, loc: list, code: str) -> None:
    """Refused text at `loc`: a 422 naming it with `code`; on the Open311 face GeoReport's
    400, one error naming the field (api/georeport.py)."""
    if op.url.startswith("/open311/"):
        if resp.status_code == 403:  # no api_key: refused first, as a call without a token
            assert resp.json()[0]["code"] == 403, (op, loc, resp.text)
            return
        assert resp.status_code == 400, (op, loc, resp.text)
        assert any(e["code"] == 400 and e["description"].startswith(f"{loc[-1]}:")
                   for e in resp.json()), (op, loc, resp.text)
        return
    assert_problem(resp, 422, "validation_failed")
    assert (loc, code) in _errors(resp), (op, loc, resp.text)


def _errors(resp) -> list[tuple[list, str]]:
    body = assert_problem(resp, 422, resp.json().get("code"))
    return [(e["loc"], e["code"]) for e in body["errors"]]


@pytest.fixture
async def admin(app, session):
    return bearer(app, await make_user(session, role=Role.admin))


async def test_the_write_counter_sees_a_write(client, session, admin):
    """Control: the counter the sweeps rely on moves when a request writes."""
    before = await writes(session)
    resp = await client.post("/api/v1/units", headers=admin,
                             json={"kind": "province", "name": "Tỉnh Thử"})
    assert resp.status_code == 201, resp.text
    assert await writes(session) > before


@pytest.mark.parametrize("bad", [NUL, "\x1b[31m", "%ED%A0%80"], ids=["nul", "escape", "utf8"])
async def test_every_query_parameter_refuses_bad_text(client, session, admin, bad):
    ops = await operations(client)
    assert sum(len(op.query) for op in ops) >= 40
    before = await writes(session)
    for op in ops:
        for name in op.query:
            if bad.startswith("%"):  # raw bytes: a lone surrogate encoded as UTF-8
                resp = await client.request(op.method, f"{op.url}?{name}={bad}",
                                            headers=admin)
            else:
                resp = await client.request(op.method, op.url, params={name: bad},
                                            headers=admin)
            code = "invalid_unicode" if bad.startswith("%") else "control_characters"
            _refused(op, resp, ["query", name], code)
    assert await writes(session) == before


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
async def test_every_string_of_every_json_body_refuses_bad_text(client, session, admin, bad):
    ops = [op for op in await operations(client) if op.kind == "application/json"]
    doc = (await client.get("/openapi.json")).json()
    swept = 0
    before = await writes(session)
    for op in ops:
        for path in fields(doc, op.schema, None):
            resp = await op.send_json(client, admin, put(op.example, path, bad))
            code = "control_characters" if bad == NUL else "invalid_unicode"
            _refused(op, resp, ["body", *path], code)
            swept += 1
    assert swept >= 60
    assert await writes(session) == before


async def test_a_nul_deep_in_a_visit_names_its_place(client, admin):
    body = {"needs": [{"category": "app_help", "description": "ok"},
                      {"category": "app_help", "description": "cần\x00hỗ trợ"}]}
    resp = await client.post(f"/api/v1/campaigns/{uuid.uuid4()}/visits", json=body,
                             headers={**admin, "accept-language": "en"})
    problem = assert_problem(resp, 422, "validation_failed")
    assert problem["errors"][0] == {"loc": ["body", "needs", 1, "description"],
                                  "code": "control_characters",
                                  "message": "Contains control characters (such as NUL)"}
    assert {tuple(e["loc"]) for e in problem["errors"][1:]} == {  # the rest, as pydantic says
        ("body", "client_visit_id"), ("body", "household_id"), ("body", "visited_at"),
        ("body", "outcome")}


async def test_a_bad_key_is_refused_too(client, admin):
    resp = await client.post("/api/v1/units", headers=admin,
                             content=b'{"kind": "province", "na\\u0000me": "x"}',
                             )
    assert (["body", "na\x00me"], "control_characters") in _errors(resp)
    resp = await client.post("/api/v1/units", headers=admin,
                             content=b'{"kind": "province", "\\udc00": "x"}')
    assert (["body", "\\udc00"], "invalid_unicode") in _errors(resp)


async def test_a_body_that_is_not_utf8_is_refused_at_its_field(client, admin):
    resp = await client.post("/api/v1/units", headers={
        **admin, "content-type": "application/json"},
        content=b'{"kind": "province", "name": "T\xe0nh"}')  # Windows-1258, not UTF-8
    assert _errors(resp) == [(["body", "name"], "invalid_unicode")]


async def test_other_bad_fields_are_listed_in_the_same_422(client, session, admin):
    before = await writes(session)
    resp = await client.post("/api/v1/units", headers=admin, params={"q": "\x00"},
                             json={"kind": "nowhere", "name": "A\x00B", "extra": 1})
    assert sorted(_errors(resp)) == [
        (["body", "extra"], "extra_forbidden"), (["body", "kind"], "enum"),
        (["body", "name"], "control_characters"), (["query", "q"], "control_characters")]
    assert await writes(session) == before


async def test_a_client_cannot_send_the_mark_itself(client, admin):
    resp = await client.get("/api/v1/units", headers={**admin, "x-input-refused": "refused"})
    assert resp.status_code == 200, resp.text


@pytest.mark.parametrize("bad", [NUL, "%ED%A0%80"], ids=["nul", "utf8"])
async def test_every_form_field_refuses_bad_text(client, session, admin, bad):
    ops = [op for op in await operations(client)
           if op.kind in ("application/x-www-form-urlencoded", "multipart/form-data")]
    assert {op.url for op in ops} >= {"/api/v1/auth/token", "/api/v1/imports"}
    doc = (await client.get("/openapi.json")).json()
    before = await writes(session)
    for op in ops:
        for (name,) in fields(doc, op.schema, None):
            assert isinstance(name, str)
            if bad.startswith("%"):
                if op.kind == "multipart/form-data":
                    continue  # below: raw bytes in a part
                resp = await client.request(op.method, op.url, headers={
                    **admin, "content-type": "application/x-www-form-urlencoded"},
                    content=f"{name}={bad}".encode())
            else:
                resp = await op.send_form(client, admin, name, bad)
            code = "control_characters" if bad == NUL else "invalid_unicode"
            _refused(op, resp, ["body", name], code)
    assert await writes(session) == before


async def test_the_token_form_names_each_bad_field(client, session):
    before = await writes(session)
    resp = await client.post("/api/v1/auth/token", data={
        "grant_type": "password", "username": "admin\x00", "password": "x",
        "client_id": "a\x00"})
    assert sorted(_errors(resp)) == [(["body", "client_id"], "control_characters"),
                                     (["body", "username"], "control_characters")]
    assert await writes(session) == before  # not even a failed sign-in was recorded


async def test_multipart_text_and_file_names_are_checked_not_file_contents(
        client, session, admin):
    # Written by hand: httpx percent-encodes control characters in a file name.
    boundary = "b0undary"

    def part(headers: str, value: bytes) -> bytes:
        return f"--{boundary}\r\n{headers}\r\n\r\n".encode() + value + b"\r\n"

    async def send(*parts: bytes):
        return await client.post("/api/v1/imports", content=b"".join(
            (*parts, f"--{boundary}--\r\n".encode())), headers={
            **admin, "content-type": f"multipart/form-data; boundary={boundary}"})

    before = await writes(session)
    contents = b"full_name\n\x00\x01 bad cells are the import's to report\n"
    resp = await send(part('Content-Disposition: form-data; name="kind"', b"residents\x00"),
                      part('Content-Disposition: form-data; name="file"; '
                           'filename="rows\x00.csv"', contents))
    assert sorted(_errors(resp)) == [(["body", "file"], "control_characters"),
                                     (["body", "kind"], "control_characters")]
    resp = await send(part('Content-Disposition: form-data; name="kind"',
                           b"resid\xed\xa0\x80ents"))
    assert _errors(resp) == [(["body", "kind"], "invalid_unicode")]
    assert await writes(session) == before
    resp = await send(part('Content-Disposition: form-data; name="kind"', b"residents"),
                      part('Content-Disposition: form-data; name="dry_run"', b"true"),
                      part('Content-Disposition: form-data; name="file"; filename="rows.csv"',
                           contents))
    assert resp.status_code != 422 or all(  # the contents are not the middleware's
        loc[:1] != ["body"] or code != "control_characters" for loc, code in _errors(resp))


async def test_text_is_stored_in_nfc_whatever_the_field(client, admin, uid):
    decomposed = f"Tỉnh Bi\u0300nh Đi\u0323nh {uid}"  # combining marks, as some phones type
    resp = await client.post("/api/v1/units", headers=admin,
                             json={"kind": "province", "name": decomposed})
    assert resp.status_code == 201, resp.text
    assert resp.json()["name"] == f"Tỉnh Bình Định {uid}"
    found = await client.get("/api/v1/units", headers=admin, params={
        "q": f"Bi\u0300nh Đi\u0323nh {uid}", "limit": 200})
    assert resp.json()["id"] in [u["id"] for u in found.json()["items"]]


async def sweep_bodies(client, headers: dict, op, paths: list[Path], value: Any,
                       code: str) -> list[tuple[str, Path]]:
    """`value` put at each of `paths` of `op`'s example JSON body, one request each: every
    answer must refuse that field with `code`. Answers what was sent."""
    swept = []
    for path in paths:
        resp = await op.send_json(client, headers, put(op.example, path, value))
        assert (["body", *path], code) in _errors(resp), (op, path, resp.text)
        swept.append((op.url, path))
    return swept


async def sweep_every_body(client, session, headers: dict, select, value: Any, code: str
                           ) -> list[tuple[str, Path]]:
    """`sweep_bodies` over every operation with a JSON body, at the paths `select(doc,
    schema)` picks; nothing is written. Answers what was sent."""
    doc = (await client.get("/openapi.json")).json()
    swept = []
    before = await writes(session)
    for op in await operations(client):
        if op.kind == "application/json":
            swept += await sweep_bodies(client, headers, op, select(doc, op.schema), value,
                                        code)
    assert await writes(session) == before
    return swept


async def test_every_datetime_field_refuses_a_moment_past_the_calendar(client, session, admin):
    doc = (await client.get("/openapi.json")).json()
    swept = []
    before = await writes(session)
    for op in await operations(client):
        if op.kind != "application/json":
            continue
        swept += await sweep_bodies(client, admin, op, fields(doc, op.schema, "date-time"),
                                    FAR_INSTANT, "datetime_out_of_range")
        for name in op.query:
            if op.query_formats.get(name) == "date-time":
                resp = await client.request(op.method, op.url, params={name: FAR_INSTANT},
                                            headers=admin)
                assert resp.status_code == 422 and ["query", name] in [
                    loc for loc, _ in _errors(resp)], (op, name, resp.text)
    assert len(swept) >= 4, swept  # publish_at twice, delivered_at, visited_at
    assert await writes(session) == before


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1800-01-01"])
async def test_every_date_field_has_a_range(client, session, admin, day):
    doc = (await client.get("/openapi.json")).json()
    swept = []
    before = await writes(session)
    for op in await operations(client):
        if op.kind != "application/json":
            continue
        for path in fields(doc, op.schema, "date"):
            resp = await op.send_json(client, admin, put(op.example, path, day))
            locs = [loc for loc, _ in _errors(resp)]
            assert ["body", *path] in locs, (op, path, resp.text)
            swept.append((op.url, path))
    assert len(swept) >= 10, swept
    assert await writes(session) == before


async def test_publish_at_that_overflows_utc_is_a_422_on_its_field(client, admin):
    body = {"title": "Thông báo", "body": "Nội dung", "category": "policy",
            "unit_ids": [str(uuid.uuid4())], "publish_at": FAR_INSTANT,
            "channels": ["loudspeaker"]}
    resp = await client.post("/api/v1/announcements", json=body, headers=admin)
    problem = assert_problem(resp, 422, "validation_failed")
    assert problem["errors"][0]["loc"] == ["body", "publish_at"]
    assert problem["errors"][0]["code"] == "datetime_out_of_range"
    assert problem["errors"][0]["message"] == "Thời điểm nằm ngoài khoảng cho phép"
