"""Dates as the ward sees them: "today" and "days" are in Asia/Ho_Chi_Minh."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CLOCK_SKEW = timedelta(minutes=5)  # phones' clocks run a little ahead


def today_vn() -> date:
    return datetime.now(VN).date()


def day_vn(moment: datetime) -> date:
    return moment.astimezone(VN).date()
