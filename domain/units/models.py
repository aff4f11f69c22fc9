"""Administrative units since 1 July 2025: province → commune → residential group; streets."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.base import Entity
from domain.types import EnumText, UTCDateTime, utcnow


class UnitLevel(StrEnum):
    province = "province"  # tỉnh / thành phố trực thuộc trung ương
    commune = "commune"  # xã / phường / đặc khu
    group = "group"  # tổ dân phố / thôn / ấp / bản


class UnitKind(StrEnum):
    province = "province"  # tỉnh
    municipality = "municipality"  # thành phố trực thuộc trung ương
    ward = "ward"  # phường
    commune = "commune"  # xã
    special_zone = "special_zone"  # đặc khu
    neighbourhood = "neighbourhood"  # tổ dân phố
    village = "village"  # thôn
    hamlet = "hamlet"  # ấp
    ban = "ban"  # bản


LEVEL_OF_KIND: dict[UnitKind, UnitLevel] = {
    UnitKind.province: UnitLevel.province,
    UnitKind.municipality: UnitLevel.province,
    UnitKind.ward: UnitLevel.commune,
    UnitKind.commune: UnitLevel.commune,
    UnitKind.special_zone: UnitLevel.commune,
    UnitKind.neighbourhood: UnitLevel.group,
    UnitKind.village: UnitLevel.group,
    UnitKind.hamlet: UnitLevel.group,
    UnitKind.ban: UnitLevel.group,
}

PARENT_LEVEL: dict[UnitLevel, UnitLevel | None] = {
    UnitLevel.province: None,
    UnitLevel.commune: UnitLevel.province,
    UnitLevel.group: UnitLevel.commune,
}


class AdminUnit(Entity, table=True):
    """An administrative unit; `province_id`/`commune_id` are denormalised for scope checks."""

    __tablename__ = "admin_unit"
    __table_args__ = (
        UniqueConstraint("code"),
        Index(None, "parent_id", "name_folded", "id"),
        Index(None, "name_folded", "id"),
    )

    level: UnitLevel = Field(sa_type=EnumText(UnitLevel, 16), index=True)
    kind: UnitKind = Field(sa_type=EnumText(UnitKind, 16))
    code: str | None = Field(default=None, max_length=10)  # Decision 19/2025/QĐ-TTg
    name: str = Field(max_length=200)
    name_folded: str = Field(max_length=200)
    parent_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(ForeignKey("admin_unit.id", ondelete="RESTRICT"))
    )
    province_id: uuid.UUID | None = Field(default=None, index=True)
    commune_id: uuid.UUID | None = Field(default=None, index=True)
    old_address_text: str | None = Field(default=None, max_length=500)


class RetiredUnitCode(SQLModel, table=True):
    """A code a unit held and gave up (the unit deleted, or its code changed): codes are
    never given again (Decision 19/2025/QĐ-TTg), so it stays taken by the unit that had it."""

    __tablename__ = "retired_unit_code"

    code: str = Field(primary_key=True, max_length=10)
    unit_id: uuid.UUID  # the unit that held it; it may be gone
    unit_name: str = Field(max_length=200)
    retired_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Street(Entity, table=True):
    """A street (đường, phố) within a commune; it may cross several residential groups."""

    __tablename__ = "street"
    __table_args__ = (
        UniqueConstraint("commune_id", "name_folded"),
        Index(None, "name_folded", "id"),
    )

    commune_id: uuid.UUID = Field(foreign_key="admin_unit.id", ondelete="RESTRICT")
    province_id: uuid.UUID = Field(foreign_key="admin_unit.id", ondelete="RESTRICT", index=True)
    name: str = Field(max_length=200)
    name_folded: str = Field(max_length=200)
    old_name: str | None = Field(default=None, max_length=200)
