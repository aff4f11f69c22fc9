"""Small HTTP helpers shared by routers: ETag and Location headers."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request, Response

from domain.base import Entity, etag_of


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
