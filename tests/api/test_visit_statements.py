"""A visit's first times are checked for all its actions at once: the statements a visit
sends do not grow with the number of residents and actions it records."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from tests.api.test_campaigns import field, progress, started, visit  # noqa: F401
from tests.builders import make_resident

ACTIONS = ["invited_to_group", "joined_group", "installed_vneid"]
TABLE = "campaign_resident_action"  # first times (GoalProgress)


@contextmanager
def statements(connection):
    """The SQL the app sends on the test's connection while the block runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    event.listen(connection.sync_connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection.sync_connection, "before_cursor_execute", record)


def on_first_times(seen: list[str], verb: str) -> list[str]:
    return [s for s in seen if s.startswith(verb) and f" {TABLE}" in s]


class TestFirstTimesOfAVisit:
    async def test_one_read_and_one_insert_for_every_action_of_the_visit(
            self, client, session, connection, field):  # noqa: F811
        cid = await started(client, field)
        hh = field["households"][0]
        people = [field["residents"][0], await make_resident(session, hh, full_name="Lê Thị Bé"),
                  await make_resident(session, hh, full_name="Lê Văn Út")]
        body = visit(hh, residents=[(p, ACTIONS) for p in people])
        with statements(connection) as seen:
            resp = await client.post(f"/api/v1/campaigns/{cid}/visits",
                                     headers=field["vols"][0], json=body)
        assert resp.status_code == 201, resp.text
        assert len(on_first_times(seen, "SELECT")) == 1  # was one per resident and action
        assert len(on_first_times(seen, "INSERT")) == 1
        assert (await progress(client, field["auditor"], cid))["actions"]["joined_group"] == 3

    async def test_an_earlier_visit_moves_every_credit_with_one_read(
            self, client, session, connection, field):  # noqa: F811
        cid = await started(client, field)
        hh = field["households"][0]
        people = [field["residents"][0], await make_resident(session, hh, full_name="Lê Thị Bé")]
        url, h = f"/api/v1/campaigns/{cid}/visits", field["vols"][0]
        late = visit(hh, at="2026-01-12T09:00:00", residents=[(p, ACTIONS) for p in people])
        assert (await client.post(url, headers=h, json=late)).status_code == 201
        early = visit(hh, at="2026-01-11T09:00:00", residents=[(p, ACTIONS) for p in people])
        with statements(connection) as seen:
            resp = await client.post(url, headers=h, json=early)
        assert resp.status_code == 201, resp.text
        assert len(on_first_times(seen, "SELECT")) == 1
        assert on_first_times(seen, "INSERT") == []  # every pair was known
        p = await progress(client, field["auditor"], cid)
        assert p["actions"]["joined_group"] == 2
        by_day = {d["key"]: d["actions"].get("joined_group", 0) for d in p["by_day"]}
        assert by_day == {"2026-01-11": 2, "2026-01-12": 0}  # the credit moved
