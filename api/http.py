"""Small HTTP helpers shared by routers: ETag and Location headers, and the declaration of
the headers a route's success answer carries (`sends`), which the document lists and
`api/conformance.py` holds every answer to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from fastapi import Request, Response

from domain.base import Entity, etag_of


@dataclass(frozen=True)
class SuccessHeader:
    """A header of a success answer; `required`: sent on every answer it is declared for."""

    name: str
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})
    required: bool = True

    def document(self) -> dict[str, Any]:
        return {"description": self.description, "required": self.required,
                "schema": self.schema}


ETAG = SuccessHeader(
    "ETag", "The version read; send it back in `If-Match` to change the resource",
    {"type": "string", "pattern": r'^"[0-9a-f]{8}\.[0-9]+"$', "examples": ['"0192f0c4.3"']})
LOCATION = SuccessHeader(
    "Location", "Where the resource this answer is about is read",
    {"type": "string", "format": "uri-reference",
     "examples": ["/api/v1/residents/0192f0c4-2b1e-7c3a-9d4e-5f6a7b8c9d0e"]})
ATTACHMENT = SuccessHeader(
    "Content-Disposition", "`attachment` with the file's name",
    {"type": "string", "examples": ['attachment; filename="residents-20260115.csv"']})


def sends(status: int, *headers: SuccessHeader, description: str | None = None
          ) -> dict[int | str, dict[str, Any]]:
    """A route's `responses=` entry for one success status: the headers it carries."""
    entry: dict[str, Any] = {"headers": {h.name: h.document() for h in headers}}
    if description:
        entry["description"] = description
    return {status: entry}


CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_file(csv_example: str, description: str = "The file, as an attachment, streamed"
                     ) -> dict[int | str, dict[str, Any]]:
    """A route's 200 that sends a CSV or XLSX file: bytes, not a JSON string (generated
    clients hand back the file as it was sent). The route also sets `response_class` so
    no JSON body is declared beside it."""
    answer = sends(200, ATTACHMENT, description=description)
    answer[200]["content"] = {
        media: {"schema": {"type": "string", "format": "binary", "contentMediaType": media},
                **extra}
        for media, extra in (("text/csv", {"example": csv_example}), (XLSX_TYPE, {}))}
    return answer


def with_etag(response: Response, entity: Entity) -> None:
    """`entity` may also be a plain row of an entity's table (hot read paths)."""
    response.headers["ETag"] = etag_of(entity)


def created(request: Request, response: Response, entity: Entity, route_name: str, **params):
    response.headers["Location"] = request.url_for(route_name, **params).path
    with_etag(response, entity)


def json_response(document: Any, headers: dict[str, str] | None = None) -> Response:
    """A JSON body serialised by orjson, as pydantic would write it (UTC as `Z`), for read
    paths that build plain documents; the route still declares its response model."""
    body = orjson.dumps(document, option=orjson.OPT_UTC_Z, default=str)
    return Response(body, media_type="application/json", headers=headers)


# The two shapes most routes answer in: a resource with its version, a resource just made.
WITH_ETAG = sends(200, ETAG)
CREATED = sends(201, LOCATION, ETAG)
# An offline-safe record: 201 when new, 200 when a retry finds the first one.
RECORDED = {**sends(201, LOCATION),
            **sends(200, LOCATION, description="Recorded before (a retry): the first record")}
