"""SQL for campaigns, their targets, visits, first-time actions, counters and needs."""

from __future__ import annotations

import builtins
import secrets
import uuid
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, delete, exists, false, func, literal, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import select

from domain.access import Principal, Role
from domain.outreach.errors import CampaignNotFound, VisitNeedNotFound
from domain.outreach.models import (
    COUNTER_SHARDS,
    Campaign,
    CampaignCounter,
    CampaignGroup,
    CampaignHousehold,
    CampaignStatus,
    GoalProgress,
    Visit,
    VisitNeed,
)
from domain.paging import Page
from domain.register.models import Household, Resident
from domain.units.models import Street
from repositories.direct import any_of
from repositories.paging import keyset, page_from_rows, parse_sort
from repositories.register.records import HouseholdRepository
from repositories.scoped import (
    ByRole,
    EveryUnit,
    JoinTable,
    ScopedRepository,
    Through,
    UnitColumns,
    Where,
)

# A need raised at the door is the business of whoever reads its household (a volunteer:
# the households they walk); a resident reaches none.
NEED_SCOPE = ByRole(Through(HouseholdRepository, VisitNeed.household_id),
                    {Role.resident: Where(false())})


# Statements of every visit, built once: composing them cost more CPU than running them.
@lru_cache(maxsize=8)
def _ignoring_twins(model, keys: tuple[str, ...], dialect: str):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model.__table__).on_conflict_do_nothing(index_elements=list(keys)).returning(
        literal(1))


@lru_cache(maxsize=2)
def _first_actions(dialect: str):
    """The first times of some residents' actions, locked: every action of a visit in one
    statement (its pairs are a subset of residents x actions, all of one household)."""
    return select(GoalProgress).where(
        GoalProgress.campaign_id == bindparam("campaign_id"),
        any_of(GoalProgress.__table__.c.resident_id, "resident_ids", dialect),
        any_of(GoalProgress.__table__.c.action, "actions", dialect)).with_for_update()


@lru_cache(maxsize=2)
def _new_first_actions(dialect: str):
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    t = GoalProgress.__table__
    return insert(t).on_conflict_do_nothing(
        index_elements=["campaign_id", "resident_id", "action"]).returning(
        t.c.resident_id, t.c.action)


@lru_cache(maxsize=2)
def _bump(dialect: str):
    """Add to a counter shard, creating it at the first visit (one statement per row set)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    t = CampaignCounter.__table__
    stmt = insert(t)
    return stmt.on_conflict_do_update(
        index_elements=["campaign_id", "dimension", "key", "metric", "shard"],
        set_={"value": t.c.value + stmt.excluded.value})


class OutreachRepository(ScopedRepository[Campaign]):
    """Campaigns of the caller's communes and groups; a volunteer's, those they walk for.
    Child reads (walks, visits, needs, counters) take the campaign through `get`, so none
    can be made with a bare campaign id."""

    model, not_found = Campaign, CampaignNotFound
    scope = (UnitColumns({"commune": Campaign.commune_id, "province": Campaign.province_id})
             | JoinTable(Campaign.id, CampaignGroup.campaign_id, CampaignGroup.group_id))
    # Changed (started, assigned, closed) by the commune's officers, or by a leader whose
    # units hold every group it targets: reading one of its groups is not enough.
    write_scope = (UnitColumns({"commune": Campaign.commune_id,
                                "province": Campaign.province_id})
                   | EveryUnit(Campaign.id, CampaignGroup.campaign_id, CampaignGroup.group_id))

    @classmethod
    def readable(cls, principal: Principal, *, include_deleted: bool = False):
        if principal.reads_assignments:  # only the active campaigns they walk for
            mine = exists().where(CampaignHousehold.campaign_id == Campaign.id,
                                  CampaignHousehold.volunteer_id == principal.subject_id)
            return select(Campaign).where(Campaign.status == CampaignStatus.active, mine)
        return super().readable(principal)

    async def list(self, principal: Principal, *, status, cursor, limit) -> Page:
        stmt = self.readable(principal)
        if status:
            stmt = stmt.where(Campaign.status == status)
        return await self.page(stmt, sort=None, allowed={"created_at": Campaign.created_at},
                               default="-created_at", cursor=cursor, limit=limit)

    async def add(self, campaign: Campaign) -> None:
        self.session.add(campaign)
        await self.session.flush()
        await self.set_groups(campaign)

    async def set_groups(self, campaign: Campaign) -> None:
        """Mirror `group_ids` into the indexed table that scopes the campaign."""
        await self.session.execute(delete(CampaignGroup).where(
            CampaignGroup.campaign_id == campaign.id))
        self.session.add_all([CampaignGroup(campaign_id=campaign.id, group_id=uuid.UUID(g))
                              for g in dict.fromkeys(campaign.group_ids)])
        await self.session.flush()

    # -- targets ---------------------------------------------------------------------
    def _matching_households(self, campaign: Campaign):
        stmt = select(Household).where(
            Household.group_id.in_([uuid.UUID(g) for g in campaign.group_ids]),
            Household.deleted_at.is_(None))
        if campaign.street_ids:
            stmt = stmt.where(Household.street_id.in_([uuid.UUID(s) for s in
                                                       campaign.street_ids]))
        return stmt

    async def freeze_targets(self, campaign: Campaign) -> tuple[int, int]:
        """Snapshot the target households and their living residents; answer the counts."""
        households = list((await self.session.exec(self._matching_households(campaign))).all())
        sizes = await self.member_counts([h.id for h in households])
        for household in households:
            self.session.add(CampaignHousehold(
                campaign_id=campaign.id, household_id=household.id, group_id=household.group_id,
                street_id=household.street_id, residents=sizes.get(household.id, 0)))
        await self.session.flush()
        return len(households), sum(sizes.values())

    async def member_counts(self, household_ids: builtins.list[uuid.UUID]) -> dict[uuid.UUID, int]:
        out: dict[uuid.UUID, int] = {}
        for start in range(0, len(household_ids), 5000):
            chunk = household_ids[start:start + 5000]
            stmt = sa_select(Resident.household_id, func.count().label("n")).where(
                Resident.household_id.in_(chunk), Resident.deleted_at.is_(None),
                Resident.residence_status.in_(("permanent", "temporary"))
            ).group_by(Resident.household_id)
            out.update({row["household_id"]: row["n"] for row in await self.run.fetch(stmt)})
        return out

    async def add_target(self, target: CampaignHousehold) -> None:
        self.session.add(target)
        await self.session.flush()

    async def late_households(self, campaign: Campaign) -> builtins.list[Household]:
        taken = sa_select(CampaignHousehold.household_id).where(
            CampaignHousehold.campaign_id == campaign.id)
        stmt = self._matching_households(campaign).where(Household.id.not_in(taken)).order_by(
            Household.code).limit(500)
        return list((await self.session.exec(stmt)).all())

    async def targets_in_walk_order(self, campaign: Campaign):
        """Targets with street name and house order, for cutting walks."""
        campaign_id = campaign.id
        stmt = (
            sa_select(CampaignHousehold, Street.name, Household.house_number_sort,
                      Household.house_number, Household.code)
            .join(Household, Household.id == CampaignHousehold.household_id)
            .outerjoin(Street, Street.id == CampaignHousehold.street_id)
            .where(CampaignHousehold.campaign_id == campaign_id)
            .order_by(Street.name_folded.nulls_last(), Household.house_number_sort,
                      Household.house_number, Household.code)
        )
        return (await self.session.execute(stmt)).all()

    async def target(self, campaign: Campaign, household_id: uuid.UUID, *,
                     for_update=False) -> CampaignHousehold | None:
        stmt = select(CampaignHousehold).where(CampaignHousehold.campaign_id == campaign.id,
                                               CampaignHousehold.household_id == household_id)
        if for_update:
            stmt = stmt.with_for_update()
        return (await self.session.exec(stmt)).first()

    async def loads(self, principal: Principal, campaign_id: uuid.UUID):
        """Households and households reached per volunteer."""
        campaign = await self.get(principal, campaign_id)
        stmt = sa_select(CampaignHousehold.volunteer_id, func.count().label("households"),
                         func.count(CampaignHousehold.reached_at).label("reached")).where(
            CampaignHousehold.campaign_id == campaign.id).group_by(
            CampaignHousehold.volunteer_id)
        return [(r["volunteer_id"], r["households"], r["reached"])
                for r in await self.run.fetch(stmt)]

    async def walk(self, principal: Principal, campaign_id: uuid.UUID,
                   volunteer_id: uuid.UUID) -> tuple[Campaign, builtins.list]:
        """The campaign and one volunteer's targets in walking order."""
        campaign = await self.get(principal, campaign_id)
        stmt = (
            sa_select(CampaignHousehold, Household.code, Household.house_number, Street.name)
            .join(Household, Household.id == CampaignHousehold.household_id)
            .outerjoin(Street, Street.id == CampaignHousehold.street_id)
            .where(CampaignHousehold.campaign_id == campaign.id,
                   CampaignHousehold.volunteer_id == volunteer_id)
            .order_by(CampaignHousehold.walk_order)
        )
        return campaign, list((await self.session.execute(stmt)).all())

    # -- visits ----------------------------------------------------------------------
    async def visit_by_client_id(self, campaign: Campaign, client_id: str):
        stmt = select(Visit).where(Visit.campaign_id == campaign.id,
                                   Visit.client_visit_id == client_id)
        return (await self.session.exec(stmt)).first()

    async def _insert_ignoring_twins(self, model, values: dict, keys: tuple[str, ...]) -> bool:
        """INSERT ... ON CONFLICT DO NOTHING RETURNING: one round trip, no savepoint; False
        when a twin got there first."""
        return await self.run.fetchrow(_ignoring_twins(model, keys, self.run.dialect),
                                       values) is not None

    async def add_visit(self, visit: Visit) -> bool:
        """Insert; False when a twin with the same client id got there first."""
        values = {c.name: getattr(visit, c.name) for c in Visit.__table__.columns}
        return await self._insert_ignoring_twins(Visit, values, ("campaign_id", "client_visit_id"))

    async def visit(self, campaign: Campaign, visit_id: uuid.UUID) -> Visit | None:
        stmt = select(Visit).where(Visit.id == visit_id, Visit.campaign_id == campaign.id)
        return (await self.session.exec(stmt)).first()

    async def visits(self, principal: Principal, campaign_id: uuid.UUID, *, household_id,
                     volunteer_id, cursor, limit) -> Page:
        """Visits of a campaign the caller can read, newest first."""
        campaign = await self.get(principal, campaign_id)
        stmt = select(Visit).where(Visit.campaign_id == campaign.id)
        if household_id:
            stmt = stmt.where(Visit.household_id == household_id)
        if volunteer_id:
            stmt = stmt.where(Visit.volunteer_id == volunteer_id)
        keys = parse_sort(None, {"visited_at": Visit.visited_at}, "-visited_at", Visit.id)
        rows = list((await self.session.exec(keyset(stmt, keys, cursor, limit))).all())
        return page_from_rows(rows, keys, limit)

    async def first_actions(self, campaign_id: uuid.UUID, pairs: Iterable[tuple[uuid.UUID, str]]
                            ) -> dict[tuple[uuid.UUID, str], GoalProgress]:
        """The recorded first times among `pairs` (resident, action), locked, by pair."""
        pairs = set(pairs)
        if not pairs:
            return {}
        params = {"campaign_id": campaign_id,
                  "resident_ids": list({r for r, _ in pairs}),
                  "actions": list({str(a) for _, a in pairs})}
        rows = await self.session.exec(_first_actions(self.run.dialect), params=params)
        return {key: row for row in rows.all()
                if (key := (row.resident_id, str(row.action))) in pairs}

    async def add_first_actions(self, rows: builtins.list[dict[str, Any]]
                                ) -> set[tuple[uuid.UUID, str]]:
        """Insert first times (dicts of goal_progress columns) in one statement; answers the
        (resident, action) pairs inserted, without those another visit recorded first."""
        if not rows:
            return set()
        stmt = _new_first_actions(self.run.dialect).values(rows)
        return {(r["resident_id"], str(r["action"])) for r in await self.run.fetch(stmt)}

    async def actions_done(self, campaign: Campaign, resident_ids: builtins.list[uuid.UUID]):
        stmt = sa_select(GoalProgress.resident_id, GoalProgress.action).where(
            GoalProgress.campaign_id == campaign.id, GoalProgress.resident_id.in_(resident_ids))
        return [(row["resident_id"], row["action"]) for row in await self.run.fetch(stmt)]

    # -- counters --------------------------------------------------------------------
    async def bump(self, campaign_id: uuid.UUID, changes: builtins.list[tuple[str, str, str, int]]):
        """Add to counters atomically (INSERT ... ON CONFLICT DO UPDATE), exact under load."""
        if not changes:
            return
        merged: dict[tuple[str, str, str], int] = {}
        for dim, key, metric, delta in changes:
            merged[(dim, key, metric)] = merged.get((dim, key, metric), 0) + delta
        shard = secrets.randbelow(COUNTER_SHARDS)
        rows = [{"campaign_id": campaign_id, "dimension": d, "key": k, "metric": m,
                 "shard": shard, "value": v} for (d, k, m), v in sorted(merged.items()) if v]
        if not rows:
            return
        await self.run.executemany(_bump(self.run.dialect), rows)

    async def set_counters(self, campaign_id, dimension: str, metric: str,
                           values: dict[str, int]) -> None:
        t = CampaignCounter.__table__.c  # counters are never loaded as objects
        await self.run.execute(update(CampaignCounter.__table__).where(
            t.campaign_id == campaign_id, t.dimension == dimension, t.metric == metric
        ).values(value=0))
        await self.bump(campaign_id, [(dimension, k, metric, v) for k, v in values.items()])

    async def counters(self, principal: Principal, campaign_id: uuid.UUID
                       ) -> tuple[Campaign, builtins.list[Any]]:
        """The campaign and its counters, the shards summed."""
        campaign = await self.get(principal, campaign_id)
        stmt = sa_select(CampaignCounter.dimension, CampaignCounter.key, CampaignCounter.metric,
                         func.sum(CampaignCounter.value).label("value")).where(
            CampaignCounter.campaign_id == campaign.id).group_by(
            CampaignCounter.dimension, CampaignCounter.key, CampaignCounter.metric)
        return campaign, [(r["dimension"], r["key"], r["metric"], r["value"])
                          for r in await self.run.fetch(stmt)]

    # -- needs -----------------------------------------------------------------------
    async def add_need(self, need: VisitNeed) -> None:
        self.session.add(need)

    async def needs(self, principal: Principal, campaign_id: uuid.UUID, status: str | None,
                    limit: int):
        """The newest needs raised at the doors of a campaign the caller can read."""
        campaign = await self.get(principal, campaign_id)
        stmt = select(VisitNeed).where(VisitNeed.campaign_id == campaign.id)
        if status:
            stmt = stmt.where(VisitNeed.status == status)
        stmt = stmt.order_by(VisitNeed.created_at.desc()).limit(limit)
        return list((await self.session.exec(stmt)).all())

    async def needs_page(self, principal: Principal, *, visit_id: uuid.UUID | None,
                         status: str | None, cursor, limit) -> Page:
        """Needs whose households the caller reads, newest first."""
        stmt = select(VisitNeed)
        if not principal.is_unscoped:
            stmt = stmt.where(NEED_SCOPE.clause(principal))
        if visit_id:
            stmt = stmt.where(VisitNeed.visit_id == visit_id)
        if status:
            stmt = stmt.where(VisitNeed.status == status)
        keys = parse_sort(None, {"created_at": VisitNeed.created_at}, "-created_at",
                          VisitNeed.id)
        rows = list((await self.session.exec(keyset(stmt, keys, cursor, limit))).all())
        return page_from_rows(rows, keys, limit)

    async def need(self, principal: Principal, need_id: uuid.UUID, *,
                   for_update: bool = False) -> VisitNeed:
        """A need whose household the caller reads, or `visit_need_not_found`."""
        stmt = select(VisitNeed).where(VisitNeed.id == need_id)
        if not principal.is_unscoped:
            stmt = stmt.where(NEED_SCOPE.clause(principal))
        if for_update:
            stmt = stmt.with_for_update()
        need = (await self.session.exec(stmt)).first()
        if need is None:
            raise VisitNeedNotFound()
        return need


# The unit of work's attributes for this area (`uow.<name>`), see repositories/areas.py.
REPOSITORIES = {"outreach": OutreachRepository}
