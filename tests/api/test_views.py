"""Every form a resident leaves in shows the same personal data to each role.

The record, the response model, the list page (written by PostgreSQL, and by Python as on
SQLite), the export row and the history all derive from `domain.register.views`; this
sweeps every role that may read residents over one resident with every personal field
filled, and holds each form equal to the record.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import orjson
import pytest
from sqlalchemy import text

from api.routers.register.exports import csv_text, household_cells, resident_cells
from api.routers.register.residents import resident_filters
from domain.access import ROLE_PERMISSIONS, Permission, Principal, Role, permissions_for
from domain.accounts.models import User
from domain.register.columns import HOUSEHOLD_COLUMNS, RESIDENT_COLUMNS
from domain.register.models import Resident
from domain.register.views import (
    HOUSEHOLD_ROW,
    RESIDENT,
    RESIDENT_ROW,
    resident_document,
    resident_view,
)
from domain.views import Last, Null
from repositories.direct import SessionRun
from repositories.documents import masked_sql
from repositories.register.records import ResidentRepository, readiness_of, resident_page
from tests.builders import (
    bearer,
    make_household,
    make_resident,
    make_tree,
    make_user,
    make_walk,
    random_id_number,
)
from tests.test_permissions import _integration_headers

READERS = [r for r in Role if Permission.residents_read in ROLE_PERMISSIONS[r]]


def test_every_reading_role_is_swept():
    assert set(READERS) == set(Role) - {Role.resident}
    assert RESIDENT.personal == ("id_number", "phone", "birth_date")


async def _caller(app, session, role: Role, group):
    units = [] if role == Role.admin else [group]
    if role == Role.integration:
        headers = await _integration_headers(app, session, group)
        subject = None
    else:
        user = await make_user(session, role=role, units=units)
        headers, subject = bearer(app, user, units), user
    who = Principal(subject.id if subject else group.id, "caller", role,
                    frozenset(u.id for u in units), permissions_for(role))
    return headers, who


def _record_cells(record: dict, household_code: str) -> list[str]:
    """The export row the record implies: what it shows, in the spreadsheet's formats."""
    born = record["birth_date"]
    return [record["id_number"] or "", record["full_name"],
            date.fromisoformat(born).strftime("%d/%m/%Y") if born else str(record["birth_year"]),
            "Nữ", household_code, "Con", record["phone"] or "", "Thường trú", "02/01/2020", ""]


async def _python_list(session, who, household_id) -> dict:
    """The list page as the Python path writes it (SQLite, or without the SQL document)."""
    run = SessionRun(session)
    filters = await resident_filters(household_id=household_id)
    page = await resident_page(run, who, filters, sort=None, cursor=None, limit=50,
                               include_total=False)
    facts = await readiness_of(run, [r["id"] for r in page.items])
    docs = [resident_document(r, facts.get(r["id"], {}), who) for r in page.items]
    body = orjson.dumps(docs, option=orjson.OPT_UTC_Z, default=str)  # as json_response
    return {d["id"]: d for d in orjson.loads(body)}


@pytest.mark.parametrize("role", READERS)
async def test_every_form_masks_as_the_record(app, client, session, role):
    tree = await make_tree(session)
    household = await make_household(session, tree.group_a1, street=tree.street_a)
    head = await make_resident(session, household, head=True, id_number=random_id_number(),
                               phone="+84912345678")
    leader = bearer(app, await make_user(session, role=Role.group_leader,
                                         units=[tree.group_a1]), [tree.group_a1])
    created = await client.post("/api/v1/residents", headers=leader, json={
        "household_id": str(household.id), "relationship": "child",
        "full_name": "Nguyễn Thị Ánh", "birth_date": "2004-03-15", "sex": "female",
        "id_number": random_id_number(2004, "female"), "phone": "0912.345.679",
        "residence_since": "2020-01-02"})
    assert created.status_code == 201, created.text
    url = f"/api/v1/residents/{created.json()['id']}"
    fact = await client.post(url + "/readiness", headers=leader,
                             json={"kind": "vneid_level2", "occurred_on": "2026-01-11"})
    assert fact.status_code == 200, fact.text
    h, who = await _caller(app, session, role, tree.group_a1)
    if role == Role.volunteer:  # a volunteer reads the households they walk
        await make_walk(session, await session.get(User, who.subject_id), [household])

    first = (await client.get(url, headers=h)).json()
    changed = await client.patch(url, headers={**leader, "If-Match": fact.headers["ETag"]},
                                 json={"phone": "0987 654 321", "birth_date": "2004-04-20",
                                       "id_number": random_id_number(2004, "female")})
    assert changed.status_code == 200, changed.text
    got = await client.get(url, headers=h)
    assert got.status_code == 200, got.text
    record = got.json()
    assert all(record[f] is not None for f in ("id_number", "phone", "birth_year"))
    masked = Permission.pii_read not in ROLE_PERMISSIONS[role]
    assert record["masked_fields"] == (list(RESIDENT.personal) if masked else [])
    assert (record["birth_date"] is None) is masked

    resident = await session.get(Resident, record["id"])
    await session.refresh(resident)
    facts = await ResidentRepository(session).readiness([resident.id])
    model = resident_view(resident, facts.get(resident.id, {}), who).model_dump(mode="json")
    assert model == record

    listed = await client.get(f"/api/v1/residents?household_id={household.id}", headers=h)
    assert listed.status_code == 200, listed.text
    sql_items = {item["id"]: item for item in listed.json()["items"]}
    assert sql_items[record["id"]] == record
    python_items = await _python_list(session, who, household.id)
    assert python_items == sql_items

    history = await client.get(url + "/history", headers=h)
    assert history.status_code == 200, history.text
    entries = {e["action"]: e for e in history.json()["items"]}
    assert set(entries) >= {"created", "updated"}
    for values, state in ((entries["created"]["after"], first),
                          (entries["updated"]["before"], first),
                          (entries["updated"]["after"], record)):
        shared = values.keys() & state.keys()
        assert {"birth_date", "id_number", "phone"} <= shared
        assert {k: values[k] for k in shared} == {k: state[k] for k in shared}

    units = {"group_name": tree.group_a1.name, "commune_name": tree.commune_a.name,
             "province_name": tree.province.name}
    raw = {**{c.name: getattr(resident, c.name) for c in Resident.__table__.c},
           "household_code": household.code, "house_number": "12", "street": "Trần Phú",
           **units}
    cells = [csv_text(c) for c in resident_cells(RESIDENT_ROW.values(raw, who))]
    assert cells[:len(RESIDENT_COLUMNS)] == _record_cells(record, household.code)
    head_record = (await client.get(f"/api/v1/residents/{head.id}", headers=h)).json()
    head_row = {"code": household.code, "street": "Trần Phú", "house_number": "12",
                "residence_type": "permanent", "old_address_text": None,
                "head_id_number": head.id_number, **units}
    head_cells = [csv_text(c) for c in household_cells(HOUSEHOLD_ROW.values(head_row, who))]
    assert head_cells[len(HOUSEHOLD_COLUMNS) - 1] == head_record["id_number"]
    exported = await client.get("/api/v1/residents/export", headers=h,
                                params={"household_id": str(household.id)})
    households = await client.get("/api/v1/households/export", headers=h)
    if Permission.register_export not in ROLE_PERMISSIONS[role]:
        assert exported.status_code == households.status_code == 403
        return
    assert exported.status_code == 200, exported.text
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"), newline="")))
    assert cells in rows[1:]
    rows = list(csv.reader(io.StringIO(households.content.decode("utf-8-sig"), newline="")))
    assert head_cells in rows[1:]


@pytest.mark.parametrize("rule", [Last(0), Last(2), Last(4), Null()])
async def test_sql_rules_equal_the_python_rules(connection, rule):
    values = [None, "", "1", "1234", "12345", "079203001234", "+84912345678"]
    for value in values:
        sql = masked_sql(rule, "v", "text")
        query = text(f"SELECT {sql} FROM (SELECT CAST(:v AS text) AS v) AS t")  # noqa: S608
        got = (await connection.execute(query, {"v": value})).scalar()
        assert got == rule.apply(value), (rule, value)
