"""Request and response shapes for units and streets."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from domain.paging import Page
from domain.types import line
from domain.units.models import UnitKind, UnitLevel

ProvinceOrCommuneCode = Annotated[str, StringConstraints(pattern=r"^(\d{2}|\d{5})$")]


class Strict(BaseModel):
    """Request bodies reject unknown fields: mass assignment is a 422, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class UnitCreate(Strict):
    """A new unit. Provinces carry a 2-digit code, communes a 5-digit code, groups none."""

    kind: UnitKind
    name: line(200)
    code: ProvinceOrCommuneCode | None = None
    parent_id: uuid.UUID | None = None
    old_address_text: line(500) | None = None

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "neighbourhood",
                    "name": "Tổ dân phố Trần Phú",
                    "parent_id": "0192f0c4-2b1e-7c3a-9d4e-5f6a7b8c9d0e",
                    "old_address_text": "Khu vực 3, phường Lê Lợi, TP Quy Nhơn, tỉnh Bình Định",
                }
            ]
        },
    )


class UnitUpdate(Strict):
    """Fields absent stay as they are. Kind and parent are fixed once created."""

    name: line(200) | None = None
    code: ProvinceOrCommuneCode | None = None
    old_address_text: line(500) | None = None


class UnitRead(BaseModel):
    """An administrative unit as clients see it."""

    id: uuid.UUID
    level: UnitLevel
    kind: UnitKind
    code: str | None
    name: str
    parent_id: uuid.UUID | None
    province_id: uuid.UUID | None
    commune_id: uuid.UUID | None
    old_address_text: str | None
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(from_attributes=True)


class StreetCreate(Strict):
    """A street in a commune; `old_name` keeps the name on older papers."""

    commune_id: uuid.UUID
    name: line(200)
    old_name: line(200) | None = None

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"commune_id": "0192f0c4-2b1e-7c3a-9d4e-5f6a7b8c9d0e", "name": "Trần Phú"}]
        },
    )


class StreetUpdate(Strict):
    name: line(200) | None = None
    old_name: line(200) | None = None


class StreetRead(BaseModel):
    id: uuid.UUID
    commune_id: uuid.UUID
    province_id: uuid.UUID
    name: str
    old_name: str | None
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(from_attributes=True)


class UnitPage(Page[UnitRead]):  # its name in the OpenAPI document
    pass


class StreetPage(Page[StreetRead]):  # its name in the OpenAPI document
    pass
