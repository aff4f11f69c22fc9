"""Pure-ASGI middleware: request id, request context and one structured log line a request."""

from __future__ import annotations

import logging
import random
import re
import time

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain import context

log = logging.getLogger("api.access")
_VALID_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


class RequestContextMiddleware:
    """Accept or mint `X-Request-ID`, echo it, and log the request without personal data."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        forwarded = None
        for key, value in scope["headers"]:
            if key == b"x-request-id":
                incoming = value.decode("latin-1")
        # A correlation id, not a secret: a PRNG is enough (and no system call per request).
        request_id = (incoming if incoming and _VALID_ID.match(incoming)
                      else f"{random.getrandbits(64):016x}")
        client = scope.get("client")
        ctx = context.RequestContext(
            request_id=request_id,
            client_ip=forwarded or (client[0] if client else None),
            method=scope["method"],
            path=scope["path"],
        )
        token = context.current.set(ctx)
        status = 500
        started = time.perf_counter()
        started_response = False

        async def tracking(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                status, started_response = message["status"], True
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:
            # Answer the 500 here, inside the request's context, so the problem and the log
            # carry the request id and the connection stays usable.
            if started_response:
                raise
            from starlette.requests import Request

            from api.problems import unexpected

            response = await unexpected(Request(scope, receive), exc)
            await response(scope, receive, tracking)
        finally:
            if log.isEnabledFor(logging.INFO):
                route = scope.get("route")
                log.info(
                    "request",
                    extra={
                        "method": scope["method"],
                        # The route template, not the raw path: no search terms or names.
                        "route": getattr(route, "path_format", None) or _shape(scope["path"]),
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )
            context.current.reset(token)


_DIGITS = re.compile(r"\d{4,}")


def _shape(path: str) -> str:
    """Unknown paths are logged with long digit runs blanked (an ID number in a URL)."""
    return _DIGITS.sub("{n}", path)[:200]


class _TooLarge(StarletteHTTPException):
    """Raised while streaming; FastAPI passes HTTPExceptions through to our 413 handler."""

    def __init__(self) -> None:
        super().__init__(413)


_NO_BODY = frozenset({"GET", "HEAD", "OPTIONS"})  # no route reads a body on these


class BodyLimitMiddleware:
    """Refuse bodies over `limit` bytes with a 413 problem, by header or while streaming.

    Starlette's own limiter answers in plain text; clients rely on problem+json everywhere.
    """

    def __init__(self, app: ASGIApp, limit: int, larger: dict[str, int] | None = None) -> None:
        """`larger` maps paths to their own limits; a path may name its parameters as the
        routes do (`/api/v1/tickets/{ticket_id}/attachments`), each one path segment."""
        self.app = app
        self.default = limit
        self.larger = {path: n for path, n in (larger or {}).items() if "{" not in path}
        self.templates = [
            (re.compile(re.sub(r"\\\{[^/]*?\\\}", "[^/]+", re.escape(path))), n)
            for path, n in (larger or {}).items() if "{" in path]

    def limit_for(self, path: str) -> int:
        if path in self.larger:
            return self.larger[path]
        return next((n for template, n in self.templates if template.fullmatch(path)),
                    self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _NO_BODY:
            await self.app(scope, receive, send)
            return
        from api.problems import problem_response
        from domain.service_errors import PayloadTooLarge

        limit = self.limit_for(scope["path"])
        for key, value in scope["headers"]:
            if key == b"content-length" and value.isdigit() and int(value) > limit:
                response = problem_response(scope, PayloadTooLarge(limit=limit))
                await response(scope, receive, send)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if started:
                raise
            response = problem_response(scope, PayloadTooLarge(limit=limit))
            await response(scope, receive, send)
