"""Pure-ASGI Idempotency-Key support for every POST (see CONTRACT: same key and body replay
the first answer; same key, other body is a 422; keys live at least 24 hours)."""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.idempotency import IdempotencyRecord
from domain.types import utcnow
from repositories import integrity

log = logging.getLogger("api.idempotency")
_VALID = re.compile(r"^[\x21-\x7e]{1,200}$")
_STALE = timedelta(minutes=5)  # a first attempt that never finished (crash) may be retried
_SPOOL = 1_048_576


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, get_app_state) -> None:
        self.app = app
        self.state = get_app_state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or (
                key := _header(scope, b"idempotency-key")) is None:
            await self.app(scope, receive, send)
            return
        from api.problems import problem_response
        from domain.service_errors import (
            IdempotencyKeyInProgress,
            IdempotencyKeyInvalid,
            IdempotencyKeyReused,
        )

        state = self.state()
        subject = _subject(state, scope)
        if not _VALID.match(key) or subject is None:
            # A bad key or no verifiable caller: answer as if no key had been sent; the route
            # itself refuses an unauthenticated call.
            if not _VALID.match(key):
                await problem_response(scope, IdempotencyKeyInvalid())(
                    scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL)
        digest = hashlib.sha256(f"{scope['method']} {scope['path']}?".encode()
                                + scope.get("query_string", b"") + b"\n")
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                spool.close()
                return
            chunk = message.get("body", b"")
            digest.update(chunk)
            spool.write(chunk)
            more = message.get("more_body", False)
        request_hash = digest.hexdigest()
        key_hash = hashlib.sha256(f"{subject}\n{key}".encode()).hexdigest()
        factory = state.session_factory

        existing = await _claim(factory, key_hash, request_hash)
        if existing is not None:
            spool.close()
            if existing.request_hash != request_hash:
                response = problem_response(scope, IdempotencyKeyReused())
            elif existing.status_code is None:
                response = problem_response(scope, IdempotencyKeyInProgress(),
                                            headers={"Retry-After": "1"})
            else:
                await _replay(existing, send)
                return
            await response(scope, receive, send)
            return

        spool.seek(0)
        sent_body = False

        async def replay_receive() -> Message:
            nonlocal sent_body
            if sent_body:
                return await receive()
            sent_body = True
            return {"type": "http.request", "body": spool.read(), "more_body": False}

        captured: dict = {"status": 500, "headers": [], "body": bytearray()}

        async def capture_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = [
                    [k.decode("latin-1"), v.decode("latin-1")]
                    for k, v in message.get("headers", [])
                    if k.lower() not in (b"x-request-id", b"content-length")
                ]
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, replay_receive, capture_send)
        finally:
            spool.close()
            await _finish(factory, key_hash, captured)


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


async def _claim(factory, key_hash: str, request_hash: str) -> IdempotencyRecord | None:
    """Insert our placeholder, or answer the record already there."""
    async with factory() as session:
        record = await session.get(IdempotencyRecord, key_hash)
        if record is not None and record.status_code is None and (
            utcnow() - record.created_at > _STALE
        ):
            await session.delete(record)
            await session.flush()
            record = None
        if record is not None:
            return record
        session.add(IdempotencyRecord(key_hash=key_hash, request_hash=request_hash))
        try:
            await session.commit()
        except IntegrityError as exc:
            if not integrity.is_unique_violation(exc):
                integrity.raise_for(exc)
            await session.rollback()  # a twin request claimed it a moment ago
            return await session.get(IdempotencyRecord, key_hash)
        return None


async def _finish(factory, key_hash: str, captured: dict) -> None:
    async with factory() as session:
        record = await session.get(IdempotencyRecord, key_hash)
        if record is None:
            return
        if captured["status"] >= 500:
            await session.delete(record)  # let the client retry a failure
        else:
            record.status_code = captured["status"]
            record.headers = captured["headers"]
            record.body = bytes(captured["body"])
        await session.commit()


async def _replay(record: IdempotencyRecord, send: Send) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in record.headers]
    headers.append((b"idempotency-replayed", b"true"))
    headers.append((b"content-length", str(len(record.body or b"")).encode()))
    await send({"type": "http.response.start", "status": record.status_code,
                "headers": headers})
    await send({"type": "http.response.body", "body": record.body or b""})

