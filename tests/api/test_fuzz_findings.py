"""Failure classes the fuzzing run (tests/contract/test_fuzz.py) found, each swept across
every operation it can reach: the server accepting what the document refuses, and input
refused where no route's handler could answer."""

from __future__ import annotations

import uuid

import pytest

from tests.api.test_input import (
    _errors,
    admin,
    fields,
    leaves,
    operations,
    put,
    sweep_bodies,
    sweep_every_body,
    writes,
)
from tests.test_openapi_examples import _validator

__all__ = ["admin"]  # the fixture, shared with test_input

TIMESTAMPS = [0, 1_700_000_000, "0.5", "1700000000"]


@pytest.mark.parametrize("value", TIMESTAMPS, ids=lambda v: repr(v))
async def test_every_date_and_datetime_refuses_a_unix_timestamp(client, session, admin, value):
    """pydantic also reads a number (or a numeric text) as a Unix timestamp; the document
    says `YYYY-MM-DD` and RFC 3339, and `until=0.5` is a client's mistake."""
    doc = (await client.get("/openapi.json")).json()
    swept = []
    before = await writes(session)
    for op in await operations(client):
        for name in op.query:
            if op.query_formats.get(name) in ("date", "date-time"):
                resp = await client.request(op.method, op.url, params={name: str(value)},
                                            headers=admin)
                assert ["query", name] in [loc for loc, _ in _errors(resp)], (op, name)
                swept.append((op.url, name))
        if op.kind != "application/json":
            continue
        for kind, code in (("date", "date_parsing"), ("date-time", "datetime_parsing")):
            swept += await sweep_bodies(client, admin, op, fields(doc, op.schema, kind),
                                        value, code)
    assert len(swept) >= 16, swept  # audit's since and until, every body's dates and instants
    assert await writes(session) == before


async def test_refused_multipart_text_with_an_idempotency_key_is_a_422(client, session, admin):
    """A keyed POST's body is read before the route runs (to compare it with the key's first
    one): refused text found there is the same 422, not a 500."""
    ops = [op for op in await operations(client) if op.kind == "multipart/form-data"]
    assert ops
    before = await writes(session)
    for op in ops:
        for name, value in (("kind", "residents\x00"), ("dry_run", "\x1b[31m")):
            resp = await op.send_form(client, {**admin, "Idempotency-Key": str(uuid.uuid4())},
                                      name, value)
            codes = [code for loc, code in _errors(resp) if loc[:1] == ["body"]]
            assert "control_characters" in codes, (op, name, resp.text)
    assert await writes(session) == before


async def test_every_documented_answer_without_a_body_is_sent_without_one(client):
    """The document said sign-out answers JSON; it answers nothing (RFC 7009). Every 2xx
    documented without content is one, and revoke's is sent empty."""
    doc = (await client.get("/openapi.json")).json()
    empty = {(path, method) for path, item in doc["paths"].items()
             for method, op in item.items() for status, answer in op["responses"].items()
             if status[0] == "2" and not answer.get("content")}
    assert ("/api/v1/auth/revoke", "post") in empty
    assert all(method == "delete" or path == "/api/v1/auth/revoke" for path, method in empty)
    resp = await client.post("/api/v1/auth/revoke", data={"token": "not-a-token"})
    assert resp.status_code == 200 and resp.content == b"", resp.text


async def test_every_text_the_server_finds_blank_the_document_refuses(client, session, admin):
    """The document let through what the server refused as too short: a blank title, an
    announcement body of spaces, an empty token. Every string field of every JSON body,
    set to spaces: where the server answers `string_too_short`, the document refuses it."""
    doc = (await client.get("/openapi.json")).json()
    before = await writes(session)
    blank, swept = [], 0
    for op in await operations(client):
        if op.kind != "application/json" or op.example is None:
            continue
        for path in fields(doc, op.schema, None):
            body = put(op.example, path, "   ")
            resp = await op.send_json(client, admin, body)
            if resp.status_code != 422 or (["body", *path], "string_too_short") not in _errors(
                    resp):
                continue
            swept += 1
            if _validator(doc, op.schema).is_valid(body):
                blank.append((op.url, path))
    assert swept >= 10, swept  # names, titles, notes of every area
    assert blank == []
    assert await writes(session) == before


async def test_what_the_document_states_of_names_modes_and_forms_is_what_the_server_does(
        client):
    doc = (await client.get("/openapi.json")).json()
    schemas = doc["components"]["schemas"]
    # A sign-in name in capitals is one the server takes (lowered); others it refuses.
    username = _validator(doc, schemas["UserCreate"]["properties"]["username"])
    assert username.is_valid("NguyenVanA") and not username.is_valid("Zªö")
    # A manual assignment names its households; the other modes their volunteers.
    assignment = _validator(doc, {"$ref": "#/components/schemas/AssignmentRequest"})
    assert not assignment.is_valid({"mode": "manual"})
    assert not assignment.is_valid({"mode": "balanced"})
    assert assignment.is_valid({"mode": "manual", "household_ids": [str(uuid.uuid4())]})
    # A form field is never null (a form cannot send one): the import's group is a uuid,
    # sign-out's hint one of two words; no field of any form admits null.
    forms = [content["schema"]["$ref"].rsplit("/", 1)[-1]
             for item in doc["paths"].values() for op in item.values()
             for kind, content in op.get("requestBody", {}).get("content", {}).items()
             if kind in ("multipart/form-data", "application/x-www-form-urlencoded")]
    assert len(forms) >= 3, forms  # the token, sign-out, the import
    nullable = [(name, field) for name in forms
                for field, prop in schemas[name]["properties"].items()
                if "null" in str(prop.get("anyOf", "")) or prop.get("type") == "null"]
    assert nullable == []
    group = schemas["Body_imports_create"]["properties"]["group_id"]
    assert group.get("format") == "uuid", group
    hint = schemas["Body_auth_revoke"]["properties"]["token_type_hint"]
    assert hint["enum"] == ["access_token", "refresh_token"], hint


@pytest.mark.parametrize("value", [0, 1, "true", "yes", "off"], ids=lambda v: repr(v))
async def test_every_boolean_of_a_body_refuses_what_is_no_boolean(client, session, admin,
                                                                   value):
    """pydantic's lax mode reads 0, 1 and "yes" as booleans; the document says `boolean`
    (the fuzzing run sent a category `"active": 0` and it was stored as false)."""
    swept = await sweep_every_body(client, session, admin, lambda doc, schema: [
        path for path, leaf in leaves(doc, schema) if leaf.get("type") == "boolean"],
        value, "bool_type")
    assert len(swept) >= 2, swept  # a category's `active`, a visit's consent `given`
