"""What a caller may see of a resident: personal data masked without `pii:read`."""

from __future__ import annotations

from typing import Any

from domain.access import Permission, Principal
from domain.register.models import ReadinessFact, Resident
from domain.register.rules import mask
from domain.register.schemas import ChangeRead, ResidentRead

PII_FIELDS = ("id_number", "phone", "birth_date")


def resident_view(resident: Resident | Any, facts: dict[str, ReadinessFact | Any],
                  who: Principal) -> ResidentRead:
    """The resident as `who` may see them, as the response model (write paths)."""
    return ResidentRead.model_validate(resident_document(resident, facts, who))


_DOCUMENT_HEAD = ("id", "household_id", "relationship", "province_id", "commune_id",
                  "group_id", "full_name", "birth_date", "birth_year", "sex", "id_number",
                  "phone", "residence_status", "residence_since", "status_changed_on")


def resident_document(resident, facts: dict[str, Any], who: Principal) -> dict[str, Any]:
    """The resident as `who` may see them, as plain values: orjson writes it on the read
    paths (a record, list pages), where building and dumping 50 pydantic models costs more
    CPU than the query they come from; `resident_view` validates it into `ResidentRead`.
    `resident` is an entity or a row of the resident table (by attribute or by name); a
    test holds the orjson and the pydantic JSON equal for masked and unmasked callers. On
    PostgreSQL list pages get the same document written by the database
    (repositories/register.py, `_document_column`), held equal by the same test."""
    mapping = getattr(resident, "_mapping", None)
    if mapping is None and hasattr(resident, "keys"):  # a driver's record, a row mapping
        mapping = resident
    get = mapping.__getitem__ if mapping is not None else resident.__getattribute__
    doc = {key: get(key) for key in _DOCUMENT_HEAD}
    masked = []
    if not who.can(Permission.pii_read):
        masked = [f for f in PII_FIELDS if doc[f] is not None]
        doc["id_number"], doc["phone"] = mask(doc["id_number"]), mask(doc["phone"])
        doc["birth_date"] = None
    doc["data_quality"] = ["id_number_mismatch"] if get("id_number_mismatch") else []
    doc["readiness"] = {kind: {"occurred_on": f.occurred_on,
                               "recorded_by_name": f.recorded_by_name,
                               "recorded_at": f.recorded_at} for kind, f in facts.items()}
    doc["masked_fields"] = masked
    doc["created_at"], doc["updated_at"] = get("created_at"), get("updated_at")
    doc["version"] = get("version")
    return doc


def _mask_values(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for field in ("id_number", "phone"):
        if out.get(field):
            out[field] = mask(out[field])
    if out.get("birth_date"):
        out["birth_date"] = "****-**-**"
    return out


def change_view(entry, who: Principal) -> ChangeRead:
    hidden = not who.can(Permission.pii_read)
    before = _mask_values(entry.before) if hidden else entry.before
    after = _mask_values(entry.after) if hidden else entry.after
    return ChangeRead(id=entry.id, action=entry.action, changed_at=entry.changed_at,
                      actor_name=entry.actor_name, version=entry.version, before=before,
                      after=after, related_ids=entry.related_ids)
