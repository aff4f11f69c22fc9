"""Every error as RFC 9457 problem+json, in Vietnamese by default and English on request."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from domain import context, messages
from domain.errors import DomainError, Invalid, TooManyRequests, Unauthorized

log = logging.getLogger("api")

PROBLEM = "application/problem+json"
TYPE_BASE = "https://digital-street.example/problems/"
EXTENSIONS = ("existing_id",)  # error parameters that clients act on, as members


class FieldError(BaseModel):
    loc: list[str | int]
    code: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, plus a stable `code` and the `request_id`."""

    type: str = Field(examples=[TYPE_BASE + "unit_not_found"])
    title: str = Field(examples=["Không tìm thấy đơn vị hành chính"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["Không có đơn vị 0192f0c4-2b1e-7c3a-9d4e-5f6a7b8c9d0e."])
    instance: str = Field(examples=["/api/v1/units/0192f0c4-2b1e-7c3a-9d4e-5f6a7b8c9d0e"])
    code: str = Field(examples=["unit_not_found"])
    request_id: str | None = Field(examples=["3f2a9c1e8b7d4a60"])
    errors: list[FieldError] | None = None
    existing_id: str | None = Field(
        default=None, description="On a 409 for a duplicate: the record that already exists"
    )


def language(accept: str | None) -> str:
    """'en' when the client prefers English over Vietnamese, else 'vi'."""
    best, best_q = "vi", -1.0
    for part in (accept or "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in {"vi", "en"} and q > best_q:
            best, best_q = primary, q
    return best


def problem_body(
    *, code: str, status: int, lang: str, instance: str, params: dict[str, Any] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": messages.title(code, lang),
        "status": status,
        "detail": messages.detail(code, lang, params or {}),
        "instance": instance,
        "code": code,
        "request_id": context.request_id(),
    }
    if errors is not None:
        body["errors"] = errors
    for key in EXTENSIONS:
        if params and params.get(key) is not None:
            body[key] = params[key]
    return body


def problem_response(
    request_or_scope, *, code: str, status: int, params: dict[str, Any] | None = None,
    errors: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None,
) -> Response:
    scope = request_or_scope.scope if isinstance(request_or_scope, Request) else request_or_scope
    accept = _header(scope, b"accept-language")
    body = problem_body(
        code=code, status=status, lang=language(accept), instance=scope.get("path", ""),
        params=params, errors=errors,
    )
    hdrs = {"Content-Language": language(accept), **(headers or {})}
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM, headers=hdrs)


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _field_errors(raw_errors, lang: str) -> list[dict[str, Any]]:
    out = []
    for err in raw_errors:
        ctx = dict(err.get("ctx") or {})
        if "expected" in ctx:
            ctx["expected"] = str(ctx["expected"])
        out.append(
            {
                "loc": [p if isinstance(p, int) else str(p) for p in err.get("loc", ())],
                "code": err["type"],
                "message": messages.field_message(err["type"], lang, ctx, err.get("msg", "")),
            }
        )
    return out


async def _validation(request: Request, exc: RequestValidationError) -> Response:
    lang = language(request.headers.get("accept-language"))
    errs = exc.errors()
    if len(errs) == 1 and errs[0].get("type") == "json_invalid":
        pos = (errs[0].get("ctx") or {}).get("error", "")
        return problem_response(request, code="malformed_json", status=400, params={"pos": pos})
    errors = _field_errors(errs, lang)
    return problem_response(
        request, code="validation_failed", status=422, params={"count": len(errors)},
        errors=errors,
    )


async def _domain(request: Request, exc: DomainError) -> Response:
    headers: dict[str, str] = {}
    errors = None
    if isinstance(exc, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    if isinstance(exc, TooManyRequests):
        headers["Retry-After"] = str(exc.retry_after)
        exc.params.setdefault("retry_after", exc.retry_after)
    if isinstance(exc, Invalid):
        lang = language(request.headers.get("accept-language"))
        message = messages.field_message(exc.code, lang, exc.params, "") or messages.detail(
            exc.code, lang, exc.params
        )
        errors = [{"loc": list(exc.loc), "code": exc.code, "message": message}]
    return problem_response(
        request, code=exc.code, status=exc.status, params=exc.params, errors=errors,
        headers=headers,
    )


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "route_not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


async def _http(request: Request, exc: StarletteHTTPException) -> Response:
    code = _HTTP_CODES.get(exc.status_code, "bad_request" if exc.status_code < 500 else
                           "internal_error")
    headers = dict(exc.headers or {})
    if exc.status_code == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    params = {"path": request.url.path, "method": request.method}
    return problem_response(request, code=code, status=exc.status_code, params=params,
                            headers=headers)


def is_database_outage(exc: BaseException) -> bool:
    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeoutError, ConnectionError,
                        TimeoutError, OSError)):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


async def unexpected(request: Request, exc: Exception) -> Response:
    if isinstance(exc, PoolTimeoutError):
        # Every pooled connection is busy: the database is up, we are saturated. Say so.
        log.warning("connection pool exhausted", extra={"error": "PoolTimeout"})
        return problem_response(request, code="service_busy", status=503,
                                headers={"Retry-After": "1"})
    if is_database_outage(exc):
        log.warning("database unavailable", extra={"error": type(exc).__name__})
        return problem_response(request, code="database_unavailable", status=503,
                                headers={"Retry-After": "5"})
    log.exception("unhandled error", extra={"error": type(exc).__name__})
    return problem_response(request, code="internal_error", status=500,
                            params={"request_id": context.request_id()})


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(StarletteHTTPException, _http)
    # Handled per class (not only under Exception) so Starlette's error middleware does not
    # re-raise them after answering: a lost database is an expected, logged-once 503.
    for outage in (DBAPIError, PoolTimeoutError, ConnectionError, TimeoutError, OSError):
        app.add_exception_handler(outage, unexpected)
    app.add_exception_handler(Exception, unexpected)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry a route lists for the problems it can answer."""
    described = {
        400: "Malformed request (bad JSON)",
        401: "Missing, expired or invalid token",
        403: "Authenticated but not allowed",
        404: "Not found, or outside the caller's scope",
        409: "Conflicts with existing data",
        412: "If-Match does not match the current ETag",
        413: "Body too large",
        422: "Validation failed; see errors",
        428: "If-Match header missing",
        429: "Too many requests; see Retry-After",
        503: "Database unavailable",
    }
    return {
        s: {"model": Problem, "description": described.get(s, "Problem"),
            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        for s in statuses
    }
