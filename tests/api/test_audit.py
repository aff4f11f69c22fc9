"""The audit trail over HTTP: events of account changes, keyset paging, scope, verification."""

from __future__ import annotations

from sqlalchemy import func, text
from sqlmodel import select

from domain.access import Role
from domain.audit.models import AuditEvent
from domain.audit.tasks import seal_audit_trail
from tests.api.test_ops import assert_invalid, assert_problem
from tests.builders import bearer, make_tree, make_user

EVENTS = "/api/v1/audit-events"
USERS = "/api/v1/users"
PASSWORD = "mot cau mat khau rat dai"


def new_user(name: str, unit) -> dict:
    return {"username": name, "display_name": "Người mới", "password": PASSWORD,
            "role": "volunteer", "unit_ids": [str(unit.id)]}


class TestList:
    async def test_account_changes_are_listed_newest_first_with_keyset_paging(
        self, app, client, session, uid
    ):
        tree = await make_tree(session)
        admin = await make_user(session, role=Role.admin)
        h = bearer(app, admin)
        created = []
        for i in range(3):
            resp = await client.post(USERS, headers=h, json=new_user(f"a{i}.{uid}",
                                                                     tree.group_a1))
            created.append(resp.json()["id"])
        await client.post(f"{USERS}/{created[0]}/disable", headers=h)

        url = f"{EVENTS}?actor_id={admin.id}&action=user.create&limit=2"
        first = (await client.get(url, headers=h)).json()
        assert [e["object_ids"] for e in first["items"]] == [[created[2]], [created[1]]]
        assert first["items"][0]["id"] > first["items"][1]["id"]
        assert first["items"][0]["actor_role"] == "admin"
        second = (await client.get(f"{url}&cursor={first['next_cursor']}", headers=h)).json()
        assert [e["object_ids"] for e in second["items"]] == [[created[0]]]
        assert second["next_cursor"] is None

        about = (await client.get(f"{EVENTS}?object_id={created[0]}", headers=h)).json()
        assert [e["action"] for e in about["items"]] == ["user.disable", "user.create"]

    async def test_outcome_filter_finds_failed_sign_ins(self, app, client, session, uid):
        tree = await make_tree(session)
        resp = await client.post("/api/v1/auth/token", data={
            "grant_type": "password", "username": f"nobody.{uid}", "password": "wrong"})
        assert_problem(resp, 400, "invalid_credentials")
        h = bearer(app, await make_user(session, role=Role.admin))
        events = (await client.get(f"{EVENTS}?action=auth.login&outcome=failed",
                                   headers=h)).json()["items"]
        assert f"nobody.{uid}" in [e["actor_name"] for e in events]
        officer = await make_user(session, role=Role.ward_officer, units=[tree.commune_a])
        scoped = (await client.get(f"{EVENTS}?action=auth.login",
                                   headers=bearer(app, officer, [tree.commune_a]))).json()
        assert scoped["items"] == []  # no actor id: only admins see anonymous events

    async def test_ward_officer_sees_events_of_users_in_scope_only(
        self, app, client, session, uid
    ):
        tree = await make_tree(session)
        officer = await make_user(session, role=Role.ward_officer, units=[tree.commune_a])
        admin = await make_user(session, role=Role.admin)
        oh = bearer(app, officer, [tree.commune_a])
        await client.post(USERS, headers=oh, json=new_user(f"o.{uid}", tree.group_a1))
        await client.post(USERS, headers=bearer(app, admin),
                          json=new_user(f"x.{uid}", tree.group_b1))
        events = (await client.get(f"{EVENTS}?action=user.create", headers=oh)).json()["items"]
        assert {e["actor_id"] for e in events} == {str(officer.id)}
        hidden = (await client.get(f"{EVENTS}?actor_id={admin.id}", headers=oh)).json()
        assert hidden["items"] == []

    async def test_group_leader_is_forbidden_and_bad_queries_are_422(self, app, client, session):
        tree = await make_tree(session)
        leader = await make_user(session, role=Role.group_leader, units=[tree.group_a1])
        assert_problem(await client.get(EVENTS, headers=bearer(app, leader, [tree.group_a1])),
                       403, "forbidden")
        h = bearer(app, await make_user(session, role=Role.auditor, units=[tree.commune_a]))
        assert (await client.get(EVENTS, headers=h)).status_code == 200
        assert_invalid(await client.get(f"{EVENTS}?cursor=%%%", headers=h),
                       {("query", "cursor"): "cursor_invalid"})
        assert_invalid(await client.get(f"{EVENTS}?cursor=LTU", headers=h),
                       {("query", "cursor"): "cursor_invalid"})
        assert_problem(await client.get(f"{EVENTS}?limit=201", headers=h), 422,
                       "validation_failed")
        assert_problem(await client.get(f"{EVENTS}?since=2025-01-01T00:00:00", headers=h), 422,
                       "validation_failed")
        assert_problem(await client.get(f"{EVENTS}?outcome=maybe", headers=h), 422,
                       "validation_failed")
        assert_problem(await client.get(EVENTS), 401, "unauthorized")


class TestVerify:
    async def test_chain_checks_out_then_a_forged_row_is_found(self, app, client, session, uid):
        tree = await make_tree(session)
        h = bearer(app, await make_user(session, role=Role.admin))
        for i in range(2):
            await client.post(USERS, headers=h, json=new_user(f"v{i}.{uid}", tree.group_a1))
        assert (await client.get(f"{EVENTS}/verify", headers=h)).json()["pending"] >= 2
        await seal_audit_trail(app.state.runtime)  # what the worker does every second
        resp = await client.get(f"{EVENTS}/verify", headers=h)
        assert resp.status_code == 200, resp.text
        result = resp.json()
        assert result["ok"] is True and result["checked"] >= 2
        assert result["first_bad_id"] is None and result["pending"] == 0

        # A row slipped in as if sealed, with a hash that does not chain: found.
        last = await session.scalar(select(func.max(AuditEvent.seq)))
        forged = AuditEvent(action="user.create", outcome="success", seq=last + 1,
                            prev_hash="f" * 64, hash="0" * 64)
        session.add(forged)
        await session.flush()
        result = (await client.get(f"{EVENTS}/verify", headers=h)).json()
        assert (result["ok"], result["first_bad_id"]) == (False, forged.id)

    async def test_events_are_sealed_in_order_and_a_changed_one_is_found(
        self, app, client, session, uid
    ):
        tree = await make_tree(session)
        h = bearer(app, await make_user(session, role=Role.admin))
        for i in range(3):
            await client.post(USERS, headers=h, json=new_user(f"s{i}.{uid}", tree.group_a1))
        mine = (await session.exec(select(AuditEvent).where(
            AuditEvent.action == "user.create").order_by(AuditEvent.id.desc()).limit(3))).all()
        assert [e.seq for e in mine] == [None] * 3  # appended without the chain
        await client.get(f"{EVENTS}/verify", headers=h)
        for event in mine:  # reading the trail writes nothing: no GET seals
            await session.refresh(event)
        assert [e.seq for e in mine] == [None] * 3
        await seal_audit_trail(app.state.runtime)
        result = (await client.get(f"{EVENTS}/verify", headers=h)).json()
        assert result["ok"] is True
        for event in mine:
            await session.refresh(event)
        assert mine[0].seq == mine[1].seq + 1 == mine[2].seq + 2
        assert mine[0].prev_hash == mine[1].hash and mine[1].prev_hash == mine[2].hash
        listed = (await client.get(f"{EVENTS}?limit=1", headers=h)).json()["items"][0]
        assert listed["seq"] is not None and len(listed["hash"]) == 64

        # Changed behind the trigger's back (a superuser with triggers off): found.
        await session.execute(text("SET LOCAL session_replication_role = replica"))
        await session.execute(text("UPDATE audit_event SET actor_name = 'someone else'"
                                   " WHERE id = :id"), {"id": mine[1].id})
        await session.execute(text("SET LOCAL session_replication_role = origin"))
        result = (await client.get(f"{EVENTS}/verify", headers=h)).json()
        assert result["ok"] is False and result["first_bad_id"] == mine[1].id

    async def test_verify_needs_audit_read(self, app, client, session):
        tree = await make_tree(session)
        leader = await make_user(session, role=Role.volunteer, units=[tree.group_a1])
        resp = await client.get(f"{EVENTS}/verify", headers=bearer(app, leader, [tree.group_a1]))
        assert_problem(resp, 403, "forbidden")


class TestSealer:
    """The periodic sealing job, run by a real worker on committed rows (its own
    connections), two workers at once: the chain lock lets one work at a time."""

    async def test_committed_events_are_sealed_by_running_workers(self, engine, tmp_path):
        import asyncio

        from repositories.db import make_session_factory
        from repositories.queue import Runtime, build_queue, run_worker
        from repositories.uow import SqlUnitOfWork

        factory = make_session_factory(engine)
        async with SqlUnitOfWork(factory) as uow:
            for i in range(3):
                await uow.audit.record(None, "test.sealer", actor_name=f"sealer-{i}")
            await uow.commit()
        url = engine.url.render_as_string(hide_password=False)
        workers = [asyncio.create_task(run_worker(
            build_queue(url, intervals={"audit.seal": 1}), Runtime(factory, tmp_path),
            install_signal_handlers=False)) for _ in range(2)]
        try:
            for _ in range(100):
                async with factory() as s:
                    pending = await s.scalar(select(func.count()).where(
                        AuditEvent.action == "test.sealer", AuditEvent.seq.is_(None)))
                if pending == 0:
                    break
                await asyncio.sleep(0.1)
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        assert pending == 0
        async with SqlUnitOfWork(factory) as uow:
            checked, bad = await uow.audit.verify()
        assert bad is None and checked >= 3
