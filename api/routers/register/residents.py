"""Residents of the register: list and search, read, register, correct, merge, history."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response, status

from api.deps import (
    Cursor,
    IfMatch,
    IncludeTotal,
    Limit,
    ResidentsRead,
    ResidentsWrite,
    SearchText,
    Sort,
    UoW,
)
from api.http import CREATED, WITH_ETAG, created, json_response, with_etag
from api.problems import responses
from domain.base import etag_of
from domain.clock import today_vn
from domain.errors import CursorInvalid, InsufficientStorage, ReferenceNotFound, SortInvalid
from domain.register import service
from domain.register.errors import REGISTER_CASES, HouseholdNotFound, ResidentNotFound
from domain.register.models import ReadinessKind, ResidenceStatus, Sex
from domain.register.schemas import (
    ChangePage,
    DuplicateGroup,
    DuplicatePage,
    ReadinessRecord,
    ResidentCreate,
    ResidentMerge,
    ResidentPage,
    ResidentRead,
    ResidentUpdate,
)
from domain.register.views import change_view, resident_document, resident_view
from domain.text import name_exact, query_words
from repositories.audit import append_event
from repositories.register.records import (
    read_resident,
    readiness_of,
    resident_page,
    resident_page_documents,
)

router = APIRouter(prefix="/api/v1", tags=["residents"])
READ_CASES = (ResidentNotFound, HouseholdNotFound, SortInvalid, CursorInvalid)
READ_ERRORS = responses(401, 403, 404, 422, 503, *READ_CASES)
WRITE_ERRORS = responses(401, 403, 404, 409, 412, 422, 428, 503, *READ_CASES,
                         *REGISTER_CASES, ReferenceNotFound, InsufficientStorage)


def _years_ago(years: int, today: date) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


async def resident_filters(
    group_id: uuid.UUID | None = None, commune_id: uuid.UUID | None = None,
    household_id: uuid.UUID | None = None, street_id: uuid.UUID | None = None,
    sex: Sex | None = None, residence_status: ResidenceStatus | None = None,
    age_min: Annotated[int | None, Query(ge=0, le=150)] = None,
    age_max: Annotated[int | None, Query(ge=0, le=150)] = None,
    id_number_mismatch: bool | None = None, has_id_number: bool | None = None,
    readiness: Annotated[list[ReadinessKind] | None, Query(
        description="Has every one of these facts")] = None,
    missing_readiness: Annotated[list[ReadinessKind] | None, Query(
        description="Has none of these facts")] = None,
    q: SearchText = None,
) -> dict:
    """The list's filters, shared by the list and the export (async: no worker thread)."""
    today = today_vn()
    # The search keys of the stored names (domain/text.py): folded words filter, exact words
    # rank (repositories/register/records.py `search_rank`).
    return {
        "group_id": group_id, "commune_id": commune_id, "household_id": household_id,
        "street_id": street_id, "sex": sex, "residence_status": residence_status,
        "born_on_or_before": _years_ago(age_min, today) if age_min is not None else None,
        "born_on_or_after": (
            date.fromordinal(_years_ago(age_max + 1, today).toordinal() + 1)
            if age_max is not None else None),
        "id_number_mismatch": id_number_mismatch, "has_id_number": has_id_number,
        "readiness": readiness, "missing_readiness": missing_readiness,
        "q_words": query_words(q), "q_exact": query_words(q, name_exact),
    }


Filters = Annotated[dict, Depends(resident_filters)]


async def _views(uow, who, residents) -> list[ResidentRead]:
    facts = await uow.residents.readiness([r.id for r in residents])
    return [resident_view(r, facts.get(r.id, {}), who) for r in residents]


@router.get("/residents", operation_id="residents_list", summary="List and search residents",
            responses=READ_ERRORS, response_model=ResidentPage)
async def list_residents(
    request: Request, who: ResidentsRead, filters: Filters, sort: Sort = None,
    cursor: Cursor = None, limit: Limit = 50, include_total: IncludeTotal = False,
) -> Response:
    """Roster order (given name) by default; `q` ignores case and diacritics, exact first,
    and the punctuation around a word; a `q` of punctuation alone lists what no `q` lists.
    A volunteer lists the residents of the households assigned to them in active campaigns."""
    async with request.app.state.direct.run() as run:  # a read: outside the ORM session
        if run.dialect == "postgresql":  # the documents come written by PostgreSQL
            page = await resident_page_documents(run, who, filters, sort=sort, cursor=cursor,
                                                 limit=limit, include_total=include_total)
            items = ",".join(r["document"] for r in page.items)
            tail = orjson.dumps({"next_cursor": page.next_cursor, "total": page.total})
            return Response(b'{"items":[' + items.encode() + b"]," + tail[1:],
                            media_type="application/json")
        page = await resident_page(run, who, filters, sort=sort, cursor=cursor, limit=limit,
                                   include_total=include_total)
        facts = await readiness_of(run, [r["id"] for r in page.items])
    return json_response({
        "items": [resident_document(r, facts.get(r["id"], {}), who) for r in page.items],
        "next_cursor": page.next_cursor, "total": page.total})


@router.get("/residents/duplicates", operation_id="residents_duplicates",
            summary="Possible duplicates without an ID number", responses=READ_ERRORS)
async def list_duplicates(
    uow: UoW, who: ResidentsRead, limit: Limit = 50,
) -> DuplicatePage:
    """Same folded name and birth date in one commune; review, then merge with POST merge."""
    groups = await uow.residents.possible_duplicates(who, limit)
    facts = await uow.residents.readiness([p.id for *_, people in groups for p in people])
    items = [DuplicateGroup(name_folded=name, birth_date=born, birth_year=year,
                            residents=[resident_view(p, facts.get(p.id, {}), who)
                                       for p in people])
             for name, born, year, people in groups]
    return DuplicatePage(items=items, next_cursor=None)


@router.post("/residents", operation_id="residents_create", summary="Register a resident",
             status_code=status.HTTP_201_CREATED, responses={**WRITE_ERRORS, **CREATED})
async def create_resident(request: Request, response: Response, uow: UoW, who: ResidentsWrite,
                          body: ResidentCreate) -> ResidentRead:
    """A second living record with the same ID number is a 409: `id_number_taken` naming the
    existing one when you may read it, else `id_number_registered_elsewhere` naming nothing
    (ask for a transfer: POST /transfers)."""
    resident = await service.create_resident(uow, who, data=body)
    created(request, response, resident, "residents_get", resident_id=resident.id)
    return (await _views(uow, who, [resident]))[0]


@router.get("/residents/{resident_id:uuid}", operation_id="residents_get", name="residents_get",
            summary="Read one resident's full record", responses={**READ_ERRORS, **WITH_ETAG},
            response_model=ResidentRead)
async def get_resident(resident_id: uuid.UUID, request: Request, who: ResidentsRead
                       ) -> Response:
    """Each read of a full record is written to the audit trail."""
    # Outside the ORM session (repositories/direct.py): three statements, no transaction;
    # the audit event is written before the record leaves.
    async with request.app.state.direct.run() as run:
        resident = await read_resident(run, who, resident_id)
        facts = await readiness_of(run, [resident_id])
        await append_event(run, who, "resident.read", "resident", [resident_id])
    return json_response(resident_document(resident, facts.get(resident_id, {}), who),
                         {"ETag": etag_of(resident)})


@router.patch("/residents/{resident_id:uuid}", operation_id="residents_update",
              summary="Correct or update a resident", responses={**WRITE_ERRORS, **WITH_ETAG})
async def update_resident(resident_id: uuid.UUID, body: ResidentUpdate, response: Response,
                          uow: UoW, who: ResidentsWrite, if_match: IfMatch = None
                          ) -> ResidentRead:
    """Send the ETag you read in If-Match; a stale one is 412."""
    resident = await service.update_resident(uow, who, resident_id, data=body,
                                             if_match=if_match)
    with_etag(response, resident)
    return (await _views(uow, who, [resident]))[0]


@router.delete("/residents/{resident_id:uuid}", operation_id="residents_delete",
               summary="Remove a record entered by mistake", status_code=204,
               responses=WRITE_ERRORS)
async def delete_resident(resident_id: uuid.UUID, uow: UoW, who: ResidentsWrite,
                          if_match: IfMatch = None):
    """A soft delete: the record stays for audit and history. Deaths and moves are statuses."""
    await service.delete_resident(uow, who, resident_id, if_match=if_match)
    return Response(status_code=204)


@router.post("/residents/{resident_id:uuid}/readiness", operation_id="residents_record_readiness",
             summary="Record a digital-readiness fact", responses={**WRITE_ERRORS, **WITH_ETAG})
async def record_readiness(resident_id: uuid.UUID, body: ReadinessRecord, response: Response,
                           uow: UoW, who: ResidentsWrite) -> ResidentRead:
    """Invited to or joined the community group, smartphone, VNeID level, portal, warning."""
    resident = await service.record_readiness(uow, who, resident_id, data=body)
    with_etag(response, resident)
    return (await _views(uow, who, [resident]))[0]


@router.post("/residents/{resident_id:uuid}/merge", operation_id="residents_merge",
             summary="Merge a duplicate record into this one",
             responses={**WRITE_ERRORS, **WITH_ETAG})
async def merge_resident(resident_id: uuid.UUID, body: ResidentMerge, response: Response,
                         uow: UoW, who: ResidentsWrite, if_match: IfMatch = None
                         ) -> ResidentRead:
    """Facts and missing fields move over; both histories are kept."""
    resident = await service.merge_residents(uow, who, resident_id, data=body,
                                             if_match=if_match)
    with_etag(response, resident)
    return (await _views(uow, who, [resident]))[0]


@router.get("/residents/{resident_id:uuid}/history", operation_id="residents_history",
            summary="Every change to a resident", responses=READ_ERRORS)
async def resident_history(resident_id: uuid.UUID, uow: UoW, who: ResidentsRead,
                           cursor: Cursor = None, limit: Limit = 50) -> ChangePage:
    """Oldest first; personal data in the changes is masked as in the record."""
    page = await uow.changes.history(who, entity="resident", entity_id=resident_id,
                                     cursor=cursor, limit=limit)
    return ChangePage(items=[change_view(e, who) for e in page.items],
                      next_cursor=page.next_cursor)
