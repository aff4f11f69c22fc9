"""Announcements (thông báo) to residents of chosen units, and who was told at the door."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as Body
from sqlalchemy import JSON, Column, ForeignKey, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.base import Entity
from domain.examples import COMMUNE, GROUP, HOUSEHOLD, PROVINCE, RECORD, USER, examples, stamps
from domain.paging import Page
from domain.types import (
    EnumText,
    FilledNote,
    Omittable,
    PastInstant,
    ScheduleInstant,
    UTCDateTime,
    line,
    utcnow,
    uuid7,
)
from domain.units.schemas import Strict


class AnnouncementCategory(StrEnum):
    policy = "policy"  # chủ trương, chính sách
    public_service = "public_service"  # dịch vụ công, thủ tục hành chính
    fraud_warning = "fraud_warning"  # cảnh báo lừa đảo công nghệ cao
    election = "election"  # bầu cử


class Channel(StrEnum):
    community_group = "community_group"  # nhóm Zalo cộng đồng
    loudspeaker = "loudspeaker"  # loa phát thanh
    door_to_door = "door_to_door"  # đến từng hộ


class AnnouncementStatus(StrEnum):
    scheduled = "scheduled"  # publish_at still ahead
    published = "published"
    withdrawn = "withdrawn"


class Announcement(Entity, table=True):
    """A notice to the residents of some groups (or a whole commune) of one commune."""

    __tablename__ = "announcement"
    __table_args__ = (Index(None, "publish_at", "id"),)

    title: str = Field(max_length=200)
    body: str = Field(max_length=4000)
    category: AnnouncementCategory = Field(sa_type=EnumText(AnnouncementCategory, 24))
    province_id: uuid.UUID = Field(foreign_key="admin_unit.id", index=True)
    commune_id: uuid.UUID = Field(foreign_key="admin_unit.id", index=True)
    # Kept for reading; `announcement_unit` holds the same ids for indexed scope checks.
    unit_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    channels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    publish_at: datetime = Field(sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_by_id: uuid.UUID | None = Field(default=None)
    created_by_id: uuid.UUID | None = Field(default=None)

    @property
    def status(self) -> AnnouncementStatus:
        if self.withdrawn_at is not None:
            return AnnouncementStatus.withdrawn
        if self.publish_at <= utcnow():
            return AnnouncementStatus.published
        return AnnouncementStatus.scheduled

    @property
    def whole_commune(self) -> bool:
        return str(self.commune_id) in self.unit_ids

    @property
    def group_ids(self) -> list[uuid.UUID]:
        return [uuid.UUID(u) for u in self.unit_ids if u != str(self.commune_id)]


class AnnouncementUnit(SQLModel, table=True):
    """One target unit of an announcement (a residential group or the whole commune)."""

    __tablename__ = "announcement_unit"

    announcement_id: uuid.UUID = Field(sa_column=Column(
        ForeignKey("announcement.id", ondelete="CASCADE"), primary_key=True))
    unit_id: uuid.UUID = Field(sa_column=Column(
        ForeignKey("admin_unit.id", ondelete="RESTRICT"), primary_key=True, index=True))


class AnnouncementDelivery(SQLModel, table=True):
    """A household told in person; one per (announcement, household)."""

    __tablename__ = "announcement_delivery"
    __table_args__ = (
        UniqueConstraint("announcement_id", "household_id"),
        Index(None, "announcement_id", "delivered_at", "id"),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    announcement_id: uuid.UUID = Field(foreign_key="announcement.id")
    household_id: uuid.UUID = Field(foreign_key="household.id")
    channel: Channel = Field(sa_type=EnumText(Channel, 24))
    delivered_at: datetime = Field(sa_type=UTCDateTime)
    delivered_by_id: uuid.UUID
    delivered_by_name: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AnnouncementCreate(Strict):
    """A notice; `publish_at` in the future schedules it."""

    title: line(200)
    body: FilledNote
    category: AnnouncementCategory
    unit_ids: list[uuid.UUID] = Body(
        min_length=1, max_length=500,
        description="Residential groups, or the commune itself, all in one commune")
    publish_at: ScheduleInstant = Body(
        description="RFC 3339 with offset; later = scheduled (up to a year ahead)")
    channels: list[Channel] = Body(min_length=1, max_length=3)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "title": "Cảnh giác cuộc gọi giả danh công an",
        "body": "Công an không gọi điện yêu cầu chuyển tiền hay cài ứng dụng lạ.",
        "category": "fraud_warning", "unit_ids": ["0192f0c4-2b1e-7c3a-9d4e-5f6a7b8c9d0e"],
        "publish_at": "2026-01-12T07:00:00+07:00",
        "channels": ["community_group", "door_to_door"]}]})


class AnnouncementUpdate(Strict):
    """Only before `publish_at`; fields absent stay as they are."""

    title: Omittable[line(200)] = None
    body: Omittable[FilledNote] = None
    category: Omittable[AnnouncementCategory] = None
    unit_ids: Omittable[list[uuid.UUID]] = Body(default=None, min_length=1, max_length=500)
    publish_at: Omittable[ScheduleInstant] = None
    channels: Omittable[list[Channel]] = Body(default=None, min_length=1, max_length=3)

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(
        {"publish_at": "2026-01-13T07:00:00+07:00", "channels": ["community_group"]}))


_NOTICE = {
    "id": RECORD, "title": "Cảnh giác cuộc gọi giả danh công an",
    "body": "Công an không gọi điện yêu cầu chuyển tiền hay cài ứng dụng lạ.",
    "category": "fraud_warning", "province_id": PROVINCE, "commune_id": COMMUNE,
    "unit_ids": [GROUP], "channels": ["community_group", "door_to_door"],
    "publish_at": "2026-01-12T00:00:00Z", "status": "published", "withdrawn_at": None,
    "created_by_id": USER, **stamps()}
_DELIVERY = {
    "id": RECORD, "announcement_id": RECORD, "household_id": HOUSEHOLD,
    "channel": "door_to_door", "delivered_at": "2026-01-12T11:30:00Z",
    "delivered_by_id": USER, "delivered_by_name": "Phạm Minh Tuấn",
    "recorded_at": "2026-01-12T11:31:00Z"}


class AnnouncementRead(BaseModel):
    id: uuid.UUID
    title: str
    body: str
    category: AnnouncementCategory
    province_id: uuid.UUID
    commune_id: uuid.UUID
    unit_ids: list[uuid.UUID]
    channels: list[Channel]
    publish_at: datetime
    status: AnnouncementStatus
    withdrawn_at: datetime | None
    created_by_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples(_NOTICE))


class AnnouncementPage(Page[AnnouncementRead]):  # its name in the OpenAPI document
    pass


class DeliveryCreate(Strict):
    """A household told in person; sending the same household again answers the first."""

    household_id: uuid.UUID
    delivered_at: PastInstant = Body(
        description="When it was told (RFC 3339 with offset); not before publish_at")
    channel: Literal["door_to_door"] = "door_to_door"

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "household_id": "0192f0c4-2b1e-7c3a-9d4e-5f6a7b8c9d0e",
        "delivered_at": "2026-01-12T18:30:00+07:00", "channel": "door_to_door"}]})


class DeliveryRead(BaseModel):
    id: uuid.UUID
    announcement_id: uuid.UUID
    household_id: uuid.UUID
    channel: Channel
    delivered_at: datetime
    delivered_by_id: uuid.UUID
    delivered_by_name: str
    recorded_at: datetime

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples(_DELIVERY))


class DeliveryPage(Page[DeliveryRead]):
    """Households told in person, with the reach over the target units."""

    households_told: int
    target_households: int

    model_config = ConfigDict(json_schema_extra=examples({
        "items": [_DELIVERY], "next_cursor": None, "households_told": 212,
        "target_households": 684}))
