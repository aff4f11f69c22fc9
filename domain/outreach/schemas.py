"""Request and response shapes of outreach: campaigns, assignments, walk lists, visits."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from domain.examples import examples
from domain.outreach import examples as ex
from domain.outreach.models import Action, CampaignStatus, Goal, NeedCategory, Outcome
from domain.paging import Page
from domain.types import Note, Omittable, PastInstant, PlanDate, filled_note, line
from domain.units.schemas import Strict


class CampaignCreate(Strict):
    """A campaign over residential groups (optionally only some streets), in draft."""

    name: line(200)
    goals: list[Goal] = Field(min_length=1, max_length=6)
    group_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)
    street_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    starts_on: PlanDate
    ends_on: PlanDate

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "Tuyến đường số – đợt 1", "goals": ["join_group", "activate_vneid_level2",
                                                  "fraud_awareness"],
        "group_ids": ["0192f0c4-2b1e-7c3a-9d4e-5f6a7b8c9d0e"], "starts_on": "2026-01-11",
        "ends_on": "2026-02-28"}]})


class CampaignUpdate(Strict):
    """Draft campaigns only; once started the targets are frozen."""

    name: Omittable[line(200)] = None
    goals: Omittable[list[Goal]] = Field(default=None, min_length=1, max_length=6)
    group_ids: Omittable[list[uuid.UUID]] = Field(default=None, min_length=1, max_length=500)
    street_ids: Omittable[list[uuid.UUID]] = Field(
        default=None, max_length=500, description="`[]`: every street of the groups")
    starts_on: Omittable[PlanDate] = None
    ends_on: Omittable[PlanDate] = None

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(*ex.CAMPAIGN_UPDATE))


class CampaignRead(BaseModel):
    id: uuid.UUID
    name: str
    goals: list[Goal]
    province_id: uuid.UUID
    commune_id: uuid.UUID
    group_ids: list[uuid.UUID]
    street_ids: list[uuid.UUID]
    starts_on: date
    ends_on: date
    status: CampaignStatus
    started_at: datetime | None
    closed_at: datetime | None
    target_households: int
    target_residents: int
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples(ex.CAMPAIGN_READ))


class CampaignPage(Page[CampaignRead]):  # its name in the OpenAPI document
    pass


class AssignmentMode(StrEnum):
    by_street = "by_street"
    balanced = "balanced"
    manual = "manual"


class ConsentMethod(StrEnum):
    verbal = "verbal"  # bằng lời
    written = "written"
    app = "app"
    guardian = "guardian"  # người giám hộ thay mặt


class AssignmentRequest(Strict):
    """`by_street` keeps streets whole, `balanced` cuts equal walks, `manual` moves the
    listed households to one volunteer (or unassigns them with `volunteer_id: null`)."""

    mode: AssignmentMode
    volunteer_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200)
    volunteer_id: uuid.UUID | None = None
    household_ids: list[uuid.UUID] = Field(default_factory=list, max_length=5000)

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        **examples(*ex.ASSIGNMENT_REQUESTS),
        # What each mode needs (service.assign refuses the body without it), stated for
        # clients and generators that read JSON Schema's conditionals.
        "if": {"properties": {"mode": {"const": "manual"}}},
        "then": {"required": ["household_ids"],
                 "properties": {"household_ids": {"minItems": 1}}},
        "else": {"required": ["volunteer_ids"],
                 "properties": {"volunteer_ids": {"minItems": 1}}}})


class VolunteerLoad(BaseModel):
    volunteer_id: uuid.UUID | None
    volunteer_name: str | None
    households: int
    reached: int


class AssignmentSummary(BaseModel):
    items: list[VolunteerLoad]

    model_config = ConfigDict(json_schema_extra=examples(ex.ASSIGNMENT_SUMMARY))


class WalkResident(BaseModel):
    resident_id: uuid.UUID
    full_name: str
    relationship: str | None
    age: int | None
    open_goals: list[Goal]


class WalkStop(BaseModel):
    """One door: what a volunteer needs there, and nothing more."""

    household_id: uuid.UUID
    code: str
    street: str | None
    house_number: str | None
    walk_order: int
    added_late: bool
    last_outcome: Outcome | None
    last_visit_at: datetime | None
    follow_up_on: date | None
    residents: list[WalkResident]


class WalkList(BaseModel):
    volunteer_id: uuid.UUID
    items: list[WalkStop]

    model_config = ConfigDict(json_schema_extra=examples(ex.WALK_LIST))


class Consent(Strict):
    given: StrictBool  # 0 or "yes" is no boolean
    method: ConsentMethod | None = None


class VisitResident(Strict):
    resident_id: uuid.UUID
    actions: list[Action] = Field(default_factory=list, max_length=10)
    consent: Consent | None = Field(
        default=None, description="Consent to contact and to keep these facts; silence is no")
    guardian_id: uuid.UUID | None = Field(default=None, description=(
        "With `activated_level2` for a resident under 14 on the visit's day: the guardian"
        " (a resident aged 18 or over) who activated VNeID level 2 with them"))


class VisitNeedIn(Strict):
    category: NeedCategory
    # NFC, no control characters (line breaks aside), 2,000 characters once in NFC.
    description: filled_note(2000, published_pattern=False)
    resident_id: uuid.UUID | None = None


class VisitCreate(Strict):
    """A visit recorded at the door (or later, from a phone's offline queue)."""

    client_visit_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:\-]{8,64}$")] = (
        Field(description="Made by the phone; replaying the same visit creates it once"))
    household_id: uuid.UUID
    visited_at: PastInstant = Field(
        description="When the visit happened (RFC 3339 with offset)")
    outcome: Outcome
    residents: list[VisitResident] = Field(default_factory=list, max_length=30)
    notes: Note | None = None
    follow_up_on: PlanDate | None = None
    needs: list[VisitNeedIn] = Field(default_factory=list, max_length=20)

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "client_visit_id": "a1f3c9e2-2026-01-11-0001",
        "household_id": "0192f0c4-2b1e-7c3a-9d4e-5f6a7b8c9d0e",
        "visited_at": "2026-01-11T08:30:00+07:00", "outcome": "met",
        "residents": [{"resident_id": "0192f0c4-2b1e-7c3a-9d4e-5f6a7b8c9d0f",
                       "actions": ["invited_to_group", "joined_group", "fraud_warning_given"],
                       "consent": {"given": True, "method": "verbal"}}],
        "needs": [{"category": "app_help", "description": "Cần hỗ trợ kích hoạt VNeID mức 2"}],
    }]})


class VisitRead(BaseModel):
    id: uuid.UUID
    campaign_id: uuid.UUID
    client_visit_id: str
    household_id: uuid.UUID
    volunteer_id: uuid.UUID
    volunteer_name: str
    visited_at: datetime
    outcome: Outcome
    notes: str | None
    follow_up_on: date | None
    residents: list[dict]
    recorded_at: datetime

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples(ex.VISIT_READ))


class VisitPage(Page[VisitRead]):  # its name in the OpenAPI document
    pass


class NeedRead(BaseModel):
    id: uuid.UUID
    visit_id: uuid.UUID
    household_id: uuid.UUID
    resident_id: uuid.UUID | None
    category: NeedCategory
    description: str
    status: str = Field(max_length=16, description=(
        "`open`, or `ticketed` once made into a support ticket (POST /visit-needs/{id}/ticket)"))
    created_at: datetime

    model_config = ConfigDict(from_attributes=True, json_schema_extra=examples(ex.NEED_READ))


class NeedPage(Page[NeedRead]):  # its name in the OpenAPI document
    pass


class Slice(BaseModel):
    """Counts for one unit, street, volunteer or day."""

    key: str
    label: str | None = None
    target_households: int | None = None
    households_reached: int = 0
    actions: dict[Action, int] = Field(default_factory=dict)


class FunnelStep(BaseModel):
    action: Action
    residents: int
    share_of_base: float


class Funnel(BaseModel):
    goal: Goal
    base_residents: int
    steps: list[FunnelStep]
    onboarded: int


class Progress(BaseModel):
    """Exact at any moment: counters maintained in the visits' own transactions."""

    campaign_id: uuid.UUID
    status: CampaignStatus
    target_households: int
    target_residents: int
    households_reached: int
    households_not_reached: int
    actions: dict[Action, int]
    funnels: list[Funnel]
    by_unit: list[Slice]
    by_street: list[Slice]
    by_volunteer: list[Slice]
    by_day: list[Slice]

    model_config = ConfigDict(json_schema_extra=examples(ex.PROGRESS))
