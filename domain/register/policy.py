"""The register's write rules, declared once. The per-record use cases apply them to one
entity; the set-wise import (repositories/imports.py) compiles the same declarations into
its SQL, so a PATCH and an imported row that say the same thing leave the same register
and the same history. No I/O."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.errors import Conflict
from domain.register.errors import (
    HouseholdCodeTaken,
    HouseholdCodeTakenElsewhere,
    IdNumberRegisteredElsewhere,
    IdNumberTaken,
)
from domain.register.models import Relationship


class Merge(StrEnum):
    """How a value from an imported row meets the value already stored."""

    replace = "replace"  # type: ignore[assignment]  # shadows str.replace; the row's value, a blank cell clears
    fill = "fill"  # a blank cell keeps what is stored
    unless_masked = "unless_masked"  # a masked cell (********5678) keeps what is stored
    placement = "placement"  # from the household, never from the row
    derived = "derived"  # computed from the row's other values (search keys, flags)


@dataclass(frozen=True)
class FieldRule:
    merge: Merge
    patch: bool = True  # PATCH /residents sets it (absent keeps, null clears)

    @property
    def compared(self) -> bool:
        """A difference in this field makes an imported row an update."""
        return self.merge not in (Merge.placement, Merge.derived)


# Every resident column an import writes. An exported file carries no ID number or phone
# for a masked caller and often only a birth year: those cells must not wipe what is known.
RESIDENT_MERGE: dict[str, FieldRule] = {
    "household_id": FieldRule(Merge.replace, patch=False),  # moves go through the household
    "relationship": FieldRule(Merge.fill),
    "province_id": FieldRule(Merge.placement, patch=False),
    "commune_id": FieldRule(Merge.placement, patch=False),
    "group_id": FieldRule(Merge.placement, patch=False),
    "full_name": FieldRule(Merge.replace),
    "name_folded": FieldRule(Merge.derived, patch=False),
    "name_lower": FieldRule(Merge.derived, patch=False),
    "sort_key": FieldRule(Merge.derived, patch=False),
    "full_name_key": FieldRule(Merge.derived, patch=False),
    "birth_date": FieldRule(Merge.fill),
    "birth_year": FieldRule(Merge.replace),
    "sex": FieldRule(Merge.replace),
    "id_number": FieldRule(Merge.fill),
    "id_number_mismatch": FieldRule(Merge.derived, patch=False),
    "phone": FieldRule(Merge.unless_masked),
    "residence_status": FieldRule(Merge.replace),
    "residence_since": FieldRule(Merge.replace),
    "status_changed_on": FieldRule(Merge.replace),
}
PATCHABLE = tuple(name for name, rule in RESIDENT_MERGE.items() if rule.patch)
COMPARED = tuple(name for name, rule in RESIDENT_MERGE.items() if rule.compared)

# Placement: a resident's administrative units are their household's (or, without one,
# their group's), never typed in.
PLACEMENT = tuple(name for name, rule in RESIDENT_MERGE.items() if rule.merge == Merge.placement)


def placement(source: Any) -> dict[str, uuid.UUID]:
    """The units a resident placed in `source` (a household, or a group unit) gets."""
    group_id = source.group_id if hasattr(source, "group_id") else source.id
    return {"province_id": source.province_id, "commune_id": source.commune_id,
            "group_id": group_id}


# The single head (chủ hộ): a household has one. When another member takes the place, the
# previous head stays in the household as a relative, as PATCH /households always did.
HEAD = Relationship.head
DEMOTED_HEAD = Relationship.other_relative
HEAD_REPLACED = "head_replaced"  # the history action of the head who stepped down


def demoted(relationship: Relationship | str | None) -> Relationship | str | None:
    """A member's relationship once someone else heads the household."""
    return DEMOTED_HEAD if relationship == HEAD else relationship


# One living record per ID number (số định danh cá nhân is lifelong and unique): a second
# one is refused. The refusal names the first record only when the caller may read it; a
# holder out of scope (another commune, another group) is a conflict that names nothing of
# it, for a record, a PATCH, a transfer request and an imported row alike. Which side of
# the line the holder is on is answered by the holder's repository (`holder`: the row and
# whether the caller's scope covers it), the same predicate every read of it starts from.
ID_NUMBER_TAKEN = IdNumberTaken.code
ID_NUMBER_ELSEWHERE = IdNumberRegisteredElsewhere.code


def id_number_conflict(holder_id: uuid.UUID, readable: bool) -> Conflict:
    """The refusal of a second living record with the ID number `holder_id` holds."""
    if readable:
        return IdNumberTaken(existing_id=str(holder_id))
    return IdNumberRegisteredElsewhere()


# Household codes (mã hộ) are issued by the commune office: unique among the living
# households of one commune; two communes may use the same code.
def household_code_conflict(holder_id: uuid.UUID, readable: bool, code: str,
                            **params: Any) -> Conflict:
    """The refusal of a code another living household of the commune holds (`params`: an
    imported row's `loc`)."""
    if readable:
        return HouseholdCodeTaken(code_value=code, existing_id=str(holder_id), **params)
    return HouseholdCodeTakenElsewhere(code_value=code, **params)

# The history entry: which fields a change log snapshots, and in what form.
RESIDENT_HISTORY = ("household_id", "relationship", "full_name", "birth_date", "birth_year",
                    "sex", "id_number", "phone", "residence_status", "residence_since",
                    "status_changed_on", "group_id", "deleted_at")
HOUSEHOLD_HISTORY = ("code", "group_id", "street_id", "house_number", "old_address_text",
                     "residence_type", "head_id", "deleted_at")


def history_value(value: Any) -> Any:
    """A value as the change log stores it (JSON: ISO dates, UUIDs as text)."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value) if isinstance(value, uuid.UUID) else value


def snapshot(entity: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: history_value(getattr(entity, name)) for name in fields}


def history_change(before: dict[str, Any] | None, after: dict[str, Any]
                   ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(before, after) of an entry: everything for a new record, else the changed fields."""
    if before is None:
        return {}, after
    changed = [k for k in after if before.get(k) != after[k]]
    return {k: before[k] for k in changed}, {k: after[k] for k in changed}
