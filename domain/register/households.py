"""Use cases of households: create, change, move a member in, split off, merge, close."""

from __future__ import annotations

import secrets
import uuid

from domain.access import Principal
from domain.checks import Checks
from domain.concurrency import check_if_match, touch
from domain.ports import UnitOfWork
from domain.register.errors import (
    HeadMustStay,
    HeadNotMember,
    HouseholdCodeTaken,
    HouseholdCodeTakenElsewhere,
    HouseholdNotEmpty,
    MembersNotInHousehold,
    MergeAcrossGroups,
    MergeIntoItself,
)
from domain.register.models import Household, Resident
from domain.register.policy import (
    HEAD,
    HOUSEHOLD_HISTORY,
    RESIDENT_HISTORY,
    demoted,
    household_code_conflict,
    placement,
    snapshot,
)
from domain.register.schemas import (
    HouseholdCreate,
    HouseholdMerge,
    HouseholdSplit,
    HouseholdUpdate,
    MemberAdd,
)
from domain.register.service import _group, _log, demote_other_heads
from domain.types import utcnow
from domain.units.errors import StreetOtherCommune


def _house_sort(house_number: str | None) -> int:
    """Walking order: the leading number of "34/2" or "35A" (0 when there is none)."""
    digits = ""
    for ch in house_number or "":
        if not ch.isdigit():
            break
        digits += ch
    return int(digits) if digits else 0


async def _street(uow: UnitOfWork, who: Principal, street_id, commune_id):
    if street_id is None:
        return None
    street = await uow.streets.get(who, street_id)
    if street.commune_id != commune_id:
        raise StreetOtherCommune(loc=("body", "street_id"))
    return street


async def _new_code(uow: UnitOfWork, who: Principal, commune_id: uuid.UUID) -> str:
    while True:
        code = "HH-" + secrets.token_hex(4).upper()
        if await uow.households.code_holder(who, commune_id, code) is None:
            return code


async def check_code_free(uow: UnitOfWork, who: Principal, commune_id: uuid.UUID,
                          code: str | None) -> None:
    """A code is the commune's (mã hộ, issued by its office): unique among its living
    households; the refusal names the holder only when `who` may read it."""
    if code:
        holder = await uow.households.code_holder(who, commune_id, code)
        if holder is not None:
            raise household_code_conflict(*holder, code)


async def _add(uow: UnitOfWork, who: Principal, household: Household) -> None:
    """Write a new household; a code taken meanwhile is answered by the same rule."""
    commune_id, code = household.commune_id, household.code
    try:
        await uow.households.add(household)
    except HouseholdCodeTaken as exc:
        await uow.rollback()  # the refused flush ended the transaction: nothing is kept
        await check_code_free(uow, who, commune_id, code)
        raise HouseholdCodeTakenElsewhere(code_value=code) from exc


async def create_household(uow: UnitOfWork, who: Principal, *, data: HouseholdCreate):
    """Open a household at an address in a residential group."""
    with Checks() as checks:
        group = await checks.wait(_group(uow, who, data.group_id))
        if group is not None:  # a street is judged against the group's commune
            await checks.wait(_street(uow, who, data.street_id, group.commune_id))
    assert group is not None
    await check_code_free(uow, who, group.commune_id, data.code)
    household = Household(
        code=data.code or await _new_code(uow, who, group.commune_id),
        province_id=group.province_id,
        commune_id=group.commune_id, group_id=group.id, street_id=data.street_id,
        house_number=data.house_number, house_number_sort=_house_sort(data.house_number),
        old_address_text=data.old_address_text, residence_type=data.residence_type,
    )
    await _add(uow, who, household)
    await _log(uow, who, "household", household, "created", None)
    await uow.audit.record(who, "household.create", "household", [household.id])
    await uow.commit()
    return household


async def update_household(uow: UnitOfWork, who: Principal, household_id: uuid.UUID, *,
                           data: HouseholdUpdate, if_match: str | None) -> Household:
    """Change the address or name another member as head."""
    household = await uow.households.get_writable(who, household_id, for_update=True)
    check_if_match(household, if_match)
    before = snapshot(household, HOUSEHOLD_HISTORY)
    changes = data.model_dump(exclude_unset=True)
    new_head = None
    with Checks() as checks:
        if "street_id" in changes:
            await checks.wait(_street(uow, who, changes["street_id"], household.commune_id))
        if changes.get("head_id") is not None:
            members = await uow.residents.members([household.id], for_update=True)
            new_head = next((m for m in members if m.id == changes["head_id"]), None)
            checks.check(new_head is not None, HeadNotMember(loc=("body", "head_id")))
    if new_head is not None:
        await demote_other_heads(uow, who, members, new_head)
        if new_head.relationship != HEAD:
            before_head = snapshot(new_head, RESIDENT_HISTORY)
            new_head.relationship = HEAD
            touch(new_head)
            await _log(uow, who, "resident", new_head, "updated", before_head)
    for key, value in changes.items():
        setattr(household, key, value)
    household.house_number_sort = _house_sort(household.house_number)
    touch(household)
    await uow.households.save()
    await _log(uow, who, "household", household, "updated", before)
    await uow.audit.record(who, "household.update", "household", [household.id],
                           fields=sorted(changes))
    await uow.commit()
    return household


async def _move(uow: UnitOfWork, who, resident: Resident, target: Household, relationship,
                action: str, *, source: Household | None = None, **fields):
    """Move one resident into `target`; the old household's head must not be left behind.
    `source`: the household they leave, already locked (members leaving together);
    `fields`: what else changes with the move (a transfer's residence), in the same entry."""
    before = snapshot(resident, RESIDENT_HISTORY)
    for key, value in fields.items():
        setattr(resident, key, value)
    old_id = resident.household_id
    if old_id is not None and old_id != target.id:
        old = source if source is not None and source.id == old_id else (
            await uow.households.get_writable(who, old_id, for_update=True))
        if old.head_id == resident.id:
            others = [m for m in await uow.residents.members([old.id]) if m.id != resident.id]
            if others:
                raise HeadMustStay()
            old.head_id = None
            touch(old)
    resident.household_id = target.id
    resident.relationship = relationship
    for key, value in placement(target).items():
        setattr(resident, key, value)
    if relationship == HEAD:
        target.head_id = resident.id
    touch(resident)
    related = [target.id, old_id] if old_id and old_id != target.id else [target.id]
    await _log(uow, who, "resident", resident, action, before, related=related)


async def add_member(uow: UnitOfWork, who: Principal, household_id: uuid.UUID, *,
                     data: MemberAdd, if_match: str | None) -> Household:
    """Move an existing resident into this household (a resident is in one household)."""
    household = await uow.households.get_writable(who, household_id, for_update=True)
    check_if_match(household, if_match)
    resident = await uow.residents.get_writable(who, data.resident_id, for_update=True)
    await _move(uow, who, resident, household, data.relationship, "moved")
    if data.relationship == HEAD:
        members = await uow.residents.members([household.id], for_update=True)
        await demote_other_heads(uow, who, members, resident)
    touch(household)
    await uow.residents.save()
    await _log(uow, who, "household", household, "member_added", None, related=[resident.id])
    await uow.audit.record(who, "household.add_member", "household", [household.id,
                                                                      resident.id])
    await uow.commit()
    return household


async def split_household(uow: UnitOfWork, who: Principal, household_id: uuid.UUID, *,
                          data: HouseholdSplit, if_match: str | None) -> Household:
    """Members leave to form a new household (tách hộ); answers the new household."""
    source = await uow.households.get_writable(who, household_id, for_update=True)
    check_if_match(source, if_match)
    members = {m.id: m for m in await uow.residents.members([source.id], for_update=True)}
    leaving = set(data.member_ids)
    with Checks() as checks:
        checks.check(leaving <= set(members) and data.head_id in leaving,
                     MembersNotInHousehold(loc=("body", "member_ids")))
        await checks.wait(_street(uow, who, data.street_id, source.commune_id))
    if source.head_id in leaving and len(leaving) < len(members):
        raise HeadMustStay()
    await check_code_free(uow, who, source.commune_id, data.code)
    new = Household(
        code=data.code or await _new_code(uow, who, source.commune_id),
        province_id=source.province_id,
        commune_id=source.commune_id, group_id=source.group_id,
        street_id=data.street_id or source.street_id,
        house_number=data.house_number or source.house_number,
        house_number_sort=_house_sort(data.house_number or source.house_number),
        old_address_text=source.old_address_text, residence_type=source.residence_type,
    )
    await _add(uow, who, new)
    if source.head_id in leaving:
        source.head_id = None
    for member_id in sorted(leaving):
        member = members[member_id]
        relationship = HEAD if member_id == data.head_id else demoted(member.relationship)
        await _move(uow, who, member, new, relationship, "split", source=source)
    touch(source)
    await uow.households.save()
    await _log(uow, who, "household", new, "split_from", None, related=[source.id])
    await _log(uow, who, "household", source, "split", None, related=[new.id, *sorted(leaving)])
    await uow.audit.record(who, "household.split", "household", [source.id, new.id])
    await uow.commit()
    return new


async def merge_households(uow: UnitOfWork, who: Principal, household_id: uuid.UUID, *,
                           data: HouseholdMerge, if_match: str | None) -> Household:
    """Absorb another household of the same group (nhập hộ); the other one is closed."""
    if data.other_household_id == household_id:
        raise MergeIntoItself(loc=("body", "other_household_id"))
    target = await uow.households.get_writable(who, household_id, for_update=True)
    check_if_match(target, if_match)
    other = await uow.households.get_writable(who, data.other_household_id, for_update=True)
    if other.group_id != target.group_id:
        raise MergeAcrossGroups()
    moved = await uow.residents.members([other.id], for_update=True)
    other.head_id = None
    for member in moved:
        relationship = demoted(member.relationship)
        await _move(uow, who, member, target, relationship, "merged", source=other)
    before = snapshot(other, HOUSEHOLD_HISTORY)
    other.deleted_at = utcnow()
    touch(other)
    touch(target)
    await uow.households.save()
    await _log(uow, who, "household", target, "merged", None,
               related=[other.id, *[m.id for m in moved]])
    await _log(uow, who, "household", other, "merged_into", before, related=[target.id])
    await uow.audit.record(who, "household.merge", "household", [target.id, other.id])
    await uow.commit()
    return target


async def delete_household(uow: UnitOfWork, who: Principal, household_id: uuid.UUID, *,
                           if_match: str | None) -> None:
    """Close an empty household (kept for history)."""
    household = await uow.households.get_writable(who, household_id, for_update=True)
    check_if_match(household, if_match)
    if await uow.residents.members([household.id]):
        raise HouseholdNotEmpty()
    before = snapshot(household, HOUSEHOLD_HISTORY)
    household.deleted_at = utcnow()
    touch(household)
    await uow.households.save()
    await _log(uow, who, "household", household, "deleted", before)
    await uow.audit.record(who, "household.delete", "household", [household.id])
    await uow.commit()
