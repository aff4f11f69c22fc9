"""One `Run` for the session's transaction and for the direct pool: a statement of one shape
goes to PostgreSQL as the same SQL either way, and answers the same rows."""

from __future__ import annotations

from contextlib import asynccontextmanager, contextmanager

from sqlalchemy import event

from domain.access import Principal, Role, permissions_for
from repositories.accounts import _BEARER_STATE, bearer_state
from repositories.direct import Direct, SessionRun, prepared
from repositories.register.records import (
    _resident_read_stmt,
    read_resident,
    readiness_of,
    resident_page,
)
from repositories.scoped import scope_shape
from tests.builders import make_household, make_resident, make_tree, make_user


@contextmanager
def on_session(connection):
    """The SQL SQLAlchemy sends on the test's connection (the session's path)."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(connection.sync_connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection.sync_connection, "before_cursor_execute", record)


@asynccontextmanager
async def on_pool(connection):
    """A direct `Run` on the same connection, and the SQL it hands to asyncpg."""
    seen: list[str] = []
    async with Direct(connection).run() as run:
        run.conn = _Recording(run.conn, seen)
        yield run, seen


class _Recording:
    """An asyncpg connection that notes each statement's SQL before running it."""

    def __init__(self, conn, seen: list[str]) -> None:
        self._conn, self._seen = conn, seen

    def __getattr__(self, name):
        method = getattr(self._conn, name)

        async def call(sql, *args):
            self._seen.append(sql)
            return await method(sql, *args)
        return call


async def _world(session):
    tree = await make_tree(session)
    household = await make_household(session, tree.group_a1)
    person = await make_resident(session, household, head=True)
    who = Principal(person.id, "caller", Role.group_leader, frozenset({tree.group_a1.id}),
                    permissions_for(Role.group_leader),
                    levels=(("group", frozenset({tree.group_a1.id})),))
    await session.flush()
    return person, who


async def test_a_resident_read_is_one_statement_on_either_path(session, connection):
    person, who = await _world(session)
    shape, params = scope_shape(who)
    with on_session(connection) as via_session:
        by_session = await read_resident(SessionRun(session), who, person.id)
    async with on_pool(connection) as (run, via_pool):
        direct = await read_resident(run, who, person.id)
    sql, _ = prepared(_resident_read_stmt(shape, "postgresql"), {"id": person.id, **params})
    assert via_session == via_pool == [sql]
    assert dict(by_session) == dict(direct)


async def _page(run, who):
    page = await resident_page(run, who, {}, sort=None, cursor=None, limit=10,
                               include_total=True)
    return page, await readiness_of(run, [r["id"] for r in page.items])


async def test_a_list_page_and_its_facts_are_the_same_statements(session, connection):
    person, who = await _world(session)
    with on_session(connection) as via_session:
        page, _ = await _page(SessionRun(session), who)
    async with on_pool(connection) as (run, via_pool):
        direct, _ = await _page(run, who)
    assert len(via_session) == 3 and via_session == via_pool  # count, page, facts
    assert [r["id"] for r in page.items] == [r["id"] for r in direct.items] == [person.id]
    assert page.total == direct.total == 1


async def test_the_bearer_state_is_the_same_statement(session, connection):
    tree = await make_tree(session)
    user = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
    await session.flush()
    with on_session(connection) as via_session:
        by_session = await bearer_state(SessionRun(session), "user", user.id, "jti-1")
    async with on_pool(connection) as (run, via_pool):
        direct = await bearer_state(run, "user", user.id, "jti-1")
    sql, _ = prepared(_BEARER_STATE["user"], {"subject_id": user.id, "jti": "jti-1"})
    assert via_session == via_pool == [sql]
    assert dict(by_session) == dict(direct)
    assert direct["name"] == user.username and direct["revoked"] is False
