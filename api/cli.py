"""Command line: `python -m api.cli serve | worker | migrate | create-admin | openapi`."""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import signal
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from api.app import ROOT, create_app
from api.settings import Settings, UnsafeSettingsError, get_settings


def migrate(settings: Settings) -> None:
    """Bring the database to the head migration (creating the SQLite folder if needed)."""
    if settings.is_sqlite:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["url"] = settings.effective_database_url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


async def bootstrap(settings: Settings) -> None:
    """Create the first admin when none exists, and the demo group on an empty database."""
    from repositories.bootstrap import ensure_admin, ensure_demo, ensure_holidays
    from repositories.db import make_engine, make_session_factory

    engine = make_engine(settings.effective_database_url)
    factory = make_session_factory(engine)
    try:
        password = settings.admin_password or secrets.token_urlsafe(12)
        if await ensure_admin(factory, settings.admin_username, password):
            if settings.admin_password:
                print(f"Created admin account '{settings.admin_username}'.")
            else:
                print(f"Created admin account '{settings.admin_username}' with password: "
                      f"{password}  (shown once; set ADMIN_PASSWORD to choose it)")
        if await ensure_holidays(factory):
            print("Added Việt Nam's public holidays of 2026 (add later years' through "
                  "POST /api/v1/holidays).")
        if settings.demo_enabled:
            demo_password = settings.demo_password or secrets.token_urlsafe(9)
            created = await ensure_demo(factory, demo_password, seed=settings.demo_seed)
            if created:
                shown = "from DEMO_PASSWORD" if settings.demo_password else demo_password
                print(f"Loaded the demo residential group; demo-<role> accounts, password: "
                      f"{shown}")
    finally:
        await engine.dispose()


def _stopped(signum: int, frame: object) -> None:
    """SIGTERM is how a supervisor asks us to stop: stopping as asked is a clean exit."""
    raise SystemExit(0)


def serve(settings: Settings) -> None:
    import uvicorn

    # While it serves, uvicorn takes SIGTERM itself and finishes the requests in flight; then
    # it raises the signal again for the handler that was there before it started, which by
    # default ends the process with 143 (killed). This handler makes it 0, and a SIGTERM
    # during the migration or the bootstrap also stops the process cleanly.
    signal.signal(signal.SIGTERM, _stopped)
    migrate(settings)
    asyncio.run(bootstrap(settings))
    print(f"Digital Street API on http://{settings.host}:{settings.port}  "
          f"docs: http://{settings.host}:{settings.port}/docs", flush=True)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                access_log=False, log_config=None, proxy_headers=False)


async def work(settings: Settings) -> None:
    """Run background jobs (imports, audit sealing, clean-ups) until SIGINT or SIGTERM."""
    from api import logs
    from api.app import job_queue, job_runtime
    from repositories.db import make_engine, make_session_factory
    from repositories.queue import run_worker

    logs.configure(settings.log_level)  # JSON lines on stderr, as `serve` writes them
    engine = make_engine(settings.effective_database_url, pool_size=settings.worker_concurrency,
                         max_overflow=settings.worker_concurrency,
                         connect_timeout=settings.db_connect_timeout)
    try:
        await run_worker(job_queue(settings), job_runtime(settings, make_session_factory(engine)),
                         concurrency=settings.worker_concurrency)
    finally:
        await engine.dispose()


def export_openapi(path: Path) -> None:
    """Write the OpenAPI document and, beside the docs, the generated permission matrix."""
    from api.permissions import matrix_markdown

    app = create_app(Settings(app_env="test", secret_key="x" * 48))
    path.write_text(json.dumps(app.openapi(), ensure_ascii=False, indent=2) + "\n")
    matrix = ROOT / "docs" / "permissions.md"
    matrix.parent.mkdir(exist_ok=True)
    matrix.write_text(matrix_markdown(app))
    print(f"wrote {path} and {matrix}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.cli")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("serve", help="migrate, create the first admin (and demo data), serve")
    sub.add_parser("worker", help="run background jobs (PostgreSQL; SQLite runs them in serve)")
    sub.add_parser("migrate", help="upgrade the database to the head migration")
    admin = sub.add_parser("create-admin", help="create an admin account if none exists")
    admin.add_argument("--username", default=None)
    out = sub.add_parser("openapi", help="write the OpenAPI document")
    out.add_argument("path", type=Path, default=ROOT / "openapi" / "openapi.json", nargs="?")
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
        settings.check_production()
        if args.cmd == "serve":
            serve(settings)
        elif args.cmd == "worker":
            if settings.is_sqlite:
                print("error: the worker needs PostgreSQL (DATABASE_URL); on the embedded"
                      " SQLite database `serve` runs the jobs itself", file=sys.stderr)
                return 2
            asyncio.run(work(settings))
        elif args.cmd == "migrate":
            migrate(settings)
        elif args.cmd == "create-admin":
            if args.username:
                settings.admin_username = args.username
            settings.demo_data = False
            migrate(settings)
            asyncio.run(bootstrap(settings))
        elif args.cmd == "openapi":
            export_openapi(args.path)
    except UnsafeSettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
