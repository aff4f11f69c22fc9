"""Administrative units (province, commune, residential group) and streets."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from api.deps import (
    Cursor,
    IfMatch,
    IncludeTotal,
    Limit,
    SearchText,
    Sort,
    UnitsRead,
    UnitsWrite,
    UoW,
)
from api.http import CREATED, WITH_ETAG, created, with_etag
from api.problems import responses
from domain.errors import CursorInvalid, InsufficientStorage, ReferenceNotFound, SortInvalid
from domain.text import fold
from domain.units import service
from domain.units.errors import UNIT_CASES, StreetNotFound, UnitNotFound
from domain.units.models import UnitKind, UnitLevel
from domain.units.schemas import (
    StreetCreate,
    StreetPage,
    StreetRead,
    StreetUpdate,
    UnitCreate,
    UnitPage,
    UnitRead,
    UnitUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["units"])
READ_ERRORS = responses(401, 403, 404, 422, 503, UnitNotFound, StreetNotFound, SortInvalid,
                        CursorInvalid)
WRITE_ERRORS = responses(401, 403, 404, 409, 412, 422, 428, 503, *UNIT_CASES,
                         ReferenceNotFound, InsufficientStorage)


@router.get("/units", operation_id="units_list", summary="List administrative units",
            responses=READ_ERRORS)
async def list_units(
    uow: UoW, who: UnitsRead,
    kind: UnitKind | None = None,
    level: UnitLevel | None = None,
    parent_id: uuid.UUID | None = None,
    q: SearchText = None, sort: Sort = None, cursor: Cursor = None,
    limit: Limit = 50, include_total: IncludeTotal = False,
) -> UnitPage:
    """Units the caller can see, by name; filter by `kind`, `level` or `parent_id`."""
    page = await uow.units.list(
        who, kind=kind, level=level, parent_id=parent_id, q=fold(q) if q else None,
        sort=sort, cursor=cursor, limit=limit, include_total=include_total,
    )
    return UnitPage(items=page.items, next_cursor=page.next_cursor, total=page.total)


@router.post("/units", operation_id="units_create", summary="Create a unit",
             status_code=status.HTTP_201_CREATED, responses={**WRITE_ERRORS, **CREATED})
async def create_unit(
    request: Request, response: Response, uow: UoW, who: UnitsWrite, body: UnitCreate
) -> UnitRead:
    """Create a province (2-digit code), commune (5-digit code) or residential group."""
    unit = await service.create_unit(uow, who, data=body)
    created(request, response, unit, "units_get", unit_id=unit.id)
    return unit


@router.get("/units/{unit_id:uuid}", operation_id="units_get", name="units_get",
            summary="Read one unit", responses={**READ_ERRORS, **WITH_ETAG})
async def get_unit(unit_id: uuid.UUID, response: Response, uow: UoW, who: UnitsRead) -> UnitRead:
    """One unit with its ETag."""
    unit = await uow.units.get(who, unit_id)
    with_etag(response, unit)
    return unit


@router.patch("/units/{unit_id:uuid}", operation_id="units_update", summary="Change a unit",
              responses={**WRITE_ERRORS, **WITH_ETAG})
async def update_unit(
    unit_id: uuid.UUID, body: UnitUpdate, response: Response, uow: UoW, who: UnitsWrite,
    if_match: IfMatch = None,
) -> UnitRead:
    """Rename a unit, set its official code or its old address text."""
    unit = await service.update_unit(uow, who, unit_id, data=body, if_match=if_match)
    with_etag(response, unit)
    return unit


@router.delete("/units/{unit_id:uuid}", operation_id="units_delete", summary="Delete a unit",
               status_code=status.HTTP_204_NO_CONTENT, responses=WRITE_ERRORS)
async def delete_unit(unit_id: uuid.UUID, uow: UoW, who: UnitsWrite, if_match: IfMatch = None):
    """Delete a unit with nothing below it (409 otherwise)."""
    await service.delete_unit(uow, who, unit_id, if_match=if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/streets", operation_id="streets_list", summary="List streets",
            responses=READ_ERRORS)
async def list_streets(
    uow: UoW, who: UnitsRead,
    commune_id: Annotated[uuid.UUID | None, Query()] = None,
    q: SearchText = None, sort: Sort = None, cursor: Cursor = None,
    limit: Limit = 50, include_total: IncludeTotal = False,
) -> StreetPage:
    """Streets of the communes the caller can see."""
    page = await uow.streets.list(
        who, commune_id=commune_id, q=fold(q) if q else None, sort=sort, cursor=cursor,
        limit=limit, include_total=include_total,
    )
    return StreetPage(items=page.items, next_cursor=page.next_cursor, total=page.total)


@router.post("/streets", operation_id="streets_create", summary="Add a street to a commune",
             status_code=status.HTTP_201_CREATED, responses={**WRITE_ERRORS, **CREATED})
async def create_street(
    request: Request, response: Response, uow: UoW, who: UnitsWrite, body: StreetCreate
) -> StreetRead:
    """Add a street; names are unique within a commune, ignoring case and diacritics."""
    street = await service.create_street(uow, who, data=body)
    created(request, response, street, "streets_get", street_id=street.id)
    return street


@router.get("/streets/{street_id:uuid}", operation_id="streets_get", name="streets_get",
            summary="Read one street", responses={**READ_ERRORS, **WITH_ETAG})
async def get_street(
    street_id: uuid.UUID, response: Response, uow: UoW, who: UnitsRead
) -> StreetRead:
    """One street with its ETag."""
    street = await uow.streets.get(who, street_id)
    with_etag(response, street)
    return street


@router.patch("/streets/{street_id:uuid}", operation_id="streets_update", summary="Change a street",
              responses={**WRITE_ERRORS, **WITH_ETAG})
async def update_street(
    street_id: uuid.UUID, body: StreetUpdate, response: Response, uow: UoW, who: UnitsWrite,
    if_match: IfMatch = None,
) -> StreetRead:
    """Rename a street or record its old name."""
    street = await service.update_street(uow, who, street_id, data=body, if_match=if_match)
    with_etag(response, street)
    return street


@router.delete("/streets/{street_id:uuid}", operation_id="streets_delete",
               summary="Delete a street",
               status_code=status.HTTP_204_NO_CONTENT, responses=WRITE_ERRORS)
async def delete_street(street_id: uuid.UUID, uow: UoW, who: UnitsWrite,
                        if_match: IfMatch = None):
    """Delete a street that no household uses (409 otherwise)."""
    await service.delete_street(uow, who, street_id, if_match=if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


routers = [router]
