"""Use cases of the register: residents, households, their moves, splits and merges."""

from __future__ import annotations

import uuid
from typing import Any

from domain.access import Principal
from domain.checks import Checks
from domain.concurrency import check_if_match, touch
from domain.errors import DateBeforeBirth
from domain.ports import UnitOfWork
from domain.register import validation as v
from domain.register.errors import (
    GUARDIAN_ERRORS,
    DuplicateHasIdNumber,
    GroupRequired,
    GuardianNotFound,
    HeadMustStay,
    IdNumberRegisteredElsewhere,
    IdNumberTaken,
    MergeIntoItself,
)
from domain.register.models import ChangeLog, Household, ReadinessFact, Resident
from domain.register.policy import (
    DEMOTED_HEAD,
    HEAD,
    HEAD_REPLACED,
    HOUSEHOLD_HISTORY,
    PATCHABLE,
    RESIDENT_HISTORY,
    history_change,
    id_number_conflict,
    placement,
    snapshot,
)
from domain.register.rules import guardian_fault, name_keys
from domain.register.schemas import (
    ReadinessRecord,
    ResidentCreate,
    ResidentMerge,
    ResidentUpdate,
)
from domain.types import utcnow
from domain.units.models import UnitLevel


async def _log(uow: UnitOfWork, who: Principal, kind: str, entity, action: str,
               before: dict | None, related=()) -> None:
    before, after = history_change(
        before, snapshot(entity, RESIDENT_HISTORY if kind == "resident" else HOUSEHOLD_HISTORY))
    await uow.changes.add(ChangeLog(
        entity_type=kind, entity_id=entity.id, action=action, actor_id=who.subject_id,
        actor_name=who.name, version=entity.version, before=before, after=after,
        related_ids=[str(r) for r in related]))


async def _group(uow: UnitOfWork, who: Principal, group_id: uuid.UUID):
    """The group a household or resident is placed in: one the caller may write to."""
    return await uow.units.target(who, group_id, level=UnitLevel.group,
                                  loc=("body", "group_id"))


def _place(target, source) -> None:
    for key, value in placement(source).items():
        setattr(target, key, value)


async def demote_other_heads(uow: UnitOfWork, who: Principal, members, head) -> None:
    """The single head: every other member heading the household steps down, logged."""
    for member in members:
        if member.id != head.id and member.relationship == HEAD:
            before = snapshot(member, RESIDENT_HISTORY)
            member.relationship = DEMOTED_HEAD
            touch(member)
            await _log(uow, who, "resident", member, HEAD_REPLACED, before, related=[head.id])


async def take_head(uow: UnitOfWork, who: Principal, household: Household, head) -> None:
    """`head` (already a member, relationship head) now heads `household`."""
    members = await uow.residents.members([household.id], for_update=True)
    await demote_other_heads(uow, who, members, head)
    if household.head_id != head.id:
        household.head_id = head.id
        touch(household)


async def check_id_number_free(uow: UnitOfWork, who: Principal, id_number: str | None,
                               exclude: uuid.UUID | None = None) -> None:
    """One living record per ID number, checked before anything is written: the refusal
    names the holder only when `who` may read it (`policy.id_number_conflict`)."""
    if id_number:
        holder = await uow.residents.id_number_holder(who, id_number, exclude)
        if holder is not None:
            raise id_number_conflict(*holder)


async def save_resident(uow: UnitOfWork, who: Principal, resident: Resident, *,
                        new: bool = False) -> None:
    """Write `resident`; an ID number registered meanwhile by another request (the unique
    index, which knows no scope) is answered by the same rule as the check before."""
    id_number, resident_id = resident.id_number, resident.id
    try:
        await (uow.residents.add(resident) if new else uow.residents.save(resident))
    except IdNumberTaken as exc:
        await uow.rollback()  # the refused flush ended the transaction: nothing is kept
        await check_id_number_free(uow, who, id_number, exclude=resident_id)
        raise IdNumberRegisteredElsewhere() from exc  # the holder is gone again: name none


def _derive(values: dict[str, Any]) -> dict[str, Any]:
    """The keys and flags that follow from a person's fields, once those passed."""
    values.update(name_keys(values["full_name"]))
    values["id_number_mismatch"] = v.data_quality(values)
    return values




def _set(resident: Resident, values: dict[str, Any]) -> None:
    for key, value in values.items():
        setattr(resident, key, value)


async def create_resident(uow: UnitOfWork, who: Principal, *, data: ResidentCreate) -> Resident:
    """Register a person; an ID number already living in the register is a 409."""
    values = data.model_dump(exclude={"household_id", "group_id"})
    resident = Resident(full_name=data.full_name, name_folded="", sort_key="",
                        sex=data.sex, residence_status=data.residence_status,
                        province_id=uuid.UUID(int=0), commune_id=uuid.UUID(int=0),
                        group_id=uuid.UUID(int=0))
    with Checks() as checks:
        if data.household_id is not None:
            household = await uow.households.get_writable(who, data.household_id,
                                                          for_update=True)
            _place(resident, household)
            resident.household_id = household.id
        elif data.group_id is not None:
            if group := await checks.wait(_group(uow, who, data.group_id)):
                _place(resident, group)
        else:
            checks.add(GroupRequired(loc=("body", "group_id")))
        values["birth_year"] = v.check_person(values, checks)
    _derive(values)
    await check_id_number_free(uow, who, values["id_number"])
    _set(resident, values)
    await save_resident(uow, who, resident, new=True)
    if resident.household_id is not None and resident.relationship == HEAD:
        await take_head(uow, who, household, resident)
    await _log(uow, who, "resident", resident, "created", None)
    await uow.audit.record(who, "resident.create", "resident", [resident.id])
    await uow.commit()
    return resident


async def update_resident(uow: UnitOfWork, who: Principal, resident_id: uuid.UUID, *,
                          data: ResidentUpdate, if_match: str | None) -> Resident:
    """Correct or update a person's record (If-Match required)."""
    resident = await uow.residents.get_writable(who, resident_id, for_update=True)
    check_if_match(resident, if_match)
    before = snapshot(resident, RESIDENT_HISTORY)
    changes = data.model_dump(exclude_unset=True)
    if "birth_date" in changes and "birth_year" not in changes and changes["birth_date"]:
        changes["birth_year"] = None  # a new full date decides the year
    values = {k: getattr(resident, k) for k in PATCHABLE}
    values.update(changes)  # null only where it clears a field (Clearable)
    with Checks() as checks:
        values["birth_year"] = v.check_person(values, checks)
    _derive(values)
    # Checked before the record changes: nothing of a refused PATCH reaches the session.
    await check_id_number_free(uow, who, values["id_number"], exclude=resident.id)
    _set(resident, values)
    touch(resident)
    await save_resident(uow, who, resident)
    await _log(uow, who, "resident", resident, "updated", before)
    if (resident.household_id is not None and resident.relationship == HEAD
            and before["relationship"] != HEAD):
        household = await uow.households.get_writable(who, resident.household_id, for_update=True)
        await take_head(uow, who, household, resident)
    await uow.audit.record(who, "resident.update", "resident", [resident.id],
                           fields=sorted(changes))
    await uow.commit()
    return resident


async def delete_resident(uow: UnitOfWork, who: Principal, resident_id: uuid.UUID, *,
                          if_match: str | None) -> None:
    """Soft-delete a record entered by mistake; it stays for audit and history."""
    resident = await uow.residents.get_writable(who, resident_id, for_update=True)
    check_if_match(resident, if_match)
    if resident.household_id is not None:
        household = await uow.households.get_writable(who, resident.household_id, for_update=True)
        others = [m for m in await uow.residents.members([household.id]) if m.id != resident.id]
        if household.head_id == resident.id and others:
            raise HeadMustStay()
        if household.head_id == resident.id:
            household.head_id = None
            touch(household)
    before = snapshot(resident, RESIDENT_HISTORY)
    resident.deleted_at = utcnow()
    touch(resident)
    await uow.residents.save(resident)
    await _log(uow, who, "resident", resident, "deleted", before)
    await uow.audit.record(who, "resident.delete", "resident", [resident.id])
    await uow.commit()


async def record_readiness(uow: UnitOfWork, who: Principal, resident_id: uuid.UUID, *,
                           data: ReadinessRecord) -> Resident:
    """Add a dated digital-readiness fact, recorded by the caller."""
    resident = await uow.residents.get_writable(who, resident_id, for_update=True)
    with Checks() as checks:
        born = checks.check(not v.before_birth(data.occurred_on, resident.birth_date,
                                               resident.birth_year),
                            DateBeforeBirth(loc=("body", "occurred_on")))
        if born or data.guardian_id is not None:  # an age before birth asks for no guardian
            await check_guardian(uow, who, resident, kind=data.kind, on=data.occurred_on,
                                 guardian_id=data.guardian_id,
                                 loc=("body", "guardian_id"), checks=checks)
    await uow.residents.add_fact(ReadinessFact(
        resident_id=resident.id, kind=data.kind, occurred_on=data.occurred_on,
        guardian_id=data.guardian_id, recorded_by_id=who.subject_id,
        recorded_by_name=who.name))
    touch(resident)
    await uow.audit.record(who, "resident.readiness", "resident", [resident.id],
                           kind=data.kind.value)
    await uow.commit()
    return resident


async def check_guardian(uow: UnitOfWork, who: Principal, person: Resident, *, kind: str,
                         on, guardian_id: uuid.UUID | None, loc: tuple[str | int, ...],
                         checks: Checks) -> None:
    """The guardian rule of a readiness fact (`rules.guardian_fault`: VNeID level 2 under 14
    needs one, 18 or over and living), for every path that records a fact: this API's and
    a door-step visit's. A guardian the caller may not read is one that does not exist."""
    guardian = None
    if guardian_id is not None:
        found = await uow.residents.get_many(who, [guardian_id])
        if not found:
            checks.add(GuardianNotFound(loc=loc, guardian_id=str(guardian_id)))
            return
        guardian = found[0]
    if code := guardian_fault(kind, person, on, guardian):
        checks.add(GUARDIAN_ERRORS[code](loc=loc))


async def merge_residents(uow: UnitOfWork, who: Principal, resident_id: uuid.UUID, *,
                          data: ResidentMerge, if_match: str | None) -> Resident:
    """Fold a duplicate record into this one: facts move over, the duplicate is closed."""
    if data.duplicate_id == resident_id:
        raise MergeIntoItself(loc=("body", "duplicate_id"))
    keep = await uow.residents.get_writable(who, resident_id, for_update=True)
    check_if_match(keep, if_match)
    duplicate = await uow.residents.get_writable(who, data.duplicate_id, for_update=True)
    if duplicate.id_number and keep.id_number and duplicate.id_number != keep.id_number:
        raise DuplicateHasIdNumber()
    before_keep = snapshot(keep, RESIDENT_HISTORY)
    before_dup = snapshot(duplicate, RESIDENT_HISTORY)
    for field in ("id_number", "phone", "birth_date", "household_id", "relationship"):
        if getattr(keep, field) is None and getattr(duplicate, field) is not None:
            setattr(keep, field, getattr(duplicate, field))
    if duplicate.household_id is not None:
        household = await uow.households.get_writable(who, duplicate.household_id, for_update=True)
        if household.head_id == duplicate.id:
            household.head_id = keep.id
            touch(household)
    await uow.residents.move_facts(duplicate.id, keep.id)  # and the facts naming it guardian
    duplicate.deleted_at = utcnow()
    id_number, duplicate.id_number = duplicate.id_number, None
    keep.id_number = keep.id_number or id_number
    touch(duplicate)
    await uow.residents.save(duplicate)  # frees the ID number before `keep` takes it
    keep.id_number_mismatch = v.data_quality(snapshot(keep, ("id_number", "birth_year", "sex")))
    touch(keep)
    await uow.residents.save(keep)
    await _log(uow, who, "resident", keep, "merged", before_keep, related=[duplicate.id])
    await _log(uow, who, "resident", duplicate, "merged_into", before_dup, related=[keep.id])
    await uow.audit.record(who, "resident.merge", "resident", [keep.id, duplicate.id])
    await uow.commit()
    return keep
