"""Statements run outside the ORM session: the data layer of the hot read paths.

A request that only reads (and appends its audit event) needs no identity map, unit of work
or explicit transaction, yet SQLAlchemy's AsyncSession costs about 1.2 ms of CPU per request
on a small box before the first statement, several times what the statements cost. The
hot paths (the bearer check behind every authenticated request, reading a resident, a page
of residents) build their statements with SQLAlchemy Core as every repository does, and run
them through a `Run`:

- `AsyncpgRun` on PostgreSQL: the statement is compiled once for asyncpg (`$n` parameters,
  SQLAlchemy's own bind processors applied) and run on an asyncpg connection, each
  statement in its own implicit transaction. The served app takes these connections from
  an asyncpg pool of its own (`Direct.open_pool`); an app handed an engine or a connection
  (tests) uses the raw connection beneath SQLAlchemy's. Lost connections and refused
  connects surface as `ConnectionError` (503 `database_unavailable`), a full pool as
  SQLAlchemy's pool timeout (503 `service_busy`);
- `ConnectionRun` elsewhere (SQLite): the same statements on a SQLAlchemy connection;
- `SessionRun` inside a use case's transaction: the same statements on the session's
  connection. Every Core statement a repository runs goes through one (`Repository.run`);
  the session's own `exec`/`execute` is kept for the ORM: loading entities, and UPDATE or
  DELETE of a mapped class, which keep the session's loaded objects in step.

Rows are indexed by column name either way (`row["id"]`).

`Run` lives here, not in `domain/ports.py`: the domain never runs a statement (its ports
are repositories and the unit of work), so this is the adapter's own seam, beside the three
ways of running one.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, MutableMapping, Sequence
from contextlib import asynccontextmanager, nullcontext
from typing import Any, Protocol

import asyncpg
import orjson
from sqlalchemy import ARRAY, JSON, Table, any_, bindparam, insert
from sqlalchemy.dialects.postgresql.asyncpg import dialect as _asyncpg_dialect
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.util import LRUCache

from repositories.integrity import LOST_DRIVER, is_connection_failure, is_left_broken

log = logging.getLogger("repositories.direct")


class Record(tuple):
    """A row by position and by column name (`r[0]`, `r["id"]`, `Entry(*r)`), as asyncpg's
    Record answers: what `records` gives on the other databases, so one reader serves
    both. SQLAlchemy's Row answers positions and attributes and its RowMapping names, but
    neither both ways."""

    __slots__ = ()
    names: dict[str, int] = {}  # noqa: RUF012  set per result by `records_of`

    def __getitem__(self, key):
        return tuple.__getitem__(self, self.names[key] if isinstance(key, str) else key)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self.names else default

    def keys(self):
        return iter(self.names)

    def values(self):
        return iter(self)

    def items(self):
        return zip(self.names, self, strict=True)


def records_of(keys: list[str], rows: Sequence[Sequence[Any]]) -> list[Record]:
    """`rows` as `Record`s with `keys` for names."""
    kind = type("Record", (Record,), {"__slots__": (), "names": {k: i for i, k in
                                                                  enumerate(keys)}})
    return [kind(row) for row in rows]


class Run(Protocol):
    """Runs Core statements; rows are indexed by column name."""

    dialect: str

    async def fetch(self, stmt, params: dict[str, Any] | None = None) -> Sequence[Any]: ...

    async def fetchrow(self, stmt, params: dict[str, Any] | None = None) -> Any | None: ...

    async def fetchval(self, stmt, params: dict[str, Any] | None = None) -> Any: ...

    async def execute(self, stmt, params: dict[str, Any] | None = None) -> None: ...

    async def executemany(self, stmt, rows: Sequence[dict[str, Any]]) -> None:
        """The statement once per row of parameters, in one round trip where the driver can."""


def any_of(column, name: str, dialect: str | None, *values: list):
    """`column` equals one of the list bound as `name`, given now (`values`: one list) or at
    execution. On PostgreSQL the list travels as one array (`= ANY($1)`): one statement text
    for any length, and expanding 50 ids into an IN list costs more CPU than the query."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, *values, type_=ARRAY(column.type)))  # type: ignore[misc]  # at most one value
    return column.in_(bindparam(name, *values, expanding=True))  # type: ignore[misc]


class ConnectionRun:
    """A SQLAlchemy connection (or a session's): its transaction, its dialect."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.dialect = conn.dialect.name

    async def fetch(self, stmt, params=None):
        return (await self.conn.execute(stmt, params)).mappings().all()

    async def fetchrow(self, stmt, params=None):
        return (await self.conn.execute(stmt, params)).mappings().first()

    async def fetchval(self, stmt, params=None):
        return (await self.conn.execute(stmt, params)).scalar()

    async def execute(self, stmt, params=None) -> None:
        await self.conn.execute(stmt, params)

    async def executemany(self, stmt, rows) -> None:
        await self.conn.execute(stmt, list(rows))


class SessionRun:
    """The session's connection, taken per statement as the session hands it out (it opens
    the transaction on first use and may change after a commit). No autoflush: a statement
    that must see the unit of work's pending objects belongs to the ORM side."""

    __slots__ = ("dialect", "session")

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.dialect = session.bind.dialect.name

    async def fetch(self, stmt, params=None):
        conn = await self.session.connection()
        return (await conn.execute(stmt, params)).mappings().all()

    async def fetchrow(self, stmt, params=None):
        conn = await self.session.connection()
        return (await conn.execute(stmt, params)).mappings().first()

    async def fetchval(self, stmt, params=None):
        conn = await self.session.connection()
        return (await conn.execute(stmt, params)).scalar()

    async def execute(self, stmt, params=None) -> None:
        await (await self.session.connection()).execute(stmt, params)

    async def executemany(self, stmt, rows) -> None:
        await (await self.session.connection()).execute(stmt, list(rows))

    async def records(self, stmt, params=None) -> Sequence[Any]:
        """Bulk reads of plain columns (ids, text, numbers, dates): on PostgreSQL the
        driver's own records, with no SQLAlchemy result processing (building Row objects
        costs several times what a 100,000-row read does); `Record`s elsewhere. Either way
        by position and by name. Enum and JSON columns come back as the database holds
        them."""
        if self.dialect != "postgresql":
            result = await (await self.session.connection()).execute(stmt, params)
            return records_of(list(result.keys()), result.all())
        try:
            sql, args = prepared(stmt, params)
        except ValueError:  # a scope's IN list: rendered for this one statement
            sql, args = _postcompiled(stmt, params)
        raw = await (await self.session.connection()).get_raw_connection()
        return await raw.driver_connection.fetch(sql, *args)

    async def insert_many(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        """Many rows into `table`, each a dict of the same columns with Python values (JSON
        columns as objects, enums as their text): the driver's binary COPY on PostgreSQL,
        one executemany elsewhere. COPY runs no statement per row and no bind processing:
        JSON values are serialised here (orjson), the rest go as they are."""
        if not rows:
            return
        if self.dialect != "postgresql":
            await self.executemany(insert(table), rows)
            return
        columns = list(rows[0])
        as_json = {c.name for c in table.columns if isinstance(c.type, JSON)}
        dumps = orjson.dumps
        plan = [(name, name in as_json) for name in columns]
        records = [tuple(dumps(row[name]).decode() if json else row[name]
                         for name, json in plan) for row in rows]
        raw = await (await self.session.connection()).get_raw_connection()
        await raw.driver_connection.copy_records_to_table(
            table.name, records=records, columns=columns)


_DIALECT = _asyncpg_dialect()  # renders $1, $2, ... as the asyncpg adapter does


# Compiled statements by SQLAlchemy cache key, as the engine keeps them: a statement built
# per request (a filtered list) compiles once per shape, its values taken from the key.
_COMPILED: LRUCache = LRUCache(500)


class _Compiled:
    """A statement compiled for asyncpg, and how to lay out its arguments."""

    __slots__ = ("all_given", "compiled", "names", "processors", "sql")

    def __init__(self, stmt, key) -> None:
        self.compiled = compiled = stmt.compile(dialect=_DIALECT, cache_key=key)
        if any(b.expanding for b in compiled.binds.values()):
            raise ValueError("expanding IN parameters: bind an array with = ANY() instead")
        self.sql, self.names = compiled.string, tuple(compiled.positiontup)
        self.processors = [compiled._bind_processors.get(n) for n in self.names]
        # Every parameter is bound at execution (the hot statements built once): the
        # arguments come straight from `params`, without SQLAlchemy's construct_params.
        self.all_given = all(b.required for b in compiled.binds.values())

    def arguments(self, key, params: dict[str, Any] | None) -> list[Any]:
        if self.all_given and params is not None:
            values = params
        else:
            values = self.compiled.construct_params(
                params, extracted_parameters=key.bindparams, escape_names=False)
        out = []
        for name, processor in zip(self.names, self.processors, strict=True):
            value = values[name]
            out.append(value if processor is None or value is None else processor(value))
        return out


def prepared(stmt, params: dict[str, Any] | None) -> tuple[str, list[Any]]:
    """The statement's SQL for asyncpg and its arguments in `$n` order, with SQLAlchemy's
    own bind processors applied (JSON to text, type decorators)."""
    key = stmt._generate_cache_key()  # memoised on statements built once
    entry = _COMPILED.get(key.key)
    if entry is None:
        entry = _COMPILED[key.key] = _Compiled(stmt, key)
    return entry.sql, entry.arguments(key, params)


def _postcompiled(stmt, params: dict[str, Any] | None) -> tuple[str, list[Any]]:
    """`prepared` for a statement with expanding IN lists (`column.in_([...])`), each
    value its own `$n`: compiled per call, not cached (bulk reads, not hot paths)."""
    compiled = stmt.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
    values = compiled.construct_params(params, escape_names=False)
    processors = compiled._bind_processors
    out = []
    for name in compiled.positiontup:
        value, processor = values[name], processors.get(name)
        out.append(value if processor is None or value is None else processor(value))
    return compiled.string, out


# asyncpg's errors that mean the connection or the server is gone: they answer like
# SQLAlchemy's disconnects (503 database_unavailable) and the connection is discarded.
# An OSError counts only when it is the socket's (refused, reset, unreachable): a full disk
# on our side is not an outage.
_LOST = (*LOST_DRIVER, ConnectionError, socket.gaierror)


class AsyncpgRun:
    """One asyncpg connection; `lock` serialises it when it is shared (a test's transaction)."""

    dialect = "postgresql"

    def __init__(self, conn: asyncpg.Connection, lock: asyncio.Lock | None = None) -> None:
        self.conn = conn
        self.lock = lock

    async def _call(self, method, stmt, params):
        sql, args = prepared(stmt, params)
        try:
            async with self.lock or nullcontext():
                return await method(sql, *args)
        except (*_LOST, OSError, asyncpg.QueryCanceledError) as exc:
            _translate(exc)
            raise

    async def fetch(self, stmt, params=None):
        return await self._call(self.conn.fetch, stmt, params)

    async def fetchrow(self, stmt, params=None):
        return await self._call(self.conn.fetchrow, stmt, params)

    async def fetchval(self, stmt, params=None):
        return await self._call(self.conn.fetchval, stmt, params)

    async def execute(self, stmt, params=None) -> None:
        await self._call(self.conn.execute, stmt, params)

    async def executemany(self, stmt, rows) -> None:
        if not rows:
            return
        sql = prepared(stmt, rows[0])[0]
        args = [prepared(stmt, row)[1] for row in rows]
        try:
            async with self.lock or nullcontext():
                await self.conn.executemany(sql, args)
        except (*_LOST, OSError, asyncpg.QueryCanceledError) as exc:
            _translate(exc)
            raise


def _translate(exc: BaseException) -> None:
    """Raise what a failed direct statement means to the app, or return to re-raise it."""
    if isinstance(exc, asyncpg.QueryCanceledError):  # statement_timeout
        raise TimeoutError("statement timeout") from exc
    if is_connection_failure(exc):
        raise ConnectionError(f"database connection lost: {type(exc).__name__}") from exc


def asyncpg_connect_args(engine: AsyncEngine) -> MutableMapping[str, Any]:
    """asyncpg.connect's arguments for the engine's URL. SQLAlchemy's adapter takes a few
    options of its own from the URL's query; they are translated or left out here."""
    _, kwargs = engine.dialect.create_connect_args(engine.url)
    kwargs.pop("async_creator_fn", None)
    kwargs.pop("prepared_statement_name_func", None)
    if "prepared_statement_cache_size" in kwargs:  # e.g. 0 behind PgBouncer
        kwargs["statement_cache_size"] = int(kwargs.pop("prepared_statement_cache_size"))
    if "command_timeout" in kwargs:
        kwargs["command_timeout"] = float(kwargs["command_timeout"])
    return kwargs


async def _nothing_to_reset(conn: asyncpg.Connection) -> None:
    """Direct statements leave no session state (no SET, LISTEN, cursors or advisory locks),
    and asyncpg still rolls back an open transaction on release; its default reset would
    add a round trip to every checkout."""


class Direct:
    """Hands out a `Run` for one step of a request, outside any session.

    `bind` is the app's engine, or (tests) one connection inside a rolled-back transaction,
    whose statements then join that transaction. With `open_pool`, the app's PostgreSQL
    connections for these steps come from an asyncpg pool of their own: a checkout through
    SQLAlchemy's pool costs more than the statement it is for."""

    def __init__(self, bind: AsyncEngine | AsyncConnection) -> None:
        self.bind = bind
        self.dialect = bind.dialect.name
        self.pool: asyncpg.Pool | None = None
        self.acquire_timeout = 5.0

    async def open_pool(self, *, size: int, acquire_timeout: float, connect_timeout: float,
                        statement_timeout_ms: int) -> None:
        """Connections are opened on demand (none now: the app starts without a database)."""
        assert isinstance(self.bind, AsyncEngine) and self.dialect == "postgresql"
        kwargs = asyncpg_connect_args(self.bind)
        self.acquire_timeout = acquire_timeout
        self.pool = await asyncpg.create_pool(
            min_size=0, max_size=size, reset=_nothing_to_reset, timeout=connect_timeout,
            server_settings={"application_name": "digital-street",
                             "statement_timeout": str(statement_timeout_ms)}, **kwargs)

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    async def _acquire(self, pool: asyncpg.Pool) -> asyncpg.Connection:
        """A usable pooled connection; one the server closed or a statement left broken is
        discarded here (as the engine's checkout does) and another one taken."""
        for _ in range(pool.get_max_size() + 1):
            try:
                # An idle connection is handed over at once: no timeout to arm and cancel.
                conn = await (pool.acquire() if pool.get_idle_size() else
                              pool.acquire(timeout=self.acquire_timeout))
            except TimeoutError as exc:  # every connection busy: 503 service_busy
                raise PoolTimeoutError("direct pool exhausted") from exc
            # Refused, bad password, no such database: while connecting, any OSError is one.
            except (*_LOST, OSError, asyncpg.PostgresError) as exc:
                raise ConnectionError(f"database unreachable: {type(exc).__name__}") from exc
            if not is_left_broken(conn):
                return conn
            conn.terminate()
            await pool.release(conn)
        raise ConnectionError("database connections broken")

    @asynccontextmanager
    async def run(self) -> AsyncIterator[Run]:
        if self.pool is not None:
            conn = await self._acquire(self.pool)
            try:
                yield AsyncpgRun(conn)
            except ConnectionError:
                conn.terminate()  # broken under the statement: never handed out again
                raise
            finally:
                try:
                    await self.pool.release(conn)
                except Exception as exc:  # asyncpg has terminated it: the pool opens anew
                    # A reset that fails on a dead connection must not replace the answer
                    # (the read succeeded, or its own failure is already on its way).
                    log.warning("connection not reusable; discarded",
                                extra={"error": type(exc).__name__})
            return
        if isinstance(self.bind, AsyncConnection):
            if self.dialect != "postgresql":
                yield ConnectionRun(self.bind)
                return
            fairy = await self.bind.get_raw_connection()
            # The same lock SQLAlchemy's adapter holds around each statement on this
            # connection: concurrent requests of a test share it.
            yield AsyncpgRun(fairy.driver_connection,
                             getattr(fairy.dbapi_connection, "_execute_mutex", None))
            return
        async with self.bind.connect() as conn:
            if self.dialect != "postgresql":
                yield ConnectionRun(conn)
                await conn.commit()
                return
            fairy = await conn.get_raw_connection()
            try:
                yield AsyncpgRun(fairy.driver_connection)
            except ConnectionError:
                await conn.invalidate()
                raise
