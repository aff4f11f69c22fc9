"""Elections (bầu cử): an election with its levels and key dates, its polling areas (khu vực
bỏ phiếu) over residential groups and streets of a commune, and the exclusions of people
deprived of the right to vote. Every date and rule is a property of an election."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import JSON, Column, ForeignKey, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from domain.base import Entity
from domain.register.models import Relationship, ResidenceStatus
from domain.types import EnumText, UTCDateTime, utcnow, uuid7


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



# ---------------------------------------------------------------------------------------
# Voter lists as the commune office hands them over, and their reconciliation with the
# register. A list version is immutable: a later import is a new version.


class VoterListMapping(Entity, table=True):
    """A saved column mapping of a commune: which header of its office's spreadsheet holds
    which field (`{"Họ và tên cử tri": "full_name", ...}`), reused by the next import."""

    __tablename__ = "voter_list_mapping"
    __table_args__ = (UniqueConstraint("commune_id", "name"),)

    province_id: uuid.UUID = Field(foreign_key="admin_unit.id")
    commune_id: uuid.UUID = Field(foreign_key="admin_unit.id")
    name: str = Field(max_length=100)
    columns: dict[str, str] = Field(default_factory=dict,
                                    sa_column=Column(JSON, nullable=False))
    created_by_id: uuid.UUID | None = Field(default=None)


class VoterListVersion(Entity, table=True):
    """One imported official list of a polling area, stored exactly as imported; `number`
    counts the area's versions from 1. `finalised_at`: the corrected list was handed back,
    nothing of this version's reconciliation may change any more."""

    __tablename__ = "voter_list_version"
    __table_args__ = (UniqueConstraint("polling_area_id", "number"),
                      Index(None, "election_id", "commune_id", "id"))

    election_id: uuid.UUID = Field(foreign_key="election.id", ondelete="RESTRICT")
    polling_area_id: uuid.UUID = Field(foreign_key="polling_area.id", ondelete="RESTRICT")
    province_id: uuid.UUID = Field(foreign_key="admin_unit.id")
    commune_id: uuid.UUID = Field(foreign_key="admin_unit.id")
    number: int
    import_job_id: uuid.UUID | None = Field(default=None, foreign_key="import_job.id")
    filename: str = Field(max_length=255)
    file_sha256: str = Field(max_length=64)
    header: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    columns: dict[str, str] = Field(default_factory=dict,  # header → field, as used
                                    sa_column=Column(JSON, nullable=False))
    row_count: int = Field(default=0)
    imported_by_id: uuid.UUID | None = Field(default=None)
    imported_by_name: str | None = Field(default=None, max_length=200)
    finalised_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finalised_by_id: uuid.UUID | None = Field(default=None)


class VoterListRow(SQLModel, table=True):
    """One row of a list version: the cells exactly as imported (`cells`, header → text) and
    the fields read from them (None where a cell is empty or unreadable)."""

    __tablename__ = "voter_list_row"
    __table_args__ = (UniqueConstraint("version_id", "line"),
                      Index(None, "version_id", "id_number"),
                      Index(None, "version_id", "birth_date"))

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    version_id: uuid.UUID = Field(sa_column=Column(
        ForeignKey("voter_list_version.id", ondelete="CASCADE"), nullable=False))
    line: int  # the file's line (the header is line 1)
    seq: str | None = Field(default=None, max_length=20)  # số thứ tự as printed
    full_name: str = Field(max_length=200)
    name_folded: str = Field(max_length=200)
    birth_date: date | None = Field(default=None)
    birth_year: int | None = Field(default=None)
    sex: str | None = Field(default=None, max_length=8)
    id_number: str | None = Field(default=None, max_length=12)
    address: str | None = Field(default=None, max_length=500)
    cells: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ReconciliationStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class Reconciliation(Entity, table=True):
    """One run comparing the latest list versions of an election's polling areas within a
    unit (a group's, a commune's or a province's areas) with the register. One run at a time
    per election and unit (a second is a 409). `counts`: discrepancies per type;
    `previous_id`: the run before it over the same unit, which "what changed" compares to."""

    __tablename__ = "reconciliation"
    __table_args__ = (
        Index("uq_reconciliation_election_id_unit_id_active", "election_id", "unit_id",
              unique=True, postgresql_where=text("status IN ('queued', 'running')"),
              sqlite_where=text("status IN ('queued', 'running')")),
        Index(None, "election_id", "commune_id", "id"),
    )

    election_id: uuid.UUID = Field(foreign_key="election.id", ondelete="RESTRICT")
    unit_id: uuid.UUID = Field(foreign_key="admin_unit.id")
    province_id: uuid.UUID = Field(foreign_key="admin_unit.id")
    commune_id: uuid.UUID | None = Field(default=None, foreign_key="admin_unit.id")
    status: ReconciliationStatus = Field(default=ReconciliationStatus.queued,
                                         sa_type=EnumText(ReconciliationStatus, 16))
    previous_id: uuid.UUID | None = Field(default=None)
    list_version_ids: list[str] = Field(default_factory=list,
                                        sa_column=Column(JSON, nullable=False))
    counts: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    changes: dict[str, int] = Field(default_factory=dict,  # new / gone / same since previous
                                    sa_column=Column(JSON, nullable=False))
    error: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    requested_by_id: uuid.UUID | None = Field(default=None)
    requested_by_name: str | None = Field(default=None, max_length=200)
    submitted_by: dict[str, Any] = Field(default_factory=dict,  # the scope it runs with
                                         sa_column=Column(JSON, nullable=False))
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DiscrepancyKind(StrEnum):
    """One difference between a list and the register."""

    missing_from_list = "missing_from_list"  # eligible resident not on the list
    under_age = "under_age"  # listed, under 18 on election day
    deceased = "deceased"  # listed, dead in the register
    moved_away = "moved_away"  # listed, moved out
    excluded = "excluded"  # listed, with an active exclusion
    listed_twice = "listed_twice"  # in this list or another area's list of the election
    unknown_to_register = "unknown_to_register"  # listed, no resident matches
    data_mismatch = "data_mismatch"  # matched, with different fields
    ambiguous_match = "ambiguous_match"  # two or more candidates


class ResolutionAction(StrEnum):
    add_to_list = "add_to_list"
    remove_from_list = "remove_from_list"  # with the legal reason
    correct_register = "correct_register"
    correct_list = "correct_list"
    no_change = "no_change"  # confirmed, nothing to change
    false_match = "false_match"


class Discrepancy(SQLModel, table=True):
    """A difference found by one run, with its evidence: the list row (`row_id`), the
    resident (`resident_id`), `fields` that differ, `candidates` of an ambiguous match
    (`[{"resident_id", "score"}]`), `other_row_ids` of a person listed twice, and `rule`
    (what fired). `key` names the same difference in every run (kind, the row's identity
    and the resident), so a resolution survives a re-run while it still applies."""

    __tablename__ = "discrepancy"
    __table_args__ = (Index(None, "reconciliation_id", "kind", "id"),
                      Index(None, "election_id", "key"))

    id: uuid.UUID = Field(default_factory=uuid7, primary_key=True)
    reconciliation_id: uuid.UUID = Field(sa_column=Column(
        ForeignKey("reconciliation.id", ondelete="CASCADE"), nullable=False))
    election_id: uuid.UUID = Field(foreign_key="election.id")
    polling_area_id: uuid.UUID = Field(foreign_key="polling_area.id")
    province_id: uuid.UUID = Field(foreign_key="admin_unit.id")
    commune_id: uuid.UUID = Field(foreign_key="admin_unit.id")
    group_id: uuid.UUID | None = Field(default=None, foreign_key="admin_unit.id")
    kind: DiscrepancyKind = Field(sa_type=EnumText(DiscrepancyKind, 24))
    key: str = Field(max_length=200)
    row_id: uuid.UUID | None = Field(default=None)
    resident_id: uuid.UUID | None = Field(default=None)
    score: float | None = Field(default=None)
    rule: str = Field(max_length=64)
    fields: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    candidates: list[dict[str, Any]] = Field(default_factory=list,
                                             sa_column=Column(JSON, nullable=False))
    other_row_ids: list[str] = Field(default_factory=list,
                                     sa_column=Column(JSON, nullable=False))
    is_new: bool = Field(default=True)  # not found by the previous run
    resolution_id: uuid.UUID | None = Field(default=None)


class DiscrepancyResolution(Entity, table=True):
    """An election officer's decision on a difference, by its `key`, so it is kept by the
    next run while the same difference is found; `superseded_at` when it no longer applies
    or was replaced. One live resolution per key (resolving twice is a 409)."""

    __tablename__ = "discrepancy_resolution"
    __table_args__ = (
        Index("uq_discrepancy_resolution_election_id_key_live", "election_id", "key",
              unique=True, postgresql_where=text("superseded_at IS NULL"),
              sqlite_where=text("superseded_at IS NULL")),
        Index(None, "election_id", "commune_id", "id"),
    )

    election_id: uuid.UUID = Field(foreign_key="election.id", ondelete="RESTRICT")
    province_id: uuid.UUID = Field(foreign_key="admin_unit.id")
    commune_id: uuid.UUID = Field(foreign_key="admin_unit.id")
    key: str = Field(max_length=200)
    kind: DiscrepancyKind = Field(sa_type=EnumText(DiscrepancyKind, 24))
    discrepancy_id: uuid.UUID  # the one it was made on
    action: ResolutionAction = Field(sa_type=EnumText(ResolutionAction, 24))
    legal_reason: str | None = Field(default=None, max_length=64)  # remove_from_list
    note: str = Field(max_length=4000)
    resolved_by_id: uuid.UUID
    resolved_by_name: str = Field(max_length=200)
    resolved_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    superseded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RegisterRecord(NamedTuple):
    """A register record as a reconciliation, a summary and a corrected list read it: the
    person, their eligibility's inputs, their household's address and their place in it.
    Plain values (a run reads a whole commune of them), enums as the register's."""

    id: uuid.UUID
    full_name: str
    birth_date: date | None
    birth_year: int | None
    sex: str | None
    id_number: str | None
    household_id: uuid.UUID | None
    group_id: uuid.UUID | None
    relationship: Relationship | None
    residence_status: ResidenceStatus
    residence_since: date | None
    street: str | None
    house_number: str | None
    house_number_sort: int | None
    household_code: str | None
