"""Import jobs: a file of households or residents, validated, then applied or reported."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from domain.types import EnumText, UTCDateTime, utcnow, uuid7


class ImportKind(StrEnum):
    households = "households"
    residents = "residents"
    voter_list = "voter_list"  # an official list of a polling area (the elections area)


class ImportStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"  # applied (or, for a dry run, checked) with no rejected row
    completed_with_errors = "completed_with_errors"  # partial=true: good rows applied
    failed = "failed"  # nothing written: bad rows without partial=true, or a bad file
    cancelled = "cancelled"  # stopped on request before it finished: nothing written


class ImportJob(SQLModel, table=True):
    """One uploaded file and what became of it; `errors` lists rejected rows."""

    __tablename__ = "import_job"

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    kind: ImportKind = Field(sa_type=EnumText(ImportKind, 16))
    status: ImportStatus = Field(default=ImportStatus.queued, sa_type=EnumText(ImportStatus, 24))
    dry_run: bool = Field(default=False)
    partial: bool = Field(default=False)
    filename: str = Field(max_length=255)
    file_sha256: str = Field(max_length=64)
    group_id: uuid.UUID | None = Field(default=None, foreign_key="admin_unit.id")
    polling_area_id: uuid.UUID | None = Field(default=None, foreign_key="polling_area.id")
    # The column mapping asked for (header → field), beside the built-in header words.
    columns: dict[str, str] | None = Field(default=None, sa_column=Column(JSON))
    created_by_id: uuid.UUID | None = Field(default=None)
    created_by_name: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Written every few seconds while a worker runs the job: a stale one means it died.
    heartbeat_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = Field(default=0)  # runs started; a run whose worker died is retried
    cancel_requested_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Who submitted it, as they were then: the job runs with exactly that scope.
    submitted_by: dict[str, Any] = Field(default_factory=dict,
                                         sa_column=Column(JSON, nullable=False))
    total_rows: int = Field(default=0)
    processed_rows: int = Field(default=0)
    created_count: int = Field(default=0)
    updated_count: int = Field(default=0)
    unchanged_count: int = Field(default=0)
    rejected_count: int = Field(default=0)
    errors: list[dict[str, Any]] = Field(default_factory=list,
                                         sa_column=Column(JSON, nullable=False))
