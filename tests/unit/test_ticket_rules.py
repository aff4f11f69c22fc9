"""The workflow's table, move by move, the reopen window's edge, and the settings that reach
the ticket use cases (WORK_HOURS, TICKET_REOPEN_DAYS)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from pydantic import ValidationError

from api.app import ticket_policy
from api.settings import Settings
from domain.tickets.calendar import DEFAULT_HOURS, parse_hours
from domain.tickets.models import TicketStatus
from domain.tickets.rules import REOPEN_WINDOW, RESPONDED, TicketPolicy, allowed_moves

S = TicketStatus
NOW = datetime(2026, 3, 6, 9, 30, tzinfo=UTC)

# Written out rather than read from MOVES: this is what the issue asks for.
ALLOWED = {
    (S.new, S.acknowledged), (S.new, S.in_progress), (S.new, S.resolved),
    (S.acknowledged, S.in_progress), (S.acknowledged, S.waiting_on_resident),
    (S.acknowledged, S.resolved),
    (S.in_progress, S.waiting_on_resident), (S.in_progress, S.resolved),
    (S.waiting_on_resident, S.in_progress), (S.waiting_on_resident, S.resolved),
    (S.resolved, S.closed), (S.resolved, S.in_progress),
    (S.closed, S.in_progress),
}
REOPEN = {(S.resolved, S.in_progress), (S.closed, S.in_progress)}
ENDED = {S.resolved, S.closed}


@pytest.mark.parametrize(("status", "to"), list(product(S, S)))
def test_every_move_within_the_window(status, to):
    ended_at = NOW - timedelta(days=1) if status in ENDED else None
    allowed = allowed_moves(status, ended_at=ended_at, now=NOW)
    assert (to in allowed) == ((status, to) in ALLOWED)


@pytest.mark.parametrize(("status", "to"), list(product(S, S)))
def test_every_move_past_the_window(status, to):
    ended_at = NOW - REOPEN_WINDOW - timedelta(seconds=1) if status in ENDED else None
    allowed = allowed_moves(status, ended_at=ended_at, now=NOW)
    assert (to in allowed) == ((status, to) in ALLOWED - REOPEN)


@pytest.mark.parametrize("status", sorted(ENDED))
def test_the_window_reopens_at_exactly_its_length_and_not_a_microsecond_later(status):
    window = timedelta(days=3)
    edge = allowed_moves(status, ended_at=NOW - window, now=NOW, window=window)
    assert S.in_progress in edge
    past = allowed_moves(status, ended_at=NOW - window - timedelta(microseconds=1), now=NOW,
                         window=window)
    assert S.in_progress not in past


def test_an_end_unknown_never_reopens():
    assert allowed_moves(S.closed, ended_at=None, now=NOW) == ()
    assert allowed_moves(S.resolved, ended_at=None, now=NOW) == (S.closed,)


def test_the_first_answer_is_any_move_out_of_new_and_comes_before_any_wait():
    assert RESPONDED == frozenset(S) - {S.new}
    assert S.waiting_on_resident not in allowed_moves(S.new, ended_at=None, now=NOW)


def test_the_settings_reach_the_policy():
    settings = Settings(work_hours="mon-fri 08:00-12:00", ticket_reopen_days=30)
    policy = ticket_policy(settings)
    assert policy.hours == parse_hours("mon-fri 08:00-12:00")
    assert policy.reopen_window == timedelta(days=30)
    default = ticket_policy(Settings())
    assert default.hours == parse_hours(DEFAULT_HOURS) == TicketPolicy().hours
    assert default.reopen_window == REOPEN_WINDOW == timedelta(days=14)


@pytest.mark.parametrize("hours", ["mon-fri 9-17", "sun-mon 08:00-12:00", "", "tue 12:00-08:00"])
def test_bad_working_hours_stop_the_start(hours):
    with pytest.raises(ValidationError) as err:
        Settings(work_hours=hours)
    assert "work_hours" in str(err.value)


def test_a_negative_reopen_window_is_refused():
    with pytest.raises(ValidationError):
        Settings(ticket_reopen_days=-1)
