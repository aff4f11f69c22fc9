"""One transaction per write request, committed once, after the answer is ready and before it
is sent; the Idempotency-Key answer is stored in that same transaction.

Why: a write stored behind an error answer, a committed write answering 503 for work done
after its commit, and keys stuck "in progress" after an outage all came from a request's
work being spread over several transactions (the key claimed, the write committed inside the
route, the answer stored afterwards, each of which can fail alone). Here, for POST, PUT,
PATCH and DELETE:

1. This pure-ASGI layer opens the request's unit of work (`SqlUnitOfWork(deferred=True)`;
   `api.deps.get_uow` hands the route this one). Its session connects on first use, so a
   request that never touches the database costs nothing.
2. With an `Idempotency-Key` on a POST (from a caller with a valid token), the body is read
   first and hashed with the method and path; the key's record is looked up inside the
   transaction, after a transaction lock on the key (PostgreSQL): a twin request with the
   same key waits for the first one's transaction to end, then replays its answer. A stored
   answer replays (`Idempotency-Replayed: true`); another body under the key is a 422.
3. The route runs. A use case's `uow.commit()` flushes, sets a SAVEPOINT and marks the
   transaction to be kept; it goes on in the same transaction (read-your-writes). Its
   `uow.rollback()` goes back to its last commit.
4. The answer is buffered (status, headers, body). Then:
   - below 400 with a commit asked: kept as it is;
   - 400-499 with a commit asked (a use case that records something and then refuses: a
     failed sign-in is counted and audited, a reused refresh token revokes its family):
     what was written after the last `commit()` is undone, the rest is kept;
   - no commit asked, or 500 and above: everything is rolled back;
   - with a key, every answer below 500 is stored in the same transaction, so a retry
     either replays it or (nothing stored) runs again; a 5xx is never stored;
   then the one COMMIT. Only after it succeeded is the answer sent. If the COMMIT (or
   anything after the route) fails, the client gets that failure's problem (a lost database
   is a 503 with Retry-After) and nothing was stored. The one ambiguity left is the
   database's own: a connection lost while COMMIT was in flight, when the server may have
   committed; a retry with the same key then replays instead of writing twice.

Nothing else commits for the request except what must outlive its rollback and so has a
unit of work of its own (the audit of a denied request). Jobs a write enqueues ride in its
transaction (PostgreSQL) or are handed to the in-process worker after the COMMIT (SQLite).
Reads (GET) are untouched: they stream (exports) and their units of work commit their audit
events themselves. No record is ever "in progress", so `idempotency_key_in_progress` is no
longer answered (the code stays in the catalogue for clients that switch on it); a record
left in that state by an earlier version is forgotten and the request runs.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from repositories import integrity
from repositories.uow import SqlUnitOfWork

log = logging.getLogger("api.writes")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REQUEST_UOW = "digital_street.uow"  # the scope key `get_uow` finds the request's one under
_VALID = re.compile(r"^[\x21-\x7e]{1,200}$")
_SPOOL = 1_048_576
_NOT_STORED = (b"x-request-id", b"content-length")


class WriteTransaction:
    def __init__(self, app: ASGIApp, get_app_state) -> None:
        self.app = app
        self.state = get_app_state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        from api.problems import problem_response
        from domain.service_errors import IdempotencyKeyInvalid

        state = self.state()
        key = _header(scope, b"idempotency-key") if scope["method"] == "POST" else None
        if key is not None and not _VALID.match(key):
            await problem_response(scope, IdempotencyKeyInvalid())(scope, receive, send)
            return
        # A key without a verifiable caller is ignored: the route refuses the call itself.
        subject = _subject(state, scope) if key is not None else None
        keyed: tuple[str, str] | None = None
        if key is not None and subject is not None:
            spooled = await _read_body(scope, receive)
            if spooled is None:  # the client went away before sending its body
                return
            spool, request_hash = spooled
            receive = _replaying(spool, receive)
            keyed = (hashlib.sha256(f"{subject}\n{key}".encode()).hexdigest(), request_hash)
        uow = SqlUnitOfWork(state.session_factory, deferred=True)
        answer = _Buffer()
        async with uow:
            try:
                stored = await _claim(uow, keyed, scope) if keyed else None
            except Exception as exc:
                await _problem(scope, receive, send, exc)
                return
            if stored is not None:
                await stored(scope, receive, send)
                return
            scope[REQUEST_UOW] = uow
            try:
                await self.app(scope, receive, answer.send)
            except Exception as exc:
                from api.problems import is_database_outage

                if not is_database_outage(exc) or answer.started:
                    raise  # a bug: Starlette's outermost handler answers the 500
                await _problem(scope, receive, send, exc)  # the transaction rolls back
                return
            finally:
                scope.pop(REQUEST_UOW, None)
            try:
                await _finish(uow, answer, keyed)
            except Exception as exc:
                replay = await _twin_answer(uow, keyed, exc, scope)
                if replay is not None:
                    await replay(scope, receive, send)
                    return
                await _problem(scope, receive, send, exc)
                return
        await answer.flush(send)


async def _claim(uow: SqlUnitOfWork, keyed: tuple[str, str], scope: Scope) -> Response | None:
    """The answer for a key already used (a replay, or the 422 for another body)."""
    key_hash, request_hash = keyed
    record = await uow.idempotency.claim(key_hash)
    if record is None:
        return None
    if record["status_code"] is None:  # "in progress", left by an earlier version
        await uow.idempotency.forget(key_hash)
        return None
    return _stored_answer(record, request_hash, scope)


def _stored_answer(record: Any, request_hash: str, scope: Scope) -> Response:
    if record["request_hash"] != request_hash:
        from api.problems import problem_response
        from domain.service_errors import IdempotencyKeyReused

        return problem_response(scope, IdempotencyKeyReused())
    return _Replay(record)


async def _finish(uow: SqlUnitOfWork, answer: _Buffer, keyed: tuple[str, str] | None) -> None:
    """Keep or undo the route's work by its answer, store the answer under the key, COMMIT."""
    status = answer.status
    keep = uow.commit_wanted and status < 500
    if keep and status >= 400:
        await uow.undo_since_commit()
    elif not keep and uow.session is not None and uow.session.in_transaction():
        await uow.forget()
    store = keyed is not None and status < 500
    if store:
        assert keyed is not None
        await uow.idempotency.store(keyed[0], keyed[1], status, answer.stored_headers(),
                                    bytes(answer.body))
    if keep or store:
        await uow.commit_now()


async def _twin_answer(uow: SqlUnitOfWork, keyed: tuple[str, str] | None,
                       exc: Exception, scope: Scope) -> Response | None:
    """A twin request stored its answer under our key first (SQLite has no lock to wait on):
    our work is rolled back, theirs is the answer."""
    if keyed is None or not integrity.is_unique_violation(exc):
        return None
    try:
        await uow.forget()
        record = await uow.idempotency.claim(keyed[0])
    except Exception:
        return None
    if record is None:
        return None
    log.info("a twin request stored its answer first; replayed")
    return _stored_answer(record, keyed[1], scope)


async def _problem(scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
    """The failure's own problem, through the one mapping (`api.problems.unexpected`)."""
    from api.problems import unexpected

    response = await unexpected(Request(scope, receive), exc)
    await response(scope, receive, send)


class _Buffer:
    """The route's answer, held until its transaction has committed."""

    def __init__(self) -> None:
        self.status = 500
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = bytearray()
        self.started = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")

    def stored_headers(self) -> list[list[str]]:
        return [[k.decode("latin-1"), v.decode("latin-1")] for k, v in self.headers
                if k.lower() not in _NOT_STORED]

    async def flush(self, send: Send) -> None:
        headers = [(k, v) for k, v in self.headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(self.body)).encode()))
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": bytes(self.body)})


class _Replay(Response):
    """A stored answer, sent again with `Idempotency-Replayed: true`."""

    def __init__(self, record: Any) -> None:
        super().__init__(record["body"] or b"", status_code=record["status_code"])
        self.raw_headers = [(k.encode("latin-1"), v.encode("latin-1"))
                            for k, v in record["headers"]
                            if k.lower().encode("latin-1") not in _NOT_STORED]
        self.raw_headers += [(b"idempotency-replayed", b"true"),
                             (b"content-length", str(len(self.body)).encode())]


async def _read_body(scope: Scope, receive: Receive
                     ) -> tuple[tempfile.SpooledTemporaryFile, str] | None:
    """The whole body, spooled (memory, then disk), and the hash of method, path and body."""
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL)
    digest = hashlib.sha256(f"{scope['method']} {scope['path']}?".encode()
                            + scope.get("query_string", b"") + b"\n")
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            spool.close()
            return None
        chunk = message.get("body", b"")
        digest.update(chunk)
        spool.write(chunk)
        more = message.get("more_body", False)
    spool.seek(0)
    return spool, digest.hexdigest()


def _replaying(spool: tempfile.SpooledTemporaryFile, receive: Receive) -> Receive:
    sent = False

    async def replay_receive() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        try:
            body = spool.read()
        finally:
            spool.close()
        return {"type": "http.request", "body": body, "more_body": False}

    return replay_receive


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _subject(state, scope: Scope) -> str | None:
    """The verified token subject: keys are per caller and survive token refreshes."""
    auth = _header(scope, b"authorization") or ""
    if not auth.lower().startswith("bearer "):
        return None
    try:
        return state.tokens.decode(auth[7:].strip())["sub"]
    except Exception:  # an invalid token: the route answers 401 itself
        return None
