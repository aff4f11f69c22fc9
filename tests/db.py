"""Finding a PostgreSQL for the tests: TEST_DATABASE_URL, the local server, or a throwaway one."""

from __future__ import annotations

import glob
import os
import shutil
import tempfile

import asyncpg

LOCAL = "postgresql://postgres@127.0.0.1:5432/postgres"


async def _reachable(url: str) -> bool:
    try:
        conn = await asyncpg.connect(url, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


def _throwaway_cluster() -> str | None:
    """Start a private cluster from the installed PostgreSQL binaries (pytest-postgresql)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    pg_ctl = shutil.which("pg_ctl") or (candidates[-1] if candidates else None)
    if pg_ctl is None:
        return None
    from pytest_postgresql.executor import PostgreSQLExecutor

    datadir = tempfile.mkdtemp(prefix="ds-pg-")
    port = 55432 + (os.getpid() % 1000)
    executor = PostgreSQLExecutor(
        executable=pg_ctl, host="127.0.0.1", port=port, datadir=datadir,
        unixsocketdir=datadir, logfile=os.path.join(datadir, "log"), startparams="-w",
        dbname="postgres", user="postgres", password="", options="",
    )
    executor.start()
    import atexit

    atexit.register(executor.stop)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


async def server_url() -> str | None:
    """A URL of a PostgreSQL server we may create databases on, or None."""
    explicit = os.environ.get("TEST_DATABASE_URL")
    if explicit:
        plain = explicit.replace("postgresql+asyncpg://", "postgresql://")
        if not await _reachable(plain):
            raise RuntimeError("TEST_DATABASE_URL is set but the server does not answer")
        return plain
    if await _reachable(LOCAL):
        return LOCAL
    try:
        return _throwaway_cluster()
    except Exception:  # no usable binaries or not allowed to run them: report, don't crash
        return None


async def fresh_database(server: str, name: str) -> str:
    """Drop and create database `name`; returns its asyncpg SQLAlchemy URL."""
    conn = await asyncpg.connect(server)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = server.rsplit("/", 1)[0]
    db_conn = await asyncpg.connect(f"{base}/{name}")
    try:
        for ext in ("pg_trgm", "unaccent"):
            await db_conn.execute(f"CREATE EXTENSION IF NOT EXISTS {ext}")
    finally:
        await db_conn.close()
    return f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://")


async def drop_database(server: str, name: str) -> None:
    conn = await asyncpg.connect(server)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
