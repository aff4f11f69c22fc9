"""Bodies and answers of the elections area. The examples are the 15 March 2026 election's
(the 16th National Assembly and the People's Councils); every date is the election's own."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timedelta
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    WithJsonSchema,
)
from pydantic import Field as Body
from pydantic_core import PydanticCustomError

from domain.clock import today_vn
from domain.elections.eligibility import EligibilityNote, Ineligible
from domain.elections.models import ElectionLevel, ExclusionReason
from domain.examples import (
    COMMUNE,
    GROUP,
    PROVINCE,
    RECORD,
    RESIDENT,
    STREET,
    USER,
    example_of,
    examples,
    stamps,
)
from domain.paging import Page
from domain.register.schemas import ResidentRead
from domain.types import FIRST_PLAN_DATE, DateRange, Day, FilledNote, Instant, Omittable, line
from domain.units.schemas import Strict

ELECTION_HORIZON = timedelta(days=10 * 366)  # elections are planned years ahead (2031's)
ElectionDate = Annotated[Day, AfterValidator(DateRange(
    lambda: FIRST_PLAN_DATE, lambda: today_vn() + ELECTION_HORIZON, "date_too_old",
    "date_too_far"))]
"""An election's date: from 2000 to ten years ahead."""
_CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def _clock(value: object) -> object:
    """A local time written `HH:MM` or `HH:MM:SS`: no offset (it is Vietnam's), no number."""
    if isinstance(value, time):
        return value
    if not isinstance(value, str) or not re.match(_CLOCK, value):
        raise PydanticCustomError("time_parsing", "time parsing")
    return value


LocalTime = Annotated[time, BeforeValidator(_clock), WithJsonSchema(
    {"type": "string", "pattern": _CLOCK, "examples": ["07:00"]})]
"""A time of day in Asia/Ho_Chi_Minh, `HH:MM` or `HH:MM:SS`."""
Levels = Annotated[list[ElectionLevel], Body(min_length=1, max_length=3, description=(
    "The ballots of the election, at least one"))]
AreaCode = Annotated[str, StringConstraints(min_length=1, max_length=10,
                                            pattern=r"^[0-9A-Za-z-]+$")]
Ids = Annotated[list[uuid.UUID], Body(max_length=500)]

ELECTION = "0192f0f0-3c4d-7e5f-8a9b-0c1d2e3f4a50"
POLLING_AREA = "0192f0f0-3c4d-7e5f-8a9b-0c1d2e3f4a51"
_ELECTION = {
    "name": "Bầu cử đại biểu Quốc hội khóa XVI và đại biểu HĐND các cấp nhiệm kỳ 2026-2031",
    "election_day": "2026-03-15",
    "levels": ["national_assembly", "provincial_council", "commune_council"],
    "list_posting_on": "2026-02-03", "complaint_deadline_on": "2026-03-10"}
_DEFAULT_DEADLINE = "24 hours before voting opens on election day (Asia/Ho_Chi_Minh) if absent"


class ElectionCreate(Strict):
    """A national election (no unit) or a by-election of a province or a commune."""

    name: line(200)
    election_day: ElectionDate
    levels: Levels
    list_posting_on: ElectionDate = Body(description="When the voter lists are posted (niêm yết)")
    amendment_deadline_at: Instant | None = Body(default=None, description=(
        "The last change to the lists; " + _DEFAULT_DEADLINE))
    complaint_deadline_on: ElectionDate = Body(description="Complaints about the lists settled by")
    voting_opens_at: LocalTime = Body(default=time(7, 0), description=(
        "Local time voting opens on election day, 07:00 if absent"))
    province_id: uuid.UUID | None = Body(default=None, description=(
        "A by-election's province (the commune's when `commune_id` is given)"))
    commune_id: uuid.UUID | None = Body(default=None, description="A by-election's commune")

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(_ELECTION))


class ElectionUpdate(Strict):
    """Fields absent stay as they are. A deadline left at its default follows a new election
    day or opening time."""

    name: Omittable[line(200)] = None
    election_day: Omittable[ElectionDate] = None
    levels: Omittable[Levels] = None
    list_posting_on: Omittable[ElectionDate] = None
    amendment_deadline_at: Omittable[Instant] = None
    complaint_deadline_on: Omittable[ElectionDate] = None
    voting_opens_at: Omittable[LocalTime] = None

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(
        {"list_posting_on": "2026-02-04", "voting_opens_at": "07:00:00"}))


class ElectionRead(BaseModel):
    id: uuid.UUID
    name: str
    election_day: date
    levels: list[ElectionLevel]
    list_posting_on: date
    amendment_deadline_at: datetime
    complaint_deadline_on: date
    voting_opens_at: LocalTime
    province_id: uuid.UUID | None
    commune_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples(
        {"id": ELECTION, **_ELECTION, "amendment_deadline_at": "2026-03-14T00:00:00Z",
         "voting_opens_at": "07:00:00", "province_id": None, "commune_id": None,
         **stamps()}))


class ElectionPage(Page[ElectionRead]):
    pass


_AREA = {"code": "05", "name": "Khu vực bỏ phiếu số 5", "group_ids": [GROUP],
         "street_ids": [STREET]}


class PollingAreaCreate(Strict):
    """A polling area of a commune: its residential groups, and streets whose households
    vote here whatever their group."""

    code: AreaCode
    name: line(200)
    commune_id: uuid.UUID | None = Body(default=None, description=(
        "The groups' commune if absent (your commune when no group is given)"))
    group_ids: Ids = Body(default_factory=list, description="Residential groups")
    street_ids: Ids = Body(default_factory=list, description=(
        "Streets of the commune: their households vote here, whatever their group"))

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(_AREA))


class PollingAreaUpdate(Strict):
    """Fields absent stay as they are; `group_ids` and `street_ids` replace the lists."""

    code: Omittable[AreaCode] = None
    name: Omittable[line(200)] = None
    group_ids: Omittable[Ids] = None
    street_ids: Omittable[Ids] = None

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(
        {"name": "Khu vực bỏ phiếu số 5 (Nhà văn hoá tổ 3)", "group_ids": [GROUP]}))


class PollingAreaRead(BaseModel):
    id: uuid.UUID
    election_id: uuid.UUID
    province_id: uuid.UUID
    commune_id: uuid.UUID
    code: str
    name: str
    group_ids: list[uuid.UUID]
    street_ids: list[uuid.UUID]
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(json_schema_extra=examples(
        {"id": POLLING_AREA, "election_id": ELECTION, "province_id": PROVINCE,
         "commune_id": COMMUNE, **_AREA, **stamps()}))


class PollingAreaPage(Page[PollingAreaRead]):
    pass


_EXCLUSION = {"resident_id": RESIDENT, "reason": "serving_prison_term",
              "document_ref": "Bản án số 12/2025/HS-ST ngày 20/11/2025",
              "note": "Đang chấp hành án tại trại giam."}


class ExclusionCreate(Strict):
    """A citizen not listed: the legal reason and the decision or judgment that says so."""

    resident_id: uuid.UUID
    reason: ExclusionReason
    document_ref: line(200) = Body(description="Số quyết định / bản án")
    note: FilledNote | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(_EXCLUSION))


class ExclusionRevoke(Strict):
    """Rights restored (an appeal, a sentence served): the decision that restores them."""

    note: FilledNote

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(
        {"note": "Quyết định đặc xá số 45/QĐ-CTN ngày 01/02/2026"}))


class ExclusionRead(BaseModel):
    id: uuid.UUID
    election_id: uuid.UUID
    resident_id: uuid.UUID
    province_id: uuid.UUID
    commune_id: uuid.UUID
    group_id: uuid.UUID
    reason: ExclusionReason
    document_ref: str | None = Body(description="Null when masked for your role")
    note: str | None
    recorded_by_id: uuid.UUID
    recorded_by_name: str
    recorded_at: datetime
    revoked_at: datetime | None
    revoked_by_name: str | None
    revoke_note: str | None
    masked_fields: list[str] = Body(description="Personal fields masked for your role")
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(json_schema_extra=examples(
        {"id": RECORD, "election_id": ELECTION, **_EXCLUSION, "province_id": PROVINCE,
         "commune_id": COMMUNE, "group_id": GROUP, "recorded_by_id": USER,
         "recorded_by_name": "Phạm Minh Tuấn", "recorded_at": "2026-01-11T01:30:00Z",
         "revoked_at": None, "revoked_by_name": None, "revoke_note": None,
         "masked_fields": [], **stamps()}))


class ExclusionPage(Page[ExclusionRead]):
    pass


class EligibilityRead(BaseModel):
    """One register record of the polling area and whether they are on its list."""

    resident: ResidentRead = Body(description="The register's record, masked as it masks it")
    eligible: bool
    reasons: list[Ineligible] = Body(description="Why not, when not eligible")
    ballot_levels: list[ElectionLevel] = Body(description="The ballots they receive")
    birth_date_uncertain: bool = Body(description=(
        "Only a birth year is known and it is the borderline one: check the date"))
    notes: list[EligibilityNote]
    exclusion_id: uuid.UUID | None = Body(description="The active exclusion, if any")

    model_config = ConfigDict(json_schema_extra=examples(
        {"resident": example_of(ResidentRead), "eligible": True, "reasons": [],
         "ballot_levels": ["national_assembly", "provincial_council", "commune_council"],
         "birth_date_uncertain": False, "notes": [], "exclusion_id": None}))


class EligibilityPage(Page[EligibilityRead]):
    pass
