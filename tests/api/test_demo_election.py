"""The demo election `make run` shows: the 15 March 2026 election, the demo group's polling
area and the office's list, and one finished reconciliation with the differences found by
hand; a second load adds nothing."""

from __future__ import annotations

import csv
import io
import uuid

from sqlalchemy import func
from sqlmodel import select

from domain.elections.demo import PLANTED, plan_demo_list
from domain.elections.models import Reconciliation
from domain.units.models import AdminUnit
from repositories.demo import load_demo, load_demo_election
from repositories.uow import SqlUnitOfWork
from tests.api.test_demo_tickets import _headers
from tests.builders import PASSWORD


async def test_the_demo_election_has_a_reconciliation_and_its_corrected_list(
        client, session_factory):
    async with SqlUnitOfWork(session_factory) as uow:
        data = await load_demo(uow, PASSWORD, seed=684)
        await uow.commit()
    officer = await _headers(client, "demo-election_officer")
    elections = (await client.get("/api/v1/elections", headers=officer)).json()["items"]
    [election] = [e for e in elections if e["election_day"] == "2026-03-15"]
    runs = (await client.get(f"/api/v1/elections/{election['id']}/reconciliations",
                             headers=officer)).json()["items"]
    assert len(runs) == 1 and runs[0]["status"] == "succeeded"
    counts = runs[0]["counts"]
    for kind in ("deceased", "moved_away", "under_age", "excluded", "listed_twice",
                 "unknown_to_register", "missing_from_list"):
        assert counts[kind] >= PLANTED[kind], (kind, counts)
    # names without diacritics and the wrong digit: each a data mismatch
    assert counts["data_mismatch"] >= PLANTED["no_diacritics"] + PLANTED["wrong_id_digit"]
    mismatches = (await client.get(
        f"/api/v1/reconciliations/{runs[0]['id']}/discrepancies",
        params={"kind": "data_mismatch", "limit": 200}, headers=officer)).json()["items"]
    fields = [f for d in mismatches for f in d["fields"]]
    assert "full_name:diacritics" in fields and "id_number" in fields

    [area] = (await client.get(f"/api/v1/elections/{election['id']}/polling-areas",
                               headers=officer)).json()["items"]
    resp = await client.get(f"/api/v1/polling-areas/{area['id']}/voter-list",
                            headers=officer)
    assert resp.status_code == 200, resp.text
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))[1:]
    assert len(rows) > 1000 and [r[0] for r in rows[:3]] == ["1", "2", "3"]
    summary = (await client.get(f"/api/v1/elections/{election['id']}/summary",
                                headers=officer)).json()
    planned = plan_demo_list(data, seed=684)
    assert summary["areas"][0]["listed"] == len(planned.rows)
    assert summary["areas"][0]["open"] == sum(counts.values())

    # The deaths and departures since the list are in the register's history, by the ward
    # officer, as the register records them.
    ward = await _headers(client, "demo-ward_officer")
    for status, planted in (("deceased", planned.deceased), ("moved_out", planned.moved_out)):
        found = (await client.get("/api/v1/residents", headers=ward, params={
            "residence_status": status, "limit": 200})).json()["items"]
        assert len(found) == len(planted)
        for resident in found:
            history = (await client.get(f"/api/v1/residents/{resident['id']}/history",
                                        headers=ward)).json()["items"]
            change = history[-1]
            assert change["action"] == "updated", history
            assert change["after"]["residence_status"] == status, change
            assert change["actor_name"] and change["before"]["residence_status"] != status

    async with SqlUnitOfWork(session_factory) as uow:  # a second load: nothing more
        commune = await uow.session.get(AdminUnit, uuid.UUID(area["commune_id"]))
        assert await load_demo_election(uow, {}, commune, commune, data, {}, seed=684) is None
    async with session_factory() as s:
        assert await s.scalar(select(func.count()).select_from(Reconciliation)) == 1
