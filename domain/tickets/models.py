"""Support tickets (yêu cầu hỗ trợ): residents' requests, questions and fraud reports, their
categories, the timeline of what happened to each and the comments on it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, ForeignKey, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.access import Role
from domain.base import Entity
from domain.types import EnumText, UTCDateTime, utcnow, uuid7


class CategoryKind(StrEnum):
    public_service_help = "public_service_help"  # dịch vụ công trực tuyến
    administrative_procedure = "administrative_procedure"  # thủ tục hành chính
    app_help = "app_help"  # VNeID, ứng dụng số
    fraud_report = "fraud_report"  # báo lừa đảo
    feedback = "feedback"  # góp ý, phản ánh
    question = "question"
    other = "other"


class Priority(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    urgent = "urgent"


class TicketChannel(StrEnum):
    community_group = "community_group"  # nhóm Zalo cộng đồng
    door_to_door = "door_to_door"
    in_person = "in_person"  # tại trụ sở
    phone = "phone"
    citizen_app = "citizen_app"


class TicketStatus(StrEnum):
    new = "new"
    acknowledged = "acknowledged"
    in_progress = "in_progress"
    waiting_on_resident = "waiting_on_resident"  # the SLA clock pauses
    resolved = "resolved"
    closed = "closed"


class TicketOutcome(StrEnum):
    """How a resolved ticket ended, kept apart from open/closed."""

    answered = "answered"
    done = "done"
    duplicate = "duplicate"
    no_action_needed = "no_action_needed"
    referred = "referred"  # to another office


class Visibility(StrEnum):
    public = "public"  # a reply the requester reads
    internal = "internal"  # a note among staff, never shown to the requester


class EventKind(StrEnum):
    opened = "opened"
    transition = "transition"
    comment = "comment"
    assignment = "assignment"
    update = "update"
    attachment = "attachment"
    breach = "breach"  # a service target passed (set by the periodic job)
    published = "published"  # a fraud warning announcement made from the ticket


class TicketCategory(Entity, table=True):
    """What a ticket is about, with its default team and SLA targets in working minutes;
    global (no commune) or a commune's own."""

    __tablename__ = "ticket_category"
    __table_args__ = (UniqueConstraint("commune_id", "code"),)

    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    kind: CategoryKind = Field(sa_type=EnumText(CategoryKind, 32))
    default_team: Role | None = Field(default=None, sa_type=EnumText(Role, 32))
    default_priority: Priority = Field(default=Priority.normal, sa_type=EnumText(Priority, 16))
    first_response_minutes: int
    resolution_minutes: int
    active: bool = Field(default=True)
    commune_id: uuid.UUID | None = Field(default=None, foreign_key="admin_unit.id", index=True)
    created_by_id: uuid.UUID | None = Field(default=None)


class Ticket(Entity, table=True):
    """One request, from a resident of the register or a contact who is not in it."""

    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("commune_id", "code"),
        Index(None, "commune_id", "status", "created_at", "id"),
        Index(None, "commune_id", "created_at", "id"),
        Index(None, "group_id", "created_at", "id"),
        # `q` search: trigram index on the folded subject (PostgreSQL; plain on SQLite).
        Index("ix_ticket_subject_folded_trgm", "subject_folded", postgresql_using="gin",
              postgresql_ops={"subject_folded": "gin_trgm_ops"}),
    )

    code: str = Field(max_length=16)  # short, said over the phone
    requester_resident_id: uuid.UUID | None = Field(default=None, foreign_key="resident.id")
    contact_name: str | None = Field(default=None, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=20)
    contact_email: str | None = Field(default=None, max_length=254)
    household_id: uuid.UUID | None = Field(default=None, foreign_key="household.id", index=True)
    province_id: uuid.UUID = Field(foreign_key="admin_unit.id", index=True)
    commune_id: uuid.UUID = Field(foreign_key="admin_unit.id")
    group_id: uuid.UUID | None = Field(default=None, foreign_key="admin_unit.id")
    channel: TicketChannel = Field(sa_type=EnumText(TicketChannel, 24))
    subject: str = Field(max_length=200)
    description: str = Field(max_length=4000)
    subject_folded: str = Field(max_length=200)  # `q` search, domain/text.py fold
    category_id: uuid.UUID = Field(foreign_key="ticket_category.id", index=True)
    priority: Priority = Field(sa_type=EnumText(Priority, 16))
    status: TicketStatus = Field(default=TicketStatus.new, sa_type=EnumText(TicketStatus, 24))
    outcome: TicketOutcome | None = Field(default=None, sa_type=EnumText(TicketOutcome, 24))
    duplicate_of_id: uuid.UUID | None = Field(default=None, foreign_key="ticket.id")
    assignee_id: uuid.UUID | None = Field(default=None, foreign_key="user_account.id",
                                          index=True)
    team: Role | None = Field(default=None, sa_type=EnumText(Role, 32))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    opened_by_id: uuid.UUID = Field(index=True)
    on_behalf: bool = Field(default=False)
    visit_id: uuid.UUID | None = Field(default=None, foreign_key="visit.id")
    # A need raised at the door becomes at most one ticket.
    visit_need_id: uuid.UUID | None = Field(default=None, foreign_key="visit_need.id",
                                            unique=True)
    # Where, when it is not the household's address (Open311 `address_string`, lat/long).
    address: str | None = Field(default=None, max_length=300)
    latitude: float | None = Field(default=None)
    longitude: float | None = Field(default=None)
    # The fraud warning published from this report (outreach's announcement).
    announcement_id: uuid.UUID | None = Field(default=None, foreign_key="announcement.id")
    first_response_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_responded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    waiting_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paused_minutes: int = Field(default=0)  # working minutes spent waiting on the resident
    # Working minutes taken, set when the first answer / the resolution comes (stats).
    first_response_work_minutes: int | None = Field(default=None)
    resolution_work_minutes: int | None = Field(default=None)
    first_response_breached: bool = Field(default=False)
    resolution_breached: bool = Field(default=False)


class TicketComment(SQLModel, table=True):
    """A public reply or an internal note; `visibility` is always said, never defaulted."""

    __tablename__ = "ticket_comment"
    __table_args__ = (Index(None, "ticket_id", "created_at", "id"),)

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    ticket_id: uuid.UUID = Field(sa_column=Column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False))
    body: str = Field(max_length=4000)
    visibility: Visibility = Field(sa_type=EnumText(Visibility, 16))
    author_id: uuid.UUID
    author_name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TicketEvent(SQLModel, table=True):
    """One line of a ticket's timeline; a comment's line has the comment's visibility."""

    __tablename__ = "ticket_event"
    __table_args__ = (Index(None, "ticket_id", "occurred_at", "id"),)

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    ticket_id: uuid.UUID = Field(sa_column=Column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False))
    kind: EventKind = Field(sa_type=EnumText(EventKind, 16))
    visibility: Visibility = Field(default=Visibility.public, sa_type=EnumText(Visibility, 16))
    from_status: TicketStatus | None = Field(default=None, sa_type=EnumText(TicketStatus, 24))
    to_status: TicketStatus | None = Field(default=None, sa_type=EnumText(TicketStatus, 24))
    outcome: TicketOutcome | None = Field(default=None, sa_type=EnumText(TicketOutcome, 24))
    comment_id: uuid.UUID | None = Field(default=None)
    assignee_id: uuid.UUID | None = Field(default=None)
    note: str | None = Field(default=None, max_length=4000)
    actor_id: uuid.UUID
    actor_name: str = Field(max_length=200)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TicketAttachment(SQLModel, table=True):
    """A file on a ticket (a scam message's screenshot, a photo of a form): the cleaned
    bytes sit in the blob storage under `storage_key`, this row says what they are."""

    __tablename__ = "ticket_attachment"
    __table_args__ = (Index(None, "ticket_id", "created_at", "id"),)

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    ticket_id: uuid.UUID = Field(sa_column=Column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False))
    storage_key: str = Field(max_length=64, unique=True)
    file_name: str = Field(max_length=200)
    media_type: str = Field(max_length=64)
    size_bytes: int
    sha256: str = Field(max_length=64)
    width: int | None = Field(default=None)
    height: int | None = Field(default=None)
    visibility: Visibility = Field(sa_type=EnumText(Visibility, 16))
    uploaded_by_id: uuid.UUID
    uploaded_by_name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def etag(self) -> str:
        """The stored bytes' digest: an attachment never changes, so it is its version."""
        return f'"{self.sha256}"'


class Holiday(Entity, table=True):
    """A public holiday (ngày nghỉ lễ, Tết): no working time that day on any ticket's
    clock. Set per year by administrators, since Tết moves with the lunar calendar."""

    __tablename__ = "work_holiday"

    day: date = Field(unique=True)
    name: str = Field(max_length=200)
    created_by_id: uuid.UUID | None = Field(default=None)
