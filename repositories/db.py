"""Engine and session factory: the only place that knows how to reach the database."""

from __future__ import annotations

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from repositories.integrity import is_connection_failure, is_left_broken


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
        still invalidates the whole pool (SQLAlchemy's disconnect handling).

        A connection given back in a broken state (a statement interrupted half-way, still
        "in progress", or a transaction left open because its rollback failed) is replaced
        the same way: the next request would only meet "another operation is in
        progress". Both checks read the driver's state; neither is a round trip."""
        if is_left_broken(dbapi_conn.driver_connection):
            raise exc.DisconnectionError("connection closed by the server or left broken")

    @event.listens_for(engine.sync_engine, "handle_error")
    def _broken_is_a_disconnect(context) -> None:
        """Every connection failure the app answers 503 for (`is_connection_failure`: lost,
        refused, the server shutting down, terminated by an administrator, a driver left
        mid-operation) invalidates its connection, so the pool never hands it out again.
        asyncpg's dialect counts as a disconnect only a socket it has already seen closed."""
        if not context.is_disconnect and is_connection_failure(context.original_exception):
            context.is_disconnect = True

    return engine


def make_session_factory(bind, info: dict | None = None) -> async_sessionmaker[AsyncSession]:
    """Sessions on `bind`; `info` is given to each (the in-process job queue on SQLite)."""
    return async_sessionmaker(bind=bind, class_=AsyncSession, expire_on_commit=False,
                              info=info or {})
