"""Small HTTP helpers shared by routers: ETag and Location headers."""

from __future__ import annotations

from fastapi import Request, Response

from domain.base import Entity


def with_etag(response: Response, entity: Entity) -> None:
    response.headers["ETag"] = entity.etag


def created(request: Request, response: Response, entity: Entity, route_name: str, **params):
    response.headers["Location"] = request.url_for(route_name, **params).path
    with_etag(response, entity)
