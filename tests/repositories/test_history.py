"""A record's history is read through the record's scoped get: called directly, the change
log of a record out of the caller's scope answers the record's not-found error."""

from __future__ import annotations

import pytest

from domain.access import Principal, Role, permissions_for
from domain.register.errors import HouseholdNotFound, ResidentNotFound
from domain.register.models import ChangeLog
from repositories.register.records import ChangeLogRepository
from tests.builders import make_household, make_resident, make_tree


async def _two_groups(session):
    tree = await make_tree(session)
    mine = await make_household(session, tree.group_a1)
    theirs = await make_household(session, tree.group_b1)
    people = {"mine": await make_resident(session, mine, head=True),
              "theirs": await make_resident(session, theirs, head=True)}
    changes = ChangeLogRepository(session)
    for kind, entity in (("household", mine), ("household", theirs),
                         ("resident", people["mine"]), ("resident", people["theirs"])):
        await changes.add(ChangeLog(entity_type=kind, entity_id=entity.id, action="created",
                                    actor_id=entity.id, actor_name="test", version=1,
                                    before={}, after={}, related_ids=[]))
    await session.flush()
    leader = Principal(tree.group_a1.id, "leader", Role.group_leader,
                       frozenset({tree.group_a1.id}), permissions_for(Role.group_leader))
    return changes, leader, (mine, theirs), people


async def test_the_history_of_a_record_in_scope(session):
    changes, leader, (mine, _), people = await _two_groups(session)
    for entity, row_id in (("household", mine.id), ("resident", people["mine"].id)):
        page = await changes.history(leader, entity=entity, entity_id=row_id, cursor=None,
                                     limit=10)
        assert [(e.entity_id, e.action) for e in page.items] == [(row_id, "created")]


@pytest.mark.parametrize(("entity", "error"), [("household", HouseholdNotFound),
                                               ("resident", ResidentNotFound)])
async def test_a_bare_id_out_of_scope_is_not_found(session, entity, error):
    changes, leader, (_, theirs), people = await _two_groups(session)
    row_id = theirs.id if entity == "household" else people["theirs"].id
    with pytest.raises(error):
        await changes.history(leader, entity=entity, entity_id=row_id, cursor=None, limit=10)
