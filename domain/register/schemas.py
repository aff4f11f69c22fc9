"""Request and response shapes of the register (households, residents, history)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from domain.examples import OTHER_HOUSEHOLD, OTHER_RESIDENT, RESIDENT, examples
from domain.paging import Page
from domain.register import examples as ex
from domain.register import quality
from domain.register.models import (
    HouseholdResidence,
    ReadinessKind,
    Relationship,
    ResidenceStatus,
    Sex,
    TransferStatus,
)
from domain.register.rules import ID_NUMBER_PATTERN, PHONE_PATTERN
from domain.register.validation import as_type, clean_id_number, clean_phone
from domain.types import BirthDate, Clearable, Documented, Omittable, PastDate, line
from domain.units.schemas import Strict

Finding = Annotated[str, WithJsonSchema(quality.schema())]  # a `data_quality` code

# Typed as people type them; each answers its clean form (None when blank) or its rule's
# code (domain/register/validation.py), and the document states the same rule as a pattern.
RawIdNumber = Annotated[str, StringConstraints(max_length=32),
                        AfterValidator(as_type(clean_id_number)),
                        Documented(pattern=ID_NUMBER_PATTERN)]
RawPhone = Annotated[str, StringConstraints(max_length=32),
                     AfterValidator(as_type(clean_phone)), Documented(pattern=PHONE_PATTERN)]
HouseholdCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._\-]{1,32}$")]
BirthYear = Annotated[int, Field(ge=1900, le=2399)]

class ResidentCreate(Strict):
    """A new resident: in a household, or directly in a residential group."""

    household_id: uuid.UUID | None = None
    group_id: uuid.UUID | None = Field(
        default=None, description="Required when the resident has no household yet"
    )
    relationship: Relationship | None = None
    full_name: line(200)
    birth_date: BirthDate | None = Field(default=None, description="Full date, if known")
    birth_year: BirthYear | None = Field(default=None, description="When only the year is known")
    sex: Sex
    id_number: RawIdNumber | None = Field(
        default=None, description="Số định danh cá nhân, 12 digits; spaces and dots are ignored"
    )
    phone: RawPhone | None = Field(
        default=None, description="Any common Vietnamese form; stored as E.164 (+84...)"
    )
    residence_status: ResidenceStatus = ResidenceStatus.permanent
    residence_since: PastDate | None = None
    status_changed_on: PastDate | None = Field(
        default=None, description="Date of moving out or of death, for those statuses"
    )

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(ex.RESIDENT_CREATE))


class ResidentUpdate(Strict):
    """Fields absent stay as they are; `null` clears a field that may be empty."""

    relationship: Clearable[Relationship] = None
    full_name: Omittable[line(200)] = None
    birth_date: Clearable[BirthDate] = None
    birth_year: Clearable[BirthYear] = None
    sex: Omittable[Sex] = None
    id_number: Clearable[RawIdNumber] = None
    phone: Clearable[RawPhone] = None
    residence_status: Omittable[ResidenceStatus] = None
    residence_since: Clearable[PastDate] = None
    status_changed_on: Clearable[PastDate] = None

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(*ex.RESIDENT_UPDATE))


class ReadinessRecord(Strict):
    """A digital-readiness fact observed on a date (recorded by the caller)."""

    kind: ReadinessKind
    occurred_on: PastDate
    guardian_id: uuid.UUID | None = Field(default=None, description=(
        "VNeID level 2 for a resident under 14 on `occurred_on`: the guardian (a parent or"
        " legal guardian) who activated it with them, a resident aged 18 or over then"))

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"kind": "vneid_level2", "occurred_on": "2026-01-11"},
                                        {"kind": "vneid_level2", "occurred_on": "2026-01-11",
                                         "guardian_id": OTHER_RESIDENT}]},
    )


class ReadinessFactRead(BaseModel):
    occurred_on: date
    guardian_id: uuid.UUID | None = Field(default=None, description=(
        "The guardian named with a child's VNeID level 2"))
    recorded_by_name: str | None
    recorded_at: datetime


class ResidentRead(BaseModel):
    """A resident as the caller may see them: `masked_fields` names what was hidden."""

    id: uuid.UUID
    household_id: uuid.UUID | None
    relationship: Relationship | None
    province_id: uuid.UUID
    commune_id: uuid.UUID
    group_id: uuid.UUID
    full_name: str
    birth_date: date | None
    birth_year: int | None
    sex: Sex
    id_number: str | None = Field(examples=["********1234"])
    phone: str | None = Field(examples=["+84912345678"])
    residence_status: ResidenceStatus
    residence_since: date | None
    status_changed_on: date | None
    data_quality: list[Finding] = Field(
        description="Findings about the record's data, each a code explained in the items' "
                    "`x-data-quality` (English and Vietnamese)"
    )
    readiness: dict[ReadinessKind, ReadinessFactRead] = Field(
        description="Latest fact per kind"
    )
    masked_fields: list[str]
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(json_schema_extra=examples(ex.RESIDENT_READ, ex.RESIDENT_MASKED))


class ResidentPage(Page[ResidentRead]):  # its name in the OpenAPI document
    pass


class HouseholdCreate(Strict):
    """A new household at an address; add members afterwards or create them into it."""

    code: HouseholdCode | None = Field(
        default=None, description=(
            "Your own household code (mã hộ), unique among the living households of the"
            " commune (its office issues them; another commune may use the same code);"
            " generated when absent")
    )
    group_id: uuid.UUID
    street_id: uuid.UUID | None = None
    house_number: line(32) | None = None
    old_address_text: line(500) | None = None
    residence_type: HouseholdResidence = HouseholdResidence.permanent

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=examples(ex.HOUSEHOLD_CREATE),
    )


class HouseholdUpdate(Strict):
    """Fields absent stay as they are; a household with members keeps a head, so a new
    head is another member (null is refused)."""

    street_id: Clearable[uuid.UUID] = None
    house_number: Clearable[line(32)] = None
    old_address_text: Clearable[line(500)] = None
    residence_type: Omittable[HouseholdResidence] = None
    head_id: Omittable[uuid.UUID] = Field(default=None, description="Must be a member")

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(*ex.HOUSEHOLD_UPDATE))


class HouseholdRead(BaseModel):
    id: uuid.UUID
    code: str = Field(description="Unique among the living households of its commune")
    province_id: uuid.UUID
    commune_id: uuid.UUID
    group_id: uuid.UUID
    street_id: uuid.UUID | None
    house_number: str | None
    old_address_text: str | None
    residence_type: HouseholdResidence
    head_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(from_attributes=True,
                              json_schema_extra=examples(ex.HOUSEHOLD_READ))


class HouseholdPage(Page[HouseholdRead]):  # its name in the OpenAPI document
    pass


class MemberAdd(Strict):
    """Move an existing resident into this household (from wherever they are now)."""

    resident_id: uuid.UUID
    relationship: Relationship

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(
        {"resident_id": RESIDENT, "relationship": "grandchild"}))


class HouseholdSplit(Strict):
    """Members leaving to form a new household at an address; `head_id` is one of them."""

    member_ids: list[uuid.UUID] = Field(min_length=1, max_length=50)
    head_id: uuid.UUID
    street_id: uuid.UUID | None = None
    house_number: line(32) | None = None
    code: HouseholdCode | None = Field(
        default=None, description="The new household's code, unique in the commune; generated"
        " when absent")

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(ex.HOUSEHOLD_SPLIT))


class HouseholdMerge(Strict):
    """Absorb another household of the same group: its members join, it is closed."""

    other_household_id: uuid.UUID

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(
        {"other_household_id": OTHER_HOUSEHOLD}))


class ResidentMerge(Strict):
    """Merge a duplicate record into this one; both histories are kept."""

    duplicate_id: uuid.UUID

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(
        {"duplicate_id": OTHER_RESIDENT}))


class ChangeRead(BaseModel):
    id: uuid.UUID
    action: str
    changed_at: datetime
    actor_name: str | None
    version: int
    before: dict[str, Any]
    after: dict[str, Any]
    related_ids: list[str]

    model_config = ConfigDict(json_schema_extra=examples(ex.CHANGE_READ))


class ChangePage(Page[ChangeRead]):  # its name in the OpenAPI document
    pass


class DuplicateGroup(BaseModel):
    """Records without an ID number sharing a folded name and birth date in one commune."""

    name_folded: str
    birth_date: date | None
    birth_year: int | None
    residents: list[ResidentRead]

    model_config = ConfigDict(json_schema_extra=examples(ex.DUPLICATE_GROUP))


class DuplicatePage(Page[DuplicateGroup]):
    """Groups of records that may be one person."""


class TransferCreate(Strict):
    """Ask for a person registered outside your scope to move into one of your households."""

    id_number: RawIdNumber = Field(description="The person's số định danh cá nhân, 12 digits")
    household_id: uuid.UUID = Field(description="The household they move into (yours)")
    relationship: Relationship
    residence_status: ResidenceStatus = Field(
        default=ResidenceStatus.permanent, description="Their residence once moved; from the"
        " day of approval")
    reason: line(500) | None = None

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "id_number": "052304001234", "household_id": "0192f0c4-2b1e-7c3a-9d4e-5f6a7b8c9d0e",
        "relationship": "spouse", "reason": "Kết hôn, về ở cùng chồng"}]})


class TransferDecision(Strict):
    """Why a transfer is refused."""

    reason: line(500)

    model_config = ConfigDict(extra="forbid", json_schema_extra=examples(
        {"reason": "Người này vẫn đang sinh sống tại địa phương"}))


class TransferRead(BaseModel):
    """A transfer request. The side that asked sees its own request and its status only;
    `resident_id` and `source_household_id` are shown to the resident's side alone."""

    id: uuid.UUID
    status: TransferStatus
    id_number: str
    household_id: uuid.UUID
    relationship: Relationship
    residence_status: ResidenceStatus
    reason: str | None
    requested_by_name: str | None
    resident_id: uuid.UUID | None = Field(description="The resident's side only")
    source_household_id: uuid.UUID | None = Field(description="The resident's side only")
    decided_by_name: str | None
    decided_at: datetime | None
    decision_reason: str | None
    created_at: datetime
    updated_at: datetime
    version: int

    model_config = ConfigDict(json_schema_extra=examples(ex.TRANSFER_READ))


class TransferPage(Page[TransferRead]):  # its name in the OpenAPI document
    pass
