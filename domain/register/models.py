"""The register: households, residents and their digital-readiness facts."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, text
from sqlmodel import Field, SQLModel

from domain.base import Entity
from domain.types import EnumText, UTCDateTime, utcnow, uuid7


class Sex(StrEnum):
    male = "male"
    female = "female"


class ResidenceStatus(StrEnum):
    permanent = "permanent"  # thường trú
    temporary = "temporary"  # tạm trú
    temporarily_absent = "temporarily_absent"  # tạm vắng
    moved_out = "moved_out"  # đã chuyển đi
    deceased = "deceased"  # đã mất


class Relationship(StrEnum):
    head = "head"  # chủ hộ
    spouse = "spouse"  # vợ / chồng
    child = "child"  # con
    parent = "parent"  # cha / mẹ
    grandchild = "grandchild"  # cháu
    grandparent = "grandparent"  # ông / bà
    sibling = "sibling"  # anh / chị / em
    child_in_law = "child_in_law"  # con dâu / con rể
    other_relative = "other_relative"  # họ hàng khác
    other = "other"  # người ở cùng


class ReadinessKind(StrEnum):
    invited_to_group = "invited_to_group"  # được mời vào nhóm Zalo cộng đồng
    joined_group = "joined_group"  # đã tham gia nhóm
    has_smartphone = "has_smartphone"
    vneid_level1 = "vneid_level1"
    vneid_level2 = "vneid_level2"  # định danh điện tử mức 2
    public_service_portal = "public_service_portal"  # dùng Cổng dịch vụ công
    fraud_warning = "fraud_warning"  # đã được cảnh báo lừa đảo


class HouseholdResidence(StrEnum):
    permanent = "permanent"  # hộ thường trú
    temporary = "temporary"  # hộ tạm trú


class Household(Entity, table=True):
    """A household (hộ gia đình) at an address in a residential group."""

    __tablename__ = "household"
    __table_args__ = (
        Index(None, "group_id", "street_id", "house_number_sort", "id"),
        Index(None, "commune_id", "id"),
        # A code (mã hộ) is issued by the commune office: unique among the living
        # households of one commune; another commune may reuse it.
        Index(
            "uq_household_commune_id_code_living",
            "commune_id",
            "code",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
        Index(None, "code"),
    )

    code: str = Field(max_length=32)
    province_id: uuid.UUID = Field(foreign_key="admin_unit.id", ondelete="RESTRICT")
    commune_id: uuid.UUID = Field(foreign_key="admin_unit.id", ondelete="RESTRICT")
    group_id: uuid.UUID = Field(foreign_key="admin_unit.id", ondelete="RESTRICT")
    street_id: uuid.UUID | None = Field(default=None, foreign_key="street.id", ondelete="RESTRICT")
    house_number: str | None = Field(default=None, max_length=32)
    house_number_sort: int = Field(default=0)  # numeric part, for walking order
    old_address_text: str | None = Field(default=None, max_length=500)
    residence_type: HouseholdResidence = Field(default="permanent",
                                               sa_type=EnumText(HouseholdResidence, 16))
    head_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(
            ForeignKey("resident.id", ondelete="SET NULL", use_alter=True), nullable=True
        ),
    )
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# A key compared code point by code point on either database (the server's collation would
# reorder it).
SORT_KEY = String().with_variant(String(collation="C"), "postgresql")


class Resident(Entity, table=True):
    """A person in the register. Names are stored NFC; `name_folded` is the search key."""

    __tablename__ = "resident"
    __table_args__ = (
        Index(
            "uq_resident_id_number_living",
            "id_number",
            unique=True,
            postgresql_where=text("deleted_at IS NULL AND id_number IS NOT NULL"),
            sqlite_where=text("deleted_at IS NULL AND id_number IS NOT NULL"),
        ),
        Index(None, "group_id", "sort_key", "id"),
        Index(None, "commune_id", "id"),
        Index(None, "commune_id", "sort_key", "id"),
        Index(None, "sort_key", "id"),
        Index(None, "group_id", "full_name_key", "id"),
        Index(None, "commune_id", "full_name_key", "id"),
        Index(None, "full_name_key", "id"),
        Index(None, "household_id"),
        Index(None, "name_folded", "birth_date"),
        # `q` search: trigram index on the folded name (PostgreSQL; a plain index on SQLite).
        Index(
            "ix_resident_name_folded_trgm",
            "name_folded",
            postgresql_using="gin",
            postgresql_ops={"name_folded": "gin_trgm_ops"},
        ),
    )

    household_id: uuid.UUID | None = Field(
        default=None, foreign_key="household.id", ondelete="RESTRICT"
    )
    relationship: Relationship | None = Field(default=None, sa_type=EnumText(Relationship, 24))
    province_id: uuid.UUID = Field(foreign_key="admin_unit.id", ondelete="RESTRICT")
    commune_id: uuid.UUID = Field(foreign_key="admin_unit.id", ondelete="RESTRICT")
    group_id: uuid.UUID = Field(foreign_key="admin_unit.id", ondelete="RESTRICT")
    full_name: str = Field(max_length=200)
    name_folded: str = Field(max_length=200)
    # Search keys (domain/text.py): `name_folded` without diacritics, `name_lower` with them
    # (lower case, one tone style: "hoà" and "hòa" are one), both without apostrophes.
    name_lower: str = Field(default="", max_length=200)
    # Roster order (`vi_sort_key`: given name, family name, middle names, by the Vietnamese
    # alphabet), compared byte by byte: "C" on PostgreSQL, SQLite's BINARY.
    sort_key: str = Field(default="", sa_type=SORT_KEY)
    # `sort=full_name`: the name as written (family, middle, given), by the same alphabet.
    full_name_key: str = Field(default="", sa_type=SORT_KEY)
    birth_date: date | None = Field(default=None)
    birth_year: int | None = Field(default=None)
    sex: Sex = Field(sa_type=EnumText(Sex, 8))
    id_number: str | None = Field(default=None, max_length=12)  # số định danh cá nhân
    id_number_mismatch: bool = Field(default=False)  # digits 4-6 disagree with birth/sex
    phone: str | None = Field(default=None, max_length=16)  # E.164
    residence_status: ResidenceStatus = Field(sa_type=EnumText(ResidenceStatus, 24))
    residence_since: date | None = Field(default=None)
    status_changed_on: date | None = Field(default=None)  # moved out / deceased date
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ReadinessFact(SQLModel, table=True):
    """A dated fact about a resident's digital readiness and who recorded it."""

    __tablename__ = "readiness_fact"
    __table_args__ = (
        Index(None, "resident_id", "kind"),
        # Few facts name a guardian: a merge finds those naming the duplicate by this.
        Index(None, "guardian_id", postgresql_where=text("guardian_id IS NOT NULL"),
              sqlite_where=text("guardian_id IS NOT NULL")),
    )

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    resident_id: uuid.UUID = Field(foreign_key="resident.id", ondelete="CASCADE")
    kind: ReadinessKind = Field(sa_type=EnumText(ReadinessKind, 32))
    occurred_on: date
    # Who activated it with a child under 14 (VNeID level 2): a resident, 18 or over then.
    guardian_id: uuid.UUID | None = Field(default=None, foreign_key="resident.id",
                                          ondelete="SET NULL")
    recorded_by_id: uuid.UUID | None = Field(default=None)
    recorded_by_name: str | None = Field(default=None, max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ChangeLog(SQLModel, table=True):
    """One change to a household or resident, with the fields before and after (history)."""

    __tablename__ = "change_log"
    __table_args__ = (Index(None, "entity_type", "entity_id", "id"),)

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    entity_type: str = Field(max_length=16)  # household, resident
    entity_id: uuid.UUID
    action: str = Field(max_length=32)  # created, updated, moved, split, merged, deleted ...
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_id: uuid.UUID | None = Field(default=None)
    actor_name: str | None = Field(default=None, max_length=200)
    version: int = Field(default=1)
    before: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    after: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    related_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class TransferStatus(StrEnum):
    pending = "pending"  # asked, waiting for the resident's side
    approved = "approved"  # the resident moved into the target household
    rejected = "rejected"
    cancelled = "cancelled"  # withdrawn by the side that asked


class TransferRequest(Entity, table=True):
    """A request to move a person registered out of the requester's scope (chuyển đến) into a
    household of theirs. Its units are the target's (`*_id`) and, as they were when it was
    asked, the source record's (`source_*_id`): each side sees it through its own."""

    __tablename__ = "transfer_request"
    __table_args__ = (
        # One open request per person.
        Index("uq_transfer_request_resident_id_pending", "resident_id", unique=True,
              postgresql_where=text("status = 'pending'"),
              sqlite_where=text("status = 'pending'")),
        Index(None, "commune_id", "id"),
        Index(None, "source_commune_id", "id"),
    )

    id_number: str = Field(max_length=12)
    resident_id: uuid.UUID = Field(foreign_key="resident.id", ondelete="RESTRICT")
    household_id: uuid.UUID = Field(foreign_key="household.id", ondelete="RESTRICT")
    province_id: uuid.UUID = Field(foreign_key="admin_unit.id", ondelete="RESTRICT")
    commune_id: uuid.UUID = Field(foreign_key="admin_unit.id", ondelete="RESTRICT")
    group_id: uuid.UUID = Field(foreign_key="admin_unit.id", ondelete="RESTRICT")
    source_household_id: uuid.UUID | None = Field(default=None)
    source_province_id: uuid.UUID = Field(foreign_key="admin_unit.id", ondelete="RESTRICT")
    source_commune_id: uuid.UUID = Field(foreign_key="admin_unit.id", ondelete="RESTRICT")
    source_group_id: uuid.UUID = Field(foreign_key="admin_unit.id", ondelete="RESTRICT")
    relationship: Relationship = Field(sa_type=EnumText(Relationship, 24))
    residence_status: ResidenceStatus = Field(sa_type=EnumText(ResidenceStatus, 24))
    reason: str | None = Field(default=None, max_length=500)
    status: TransferStatus = Field(default="pending", sa_type=EnumText(TransferStatus, 16))
    requested_by_id: uuid.UUID | None = Field(default=None)
    requested_by_name: str | None = Field(default=None, max_length=200)
    decided_by_id: uuid.UUID | None = Field(default=None)
    decided_by_name: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_reason: str | None = Field(default=None, max_length=500)
