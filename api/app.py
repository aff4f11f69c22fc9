"""The application factory: settings, database, token keys, middleware, routers, docs."""

from __future__ import annotations

import asyncio
import gc
import logging
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api import (
    conformance,
    docs,
    document,
    georeport,
    health,
    logs,
    openapi_links,
    permissions,
    problems,
)
from api.examples import restore_examples
from api.input import InputCleaningMiddleware, input_guard
from api.middleware import BodyLimitMiddleware, RequestContextMiddleware
from api.settings import Settings, get_settings
from api.writes import WriteTransaction
from auth.api_keys import ApiKeys
from auth.tokens import TokenService, hmac_key, load_key
from domain.areas import area_modules
from domain.tickets.calendar import parse_hours
from domain.tickets.rules import TicketPolicy
from repositories import paging
from repositories.db import make_engine, make_session_factory
from repositories.direct import Direct
from repositories.queue import Runtime, build_queue, run_worker
from repositories.storage import FilesystemStorage

ROOT = Path(__file__).resolve().parents[1]

DESCRIPTION = """
Backend of the **Digital Street** model (*Tuyến đường số*): the register of households and
residents and their digital readiness, door-to-door outreach, residents' requests and
voter-list reconciliation for Vietnamese wards.

Errors are `application/problem+json` with a stable `code`; messages are Vietnamese unless
you send `Accept-Language: en`. A 422 lists every bad field at once. Text anywhere in a
request (path, query, form, JSON strings and keys) is stored in Unicode NFC; a control
character (other than tab, line feed and carriage return), NUL or a lone surrogate is
refused with a 422 `control_characters` or `invalid_unicode` naming the field.
Sign in with **Authorize** (OAuth2 password flow).
"""


TAGS = [
    {"name": "ops", "description": "Liveness and readiness."},
    {"name": "auth", "description": "Sign in, refresh, sign out, the signing keys; who am I."},
    {"name": "units", "description": "Provinces, communes (wards), residential groups, streets."},
    {"name": "exports", "description": "The register as CSV or XLSX, masked as the API masks."},
    {"name": "households", "description": "Households: members, moves, splits, merges, history."},
    {"name": "residents",
     "description": "Residents: search, records, digital readiness, duplicates, history."},
    {"name": "imports", "description": "CSV and XLSX imports: dry runs, jobs, reports."},
    {"name": "campaigns", "description": "Door-to-door outreach: campaigns, visits, progress."},
    {"name": "announcements",
     "description": "Notices to residents by group chat, loudspeaker or door to door."},
    {"name": "users", "description": "Staff and volunteer accounts, roles and scopes."},
    {"name": "service-accounts", "description": "Ward systems and scripts: scoped keys."},
    {"name": "audit", "description": "Who read or changed what: the sealed audit trail."},
    # Added after v1 was published: tags keep their places (tests/test_openapi.py).
    {"name": "transfers",
     "description": "Moving a person registered outside your scope: ask, approve, reject."},
    {"name": "tickets",
     "description": "Residents' requests, questions and fraud reports: queues, workflow, notes."},
    {"name": "elections",
     "description": "Elections, polling areas, exclusions and who may vote (voter lists)."},
    {"name": "open311",
     "description": "Open311 GeoReport v2 over tickets (JSON and XML, GeoReport's errors)."},
]


def area_routers() -> list[APIRouter]:
    """Every area's routers (`api/routers/<area>` exposes `routers`), in the areas' order."""
    return [router for module in area_modules("api.routers") for router in module.routers]


def paths_in_tag_order(app: FastAPI) -> None:
    """The document lists its paths in the order of TAGS, whatever order the routes are
    tried in (each path by the first tag of its first operation)."""
    rank = {tag["name"]: i for i, tag in enumerate(TAGS)}
    plain_openapi = app.openapi

    def first_tag(item: tuple[str, dict[str, Any]]) -> int:
        operation: dict[str, Any] = next(iter(item[1].values()), {})
        tags = operation.get("tags") or [""]
        return rank.get(tags[0], len(rank))

    finished: list[dict[str, Any]] = []  # built once: every answer is checked against it

    def openapi() -> dict[str, Any]:
        if finished:
            return finished[0]
        schema = plain_openapi()
        schema["paths"] = dict(sorted(schema.get("paths", {}).items(), key=first_tag))
        problem_answers(schema)
        restore_examples(app, schema)
        georeport.document(schema)
        openapi_links.add_links(schema)
        document.complete(schema)
        finished.append(schema)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override


# Headers the problem answers of these statuses always carry (api/problems.py sets them).
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again",
                                "required": True, "schema": {"type": "integer", "minimum": 1}}}
_ALWAYS_SENT: dict[str, dict[str, Any]] = {
    "401": {"WWW-Authenticate": {"description": "`Bearer`, the scheme to authenticate with",
                                 "required": True, "schema": {"type": "string"}}},
    "429": _RETRY_AFTER,
    "503": _RETRY_AFTER,
}


def problem_answers(schema: dict[str, Any]) -> None:
    """Every error answer is the problem document, as the server sends it: FastAPI adds an
    `application/json` copy of a declared model, and writes its own `HTTPValidationError`
    422 for a route that declared none (an operation with no parameter and no body has
    none at all). Every operation states its `security` (`[]`: public), and the headers
    an error answer always carries are declared."""
    entry = problems.responses(422)[422]
    problem_422 = {"description": entry["description"], "content": entry["content"]}
    if "x-error-codes" in entry:
        problem_422["x-error-codes"] = entry["x-error-codes"]
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            answers = operation.get("responses", {})
            operation.setdefault("security", [])  # public: signs no one in, needs no token
            for status, answer in answers.items():
                content = answer.get("content", {})
                if status[0] in "45" and "application/problem+json" in content:
                    content.pop("application/json", None)  # FastAPI's copy of the model
                if status in _ALWAYS_SENT:
                    answer.setdefault("headers", {}).update(_ALWAYS_SENT[status])
            if "HTTPValidationError" not in str(answers.get("422", "")):
                continue
            if operation.get("parameters") or operation.get("requestBody"):
                answers["422"] = problem_422
            else:
                del answers["422"]
    for name in ("HTTPValidationError", "ValidationError"):
        schema.get("components", {}).get("schemas", {}).pop(name, None)


def migration_head() -> str | None:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()


def token_service(settings: Settings) -> TokenService:
    if settings.jwt_private_key_file:
        current = load_key(settings.jwt_private_key_file)
    else:
        current = hmac_key(settings.signing_secret)
    previous = []
    if settings.jwt_previous_keys_dir and settings.jwt_previous_keys_dir.is_dir():
        previous = [load_key(p) for p in sorted(settings.jwt_previous_keys_dir.iterdir())
                    if p.is_file()]
    return TokenService(
        current,
        previous=previous,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        access_ttl=settings.access_token_ttl_seconds,
        refresh_ttl=settings.refresh_token_ttl_seconds,
    )


def ticket_policy(settings: Settings) -> TicketPolicy:
    return TicketPolicy(hours=parse_hours(settings.work_hours),
                        reopen_window=timedelta(days=settings.ticket_reopen_days))


def job_runtime(settings: Settings, session_factory) -> Runtime:
    return Runtime(session_factory, settings.var_dir, settings.job_heartbeat_seconds)


def job_queue(settings: Settings):
    return build_queue(settings.effective_database_url,
                       stalled_after=3 * settings.job_heartbeat_seconds,
                       intervals={"audit.seal": settings.audit_seal_interval_seconds})


async def _start_worker(settings: Settings, app: FastAPI) -> asyncio.Task:
    """Run the job worker inside this process (the SQLite default, or JOBS_IN_PROCESS)."""
    from domain.imports.tasks import recover_imports

    factory = app.state.session_factory
    queue = factory.kw.get("info", {}).get("queue") or job_queue(settings)
    worker = asyncio.get_running_loop().create_task(run_worker(
        queue, app.state.runtime, concurrency=settings.worker_concurrency,
        install_signal_handlers=False))
    if settings.is_sqlite:
        # Alone on SQLite, this process ran every unfinished import: they start again.
        try:
            await recover_imports(app.state.runtime, everything=True)
        except Exception:  # the database may not be up yet; /readyz will say so
            logging.getLogger("imports").warning(
                "could not look for interrupted imports", exc_info=True)
    return worker


def create_app(settings: Settings | None = None, *, session_factory=None, engine=None) -> FastAPI:
    """Build the app; tests pass their own session factory bound to a rolled-back transaction."""
    settings = settings or get_settings()
    settings.check_production()
    logs.configure(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        own_engine = engine is None and session_factory is None
        if own_engine:
            app.state.engine = make_engine(
                settings.effective_database_url,
                pool_size=settings.db_pool_size,
                max_overflow=settings.db_max_overflow,
                pool_timeout=settings.db_pool_timeout,
                connect_timeout=settings.db_connect_timeout,
                statement_timeout_ms=settings.db_statement_timeout_ms,
            )
            # On SQLite the in-process worker's queue rides on every session: a committed
            # unit of work hands it the jobs it enqueued.
            info = ({"queue": job_queue(settings)}
                    if settings.is_sqlite and settings.runs_jobs_in_process else None)
            app.state.session_factory = make_session_factory(app.state.engine, info=info)
            app.state.direct = Direct(app.state.engine)
            if not settings.is_sqlite:
                await app.state.direct.open_pool(
                    size=settings.db_pool_size, acquire_timeout=settings.db_pool_timeout,
                    connect_timeout=settings.db_connect_timeout,
                    statement_timeout_ms=settings.db_statement_timeout_ms)
        worker = None
        if own_engine:
            app.state.runtime = job_runtime(settings, app.state.session_factory)
            if settings.runs_jobs_in_process:
                worker = await _start_worker(settings, app)
        # Everything built so far (routes, models, compiled statements) lives as long as the
        # process: out of the collector's sight, full collections stop rescanning it on
        # every request burst (the register's list page: 3.7 -> 3.0 ms of CPU a request).
        gc.freeze()
        yield
        if worker is not None:
            worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)
        if own_engine:
            await app.state.direct.close()
            await app.state.engine.dispose()

    app = FastAPI(
        title="Digital Street API (Tuyến đường số)",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        servers=[{"url": "/", "description": "This server"}],
        # The document's order, whatever order the routes are tried in (see paths_in_tag_order).
        openapi_tags=TAGS,
        # Refused input stops every route here (api/input.py), whatever its own parameters.
        dependencies=[Depends(input_guard)],
    )
    app.state.settings = settings
    app.state.tokens = token_service(settings)
    app.state.storage = FilesystemStorage(settings.attachments_path)
    app.state.api_keys = ApiKeys()  # Open311's verified keys (auth/api_keys.py says why)
    app.state.ticket_policy = ticket_policy(settings)
    paging.configure_cursors(settings.cursor_secret)
    app.state.migration_head = migration_head()
    if engine is not None:
        app.state.engine = engine
    if session_factory is not None:
        app.state.session_factory = session_factory
        app.state.runtime = job_runtime(settings, session_factory)
        # Reads outside the session go where the sessions go: tests hand in one connection
        # inside a rolled-back transaction, and those reads must see (and join) it.
        app.state.direct = Direct(session_factory.kw["bind"])

    problems.install(app)
    # Typed ids (`{resident_id:uuid}`) keep routes from shadowing each other, so the order
    # only saves time: the probes' two fixed paths (polled every few seconds, and cheap to
    # pass over), then the busiest area's routes. /healthz behind every route cost 0.17 ms
    # of CPU a request (2,530 against 5,018 rps).
    app.include_router(health.router)
    routers = [health.router, *area_routers()]
    for router in routers[1:]:
        app.include_router(router)
    # Every route by its full path, for the 405's `Allow` (api/problems.py).
    app.state.routes = tuple(route for router in routers for route in router.routes)
    permissions.annotate(app)
    paths_in_tag_order(app)
    docs.install(app)

    if settings.checks_conformance:  # innermost: sees the route's answer as it is
        app.add_middleware(conformance.ConformanceMiddleware, document=app.openapi)
    if settings.cors_origin_list:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key",
                           "Accept-Language", "X-Request-ID"],
            # Content-Disposition: an SPA reads an export's file name from it.
            expose_headers=["ETag", "Location", "X-Request-ID", "Retry-After",
                            "Content-Disposition", "Idempotency-Replayed"],
        )
    app.add_middleware(WriteTransaction, get_app_state=lambda: app.state)
    # Outside the write's transaction, so a key's body is compared as the routes receive it.
    app.add_middleware(InputCleaningMiddleware)
    # An attachment's form carries its other field and the parts' headers beside the file:
    # the file's own limit (a 413 `attachment_too_large`) is the route's, this one's above it.
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes, larger={
        "/api/v1/imports": settings.max_import_bytes,
        "/api/v1/tickets/{ticket_id}/attachments": settings.max_attachment_bytes + 65_536})
    app.add_middleware(RequestContextMiddleware)
    return app
