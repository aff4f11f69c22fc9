"""Idempotency-Key on POST: a retry replays the first answer; another body is a 422."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from domain.access import Role
from domain.units.models import AdminUnit
from tests.api.test_ops import assert_problem
from tests.builders import bearer, make_tree, make_user


async def test_retry_replays_and_other_body_is_refused(app, client, session):
    tree = await make_tree(session)
    admin = await make_user(session, role=Role.admin)
    h = {**bearer(app, admin), "Idempotency-Key": "5f0c6a4e-visit-0001"}
    body = {"kind": "neighbourhood", "name": "Tổ dân phố Mới",
            "parent_id": str(tree.commune_a.id)}
    before = await session.scalar(select(func.count()).select_from(AdminUnit))
    first = await client.post("/api/v1/units", headers=h, json=body)
    assert first.status_code == 201
    again = await client.post("/api/v1/units", headers=h, json=body)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotency-replayed"] == "true"
    assert await session.scalar(select(func.count()).select_from(AdminUnit)) == before + 1
    other = await client.post("/api/v1/units", headers=h, json={**body, "name": "Khác"})
    assert_problem(other, 422, "idempotency_key_reused")
    # The same key from another caller is another key.
    other_admin = await make_user(session, role=Role.admin)
    theirs = await client.post("/api/v1/units", json={**body, "name": "Của người khác"},
                               headers={**bearer(app, other_admin),
                                        "Idempotency-Key": "5f0c6a4e-visit-0001"})
    assert theirs.status_code == 201


async def test_bad_key_and_failed_requests(app, client, session):
    admin = await make_user(session, role=Role.admin)
    h = bearer(app, admin)
    bad = await client.post("/api/v1/units", headers={**h, "Idempotency-Key": "has spaces in it"},
                            json={"kind": "province", "name": "X"})
    assert_problem(bad, 400, "idempotency_key_invalid")
    key = {**h, "Idempotency-Key": "k-422"}
    first = await client.post("/api/v1/units", headers=key, json={"kind": "nope"})
    assert first.status_code == 422
    replay = await client.post("/api/v1/units", headers=key, json={"kind": "nope"})
    assert replay.status_code == 422 and replay.headers["idempotency-replayed"] == "true"


async def test_the_purge_job_forgets_old_answers_only(app, session):
    """The hourly `idempotency.purge` job (once every 500th request did it)."""
    from datetime import timedelta

    from domain.idempotency import KEEP_HOURS, IdempotencyRecord, purge_idempotency_keys
    from domain.types import utcnow

    old = IdempotencyRecord(key_hash="a" * 64, request_hash="x" * 64, status_code=201,
                            created_at=utcnow() - timedelta(hours=KEEP_HOURS, minutes=1))
    fresh = IdempotencyRecord(key_hash="b" * 64, request_hash="x" * 64, status_code=201,
                              created_at=utcnow() - timedelta(hours=KEEP_HOURS - 1))
    session.add_all([old, fresh])
    await session.flush()
    assert await purge_idempotency_keys(app.state.runtime) >= 1
    kept = set((await session.exec(select(IdempotencyRecord.key_hash).where(
        IdempotencyRecord.key_hash.in_(["a" * 64, "b" * 64])).execution_options(
        populate_existing=True))).all())
    assert kept == {"b" * 64}
