"""Request and response shapes for units and streets."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from domain.examples import COMMUNE, GROUP, PROVINCE, STREET, examples, stamps
from domain.paging import Page
from domain.types import Clearable, Omittable, line
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

    name: Omittable[line(200)] = None
    code: Clearable[ProvinceOrCommuneCode] = None
    old_address_text: Clearable[line(500)] = None

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(
        {"name": "Phường Bình Định", "code": "21550"}, {"old_address_text": None}))


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

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples({
        "id": GROUP, "level": "group", "kind": "neighbourhood", "code": None,
        "name": "Tổ dân phố Trần Phú", "parent_id": COMMUNE, "province_id": PROVINCE,
        "commune_id": COMMUNE,
        "old_address_text": "phường Bình Định, thị xã An Nhơn, tỉnh Bình Định", **stamps()}))


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
    """Fields absent stay as they are; `old_name: null` forgets the old name."""

    name: Omittable[line(200)] = None
    old_name: Clearable[line(200)] = None

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(
        {"name": "Trần Phú", "old_name": "Đường số 3"}, {"old_name": None}))


class StreetRead(BaseModel):
    id: uuid.UUID
    commune_id: uuid.UUID
    province_id: uuid.UUID
    name: str
    old_name: str | None
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples({
        "id": STREET, "commune_id": COMMUNE, "province_id": PROVINCE, "name": "Trần Phú",
        "old_name": "Đường số 3", **stamps(2)}))


class UnitPage(Page[UnitRead]):  # its name in the OpenAPI document
    pass


class StreetPage(Page[StreetRead]):  # its name in the OpenAPI document
    pass
