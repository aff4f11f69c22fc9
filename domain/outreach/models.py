"""Outreach: campaigns, their frozen target households, walk lists, visits and counters."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.base import Entity
from domain.register.models import ReadinessKind
from domain.types import EnumText, UTCDateTime, utcnow, uuid7


class Goal(StrEnum):
    join_group = "join_group"  # vào nhóm Zalo cộng đồng
    install_vneid = "install_vneid"
    activate_vneid_level2 = "activate_vneid_level2"
    use_portal = "use_portal"  # Cổng dịch vụ công
    fraud_awareness = "fraud_awareness"  # cảnh giác lừa đảo công nghệ cao
    voter_check = "voter_check"  # rà soát danh sách cử tri


class Action(StrEnum):
    """What happened for one resident at the door."""

    invited_to_group = "invited_to_group"
    joined_group = "joined_group"
    installed_vneid = "installed_vneid"
    activated_level2 = "activated_level2"
    guided_to_portal = "guided_to_portal"
    fraud_warning_given = "fraud_warning_given"
    voter_details_checked = "voter_details_checked"


# Each goal's funnel, in order; the last step is "onboarded" for that goal.
GOAL_STEPS: dict[Goal, tuple[Action, ...]] = {
    Goal.join_group: (Action.invited_to_group, Action.joined_group),
    Goal.install_vneid: (Action.installed_vneid,),
    Goal.activate_vneid_level2: (Action.installed_vneid, Action.activated_level2),
    Goal.use_portal: (Action.guided_to_portal,),
    Goal.fraud_awareness: (Action.fraud_warning_given,),
    Goal.voter_check: (Action.voter_details_checked,),
}

# The readiness fact a visit action records in the register, in the same transaction.
READINESS_OF: dict[Action, ReadinessKind] = {
    Action.invited_to_group: ReadinessKind.invited_to_group,
    Action.joined_group: ReadinessKind.joined_group,
    Action.installed_vneid: ReadinessKind.vneid_level1,
    Action.activated_level2: ReadinessKind.vneid_level2,
    Action.guided_to_portal: ReadinessKind.public_service_portal,
    Action.fraud_warning_given: ReadinessKind.fraud_warning,
}


class CampaignStatus(StrEnum):
    draft = "draft"
    active = "active"
    closed = "closed"


class Outcome(StrEnum):
    met = "met"
    nobody_home = "nobody_home"
    refused = "refused"
    moved_away = "moved_away"
    come_back_later = "come_back_later"
    no_answer = "no_answer"  # contacted (phone, message) without any answer


REACHED = frozenset({Outcome.met, Outcome.come_back_later, Outcome.refused})


class NeedCategory(StrEnum):
    procedure_question = "procedure_question"  # thủ tục hành chính, dịch vụ công
    app_help = "app_help"  # cài đặt, sử dụng ứng dụng
    fraud_attempt = "fraud_attempt"  # bị lừa đảo / có dấu hiệu lừa đảo
    feedback = "feedback"
    other = "other"


class Campaign(Entity, table=True):
    __tablename__ = "campaign"

    name: str = Field(max_length=200)
    goals: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    province_id: uuid.UUID = Field(foreign_key="admin_unit.id", index=True)
    commune_id: uuid.UUID = Field(foreign_key="admin_unit.id", index=True)
    # Kept for reading; `campaign_group` holds the same ids for indexed scope checks.
    group_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    street_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    starts_on: date
    ends_on: date
    status: CampaignStatus = Field(default=CampaignStatus.draft,
                                   sa_type=EnumText(CampaignStatus, 16))
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    target_households: int = Field(default=0)
    target_residents: int = Field(default=0)
    created_by_id: uuid.UUID | None = Field(default=None)


class CampaignGroup(SQLModel, table=True):
    """One target group of a campaign: who may see the campaign is decided here."""

    __tablename__ = "campaign_group"

    campaign_id: uuid.UUID = Field(sa_column=Column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True))
    group_id: uuid.UUID = Field(sa_column=Column(
        ForeignKey("admin_unit.id", ondelete="RESTRICT"), primary_key=True, index=True))


class CampaignHousehold(SQLModel, table=True):
    """A target household: frozen at start; late additions carry `added_late`."""

    __tablename__ = "campaign_household"
    __table_args__ = (Index(None, "campaign_id", "volunteer_id", "walk_order"),)

    campaign_id: uuid.UUID = Field(foreign_key="campaign.id", primary_key=True)
    household_id: uuid.UUID = Field(foreign_key="household.id", primary_key=True)
    group_id: uuid.UUID
    street_id: uuid.UUID | None = Field(default=None)
    volunteer_id: uuid.UUID | None = Field(default=None)
    walk_order: int = Field(default=0)
    added_late: bool = Field(default=False)
    residents: int = Field(default=0)
    reached_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reached_visit_id: uuid.UUID | None = Field(default=None)
    last_visit_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_outcome: str | None = Field(default=None, max_length=24)
    follow_up_on: date | None = Field(default=None)


class Visit(SQLModel, table=True):
    """One visit to a household; `client_visit_id` makes offline replays create it once."""

    __tablename__ = "visit"
    __table_args__ = (
        UniqueConstraint("campaign_id", "client_visit_id"),
        Index(None, "campaign_id", "household_id", "visited_at"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    campaign_id: uuid.UUID = Field(foreign_key="campaign.id")
    client_visit_id: str = Field(max_length=64)
    request_hash: str = Field(max_length=64)
    household_id: uuid.UUID = Field(foreign_key="household.id")
    volunteer_id: uuid.UUID
    volunteer_name: str = Field(max_length=200)
    visited_at: datetime = Field(sa_type=UTCDateTime)
    outcome: Outcome = Field(sa_type=EnumText(Outcome, 24))
    notes: str | None = Field(default=None, max_length=4000)
    follow_up_on: date | None = Field(default=None)
    residents: list[dict[str, Any]] = Field(default_factory=list,
                                            sa_column=Column(JSON, nullable=False))
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GoalProgress(SQLModel, table=True):
    """The first time (by visit time) an action happened for a resident in a campaign."""

    __tablename__ = "campaign_resident_action"

    campaign_id: uuid.UUID = Field(foreign_key="campaign.id", primary_key=True)
    resident_id: uuid.UUID = Field(foreign_key="resident.id", primary_key=True)
    action: Action = Field(sa_type=EnumText(Action, 32), primary_key=True)
    first_at: datetime = Field(sa_type=UTCDateTime)
    visit_id: uuid.UUID
    volunteer_id: uuid.UUID
    group_id: uuid.UUID
    street_id: uuid.UUID | None = Field(default=None)


COUNTER_SHARDS = 16


class CampaignCounter(SQLModel, table=True):
    """Progress kept incrementally: (dimension, key, metric) → value, updated by upsert.

    Each counter is split over `COUNTER_SHARDS` rows (a visit adds to one at random) so that
    concurrent visits do not queue on the same hot row; reads add the shards up.
    """

    __tablename__ = "campaign_counter"

    campaign_id: uuid.UUID = Field(foreign_key="campaign.id", primary_key=True)
    dimension: str = Field(max_length=16, primary_key=True)  # total, unit, street, volunteer, day
    key: str = Field(max_length=64, primary_key=True)
    metric: str = Field(max_length=32, primary_key=True)
    shard: int = Field(default=0, primary_key=True)
    value: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


# A need's `status`: `open` until followed up; `ticketed` once it became a support ticket
# (POST /visit-needs/{id}/ticket, the ticket keeps `visit_need_id`). The needs list shows
# the open ones unless asked otherwise.
NEED_OPEN, NEED_TICKETED = "open", "ticketed"
NeedStatus = Literal["open", "ticketed"]


class VisitNeed(SQLModel, table=True):
    """A need raised at the door, kept for follow-up, or made into a support ticket."""

    __tablename__ = "visit_need"
    __table_args__ = (Index(None, "campaign_id", "status", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    campaign_id: uuid.UUID = Field(foreign_key="campaign.id")
    visit_id: uuid.UUID = Field(foreign_key="visit.id")
    household_id: uuid.UUID = Field(foreign_key="household.id")
    resident_id: uuid.UUID | None = Field(default=None, foreign_key="resident.id")
    category: NeedCategory = Field(sa_type=EnumText(NeedCategory, 24))
    description: str = Field(max_length=2000)
    status: str = Field(default=NEED_OPEN, max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
