"""The database's refusals, turned into domain errors in one place.

Only a unique violation is a conflict, and which one depends on the constraint: each area
lists its constraints in `domain/<area>/errors.py`. A foreign key naming a record that does
not exist is the client's mistake (422) when the area says which field of the request it
came from; a delete refused because rows still point at the record is the conflict the
caller names (`in_use`); everything else (not-null, check, an unlisted key) is a bug and
stays an exception, answered as a 500.
"""

from __future__ import annotations

import errno
import re
import socket
from typing import Any

import asyncpg
from sqlalchemy.exc import DBAPIError, IntegrityError, PendingRollbackError

from domain.areas import area_modules
from domain.errors import Conflict, DomainError, ReferenceNotFound
from domain.models import metadata

_AREAS = area_modules("domain", "errors")
UNIQUE: dict[str, type[DomainError]] = {k: v for a in _AREAS
                                     for k, v in getattr(a, "UNIQUE_CONSTRAINTS", {}).items()}
REFERENCES: dict[str, tuple[str, ...]] = {k: v for a in _AREAS
                                          for k, v in getattr(a, "REFERENCES", {}).items()}

UNIQUE_VIOLATION, FOREIGN_KEY_VIOLATION, DISK_FULL = "23505", "23503", "53100"
QUERY_CANCELED = "57014"  # statement_timeout (or an administrator's pg_cancel_backend)
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)")


def _driver_error(exc: BaseException) -> BaseException:
    """asyncpg's own exception behind SQLAlchemy's wrappers (or the error itself)."""
    orig = getattr(exc, "orig", None) or exc
    cause = getattr(orig, "__cause__", None)
    return cause if isinstance(cause, asyncpg.PostgresError) else orig


def sqlstate(exc: BaseException) -> str | None:
    driver = _driver_error(exc)
    return getattr(driver, "sqlstate", None) or getattr(driver, "pgcode", None)


def constraint_name(exc: BaseException) -> str | None:
    """The violated constraint: asyncpg names it; SQLite's message names its columns."""
    driver = _driver_error(exc)
    name = getattr(driver, "constraint_name", None)
    if name:
        return name
    found = _SQLITE_UNIQUE.search(str(driver))
    if found is None:
        return None
    columns = [c.split(".", 1) for c in found.group(1).split(", ")]
    table = metadata.tables.get(columns[0][0])
    wanted = [c[-1] for c in columns]
    if table is None:
        return None
    for item in (*table.constraints, *table.indexes):
        if getattr(item, "unique", True) and [c.name for c in item.columns] == wanted:
            return item.name
    return None


def is_unique_violation(exc: BaseException, constraint: str | None = None) -> bool:
    driver = _driver_error(exc)
    unique = sqlstate(exc) == UNIQUE_VIOLATION or isinstance(
        driver, asyncpg.UniqueViolationError) or "UNIQUE constraint failed" in str(driver)
    return unique and (constraint is None or constraint_name(exc) == constraint)


def domain_error(exc: BaseException, *, in_use: type[Conflict] | None = None,
                 **params: Any) -> DomainError | None:
    """The domain error a refused write means, or None when it means a bug."""
    if is_unique_violation(exc):
        case = UNIQUE.get(constraint_name(exc) or "", Conflict)
        return case(**params)
    if sqlstate(exc) == FOREIGN_KEY_VIOLATION:
        driver = _driver_error(exc)
        if str(driver).startswith("update or delete on table"):  # still referenced
            return in_use(**params) if in_use is not None else None
        loc = REFERENCES.get(getattr(driver, "constraint_name", None) or "")
        return ReferenceNotFound(loc=loc) if loc is not None else None
    return None


def raise_for(exc: IntegrityError | asyncpg.IntegrityConstraintViolationError, *,
              in_use: type[Conflict] | None = None, **params: Any) -> None:
    """Raise the domain error `exc` means; a bug re-raises `exc` itself."""
    error = domain_error(exc, in_use=in_use, **params)
    if error is None:
        raise exc
    raise error from exc


# -- storage and connections --------------------------------------------------------------
_CONNECTION_ERRNOS = frozenset({
    errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE, errno.ETIMEDOUT,
    errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ENETDOWN, errno.EHOSTDOWN, errno.ENOTCONN,
})
# Connection lost or never made (08xxx), the server shutting down or restarting (57P01-3:
# "terminating connection due to administrator command", "the database system is shutting
# down"), no connection slot left (53300), and the driver's own state errors: a connection
# closed under it, or left in the middle of an operation by a statement that was
# interrupted ("another operation is in progress", an InterfaceError; "cannot switch to
# state 12; another operation (2) is in progress", an InternalClientError, seen on a pooled
# connection after a PostgreSQL restart).
LOST_DRIVER = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
               asyncpg.exceptions.InternalClientError,
               asyncpg.exceptions.AdminShutdownError, asyncpg.exceptions.CannotConnectNowError,
               asyncpg.exceptions.CrashShutdownError,
               asyncpg.exceptions.TooManyConnectionsError)


def is_left_broken(conn: asyncpg.Connection) -> bool:
    """A pooled asyncpg connection that must not be used again: closed, or given back
    mid-transaction, mid-statement or mid-cancel (the state asyncpg's own pool looks at on
    release; it has no public test for it). Reads the driver's state: no round trip."""
    if conn.is_closed() or conn.is_in_transaction():
        return True
    cancelling = getattr(getattr(conn, "_protocol", None), "_is_cancelling", None)
    if cancelling is not None and cancelling():
        return True
    return bool(getattr(getattr(conn, "_stmt_exclusive_section", None), "_acquired", 0))


def _chain(exc: BaseException | None):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or getattr(exc, "orig", None) or exc.__context__


def is_storage_full(exc: BaseException) -> bool:
    """A full disk: ours (ENOSPC, a quota) or the database server's (SQLSTATE 53100)."""
    for link in _chain(exc):
        if isinstance(link, OSError) and link.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(link, asyncpg.exceptions.DiskFullError) or getattr(
                link, "sqlstate", None) == DISK_FULL:
            return True
    return False


def is_statement_timeout(exc: BaseException) -> bool:
    """The database did not answer in time: the statement was cancelled (the connection is
    still good)."""
    return any(isinstance(link, asyncpg.QueryCanceledError)
               or getattr(link, "sqlstate", None) == QUERY_CANCELED for link in _chain(exc))


def is_connection_failure(exc: BaseException) -> bool:
    """The database cannot be reached or the connection broke: a socket error, a refused or
    reset connection, a timeout, or asyncpg's connection-level errors. Not any OSError."""
    for link in _chain(exc):
        if isinstance(link, (ConnectionError, TimeoutError, socket.gaierror, *LOST_DRIVER)):
            return True
        if isinstance(link, OSError) and (
                link.errno in _CONNECTION_ERRNOS
                # asyncio's connect to several addresses: errno None, each one refused
                or str(link).startswith("Multiple exceptions: [Errno")):
            return True
        if isinstance(link, DBAPIError) and link.connection_invalidated:
            return True
        # The session's connection was invalidated by one of the above and the session was
        # used again before its rollback: the same outage, seen one step later.
        if isinstance(link, PendingRollbackError) and "reconnect until invalid" in str(link):
            return True
    return False
