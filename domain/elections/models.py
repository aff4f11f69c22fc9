"""Elections (bầu cử): an election with its levels and key dates, its polling areas (khu vực
bỏ phiếu) over residential groups and streets of a commune, and the exclusions of people
deprived of the right to vote. Every date and rule is a property of an election."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import JSON, Column, ForeignKey, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from domain.base import Entity
from domain.types import EnumText, UTCDateTime, utcnow


class ElectionLevel(StrEnum):
    """The ballots an election has (cấp bầu cử)."""

    national_assembly = "national_assembly"  # đại biểu Quốc hội
    provincial_council = "provincial_council"  # HĐND cấp tỉnh
    commune_council = "commune_council"  # HĐND cấp xã


class ExclusionReason(StrEnum):
    """Why a citizen is not listed (Law on the Election of Deputies, art. 30)."""

    court_deprived = "court_deprived"  # bị tước quyền bầu cử theo bản án, quyết định của Tòa án
    death_sentence_pending = "death_sentence_pending"  # bị kết án tử hình đang chờ thi hành
    serving_prison_term = "serving_prison_term"  # đang chấp hành hình phạt tù
    lost_civil_capacity = "lost_civil_capacity"  # mất năng lực hành vi dân sự


class Election(Entity, table=True):
    """One election: national (no unit), or a by-election of a province or a commune."""

    __tablename__ = "election"
    __table_args__ = (Index(None, "election_day", "id"),)

    name: str = Field(max_length=200)
    election_day: date
    levels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    list_posting_on: date  # niêm yết danh sách cử tri
    amendment_deadline_at: datetime = Field(sa_type=UTCDateTime)  # last change to the lists
    complaint_deadline_on: date  # khiếu nại về danh sách cử tri settled by
    voting_opens_at: time  # local time (Asia/Ho_Chi_Minh) on election day
    province_id: uuid.UUID | None = Field(default=None, foreign_key="admin_unit.id",
                                          index=True)
    commune_id: uuid.UUID | None = Field(default=None, foreign_key="admin_unit.id",
                                         index=True)
    created_by_id: uuid.UUID | None = Field(default=None)


class PollingArea(Entity, table=True):
    """A polling area (khu vực bỏ phiếu) of one commune for one election."""

    __tablename__ = "polling_area"
    __table_args__ = (UniqueConstraint("election_id", "commune_id", "code"),
                      Index(None, "commune_id", "id"))

    election_id: uuid.UUID = Field(foreign_key="election.id", ondelete="RESTRICT", index=True)
    province_id: uuid.UUID = Field(foreign_key="admin_unit.id")
    commune_id: uuid.UUID = Field(foreign_key="admin_unit.id")
    code: str = Field(max_length=10)  # "05"
    name: str = Field(max_length=200)  # "Khu vực bỏ phiếu số 5"


class PollingAreaUnit(SQLModel, table=True):
    """A residential group of a polling area; one area per group and election."""

    __tablename__ = "polling_area_unit"
    __table_args__ = (UniqueConstraint("election_id", "unit_id"),)

    polling_area_id: uuid.UUID = Field(sa_column=Column(
        ForeignKey("polling_area.id", ondelete="CASCADE"), primary_key=True))
    unit_id: uuid.UUID = Field(foreign_key="admin_unit.id", primary_key=True)
    election_id: uuid.UUID = Field(foreign_key="election.id")


class PollingAreaStreet(SQLModel, table=True):
    """A street of a polling area: its households vote there whatever their group (a street
    splits a group between areas); one area per street and election."""

    __tablename__ = "polling_area_street"
    __table_args__ = (UniqueConstraint("election_id", "street_id"),)

    polling_area_id: uuid.UUID = Field(sa_column=Column(
        ForeignKey("polling_area.id", ondelete="CASCADE"), primary_key=True))
    street_id: uuid.UUID = Field(foreign_key="street.id", primary_key=True)
    election_id: uuid.UUID = Field(foreign_key="election.id")


class Exclusion(Entity, table=True):
    """A citizen not listed in one election, with the legal reason and the document (số
    quyết định / bản án); `revoked_at` when their rights were restored. The units are the
    resident's when it was recorded, for scope."""

    __tablename__ = "election_exclusion"
    __table_args__ = (
        # One active exclusion per person and election.
        Index("uq_election_exclusion_election_id_resident_id_active", "election_id",
              "resident_id", unique=True, postgresql_where=text("revoked_at IS NULL"),
              sqlite_where=text("revoked_at IS NULL")),
        Index(None, "election_id", "commune_id", "id"),
    )

    election_id: uuid.UUID = Field(foreign_key="election.id", ondelete="RESTRICT")
    resident_id: uuid.UUID = Field(foreign_key="resident.id", ondelete="RESTRICT", index=True)
    province_id: uuid.UUID = Field(foreign_key="admin_unit.id")
    commune_id: uuid.UUID = Field(foreign_key="admin_unit.id")
    group_id: uuid.UUID = Field(foreign_key="admin_unit.id")
    reason: ExclusionReason = Field(sa_type=EnumText(ExclusionReason, 32))
    document_ref: str = Field(max_length=200)
    note: str | None = Field(default=None, max_length=4000)
    recorded_by_id: uuid.UUID
    recorded_by_name: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by_id: uuid.UUID | None = Field(default=None)
    revoked_by_name: str | None = Field(default=None, max_length=200)
    revoke_note: str | None = Field(default=None, max_length=4000)

