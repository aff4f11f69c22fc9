"""Progress of a campaign, read from its counters (no scan of the visits)."""

from __future__ import annotations

from collections import defaultdict

from domain.outreach.models import GOAL_STEPS, Action, Campaign, Goal
from domain.outreach.schemas import Funnel, FunnelStep, Progress, Slice

METRICS = {"households_reached", "target_households", *(a.value for a in Action)}


def build_progress(campaign: Campaign, counters, labels: dict[str, str]) -> Progress:
    table: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for dimension, key, metric, value in counters:
        table[dimension][key][metric] = value
    total = table["total"]["all"]
    actions = {a: total.get(a.value, 0) for a in Action}

    def slices(dimension: str, *, sort_by_key: bool = False) -> list[Slice]:
        out = [
            Slice(key=key, label=labels.get(key),
                  target_households=values.get("target_households"),
                  households_reached=values.get("households_reached", 0),
                  actions={a: values[a.value] for a in Action if values.get(a.value)})
            for key, values in table[dimension].items()
        ]
        return sorted(out, key=lambda s: s.key if sort_by_key else (s.label or s.key))

    funnels = []
    base = campaign.target_residents
    for goal in campaign.goals:
        steps = [FunnelStep(action=a, residents=actions[a],
                            share_of_base=round(actions[a] / base, 4) if base else 0.0)
                 for a in GOAL_STEPS[Goal(goal)]]
        funnels.append(Funnel(goal=Goal(goal), base_residents=base, steps=steps,
                              onboarded=steps[-1].residents))
    reached = total.get("households_reached", 0)
    return Progress(
        campaign_id=campaign.id, status=campaign.status,
        target_households=campaign.target_households,
        target_residents=campaign.target_residents, households_reached=reached,
        households_not_reached=max(campaign.target_households - reached, 0),
        actions=actions, funnels=funnels, by_unit=slices("unit"), by_street=slices("street"),
        by_volunteer=slices("volunteer"), by_day=slices("day", sort_by_key=True))
