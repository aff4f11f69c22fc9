"""Engine and session factory: the only place that knows how to reach the database."""

from __future__ import annotations

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession


def make_engine(
    url: str,
    *,
    pool_size: int = 5,
    max_overflow: int = 5,
    pool_timeout: float = 5.0,
    connect_timeout: float = 5.0,
    statement_timeout_ms: int = 30_000,
) -> AsyncEngine:
    """An async engine sized for a small box that survives a restarted PostgreSQL."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_recycle=1800,
        connect_args={
            "timeout": connect_timeout,
            "server_settings": {
                "application_name": "digital-street",
                "statement_timeout": str(statement_timeout_ms),
            },
        },
    )

    @event.listens_for(engine.sync_engine, "checkout")
    def _closed_by_server(dbapi_conn, _record, _proxy) -> None:
        """Replaces pool_pre_ping, which costs three round trips per checkout on asyncpg.

        A restarted or terminating server closes its sockets; asyncpg notices the end of the
        stream as soon as the loop polls, so `is_closed()` answers without a round trip and
        the pool quietly opens a fresh connection instead. A connection that dies mid-request
        still invalidates the whole pool (SQLAlchemy's disconnect handling)."""
        if dbapi_conn.driver_connection.is_closed():
            raise exc.DisconnectionError("connection closed by the server")

    return engine


def make_session_factory(bind, info: dict | None = None) -> async_sessionmaker[AsyncSession]:
    """Sessions on `bind`; `info` is given to each (the in-process job queue on SQLite)."""
    return async_sessionmaker(bind=bind, class_=AsyncSession, expire_on_commit=False,
                              info=info or {})
