"""The clock of a request's service targets: working hours of a ward office in
Asia/Ho_Chi_Minh, a lunch break, Saturday morning, public holidays (Tết)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.tickets.calendar import (
    VN,
    CalendarInvalid,
    WorkCalendar,
    default_calendar,
    parse_hours,
)

# Tết Bính Ngọ for public servants: Saturday 14 to Sunday 22 February 2026.
TET_2026 = [date(2026, 2, 14) + timedelta(days=i) for i in range(9)]


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN)


CAL = default_calendar(TET_2026)


def test_a_target_counts_only_working_hours_across_the_lunch_break():
    # Monday 10:00 + 4 working hours: 1.5 h before lunch, 2.5 h after 13:30 -> 16:00.
    assert CAL.add(vn(2026, 3, 2, 10, 0), 240) == vn(2026, 3, 2, 16, 0)
    # Opened at lunch: the clock starts at 13:30.
    assert CAL.add(vn(2026, 3, 2, 12, 15), 30) == vn(2026, 3, 2, 14, 0)


def test_friday_evening_runs_into_saturday_morning_then_monday():
    # Friday 16:30 + 8 h: 0.5 h Friday, 4 h Saturday morning, 3.5 h Monday -> 11:00.
    assert CAL.add(vn(2026, 3, 6, 16, 30), 480) == vn(2026, 3, 9, 11, 0)
    # Saturday afternoon and Sunday count nothing.
    assert CAL.minutes_between(vn(2026, 3, 7, 12, 0), vn(2026, 3, 9, 7, 30)) == 0


def test_tet_counts_nothing_and_the_clock_resumes_after_it():
    # Friday 13 February 2026, 16:00 + 2 h: one hour that day, then nothing until Monday 23.
    assert CAL.add(vn(2026, 2, 13, 16, 0), 120) == vn(2026, 2, 23, 8, 30)
    assert CAL.minutes_between(vn(2026, 2, 14, 0, 0), vn(2026, 2, 23, 0, 0)) == 0
    # Without the holidays the same target falls on Saturday 14 February.
    assert default_calendar().add(vn(2026, 2, 13, 16, 0), 120) == vn(2026, 2, 14, 8, 30)


def test_minutes_between_undoes_add_everywhere():
    rng = random.Random(20260301)
    start = vn(2026, 1, 1, 0, 0)
    for _ in range(500):
        at = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 120))
        minutes = rng.randrange(0, 60 * 60)
        due = CAL.add(at, minutes)
        assert CAL.minutes_between(at, due) == minutes, (at, minutes, due)
        assert due.tzinfo is not None and due.utcoffset() == timedelta(0)


def test_instants_come_back_in_utc_and_may_arrive_in_any_zone():
    at = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội
    assert CAL.add(at, 60) == datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
    assert CAL.minutes_between(at, at) == 0 and CAL.minutes_between(at, at - timedelta(1)) == 0


def test_working_hours_are_configurable():
    shifts = WorkCalendar(hours=parse_hours("mon-sun 00:00-24:00"))
    assert shifts.add(vn(2026, 3, 7, 23, 0), 120) == vn(2026, 3, 8, 1, 0)
    assert parse_hours("Mon-Fri 08:00-12:00, 13:00-17:00")[4] == parse_hours(
        "fri 08:00-12:00,13:00-17:00")[4]


@pytest.mark.parametrize("text", [
    "", "mon-fri", "fri-mon 08:00-12:00", "xyz 08:00-12:00", "mon 12:00-08:00",
    "mon 08:00-12:00,11:00-13:00", "mon 25:00-26:00", "mon 08:00-12:00; mon 13:00-17:00",
    "mon 8-12",
])
def test_working_hours_that_cannot_be_read_are_refused(text):
    with pytest.raises(CalendarInvalid):
        parse_hours(text)
