"""Voter-list reconciliation: runs over a unit's polling areas, their discrepancies with the
evidence, officers' resolutions, finalising a list, the corrected list (Mẫu 31/HĐBC) and an
election's summary with its deadline warnings."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Query, Request, Response, status

from api.deps import Cursor, ElectionsManage, ElectionsRead, IncludeTotal, Limit, UoW
from api.http import CSV_TYPE, LOCATION, WITH_ETAG, XLSX_TYPE, sends, spreadsheet_file, with_etag
from api.problems import responses
from domain.clock import today_vn
from domain.elections import export, reconciliation, summary, tasks
from domain.elections.errors import (
    FINALISE_CASES,
    RECONCILE_CASES,
    RESOLVE_CASES,
    DiscrepancyNotFound,
    ElectionNotFound,
    PollingAreaNotFound,
    ReconciliationNotFound,
    VoterListNotFound,
)
from domain.elections.models import Discrepancy, DiscrepancyKind, DiscrepancyResolution
from domain.elections.reconciliation_schemas import (
    DiscrepancyDetail,
    DiscrepancyPage,
    DiscrepancyRead,
    FinaliseRead,
    ReconciliationCreate,
    ReconciliationPage,
    ReconciliationRead,
    ResolutionCreate,
    ResolutionRead,
    SummaryRead,
)
from domain.elections.views import voter_list_row_view
from domain.elections.voter_list_schemas import VoterListRowRead
from domain.errors import CursorInvalid, SortInvalid
from domain.register.schemas import ResidentRead
from domain.register.views import resident_document

router = APIRouter(prefix="/api/v1", tags=["elections"])
READ = (401, 403, 404, 422, 503, SortInvalid, CursorInvalid)


def _discrepancy(d: Discrepancy, resolution: DiscrepancyResolution | None) -> dict:
    return {**d.model_dump(), "status": "resolved" if d.resolution_id else "open",
            "resolution": ResolutionRead.model_validate(resolution) if resolution else None}


@router.post("/elections/{election_id:uuid}/reconciliations",
             operation_id="elections_reconciliations_create",
             summary="Reconcile voter lists with the register",
             status_code=status.HTTP_202_ACCEPTED,
             responses={**responses(401, 403, 404, 409, 422, 503, *RECONCILE_CASES),
                        **sends(202, LOCATION)})
async def create_reconciliation(election_id: uuid.UUID, body: ReconciliationCreate,
                                request: Request, response: Response, uow: UoW,
                                who: ElectionsManage) -> ReconciliationRead:
    """Compares the latest list of each polling area within `unit_id` (a group, commune or
    province you may write to) with the register. Answers 202 with the run; a run over at
    most `RECONCILE_INLINE_ROWS` rows (5000) has finished by then, a bigger one is queued
    (follow it at the Location). One run at a time per election and unit (else 409
    `reconciliation_running`)."""
    settings = request.app.state.settings
    run, inline = await reconciliation.start_reconciliation(
        uow, who, election_id, data=body, inline_rows=settings.reconcile_inline_rows)
    if inline:
        await tasks.run_inline(uow, who, run.id)
    response.headers["Location"] = f"/api/v1/reconciliations/{run.id}"
    return ReconciliationRead.model_validate(await uow.reconciliations.get(who, run.id))


@router.get("/elections/{election_id:uuid}/reconciliations",
            operation_id="elections_reconciliations_list",
            summary="List an election's reconciliations",
            responses=responses(*READ, ElectionNotFound))
async def list_reconciliations(
    election_id: uuid.UUID, uow: UoW, who: ElectionsRead,
    unit_id: Annotated[uuid.UUID | None, Query()] = None, cursor: Cursor = None,
    limit: Limit = 50, include_total: IncludeTotal = False,
) -> ReconciliationPage:
    """Latest first: the runs over your units."""
    election = await uow.elections.get(who, election_id)
    page = await uow.reconciliations.list(who, election.id, unit_id=unit_id, cursor=cursor,
                                          limit=limit, include_total=include_total)
    return ReconciliationPage(items=page.items, next_cursor=page.next_cursor, total=page.total)


@router.get("/reconciliations/{reconciliation_id:uuid}",
            operation_id="elections_reconciliation_get", summary="Read one reconciliation",
            responses={**responses(*READ, ReconciliationNotFound), **WITH_ETAG})
async def get_reconciliation(reconciliation_id: uuid.UUID, response: Response, uow: UoW,
                             who: ElectionsRead) -> ReconciliationRead:
    """Status, counts per kind, and `changes` since the previous run over the same unit."""
    run = await uow.reconciliations.get(who, reconciliation_id)
    with_etag(response, run)
    return ReconciliationRead.model_validate(run)


@router.get("/reconciliations/{reconciliation_id:uuid}/discrepancies",
            operation_id="elections_discrepancies_list", summary="List a run's discrepancies",
            responses=responses(*READ, ReconciliationNotFound))
async def list_discrepancies(
    reconciliation_id: uuid.UUID, uow: UoW, who: ElectionsRead,
    kind: Annotated[DiscrepancyKind | None, Query()] = None,
    polling_area_id: Annotated[uuid.UUID | None, Query()] = None,
    status: Annotated[Literal["open", "resolved"] | None, Query()] = None,
    is_new: Annotated[bool | None, Query(description="Not found by the previous run")] = None,
    cursor: Cursor = None, limit: Limit = 50, include_total: IncludeTotal = False,
) -> DiscrepancyPage:
    """By kind; filter by `kind`, `polling_area_id`, `status` and `is_new`."""
    run = await uow.reconciliations.get(who, reconciliation_id)
    page = await uow.discrepancies.list(who, run.id, kind=kind, polling_area_id=polling_area_id,
                                        status=status, is_new=is_new, cursor=cursor,
                                        limit=limit, include_total=include_total)
    decided = await uow.resolutions.by_ids([d.resolution_id for d in page.items
                                            if d.resolution_id])
    return DiscrepancyPage(items=[DiscrepancyRead(**_discrepancy(
        d, decided.get(d.resolution_id) if d.resolution_id else None)) for d in page.items],
        next_cursor=page.next_cursor, total=page.total)


@router.get("/discrepancies/{discrepancy_id:uuid}", operation_id="elections_discrepancy_get",
            summary="Read one discrepancy with its evidence",
            responses=responses(*READ, DiscrepancyNotFound))
async def get_discrepancy(discrepancy_id: uuid.UUID, uow: UoW,
                          who: ElectionsRead) -> DiscrepancyDetail:
    """The list row (its birth date, ID number and address null without `pii:read`), the
    register's record and the candidates' (masked as the register masks them), the rule that
    fired and the actions that fit."""
    d = await uow.discrepancies.get(who, discrepancy_id)
    decided = await uow.resolutions.by_ids([d.resolution_id] if d.resolution_id else [])
    row = None
    if d.row_id is not None:
        rows = await uow.voter_lists.row(d.row_id)
        row = (VoterListRowRead.model_validate(voter_list_row_view(rows, who))
               if rows is not None else None)
    ids = [d.resident_id] if d.resident_id else []
    ids += [uuid.UUID(c["resident_id"]) for c in d.candidates]
    records = {r.id: r for r in await uow.residents.get_many(who, ids)}
    facts = await uow.residents.readiness(list(records))

    def view(i: uuid.UUID) -> ResidentRead | None:
        r = records.get(i)
        return ResidentRead.model_validate(resident_document(r, facts.get(i, {}), who)) if r \
            else None

    candidates = [v for c in d.candidates if (v := view(uuid.UUID(c["resident_id"])))]
    return DiscrepancyDetail(
        **_discrepancy(d, decided.get(d.resolution_id) if d.resolution_id else None),
        row=row, resident=view(d.resident_id) if d.resident_id else None,
        candidate_residents=candidates, allowed_actions=list(reconciliation.ALLOWED[d.kind]))


@router.post("/discrepancies/{discrepancy_id:uuid}/resolution",
             operation_id="elections_discrepancy_resolve", summary="Resolve a discrepancy",
             status_code=status.HTTP_201_CREATED,
             responses={**responses(401, 403, 404, 409, 422, 503, *RESOLVE_CASES),
                        **sends(201, LOCATION)})
async def resolve_discrepancy(discrepancy_id: uuid.UUID, body: ResolutionCreate,
                              response: Response, uow: UoW,
                              who: ElectionsManage) -> ResolutionRead:
    """Once per difference (409 `discrepancy_already_resolved`), on the latest run (409
    `discrepancy_outdated`), before the list is finalised (409 `voter_list_finalised`); an
    action that does not fit the kind is a 422 naming those that do. `remove_from_list`
    names its `legal_reason`. Kept by the next runs while they find the same difference."""
    d, resolution = await reconciliation.resolve_discrepancy(uow, who, discrepancy_id,
                                                             data=body)
    response.headers["Location"] = f"/api/v1/discrepancies/{d.id}"
    return ResolutionRead.model_validate(resolution)


@router.post("/voter-lists/{version_id:uuid}/finalise",
             operation_id="elections_voter_list_finalise",
             summary="Finalise a corrected voter list",
             responses={**responses(401, 403, 404, 409, 422, 503, *FINALISE_CASES),
                        **WITH_ETAG})
async def finalise_voter_list(version_id: uuid.UUID, response: Response, uow: UoW,
                              who: ElectionsManage) -> FinaliseRead:
    """Refused (409) before a run compared it or while its latest run has open discrepancies
    (with their count); nothing of its reconciliation changes afterwards."""
    version = await reconciliation.finalise_list(uow, who, version_id)
    with_etag(response, version)
    return FinaliseRead.model_validate(version)


def _file() -> dict:
    return spreadsheet_file(",".join(export.COLUMNS) + "\r\n"
                            "1,Nguyễn Văn An,17/05/1980,Nam,,34 Trần Phú,,\r\n",
                            "The corrected list, as an attachment")


@router.get("/polling-areas/{polling_area_id:uuid}/voter-list",
            operation_id="elections_voter_list_export",
            summary="Export a polling area's corrected voter list (Mẫu 31/HĐBC)",
            response_class=Response,
            responses={**_file(), **responses(*READ, PollingAreaNotFound, VoterListNotFound)})
async def export_voter_list(
    polling_area_id: uuid.UUID, uow: UoW, who: ElectionsRead,
    fmt: Annotated[Literal["csv", "xlsx"], Query(alias="format",
                                                 description="`csv` or `xlsx`")] = "csv",
) -> Response:
    """STT, Họ và tên, Ngày tháng năm sinh, Giới tính, Dân tộc, Nơi thường trú, Nơi tạm trú,
    Ghi chú; by household (head first), households in street order. Birth dates are years
    without `pii:read`. XLSX has title rows and date cells."""
    listing = await export.corrected_list(uow, who, polling_area_id)
    await uow.audit.record(who, "voter_list.export", "polling_area", [polling_area_id],
                           format=fmt, rows=len(listing.lines))
    await uow.commit()
    if fmt == "xlsx":
        body, media = await anyio.to_thread.run_sync(export.xlsx_bytes, listing), XLSX_TYPE
    else:
        body, media = export.csv_bytes(listing), CSV_TYPE
    name = f"danh-sach-cu-tri-{listing.area.code}-{today_vn():%Y%m%d}.{fmt}"
    return Response(body, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@router.get("/elections/{election_id:uuid}/summary", operation_id="elections_summary",
            summary="Reconciliation summary per polling area",
            responses=responses(*READ, ElectionNotFound))
async def election_summary(election_id: uuid.UUID, request: Request, uow: UoW,
                           who: ElectionsRead) -> SummaryRead:
    """Per polling area you read: rows listed, eligible in the register, discrepancies per
    kind of the latest run, resolved and open; `warnings` when the list posting date or the
    amendment deadline is within `ELECTION_WARNING_DAYS` (7), or passed with open ones."""
    return await summary.election_summary(
        uow, who, election_id, within_days=request.app.state.settings.election_warning_days)
