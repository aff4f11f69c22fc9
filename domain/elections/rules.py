"""An election's clock: when voting opens and the default last amendment, from its own
day and opening time (never constants)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from domain.clock import VN

AMENDMENT_LEAD = timedelta(hours=24)  # lists are amended until 24 hours before voting


def voting_opens(election_day: date, opens_at: time) -> datetime:
    """The instant voting opens (local time on election day), in UTC."""
    return datetime.combine(election_day, opens_at, tzinfo=VN).astimezone(UTC)


def default_amendment_deadline(election_day: date, opens_at: time) -> datetime:
    """24 hours before voting opens."""
    return voting_opens(election_day, opens_at) - AMENDMENT_LEAD
