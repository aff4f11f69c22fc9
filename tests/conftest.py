"""Fixtures: a migrated PostgreSQL per worker, each test inside a rolled-back transaction."""

from __future__ import annotations

import logging
import os
import re
import uuid

import httpx
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from api.app import ROOT, create_app
from api.settings import Settings
from tests import db

TEST_SECRET = "test-secret-" + "x" * 40


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["url"] = url
    config.attributes["configure_logger"] = False
    return config


@pytest.fixture(scope="session")
async def pg_server() -> str:
    url = await db.server_url()
    if url is None:
        message = "no PostgreSQL: set TEST_DATABASE_URL or start the local server"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
async def pg_url(pg_server: str, worker_id: str, testrun_uid: str):
    """A database per worker and per run, so two runs on one server never collide."""
    import asyncio

    name = f"ds_test_{testrun_uid[:8]}_{worker_id}"
    url = await db.fresh_database(pg_server, name)
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    yield url
    await db.drop_database(pg_server, name)


@pytest.fixture(scope="session")
async def engine(pg_url: str):
    eng = create_async_engine(pg_url, pool_size=3)
    yield eng
    await eng.dispose()


@pytest.fixture
async def connection(engine):
    async with engine.connect() as conn:
        trans = await conn.begin()
        yield conn
        await trans.rollback()


@pytest.fixture
def session_factory(connection):
    return async_sessionmaker(
        bind=connection, class_=AsyncSession, expire_on_commit=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture
async def session(session_factory):
    async with session_factory() as s:
        yield s


def make_settings(**over) -> Settings:
    values = {"app_env": "test", "secret_key": TEST_SECRET, "demo_data": False,
              "database_url": "postgresql+asyncpg://unused/unused"}
    values.update(over)
    return Settings(**values)


@pytest.fixture
def settings(tmp_path) -> Settings:
    # Attachments a test stores go to its own folder, never under the checkout's var/.
    return make_settings(attachments_dir=tmp_path / "attachments")


@pytest.fixture
def app(settings, session_factory, engine):
    return create_app(settings, session_factory=session_factory, engine=engine)


@pytest.fixture
async def client(app):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def uid() -> str:
    return uuid.uuid4().hex[:8]


# What the application logged during the whole run, as it would reach the log file.
_LOG_LINES: list[str] = []
# Word boundaries: a random hex request id may hold a run of digits without being PII.
_ID_NUMBER = re.compile(r"(?<!\w)\d{12}(?!\w)")
_PHONE = re.compile(r"(?<![\w+])(?:\+84|84|0)[35789]\d{8}(?!\w)")
_BEARER = re.compile(r"eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+|Bearer\s+[\w.-]{20,}")


def capture_log_file(path) -> None:
    """The log file of a server or worker run as a process joins the run's logs, so it is
    checked for personal data like the rest."""
    _LOG_LINES.extend(path.read_text(errors="replace").splitlines())


class _Capture(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        _LOG_LINES.append(self.format(record))


@pytest.fixture(scope="session", autouse=True)
def no_personal_data_in_logs():
    """After the whole suite, the logs hold no ID number, phone number or bearer token."""
    from api.logs import JsonFormatter

    handler = _Capture(level=logging.DEBUG)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield
    root.removeHandler(handler)
    leaks = [line for line in _LOG_LINES
             if _ID_NUMBER.search(line) or _PHONE.search(line.replace(" ", ""))
             or _BEARER.search(line)]
    if _LOG_LINES:  # unit-only runs log nothing; any app test logs its requests
        assert any('"logger":"api.access"' in line for line in _LOG_LINES), "capture broken"
    assert not leaks, f"personal data or tokens in logs: {leaks[:3]}"
