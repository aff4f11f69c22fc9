"""Transfers: ask for a person registered outside your scope; their side approves."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from api.deps import Cursor, IfMatch, IncludeTotal, Limit, ResidentsWrite, Sort, UoW
from api.http import CREATED, WITH_ETAG, created, with_etag
from api.problems import responses
from domain.errors import CursorInvalid, InsufficientStorage, ReferenceNotFound, SortInvalid
from domain.register import transfers as service
from domain.register.errors import TRANSFER_CASES, TransferNotFound
from domain.register.models import TransferRequest, TransferStatus
from domain.register.schemas import TransferCreate, TransferDecision, TransferPage, TransferRead
from domain.register.views import transfer_view

router = APIRouter(prefix="/api/v1", tags=["transfers"])
READ_ERRORS = responses(401, 403, 404, 422, 503, TransferNotFound, SortInvalid, CursorInvalid)
WRITE_ERRORS = responses(401, 403, 404, 409, 412, 422, 428, 503, *TRANSFER_CASES,
                         ReferenceNotFound, InsufficientStorage)


async def _view(uow, who, transfer: TransferRequest) -> TransferRead:
    _, source_side = await uow.transfers.sides(who, transfer.id)
    return transfer_view(transfer, who, source_side=source_side)


@router.post("/transfers", operation_id="transfers_create", summary="Ask for a transfer",
             status_code=status.HTTP_201_CREATED, responses={**WRITE_ERRORS, **CREATED})
async def create_transfer(request: Request, response: Response, uow: UoW, who: ResidentsWrite,
                          body: TransferCreate) -> TransferRead:
    """For an ID number answered `id_number_registered_elsewhere`: the person's side sees the
    request and approves or rejects it; you see only your request and its status."""
    transfer = await service.request_transfer(uow, who, data=body)
    created(request, response, transfer, "transfers_get", transfer_id=transfer.id)
    return await _view(uow, who, transfer)


@router.get("/transfers", operation_id="transfers_list", summary="List transfer requests",
            responses=READ_ERRORS)
async def list_transfers(uow: UoW, who: ResidentsWrite, status: TransferStatus | None = None,
                         sort: Sort = None, cursor: Cursor = None, limit: Limit = 50,
                         include_total: IncludeTotal = False) -> TransferPage:
    """Those you asked for (into your households) and those concerning your residents;
    newest first."""
    page = await uow.transfers.list(who, {"status": status}, sort=sort, cursor=cursor,
                                    limit=limit, include_total=include_total)
    return TransferPage(items=[await _view(uow, who, t) for t in page.items],
                        next_cursor=page.next_cursor, total=page.total)


@router.get("/transfers/{transfer_id:uuid}", operation_id="transfers_get", name="transfers_get",
            summary="Read one transfer request", responses={**READ_ERRORS, **WITH_ETAG})
async def get_transfer(transfer_id: uuid.UUID, response: Response, uow: UoW,
                       who: ResidentsWrite) -> TransferRead:
    """With its ETag, for If-Match on approve, reject and cancel."""
    transfer = await uow.transfers.get(who, transfer_id)
    with_etag(response, transfer)
    return await _view(uow, who, transfer)


@router.post("/transfers/{transfer_id:uuid}/approve", operation_id="transfers_approve",
             summary="Approve a transfer", responses={**WRITE_ERRORS, **WITH_ETAG})
async def approve_transfer(transfer_id: uuid.UUID, response: Response, uow: UoW,
                           who: ResidentsWrite, if_match: IfMatch = None) -> TransferRead:
    """The resident's side only: the person moves into the target household (placement,
    residence from today, history, audit) and leaves your register."""
    transfer = await service.approve_transfer(uow, who, transfer_id, if_match=if_match)
    with_etag(response, transfer)
    return await _view(uow, who, transfer)


@router.post("/transfers/{transfer_id:uuid}/reject", operation_id="transfers_reject",
             summary="Reject a transfer", responses={**WRITE_ERRORS, **WITH_ETAG})
async def reject_transfer(transfer_id: uuid.UUID, body: TransferDecision, response: Response,
                          uow: UoW, who: ResidentsWrite, if_match: IfMatch = None
                          ) -> TransferRead:
    """The resident's side only, with a reason the side that asked can read."""
    transfer = await service.reject_transfer(uow, who, transfer_id, data=body,
                                             if_match=if_match)
    with_etag(response, transfer)
    return await _view(uow, who, transfer)


@router.post("/transfers/{transfer_id:uuid}/cancel", operation_id="transfers_cancel",
             summary="Cancel a transfer request", responses={**WRITE_ERRORS, **WITH_ETAG})
async def cancel_transfer(transfer_id: uuid.UUID, response: Response, uow: UoW,
                          who: ResidentsWrite, if_match: IfMatch = None) -> TransferRead:
    """The side that asked withdraws a pending request."""
    transfer = await service.cancel_transfer(uow, who, transfer_id, if_match=if_match)
    with_etag(response, transfer)
    return await _view(uow, who, transfer)
