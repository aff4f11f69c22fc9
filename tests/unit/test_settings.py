"""Production refuses the development defaults, and says why."""

from __future__ import annotations

import pytest

from api.settings import Settings, UnsafeSettingsError


def test_production_refuses_sqlite_and_default_secret(tmp_path):
    settings = Settings(app_env="production", var_dir=tmp_path, database_url="", secret_key="")
    with pytest.raises(UnsafeSettingsError) as err:
        settings.check_production()
    assert "SQLite" in str(err.value) and "SECRET_KEY" in str(err.value)


def test_production_accepts_postgres_and_a_real_secret():
    Settings(app_env="production", database_url="postgresql+asyncpg://u@h/db",
             secret_key="s" * 48, demo_data=False).check_production()


def test_development_defaults_to_sqlite_under_var(tmp_path):
    settings = Settings(app_env="development", var_dir=tmp_path, database_url="")
    assert settings.effective_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.demo_enabled
    first = settings.signing_secret
    assert first == Settings(var_dir=tmp_path).signing_secret  # kept across restarts
