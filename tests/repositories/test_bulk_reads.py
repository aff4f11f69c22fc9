"""Reads and writes of a whole commune or province (a reconciliation's): lists of ids longer
than one statement can bind, the driver's records, and COPY, on the test's transaction."""

from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import select

from domain.elections.models import VoterListRow
from repositories.direct import SessionRun
from repositories.elections.records import ExclusionRepository
from repositories.elections.voter_lists import VoterListRepository
from tests.builders import make_election, make_polling_area, make_tree, make_voter_list

# PostgreSQL's protocol carries at most 32,767 parameters in one statement: a province's
# residents, bound one parameter each, were refused ("the number of query arguments cannot
# exceed 32767") and the run failed.
MANY = 40_000


async def test_ids_beyond_what_one_statement_can_bind_are_one_array(session):
    election = await make_election(session)
    ids = [uuid.uuid4() for _ in range(MANY)]
    assert await ExclusionRepository(session).active(election.id, ids) == {}
    assert await VoterListRepository(session).latest_versions(ids) == {}
    assert await VoterListRepository(session).entries(ids) == []


async def test_copy_and_records_round_trip_every_type(session):
    tree = await make_tree(session)
    election = await make_election(session)
    area = await make_polling_area(session, election, tree.commune_a, groups=[tree.group_a1])
    version = await make_voter_list(session, area, [])
    repo = VoterListRepository(session)
    rows = [{"id": uuid.uuid4(), "line": n + 2, "seq": str(n + 1), "full_name": "Siu H'Prông",
             "name_folded": "siu hprong", "birth_date": date(1990, 1, n + 1),
             "birth_year": 1990, "sex": "female", "id_number": f"0641900000{n:02d}",
             "address": "12 Trần Phú", "cells": {"Họ và tên": "Siu H’Prông", "STT": str(n)}}
            for n in range(3)]
    await repo.add_rows(version.id, rows)
    stored = (await session.exec(select(VoterListRow).where(
        VoterListRow.version_id == version.id).order_by(VoterListRow.line))).all()
    assert [(r.id, r.birth_date, r.cells) for r in stored] == [
        (r["id"], r["birth_date"], r["cells"]) for r in rows]
    entries = await repo.entries([version.id])
    assert [(e.key, e.area_key, e.full_name, e.id_number) for e in entries] == [
        (r["id"], area.id, r["full_name"], r["id_number"]) for r in rows]
    # A scope's IN list (expanding parameters) is rendered for the one statement.
    run = SessionRun(session)
    stmt = select(VoterListRow.id).where(VoterListRow.id.in_([r["id"] for r in rows[:2]]))
    assert sorted(r[0] for r in await run.records(stmt)) == sorted(r["id"] for r in rows[:2])
