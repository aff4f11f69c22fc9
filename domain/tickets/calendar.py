"""Working time in Asia/Ho_Chi_Minh: the clock of a request's service targets.

A target ("answer within 8 working hours") counts only the office's working hours: by
default Monday to Friday 07:30-11:30 and 13:30-17:00 and Saturday morning 07:30-11:30, as
ward offices (bộ phận một cửa) keep them, minus public holidays, which are set per year
(Tết spans several days, and its dates move with the lunar calendar). Written here rather
than taken from a business-hours library: the ones on PyPI count whole days or one interval
a day, none both a lunch break and a half-day Saturday in a named time zone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_HOURS = "mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30"
_SEARCH_DAYS = 3 * 366  # a target never reaches further: past this the calendar is wrong

Interval = tuple[time, time]


class CalendarInvalid(ValueError):
    """Working hours that cannot be read, or that leave no working time at all."""


def parse_hours(text: str) -> dict[int, tuple[Interval, ...]]:
    """`"mon-fri 07:30-11:30,13:30-17:00; sat 07:30-11:30"`: weekday (0 = Monday) to its
    working intervals, in local time, in order and not overlapping."""
    hours: dict[int, tuple[Interval, ...]] = {}
    for part in filter(None, (p.strip().lower() for p in text.split(";"))):
        match = re.fullmatch(r"([a-z]{3})(?:-([a-z]{3}))?\s+(.+)", part)
        if not match or match[1] not in DAYS or (match[2] and match[2] not in DAYS):
            raise CalendarInvalid(f"not a day or a range of days: {part!r}")
        first, last = DAYS.index(match[1]), DAYS.index(match[2] or match[1])
        if last < first:
            raise CalendarInvalid(f"days run backwards: {part!r}")
        intervals = tuple(_interval(span.strip()) for span in match[3].split(","))
        for (_, end), (start, _) in pairwise(intervals):
            if start < end:
                raise CalendarInvalid(f"intervals overlap or are out of order: {part!r}")
        for day in range(first, last + 1):
            if day in hours:
                raise CalendarInvalid(f"{DAYS[day]} is given twice")
            hours[day] = intervals
    if not hours:
        raise CalendarInvalid("no working hours at all")
    return hours


def _interval(span: str) -> Interval:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})", span)
    if not match:
        raise CalendarInvalid(f"not a time range HH:MM-HH:MM: {span!r}")
    h1, m1, h2, m2 = map(int, match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise CalendarInvalid(f"not a time of day: {span!r}")
    start = time(h1, m1)
    end = time.max if h2 == 24 else time(h2, m2)
    if end <= start:
        raise CalendarInvalid(f"ends before it starts: {span!r}")
    return start, end


@dataclass(frozen=True)
class WorkCalendar:
    hours: Mapping[int, tuple[Interval, ...]] = field(
        default_factory=lambda: parse_hours(DEFAULT_HOURS))
    holidays: frozenset[date] = frozenset()

    def working(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's working intervals as instants (UTC); none on a holiday."""
        if day in self.holidays:
            return []
        return [(_at(day, start), _at(day, end)) for start, end in self.hours.get(day.weekday(),
                                                                                   ())]

    def add(self, start: datetime, minutes: float) -> datetime:
        """The instant `minutes` of working time after `start` (a due time)."""
        start, left = start.astimezone(UTC), timedelta(minutes=minutes)
        if left <= timedelta(0):
            return start
        for _day, opens, closes in self._intervals_from(start):
            begin = max(opens, start)
            if begin + left <= closes:
                return begin + left
            left -= closes - begin
        raise CalendarInvalid("no working time within three years")  # pragma: no cover

    def minutes_between(self, start: datetime, end: datetime) -> int:
        """Whole working minutes from `start` to `end` (0 when `end` is not later)."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            return 0
        total = timedelta(0)
        for _day, opens, closes in self._intervals_from(start):
            if opens >= end:
                break
            total += min(closes, end) - max(opens, start)
        return int(total.total_seconds() // 60)

    def _intervals_from(self, start: datetime):
        """(day, opens, closes) of every working interval that ends after `start`."""
        start = start.astimezone(UTC)
        day = start.astimezone(VN).date()
        for _ in range(_SEARCH_DAYS):
            for opens, closes in self.working(day):
                if closes > start:
                    yield day, opens, closes
            day += timedelta(days=1)


def _at(day: date, moment: time) -> datetime:
    if moment == time.max:  # "24:00": the next midnight
        return datetime.combine(day + timedelta(days=1), time(0), VN).astimezone(UTC)
    return datetime.combine(day, moment, VN).astimezone(UTC)


def default_calendar(holidays: Iterable[date] = (), hours: str = DEFAULT_HOURS
                     ) -> WorkCalendar:
    return WorkCalendar(hours=parse_hours(hours), holidays=frozenset(holidays))
