"""`Checks`: every broken rule of a request, raised once."""

from __future__ import annotations

import pytest

from domain.checks import Checks
from domain.errors import FieldMissing, NotFound
from domain.register.errors import PhoneInvalid
from domain.register.validation import clean_phone
from domain.service_errors import IdempotencyKeyReused, ValidationFailed


def _locs(exc: ValidationFailed) -> list[tuple]:
    return [case.loc for case in exc.cases]


class TestChecks:
    def test_nothing_broken_raises_nothing_and_answers_values(self):
        with Checks() as checks:
            assert checks.check(True, FieldMissing(loc=("body", "a")))
            assert checks.run(clean_phone, "0912 345 678") == "+84912345678"
        assert checks.cases == []

    def test_every_case_is_raised_together_even_one(self):
        with pytest.raises(ValidationFailed) as one:
            with Checks() as checks:
                checks.check(False, FieldMissing(loc=("body", "a")))
        assert _locs(one.value) == [("body", "a")] and one.value.params["count"] == 1
        with pytest.raises(ValidationFailed) as many:
            with Checks() as checks:
                assert not checks.check(False, FieldMissing(loc=("body", "a")))
                assert checks.run(clean_phone, "12345") is None
                checks.add(FieldMissing(loc=("body", "b")))
        assert _locs(many.value) == [("body", "a"), ("body", "phone"), ("body", "b")]
        assert isinstance(many.value.cases[1], PhoneInvalid)

    async def test_an_awaited_rule_is_collected(self):
        async def refuse():
            raise FieldMissing(loc=("body", "late"))

        with pytest.raises(ValidationFailed) as caught:
            with Checks() as checks:
                assert await checks.wait(refuse()) is None
                checks.add(FieldMissing(loc=("body", "other")))
        assert _locs(caught.value) == [("body", "late"), ("body", "other")]

    def test_a_rule_raised_inside_the_block_joins_those_before(self):
        with pytest.raises(ValidationFailed) as caught:
            with Checks() as checks:
                checks.add(FieldMissing(loc=("body", "a")))
                raise PhoneInvalid(loc=("body", "phone"))
        assert _locs(caught.value) == [("body", "a"), ("body", "phone")]

    def test_nested_collections_flatten(self):
        with pytest.raises(ValidationFailed) as caught:
            with Checks() as outer:
                outer.add(FieldMissing(loc=("body", "a")))

                def inner():
                    with Checks() as checks:
                        checks.add(FieldMissing(loc=("body", "b")))
                        checks.add(FieldMissing(loc=("body", "c")))

                outer.run(inner)
                assert outer.failed("body", "c") and not outer.failed("body", "d")
        assert _locs(caught.value) == [("body", "a"), ("body", "b"), ("body", "c")]
        assert all(not isinstance(case, ValidationFailed) for case in caught.value.cases)

    @pytest.mark.parametrize("error", [NotFound(), IdempotencyKeyReused()])
    def test_other_errors_go_on_as_they_are(self, error):
        def fail():
            raise error

        with pytest.raises(type(error)):
            with Checks() as checks:
                checks.add(FieldMissing(loc=("body", "a")))
                checks.run(fail)
        with pytest.raises(type(error)):
            with Checks() as checks:
                checks.add(FieldMissing(loc=("body", "a")))
                raise error
