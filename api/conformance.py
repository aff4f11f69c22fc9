"""Outside production, every answer a route gives is held to the document: its status is
documented, the headers the document requires are there, the headers it tracks (below) are
sent only where the document declares them, and a 2xx never answers a request that lacked
a header the document requires. A mismatch raises before anything is sent, so the request
fails (a 500) in whichever test or fuzzing run made it: the whole suite sweeps every route.

Why at run time: the declarations (`api.http.sends`, `responses=`, the passes of
`api/document.py`) and the code that sets the headers live apart; only a real answer shows
whether they agree."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The headers a client reads off an answer; any other (Content-Type, Cache-Control, CORS)
# is not the document's to declare.
TRACKED = frozenset({"etag", "location", "content-disposition", "retry-after",
                     "www-authenticate", "idempotency-replayed"})


class Nonconformance(AssertionError):
    """An answer the document does not describe: a bug in the route or in the document."""


def install(app: FastAPI) -> None:
    for route in app.router.routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            route.app = _checked(route.app, app, route.path_format)


def _checked(inner: ASGIApp, app: FastAPI, path: str) -> ASGIApp:
    async def checked(scope: Scope, receive: Receive, send: Send) -> None:
        async def checking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                operation = app.openapi()["paths"][path][scope["method"].lower()]
                found = violations(operation, _headers(scope.get("headers", [])),
                                   message["status"], _headers(message.get("headers", [])))
                if found:
                    raise Nonconformance(
                        f"{scope['method']} {path} answered {message['status']}: "
                        + "; ".join(found))
            await send(message)

        await inner(scope, receive, checking_send)

    return checked


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
