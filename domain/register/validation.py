"""Turning what a person typed into register values, or into 422s that say what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic_core import PydanticCustomError

from domain.checks import Checks
from domain.errors import DateBeforeBirth, Invalid, error_class
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
from domain.types import BIRTH, PAST


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


def as_type(clean: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """`clean` as a field type's validator: its rule then reaches the client with the body's
    other schema errors (domain/checks.py), under the same code as for an import's cell."""

    def validate(raw: str) -> str | None:
        try:
            return clean(raw)
        except Invalid as exc:
            raise PydanticCustomError(exc.code, exc.code.replace("_", " ")) from None

    return validate


def check_birth(birth_date: date | None, birth_year: int | None) -> int:
    """The birth year to store; a full date wins, a future date or none at all is a 422."""
    if birth_date is None and birth_year is None:
        raise BirthRequired(loc=("body", "birth_date"))
    if birth_date is not None:
        if fault := BIRTH.fault(birth_date):
            raise case_of(fault, ("body", "birth_date"))
        if birth_year is not None and birth_year != birth_date.year:
            raise BirthYearMismatch(loc=("body", "birth_year"))
        return birth_date.year
    assert birth_year is not None
    # A year alone is in range when some day of it is (BIRTH's ends, counted in years).
    if birth_year < BIRTH.earliest().year:
        raise BirthDateTooOld(loc=("body", "birth_year"))
    if birth_year > BIRTH.latest().year:
        raise BirthDateFuture(loc=("body", "birth_year"))
    return birth_year


def case_of(code: str, loc: tuple[str | int, ...]) -> Invalid:
    """The 422 case a range (domain/types.py) names by its code, at `loc`."""
    case = error_class(code)
    assert case is not None and issubclass(case, Invalid), code
    return case(loc=loc)


def before_birth(day: date, birth_date: date | None, birth_year: int | None) -> bool:
    """`day` comes before the person was born (with a year alone: before that year)."""
    if birth_date is not None:
        return day < birth_date
    return birth_year is not None and day.year < birth_year


def status_cases(status: ResidenceStatus, since: date | None, changed_on: date | None, *,
                 birth_date: date | None = None, birth_year: int | None = None,
                 ) -> list[Invalid]:
    """Every rule the residence dates break: their range, not before birth, and the dates
    a status needs."""
    cases: list[Invalid] = []
    for name, value in (("residence_since", since), ("status_changed_on", changed_on)):
        if value is None:
            continue
        if fault := PAST.fault(value):
            cases.append(case_of(fault, ("body", name)))
        elif before_birth(value, birth_date, birth_year):
            cases.append(DateBeforeBirth(loc=("body", name)))
    if status in (ResidenceStatus.moved_out, ResidenceStatus.deceased) and changed_on is None:
        cases.append(StatusDateRequired(loc=("body", "status_changed_on"), status=status.value))
    if status == ResidenceStatus.temporary and since is None:
        cases.append(ResidenceSinceRequired(loc=("body", "residence_since")))
    return cases


def check_person(values: dict[str, Any], checks: Checks) -> int | None:
    """The birth and residence fields together, every broken rule into `checks` (the stored
    values stand in for those a PATCH leaves out); answers the birth year to store."""
    birth_year = checks.run(check_birth, values.get("birth_date"), values.get("birth_year"))
    known = birth_year is not None
    for case in status_cases(values["residence_status"], values.get("residence_since"),
                             values.get("status_changed_on"),
                             birth_date=values.get("birth_date") if known else None,
                             birth_year=birth_year):
        checks.add(case)
    return birth_year


def data_quality(values: dict[str, Any]) -> bool:
    """True when the ID number's century/sex/year digits disagree with the birth data."""
    if not values.get("id_number"):
        return False
    return not id_number_agrees(values["id_number"], birth_year=values.get("birth_year"),
                                sex=values["sex"])
