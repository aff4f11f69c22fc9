"""The core flows on the embedded SQLite database that `make run` uses by default."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from datetime import datetime

import httpx
import openpyxl
import pytest
from alembic import command
from sqlalchemy import text

from api.app import create_app
from domain.register.columns import RESIDENT_COLUMNS
from repositories.bootstrap import ensure_admin
from repositories.db import make_engine, make_session_factory
from tests.conftest import alembic_config, make_settings
from tests.name_order import (
    check_demo_roster,
    check_full_name_order,
    check_household_search,
    check_roster_and_search,
    check_roster_punctuation,
)
from tests.unit_codes import check_codes_never_reused


@pytest.fixture
async def sqlite_client(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'core.sqlite3'}"
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    engine = make_engine(url)
    await ensure_admin(make_session_factory(engine), "root", "sqlite admin password")
    await engine.dispose()
    # The app as `make run` builds it: its own engine, and the job worker in this process.
    app = create_app(make_settings(database_url=url, var_dir=tmp_path))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        yield client



async def _ward(c, group_name: str | None = None) -> tuple[dict, dict, dict, dict | None]:
    """Signed in as root: the headers, tỉnh Gia Lai, phường Bình Định and (named) a
    neighbourhood group of it."""
    token = (await c.post("/api/v1/auth/token", data={
        "grant_type": "password", "username": "root", "password": "sqlite admin password",
    })).json()["access_token"]
    h = {"Authorization": f"Bearer {token}"}
    province = (await c.post("/api/v1/units", headers=h,
                             json={"kind": "province", "name": "Gia Lai", "code": "52"})).json()
    ward = (await c.post("/api/v1/units", headers=h, json={
        "kind": "ward", "name": "Phường Bình Định", "parent_id": province["id"]})).json()
    if group_name is None:
        return h, province, ward, None
    group = (await c.post("/api/v1/units", headers=h, json={
        "kind": "neighbourhood", "name": group_name, "parent_id": ward["id"]})).json()
    return h, province, ward, group

async def test_core_flow_on_sqlite(sqlite_client):
    c = sqlite_client
    assert (await c.get("/readyz")).status_code == 200
    h, _province, ward, _ = await _ward(c)
    for name in ("Tổ dân phố Trần Phú", "Tổ dân phố Lê Lợi", "Thôn Đông"):
        kind = "village" if name.startswith("Thôn") else "neighbourhood"
        resp = await c.post("/api/v1/units", headers=h,
                            json={"kind": kind, "name": name, "parent_id": ward["id"]})
        assert resp.status_code == 201, resp.text
    dup = await c.post("/api/v1/units", headers=h,
                       json={"kind": "province", "name": "Khác", "code": "52"})
    assert dup.status_code == 409 and dup.json()["code"] == "unit_code_taken"

    page = (await c.get(f"/api/v1/units?parent_id={ward['id']}&limit=2&include_total=true",
                        headers=h)).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    rest = (await c.get(f"/api/v1/units?parent_id={ward['id']}&limit=2&cursor="
                        f"{page['next_cursor']}", headers=h)).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    found = (await c.get("/api/v1/units?q=tran%20phu", headers=h)).json()["items"]
    assert [u["name"] for u in found] == ["Tổ dân phố Trần Phú"]

    url = f"/api/v1/units/{ward['id']}"
    etag = (await c.get(url, headers=h)).headers["etag"]
    ok = await c.patch(url, headers={**h, "If-Match": etag}, json={"code": "21553"})
    assert ok.status_code == 200 and ok.json()["code"] == "21553"
    stale = await c.patch(url, headers={**h, "If-Match": etag}, json={"name": "X"})
    assert stale.status_code == 412

    bad = await c.post("/api/v1/units", headers=h, json={"kind": "province", "name": "A\x00"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    created = (await c.get("/api/v1/units?include_total=true", headers=h)).json()["total"]
    assert created == 5

    # The register's reads run outside the session (repositories/direct.py): on SQLite on a
    # connection of the engine, the record's audit event committed with it.
    groups = (await c.get(f"/api/v1/units?parent_id={ward['id']}", headers=h)).json()["items"]
    group = next(u for u in groups if u["name"] == "Tổ dân phố Trần Phú")
    household = (await c.post("/api/v1/households", headers=h,
                              json={"group_id": group["id"], "house_number": "12"})).json()
    for name, relationship in (("Trần Thị Đào", "head"), ("Nguyễn Văn Đức", "spouse")):
        made = await c.post("/api/v1/residents", headers=h, json={
            "household_id": household["id"], "relationship": relationship,
            "full_name": name, "birth_year": 1980, "sex": "female" if "Thị" in name else "male"})
        assert made.status_code == 201, made.text
    listed = await c.get("/api/v1/residents", headers=h,
                         params={"group_id": group["id"], "q": "duc"})
    assert listed.status_code == 200, listed.text
    [duc] = listed.json()["items"]
    assert duc["full_name"] == "Nguyễn Văn Đức" and duc["birth_year"] == 1980
    record = await c.get(f"/api/v1/residents/{duc['id']}", headers=h)
    assert record.status_code == 200 and record.json() == duc
    assert record.headers["etag"] == f'"{duc["id"].replace("-", "")[:8]}.{duc["version"]}"'
    assert (await c.get(f"/api/v1/residents/{household['id']}", headers=h)).status_code == 404
    reads = (await c.get("/api/v1/audit-events", headers=h,
                         params={"action": "resident.read"})).json()["items"]
    assert [e["object_ids"] for e in reads] == [[duc["id"]]]

    # The set-wise import on SQLite: a new head steps the old one down, an update is logged
    # with what it replaced and the new version.
    header = ";".join(label for _, label in RESIDENT_COLUMNS)
    rows = [f";Lê Văn Sơn;1990;Nam;{household['code']};Chủ hộ;;;;",
            f";Nguyễn Văn Đức;1980;Nam;{household['code']};Vợ/Chồng;0912 345 678;;;"]
    content = ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8-sig")
    job = (await c.post("/api/v1/imports", headers=h, data={"kind": "residents"},
                        files={"file": ("a.csv", content, "text/csv")})).json()
    assert (job["status"], job["created_count"], job["updated_count"]) == ("succeeded", 1, 1)
    members = (await c.get(f"/api/v1/households/{household['id']}/members",
                           headers=h)).json()["items"]
    heads = [m["full_name"] for m in members if m["relationship"] == "head"]
    assert heads == ["Lê Văn Sơn"]
    history = {}
    for m in members:
        items = (await c.get(f"/api/v1/residents/{m['id']}/history", headers=h)).json()["items"]
        history[m["full_name"]] = [(e["action"], e["before"], e["after"], e["version"])
                                   for e in items]
    assert history["Nguyễn Văn Đức"][-1] == (
        "import_updated", {"phone": None}, {"phone": "+84912345678"}, 2)
    assert history["Trần Thị Đào"][-1] == (
        "head_replaced", {"relationship": "head"}, {"relationship": "other_relative"}, 2)
    created = history["Lê Văn Sơn"][-1]
    assert created[0] == "imported" and created[3] == 1
    assert created[2]["household_id"] == household["id"]
    assert created[2]["group_id"] == group["id"] and created[2]["birth_date"] is None


    for _ in range(300):  # the in-process worker seals every second
        verify = await c.get("/api/v1/audit-events/verify", headers=h)
        if verify.json()["pending"] == 0:
            break
        await asyncio.sleep(0.1)
    assert verify.status_code == 200 and verify.json()["ok"] is True
    assert verify.json()["checked"] >= 10  # bootstrap, sign-in, unit and register writes


async def test_unit_codes_are_never_reused_on_sqlite(sqlite_client):
    h, province, _ward_unit, _ = await _ward(sqlite_client)
    await check_codes_never_reused(sqlite_client, h, province["id"])


async def test_the_demo_roster_is_in_vietnamese_order_on_sqlite(tmp_path):
    """The demo group as `make run` loads it on SQLite; PostgreSQL's twin is
    tests/api/test_demo_roster.py."""
    from repositories.demo import load_demo
    from repositories.uow import SqlUnitOfWork
    from tests.api.test_demo_tickets import _headers
    from tests.builders import PASSWORD

    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}"
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    engine = make_engine(url)
    async with SqlUnitOfWork(make_session_factory(engine)) as uow:
        await load_demo(uow, PASSWORD, seed=684)
        await uow.commit()
    await engine.dispose()
    app = create_app(make_settings(database_url=url, var_dir=tmp_path))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        leader = await _headers(c, "demo-group_leader")
        [group] = (await c.get("/api/v1/me", headers=leader)).json()["unit_ids"]
        await check_demo_roster(c, leader, group)
        # The demo election's summary on SQLite: its area counts the finished run's open
        # differences and the register's eligible voters.
        officer = await _headers(c, "demo-election_officer")
        [election] = (await c.get("/api/v1/elections", headers=officer)).json()["items"]
        [run] = (await c.get(f"/api/v1/elections/{election['id']}/reconciliations",
                             headers=officer)).json()["items"]
        assert run["status"] == "succeeded", run
        resp = await c.get(f"/api/v1/elections/{election['id']}/summary", headers=officer)
        assert resp.status_code == 200, resp.text
        [area] = resp.json()["areas"]
        assert area["open"] == sum(run["counts"].values()) > 0
        assert area["counts"] == run["counts"]
        assert 1000 < area["eligible"] < 2716 and area["listed"] > 1000
        found = (await c.get(f"/api/v1/reconciliations/{run['id']}/discrepancies",
                             headers=officer, params={"limit": 200})).json()["items"]
        assert {d["kind"] for d in found} >= {"deceased", "moved_away", "under_age",
                                              "missing_from_list", "data_mismatch"}
        listed = await c.get(f"/api/v1/polling-areas/{area['polling_area_id']}/voter-list",
                             headers=officer)
        assert listed.status_code == 200, listed.text
        assert len(listed.content.decode("utf-8-sig").splitlines()) > 1000


async def test_roster_order_and_search_ranks_on_sqlite(sqlite_client):
    """The roster and the searches of the PostgreSQL test, in the same order."""
    c = sqlite_client
    h, _province, ward, group = await _ward(c, "Tổ 1")
    household = (await c.post("/api/v1/households", headers=h,
                              json={"group_id": group["id"], "house_number": "3"})).json()
    await check_roster_and_search(c, h, household["id"])
    await check_roster_punctuation(c, h, household["id"])
    other_household = (await c.post("/api/v1/households", headers=h, json={
        "group_id": group["id"], "house_number": "4"})).json()
    await check_full_name_order(c, h, other_household["id"])
    street = (await c.post("/api/v1/streets", headers=h, json={
        "commune_id": ward["id"], "name": "Trần Phú"})).json()
    other = (await c.post("/api/v1/units", headers=h, json={
        "kind": "neighbourhood", "name": "Tổ 2", "parent_id": ward["id"]})).json()
    await check_household_search(c, h, other["id"], street["id"])


async def test_a_large_import_runs_on_the_in_process_worker(sqlite_client):
    """On SQLite `serve` runs the job queue itself: a queued import is run to its end."""
    c = sqlite_client
    h, _province, _ward_unit, group = await _ward(c, "Tổ dân phố Trần Phú")
    household = (await c.post("/api/v1/households", headers=h,
                              json={"group_id": group["id"], "house_number": "12"})).json()
    header = ";".join(label for _, label in RESIDENT_COLUMNS)
    rows = [f";Nguyễn Văn Số {i};1990;Nam;{household['code']};Con;;;;" for i in range(12_000)]
    content = ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8-sig")
    assert len(content) > 512 * 1024
    resp = await c.post("/api/v1/imports", headers=h, data={"kind": "residents"},
                        files={"file": ("big.csv", content, "text/csv")})
    assert resp.status_code == 202 and resp.json()["status"] in ("queued", "running")
    for _ in range(600):
        job = (await c.get(resp.headers["location"], headers=h)).json()
        if job["status"] not in ("queued", "running"):
            break
        await asyncio.sleep(0.1)
    assert (job["status"], job["created_count"]) == ("succeeded", 12_000), job["errors"][:3]
    listed = await c.get("/api/v1/residents", headers=h,
                         params={"household_id": household["id"], "include_total": "true"})
    assert listed.json()["total"] == 12_000


async def test_idempotency_keys_on_sqlite(sqlite_client):
    """No transaction lock to wait on: a twin that raced the first attempt finds its answer
    stored under the key when it comes to store its own, drops its work and replays."""
    c = sqlite_client
    token = (await c.post("/api/v1/auth/token", data={
        "grant_type": "password", "username": "root", "password": "sqlite admin password",
    })).json()["access_token"]
    h = {"Authorization": f"Bearer {token}"}
    body = {"kind": "province", "name": "Gia Lai"}
    first = await c.post("/api/v1/units", headers={**h, "Idempotency-Key": "one"}, json=body)
    again = await c.post("/api/v1/units", headers={**h, "Idempotency-Key": "one"}, json=body)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotency-replayed"] == "true" and again.json() == first.json()
    other = await c.post("/api/v1/units", headers={**h, "Idempotency-Key": "one"},
                         json={**body, "name": "Khác"})
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"

    twin = {"kind": "province", "name": "Bình Định"}
    answers = await asyncio.gather(*(
        c.post("/api/v1/units", headers={**h, "Idempotency-Key": "twin"}, json=twin)
        for _ in range(2)))
    assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
    assert answers[0].json() == answers[1].json()
    listed = (await c.get("/api/v1/units?q=binh%20dinh", headers=h)).json()["items"]
    assert [u["name"] for u in listed] == ["Bình Định"]


async def test_ticket_stats_on_sqlite(sqlite_client, tmp_path):
    """The same counts and medians as on PostgreSQL (tests/api/test_ticket_stats.py), the
    medians taken in Python over the stored working minutes."""
    c = sqlite_client
    h, _province, ward, group = await _ward(c, "Tổ dân phố Trần Phú")
    category = (await c.post("/api/v1/ticket-categories", headers=h, json={
        "code": "vneid", "name": "Hỗ trợ VNeID", "kind": "app_help",
        "first_response_minutes": 240, "resolution_minutes": 1440,
        "commune_id": ward["id"]})).json()
    ids = []
    for unit in (group, group, group, ward):
        resp = await c.post("/api/v1/tickets", headers=h, json={
            "subject": "Không kích hoạt được VNeID mức 2", "description": "Báo lỗi.",
            "category_id": category["id"], "channel": "phone", "unit_id": unit["id"],
            "contact_name": "Bà Tư", "contact_phone": "0912345678"})
        assert resp.status_code == 201, resp.text
        ids.append(resp.json()["id"])
    moved = await c.post(f"/api/v1/tickets/{ids[0]}/transitions", headers=h,
                         json={"to": "resolved", "outcome": "answered"})
    assert moved.status_code == 200, moved.text
    # until the SLA clock sets it
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'core.sqlite3'}")
    async with engine.begin() as conn:
        for ticket_id, first, resolution, breached in zip(
                ids, (60, 120, 600, None), (90, 210, None, None), (1, 0, 0, 0), strict=True):
            await conn.execute(text(
                "UPDATE ticket SET first_response_work_minutes = :f, resolution_work_minutes"
                " = :r, first_response_breached = :b WHERE id = :id"),
                {"f": first, "r": resolution, "b": breached, "id": uuid.UUID(ticket_id).hex})
    await engine.dispose()
    stats = (await c.get("/api/v1/tickets/stats", headers=h)).json()
    assert stats["totals"] == {"opened": 4, "open": 3, "resolved": 1, "closed": 0,
                               "breached": 1, "median_first_response_hours": 2.0,
                               "median_resolution_hours": 2.5, "breach_rate": 0.25}
    units = {u["name"]: (u["opened"], u["median_first_response_hours"]) for u in stats["units"]}
    assert units == {"Phường Bình Định": (4, 2.0), "Tổ dân phố Trần Phú": (3, 2.0)}
    assert [(x["code"], x["median_resolution_hours"]) for x in stats["categories"]] == [
        ("vneid", 2.5)]


async def test_elections_on_sqlite(sqlite_client):
    """An election, a polling area, an exclusion (its one-active index) and eligibility."""
    c = sqlite_client
    h, _province, _ward_unit, group = await _ward(c, "Tổ dân phố Trần Phú")
    household = (await c.post("/api/v1/households", headers=h,
                              json={"group_id": group["id"], "house_number": "12"})).json()
    adult = (await c.post("/api/v1/residents", headers=h, json={
        "household_id": household["id"], "full_name": "Trần Thị Đào", "relationship": "head",
        "birth_date": "1980-05-17", "sex": "female"})).json()
    child = (await c.post("/api/v1/residents", headers=h, json={
        "household_id": household["id"], "full_name": "Nguyễn Văn Bé", "relationship": "child",
        "birth_date": "2008-03-16", "sex": "male"})).json()
    election = await c.post("/api/v1/elections", headers=h, json={
        "name": "Bầu cử", "election_day": "2026-03-15", "levels": ["national_assembly"],
        "list_posting_on": "2026-02-03", "complaint_deadline_on": "2026-03-10"})
    assert election.status_code == 201, election.text
    assert election.json()["amendment_deadline_at"] == "2026-03-14T00:00:00Z"
    assert election.json()["voting_opens_at"] == "07:00:00"
    eid = election.json()["id"]
    area = await c.post(f"/api/v1/elections/{eid}/polling-areas", headers=h, json={
        "code": "01", "name": "Khu vực bỏ phiếu số 1", "group_ids": [group["id"]]})
    assert area.status_code == 201, area.text
    taken = await c.post(f"/api/v1/elections/{eid}/polling-areas", headers=h, json={
        "code": "02", "name": "Khu vực bỏ phiếu số 2", "group_ids": [group["id"]]})
    assert taken.status_code == 409 and taken.json()["code"] == "polling_area_group_taken"
    exclusion = {"resident_id": adult["id"], "reason": "court_deprived", "document_ref": "1/2025"}
    made = await c.post(f"/api/v1/elections/{eid}/exclusions", headers=h, json=exclusion)
    assert made.status_code == 201, made.text
    again = await c.post(f"/api/v1/elections/{eid}/exclusions", headers=h, json=exclusion)
    assert again.status_code == 409 and again.json()["code"] == "exclusion_active"
    page = (await c.get(f"/api/v1/elections/{eid}/eligibility", headers=h,
                        params={"polling_area_id": area.json()["id"]})).json()
    reasons = {i["resident"]["id"]: i["reasons"] for i in page["items"]}
    assert reasons == {adult["id"]: ["excluded:court_deprived"], child["id"]: ["under_age"]}


async def test_voter_lists_on_sqlite(sqlite_client):
    """A polling area's list imported twice (rows written by executemany there), its rows
    and the difference between the versions."""
    c = sqlite_client
    h, _province, _ward_unit, group = await _ward(c, "Tổ dân phố Trần Phú")
    eid = (await c.post("/api/v1/elections", headers=h, json={
        "name": "Bầu cử", "election_day": "2026-03-15", "levels": ["national_assembly"],
        "list_posting_on": "2026-02-03", "complaint_deadline_on": "2026-03-10"})).json()["id"]
    area = (await c.post(f"/api/v1/elections/{eid}/polling-areas", headers=h, json={
        "code": "01", "name": "Khu vực bỏ phiếu số 1", "group_ids": [group["id"]]})).json()
    versions = []
    for rows in (["1,Trần Thị Đào,17/05/1980,Nữ", "2,Nguyễn Văn An,1975,Nam"],
                 ["1,Trần Thị Đào,17/05/1981,Nữ", "2,Lê Văn Bình,1990,Nam"]):
        body = "\r\n".join(["STT,Họ và tên,Ngày sinh,Giới tính", *rows]).encode("utf-8-sig")
        job = (await c.post("/api/v1/imports", headers=h, data={
            "kind": "voter_list", "polling_area_id": area["id"]},
            files={"file": ("ds.csv", body, "text/csv")})).json()
        assert job["status"] == "succeeded", job
        versions.append(job["voter_list_id"])
    rows = (await c.get(f"/api/v1/voter-lists/{versions[1]}/rows", headers=h)).json()["items"]
    assert [(r["full_name"], r["birth_year"]) for r in rows] == [("Trần Thị Đào", 1981),
                                                                 ("Lê Văn Bình", 1990)]
    assert rows[0]["cells"]["Ngày sinh"] == "17/05/1981"
    diff = (await c.get(f"/api/v1/voter-lists/{versions[1]}/diff", headers=h)).json()
    assert (diff["added"], diff["removed"], diff["changed"]) == (2, 2, 0)  # year changed too


async def test_exports_on_sqlite(sqlite_client):
    """Both exports carry the current address (the units joined by name), the XLSX dates
    are date cells, and the XLSX export imports back as a no-op."""
    c = sqlite_client
    h, _province, ward, group = await _ward(c, "Tổ dân phố Trần Phú")
    street = (await c.post("/api/v1/streets", headers=h, json={
        "commune_id": ward["id"], "name": "Trần Phú"})).json()
    household = (await c.post("/api/v1/households", headers=h, json={
        "group_id": group["id"], "house_number": "34/2", "street_id": street["id"],
        "old_address_text": "34/2 Trần Phú, thị xã An Nhơn"})).json()
    made = await c.post("/api/v1/residents", headers=h, json={
        "household_id": household["id"], "full_name": "Trần Thị Đào", "relationship": "head",
        "birth_date": "1980-05-17", "sex": "female", "residence_since": "2020-01-02"})
    assert made.status_code == 201, made.text
    place = ["34/2 Trần Phú, Tổ dân phố Trần Phú, Phường Bình Định, Gia Lai",
             "Tổ dân phố Trần Phú", "Phường Bình Định", "Gia Lai"]
    resp = await c.get("/api/v1/residents/export", headers=h)
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"), newline="")))
    assert rows[1][1:3] == ["Trần Thị Đào", "17/05/1980"]
    assert rows[1][-6:] == ["34/2", "Trần Phú", *place]
    resp = await c.get("/api/v1/households/export", headers=h)
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"), newline="")))
    assert rows[1][4] == "34/2 Trần Phú, thị xã An Nhơn" and rows[1][-4:] == place
    resp = await c.get("/api/v1/residents/export", headers=h, params={"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(resp.content)).worksheets[0]
    row = next(sheet.iter_rows(min_row=2))
    dates = [(cell.value, cell.number_format) for cell in row if cell.is_date]
    assert dates == [(datetime(1980, 5, 17), "dd/mm/yyyy"), (datetime(2020, 1, 2), "dd/mm/yyyy")]
    job = (await c.post("/api/v1/imports", headers=h, data={"kind": "residents"},
                        files={"file": ("ds.xlsx", resp.content, "application/octet-stream")}))
    assert job.status_code == 202, job.text
    assert (job.json()["status"], job.json()["unchanged_count"]) == ("succeeded", 1)
