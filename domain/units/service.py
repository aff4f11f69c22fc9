"""Use cases for administrative units and streets."""

from __future__ import annotations

import uuid

from domain.access import Principal
from domain.checks import Checks
from domain.concurrency import check_if_match, touch
from domain.ports import UnitOfWork
from domain.text import fold
from domain.units.errors import (
    UnitCodeInvalid,
    UnitCodeRetired,
    UnitCodeTaken,
    UnitHasChildren,
    UnitParentInvalid,
)
from domain.units.models import LEVEL_OF_KIND, PARENT_LEVEL, AdminUnit, Street, UnitLevel
from domain.units.schemas import StreetCreate, StreetUpdate, UnitCreate, UnitUpdate


def _check_code(level: UnitLevel, code: str | None, checks: Checks) -> None:
    expected = {UnitLevel.province: 2, UnitLevel.commune: 5}.get(level)
    checks.check(code is None or (expected is not None and len(code) == expected),
                 UnitCodeInvalid(loc=("body", "code"), level=level.value))


async def _claim_code(uow: UnitOfWork, code: str, unit: AdminUnit) -> None:
    """`code` for `unit`: refused when another unit holds it, or ever held it (Decision
    19/2025: codes are never reused); a unit may take back a code it gave up."""
    if await uow.units.code_taken(code, exclude=unit.id):
        raise UnitCodeTaken(code_value=code)
    retired = await uow.units.retired_code(code)
    if retired is not None:
        if retired.unit_id != unit.id:
            raise UnitCodeRetired(code_value=code, unit_name=retired.unit_name)
        await uow.units.unretire_code(retired)


async def create_unit(uow: UnitOfWork, who: Principal, *, data: UnitCreate) -> AdminUnit:
    """Create a province, commune or residential group under the right parent."""
    level = LEVEL_OF_KIND[data.kind]
    expected_parent = PARENT_LEVEL[level]
    wrong_parent = UnitParentInvalid(loc=("body", "parent_id"), kind=data.kind.value,
                                     expected=expected_parent.value if expected_parent else "-")
    parent = None
    with Checks() as checks:
        _check_code(level, data.code, checks)
        if expected_parent is None:
            checks.check(data.parent_id is None, wrong_parent)
        elif checks.check(data.parent_id is not None, wrong_parent):
            assert data.parent_id is not None
            parent = await checks.wait(uow.units.target(
                who, data.parent_id, level=expected_parent, wrong_level=wrong_parent))
    unit = AdminUnit(
        level=level,
        kind=data.kind,
        code=data.code,
        name=data.name,
        name_folded=fold(data.name),
        old_address_text=data.old_address_text,
    )
    if parent is None:
        unit.province_id = unit.id
    else:
        unit.parent_id = parent.id
        unit.province_id = parent.province_id
        unit.commune_id = unit.id if level == UnitLevel.commune else parent.commune_id
    if data.code:
        await _claim_code(uow, data.code, unit)
    await uow.units.add(unit)
    await uow.audit.record(who, "unit.create", "admin_unit", [unit.id])
    await uow.commit()
    return unit


async def update_unit(
    uow: UnitOfWork, who: Principal, unit_id: uuid.UUID, *, data: UnitUpdate, if_match: str | None
) -> AdminUnit:
    """Rename a unit, set its official code or its old address text."""
    unit = await uow.units.get_writable(who, unit_id, for_update=True)
    check_if_match(unit, if_match)
    changes = data.model_dump(exclude_unset=True)
    with Checks() as checks:
        _check_code(unit.level, changes.get("code"), checks)  # null clears the code
    if "code" in changes and changes["code"] != unit.code:
        if changes["code"] is not None:
            await _claim_code(uow, changes["code"], unit)
        await uow.units.retire_code(unit)  # the code it leaves stays its own
    for key, value in changes.items():
        setattr(unit, key, value)
    if "name" in changes:
        unit.name_folded = fold(unit.name)
    touch(unit)
    await uow.units.save(unit)
    await uow.audit.record(who, "unit.update", "admin_unit", [unit.id], fields=sorted(changes))
    await uow.commit()
    return unit


async def delete_unit(
    uow: UnitOfWork, who: Principal, unit_id: uuid.UUID, *, if_match: str | None
) -> None:
    """Delete a unit that has nothing below it."""
    unit = await uow.units.get_writable(who, unit_id, for_update=True)
    check_if_match(unit, if_match)
    if await uow.units.has_children(unit.id):
        raise UnitHasChildren()
    await uow.units.delete(unit)
    await uow.units.retire_code(unit)  # never given to another unit
    await uow.audit.record(who, "unit.delete", "admin_unit", [unit.id])
    await uow.commit()


async def create_street(uow: UnitOfWork, who: Principal, *, data: StreetCreate) -> Street:
    """Add a street to a commune."""
    commune = await uow.units.target(
        who, data.commune_id, level=UnitLevel.commune, wrong_level=UnitParentInvalid(
            loc=("body", "commune_id"), kind="street", expected=UnitLevel.commune.value))
    street = Street(
        commune_id=commune.id,
        province_id=commune.province_id,  # type: ignore[arg-type]  # a commune has its province
        name=data.name,
        name_folded=fold(data.name),
        old_name=data.old_name,
    )
    await uow.streets.add(street)
    await uow.audit.record(who, "street.create", "street", [street.id])
    await uow.commit()
    return street


async def update_street(
    uow: UnitOfWork, who: Principal, street_id: uuid.UUID, *, data: StreetUpdate,
    if_match: str | None,
) -> Street:
    """Rename a street or record its old name."""
    street = await uow.streets.get_writable(who, street_id, for_update=True)
    check_if_match(street, if_match)
    changes = data.model_dump(exclude_unset=True)
    for key, value in changes.items():
        setattr(street, key, value)
    street.name_folded = fold(street.name)
    touch(street)
    await uow.streets.save(street)
    await uow.audit.record(who, "street.update", "street", [street.id], fields=sorted(changes))
    await uow.commit()
    return street


async def delete_street(
    uow: UnitOfWork, who: Principal, street_id: uuid.UUID, *, if_match: str | None
) -> None:
    """Delete a street that no household uses."""
    street = await uow.streets.get_writable(who, street_id, for_update=True)
    check_if_match(street, if_match)
    await uow.streets.delete(street)
    await uow.audit.record(who, "street.delete", "street", [street.id])
    await uow.commit()
