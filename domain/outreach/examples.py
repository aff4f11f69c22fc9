"""Examples of outreach's bodies for the OpenAPI document: the first campaign on Trần Phú."""

from __future__ import annotations

from typing import Any

from domain.examples import (
    CAMPAIGN,
    COMMUNE,
    CREATED,
    GROUP,
    HOUSEHOLD,
    PROVINCE,
    RECORD,
    RESIDENT,
    STREET,
    UPDATED,
    VOLUNTEER,
    stamps,
)

CAMPAIGN_READ: dict[str, Any] = {
    "id": CAMPAIGN, "name": "Tuyến đường số – đợt 1",
    "goals": ["join_group", "activate_vneid_level2", "fraud_awareness"],
    "province_id": PROVINCE, "commune_id": COMMUNE, "group_ids": [GROUP],
    "street_ids": [STREET], "starts_on": "2026-01-11", "ends_on": "2026-02-28",
    "status": "active", "started_at": CREATED, "closed_at": None,
    "target_households": 684, "target_residents": 2716, **stamps(2),
}
CAMPAIGN_UPDATE: list[dict[str, Any]] = [
    {"name": "Tuyến đường số – đợt 1 (bổ sung)", "ends_on": "2026-03-15"}, {"street_ids": []}]
ASSIGNMENT_REQUESTS: list[dict[str, Any]] = [
    {"mode": "by_street", "volunteer_ids": [VOLUNTEER]},
    {"mode": "manual", "volunteer_id": VOLUNTEER, "household_ids": [HOUSEHOLD]},
    {"mode": "manual", "volunteer_id": None, "household_ids": [HOUSEHOLD]},
]
ASSIGNMENT_SUMMARY = {"items": [
    {"volunteer_id": VOLUNTEER, "volunteer_name": "Phạm Minh Tuấn", "households": 57,
     "reached": 12},
    {"volunteer_id": None, "volunteer_name": None, "households": 3, "reached": 0},
]}
WALK_LIST = {"volunteer_id": VOLUNTEER, "items": [{
    "household_id": HOUSEHOLD, "code": "BD-TP-0034", "street": "Trần Phú",
    "house_number": "34/2", "walk_order": 1, "added_late": False,
    "last_outcome": "come_back_later", "last_visit_at": CREATED, "follow_up_on": "2026-01-13",
    "residents": [{"resident_id": RESIDENT, "full_name": "Nguyễn Thị Ánh",
                   "relationship": "child", "age": 21,
                   "open_goals": ["activate_vneid_level2", "fraud_awareness"]}],
}]}
VISIT_READ = {
    "id": RECORD, "campaign_id": CAMPAIGN, "client_visit_id": "a1f3c9e2-2026-01-11-0001",
    "household_id": HOUSEHOLD, "volunteer_id": VOLUNTEER, "volunteer_name": "Phạm Minh Tuấn",
    "visited_at": CREATED, "outcome": "met", "notes": "Hẹn cuối tuần hướng dẫn cài VNeID",
    "follow_up_on": "2026-01-17",
    "residents": [{"resident_id": RESIDENT, "actions": ["invited_to_group", "joined_group"],
                   "consent": {"given": True, "method": "verbal"}}],
    "recorded_at": UPDATED,
}
NEED_READ = {
    "id": RECORD, "visit_id": RECORD, "household_id": HOUSEHOLD, "resident_id": RESIDENT,
    "category": "app_help", "description": "Cần hỗ trợ kích hoạt VNeID mức 2",
    "status": "open", "created_at": CREATED,
}
_SLICE = {"key": GROUP, "label": "Tổ dân phố Trần Phú", "target_households": 684,
          "households_reached": 241, "actions": {"invited_to_group": 530, "joined_group": 388}}
PROGRESS = {
    "campaign_id": CAMPAIGN, "status": "active", "target_households": 684,
    "target_residents": 2716, "households_reached": 241, "households_not_reached": 443,
    "actions": {"invited_to_group": 530, "joined_group": 388, "fraud_warning_given": 610},
    "funnels": [{"goal": "join_group", "base_residents": 2716, "onboarded": 388, "steps": [
        {"action": "invited_to_group", "residents": 530, "share_of_base": 0.195},
        {"action": "joined_group", "residents": 388, "share_of_base": 0.143}]}],
    "by_unit": [_SLICE],
    "by_street": [{**_SLICE, "key": STREET, "label": "Trần Phú", "target_households": 96}],
    "by_volunteer": [{"key": VOLUNTEER, "label": "Phạm Minh Tuấn",
                      "households_reached": 41, "actions": {"joined_group": 77}}],
    "by_day": [{"key": "2026-01-11", "households_reached": 58,
                "actions": {"invited_to_group": 131}}],
}
