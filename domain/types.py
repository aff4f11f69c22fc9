"""Column and field types shared by all tables and schemas."""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field
from pydantic_core import PydanticCustomError
from sqlalchemy import DateTime, String
from sqlalchemy.types import TypeDecorator

from domain.clock import CLOCK_SKEW, today_vn
from domain.text import nfc, squash_spaces, text_fault


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562 v7). Python 3.11's `uuid` has no uuid7 (3.14 does)."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (rand >> 68 & 0xFFF) << 64
    value |= 0b10 << 62 | rand & ((1 << 62) - 1)
    return uuid.UUID(int=value)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as UTC; SQLite drops the offset, so restore it here."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class EnumText(TypeDecorator[Any]):
    """A StrEnum stored as its text: rows come back as the enum, not as a bare string
    (`unit.level.value` on a unit read from the database was an AttributeError), and a
    value outside the enum is refused before it is written."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect) -> Any:
        return None if value is None else self.enum(value)


def _refuse_faults(value: str) -> None:
    # The input middleware refused these already (api/input.py); a value built in code,
    # or read from an import's file, meets the same rule here.
    if fault := text_fault(value):
        raise PydanticCustomError(fault, "text that cannot be stored")


def _clean(value: str) -> str:
    _refuse_faults(value)
    return squash_spaces(nfc(value))


# A single line of human text: NFC, no control characters, spaces squashed.
Line = Annotated[str, AfterValidator(_clean)]


class Documented:
    """JSON Schema keywords of a value that our own code checks after pydantic (an ID
    number's digits, a phone's characters): the document states the rule, and the check
    keeps answering with its own error codes."""

    def __init__(self, **keywords: Any) -> None:
        self.keywords = keywords

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        schema.update(self.keywords)
        return schema


# Blank once cleaned counts as too short: the document says a line holds a non-space.
NOT_BLANK = Documented(pattern=r"\S")


def _too_short(min_length: int) -> PydanticCustomError:
    """pydantic's own error for a string below its minimum, raised after cleaning."""
    return PydanticCustomError("string_too_short",
                               "String should have at least {min_length} characters",
                               {"min_length": min_length})


def _too_long(max_length: int) -> PydanticCustomError:
    """pydantic's own error for a string above its maximum, raised after cleaning."""
    return PydanticCustomError("string_too_long",
                               "String should have at most {max_length} characters",
                               {"max_length": max_length})


def line(max_length: int, min_length: int = 1):
    """A `Line` with length bounds; blank after cleaning counts as too short. Lengths are
    counted in NFC, once cleaned: a name sent decomposed ("Nguyễn" as 8 code points) is as
    long as the one stored."""

    def _bounded(value: str) -> str:
        value = _clean(value)
        if len(value) < min_length:
            raise _too_short(min_length)
        if len(value) > max_length:
            raise _too_long(max_length)
        return value

    return Annotated[
        str,
        AfterValidator(_bounded),
        Documented(minLength=min_length, maxLength=max_length),
        *([NOT_BLANK] if min_length else []),
    ]


def _clean_multiline(value: str) -> str:
    _refuse_faults(value)
    return nfc(value).replace("\r\n", "\n").strip()


def note(max_length: int):
    """Multi-line text (NFC, no control characters but line breaks and tabs), its length
    counted once in NFC."""

    def _bounded(value: str) -> str:
        value = _clean_multiline(value)
        if len(value) > max_length:
            raise _too_long(max_length)
        return value

    return Annotated[str, AfterValidator(_bounded), Documented(maxLength=max_length)]


Note = note(4000)


def _filled(value: str) -> str:
    if not value:  # blank once cleaned
        raise _too_short(1)
    return value


def filled_note(max_length: int, *, published_pattern: bool = True):
    r"""A `note` that must say something (an announcement's body, a need at the door).
    `published_pattern=False` for a field API 1.0 published without the `\S` pattern: it
    keeps what that release accepts (a blank text is taken, cleaned), because a tighter
    request rule would break clients of that release; the document and the server agree."""
    if not published_pattern:  # as published: at least one character sent, blank or not
        return Annotated[note(max_length), Documented(minLength=1)]
    return Annotated[note(max_length), AfterValidator(_filled),
                     Documented(minLength=1, pattern=r"\S")]


FilledNote = filled_note(4000)


# -- plausible dates and instants --------------------------------------------------------
# Every date and datetime a client sends is one of the types below; each declares its range
# once (the error codes name the case, their texts are in domain/errors.py), and imports
# check their cells with the same `DateRange`s. Rules between fields (nothing before birth,
# a campaign's end within its horizon, ...) live with the areas' rules.
FIRST_DATE = date(1900, 1, 1)  # no one on the register was born earlier
FIRST_PLAN_DATE = date(2000, 1, 1)  # outreach began long after; the demo replays 2026-01-11
PLAN_HORIZON = timedelta(days=2 * 365 + 1)  # plans (campaigns, follow-ups): two years
SCHEDULE_TOLERANCE = timedelta(minutes=15)  # a notice "now" composed a little earlier
SCHEDULE_HORIZON = timedelta(days=366)  # notices are scheduled at most a year ahead
FIRST_INSTANT = datetime(1900, 1, 1, tzinfo=UTC)
LAST_INSTANT = datetime(2400, 1, 1, tzinfo=UTC)  # the century digits of an ID number end


def _refuse(code: str, **ctx: object) -> PydanticCustomError:
    return PydanticCustomError(code, code.replace("_", " "), ctx or None)


@dataclass(frozen=True)
class DateRange:
    """A plausible range of dates: each end fixed or counted from today in Vietnam."""

    earliest: Callable[[], date]
    latest: Callable[[], date]
    too_early: str  # the error code of each side
    too_late: str

    def fault(self, value: date) -> str | None:
        """The error code when `value` is out of range, else None."""
        if value < self.earliest():
            return self.too_early
        if value > self.latest():
            return self.too_late
        return None

    def __call__(self, value: date) -> date:
        if fault := self.fault(value):
            raise _refuse(fault)
        return value


def _written(code: str) -> Callable[[Any], Any]:
    """Dates and instants as the contract writes them (`YYYY-MM-DD`, RFC 3339), never the
    Unix timestamps pydantic also reads: `until=0.5` is a mistake, not 1970-01-01."""

    def check(value: Any) -> Any:
        if isinstance(value, date):  # our own code's values (datetime is a date too)
            return value
        if not isinstance(value, str) or not _WRITTEN_DATE.match(value):
            raise _refuse(code)
        return value

    return check


_WRITTEN_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
Day = Annotated[date, BeforeValidator(_written("date_parsing"))]
"""A date written `YYYY-MM-DD`."""

BIRTH = DateRange(lambda: FIRST_DATE, today_vn, "birth_date_too_old", "birth_date_future")
PAST = DateRange(lambda: FIRST_DATE, today_vn, "date_too_old", "date_in_future")
PLAN = DateRange(lambda: FIRST_PLAN_DATE, lambda: today_vn() + PLAN_HORIZON,
                 "date_too_old", "date_too_far")

BirthDate = Annotated[Day, AfterValidator(BIRTH)]
"""A birth date: from 1900 to today (Asia/Ho_Chi_Minh)."""
PastDate = Annotated[Day, AfterValidator(PAST)]
"""A fact's date (moved in, moved out, died, a readiness step): from 1900 to today."""
PlanDate = Annotated[Day, AfterValidator(PLAN)]
"""A planned day (a campaign's start or end, a follow-up): from 2000 to two years ahead."""


def _to_utc(value: datetime) -> datetime:
    try:
        # 9999-12-31T23:59:59-12:00 is a valid RFC 3339 text whose UTC does not exist.
        value = value.astimezone(UTC)
    except OverflowError:
        raise _refuse("datetime_out_of_range") from None
    if not FIRST_INSTANT <= value < LAST_INSTANT:
        raise _refuse("datetime_out_of_range")
    return value


def _not_ahead(value: datetime) -> datetime:
    if value > utcnow() + CLOCK_SKEW:
        raise _refuse("date_in_future")
    return value


def _scheduled(value: datetime) -> datetime:
    now = utcnow()
    if value < now - SCHEDULE_TOLERANCE:
        raise _refuse("publish_at_past")
    if value > now + SCHEDULE_HORIZON:
        raise _refuse("publish_at_too_far")
    return value


Instant = Annotated[AwareDatetime, BeforeValidator(_written("datetime_parsing")),
                   AfterValidator(_to_utc)]
"""A moment with its offset, converted to UTC; out of 1900-2399 (or of any calendar) a 422."""
PastInstant = Annotated[Instant, AfterValidator(_not_ahead)]
"""A moment that happened (a visit, a delivery): not after now, phones' clocks aside."""
ScheduleInstant = Annotated[Instant, AfterValidator(_scheduled)]
"""When a notice goes out: now (a few minutes' tolerance) to a year ahead."""


# -- PATCH fields ------------------------------------------------------------------------
# A PATCH leaves an absent field as it is (services read `model_dump(exclude_unset=True)`),
# so `None` as a Python default only stands for "absent" and is never shown as a default.
# Each field says what `null` means: `Omittable` refuses it (a name, a status: there is no
# "no value" to go back to), `Clearable` clears the stored value (a phone, a note).
T = TypeVar("T")


def _refuse_null(value: Any) -> Any:
    if value is None:
        raise _refuse("null_not_allowed")
    return value


def _absent_is_unchanged(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _not_nullable(schema: dict[str, Any]) -> None:
    _absent_is_unchanged(schema)
    branches = [b for b in schema.pop("anyOf", []) if b != {"type": "null"}]
    if len(branches) == 1:
        schema.update(branches[0])
    elif branches:
        schema["anyOf"] = branches


Omittable = Annotated[T | None, BeforeValidator(_refuse_null),
                      Field(json_schema_extra=_not_nullable)]
"""A PATCH field that may be left out (unchanged) but not sent as null (a 422
`null_not_allowed`); the JSON Schema is the type itself, not nullable."""
Clearable = Annotated[T | None, Field(json_schema_extra=_absent_is_unchanged)]
"""A PATCH field that may be left out (unchanged) or sent as null (the value is cleared)."""
