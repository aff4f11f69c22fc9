"""The job port on PostgreSQL: a job exists exactly when the transaction that enqueued it
commits, and a queueing lock keeps one waiting job per key without breaking the caller's
transaction."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from repositories.db import make_session_factory
from repositories.uow import SqlUnitOfWork

JOBS = text("SELECT task_name, args, queueing_lock FROM procrastinate_jobs"
            " WHERE args->>'import_id' = :key ORDER BY id")


async def _jobs(engine, key: str) -> list[tuple]:
    async with engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(JOBS, {"key": key})).all()]


async def test_a_job_lives_and_dies_with_its_transaction(engine):
    factory = make_session_factory(engine)
    rolled, kept = str(uuid.uuid4()), str(uuid.uuid4())
    async with SqlUnitOfWork(factory) as uow:
        await uow.jobs.enqueue("imports.run", import_id=rolled)
        await uow.rollback()
    async with SqlUnitOfWork(factory) as uow:
        await uow.jobs.enqueue("imports.run", import_id=kept)
        assert await _jobs(engine, kept) == []  # not visible before the commit
        await uow.commit()
    try:
        assert await _jobs(engine, rolled) == []
        assert await _jobs(engine, kept) == [("imports.run", {"import_id": kept}, None)]
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM procrastinate_jobs"
                                    " WHERE args->>'import_id' = :key"), {"key": kept})


async def test_one_waiting_job_per_queueing_lock_and_the_transaction_goes_on(engine):
    factory = make_session_factory(engine)
    key = str(uuid.uuid4())
    async with SqlUnitOfWork(factory) as uow:
        for _ in range(3):
            await uow.jobs.enqueue("imports.run", queueing_lock=f"import:{key}",
                                   import_id=key)
        await uow.audit.record(None, "test.jobs", actor_name="jobs")  # still usable
        await uow.commit()
    try:
        assert await _jobs(engine, key) == [("imports.run", {"import_id": key},
                                             f"import:{key}")]
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM procrastinate_jobs"
                                    " WHERE args->>'import_id' = :key"), {"key": key})
