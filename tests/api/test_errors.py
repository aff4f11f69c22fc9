"""Errors as types: the database's refusals, a full disk, and the catalogue in the document.

The constraint cases are real races on committed data: another transaction holds the row a
request's insert must wait for, and commits once the request is blocked on it, so the
service's own checks pass and PostgreSQL itself refuses the write.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import uuid

import httpx
import pytest
from sqlalchemy import delete, text
from sqlmodel.ext.asyncio.session import AsyncSession

from api.app import create_app
from domain.access import Role
from domain.catalogue import CATALOGUE
from domain.errors import VARIANTS
from domain.register.models import Resident
from domain.units.models import AdminUnit, UnitKind
from repositories.db import make_session_factory
from tests.api.test_ops import assert_invalid, assert_problem
from tests.builders import (
    bearer,
    make_household,
    make_resident,
    make_tree,
    make_unit,
    make_user,
    random_id_number,
)
from tests.conftest import make_settings


async def _documented(client, method: str, path: str, status: int) -> list[str]:
    doc = (await client.get("/openapi.json")).json()
    return doc["paths"][path][method]["responses"][str(status)].get("x-error-codes", [])


async def _blocked(engine, seconds: float = 10.0) -> None:
    """Until some backend of this database waits for a lock (the request's insert)."""
    async with engine.connect() as probe:
        for _ in range(int(seconds / 0.05)):
            waiting = await probe.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock'"))
            await probe.rollback()
            if waiting:
                return
            await asyncio.sleep(0.05)
    raise AssertionError("the request never waited for the other transaction")


async def race(engine, hold, request):
    """Run `request` while another transaction, after `hold(session)`, keeps its rows
    locked; commit that transaction once the request waits for it."""
    async with engine.connect() as other:
        trans = await other.begin()
        async with AsyncSession(bind=other, expire_on_commit=False) as session:
            await hold(session)
            task = asyncio.create_task(request())
            try:
                await _blocked(engine)
            finally:
                await trans.commit()
            return await task


@pytest.fixture
async def world(engine):
    async with make_session_factory(engine)() as session:
        tree = await make_tree(session, "errors")
        admin = await make_user(session, role=Role.admin)
        household = await make_household(session, tree.group_a1)
        await session.commit()
    app = create_app(make_settings(), session_factory=make_session_factory(engine),
                     engine=engine)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        yield app, client, tree, bearer(app, admin), household


def _person(**over) -> dict:
    return {"full_name": "Trần Thị Lan", "sex": "female", "birth_date": "1990-03-02",
            "residence_status": "permanent", **over}


class TestForeignKeys:
    async def test_a_group_deleted_meanwhile_is_a_422_on_group_id_not_a_taken_id(
            self, engine, world):
        _, client, tree, auth, _ = world
        async with make_session_factory(engine)() as session:
            group = await make_unit(session, kind=UnitKind.neighbourhood, name="Tổ sắp xoá",
                                    parent=tree.commune_a)
            await session.commit()

        async def hold(session):
            await session.execute(delete(AdminUnit).where(AdminUnit.id == group.id))

        resp = await race(engine, hold, lambda: client.post(
            "/api/v1/residents", headers=auth, json=_person(group_id=str(group.id))))
        assert_invalid(resp, {("body", "group_id"): "reference_not_found"})
        assert "reference_not_found" in await _documented(
            client, "post", "/api/v1/residents", 422)


class TestUniqueConstraints:
    async def test_id_number_registered_meanwhile(self, engine, world):
        _, client, tree, auth, household = world
        number = random_id_number(1990, "female")

        held = {}

        async def hold(session):
            held["resident"] = await make_resident(session, household, id_number=number)

        resp = await race(engine, hold, lambda: client.post(
            "/api/v1/residents", headers=auth,
            json=_person(group_id=str(tree.group_a1.id), id_number=number)))
        problem = assert_problem(resp, 409, "id_number_taken")
        assert problem["existing_id"] == str(held["resident"].id)  # the admin may read it
        assert "id_number_taken" in await _documented(client, "post", "/api/v1/residents", 409)

    async def test_id_number_registered_meanwhile_out_of_scope_names_nothing(self, engine,
                                                                            world):
        """The unique index knows no scope: the race is answered by the same rule as the
        check before it, so a holder in another commune is not named."""
        app, client, tree, _, _ = world
        async with make_session_factory(engine)() as session:
            leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
            theirs = await make_household(session, tree.group_b1)
            await session.commit()
        number = random_id_number(1990, "female")
        held = {}

        async def hold(session):
            held["resident"] = await make_resident(session, theirs, id_number=number,
                                                   full_name="Lý Thị Kín", sex="female")

        resp = await race(engine, hold, lambda: client.post(
            "/api/v1/residents", headers=bearer(app, leader, [tree.group_a1]),
            json=_person(group_id=str(tree.group_a1.id), id_number=number)))
        problem = assert_problem(resp, 409, "id_number_registered_elsewhere")
        assert "existing_id" not in problem
        for secret in (held["resident"].id, "Lý Thị Kín", theirs.id, tree.group_b1.id,
                       tree.commune_b.id):
            assert str(secret) not in resp.text, secret
        assert "id_number_registered_elsewhere" in await _documented(
            client, "post", "/api/v1/residents", 409)

    async def test_id_number_taken_meanwhile_by_a_patch_out_of_scope(self, engine, world):
        """A PATCH to a number another commune registers meanwhile: the same answer as a
        create, from the same rule, and the record keeps its old number."""
        app, client, tree, _, household = world
        async with make_session_factory(engine)() as session:
            leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
            theirs = await make_household(session, tree.group_b1)
            mine = await make_resident(session, household, id_number=random_id_number())
            await session.commit()
        auth = bearer(app, leader, [tree.group_a1])
        etag = (await client.get(f"/api/v1/residents/{mine.id}", headers=auth)).headers["etag"]
        number = random_id_number(1990, "female")
        held = {}

        async def hold(session):
            held["resident"] = await make_resident(session, theirs, id_number=number,
                                                   full_name="Lý Thị Kín", sex="female")

        resp = await race(engine, hold, lambda: client.patch(
            f"/api/v1/residents/{mine.id}", headers={**auth, "If-Match": etag},
            json={"id_number": number}))
        problem = assert_problem(resp, 409, "id_number_registered_elsewhere")
        assert "{" not in problem["detail"]
        for secret in (held["resident"].id, "Lý Thị Kín", theirs.id, tree.group_b1.id):
            assert str(secret) not in resp.text, secret
        again = await client.get(f"/api/v1/residents/{mine.id}", headers=auth)
        assert again.json()["id_number"] == mine.id_number and again.headers["etag"] == etag

    async def test_household_code_taken_meanwhile(self, engine, world):
        _, client, tree, auth, _ = world
        code = f"HH-{uuid.uuid4().hex[:8].upper()}"
        resp = await race(
            engine, lambda s: make_household(s, tree.group_a1, code=code),
            lambda: client.post("/api/v1/households", headers=auth, json={
                "group_id": str(tree.group_a1.id), "code": code, "house_number": "7"}))
        assert_problem(resp, 409, "household_code_taken")
        assert "household_code_taken" in await _documented(
            client, "post", "/api/v1/households", 409)

    async def test_username_taken_meanwhile(self, engine, world):
        _, client, tree, auth, _ = world
        name = f"lan-{uuid.uuid4().hex[:8]}"
        resp = await race(
            engine, lambda s: make_user(s, role=Role.volunteer, username=name),
            lambda: client.post("/api/v1/users", headers=auth, json={
                "username": name, "display_name": "Lan", "password": "mật-khẩu-dài-1234",
                "role": "volunteer", "unit_ids": [str(tree.group_a1.id)]}))
        assert_problem(resp, 409, "username_taken")
        assert "username_taken" in await _documented(client, "post", "/api/v1/users", 409)

    async def test_unit_code_taken_meanwhile(self, engine, world):
        _, client, tree, auth, _ = world
        code = str(int(uuid.uuid4().hex[:6], 16) % 90000 + 10000)
        resp = await race(
            engine, lambda s: make_unit(s, kind=UnitKind.ward, name="Phường Trùng",
                                        parent=tree.province, code=code),
            lambda: client.post("/api/v1/units", headers=auth, json={
                "kind": "ward", "name": "Phường Mới", "code": code,
                "parent_id": str(tree.province.id)}))
        assert_problem(resp, 409, "unit_code_taken")
        assert "unit_code_taken" in await _documented(client, "post", "/api/v1/units", 409)


class TestFullDisk:
    async def test_an_upload_on_a_full_disk_is_507_not_an_outage(
            self, app, client, session, monkeypatch, tmp_path):
        # /dev/full answers every write with ENOSPC, from the kernel: the upload's file is
        # placed there (its id fixed so the path is known beforehand).
        if not os.path.exists("/dev/full"):  # noqa: ASYNC240
            pytest.skip("no /dev/full")
        tree = await make_tree(session)
        leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
        monkeypatch.setattr(app.state.settings, "var_dir", tmp_path)
        job_id = uuid.uuid4()
        (tmp_path / "imports").mkdir()
        os.symlink("/dev/full", tmp_path / "imports" / f"{job_id}.csv")
        monkeypatch.setattr("api.routers.imports.uuid7", lambda: job_id)
        resp = await client.post(
            "/api/v1/imports", headers=bearer(app, leader, [tree.group_a1]),
            data={"kind": "residents"}, files={"file": ("a.csv", b"x" * 300_000, "text/csv")})
        assert_problem(resp, 507, "insufficient_storage")
        assert "retry-after" not in resp.headers
        assert "insufficient_storage" in await _documented(client, "post", "/api/v1/imports",
                                                           507)

    async def test_enospc_is_not_a_connection_failure(self):
        from repositories.integrity import is_connection_failure, is_storage_full

        full = OSError(errno.ENOSPC, "No space left on device")
        assert is_storage_full(full) and not is_connection_failure(full)
        assert is_connection_failure(ConnectionRefusedError(errno.ECONNREFUSED, "refused"))
        assert not is_connection_failure(OSError(errno.EACCES, "denied"))


class TestCatalogue:
    async def test_every_case_speaks_both_languages_once(self):
        assert len(CATALOGUE) > 100
        for code, case in CATALOGUE.items():
            assert case.code == code
            assert case.vi and case.en and case.vi != case.en, code
            assert (case.vi_detail is None) == (case.en_detail is None), code
            assert 400 <= case.status < 600, code

    async def test_every_code_is_in_the_document(self, client):
        doc = (await client.get("/openapi.json")).json()
        assert set(doc["components"]["schemas"]["ErrorCode"]["enum"]) == set(CATALOGUE)
        documented = {code for item in doc["paths"].values() for op in item.values()
                      for resp in op["responses"].values()
                      for code in resp.get("x-error-codes", [])}
        assert documented <= set(CATALOGUE)
        for path, status, resp in ((p, s, r) for p, item in doc["paths"].items()
                                   for op in item.values() for s, r in op["responses"].items()):
            for code in resp.get("x-error-codes", []):
                statuses = {str(c.status) for c in (CATALOGUE[code], *VARIANTS.get(code, ()))}
                if path.startswith("/open311/") and "422" in statuses:
                    statuses.add("400")  # GeoReport answers a 422 as its 400 (api/georeport.py)
                assert status in statuses, (code, status)

    async def test_each_read_by_id_documents_its_not_found(self, client):
        doc = (await client.get("/openapi.json")).json()
        by_param = {"resident_id": "resident_not_found", "household_id": "household_not_found",
                    "unit_id": "unit_not_found", "street_id": "street_not_found",
                    "user_id": "user_not_found", "campaign_id": "campaign_not_found",
                    "announcement_id": "announcement_not_found",
                    "import_id": "import_not_found"}
        checked = 0
        for path, item in doc["paths"].items():
            for param, code in by_param.items():
                if "{" + param + "}" not in path:
                    continue
                for method, op in item.items():
                    assert code in op["responses"]["404"].get("x-error-codes", []), (
                        method, path)
                    checked += 1
        assert checked > 20

    async def test_a_code_given_as_argument_is_its_class(self):
        from domain.errors import NotFound
        from domain.register.errors import ResidentNotFound

        error = NotFound("resident_not_found", resident_id="x")
        assert type(error) is ResidentNotFound and error.params == {"resident_id": "x"}
        with contextlib.suppress(TypeError):
            type("Twin", (NotFound,), {"code": "resident_not_found"})
            raise AssertionError("a second class for one code was accepted")


async def test_resident_ids_are_unique_among_living_records_only(session):
    """Control: the partial unique index the race above provokes exists as named."""
    row = await session.scalar(text(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'uq_resident_id_number_living'"))
    assert row and "deleted_at IS NULL" in row
    assert Resident.__table__.c.id_number is not None
