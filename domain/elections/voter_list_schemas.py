"""Bodies and answers of voter lists: a polling area's imported versions, their rows as the
commune office wrote them, the difference between two versions, and saved column mappings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic import Field as Body

from domain.elections.schemas import ELECTION, POLLING_AREA
from domain.examples import COMMUNE, CREATED, PROVINCE, RECORD, USER, examples, stamps
from domain.paging import Page
from domain.types import line
from domain.units.schemas import Strict

VOTER_LIST = "0192f0f0-3c4d-7e5f-8a9b-0c1d2e3f4a60"
_HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Dân tộc",
           "Nơi thường trú", "Ghi chú"]
_COLUMNS = {"STT": "seq", "Họ và tên": "full_name", "Ngày sinh": "birth_date",
            "Giới tính": "sex", "Số CCCD": "id_number", "Dân tộc": "ethnicity",
            "Nơi thường trú": "address", "Ghi chú": "note"}
_ROW = {"line": 2, "seq": "1", "full_name": "Nguyễn Thị Ánh", "name_folded": "nguyen thi anh",
        "birth_date": "1985-05-17", "birth_year": 1985, "sex": "female",
        "id_number": "052185001234", "address": "12 Trần Phú, Phường Bình Định, Gia Lai"}
_CELLS = {"STT": "1", "Họ và tên": "Nguyễn Thị Ánh", "Ngày sinh": "17/05/1985",
          "Giới tính": "Nữ", "Số CCCD": "052185001234", "Dân tộc": "Kinh",
          "Nơi thường trú": "12 Trần Phú, Phường Bình Định, Gia Lai", "Ghi chú": ""}
Field = Annotated[str, StringConstraints(pattern=(
    r"^(seq|full_name|birth_date|birth_year|sex|id_number|ethnicity|address|note)$"))]
Columns = Annotated[dict[Annotated[str, StringConstraints(min_length=1, max_length=200)], Field],
                    Body(min_length=1, max_length=100, description=(
                        "Header as the file writes it → field"))]


class VoterListRead(BaseModel):
    """One imported version of a polling area's official list, as it was imported."""

    id: uuid.UUID
    election_id: uuid.UUID
    polling_area_id: uuid.UUID
    province_id: uuid.UUID
    commune_id: uuid.UUID
    number: int = Body(description="1 for the area's first list, then one more per import")
    import_job_id: uuid.UUID | None
    filename: str
    file_sha256: str
    header: list[str] = Body(description="The file's header row, as written")
    columns: dict[str, str] = Body(description="Header → field, as the import read them")
    row_count: int
    imported_by_id: uuid.UUID | None
    imported_by_name: str | None
    finalised_at: datetime | None
    counts: dict[str, int] | None = Body(default=None, description=(
        "Rows, and those with an ID number, a birth date, a birth year, a sex read (one "
        "version's read only)"))
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples(
        {"id": VOTER_LIST, "election_id": ELECTION, "polling_area_id": POLLING_AREA,
         "province_id": PROVINCE, "commune_id": COMMUNE, "number": 2,
         "import_job_id": RECORD, "filename": "danh-sach-cu-tri-kvbp-05.xlsx",
         "file_sha256": "9f2c" * 16, "header": _HEADER, "columns": _COLUMNS,
         "row_count": 1342, "imported_by_id": USER, "imported_by_name": "Phạm Minh Tuấn",
         "finalised_at": None, "counts": {"rows": 1342, "with_id_number": 1320,
                                          "with_birth_date": 1338, "with_birth_year": 1342,
                                          "with_sex": 1342}, **stamps()}))


class VoterListPage(Page[VoterListRead]):
    pass


class VoterListRowRead(BaseModel):
    """A row of a list: its cells exactly as imported (header → text) and the fields read
    from them (null where a cell is empty or could not be read)."""

    id: uuid.UUID
    version_id: uuid.UUID
    line: int = Body(description="The file's line (the header is line 1)")
    seq: str | None
    full_name: str
    name_folded: str
    birth_date: date | None = Body(description="Null when only a year is known, or masked")
    birth_year: int | None
    sex: Literal["male", "female"] | None
    id_number: str | None = Body(description="All but the last 4 digits masked for your role")
    address: str | None
    cells: dict[str, str] | None = Body(description=(
        "The row as imported; null when masked for your role (it holds the personal data)"))
    masked_fields: list[str] = Body(description="Personal fields masked for your role")

    model_config = ConfigDict(json_schema_extra=examples(
        {"id": RECORD, "version_id": VOTER_LIST, **_ROW, "cells": _CELLS,
         "masked_fields": []}))


class VoterListRowPage(Page[VoterListRowRead]):
    pass


class VoterListDiffRow(BaseModel):
    """A row as a difference shows it: the fields compared, without the cells."""

    id: uuid.UUID
    line: int
    seq: str | None
    full_name: str
    birth_date: date | None
    birth_year: int | None
    sex: Literal["male", "female"] | None
    id_number: str | None
    address: str | None
    masked_fields: list[str]

    model_config = ConfigDict(json_schema_extra=examples(
        {"id": RECORD, **{k: v for k, v in _ROW.items() if k != "name_folded"},
         "masked_fields": []}))


class VoterListChange(BaseModel):
    """One difference: a row added (`row` is the new one), removed (`row` is the old one)
    or changed (`before` the old row, `row` the new one, `fields` what differs). Rows are
    matched by ID number when both carry one, else by folded name and birth year."""

    change: Literal["added", "removed", "changed"]
    row: VoterListDiffRow
    before: VoterListDiffRow | None = None
    fields: list[str] = Body(default_factory=list)

    model_config = ConfigDict(json_schema_extra=examples(
        {"change": "changed", "row": {"id": RECORD, **{
            k: v for k, v in _ROW.items() if k != "name_folded"}, "masked_fields": []},
         "before": {"id": RECORD, **{k: v for k, v in _ROW.items() if k != "name_folded"},
                    "address": "5 Lê Lợi, Phường Bình Định, Gia Lai", "masked_fields": []},
         "fields": ["address"]}))


class VoterListDiff(BaseModel):
    """What changed from one version (`against_id`, by default the one before) to this one;
    `items` is a page of the differences, added and changed in the new file's order, then
    removed in the old file's."""

    version_id: uuid.UUID
    against_id: uuid.UUID | None = Body(description="Null for an area's first version")
    added: int
    removed: int
    changed: int
    unchanged: int
    items: list[VoterListChange]
    next_cursor: str | None

    model_config = ConfigDict(json_schema_extra=examples(
        {"version_id": VOTER_LIST, "against_id": RECORD, "added": 12, "removed": 7,
         "changed": 3, "unchanged": 1320, "items": [VoterListChange.model_config[
             "json_schema_extra"]["examples"][0]], "next_cursor": None}))  # type: ignore[index]


class VoterListMappingCreate(Strict):
    """A commune's saved column mapping: an import names it (`mapping`) instead of sending
    the columns again."""

    commune_id: uuid.UUID | None = Body(default=None, description=(
        "Your commune when absent (and you have one)"))
    name: line(100)  # type: ignore[valid-type]  # pydantic reads it (see schemas.py)
    columns: Columns

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(
        {"commune_id": COMMUNE, "name": "Mẫu của UBND phường",
         "columns": {"Họ và tên cử tri": "full_name", "Ngày tháng năm sinh": "birth_date",
                     "Số ĐDCN": "id_number", "Nơi cư trú": "address"}}))


class VoterListMappingRead(BaseModel):
    id: uuid.UUID
    province_id: uuid.UUID
    commune_id: uuid.UUID
    name: str
    columns: dict[str, str]
    created_by_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples(
        {"id": RECORD, "province_id": PROVINCE, "commune_id": COMMUNE,
         "name": "Mẫu của UBND phường", "columns": {"Họ và tên cử tri": "full_name",
                                                     "Ngày tháng năm sinh": "birth_date"},
         "created_by_id": USER, "created_at": CREATED, "updated_at": CREATED, "version": 1}))


class VoterListMappingPage(Page[VoterListMappingRead]):
    pass
