"""Turning what a person typed into register values, or into 422s that say what is wrong."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.clock import today_vn
from domain.errors import DateInFuture
from domain.register.errors import (
    ID_NUMBER_ERRORS,
    BirthDateFuture,
    BirthDateTooOld,
    BirthRequired,
    BirthYearMismatch,
    PhoneInvalid,
    ResidenceSinceRequired,
    StatusDateRequired,
)
from domain.register.models import ResidenceStatus
from domain.register.rules import (
    IdNumberError,
    PhoneError,
    id_number_agrees,
    normalize_phone,
    parse_id_number,
)


def clean_id_number(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    try:
        return parse_id_number(raw)
    except IdNumberError as exc:
        raise ID_NUMBER_ERRORS[exc.code](loc=("body", "id_number")) from exc


def clean_phone(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    try:
        return normalize_phone(raw)
    except PhoneError as exc:
        raise PhoneInvalid(loc=("body", "phone")) from exc


def check_birth(birth_date: date | None, birth_year: int | None) -> int:
    """The birth year to store; a full date wins, a future date or none at all is a 422."""
    today = today_vn()
    if birth_date is None and birth_year is None:
        raise BirthRequired(loc=("body", "birth_date"))
    if birth_date is not None:
        if birth_date > today:
            raise BirthDateFuture(loc=("body", "birth_date"))
        if birth_date.year < 1900:
            raise BirthDateTooOld(loc=("body", "birth_date"))
        if birth_year is not None and birth_year != birth_date.year:
            raise BirthYearMismatch(loc=("body", "birth_year"))
        return birth_date.year
    assert birth_year is not None
    if birth_year > today.year:
        raise BirthDateFuture(loc=("body", "birth_year"))
    return birth_year


def check_status(status: ResidenceStatus, since: date | None, changed_on: date | None) -> None:
    today = today_vn()
    for name, value in (("residence_since", since), ("status_changed_on", changed_on)):
        if value is not None and value > today:
            raise DateInFuture(loc=("body", name))
    if status in (ResidenceStatus.moved_out, ResidenceStatus.deceased) and changed_on is None:
        raise StatusDateRequired(loc=("body", "status_changed_on"),
                      status=status.value)
    if status == ResidenceStatus.temporary and since is None:
        raise ResidenceSinceRequired(loc=("body", "residence_since"))


def data_quality(values: dict[str, Any]) -> bool:
    """True when the ID number's century/sex/year digits disagree with the birth data."""
    if not values.get("id_number"):
        return False
    return not id_number_agrees(values["id_number"], birth_year=values.get("birth_year"),
                                sex=values["sex"])
