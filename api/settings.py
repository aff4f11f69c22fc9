"""Settings from the environment (and an optional `.env`), through pydantic-settings."""

from __future__ import annotations

import hashlib
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.tickets.calendar import DEFAULT_HOURS, parse_hours

_DEFAULT_SECRETS = {"", "change-me", "secret", "changeme", "dev"}


class UnsafeSettingsError(RuntimeError):
    """Raised when `APP_ENV=production` meets a setting that is only fit for development."""


class Settings(BaseSettings):
    """Every knob the service reads; names match the README's configuration table."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    app_env: Literal["development", "test", "production"] = "development"
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    var_dir: Path = Path("var")
    secret_key: str = ""
    admin_username: str = "admin"
    admin_password: str = ""
    demo_data: bool | None = None
    demo_password: str = ""
    demo_seed: int = 684
    # Reconciliation: a run over at most this many list rows finishes inside its request.
    reconcile_inline_rows: int = Field(default=5000, ge=0)
    # The election summary warns this many days before the list posting / amendment dates.
    election_warning_days: int = Field(default=7, ge=0, le=90)
    cors_origins: str = ""
    log_level: str = "INFO"

    db_pool_size: int = Field(default=10, ge=1, le=100)
    db_max_overflow: int = Field(default=5, ge=0, le=100)
    db_pool_timeout: float = Field(default=5.0, gt=0)
    db_connect_timeout: float = Field(default=5.0, gt=0)
    db_statement_timeout_ms: int = Field(default=30_000, ge=0)

    jwt_issuer: str = "digital-street"
    jwt_audience: str = "digital-street-api"
    jwt_algorithm: Literal["HS256", "RS256", "ES256"] = "HS256"
    jwt_private_key_file: Path | None = None
    jwt_previous_keys_dir: Path | None = None
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=900)
    refresh_token_ttl_seconds: int = Field(default=14 * 24 * 3600, ge=300)

    audit_seal_interval_seconds: int = Field(default=1, ge=1, le=3600)
    # Background jobs: None runs them inside `serve` on SQLite only (a newcomer needs
    # nothing else); on PostgreSQL `python -m api.cli worker` runs them.
    jobs_in_process: bool | None = None
    job_heartbeat_seconds: float = Field(default=10.0, gt=0, le=300)
    worker_concurrency: int = Field(default=4, ge=1, le=32)

    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_import_bytes: int = Field(default=512 * 1_048_576, ge=1024)
    # Tickets' attachments: kept on disk, not in the database (None: under VAR_DIR).
    attachments_dir: Path | None = None
    max_attachment_bytes: int = Field(default=10 * 1_048_576, ge=1024)
    # Tickets' service targets count these working hours (Asia/Ho_Chi_Minh), minus the
    # holidays of `work_holiday`; a resolved or closed ticket reopens within this many days.
    work_hours: str = DEFAULT_HOURS
    ticket_reopen_days: int = Field(default=14, ge=0, le=3650)
    # Hold every answer to the OpenAPI document (api/conformance.py): None is on outside
    # production; benchmarks turn it off to measure what production runs.
    check_conformance: bool | None = None

    @field_validator("work_hours")
    @classmethod
    def _working_hours(cls, value: str) -> str:
        parse_hours(value)  # CalendarInvalid (a ValueError) says what is wrong at start
        return value

    @property
    def checks_conformance(self) -> bool:
        if self.check_conformance is None:
            return self.app_env != "production"
        return self.check_conformance

    @property
    def attachments_path(self) -> Path:
        return self.attachments_dir or self.var_dir / "attachments"

    @property
    def runs_jobs_in_process(self) -> bool:
        return self.is_sqlite if self.jobs_in_process is None else self.jobs_in_process

    @cached_property
    def effective_database_url(self) -> str:
        """The configured URL, or an SQLite file under `var/` so `make run` needs no server."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.var_dir / 'digital_street.sqlite3').as_posix()}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def demo_enabled(self) -> bool:
        return self.demo_data if self.demo_data is not None else self.app_env == "development"

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @cached_property
    def signing_secret(self) -> str:
        """SECRET_KEY, or in development a random one kept under `var/` across restarts."""
        if self.secret_key:
            return self.secret_key
        if self.app_env == "production":
            raise UnsafeSettingsError("SECRET_KEY is not set")
        path = self.var_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(48)
        path.write_text(value)
        path.chmod(0o600)
        return value

    @cached_property
    def cursor_secret(self) -> bytes:
        """What list cursors are signed with: the same for every worker of the service."""
        if self.secret_key:
            return self.secret_key.encode()
        if self.jwt_private_key_file:
            return hashlib.sha256(self.jwt_private_key_file.read_bytes()).digest()
        return self.signing_secret.encode()

    def check_production(self) -> None:
        """Refuse settings that are unsafe in production, saying which and why."""
        if self.app_env != "production":
            return
        problems = []
        if self.is_sqlite:
            problems.append(
                "DATABASE_URL points at the embedded SQLite file; production needs "
                "postgresql+asyncpg://..."
            )
        if self.jwt_algorithm == "HS256" and (
            self.secret_key.lower() in _DEFAULT_SECRETS or len(self.secret_key) < 32
        ):
            problems.append(
                "SECRET_KEY is unset, a default or shorter than 32 characters; "
                "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if self.demo_data:
            problems.append("DEMO_DATA is on; demo accounts must never exist in production")
        if problems:
            raise UnsafeSettingsError(
                "refusing to start with APP_ENV=production: " + "; ".join(problems)
            )


def get_settings() -> Settings:
    return Settings()
