"""Migrations: upgrade to head, no drift from the models, downgrade to base (PostgreSQL)."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

import domain.models  # noqa: F401
from domain.base import metadata
from repositories.queue import is_queue_object
from tests import db
from tests.conftest import alembic_config


async def test_upgrade_check_downgrade(pg_server, worker_id, testrun_uid):
    name = f"ds_migrations_{testrun_uid[:8]}_{worker_id}"
    url = await db.fresh_database(pg_server, name)
    config = alembic_config(url)
    await asyncio.to_thread(command.upgrade, config, "head")

    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            def diff(sync_conn):
                context = MigrationContext.configure(
                    sync_conn, opts={"compare_type": True, "compare_server_default": True,
                                     "include_name": lambda name, *_: not is_queue_object(name)}
                )
                return compare_metadata(context, metadata)

            assert await conn.run_sync(diff) == []
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            assert set(metadata.tables) <= tables

        await asyncio.to_thread(command.downgrade, config, "base")
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            assert tables <= {"alembic_version"}
    finally:
        await engine.dispose()
        await db.drop_database(pg_server, name)


async def test_audit_rows_cannot_be_changed_only_sealed_once(connection):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    row = (await connection.execute(text(
        "INSERT INTO audit_event (occurred_at, action, object_ids, outcome, details)"
        " VALUES (now(), 'x', '[]', 'success', '{}') RETURNING id"))).scalar()
    seal = "UPDATE audit_event SET seq = 1000000000, prev_hash = 'a', hash = 'b' WHERE id = :id"
    refused = ("UPDATE audit_event SET action = 'y' WHERE id = :id",
               "DELETE FROM audit_event WHERE id = :id",
               "UPDATE audit_event SET seq = 1000000000, hash = 'b', action = 'y' WHERE id = :id",
               "UPDATE audit_event SET seq = 1000000000, prev_hash = 'a' WHERE id = :id",
               seal, "UPDATE audit_event SET hash = 'c' WHERE id = :id")
    for i, statement in enumerate(refused):
        if statement == seal:
            await connection.execute(text(seal), {"id": row})  # the one change allowed, once
            continue
        savepoint = await connection.begin_nested()
        try:
            await connection.execute(text(statement), {"id": row})
            raise AssertionError(f"{statement} was allowed")
        except DBAPIError as exc:
            assert "append-only" in str(exc), i
            await savepoint.rollback()
