"""Bodies and answers of voter-list reconciliation: runs, their discrepancies with the
evidence, resolutions, and the per-area summary with its deadline warnings."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as Body

from domain.elections.models import (
    DiscrepancyKind,
    ExclusionReason,
    ReconciliationStatus,
    ResolutionAction,
)
from domain.elections.schemas import ELECTION
from domain.elections.schemas import POLLING_AREA as AREA
from domain.elections.voter_list_schemas import VOTER_LIST as VERSION
from domain.elections.voter_list_schemas import VoterListRowRead
from domain.examples import (
    COMMUNE,
    GROUP,
    PROVINCE,
    RECORD,
    RESIDENT,
    USER,
    example_of,
    examples,
    stamps,
)
from domain.paging import Page
from domain.register.schemas import ResidentRead
from domain.types import FilledNote
from domain.units.schemas import Strict

RUN = "0192f0f1-3c4d-7e5f-8a9b-0c1d2e3f4a5b"
ROW = "0192f0e3-2a3b-7c4d-8e5f-6a7b8c9d0e21"
KINDS = [kind.value for kind in DiscrepancyKind]

# remove_from_list names its legal ground: an exclusion's, or why the person is not a voter
# of this list.
LegalReason = Literal[
    "court_deprived", "death_sentence_pending", "serving_prison_term", "lost_civil_capacity",
    "not_resident", "deceased", "under_age", "listed_twice", "no_ballot"]
assert set(ExclusionReason) <= set(LegalReason.__args__)  # type: ignore[attr-defined]


class ReconciliationCreate(Strict):
    """Compare the latest list of each polling area within a unit with the register."""

    unit_id: uuid.UUID = Body(description=(
        "A residential group, commune or province you may write to: its polling areas"))

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples({"unit_id": COMMUNE}))


class ReconciliationRead(BaseModel):
    id: uuid.UUID
    election_id: uuid.UUID
    unit_id: uuid.UUID
    province_id: uuid.UUID
    commune_id: uuid.UUID | None
    status: ReconciliationStatus
    previous_id: uuid.UUID | None = Body(description="The run before it over the same unit")
    list_version_ids: list[uuid.UUID] = Body(description="The list versions compared")
    counts: dict[str, int] = Body(description="Discrepancies per kind")
    changes: dict[str, int] = Body(description=(
        "Since the previous run: `new` differences, `gone` ones, the `same`"))
    error: dict[str, Any] | None
    requested_by_name: str | None
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples(
        {"id": RUN, "election_id": ELECTION, "unit_id": COMMUNE, "province_id": PROVINCE,
         "commune_id": COMMUNE, "status": "succeeded", "previous_id": None,
         "list_version_ids": [VERSION],
         "counts": {"missing_from_list": 3, "deceased": 2, "data_mismatch": 4},
         "changes": {"new": 9, "gone": 0, "same": 0}, "error": None,
         "requested_by_name": "Phạm Minh Tuấn", "started_at": "2026-01-11T01:30:00Z",
         "finished_at": "2026-01-11T01:30:02Z", **stamps(2)}))


class ReconciliationPage(Page[ReconciliationRead]):
    pass


class ResolutionRead(BaseModel):
    id: uuid.UUID
    election_id: uuid.UUID
    key: str
    kind: DiscrepancyKind
    discrepancy_id: uuid.UUID
    action: ResolutionAction
    legal_reason: str | None
    note: str
    resolved_by_id: uuid.UUID
    resolved_by_name: str
    resolved_at: datetime
    superseded_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples(
        {"id": RECORD, "election_id": ELECTION, "key": "data_mismatch:052190001234:" + RESIDENT,
         "kind": "data_mismatch", "discrepancy_id": RECORD, "action": "correct_list",
         "legal_reason": None, "note": "Tên viết không dấu trên danh sách của phường.",
         "resolved_by_id": USER, "resolved_by_name": "Phạm Minh Tuấn",
         "resolved_at": "2026-01-12T02:15:00Z", "superseded_at": None, **stamps()}))


_DISCREPANCY = {
    "id": RECORD, "reconciliation_id": RUN, "election_id": ELECTION, "polling_area_id": AREA,
    "commune_id": COMMUNE, "group_id": GROUP, "kind": "data_mismatch",
    "key": "data_mismatch:052190001234:" + RESIDENT, "row_id": ROW, "resident_id": RESIDENT,
    "score": 0.93, "rule": "name_birth_address", "fields": ["full_name"], "candidates": [],
    "other_row_ids": [], "is_new": True, "status": "open", "resolution": None}


class DiscrepancyRead(BaseModel):
    id: uuid.UUID
    reconciliation_id: uuid.UUID
    election_id: uuid.UUID
    polling_area_id: uuid.UUID
    commune_id: uuid.UUID
    group_id: uuid.UUID | None
    kind: DiscrepancyKind
    key: str = Body(description="The same difference in every run")
    row_id: uuid.UUID | None = Body(description="The list row")
    resident_id: uuid.UUID | None = Body(description="The register's record")
    score: float | None = Body(description="Similarity of a match by name, birth and address")
    rule: str = Body(description="The rule that fired")
    fields: list[str] = Body(description="Fields that differ (data_mismatch)")
    candidates: list[dict[str, Any]] = Body(description=(
        "`[{resident_id, score}]` of an ambiguous match; for `wrong_area` the resident with"
        " the `polling_area_id` the register places them in"))
    other_row_ids: list[uuid.UUID] = Body(description="The other rows of a person listed twice")
    is_new: bool = Body(description="Not found by the previous run")
    status: Literal["open", "resolved"]
    resolution: ResolutionRead | None

    model_config = ConfigDict(json_schema_extra=examples(_DISCREPANCY))


class DiscrepancyPage(Page[DiscrepancyRead]):
    pass


class DiscrepancyDetail(DiscrepancyRead):
    """A discrepancy with its evidence: the row (as the list shows it to you), the record
    (as the register shows it to you) and the candidates' records."""

    row: VoterListRowRead | None
    resident: ResidentRead | None
    candidate_residents: list[ResidentRead]
    allowed_actions: list[ResolutionAction]

    model_config = ConfigDict(json_schema_extra=examples(
        {**_DISCREPANCY, "row": example_of(VoterListRowRead), "resident": None,
         "candidate_residents": [],
         "allowed_actions": ["correct_list", "correct_register", "no_change", "false_match"]}))


class ResolutionCreate(Strict):
    """An election officer's decision on a difference, with a note; removing a name from the
    list names its legal reason."""

    action: ResolutionAction
    note: FilledNote
    legal_reason: LegalReason | None = Body(default=None, description=(
        "Required for remove_from_list: an exclusion's reason, not_resident (also: lives in"
        " another polling area), deceased, under_age, listed_twice or no_ballot (a temporary"
        " resident under 12 months with no level of this election)"))

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(
        {"action": "remove_from_list", "legal_reason": "deceased",
         "note": "Giấy chứng tử số 15/2025, UBND phường Bình Định."}))


class AreaSummary(BaseModel):
    polling_area_id: uuid.UUID
    code: str
    name: str
    list_version_id: uuid.UUID | None
    finalised: bool
    listed: int = Body(description="Rows of the latest list version")
    eligible: int = Body(description="Eligible voters in the register")
    counts: dict[str, int] = Body(description="Discrepancies per kind (latest run)")
    resolved: int
    open: int


class DeadlineWarning(BaseModel):
    code: Literal["list_posting_near", "list_posting_passed", "amendment_deadline_near",
                  "amendment_deadline_passed"]
    on: date
    days_left: int
    open: int = Body(description="Open discrepancies in your areas")
    message: str


class SummaryRead(BaseModel):
    election_id: uuid.UUID
    areas: list[AreaSummary]
    warnings: list[DeadlineWarning]

    model_config = ConfigDict(json_schema_extra=examples(
        {"election_id": ELECTION, "areas": [{
            "polling_area_id": AREA, "code": "05", "name": "Khu vực bỏ phiếu số 5",
            "list_version_id": VERSION, "finalised": False, "listed": 412, "eligible": 409,
            "counts": {kind: 0 for kind in KINDS} | {"missing_from_list": 3, "deceased": 2},
            "resolved": 4, "open": 1}],
         "warnings": [{"code": "list_posting_near", "on": "2026-02-03", "days_left": 5,
                       "open": 1, "message": "Còn 5 ngày đến ngày niêm yết danh sách cử tri"
                                             " và còn 1 sai lệch chưa xử lý"}]}))


class FinaliseRead(BaseModel):
    id: uuid.UUID
    polling_area_id: uuid.UUID
    number: int
    finalised_at: datetime | None

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples(
        {"id": VERSION, "polling_area_id": AREA, "number": 1,
         "finalised_at": "2026-02-01T03:00:00Z"}))
