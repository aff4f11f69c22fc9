"""Column and field types shared by all tables and schemas."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

from domain.text import has_forbidden_chars, nfc, squash_spaces


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


def _clean(value: str) -> str:
    if has_forbidden_chars(value):
        raise PydanticCustomError("control_characters", "text contains control characters")
    return squash_spaces(nfc(value))


# A single line of human text: NFC, no control characters, spaces squashed.
Line = Annotated[str, AfterValidator(_clean)]


def line(max_length: int, min_length: int = 1):
    """A `Line` with length bounds; blank after cleaning counts as too short."""

    def _bounded(value: str) -> str:
        value = _clean(value)
        if len(value) < min_length:
            raise PydanticCustomError(
                "string_too_short",
                "String should have at least {min_length} characters",
                {"min_length": min_length},
            )
        return value

    return Annotated[
        str,
        StringConstraints(min_length=min_length, max_length=max_length),
        AfterValidator(_bounded),
    ]


def _clean_multiline(value: str) -> str:
    value = nfc(value).replace("\r\n", "\n")
    if has_forbidden_chars(value):
        raise PydanticCustomError("control_characters", "text contains control characters")
    return value.strip()


Note = Annotated[str, StringConstraints(max_length=4000), AfterValidator(_clean_multiline)]
