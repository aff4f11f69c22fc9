"""Every way a database fails reaches the client as the one 503 problem with Retry-After
(`api.problems.unexpected`), as the driver raises it and as SQLAlchemy wraps it; a bug and a
full disk do not."""

from __future__ import annotations

import errno
import logging

import asyncpg
import orjson
import pytest
from sqlalchemy.exc import DBAPIError, PendingRollbackError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.requests import Request

from api.problems import is_database_outage, unexpected


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    """The handler logs each outage; no request ran, so keep those lines to ourselves."""
    monkeypatch.setattr(logging.getLogger("api"), "propagate", False)


def _wrapped(driver: BaseException) -> DBAPIError:
    """As SQLAlchemy's asyncpg adapter raises it: its own error, caused by the driver's."""
    try:
        try:
            raise driver
        except BaseException as inner:
            raise DBAPIError("SELECT 1", None, inner) from inner
    except DBAPIError as outer:
        return outer


def _pg(cls, message: str) -> BaseException:
    return cls(message)


OUTAGES = {
    "shutting down": _pg(asyncpg.exceptions.CannotConnectNowError,
                         "the database system is shutting down"),
    "starting up": _pg(asyncpg.exceptions.CannotConnectNowError,
                       "the database system is starting up"),
    "admin shutdown": _pg(asyncpg.exceptions.AdminShutdownError,
                          "terminating connection due to administrator command"),
    "crash shutdown": _pg(asyncpg.exceptions.CrashShutdownError,
                          "terminating connection because of crash of another server process"),
    "no slot left": _pg(asyncpg.exceptions.TooManyConnectionsError,
                        "sorry, too many clients already"),
    "lost mid-statement": asyncpg.exceptions.ConnectionDoesNotExistError(
        "connection was closed in the middle of operation"),
    "broken pooled connection": asyncpg.exceptions.InterfaceError(
        "cannot perform operation: another operation is in progress"),
    "rollback on a dead connection": asyncpg.exceptions.InterfaceError(
        "cannot call Transaction.rollback(): the underlying connection is closed"),
    "refused": ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
    "reset": ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"),
    "statement timeout": _pg(asyncpg.exceptions.QueryCanceledError,
                             "canceling statement due to statement timeout"),
}


def _request() -> Request:
    return Request({"type": "http", "method": "POST", "path": "/api/v1/units",
                    "headers": [(b"accept-language", b"en")], "query_string": b""})


@pytest.mark.parametrize("case", sorted(OUTAGES))
@pytest.mark.parametrize("wrap", [False, True], ids=["driver", "sqlalchemy"])
async def test_every_database_failure_is_the_503_with_retry_after(case, wrap):
    exc = OUTAGES[case]
    if wrap:
        exc = _wrapped(exc)
    assert is_database_outage(exc)
    response = await unexpected(_request(), exc)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert orjson.loads(bytes(response.body))["code"] == "database_unavailable"


async def test_a_session_used_again_after_its_connection_was_invalidated_is_the_503():
    exc = PendingRollbackError("Can't reconnect until invalid transaction is rolled back."
                               "  Please rollback() fully before proceeding")
    response = await unexpected(_request(), exc)
    assert response.status_code == 503 and response.headers["retry-after"] == "5"


async def test_an_exhausted_pool_is_busy_with_retry_after():
    response = await unexpected(_request(), PoolTimeout("QueuePool limit reached"))
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert orjson.loads(bytes(response.body))["code"] == "service_busy"


@pytest.mark.parametrize("exc", [
    RuntimeError("a bug"),
    _wrapped(_pg(asyncpg.exceptions.UndefinedColumnError, 'column "x" does not exist')),
    OSError(errno.ENOSPC, "No space left on device"),
    PendingRollbackError("This Session's transaction has been rolled back due to a previous"
                         " exception during flush."),
], ids=["bug", "bad sql", "disk full", "flush failed"])
def test_a_bug_or_a_full_disk_is_not_an_outage(exc):
    assert not is_database_outage(exc)
