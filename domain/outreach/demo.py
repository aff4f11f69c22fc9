"""The demo campaign's first day (11 January 2026), planned to match the report: 300+
households reached and about 200 residents invited into the community group."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.outreach.models import Action, Outcome

DAY_ONE = datetime(2026, 1, 11, 7, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
DOORS_PER_WALKER = 124  # three walkers: 372 doors on day one


@dataclass(frozen=True)
class Door:
    household_id: uuid.UUID
    residents: tuple[tuple[uuid.UUID, int | None, bool], ...]  # id, age, has a smartphone


def plan_day_one(walks: list[list[Door]], seed: int = 11) -> list[tuple[int, dict]]:
    """(walker index, visit body) for each door visited on day one, in time order."""
    rng = random.Random(seed)
    plan = []
    for walker, doors in enumerate(walks):
        moment = DAY_ONE + timedelta(minutes=7 * walker)
        for n, door in enumerate(doors[:DOORS_PER_WALKER]):
            moment += timedelta(minutes=rng.randint(3, 6))
            if n == 50:  # lunch, and the night meeting hour the report mentions
                moment += timedelta(hours=2)
            roll = rng.random()
            outcome = (Outcome.nobody_home if roll < 0.14 else
                       Outcome.come_back_later if roll < 0.17 else
                       Outcome.refused if roll < 0.18 else Outcome.met)
            people = []
            if outcome == Outcome.met:
                adults = [r for r in door.residents if r[1] is None or 16 <= r[1] <= 70]
                invited = [r for r in adults if r[2] and rng.random() < 0.29][:2]
                for resident_id, _age, _ in adults:
                    actions = [Action.fraud_warning_given]
                    if any(r[0] == resident_id for r in invited):
                        actions.append(Action.invited_to_group)
                        if rng.random() < 0.72:
                            actions.append(Action.joined_group)
                    if rng.random() < 0.08:
                        actions.append(Action.installed_vneid)
                    people.append({"resident_id": str(resident_id),
                                   "actions": [a.value for a in actions],
                                   "consent": {"given": True, "method": "verbal"}})
            plan.append((walker, {
                "client_visit_id": f"demo-{walker}-{n:04d}",
                "household_id": str(door.household_id),
                "visited_at": moment.isoformat(),
                "outcome": outcome.value,
                "residents": people,
                "follow_up_on": "2026-01-18" if outcome != Outcome.met else None,
            }))
    return sorted(plan, key=lambda item: item[1]["visited_at"])
