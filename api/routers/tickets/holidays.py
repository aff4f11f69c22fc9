"""Public holidays: the days no ticket's service clock counts (Tết moves every year)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, Request, Response, status

from api.deps import Cursor, HolidaysManage, IfMatch, Limit, TicketsRead, UoW
from api.http import CREATED, WITH_ETAG, created, with_etag
from api.problems import responses
from domain.errors import CursorInvalid
from domain.tickets import service
from domain.tickets.errors import HOLIDAY_CASES, HolidayNotFound
from domain.tickets.schemas import HolidayCreate, HolidayPage, HolidayRead

router = APIRouter(prefix="/api/v1", tags=["tickets"])
READ_ERRORS = responses(401, 403, 404, 422, 503, HolidayNotFound, CursorInvalid)
WRITE_ERRORS = responses(401, 403, 404, 409, 412, 422, 428, 503, *HOLIDAY_CASES)


@router.get("/holidays", operation_id="holidays_list", summary="List public holidays",
            responses=READ_ERRORS)
async def list_holidays(uow: UoW, who: TicketsRead,
                        year: int | None = Query(default=None, ge=2000, le=2100,
                                                 description="Only this year's"),
                        cursor: Cursor = None, limit: Limit = 50) -> HolidayPage:
    """By day. Administrators add each year's (Tết Nguyên đán moves with the lunar
    calendar); service targets count no working time on them."""
    page = await uow.holidays.list(who, year=year, cursor=cursor, limit=limit)
    return HolidayPage(items=page.items, next_cursor=page.next_cursor)


@router.post("/holidays", operation_id="holidays_create", summary="Add a public holiday",
             status_code=status.HTTP_201_CREATED, responses={**WRITE_ERRORS, **CREATED})
async def create_holiday(request: Request, response: Response, uow: UoW,
                         who: HolidaysManage, body: HolidayCreate) -> HolidayRead:
    """Administrators only; a day given twice is a 409 `holiday_day_taken`. The due times
    of tickets already open are not rewritten: the tickets opened from now on count it."""
    holiday = await service.create_holiday(uow, who, data=body)
    created(request, response, holiday, "holidays_get", holiday_id=holiday.id)
    return HolidayRead.model_validate(holiday)


@router.get("/holidays/{holiday_id:uuid}", operation_id="holidays_get", name="holidays_get",
            summary="Read one public holiday", responses={**READ_ERRORS, **WITH_ETAG})
async def get_holiday(holiday_id: uuid.UUID, response: Response, uow: UoW,
                      who: TicketsRead) -> HolidayRead:
    holiday = await uow.holidays.get(who, holiday_id)
    with_etag(response, holiday)
    return HolidayRead.model_validate(holiday)


@router.delete("/holidays/{holiday_id:uuid}", operation_id="holidays_delete",
               summary="Delete a public holiday", status_code=status.HTTP_204_NO_CONTENT,
               responses=WRITE_ERRORS)
async def delete_holiday(holiday_id: uuid.UUID, uow: UoW, who: HolidaysManage,
                         if_match: IfMatch = None):
    """Administrators only. The due times of tickets already open are not rewritten."""
    await service.delete_holiday(uow, who, holiday_id, if_match=if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
