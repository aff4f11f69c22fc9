"""Elections: the elections themselves (admins), a commune's polling areas and exclusions
(its officers and election officers), and who in a polling area may vote."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from api.deps import (
    Cursor,
    ElectionsManage,
    ElectionsRead,
    IfMatch,
    IncludeTotal,
    Limit,
    Sort,
    UoW,
)
from api.http import CREATED, WITH_ETAG, created, with_etag
from api.problems import responses
from domain.elections import service
from domain.elections.errors import (
    DELETE_AREA_CASES,
    ELECTION_CASES,
    ELIGIBILITY_CASES,
    EXCLUSION_CASES,
    POLLING_AREA_CASES,
    REVOKE_CASES,
    ElectionNotFound,
    ExclusionNotFound,
    PollingAreaNotFound,
)
from domain.elections.models import PollingArea
from domain.elections.schemas import (
    ElectionCreate,
    ElectionPage,
    ElectionRead,
    ElectionUpdate,
    EligibilityPage,
    EligibilityRead,
    ExclusionCreate,
    ExclusionPage,
    ExclusionRead,
    ExclusionRevoke,
    PollingAreaCreate,
    PollingAreaPage,
    PollingAreaRead,
    PollingAreaUpdate,
)
from domain.elections.views import exclusion_view
from domain.errors import CursorInvalid, SortInvalid
from domain.register.views import resident_document

router = APIRouter(prefix="/api/v1", tags=["elections"])
READ = (401, 403, 404, 422, 503, SortInvalid, CursorInvalid)
READ_ERRORS = responses(*READ, ElectionNotFound)
AREA_READ_ERRORS = responses(*READ, ElectionNotFound, PollingAreaNotFound)
EXCLUSION_READ_ERRORS = responses(*READ, ElectionNotFound, ExclusionNotFound)
WRITE = (401, 403, 404, 409, 412, 422, 428, 503)
ELECTION_ERRORS = responses(*WRITE, *ELECTION_CASES)
AREA_ERRORS = responses(*WRITE, *POLLING_AREA_CASES)
DELETE_ERRORS = responses(*WRITE, *DELETE_AREA_CASES)
EXCLUSION_ERRORS = responses(401, 403, 404, 409, 422, 503, *EXCLUSION_CASES)
REVOKE_ERRORS = responses(401, 403, 404, 409, 422, 503, *REVOKE_CASES)
ELIGIBILITY_ERRORS = responses(*READ, *ELIGIBILITY_CASES)


def _area(area: PollingArea, members) -> PollingAreaRead:
    return PollingAreaRead(**area.model_dump(), group_ids=members.group_ids,
                           street_ids=members.street_ids)


# -- elections ----------------------------------------------------------------------------
@router.get("/elections", operation_id="elections_list", summary="List elections",
            responses=READ_ERRORS)
async def list_elections(uow: UoW, who: ElectionsRead, sort: Sort = None,
                         cursor: Cursor = None, limit: Limit = 50,
                         include_total: IncludeTotal = False) -> ElectionPage:
    """Latest election day first (`sort=election_day|created_at`): national elections, and
    the by-elections of your province or commune."""
    page = await uow.elections.list(who, sort=sort, cursor=cursor, limit=limit,
                                    include_total=include_total)
    return ElectionPage(items=page.items, next_cursor=page.next_cursor, total=page.total)


@router.post("/elections", operation_id="elections_create", summary="Declare an election",
             status_code=status.HTTP_201_CREATED, responses={**ELECTION_ERRORS, **CREATED})
async def create_election(request: Request, response: Response, uow: UoW,
                          who: ElectionsManage, body: ElectionCreate) -> ElectionRead:
    """Admins only (403 `election_admin_only`). No unit: a national election; `province_id`
    or `commune_id`: a by-election there. The list is posted, and complaints settled, before
    election day; the last amendment (24 hours before voting opens unless given) before
    voting opens."""
    election = await service.create_election(uow, who, data=body)
    created(request, response, election, "elections_get", election_id=election.id)
    return ElectionRead.model_validate(election)


@router.get("/elections/{election_id:uuid}", operation_id="elections_get",
            name="elections_get", summary="Read one election",
            responses={**READ_ERRORS, **WITH_ETAG})
async def get_election(election_id: uuid.UUID, response: Response, uow: UoW,
                       who: ElectionsRead) -> ElectionRead:
    election = await uow.elections.get(who, election_id)
    with_etag(response, election)
    return ElectionRead.model_validate(election)


@router.patch("/elections/{election_id:uuid}", operation_id="elections_update",
              summary="Change an election's name, levels or dates",
              responses={**ELECTION_ERRORS, **WITH_ETAG})
async def update_election(election_id: uuid.UUID, body: ElectionUpdate, response: Response,
                          uow: UoW, who: ElectionsManage,
                          if_match: IfMatch = None) -> ElectionRead:
    """Admins only; the dates are checked together as they will be stored."""
    election = await service.update_election(uow, who, election_id, data=body,
                                             if_match=if_match)
    with_etag(response, election)
    return ElectionRead.model_validate(election)


# -- polling areas ------------------------------------------------------------------------
@router.get("/elections/{election_id:uuid}/polling-areas",
            operation_id="elections_polling_areas_list",
            summary="List an election's polling areas", responses=READ_ERRORS)
async def list_polling_areas(
    election_id: uuid.UUID, uow: UoW, who: ElectionsRead,
    commune_id: Annotated[uuid.UUID | None, Query()] = None, cursor: Cursor = None,
    limit: Limit = 50, include_total: IncludeTotal = False,
) -> PollingAreaPage:
    """The polling areas of your communes (a group leader's: of their commune), by code."""
    election = await uow.elections.get(who, election_id)
    page = await uow.polling_areas.list(who, election.id, commune_id=commune_id,
                                        cursor=cursor, limit=limit,
                                        include_total=include_total)
    members = await uow.polling_areas.members([a.id for a in page.items])
    return PollingAreaPage(items=[_area(a, service.AreaMembers(*members[a.id]))
                                  for a in page.items],
                           next_cursor=page.next_cursor, total=page.total)


@router.post("/elections/{election_id:uuid}/polling-areas",
             operation_id="elections_polling_areas_create", summary="Add a polling area",
             status_code=status.HTTP_201_CREATED, responses={**AREA_ERRORS, **CREATED})
async def create_polling_area(election_id: uuid.UUID, body: PollingAreaCreate,
                              request: Request, response: Response, uow: UoW,
                              who: ElectionsManage) -> PollingAreaRead:
    """Residential groups of your commune and, optionally, streets whose households vote
    here whatever their group. A group or street already in another area of the election
    is a 409."""
    area, members = await service.create_polling_area(uow, who, election_id, data=body)
    created(request, response, area, "elections_polling_area_get", polling_area_id=area.id)
    return _area(area, members)


@router.get("/polling-areas/{polling_area_id:uuid}", operation_id="elections_polling_area_get",
            name="elections_polling_area_get", summary="Read one polling area",
            responses={**AREA_READ_ERRORS, **WITH_ETAG})
async def get_polling_area(polling_area_id: uuid.UUID, response: Response, uow: UoW,
                           who: ElectionsRead) -> PollingAreaRead:
    area = await uow.polling_areas.get(who, polling_area_id)
    members = (await uow.polling_areas.members([area.id]))[area.id]
    with_etag(response, area)
    return _area(area, service.AreaMembers(*members))


@router.patch("/polling-areas/{polling_area_id:uuid}",
              operation_id="elections_polling_area_update",
              summary="Change a polling area", responses={**AREA_ERRORS, **WITH_ETAG})
async def update_polling_area(polling_area_id: uuid.UUID, body: PollingAreaUpdate,
                              response: Response, uow: UoW, who: ElectionsManage,
                              if_match: IfMatch = None) -> PollingAreaRead:
    """`group_ids` and `street_ids` replace the lists when given."""
    area, members = await service.update_polling_area(uow, who, polling_area_id, data=body,
                                                      if_match=if_match)
    with_etag(response, area)
    return _area(area, members)


@router.delete("/polling-areas/{polling_area_id:uuid}",
               operation_id="elections_polling_area_delete", summary="Delete a polling area",
               status_code=status.HTTP_204_NO_CONTENT, responses=DELETE_ERRORS)
async def delete_polling_area(polling_area_id: uuid.UUID, uow: UoW, who: ElectionsManage,
                              if_match: IfMatch = None):
    """Only while no voter list refers to it (409 `polling_area_in_use`)."""
    await service.delete_polling_area(uow, who, polling_area_id, if_match=if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- exclusions ---------------------------------------------------------------------------
@router.get("/elections/{election_id:uuid}/exclusions",
            operation_id="elections_exclusions_list",
            summary="List an election's exclusions", responses=READ_ERRORS)
async def list_exclusions(
    election_id: uuid.UUID, uow: UoW, who: ElectionsRead,
    resident_id: Annotated[uuid.UUID | None, Query()] = None,
    active: Annotated[bool | None, Query(description="Only active (or only revoked)")] = None,
    cursor: Cursor = None, limit: Limit = 50, include_total: IncludeTotal = False,
) -> ExclusionPage:
    """Latest first; the decision's reference and the notes are masked without `pii:read`."""
    election = await uow.elections.get(who, election_id)
    page = await uow.exclusions.list(who, election.id, resident_id=resident_id,
                                     active=active, cursor=cursor, limit=limit,
                                     include_total=include_total)
    return ExclusionPage(items=[exclusion_view(x, who) for x in page.items],
                         next_cursor=page.next_cursor, total=page.total)


@router.post("/elections/{election_id:uuid}/exclusions",
             operation_id="elections_exclusions_create",
             summary="Take a person off the election's lists",
             status_code=status.HTTP_201_CREATED, responses={**EXCLUSION_ERRORS, **CREATED})
async def create_exclusion(election_id: uuid.UUID, body: ExclusionCreate, request: Request,
                           response: Response, uow: UoW,
                           who: ElectionsManage) -> ExclusionRead:
    """A person of your commune with the legal reason and the decision or judgment
    (`document_ref`, required); one active exclusion per person (else 409)."""
    exclusion = await service.record_exclusion(uow, who, election_id, data=body)
    created(request, response, exclusion, "elections_exclusion_get",
            exclusion_id=exclusion.id)
    return exclusion_view(exclusion, who)


@router.get("/exclusions/{exclusion_id:uuid}", operation_id="elections_exclusion_get",
            name="elections_exclusion_get", summary="Read one exclusion",
            responses={**EXCLUSION_READ_ERRORS, **WITH_ETAG})
async def get_exclusion(exclusion_id: uuid.UUID, response: Response, uow: UoW,
                        who: ElectionsRead) -> ExclusionRead:
    exclusion = await uow.exclusions.get(who, exclusion_id)
    with_etag(response, exclusion)
    return exclusion_view(exclusion, who)


@router.post("/exclusions/{exclusion_id:uuid}/revoke",
             operation_id="elections_exclusion_revoke",
             summary="Restore a person's right to vote",
             responses={**REVOKE_ERRORS, **WITH_ETAG})
async def revoke_exclusion(exclusion_id: uuid.UUID, body: ExclusionRevoke,
                           response: Response, uow: UoW,
                           who: ElectionsManage) -> ExclusionRead:
    """The exclusion stays, revoked, with the decision that restores the right; the person
    is eligible again. Twice: 409 `exclusion_revoked`."""
    exclusion = await service.revoke_exclusion(uow, who, exclusion_id, data=body)
    with_etag(response, exclusion)
    return exclusion_view(exclusion, who)


# -- eligibility --------------------------------------------------------------------------
@router.get("/elections/{election_id:uuid}/eligibility", operation_id="elections_eligibility",
            summary="Who in a polling area may vote", responses=ELIGIBILITY_ERRORS)
async def eligibility(
    election_id: uuid.UUID, uow: UoW, who: ElectionsRead,
    polling_area_id: Annotated[uuid.UUID, Query(description="The polling area")],
    cursor: Cursor = None, limit: Limit = 50, include_total: IncludeTotal = False,
) -> EligibilityPage:
    """The register's records living in the polling area (households on its streets, and
    those of its groups on no street another area lists), by given name, each with
    `eligible`, the `reasons` when not (`under_age`, `birth_unknown`, `deceased`,
    `moved_away`, `no_ballot`, `excluded:<reason>`), the `ballot_levels` (every level of
    the election for permanent residents and temporary ones of 12 months or more by
    election day; National Assembly and provincial only under 12 months) and
    `birth_date_uncertain` (a birth year only, the borderline one). Records are masked as
    the register masks them for you; a group leader sees their group's."""
    page, assessed = await service.eligibility(
        uow, who, election_id, polling_area_id=polling_area_id, cursor=cursor, limit=limit,
        include_total=include_total)
    facts = await uow.residents.readiness([a.resident.id for a in assessed])
    items = [EligibilityRead(
        resident=resident_document(a.resident, facts.get(a.resident.id, {}), who),
        eligible=a.eligibility.eligible, reasons=list(a.eligibility.reasons),
        ballot_levels=list(a.eligibility.ballot_levels),
        birth_date_uncertain=a.eligibility.birth_date_uncertain,
        notes=list(a.eligibility.notes), exclusion_id=a.exclusion_id) for a in assessed]
    return EligibilityPage(items=items, next_cursor=page.next_cursor, total=page.total)
