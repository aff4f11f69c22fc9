"""The document's links: every record-carrying answer leads to the operations on it."""

from __future__ import annotations

import json
from pathlib import Path

DOC = json.loads((Path(__file__).resolve().parents[2] / "openapi" / "openapi.json").read_text())


def _links(path: str, method: str, status: str) -> dict:
    return DOC["paths"][path][method]["responses"][status].get("links", {})


def test_a_create_links_to_every_operation_on_its_record():
    links = _links("/api/v1/households", "post", "201")
    on_item = {op["operationId"] for path, item in DOC["paths"].items()
               if path.startswith("/api/v1/households/{household_id}") for op in item.values()}
    assert set(links) == on_item
    assert links["households_get"]["parameters"] == {"household_id": "$response.body#/id"}


def test_a_page_links_through_its_first_item():
    links = _links("/api/v1/residents", "get", "200")
    assert links["residents_update"]["parameters"] == {
        "resident_id": "$response.body#/items/0/id"}


def test_every_item_operation_is_reached_by_some_link():
    reached = {link["operationId"] for item in DOC["paths"].values() for op in item.values()
               for answer in op["responses"].values() for link in answer.get("links", {}).values()}
    # An item path names a record; GeoReport's `.{format}` alone names none.
    needing = {op["operationId"] for path, item in DOC["paths"].items()
               if "{" in path.replace("{format}", "") for op in item.values()}
    assert needing <= reached, needing - reached
