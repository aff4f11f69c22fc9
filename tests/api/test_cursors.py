"""Cursors are the server's own: on every list a forged one (well-formed base64 JSON of any
shape, or a real one altered by a byte) is a 422 `cursor_invalid`, never a 500."""

from __future__ import annotations

import base64

import orjson
import pytest

from domain.access import Role
from tests.api.test_ops import assert_invalid, assert_problem
from tests.builders import bearer, make_tree, make_user


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


FORGED = {
    "a float": _b64(orjson.dumps({"k": ["id"], "v": [1.5]})),
    "a NUL": _b64(orjson.dumps({"k": ["id"], "v": ["\x00"]})),
    "10^30": _b64(orjson.dumps({"k": ["id"], "v": [10**18]})[:-2] + b"000000000000]}"),
    "a nested list": _b64(orjson.dumps({"k": ["id"], "v": [[[1]]]})),
    "not base64": "%%%",
    "empty JSON": _b64(b"{}"),
}


async def _lists(client) -> list[str]:
    """Every list operation with a cursor and no path parameter, from the document."""
    doc = (await client.get("/openapi.json")).json()
    return sorted(path for path, item in doc["paths"].items() if "{" not in path
                  and any(p["name"] == "cursor" for p in item.get("get", {}).get(
                      "parameters", [])))


@pytest.mark.parametrize("forged", sorted(FORGED))
async def test_a_forged_cursor_is_refused_on_every_list(app, client, session, forged):
    h = bearer(app, await make_user(session, role=Role.admin))
    lists = await _lists(client)
    assert len(lists) >= 8, lists
    for path in lists:
        resp = await client.get(path, headers=h, params={"cursor": FORGED[forged]})
        body = assert_problem(resp, 422, "validation_failed")
        assert [e["loc"] for e in body["errors"]] == [["query", "cursor"]], (path, resp.text)


async def test_a_real_cursor_altered_by_one_byte_is_refused(app, client, session):
    await make_tree(session)
    h = bearer(app, await make_user(session, role=Role.admin))
    first = (await client.get("/api/v1/units", headers=h, params={"limit": 1})).json()
    cursor = first["next_cursor"]
    assert cursor
    ok = await client.get("/api/v1/units", headers=h, params={"limit": 1, "cursor": cursor})
    assert ok.status_code == 200 and ok.json()["items"] != first["items"]
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[-3] ^= 1  # inside the JSON body: a changed value, the MAC kept
    bad = await client.get("/api/v1/units", headers=h, params={
        "limit": 1, "cursor": _b64(bytes(raw))})
    assert_invalid(bad, {("query", "cursor"): "cursor_invalid"})
