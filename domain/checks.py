"""One way for a use case to check every field of a request and refuse them all at once.

Where each rule runs, so that one 422 lists as much as can be known:
- a rule about one field alone (a phone, an ID number, a date's range) is that field's type
  (`domain/types.py`, `domain/register/validation.py`): pydantic reports it together with
  every other schema error of the body, before any use case runs;
- a rule between fields, or one that needs the stored record (a PATCH) or the database (a
  reference), runs in the use case inside one `Checks`: it needs a body that parsed, so it
  meets the schema's errors only once those are fixed, and then all of its rules at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar

from domain.errors import Invalid
from domain.service_errors import ValidationFailed

T = TypeVar("T")


class Checks:
    """The rules a request breaks, raised together as one 422 `validation_failed`:

        with Checks() as checks:
            checks.check(data.ends_on >= data.starts_on, CampaignDates(loc=("body", "ends_on")))
            phone = checks.run(clean_phone, raw)        # None when it raised, kept
            group = await checks.wait(uow.units.target(...))

    Leaving the block raises everything collected. A field rule raised inside the block by
    code that does not know about `Checks` joins the others instead of hiding them; any
    other error (a 404, a 409) goes on as it is.
    """

    def __init__(self) -> None:
        self.cases: list[Invalid] = []

    def add(self, case: Invalid) -> None:
        self.cases.extend(case.cases if isinstance(case, ValidationFailed) else (case,))

    def check(self, ok: bool, case: Invalid) -> bool:
        """Record `case` unless `ok`; answers `ok`, for the rules that depend on it."""
        if not ok:
            self.add(case)
        return ok

    def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T | None:
        """`fn(...)`, or None with the field rule it raised recorded."""
        try:
            return fn(*args, **kwargs)
        except Invalid as exc:
            self._collect(exc)
            return None

    async def wait(self, awaitable: Awaitable[T]) -> T | None:
        """`await awaitable`, or None with the field rule it raised recorded."""
        try:
            return await awaitable
        except Invalid as exc:
            self._collect(exc)
            return None

    def failed(self, *loc: str | int) -> bool:
        """Some rule already failed at `loc` (a field's later rules would only repeat it)."""
        return any(tuple(case.loc) == loc for case in self.cases)

    def raise_collected(self) -> None:
        if self.cases:
            raise ValidationFailed(cases=self.cases)

    def _collect(self, exc: Invalid) -> None:
        if not (exc.field_level or isinstance(exc, ValidationFailed)):
            raise exc
        self.add(exc)

    def __enter__(self) -> Checks:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc is None:
            self.raise_collected()
        elif isinstance(exc, Invalid) and (exc.field_level or isinstance(exc, ValidationFailed)):
            self.add(exc)
            raise ValidationFailed(cases=self.cases) from exc
