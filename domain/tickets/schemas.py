"""Bodies and answers of the tickets area."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StrictBool, StringConstraints
from pydantic import Field as Body

from domain.access import Role
from domain.announcements.models import Channel
from domain.examples import (
    COMMUNE,
    GROUP,
    HOUSEHOLD,
    PROVINCE,
    RECORD,
    RESIDENT,
    USER,
    examples,
    stamps,
)
from domain.paging import Page
from domain.register.schemas import RawPhone
from domain.tickets.models import (
    CategoryKind,
    EventKind,
    Priority,
    TicketChannel,
    TicketOutcome,
    TicketStatus,
    Visibility,
)
from domain.types import Clearable, FilledNote, Omittable, PlanDate, ScheduleInstant, line
from domain.units.schemas import Strict

Minutes = Annotated[int, Body(ge=1, le=60 * 24 * 365, description="Working minutes")]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9_-]+$")]
CategoryCode = Annotated[str, StringConstraints(min_length=1, max_length=40,
                                                pattern=r"^[a-z0-9_-]+$")]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254,
                                         pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Latitude = Annotated[float, Body(ge=-90, le=90)]
Longitude = Annotated[float, Body(ge=-180, le=180)]

_CATEGORY = {
    "code": "vneid", "name": "Hỗ trợ VNeID", "name_en": "VNeID help", "kind": "app_help",
    "default_team": "group_leader", "default_priority": "normal",
    "first_response_minutes": 240, "resolution_minutes": 1440}


class CategoryCreate(Strict):
    """A commune's category, or a global one (admins, no `commune_id`)."""

    code: CategoryCode
    name: line(200)
    name_en: line(200) | None = None
    kind: CategoryKind
    default_team: Role | None = None
    default_priority: Priority = Priority.normal
    first_response_minutes: Minutes
    resolution_minutes: Minutes
    commune_id: uuid.UUID | None = Body(default=None, description=(
        "Your commune when absent (needed if you have several); an admin's: a global one"))

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(
        {**_CATEGORY, "commune_id": COMMUNE}))


class CategoryUpdate(Strict):
    name: Omittable[line(200)] = None
    name_en: Clearable[line(200)] = None
    default_team: Clearable[Role] = None
    default_priority: Omittable[Priority] = None
    first_response_minutes: Omittable[Minutes] = None
    resolution_minutes: Omittable[Minutes] = None
    active: Omittable[StrictBool] = None  # 0 or "yes" is no boolean

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(
        {"resolution_minutes": 2880, "active": True}))


class CategoryRead(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    name_en: str | None
    kind: CategoryKind
    default_team: Role | None
    default_priority: Priority
    first_response_minutes: int
    resolution_minutes: int
    active: bool
    commune_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples(
        {"id": RECORD, **_CATEGORY, "active": True, "commune_id": COMMUNE, **stamps()}))


class CategoryPage(Page[CategoryRead]):
    pass


class TicketCreate(Strict):
    """A request. Staff and volunteers open it on a resident's behalf and name the requester
    (`requester_resident_id`, or `contact_name` and `contact_phone`); a resident opens their
    own and names nobody."""

    subject: line(200)
    description: FilledNote
    category_id: uuid.UUID
    channel: TicketChannel
    unit_id: uuid.UUID | None = Body(
        default=None, description="The residential group or commune; the household's if absent")
    household_id: uuid.UUID | None = None
    requester_resident_id: uuid.UUID | None = None
    contact_name: line(200) | None = None
    contact_phone: RawPhone | None = None
    contact_email: Email | None = None
    address: line(300) | None = Body(
        default=None, description="Where, when it is not the household's address")
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    priority: Priority | None = Body(default=None, description="The category's by default")
    tags: list[Tag] = Body(default_factory=list, max_length=20)

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples({
        "subject": "Không kích hoạt được VNeID mức 2",
        "description": "Bà Ánh đã chụp ảnh CCCD nhưng ứng dụng báo lỗi.",
        "category_id": RECORD, "channel": "door_to_door", "household_id": HOUSEHOLD,
        "requester_resident_id": RESIDENT, "tags": ["vneid"]}))


class TicketFromNeed(Strict):
    """All optional: the need says the rest (household, requester, visit, description)."""

    category_id: uuid.UUID | None = Body(default=None, description=(
        "The commune's active category of the need's kind when absent"))
    subject: line(200) | None = Body(default=None, description=(
        "The need's label and the first line of its description when absent"))
    priority: Priority | None = Body(default=None, description="The category's by default")

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(
        {"priority": "high"}))


class WarningCreate(Strict):
    """A fraud warning (cảnh báo lừa đảo) made from a confirmed fraud report."""

    title: line(200)
    body: FilledNote
    unit_ids: list[uuid.UUID] | None = Body(default=None, min_length=1, max_length=500,
                                            description=(
        "Residential groups, or the commune itself; the ticket's group (else its commune) "
        "when absent"))
    channels: list[Channel] = Body(min_length=1, max_length=3)
    publish_at: ScheduleInstant | None = Body(default=None, description=(
        "RFC 3339 with offset; now when absent, later = scheduled"))

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples({
        "title": "Cảnh giác cuộc gọi giả danh công an",
        "body": "Công an không gọi điện yêu cầu chuyển tiền hay cài ứng dụng lạ.",
        "channels": ["community_group", "door_to_door"]}))


class TicketUpdate(Strict):
    """Fields absent stay as they are; `assignee_id: null` unassigns."""

    assignee_id: Clearable[uuid.UUID] = None
    team: Clearable[Role] = None
    priority: Omittable[Priority] = None
    tags: Omittable[list[Tag]] = Body(default=None, max_length=20)
    category_id: Omittable[uuid.UUID] = None

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(
        {"assignee_id": USER, "priority": "high", "tags": ["vneid", "elderly"]}))


class TransitionCreate(Strict):
    """A move in the workflow; `resolved` needs an `outcome`, `duplicate` a
    `duplicate_of_id`."""

    to: TicketStatus
    outcome: TicketOutcome | None = None
    duplicate_of_id: uuid.UUID | None = None
    note: FilledNote | None = Body(default=None, description="Staff only: never shown to the "
                                                              "requester")

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(
        {"to": "resolved", "outcome": "answered", "note": "Đã hướng dẫn tại nhà."}))


class CommentCreate(Strict):
    body: FilledNote
    visibility: Visibility = Body(description="public: the requester reads it; internal: "
                                              "staff only. Required, no default")

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(
        {"body": "Chúng tôi sẽ đến hỗ trợ bác vào chiều thứ Bảy.", "visibility": "public"}))


_TICKET = {
    "id": RECORD, "code": "3F2A9C1E", "requester_resident_id": RESIDENT,
    "contact_name": None, "contact_phone": None, "household_id": HOUSEHOLD,
    "province_id": PROVINCE, "commune_id": COMMUNE, "group_id": GROUP,
    "channel": "door_to_door", "subject": "Không kích hoạt được VNeID mức 2",
    "description": "Bà Ánh đã chụp ảnh CCCD nhưng ứng dụng báo lỗi.",
    "category_id": RECORD, "priority": "normal", "status": "new", "outcome": None,
    "duplicate_of_id": None, "assignee_id": None, "team": "group_leader", "tags": ["vneid"],
    "opened_by_id": USER, "on_behalf": True, "visit_id": None, "contact_email": None,
    "address": None, "latitude": None, "longitude": None, "visit_need_id": None,
    "announcement_id": None,
    "first_response_due_at": None, "resolution_due_at": None, "first_responded_at": None,
    "resolved_at": None, "closed_at": None, "waiting_since": None, "paused_minutes": 0,
    "first_response_breached": False, "resolution_breached": False,
    "masked_fields": [], **stamps()}


class TicketRead(BaseModel):
    id: uuid.UUID
    code: str
    requester_resident_id: uuid.UUID | None
    contact_name: str | None
    contact_phone: str | None
    household_id: uuid.UUID | None
    province_id: uuid.UUID
    commune_id: uuid.UUID
    group_id: uuid.UUID | None
    channel: TicketChannel
    subject: str
    description: str
    category_id: uuid.UUID
    priority: Priority
    status: TicketStatus
    outcome: TicketOutcome | None
    duplicate_of_id: uuid.UUID | None
    assignee_id: uuid.UUID | None
    team: Role | None
    tags: list[str]
    opened_by_id: uuid.UUID
    on_behalf: bool
    visit_id: uuid.UUID | None
    contact_email: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    visit_need_id: uuid.UUID | None = Body(description="The need raised at the door it came "
                                                        "from")
    announcement_id: uuid.UUID | None = Body(description="The fraud warning published from it")
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    first_responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    waiting_since: datetime | None
    paused_minutes: int
    first_response_breached: bool
    resolution_breached: bool
    masked_fields: list[str] = Body(description="Personal fields masked for your role")
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples(_TICKET))


class TicketPage(Page[TicketRead]):
    pass


_COMMENT = {"id": RECORD, "ticket_id": RECORD,
            "body": "Chúng tôi sẽ đến hỗ trợ bác vào chiều thứ Bảy.", "visibility": "public",
            "author_id": USER, "author_name": "Phạm Minh Tuấn",
            "created_at": "2026-01-12T02:15:00Z"}


class CommentRead(BaseModel):
    id: uuid.UUID
    ticket_id: uuid.UUID
    body: str
    visibility: Visibility
    author_id: uuid.UUID
    author_name: str
    created_at: datetime

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples(_COMMENT))


class CommentPage(Page[CommentRead]):
    pass


_EVENT = {"id": RECORD, "ticket_id": RECORD, "kind": "transition", "visibility": "public",
          "from_status": "new", "to_status": "acknowledged", "outcome": None,
          "comment_id": None, "assignee_id": None, "note": None, "actor_id": USER,
          "actor_name": "Phạm Minh Tuấn", "occurred_at": "2026-01-12T02:15:00Z"}


class EventRead(BaseModel):
    id: uuid.UUID
    ticket_id: uuid.UUID
    kind: EventKind
    visibility: Visibility
    from_status: TicketStatus | None
    to_status: TicketStatus | None
    outcome: TicketOutcome | None
    comment_id: uuid.UUID | None
    assignee_id: uuid.UUID | None
    note: str | None = Body(default=None, description="Absent for residents")
    actor_id: uuid.UUID
    actor_name: str
    occurred_at: datetime

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples(_EVENT))


class EventPage(Page[EventRead]):
    pass


_HOLIDAY = {"day": "2026-04-27", "name": "Giỗ Tổ Hùng Vương (nghỉ bù)"}


class HolidayCreate(Strict):
    """A public holiday: no working time that day on any ticket's clock."""

    day: PlanDate
    name: line(200)

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(_HOLIDAY))


class HolidayRead(BaseModel):
    id: uuid.UUID
    day: date
    name: str
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples(
        {"id": RECORD, **_HOLIDAY, **stamps()}))


class HolidayPage(Page[HolidayRead]):
    pass


_ATTACHMENT = {"id": RECORD, "ticket_id": RECORD, "file_name": "tin-nhan-lua-dao.jpg",
               "media_type": "image/jpeg", "size_bytes": 184_302,
               "sha256": "9f2c4e0b7a1d3c5e8f6a2b4d9c0e1f3a5b7c9d2e4f6a8b0c1d3e5f7a9b2c4d6e",
               "width": 1080, "height": 2340, "visibility": "public", "uploaded_by_id": USER,
               "uploaded_by_name": "Phạm Minh Tuấn", "created_at": "2026-01-12T02:15:00Z"}


class AttachmentRead(BaseModel):
    """A file on a ticket; its bytes are at `.../attachments/{id}/content`."""

    id: uuid.UUID
    ticket_id: uuid.UUID
    file_name: str = Body(description="The name given, cleaned; its extension is the type's")
    media_type: str = Body(description="Judged from the content: image/jpeg, image/png, "
                                       "image/webp or application/pdf")
    size_bytes: int = Body(description="Of the stored file (images without their metadata)")
    sha256: str = Body(description="Hex digest of the stored file; its ETag")
    width: int | None = Body(default=None, description="Images: pixels, upright")
    height: int | None = Body(default=None, description="Images: pixels, upright")
    visibility: Visibility
    uploaded_by_id: uuid.UUID
    uploaded_by_name: str
    created_at: datetime

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples(_ATTACHMENT))


class AttachmentPage(Page[AttachmentRead]):
    pass
