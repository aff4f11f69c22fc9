"""Every error as RFC 9457 problem+json, in Vietnamese by default and English on request."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import asyncpg
import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, WithJsonSchema
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from api import georeport
from domain import context, messages
from domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InsufficientStorage,
    Invalid,
    PreconditionFailed,
    PreconditionRequired,
    TooManyRequests,
    Unauthorized,
    error_class,
)
from domain.service_errors import (
    DatabaseUnavailable,
    IdempotencyKeyInvalid,
    InternalError,
    InvalidToken,
    MalformedJson,
    MethodNotAllowed,
    PayloadTooLarge,
    RouteNotFound,
    ServiceBusy,
    UnsupportedMediaType,
    ValidationFailed,
)
from repositories import integrity

log = logging.getLogger("api")

PROBLEM = "application/problem+json"
TYPE_BASE = "https://digital-street.example/problems/"
EXTENSIONS = ("existing_id", "allowed")  # error parameters that clients act on, as members


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
    # One of the catalogue's codes, or a code added since the client was generated: a
    # closed enum would make a generated client fail on a newer server's problem.
    code: Annotated[str, WithJsonSchema({
        "anyOf": [{"$ref": "#/components/schemas/ErrorCode"}, {"type": "string"}],
        "title": "Code", "examples": ["unit_not_found"]})]
    request_id: str | None = Field(examples=["3f2a9c1e8b7d4a60"])
    errors: list[FieldError] | None = None
    existing_id: str | None = Field(
        default=None, description="On a 409 for a duplicate: the record that already exists"
    )
    allowed: list[str] | None = Field(
        default=None, description="On a 409 for a move a workflow refuses: the moves it allows"
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
    case = error_class(code) or DomainError
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": case.text("title", lang),
        "status": status,
        "detail": case.text("detail", lang, params or {}),
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
    request_or_scope, error: DomainError | None = None, *, code: str | None = None,
    status: int | None = None, params: dict[str, Any] | None = None,
    errors: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None,
) -> Response:
    """The problem for `error` (or for a bare `code` and `status`, as callers once wrote)."""
    scope = request_or_scope.scope if isinstance(request_or_scope, Request) else request_or_scope
    if error is not None:
        code, status, params = error.code, error.status, {**error.params, **(params or {})}
        retry = getattr(error, "retry_after", None)
        if retry is not None:
            headers = {"Retry-After": str(retry), **(headers or {})}
    assert code is not None and status is not None, "an error, or a code and a status"
    accept = _header(scope, b"accept-language")
    body = problem_body(
        code=code, status=status, lang=language(accept), instance=scope.get("path", ""),
        params=params, errors=errors,
    )
    hdrs = {"Content-Language": language(accept), **(headers or {})}
    if georeport.is_open311(scope):  # that face answers in GeoReport's own error format
        return georeport.error_response(scope, body, hdrs)
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM, headers=hdrs)


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _field_errors(raw_errors, lang: str) -> list[dict[str, Any]]:
    out = []
    for err in raw_errors:
        # pydantic's own text is English: it stands in only for an English reader.
        own = err.get("msg", "") if lang == "en" else ""
        out.append(
            {
                "loc": [p if isinstance(p, int) else str(p) for p in err.get("loc", ())],
                "code": err["type"],
                "message": messages.field_message(err["type"], lang, dict(err.get("ctx") or {}),
                                                  own),
            }
        )
    return out


def json_position(doc: Any, pos: Any) -> dict[str, int]:
    """Where the JSON decoder stopped, as the line and column a person finds in an editor
    (the decoder's own English reason, "Expecting value", is not passed on)."""
    text = doc if isinstance(doc, str) else ""
    at = pos if isinstance(pos, int) and 0 <= pos <= len(text) else 0
    line = text.count("\n", 0, at) + 1
    return {"line": line, "column": at - (text.rfind("\n", 0, at) + 1) + 1, "pos": at}


FAULTS = "digital_street.input_faults"  # the scope's key: what api/input.py refused
INPUT_MARK = "x-input-refused"  # its mark on such a request (a client's own is dropped)


class InputRefused(StarletteHTTPException):
    """Text that can never be stored, found while a body streams in (a multipart form);
    raised from `receive`, so the route's form parsing stops and this 422 answers."""

    def __init__(self, faults: list[tuple[tuple[str | int, ...], str]]) -> None:
        super().__init__(422)
        self.faults = faults


def _printable(part: str | int) -> str | int:
    # A key holding a lone surrogate cannot be written back as JSON: name it escaped.
    return part if isinstance(part, int) else part.encode("utf-8", "backslashreplace").decode()


def refusal_errors(faults: list[tuple[tuple[str | int, ...], str]], lang: str
                   ) -> list[dict[str, Any]]:
    return [{"loc": [_printable(p) for p in loc], "code": code,
             "message": messages.field_message(code, lang, {}, code)} for loc, code in faults]


def refusal(scope, faults: list[tuple[tuple[str | int, ...], str]]) -> Response:
    """The 422 `validation_failed` for input refused before any route saw it."""
    lang = language(_header(scope, b"accept-language"))
    errors = refusal_errors(faults, lang)
    return problem_response(scope, code="validation_failed", status=422,
                            params={"count": len(errors)}, errors=errors)


async def _refused(request: Request, exc: InputRefused) -> Response:
    return refusal(request.scope, exc.faults)


async def _validation(request: Request, exc: RequestValidationError) -> Response:
    lang = language(request.headers.get("accept-language"))
    errs = exc.errors()
    if len(errs) == 1 and errs[0].get("type") == "json_invalid":
        loc = errs[0].get("loc") or ()
        where = json_position(exc.body, loc[-1] if loc else 0)
        return problem_response(request, code="malformed_json", status=400, params=where)
    errors = _field_errors(errs, lang)
    if faults := request.scope.get(FAULTS):
        # The refused text stands in for the guard's mark (api/input.py), and for what its
        # removal made of its fields.
        refused = refusal_errors(faults, lang)
        places = {tuple(e["loc"]) for e in refused}
        errors = refused + [e for e in errors if tuple(e["loc"]) not in places
                            and e["loc"] != ["header", INPUT_MARK]]
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
        exc.params.setdefault("retry_after", exc.retry_after)
    if isinstance(exc, Invalid) and exc.field_level:
        # A field's rule, even alone, answers as the schema's errors do: clients switch on
        # `validation_failed` and read each field's own code in `errors[]`.
        exc = ValidationFailed(cases=(exc,))
    if isinstance(exc, ValidationFailed) and exc.cases:
        cases = exc.cases
        lang = language(request.headers.get("accept-language"))
        errors = [{"loc": list(case.loc), "code": case.code, "message": case.message(lang)}
                  for case in cases]
    return problem_response(request, exc, errors=errors, headers=headers)


_HTTP_CASES: dict[int, type[DomainError]] = {
    400: DomainError,
    401: Unauthorized,
    403: Forbidden,
    404: RouteNotFound,
    405: MethodNotAllowed,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
}


async def _http(request: Request, exc: StarletteHTTPException) -> Response:
    case = _HTTP_CASES.get(exc.status_code, DomainError if exc.status_code < 500 else
                           InternalError)
    headers = dict(exc.headers or {})
    if exc.status_code == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request))
    params = {"path": request.url.path, "method": request.method}
    return problem_response(request, code=case.code, status=exc.status_code, params=params,
                            headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of this path answers. Starlette's 405 names only the methods
    of the first route whose path matched, and a path such as `/households` is served by
    one route per method. The routes are the app's own list (`app.state.routes`, set by
    the factory), not the framework's nesting of included routers."""
    methods: set[str] = set()
    for route in getattr(request.app.state, "routes", ()):
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def is_database_outage(exc: BaseException) -> bool:
    """The database is out of reach or did not answer in time; not a full disk, not any other
    OSError. Every failure mode of a connection counts (`integrity.is_connection_failure`):
    lost, refused, the server shutting down or restarting, terminated by an administrator,
    no connection slot left, a rollback that failed on a dead connection, a pooled
    connection left broken; and a statement cancelled by `statement_timeout`, as the
    register's direct reads already answered it."""
    if integrity.is_storage_full(exc):
        return False
    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeoutError)):
        return True
    return integrity.is_connection_failure(exc) or integrity.is_statement_timeout(exc)


async def unexpected(request: Request, exc: Exception) -> Response:
    if isinstance(exc, PoolTimeoutError):
        # Every pooled connection is busy: the database is up, we are saturated. Say so.
        log.warning("connection pool exhausted", extra={"error": "PoolTimeout"})
        return problem_response(request, ServiceBusy())
    if integrity.is_storage_full(exc):
        log.error("storage full", extra={"error": type(exc).__name__})
        return problem_response(request, InsufficientStorage())
    if is_database_outage(exc):
        log.warning("database unavailable", extra={"error": type(exc).__name__})
        return problem_response(request, DatabaseUnavailable())
    if isinstance(exc, (IntegrityError, asyncpg.IntegrityConstraintViolationError)):
        error = integrity.domain_error(exc)  # one that escaped a repository's flush
        if error is not None:
            return await _domain(request, error)
    log.exception("unhandled error", extra={"error": type(exc).__name__})
    return problem_response(request, InternalError(request_id=context.request_id()))


def install(app: FastAPI) -> None:
    # Starlette types a handler as taking any Exception; each takes the class it is set for.
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(DomainError, _domain)  # type: ignore[arg-type]
    app.add_exception_handler(InputRefused, _refused)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    # Handled per class (not only under Exception) so Starlette's error middleware does not
    # re-raise them after answering: a lost database is an expected, logged-once 503,
    # a full disk a 507.
    for outage in (DBAPIError, PoolTimeoutError, OSError, asyncpg.PostgresError):
        app.add_exception_handler(outage, unexpected)
    app.add_exception_handler(Exception, unexpected)


def error_code_schema() -> dict[str, Any]:
    """Every `code` a problem may carry, with its status and English title: the catalogue."""
    from domain.catalogue import CATALOGUE

    cases = sorted(CATALOGUE.values(), key=lambda c: c.code)
    return {"type": "string", "title": "ErrorCode", "enum": [c.code for c in cases],
            "description": "The stable `code` of a problem; `x-error-catalogue` gives each "
                           "code's status and title.",
            "x-error-catalogue": {c.code: {"status": c.status, "title": c.en, "title_vi": c.vi}
                                  for c in cases}}


# What a bare status documents (and always did): its description and its usual cases.
_DESCRIBED: dict[int, tuple[str, tuple[type[DomainError], ...]]] = {
    400: ("Malformed request (bad JSON)", (MalformedJson, IdempotencyKeyInvalid)),
    401: ("Missing, expired or invalid token", (Unauthorized, InvalidToken)),
    403: ("Authenticated but not allowed", (Forbidden,)),
    404: ("Not found, or outside the caller's scope", ()),
    # A unique constraint no rule of ours foresaw (a race) is the bare `conflict`.
    409: ("Conflicts with existing data", (Conflict,)),
    412: ("If-Match does not match the current ETag", (PreconditionFailed,)),
    413: ("Body too large", (PayloadTooLarge,)),
    415: ("Problem", (UnsupportedMediaType,)),
    422: ("Validation failed; see errors", (ValidationFailed,)),
    428: ("If-Match header missing", (PreconditionRequired,)),
    429: ("Too many requests; see Retry-After", (TooManyRequests,)),
    503: ("Database unavailable", (DatabaseUnavailable, ServiceBusy)),
    507: ("Storage full", (InsufficientStorage,)),
}


def responses(*cases: int | type[DomainError]) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entry of a route: each status it can answer, with the codes of the
    error classes behind it in `x-error-codes` (a bare status brings its usual cases)."""
    codes: dict[int, list[str]] = {}
    for case in cases:
        if isinstance(case, int):
            status, found = case, _DESCRIBED.get(case, ("", ()))[1]
        else:
            status, found = case.status, (case,)
        listed = codes.setdefault(status, [])
        listed.extend(c.code for c in found if c.code not in listed)
    out: dict[int | str, dict[str, Any]] = {}
    for status in sorted(codes):
        entry: dict[str, Any] = {
            "model": Problem, "description": _DESCRIBED.get(status, ("Problem",))[0],
            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        if codes[status]:
            entry["x-error-codes"] = sorted(codes[status])
        out[status] = entry
    return out
