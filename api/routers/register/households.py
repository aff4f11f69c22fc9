"""Households: list, read, open, change, members, split, merge, close, history."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from api.deps import (
    Cursor,
    HouseholdsRead,
    HouseholdsWrite,
    IfMatch,
    IncludeTotal,
    Limit,
    SearchText,
    Sort,
    UoW,
)
from api.http import CREATED, WITH_ETAG, created, with_etag
from api.problems import responses
from api.routers.register.residents import _views
from domain.errors import CursorInvalid, InsufficientStorage, ReferenceNotFound, SortInvalid
from domain.register import households as service
from domain.register.errors import REGISTER_CASES, HouseholdNotFound
from domain.register.schemas import (
    ChangePage,
    HouseholdCreate,
    HouseholdMerge,
    HouseholdPage,
    HouseholdRead,
    HouseholdSplit,
    HouseholdUpdate,
    MemberAdd,
    ResidentPage,
)
from domain.register.views import change_view

router = APIRouter(prefix="/api/v1", tags=["households"])
READ_ERRORS = responses(401, 403, 404, 422, 503, HouseholdNotFound, SortInvalid, CursorInvalid)
WRITE_ERRORS = responses(401, 403, 404, 409, 412, 422, 428, 503, *REGISTER_CASES,
                         ReferenceNotFound, InsufficientStorage)


@router.get("/households", operation_id="households_list", summary="List households",
            responses=READ_ERRORS)
async def list_households(
    uow: UoW, who: HouseholdsRead, group_id: uuid.UUID | None = None,
    commune_id: uuid.UUID | None = None, street_id: uuid.UUID | None = None,
    q: SearchText = None, sort: Sort = None, cursor: Cursor = None, limit: Limit = 50,
    include_total: IncludeTotal = False,
) -> HouseholdPage:
    """By code (default) or `sort=address` (house-number order); `q`: each word in the code,
    the house number, the street's name or the old address text (case, diacritics and
    apostrophes ignored, and the punctuation around a word); a `q` of punctuation alone
    lists what no `q` lists.
    A volunteer lists the households assigned to them in active campaigns."""
    filters = {"group_id": group_id, "commune_id": commune_id, "street_id": street_id, "q": q}
    page = await uow.households.list(who, filters, sort=sort, cursor=cursor, limit=limit,
                                     include_total=include_total)
    return HouseholdPage(items=page.items, next_cursor=page.next_cursor, total=page.total)


@router.post("/households", operation_id="households_create", summary="Open a household",
             status_code=status.HTTP_201_CREATED, responses={**WRITE_ERRORS, **CREATED})
async def create_household(request: Request, response: Response, uow: UoW,
                           who: HouseholdsWrite, body: HouseholdCreate) -> HouseholdRead:
    """At an address in a residential group; the code is generated when absent."""
    household = await service.create_household(uow, who, data=body)
    created(request, response, household, "households_get", household_id=household.id)
    return household


@router.get("/households/{household_id:uuid}", operation_id="households_get", name="households_get",
            summary="Read one household", responses={**READ_ERRORS, **WITH_ETAG})
async def get_household(household_id: uuid.UUID, response: Response, uow: UoW,
                        who: HouseholdsRead) -> HouseholdRead:
    """One household with its ETag; members at /households/{id}/members."""
    household = await uow.households.get(who, household_id)
    with_etag(response, household)
    return household


@router.patch("/households/{household_id:uuid}", operation_id="households_update",
              summary="Change a household's address or head",
              responses={**WRITE_ERRORS, **WITH_ETAG})
async def update_household(household_id: uuid.UUID, body: HouseholdUpdate, response: Response,
                           uow: UoW, who: HouseholdsWrite, if_match: IfMatch = None
                           ) -> HouseholdRead:
    """A new head must already be a member."""
    household = await service.update_household(uow, who, household_id, data=body,
                                                if_match=if_match)
    with_etag(response, household)
    return household


@router.delete("/households/{household_id:uuid}", operation_id="households_delete",
               summary="Close an empty household", status_code=204, responses=WRITE_ERRORS)
async def delete_household(household_id: uuid.UUID, uow: UoW, who: HouseholdsWrite,
                           if_match: IfMatch = None):
    """Only without members (409 otherwise); kept for history."""
    await service.delete_household(uow, who, household_id, if_match=if_match)
    return Response(status_code=204)


@router.get("/households/{household_id:uuid}/members", operation_id="households_members",
            summary="Members of a household, head first", responses=READ_ERRORS)
async def members(household_id: uuid.UUID, uow: UoW, who: HouseholdsRead) -> ResidentPage:
    """The whole household in one page (the head first), masked as for any resident read."""
    household = await uow.households.get(who, household_id)
    people = await uow.residents.members([household.id])
    people.sort(key=lambda r: (r.id != household.head_id, r.sort_key, r.id))
    return ResidentPage(items=await _views(uow, who, people), next_cursor=None)


@router.post("/households/{household_id:uuid}/members", operation_id="households_add_member",
             summary="Move a resident into this household", responses={**WRITE_ERRORS, **WITH_ETAG})
async def add_member(household_id: uuid.UUID, body: MemberAdd, response: Response, uow: UoW,
                     who: HouseholdsWrite, if_match: IfMatch = None) -> HouseholdRead:
    """A resident belongs to one household: this moves them out of their current one."""
    household = await service.add_member(uow, who, household_id, data=body, if_match=if_match)
    with_etag(response, household)
    return household


@router.post("/households/{household_id:uuid}/split", operation_id="households_split",
             summary="Split members off into a new household", status_code=201,
             responses={**WRITE_ERRORS, **CREATED})
async def split(household_id: uuid.UUID, body: HouseholdSplit, request: Request,
                response: Response, uow: UoW, who: HouseholdsWrite, if_match: IfMatch = None
                ) -> HouseholdRead:
    """Answers the new household (tách hộ); the head may leave only with everyone."""
    new = await service.split_household(uow, who, household_id, data=body, if_match=if_match)
    created(request, response, new, "households_get", household_id=new.id)
    return new


@router.post("/households/{household_id:uuid}/merge", operation_id="households_merge",
             summary="Merge another household into this one",
             responses={**WRITE_ERRORS, **WITH_ETAG})
async def merge(household_id: uuid.UUID, body: HouseholdMerge, response: Response, uow: UoW,
                who: HouseholdsWrite, if_match: IfMatch = None) -> HouseholdRead:
    """Same group only; the other household is closed and its members join (nhập hộ)."""
    household = await service.merge_households(uow, who, household_id, data=body,
                                               if_match=if_match)
    with_etag(response, household)
    return household


@router.get("/households/{household_id:uuid}/history", operation_id="households_history",
            summary="Every change to a household", responses=READ_ERRORS)
async def history(household_id: uuid.UUID, uow: UoW, who: HouseholdsRead,
                  cursor: Cursor = None, limit: Limit = 50) -> ChangePage:
    """Oldest first: creation, address and head changes, members in and out, splits, merges."""
    page = await uow.changes.history(who, entity="household", entity_id=household_id,
                                     cursor=cursor, limit=limit)
    return ChangePage(items=[change_view(e, who) for e in page.items],
                      next_cursor=page.next_cursor)
