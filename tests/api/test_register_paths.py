"""One table of cases run through both write paths of the register: the per-record API
(POST/PATCH /residents, the household's member and head endpoints) and an import of a
small CSV file. Each case starts from the same world; the residents, the households' heads
and the history entries (before, after, version) must come out the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from domain.access import Role
from domain.register.models import ChangeLog, Household, Resident
from tests.api.test_imports import csv_bytes, post
from tests.builders import (
    bearer,
    make_household,
    make_resident,
    make_tree,
    make_user,
    random_id_number,
)

# The path an action takes in each history: the import says where a change came from.
_ACTION = {"created": "created", "imported": "created", "updated": "updated",
           "import_updated": "updated", "moved": "updated", "head_replaced": "head_replaced"}
_SKIP = ("id", "created_at", "updated_at")


@dataclass
class Case:
    name: str
    rows: list  # CSV rows (lists of cells), given the world
    api: object  # async (client, world) -> list of error codes met
    api_rejects: tuple = ()
    import_rejects: tuple = ()
    household_versions: bool = True  # a move by hand touches the household it joins


@pytest.fixture
async def world(app, session):
    tree = await make_tree(session)
    units = [tree.group_a1, tree.group_a2]
    tag = tree.group_a1.id.hex[-6:]
    h0 = await make_household(session, tree.group_a1, code=f"R0-{tag}")
    h1 = await make_household(session, tree.group_a1, code=f"R1-{tag}")
    h2 = await make_household(session, tree.group_a2, code=f"R2-{tag}")
    far = await make_household(session, tree.group_b1, code=f"RB-{tag}")
    hung = await make_resident(session, h0, head=True, full_name="Võ Văn Hùng",
                               id_number=random_id_number(1975), birth_date=date(1975, 1, 9),
                               birth_year=1975)
    hoa = await make_resident(session, h0, full_name="Lê Thị Hoa", sex="female",
                              relationship="spouse", birth_date=date(1982, 3, 2),
                              birth_year=1982, id_number=random_id_number(1982, "female"),
                              phone="+84905123456")
    lan = await make_resident(session, h1, head=True, full_name="Trần Thị Lan", sex="female",
                              id_number=random_id_number(1990, "female"),
                              birth_date=date(1990, 6, 1), birth_year=1990)
    mai = await make_resident(session, far, head=True, full_name="Đặng Thị Mai", sex="female",
                              id_number=random_id_number(1970, "female"),
                              birth_date=date(1970, 2, 2), birth_year=1970)
    leader = await make_user(session, role=Role.group_leader, units=units)
    return {"h": bearer(app, leader, units), "households": [h0, h1, h2, far],
            "hung": hung, "hoa": hoa, "lan": lan, "mai": mai,
            "new_ids": [random_id_number(2001), random_id_number(1999)]}


def hoa_row(w, *, code=None, id_number=None, phone="0905 123 456", relationship="Vợ/Chồng",
            status="Thường trú", born="02/03/1982"):
    return [w["hoa"].id_number if id_number is None else id_number, "Lê Thị Hoa", born, "Nữ",
            code or w["households"][0].code, relationship, phone, status, "", ""]


def new_row(w, *, name="Đỗ Văn Tâm", code=None, id_number=None, relationship="Con"):
    return [w["new_ids"][0] if id_number is None else id_number, name, "17/05/2001", "Nam",
            code or w["households"][0].code, relationship, "0912 345 678", "", "", ""]


def new_body(w, *, name="Đỗ Văn Tâm", household=None, id_number=None, relationship="child"):
    return {"household_id": str((household or w["households"][0]).id), "full_name": name,
            "relationship": relationship, "birth_date": "2001-05-17", "sex": "male",
            "id_number": w["new_ids"][0] if id_number is None else id_number,
            "phone": "0912 345 678"}


async def _create(client, w, body):
    resp = await client.post("/api/v1/residents", headers=w["h"], json=body)
    assert resp.status_code in (201, 404, 409), resp.text
    return [] if resp.status_code == 201 else [resp.json()["code"]]


async def _patch(client, w, who, body):
    url = f"/api/v1/residents/{w[who].id}"
    tag = (await client.get(url, headers=w["h"])).headers["etag"]
    resp = await client.patch(url, headers={**w["h"], "If-Match": tag}, json=body)
    assert resp.status_code == 200, resp.text
    return []


async def _move(client, w, resident_id, household, relationship):
    url = f"/api/v1/households/{household.id}"
    tag = (await client.get(url, headers=w["h"])).headers["etag"]
    resp = await client.post(url + "/members", headers={**w["h"], "If-Match": tag},
                             json={"resident_id": str(resident_id),
                                   "relationship": relationship})
    assert resp.status_code == 200, resp.text
    return []


async def _name_head(client, w, who):
    url = f"/api/v1/households/{w['households'][0].id}"
    tag = (await client.get(url, headers=w["h"])).headers["etag"]
    resp = await client.patch(url, headers={**w["h"], "If-Match": tag},
                              json={"head_id": str(w[who].id)})
    assert resp.status_code == 200, resp.text
    return []


async def _taken_then_moved(client, w, household):
    """By hand, the 409 names the living record; the clerk then moves that person."""
    resp = await client.post("/api/v1/residents", headers=w["h"], json={
        "household_id": str(household.id), "full_name": "Lê Thị Hoa", "sex": "female",
        "relationship": "spouse", "birth_date": "1982-03-02", "id_number": w["hoa"].id_number})
    assert resp.status_code == 409 and resp.json()["existing_id"] == str(w["hoa"].id)
    return [resp.json()["code"], *await _move(client, w, w["hoa"].id, household, "spouse")]


async def _twice(client, w):
    first = await _create(client, w, new_body(w))
    return first + await _create(client, w, new_body(w, name="Phan Văn Tài"))


CASES = [
    Case("new resident", lambda w: [new_row(w)], lambda c, w: _create(c, w, new_body(w))),
    Case("update of a field", lambda w: [hoa_row(w, status="Tạm vắng")],
         lambda c, w: _patch(c, w, "hoa", {"residence_status": "temporarily_absent"})),
    Case("masked phone and ID number keep the stored ones",
         lambda w: [hoa_row(w, status="Tạm vắng", phone="********3456",
                            id_number="********" + w["hoa"].id_number[-4:])],
         lambda c, w: _patch(c, w, "hoa", {"residence_status": "temporarily_absent"})),
    Case("a blank phone clears it", lambda w: [hoa_row(w, phone="")],
         lambda c, w: _patch(c, w, "hoa", {"phone": None})),
    Case("the same values change nothing", lambda w: [hoa_row(w)], lambda c, w: _none()),
    Case("a second head arrives for a household that has one",
         lambda w: [new_row(w, relationship="Chủ hộ")],
         lambda c, w: _create(c, w, new_body(w, relationship="head"))),
    Case("a member becomes head", lambda w: [hoa_row(w, relationship="Chủ hộ")],
         lambda c, w: _patch(c, w, "hoa", {"relationship": "head"})),
    Case("a member named head of the household", lambda w: [hoa_row(w, relationship="Chủ hộ")],
         lambda c, w: _name_head(c, w, "hoa")),
    Case("an ID number that lives elsewhere in scope moves that person",
         lambda w: [hoa_row(w, code=w["households"][1].code)],
         lambda c, w: _taken_then_moved(c, w, w["households"][1]),
         api_rejects=("id_number_taken",), household_versions=False),
    Case("moving household takes the new household's placement",
         lambda w: [hoa_row(w, code=w["households"][2].code)],
         lambda c, w: _move(c, w, w["hoa"].id, w["households"][2], "spouse"),
         household_versions=False),
    Case("an ID number living out of scope",
         lambda w: [new_row(w, name="Đặng Thị Mai", id_number=w["mai"].id_number)],
         lambda c, w: _create(c, w, new_body(w, name="Đặng Thị Mai",
                                             id_number=w["mai"].id_number)),
         api_rejects=("id_number_registered_elsewhere",),
         import_rejects=("id_number_registered_elsewhere",)),
    Case("a household out of scope", lambda w: [new_row(w, code=w["households"][3].code)],
         lambda c, w: _create(c, w, new_body(w, household=w["households"][3])),
         api_rejects=("household_not_found",), import_rejects=("household_unknown",)),
    Case("duplicate in the input",
         lambda w: [new_row(w), new_row(w, name="Phan Văn Tài")], lambda c, w: _twice(c, w),
         api_rejects=("id_number_taken",), import_rejects=("duplicate_in_file",)),
]


async def _none():
    return []


async def _state(connection, w, *, household_versions: bool):
    """The world's residents by name, its households' heads and every resident's history."""
    households = {hh.id: hh.code for hh in w["households"]}
    r = Resident.__table__.c
    rows = (await connection.execute(select(Resident.__table__).where(
        r.household_id.in_(list(households))))).mappings().all()
    names = {row["id"]: row["full_name"] for row in rows}
    residents = {row["full_name"]: {**{k: v for k, v in row.items() if k not in _SKIP},
                                    "household_id": households[row["household_id"]]}
                 for row in rows}
    heads = {}
    for hh in (await connection.execute(select(Household.__table__).where(
            Household.__table__.c.id.in_(list(households))))).mappings():
        members = [names[row["id"]] for row in rows
                   if row["household_id"] == hh["id"] and row["relationship"] == "head"]
        assert len(members) <= 1, f"{hh['code']} has heads {members}"
        assert names.get(hh["head_id"]) == (members[0] if members else None), hh["code"]
        heads[hh["code"]] = (names.get(hh["head_id"]),
                             hh["version"] if household_versions else None)
    c = ChangeLog.__table__.c
    history = [(names[e["entity_id"]], _ACTION[e["action"]], e["before"], e["after"],
                e["version"]) for e in (await connection.execute(
                    select(ChangeLog.__table__).where(c.entity_id.in_(list(names)))
                    .order_by(c.id))).mappings()]
    return residents, heads, sorted(history, key=lambda e: (e[0], e[4], e[1]))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_both_paths_leave_the_same_register(client, connection, world, case):
    results, rejected = [], []
    for path in ("api", "import"):
        point = await connection.begin_nested()
        try:
            if path == "api":
                rejected.append(tuple(await case.api(client, world)))
            else:
                job = (await post(client, world["h"], csv_bytes(case.rows(world)),
                                  partial=True)).json()
                assert job["status"] in ("succeeded", "completed_with_errors"), job
                rejected.append(tuple(e["code"] for e in job["errors"]))
            results.append(await _state(connection, world,
                                        household_versions=case.household_versions))
        finally:
            await point.rollback()
    assert rejected == [case.api_rejects, case.import_rejects]
    by_hand, imported = results
    assert imported[0] == by_hand[0]  # residents
    assert imported[1] == by_hand[1]  # households' heads
    assert imported[2] == by_hand[2]  # history: before, after, version
