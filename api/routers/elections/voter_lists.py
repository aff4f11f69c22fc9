"""Voter lists: a polling area's imported versions (imported at POST /imports with
`kind=voter_list`), their rows as the commune office wrote them, the difference between
two versions, and the commune's saved column mappings."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from api.deps import Cursor, ElectionsManage, ElectionsRead, IncludeTotal, Limit, UoW
from api.http import CREATED, WITH_ETAG, created, with_etag
from api.problems import responses
from domain.elections import voter_lists as service
from domain.elections.errors import (
    MAPPING_CASES,
    PollingAreaNotFound,
    VoterListMappingNotFound,
    VoterListNotFound,
)
from domain.elections.views import voter_list_diff_row_view, voter_list_row_view
from domain.elections.voter_list_schemas import (
    VoterListChange,
    VoterListDiff,
    VoterListMappingCreate,
    VoterListMappingPage,
    VoterListMappingRead,
    VoterListPage,
    VoterListRead,
    VoterListRowPage,
    VoterListRowRead,
)
from domain.errors import CursorInvalid
from repositories.elections.voter_lists import page_of

router = APIRouter(prefix="/api/v1", tags=["elections"])
READ = (401, 403, 404, 422, 503, CursorInvalid)
LIST_ERRORS = responses(*READ, VoterListNotFound)
MAPPING_ERRORS = responses(401, 403, 404, 409, 422, 503, *MAPPING_CASES)


@router.get("/polling-areas/{polling_area_id:uuid}/voter-lists",
            operation_id="elections_voter_lists_list",
            summary="List a polling area's voter list versions",
            responses=responses(*READ, PollingAreaNotFound))
async def list_voter_lists(polling_area_id: uuid.UUID, uow: UoW, who: ElectionsRead,
                           cursor: Cursor = None, limit: Limit = 50,
                           include_total: IncludeTotal = False) -> VoterListPage:
    """The area's imported lists, newest first (your commune's: a group leader sees none)."""
    area = await uow.polling_areas.get(who, polling_area_id)
    page = await uow.voter_lists.list(who, area.id, cursor=cursor, limit=limit,
                                      include_total=include_total)
    return VoterListPage(items=[VoterListRead.model_validate(v) for v in page.items],
                         next_cursor=page.next_cursor, total=page.total)


@router.get("/voter-lists/{version_id:uuid}", operation_id="elections_voter_list_get",
            summary="Read one voter list version", responses={**LIST_ERRORS, **WITH_ETAG})
async def get_voter_list(version_id: uuid.UUID, response: Response, uow: UoW,
                         who: ElectionsRead) -> VoterListRead:
    """The version as imported (file, header, columns used) and `counts` of its rows."""
    version = await uow.voter_lists.get(who, version_id)
    with_etag(response, version)
    read = VoterListRead.model_validate(version)
    read.counts = await uow.voter_lists.counts(version.id)
    return read


@router.get("/voter-lists/{version_id:uuid}/rows", operation_id="elections_voter_list_rows",
            summary="Read a voter list's rows", responses=LIST_ERRORS)
async def list_voter_list_rows(version_id: uuid.UUID, uow: UoW, who: ElectionsRead,
                               cursor: Cursor = None, limit: Limit = 50,
                               include_total: IncludeTotal = False) -> VoterListRowPage:
    """In the file's order: each row's cells as imported and the fields read; ID numbers,
    birth dates and the cells masked without `pii:read`."""
    version = await uow.voter_lists.get(who, version_id)
    page = await uow.voter_lists.rows(version, cursor=cursor, limit=limit,
                                      include_total=include_total)
    return VoterListRowPage(items=[VoterListRowRead.model_validate(voter_list_row_view(r, who))
                                   for r in page.items],
                            next_cursor=page.next_cursor, total=page.total)


@router.get("/voter-lists/{version_id:uuid}/diff", operation_id="elections_voter_list_diff",
            summary="What changed since another version", responses=LIST_ERRORS)
async def diff_voter_list(
    version_id: uuid.UUID, uow: UoW, who: ElectionsRead,
    against: Annotated[uuid.UUID | None, Query(description=(
        "The version to compare with; the one before in the same area if absent"))] = None,
    cursor: Cursor = None, limit: Limit = 50,
) -> VoterListDiff:
    """Rows added, removed and changed (with the fields that changed), matched by ID
    number when both rows carry one, else by folded name and birth year; counts of each,
    and a page of the differences. Masked as the rows are."""
    version, base, diff = await service.diff_versions(uow, who, version_id, against=against)
    items, next_cursor = page_of(diff.entries, cursor, limit)
    return VoterListDiff(
        version_id=version.id, against_id=base.id if base else None, added=len(diff.added),
        removed=len(diff.removed), changed=len(diff.changed), unchanged=diff.unchanged,
        items=[VoterListChange.model_validate({
            "change": change, "row": voter_list_diff_row_view(row, who),
            "before": voter_list_diff_row_view(before, who) if before else None,
            "fields": fields}) for change, row, before, fields in items],
        next_cursor=next_cursor)


@router.get("/voter-list-mappings", operation_id="elections_voter_list_mappings_list",
            summary="List saved column mappings",
            responses=responses(401, 403, 422, 503, CursorInvalid))
async def list_mappings(uow: UoW, who: ElectionsRead,
                        commune_id: Annotated[uuid.UUID | None, Query()] = None,
                        cursor: Cursor = None, limit: Limit = 50,
                        include_total: IncludeTotal = False) -> VoterListMappingPage:
    """Your communes' mappings, by name."""
    page = await uow.voter_list_mappings.list(who, commune_id=commune_id, cursor=cursor,
                                              limit=limit, include_total=include_total)
    return VoterListMappingPage(
        items=[VoterListMappingRead.model_validate(m) for m in page.items],
        next_cursor=page.next_cursor, total=page.total)


@router.post("/voter-list-mappings", operation_id="elections_voter_list_mappings_create",
             summary="Save a column mapping", status_code=status.HTTP_201_CREATED,
             responses={**MAPPING_ERRORS, **CREATED})
async def create_mapping(body: VoterListMappingCreate, request: Request, response: Response,
                         uow: UoW, who: ElectionsManage) -> VoterListMappingRead:
    """A header → field mapping for your commune's list files, under a name an import gives
    as `mapping`. A name already used in the commune is a 409."""
    mapping = await service.save_mapping(uow, who, data=body)
    created(request, response, mapping, "elections_voter_list_mapping_get",
            mapping_id=mapping.id)
    return VoterListMappingRead.model_validate(mapping)


@router.get("/voter-list-mappings/{mapping_id:uuid}",
            operation_id="elections_voter_list_mapping_get",
            name="elections_voter_list_mapping_get", summary="Read one saved column mapping",
            responses={**responses(401, 403, 404, 422, 503, VoterListMappingNotFound),
                       **WITH_ETAG})
async def get_mapping(mapping_id: uuid.UUID, response: Response, uow: UoW,
                      who: ElectionsRead) -> VoterListMappingRead:
    mapping = await uow.voter_list_mappings.get(who, mapping_id)
    with_etag(response, mapping)
    return VoterListMappingRead.model_validate(mapping)
