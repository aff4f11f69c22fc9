"""Announcements to residents: notices by group chat, loudspeaker or door to door."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from api.deps import (
    AnnouncementsRead,
    AnnouncementsWrite,
    Cursor,
    HouseholdsRead,
    IfMatch,
    IncludeTotal,
    Limit,
    Sort,
    UoW,
)
from api.http import CREATED, RECORDED, WITH_ETAG, created, with_etag
from api.problems import responses
from domain.announcements import service
from domain.announcements.errors import ANNOUNCEMENT_CASES, DELIVERY_CASES, AnnouncementNotFound
from domain.announcements.models import (
    AnnouncementCategory,
    AnnouncementCreate,
    AnnouncementPage,
    AnnouncementRead,
    AnnouncementUpdate,
    DeliveryCreate,
    DeliveryPage,
    DeliveryRead,
)
from domain.errors import CursorInvalid, InsufficientStorage, SortInvalid

router = APIRouter(prefix="/api/v1", tags=["announcements"])
READ_ERRORS = responses(401, 403, 404, 422, 503, AnnouncementNotFound, SortInvalid,
                        CursorInvalid)
WRITE_ERRORS = responses(401, 403, 404, 409, 412, 422, 428, 503, *ANNOUNCEMENT_CASES,
                         InsufficientStorage)
DELIVERY_ERRORS = responses(401, 403, 404, 409, 422, 503, *DELIVERY_CASES, InsufficientStorage)


@router.get("/announcements", operation_id="announcements_list",
            summary="List announcements", responses=READ_ERRORS)
async def list_announcements(
    uow: UoW, who: AnnouncementsRead, category: AnnouncementCategory | None = None,
    unit_id: Annotated[uuid.UUID | None, Query(
        description="Notices reaching this unit: to it, to its commune, or inside it")] = None,
    published: Annotated[bool | None, Query(
        description="true: out now; false: scheduled or withdrawn")] = None,
    sort: Sort = None, cursor: Cursor = None, limit: Limit = 50,
    include_total: IncludeTotal = False,
) -> AnnouncementPage:
    """Latest `publish_at` first (`sort=publish_at|created_at`). Residents and volunteers see
    the published notices of their units only."""
    page = await uow.announcements.list(
        who, category=category, unit_id=unit_id, published=published, sort=sort,
        cursor=cursor, limit=limit, include_total=include_total)
    return AnnouncementPage(items=page.items, next_cursor=page.next_cursor, total=page.total)


@router.post("/announcements", operation_id="announcements_create",
             summary="Publish or schedule an announcement",
             status_code=status.HTTP_201_CREATED, responses={**WRITE_ERRORS, **CREATED})
async def create_announcement(request: Request, response: Response, uow: UoW,
                              who: AnnouncementsWrite, body: AnnouncementCreate
                              ) -> AnnouncementRead:
    """To groups or a whole commune, inside your units; security officers issue
    `fraud_warning` only."""
    announcement = await service.create_announcement(uow, who, data=body)
    created(request, response, announcement, "announcements_get",
            announcement_id=announcement.id)
    return announcement


@router.get("/announcements/{announcement_id:uuid}", operation_id="announcements_get",
            name="announcements_get", summary="Read one announcement",
            responses={**READ_ERRORS, **WITH_ETAG})
async def get_announcement(announcement_id: uuid.UUID, response: Response, uow: UoW,
                           who: AnnouncementsRead) -> AnnouncementRead:
    """With its ETag."""
    announcement = await uow.announcements.get(who, announcement_id)
    with_etag(response, announcement)
    return announcement


@router.patch("/announcements/{announcement_id:uuid}", operation_id="announcements_update",
              summary="Change a scheduled announcement", responses={**WRITE_ERRORS, **WITH_ETAG})
async def update_announcement(announcement_id: uuid.UUID, body: AnnouncementUpdate,
                              response: Response, uow: UoW, who: AnnouncementsWrite,
                              if_match: IfMatch = None) -> AnnouncementRead:
    """Only before `publish_at` (409 `announcement_published` after)."""
    announcement = await service.update_announcement(uow, who, announcement_id, data=body,
                                                     if_match=if_match)
    with_etag(response, announcement)
    return announcement


@router.post("/announcements/{announcement_id:uuid}/withdraw",
             operation_id="announcements_withdraw", summary="Withdraw an announcement",
             responses={**WRITE_ERRORS, **WITH_ETAG})
async def withdraw(announcement_id: uuid.UUID, response: Response, uow: UoW,
                   who: AnnouncementsWrite, if_match: IfMatch = None) -> AnnouncementRead:
    """Scheduled or published; it stays on record with status `withdrawn`."""
    announcement = await service.withdraw_announcement(uow, who, announcement_id,
                                                       if_match=if_match)
    with_etag(response, announcement)
    return announcement


@router.post("/announcements/{announcement_id:uuid}/deliveries",
             operation_id="announcements_record_delivery",
             summary="Record a household told in person", status_code=201,
             responses={**DELIVERY_ERRORS, **RECORDED})
async def record_delivery(announcement_id: uuid.UUID, body: DeliveryCreate,
                          response: Response, uow: UoW, who: AnnouncementsWrite
                          ) -> DeliveryRead:
    """201 the first time; the same household again answers 200 with the first record.
    The household must live in the target units (404 otherwise)."""
    delivery, new = await service.record_delivery(uow, who, announcement_id, data=body)
    if not new:
        response.status_code = 200
    response.headers["Location"] = (f"/api/v1/announcements/{announcement_id}/deliveries"
                                    f"?household_id={delivery.household_id}")
    return delivery


@router.get("/announcements/{announcement_id:uuid}/deliveries",
            operation_id="announcements_deliveries",
            summary="Households told in person, and the reach", responses=READ_ERRORS)
async def list_deliveries(announcement_id: uuid.UUID, uow: UoW, who: HouseholdsRead,
                          household_id: uuid.UUID | None = None, cursor: Cursor = None,
                          limit: Limit = 50) -> DeliveryPage:
    """Latest first, with `households_told` and the living `target_households` of the
    target units. Needs `households:read`: the list names households."""
    announcement, page = await uow.announcements.deliveries(
        who, announcement_id, household_id=household_id, cursor=cursor, limit=limit)
    return DeliveryPage(
        items=page.items, next_cursor=page.next_cursor,
        households_told=await uow.announcements.households_told(announcement),
        target_households=await uow.announcements.target_households(announcement))


routers = [router]
