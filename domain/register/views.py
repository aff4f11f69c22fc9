"""What a caller may see of a resident: personal data masked without `pii:read`."""

from __future__ import annotations

from typing import Any

from domain.access import Permission, Principal
from domain.register.models import ReadinessFact, Resident
from domain.register.rules import mask
from domain.register.schemas import ChangeRead, ReadinessFactRead, ResidentRead

PII_FIELDS = ("id_number", "phone", "birth_date")


def resident_view(resident: Resident, facts: dict[str, ReadinessFact],
                  who: Principal) -> ResidentRead:
    hidden = not who.can(Permission.pii_read)
    masked = [f for f in PII_FIELDS if hidden and getattr(resident, f) is not None]
    return ResidentRead(
        id=resident.id, household_id=resident.household_id,
        relationship=resident.relationship, province_id=resident.province_id,
        commune_id=resident.commune_id, group_id=resident.group_id,
        full_name=resident.full_name,
        birth_date=None if hidden else resident.birth_date,
        birth_year=resident.birth_year, sex=resident.sex,
        id_number=mask(resident.id_number) if hidden else resident.id_number,
        phone=mask(resident.phone) if hidden else resident.phone,
        residence_status=resident.residence_status,
        residence_since=resident.residence_since,
        status_changed_on=resident.status_changed_on,
        data_quality=["id_number_mismatch"] if resident.id_number_mismatch else [],
        readiness={kind: ReadinessFactRead(occurred_on=f.occurred_on,
                                           recorded_by_name=f.recorded_by_name,
                                           recorded_at=f.recorded_at)
                   for kind, f in facts.items()},
        masked_fields=masked,
        created_at=resident.created_at, updated_at=resident.updated_at,
        version=resident.version,
    )


_DOCUMENT_HEAD = ("id", "household_id", "relationship", "province_id", "commune_id",
                  "group_id", "full_name", "birth_date", "birth_year", "sex", "id_number",
                  "phone", "residence_status", "residence_since", "status_changed_on")


def resident_document(resident, facts: dict[str, Any], who: Principal) -> dict[str, Any]:
    """What `resident_view(...).model_dump(mode="json")` gives, as plain values for orjson;
    `resident` is a row of the resident table (`repositories.register` read paths).

    For the read paths (a record, list pages): building and dumping 50 pydantic models costs
    more CPU than the query they come from. The values come from the database, already valid;
    a test holds this document and `ResidentRead` equal for masked and unmasked callers."""
    row = resident._mapping
    doc = {key: row[key] for key in _DOCUMENT_HEAD}
    masked = []
    if not who.can(Permission.pii_read):
        masked = [f for f in PII_FIELDS if doc[f] is not None]
        doc["id_number"], doc["phone"] = mask(doc["id_number"]), mask(doc["phone"])
        doc["birth_date"] = None
    doc["data_quality"] = ["id_number_mismatch"] if row["id_number_mismatch"] else []
    doc["readiness"] = {kind: {"occurred_on": f.occurred_on,
                               "recorded_by_name": f.recorded_by_name,
                               "recorded_at": f.recorded_at} for kind, f in facts.items()}
    doc["masked_fields"] = masked
    doc["created_at"], doc["updated_at"] = row["created_at"], row["updated_at"]
    doc["version"] = row["version"]
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
