"""Examples of the register's bodies for the OpenAPI document: one household on Trần Phú
and its people, as the demo group has them."""

from __future__ import annotations

from typing import Any

from domain.examples import (
    COMMUNE,
    CREATED,
    GROUP,
    HOUSEHOLD,
    OTHER_HOUSEHOLD,
    OTHER_RESIDENT,
    PROVINCE,
    RECORD,
    RESIDENT,
    STREET,
    UPDATED,
    stamps,
)

PLACE = {"province_id": PROVINCE, "commune_id": COMMUNE, "group_id": GROUP}

RESIDENT_READ: dict[str, Any] = {
    "id": RESIDENT, "household_id": HOUSEHOLD, "relationship": "child", **PLACE,
    "full_name": "Nguyễn Thị Ánh", "birth_date": "2004-03-15", "birth_year": 2004,
    "sex": "female", "id_number": "052304001234", "phone": "+84912345678",
    "residence_status": "permanent", "residence_since": "2004-03-20",
    "status_changed_on": None, "data_quality": [],
    "readiness": {"vneid_level2": {"occurred_on": "2026-01-11",
                                   "recorded_by_name": "Trần Văn Bình",
                                   "recorded_at": CREATED}},
    "masked_fields": [], **stamps(3),
}
RESIDENT_MASKED: dict[str, Any] = {
    **RESIDENT_READ, "id_number": "********1234", "phone": "*******5678", "birth_date": None,
    "masked_fields": ["id_number", "phone", "birth_date"],
}
HOUSEHOLD_READ: dict[str, Any] = {
    "id": HOUSEHOLD, "code": "BD-TP-0034", **PLACE, "street_id": STREET,
    "house_number": "34/2",
    "old_address_text": "34/2 Trần Phú, phường Bình Định, thị xã An Nhơn, tỉnh Bình Định",
    "residence_type": "permanent", "head_id": OTHER_RESIDENT, **stamps(2),
}
RESIDENT_UPDATE: list[dict[str, Any]] = [
    {"phone": "+84 912 345 678", "residence_status": "temporarily_absent",
     "status_changed_on": "2026-02-01"},
    {"id_number": "052 304 001 234", "phone": None},
]
HOUSEHOLD_UPDATE: list[dict[str, Any]] = [
    {"street_id": STREET, "house_number": "36", "head_id": RESIDENT}, {"old_address_text": None}]
HOUSEHOLD_SPLIT = {"member_ids": [RESIDENT], "head_id": RESIDENT, "street_id": STREET,
                   "house_number": "34/4", "code": "BD-TP-0035"}
CHANGE_READ = {
    "id": RECORD, "action": "updated", "changed_at": UPDATED, "actor_name": "Trần Văn Bình",
    "version": 3, "before": {"phone": "+84905111222", "residence_status": "permanent"},
    "after": {"phone": "+84912345678", "residence_status": "temporarily_absent"},
    "related_ids": [HOUSEHOLD],
}
DUPLICATE_GROUP = {
    "name_folded": "nguyen thi anh", "birth_date": "2004-03-15", "birth_year": 2004,
    "residents": [{**RESIDENT_READ, "id_number": None, "data_quality": []},
                  {**RESIDENT_READ, "id": OTHER_RESIDENT, "household_id": OTHER_HOUSEHOLD,
                   "id_number": None, "phone": None, "readiness": {}}],
}
TRANSFER_READ = {
    "id": RECORD, "status": "approved", "id_number": "052304001234",
    "household_id": HOUSEHOLD, "relationship": "spouse", "residence_status": "permanent",
    "reason": "Kết hôn, về ở cùng chồng", "requested_by_name": "Trần Văn Bình",
    "resident_id": RESIDENT, "source_household_id": OTHER_HOUSEHOLD,
    "decided_by_name": "Lê Thị Hoa", "decided_at": UPDATED,
    "decision_reason": "Đã đối chiếu giấy đăng ký kết hôn", **stamps(2),
}
RESIDENT_CREATE: dict[str, Any] = {
    "household_id": HOUSEHOLD, "relationship": "child", "full_name": "Nguyễn Thị Ánh",
    "birth_date": "2004-03-15", "sex": "female", "id_number": "052304001234",
    "phone": "0912 345 678", "residence_status": "permanent",
}
HOUSEHOLD_CREATE = {
    "group_id": GROUP, "street_id": STREET, "house_number": "34/2",
    "old_address_text": "34/2 Trần Phú, phường Bình Định, TX An Nhơn, Bình Định",
}
