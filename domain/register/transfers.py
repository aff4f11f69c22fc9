"""Transfers (chuyển đến): a person registered outside the caller's scope is asked for, and
the side that keeps their record approves or rejects the move. The side that asked learns
nothing of the record it came from."""

from __future__ import annotations

import uuid

from domain.access import Principal
from domain.clock import today_vn
from domain.concurrency import check_if_match, touch
from domain.ports import UnitOfWork
from domain.register.errors import (
    TransferCancelForbidden,
    TransferDecisionForbidden,
    TransferNobodyToMove,
    TransferNotPending,
    TransferTargetGone,
)
from domain.register.households import _move
from domain.register.models import ResidenceStatus, TransferRequest, TransferStatus
from domain.register.policy import HEAD, id_number_conflict
from domain.register.schemas import TransferCreate, TransferDecision
from domain.register.service import _log, demote_other_heads
from domain.types import utcnow


async def request_transfer(uow: UnitOfWork, who: Principal, *, data: TransferCreate
                           ) -> TransferRequest:
    """Ask for the person holding `id_number`, registered outside the caller's scope, to move
    into one of the caller's households."""
    household = await uow.households.get_writable(who, data.household_id, for_update=True)
    id_number = data.id_number  # clean already (its type), None when blank
    holder = await uow.residents.id_number_holder(who, id_number) if id_number else None
    if not id_number or holder is None:
        raise TransferNobodyToMove(loc=("body", "id_number"))
    holder_id, readable = holder
    if readable:  # theirs already: a move into the household, not a transfer
        raise id_number_conflict(holder_id, readable)
    # Where the record sits, kept on the request so the other side finds it; never shown
    # to the side that asks.
    source = await uow.residents.placement_of(holder_id)
    transfer = TransferRequest(
        id_number=id_number, resident_id=holder_id, household_id=household.id,
        province_id=household.province_id, commune_id=household.commune_id,
        group_id=household.group_id, source_household_id=source["household_id"],
        source_province_id=source["province_id"], source_commune_id=source["commune_id"],
        source_group_id=source["group_id"], relationship=data.relationship,
        residence_status=data.residence_status, reason=data.reason,
        requested_by_id=who.subject_id, requested_by_name=who.name)
    await uow.transfers.add(transfer)
    await uow.audit.record(who, "transfer.request", "transfer_request", [transfer.id])
    await uow.commit()
    return transfer


async def _pending(uow: UnitOfWork, who: Principal, transfer_id: uuid.UUID,
                   if_match: str | None) -> TransferRequest:
    transfer = await uow.transfers.get(who, transfer_id, for_update=True)
    check_if_match(transfer, if_match)
    if transfer.status != TransferStatus.pending:
        raise TransferNotPending(status=transfer.status)
    return transfer


async def _decidable(uow: UnitOfWork, who: Principal, transfer_id: uuid.UUID,
                     if_match: str | None) -> TransferRequest:
    """A pending transfer the caller may decide: they are on the resident's side (their
    scope covers the record it came from) and did not ask for it themselves."""
    transfer = await _pending(uow, who, transfer_id, if_match)
    _, source_side = await uow.transfers.sides(who, transfer.id)
    if not source_side or transfer.requested_by_id == who.subject_id:
        raise TransferDecisionForbidden()
    return transfer


def _decided(transfer: TransferRequest, who: Principal, status: TransferStatus,
             reason: str | None = None) -> None:
    transfer.status = status
    transfer.decided_by_id, transfer.decided_by_name = who.subject_id, who.name
    transfer.decided_at, transfer.decision_reason = utcnow(), reason
    touch(transfer)


async def approve_transfer(uow: UnitOfWork, who: Principal, transfer_id: uuid.UUID, *,
                           if_match: str | None) -> TransferRequest:
    """Move the resident into the target household: its placement, the new residence from
    today, the history of both and the audit trail, as a move between households does."""
    transfer = await _decidable(uow, who, transfer_id, if_match)
    resident = await uow.residents.get_writable(who, transfer.resident_id, for_update=True)
    target = await uow.transfers.target_household(transfer.household_id)
    if target is None:
        raise TransferTargetGone()
    status = ResidenceStatus(transfer.residence_status)
    await _move(uow, who, resident, target, transfer.relationship, "transferred",
                residence_status=status, residence_since=today_vn(), status_changed_on=None)
    if transfer.relationship == HEAD:
        members = await uow.residents.members([target.id], for_update=True)
        await demote_other_heads(uow, who, members, resident)
    touch(target)
    await uow.residents.save(resident)
    await _log(uow, who, "household", target, "member_added", None,
               related=[resident.id, transfer.id])
    _decided(transfer, who, TransferStatus.approved)
    await uow.transfers.save()
    await uow.audit.record(who, "transfer.approve", "transfer_request",
                           [transfer.id, resident.id, target.id])
    await uow.commit()
    return transfer


async def reject_transfer(uow: UnitOfWork, who: Principal, transfer_id: uuid.UUID, *,
                          data: TransferDecision, if_match: str | None) -> TransferRequest:
    """Refuse the move, saying why; the record stays where it is."""
    transfer = await _decidable(uow, who, transfer_id, if_match)
    _decided(transfer, who, TransferStatus.rejected, data.reason)
    await uow.transfers.save()
    await uow.audit.record(who, "transfer.reject", "transfer_request", [transfer.id])
    await uow.commit()
    return transfer


async def cancel_transfer(uow: UnitOfWork, who: Principal, transfer_id: uuid.UUID, *,
                          if_match: str | None) -> TransferRequest:
    """Withdraw a pending request: the one who asked, or their side (the target's units)."""
    transfer = await _pending(uow, who, transfer_id, if_match)
    target_side, _ = await uow.transfers.sides(who, transfer.id)
    if transfer.requested_by_id != who.subject_id and not target_side:
        raise TransferCancelForbidden()
    _decided(transfer, who, TransferStatus.cancelled)
    await uow.transfers.save()
    await uow.audit.record(who, "transfer.cancel", "transfer_request", [transfer.id])
    await uow.commit()
    return transfer
