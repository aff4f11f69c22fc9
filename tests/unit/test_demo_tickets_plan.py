"""The demo queue shows every status, outcome and channel whatever day and hour `make run`
starts: the plan is counted back from `now`, so a fixed clock in a test would hide the
mornings when the random lives leave a status out (none waiting on the resident, say)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from domain.tickets.calendar import default_calendar
from domain.tickets.demo import plan_tickets
from domain.tickets.models import TicketChannel, TicketOutcome, TicketStatus

S = TicketStatus
_DRAWS = random.Random(20261203)
# Instants across two years at any minute of the day, each with the seed `make run` or a
# test could pass; the first is the CI morning that found a queue with no ticket waiting.
NOWS = [(datetime(2026, 12, 3, 1, 5, tzinfo=UTC), 684)] + [
    (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=_DRAWS.randrange(730 * 1440)),
     _DRAWS.randrange(10_000)) for _ in range(300)]


def _last(plan) -> TicketStatus:
    return plan.moves[-1].to if plan.moves else S.new


@pytest.mark.parametrize(("now", "seed"), NOWS, ids=lambda v: str(v))
def test_every_status_outcome_and_channel_is_in_the_queue(now, seed):
    plans = plan_tickets(now, default_calendar(), seed=seed)
    assert {_last(p) for p in plans} == set(S)
    outcomes = {m.outcome for p in plans for m in p.moves if m.outcome}
    assert {TicketOutcome.answered, TicketOutcome.done, TicketOutcome.referred} <= outcomes
    assert {p.channel for p in plans} == set(TicketChannel)
    assert all(p.created_at < now for p in plans)
    for p in plans:
        times = [p.created_at, *(m.at for m in p.moves)]
        assert times == sorted(times) and times[-1] < now, p
