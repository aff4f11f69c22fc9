"""What a caller may see of the register: personal data masked without `pii:read`.

`RESIDENT` and `HOUSEHOLD` are the one declaration of it. The record, list pages (in
Python, or written by PostgreSQL: repositories/register/records.py `_document_column`), exports
and history all derive from them; `tests/api/test_views.py` holds them equal per role.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.access import Permission, Principal
from domain.register.models import ReadinessFact, Resident
from domain.register.schemas import ChangeRead, HouseholdRead, ResidentRead, TransferRead
from domain.views import KEEP, Last, Null, View

RESIDENT = View.of(
    "resident", ResidentRead, unmasked_by=Permission.pii_read,
    # A masked birth date leaves the birth year, which is its own field.
    personal={"id_number": Last(4), "phone": Last(4), "birth_date": Null()},
    derived=("data_quality", "readiness", "masked_fields"), masked_list="masked_fields",
)
HOUSEHOLD = View.of("household", HouseholdRead, unmasked_by=Permission.pii_read)
TRANSFER = View.of("transfer", TransferRead, unmasked_by=Permission.pii_read,
                   personal={"id_number": Last(4)})
TRANSFER_SOURCE_ONLY = ("resident_id", "source_household_id")  # the resident's side

# The spreadsheet rows: the record's fields and those an export joins in (the current
# address: the household's street and number, the names of its units).
_UNIT_NAMES = dict.fromkeys(("group_name", "commune_name", "province_name"), KEEP)
RESIDENT_ROW = RESIDENT.extended("resident_row", household_code=KEEP, house_number=KEEP,
                                 street=KEEP, **_UNIT_NAMES)
HOUSEHOLD_ROW = HOUSEHOLD.extended("household_row", street=KEEP,
                                   head_id_number=RESIDENT.rule("id_number"), **_UNIT_NAMES)

_HISTORY = {"resident": RESIDENT, "household": HOUSEHOLD}


def resident_view(resident: Resident | Any, facts: Mapping[str, ReadinessFact | Any],
                  who: Principal) -> ResidentRead:
    """The resident as `who` may see them, as the response model (write paths)."""
    return ResidentRead.model_validate(resident_document(resident, facts, who))


def resident_document(resident, facts: Mapping[str, Any], who: Principal) -> dict[str, Any]:
    """The resident as `who` may see them, as plain values: orjson writes it on the read
    paths (a record, list pages), where building and dumping 50 pydantic models costs more
    CPU than the query they come from; `resident_view` validates it into `ResidentRead`.
    `resident` is an entity or a row of the resident table (by attribute or by name)."""
    mapping = getattr(resident, "_mapping", None)
    if mapping is None and hasattr(resident, "keys"):  # a driver's record, a row mapping
        mapping = resident
    get = mapping.__getitem__ if mapping is not None else resident.__getattribute__
    return RESIDENT.document(get, who, {
        "data_quality": ["id_number_mismatch"] if get("id_number_mismatch") else [],
        "readiness": {kind: {"occurred_on": f.occurred_on, "guardian_id": f.guardian_id,
                             "recorded_by_name": f.recorded_by_name,
                             "recorded_at": f.recorded_at} for kind, f in facts.items()},
    })


def change_view(entry, who: Principal) -> ChangeRead:
    """A history entry: its values masked as the entity's record masks them."""
    view = _HISTORY[entry.entity_type]
    return ChangeRead(id=entry.id, action=entry.action, changed_at=entry.changed_at,
                      actor_name=entry.actor_name, version=entry.version,
                      before=view.values(entry.before, who),
                      after=view.values(entry.after, who), related_ids=entry.related_ids)


def transfer_view(transfer, who: Principal, *, source_side: bool) -> TransferRead:
    """A transfer as `who` sees it: the resident's side sees whom it moves, the side that
    asked sees its request and its status, nothing of the record it came from."""
    doc = TRANSFER.document(transfer.__getattribute__, who, {})
    if not source_side:
        doc.update(dict.fromkeys(TRANSFER_SOURCE_ONLY))
    return TransferRead.model_validate(doc)
