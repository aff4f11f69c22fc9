"""Outreach campaigns: draft, start, walk lists, visits from the field, progress."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Request, Response, status

from api.deps import CampaignsRead, CampaignsWrite, Cursor, IfMatch, Limit, UoW, VisitsWrite
from api.http import CREATED, RECORDED, WITH_ETAG, created, with_etag
from api.problems import responses
from domain.access import Role
from domain.clock import today_vn
from domain.errors import CursorInvalid, Forbidden, InsufficientStorage, SortInvalid
from domain.outreach import progress as progress_view
from domain.outreach import service, visits
from domain.outreach.errors import CAMPAIGN_CASES, CampaignNotFound, VisitNeedNotFound
from domain.outreach.models import CampaignStatus, NeedStatus
from domain.outreach.schemas import (
    AssignmentRequest,
    AssignmentSummary,
    CampaignCreate,
    CampaignPage,
    CampaignRead,
    CampaignUpdate,
    NeedPage,
    NeedRead,
    Progress,
    VisitCreate,
    VisitPage,
    VisitRead,
    VolunteerLoad,
    WalkList,
    WalkResident,
    WalkStop,
)
from domain.register.rules import age_on

router = APIRouter(prefix="/api/v1", tags=["campaigns"])
READ_ERRORS = responses(401, 403, 404, 422, 503, CampaignNotFound, SortInvalid, CursorInvalid)
NEED_ERRORS = responses(401, 403, 404, 422, 503, VisitNeedNotFound, CursorInvalid)
WRITE_ERRORS = responses(401, 403, 404, 409, 412, 422, 428, 503, *CAMPAIGN_CASES,
                         InsufficientStorage)


@router.get("/campaigns", operation_id="campaigns_list", summary="List campaigns",
            responses=READ_ERRORS)
async def list_campaigns(uow: UoW, who: CampaignsRead, status: CampaignStatus | None = None,
                         cursor: Cursor = None, limit: Limit = 50) -> CampaignPage:
    """Newest first; volunteers see the active campaigns they walk for."""
    page = await uow.outreach.list(who, status=status, cursor=cursor, limit=limit)
    return CampaignPage(items=page.items, next_cursor=page.next_cursor)


@router.post("/campaigns", operation_id="campaigns_create", summary="Draft a campaign",
             status_code=status.HTTP_201_CREATED, responses={**WRITE_ERRORS, **CREATED})
async def create_campaign(request: Request, response: Response, uow: UoW, who: CampaignsWrite,
                          body: CampaignCreate) -> CampaignRead:
    """Goals, target groups (one commune) and optionally streets, and the period."""
    campaign = await service.create_campaign(uow, who, data=body)
    created(request, response, campaign, "campaigns_get", campaign_id=campaign.id)
    return campaign


@router.get("/campaigns/{campaign_id:uuid}", operation_id="campaigns_get", name="campaigns_get",
            summary="Read one campaign", responses={**READ_ERRORS, **WITH_ETAG})
async def get_campaign(campaign_id: uuid.UUID, response: Response, uow: UoW,
                       who: CampaignsRead) -> CampaignRead:
    """With its ETag."""
    campaign = await uow.outreach.get(who, campaign_id)
    with_etag(response, campaign)
    return campaign


@router.patch("/campaigns/{campaign_id:uuid}", operation_id="campaigns_update",
              summary="Change a campaign", responses={**WRITE_ERRORS, **WITH_ETAG})
async def update_campaign(campaign_id: uuid.UUID, body: CampaignUpdate, response: Response,
                          uow: UoW, who: CampaignsWrite, if_match: IfMatch = None
                          ) -> CampaignRead:
    """Targets and goals change only in draft; the name and end date at any time."""
    campaign = await service.update_campaign(uow, who, campaign_id, data=body,
                                             if_match=if_match)
    with_etag(response, campaign)
    return campaign


@router.post("/campaigns/{campaign_id:uuid}/start", operation_id="campaigns_start",
             summary="Start: freeze the target households", responses={**WRITE_ERRORS, **WITH_ETAG})
async def start(campaign_id: uuid.UUID, response: Response, uow: UoW, who: CampaignsWrite,
                if_match: IfMatch = None) -> CampaignRead:
    """Households added to the groups later are listed at /late-households."""
    campaign = await service.start_campaign(uow, who, campaign_id, if_match=if_match)
    with_etag(response, campaign)
    return campaign


@router.post("/campaigns/{campaign_id:uuid}/close", operation_id="campaigns_close",
             summary="Close: no more visits", responses={**WRITE_ERRORS, **WITH_ETAG})
async def close(campaign_id: uuid.UUID, response: Response, uow: UoW, who: CampaignsWrite,
                if_match: IfMatch = None) -> CampaignRead:
    """Progress stays readable."""
    campaign = await service.close_campaign(uow, who, campaign_id, if_match=if_match)
    with_etag(response, campaign)
    return campaign


async def _loads(uow, who, campaign_id) -> AssignmentSummary:
    rows = await uow.outreach.loads(who, campaign_id)
    names = {u.id: u.username for u in await uow.users.many({u for u, _, _ in rows if u})}
    return AssignmentSummary(items=[
        VolunteerLoad(volunteer_id=u, volunteer_name=names.get(u), households=n, reached=r)
        for u, n, r in rows])


@router.get("/campaigns/{campaign_id:uuid}/assignments", operation_id="campaigns_assignments",
            summary="Households per volunteer", responses=READ_ERRORS)
async def assignments(campaign_id: uuid.UUID, uow: UoW, who: CampaignsWrite
                      ) -> AssignmentSummary:
    """`volunteer_id: null` counts the households nobody walks yet."""
    return await _loads(uow, who, campaign_id)


@router.post("/campaigns/{campaign_id:uuid}/assignments", operation_id="campaigns_assign",
             summary="Cut or change walk lists", responses=WRITE_ERRORS)
async def assign(campaign_id: uuid.UUID, body: AssignmentRequest, uow: UoW,
                 who: CampaignsWrite) -> AssignmentSummary:
    """By street (whole streets), balanced (equal walks) or by hand (reassign, late ones)."""
    await service.assign(uow, who, campaign_id, data=body)
    return await _loads(uow, who, campaign_id)


@router.get("/campaigns/{campaign_id:uuid}/walk-list", operation_id="campaigns_walk_list",
            summary="A volunteer's doors, in walking order", responses=READ_ERRORS)
async def walk_list(campaign_id: uuid.UUID, uow: UoW, who: CampaignsRead,
                    volunteer_id: uuid.UUID | None = None) -> WalkList:
    """Names and open goals only. Volunteers see their own list; leaders anyone's."""
    if who.role == Role.volunteer or volunteer_id is None:
        if volunteer_id not in (None, who.subject_id):
            raise Forbidden()
        volunteer_id = who.subject_id
    campaign, rows = await uow.outreach.walk(who, campaign_id, volunteer_id)
    households = [row[0].household_id for row in rows]
    people = await uow.residents.members(households)
    goals = await visits.open_goals(uow, campaign, [p.id for p in people])
    today: date = today_vn()
    by_household: dict = {}
    for person in people:
        by_household.setdefault(person.household_id, []).append(WalkResident(
            resident_id=person.id, full_name=person.full_name,
            relationship=person.relationship,
            age=age_on(person.birth_date, person.birth_year, today),
            open_goals=goals[person.id]))
    return WalkList(volunteer_id=volunteer_id, items=[
        WalkStop(household_id=t.household_id, code=code, street=street,
                 house_number=number, walk_order=t.walk_order, added_late=t.added_late,
                 last_outcome=t.last_outcome, last_visit_at=t.last_visit_at,
                 follow_up_on=t.follow_up_on, residents=by_household.get(t.household_id, []))
        for t, code, number, street in rows])


@router.post("/campaigns/{campaign_id:uuid}/visits", operation_id="campaigns_record_visit",
             summary="Record a visit (offline-safe)", status_code=201,
             responses={**WRITE_ERRORS, **RECORDED})
async def record_visit(campaign_id: uuid.UUID, body: VisitCreate, response: Response,
                       uow: UoW, who: VisitsWrite) -> VisitRead:
    """201 the first time; replaying the same `client_visit_id` and body answers 200 with the
    same visit; the same id with another body is a 422. Out-of-order visits are fine."""
    visit, new = await visits.record_visit(uow, who, campaign_id, data=body)
    if not new:
        response.status_code = 200
    response.headers["Location"] = f"/api/v1/campaigns/{campaign_id}/visits/{visit.id}"
    return visit


@router.get("/campaigns/{campaign_id:uuid}/visits", operation_id="campaigns_visits",
            summary="Visits, newest first", responses=READ_ERRORS)
async def list_visits(campaign_id: uuid.UUID, uow: UoW, who: CampaignsRead,
                      household_id: uuid.UUID | None = None,
                      volunteer_id: uuid.UUID | None = None, cursor: Cursor = None,
                      limit: Limit = 50) -> VisitPage:
    """Volunteers see their own visits."""
    if who.role == Role.volunteer:
        volunteer_id = who.subject_id
    page = await uow.outreach.visits(who, campaign_id, household_id=household_id,
                                     volunteer_id=volunteer_id, cursor=cursor, limit=limit)
    return VisitPage(items=page.items, next_cursor=page.next_cursor)


@router.get("/campaigns/{campaign_id:uuid}/needs", operation_id="campaigns_needs",
            summary="Needs raised at the door, for follow-up", responses=READ_ERRORS)
async def needs(campaign_id: uuid.UUID, uow: UoW, who: CampaignsWrite,
                status: str | None = "open", limit: Limit = 50) -> NeedPage:
    """Questions about procedures, help with apps, fraud attempts, feedback."""
    return NeedPage(items=[NeedRead.model_validate(n) for n in
                           await uow.outreach.needs(who, campaign_id, status, limit)],
                    next_cursor=None)


@router.get("/visit-needs", operation_id="visit_needs_list",
            summary="Needs raised at the doors you visit, newest first", responses=NEED_ERRORS)
async def list_visit_needs(uow: UoW, who: VisitsWrite, visit_id: uuid.UUID | None = None,
                           status: NeedStatus | None = None, cursor: Cursor = None,
                           limit: Limit = 50) -> NeedPage:
    """Of the households you may read (a volunteer: those you walk); `visit_id` gives those
    of one visit, to turn into tickets (POST /visit-needs/{need_id}/ticket)."""
    page = await uow.outreach.needs_page(who, visit_id=visit_id, status=status, cursor=cursor,
                                         limit=limit)
    return NeedPage(items=[NeedRead.model_validate(n) for n in page.items],
                    next_cursor=page.next_cursor)


@router.get("/visit-needs/{need_id:uuid}", operation_id="visit_needs_get",
            name="visit_needs_get", summary="Read one need raised at the door",
            responses=NEED_ERRORS)
async def get_visit_need(need_id: uuid.UUID, uow: UoW, who: VisitsWrite) -> NeedRead:
    """`open`, or `ticketed` once it became a ticket."""
    return NeedRead.model_validate(await uow.outreach.need(who, need_id))


@router.get("/campaigns/{campaign_id:uuid}/progress", operation_id="campaigns_progress",
            summary="Households reached, residents invited and onboarded, by slice",
            responses=READ_ERRORS)
async def progress(campaign_id: uuid.UUID, uow: UoW, who: CampaignsRead) -> Progress:
    """Exact at any moment; by unit, street, volunteer and day (Asia/Ho_Chi_Minh)."""
    campaign, counters = await uow.outreach.counters(who, campaign_id)
    labels: dict[str, str] = {}
    for unit in await uow.units.by_ids({uuid.UUID(g) for g in campaign.group_ids}):
        labels[str(unit.id)] = unit.name
    for street in await uow.streets.for_commune(campaign.commune_id):
        labels[str(street.id)] = street.name
    volunteers = {uuid.UUID(k) for d, k, _, _ in counters if d == "volunteer"}
    labels.update({str(u.id): u.username for u in await uow.users.many(volunteers)})
    return progress_view.build_progress(campaign, counters, labels)


routers = [router]
