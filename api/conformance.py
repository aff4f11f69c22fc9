"""Outside production, every answer a route gives is held to the document: its status is
documented, the headers the document requires are there, the headers it tracks (below) are
sent only where the document declares them, and a 2xx never answers a request that lacked
a header the document requires. A mismatch raises before anything is sent, so the request
fails (a 500) in whichever test or fuzzing run made it: the whole suite sweeps every route.

Why at run time: the declarations (`api.http.sends`, `responses=`, the passes of
`api/document.py`) and the code that sets the headers live apart; only a real answer shows
whether they agree."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The headers a client reads off an answer; any other (Content-Type, Cache-Control, CORS)
# is not the document's to declare.
TRACKED = frozenset({"etag", "location", "content-disposition", "retry-after",
                     "www-authenticate", "idempotency-replayed"})


class Nonconformance(AssertionError):
    """An answer the document does not describe: a bug in the route or in the document."""


class ConformanceMiddleware:
    """Pure ASGI, inside the write transaction: a departure rolls the request back."""

    def __init__(self, app: ASGIApp, document: Callable[[], dict[str, Any]]) -> None:
        self.app = app
        self.document = document

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def checking_send(message: Message) -> None:
            route = scope.get("route")  # set by the router on the same scope when it matched
            if message["type"] == "http.response.start" and isinstance(route, APIRoute):
                self.check(scope, route.path_format, message)
            await send(message)

        await self.app(scope, receive, checking_send)

    def check(self, scope: Scope, path: str, message: Message) -> None:
        operation = self.document()["paths"].get(path, {}).get(scope["method"].lower())
        if operation is None:
            return  # not in the document (the docs' own pages)
        found = violations(operation, _headers(scope.get("headers", [])), message["status"],
                           _headers(message.get("headers", [])))
        if found:
            raise Nonconformance(f"{scope['method']} {path} answered {message['status']}: "
                                 + "; ".join(found))


def _headers(raw) -> set[str]:
    return {key.decode("latin-1").lower() for key, _ in raw}


def violations(operation: dict[str, Any], request: set[str], status: int,
               sent: set[str]) -> list[str]:
    """How an answer (its status, the names of the headers sent) departs from `operation`."""
    answers = operation.get("responses", {})
    answer = answers.get(str(status)) or answers.get(f"{str(status)[0]}XX")
    if answer is None:
        return [f"status {status} is not documented"]
    declared = {name.lower(): spec for name, spec in answer.get("headers", {}).items()}
    found = [f"{name} is required but was not sent" for name, spec in declared.items()
             if spec.get("required") and name not in sent]
    found += [f"{name} was sent but is not declared" for name in sorted(sent & TRACKED)
              if name not in declared]
    if status < 300:
        found += [f"answered without the required request header {p['name']}"
                  for p in operation.get("parameters", [])
                  if p["in"] == "header" and p.get("required")
                  and p["name"].lower() not in request]
    return found
