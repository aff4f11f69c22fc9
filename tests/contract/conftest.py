"""The contract as clients meet it: a real server (`python -m api.cli serve`) on its own
PostgreSQL database with the demo group loaded, reached over HTTP only."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests import db
from tests.conftest import capture_log_file
from tests.fault.processes import ROOT, AppProcess

DEMO_PASSWORD = "contract-demo-password"
SPA_ORIGIN = "http://127.0.0.1:5178"  # the SPA example's origin: the only one CORS allows


def required(message: str) -> None:
    """A missing tool fails the run on CI (where `make test` installs it) and skips elsewhere."""
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@dataclass
class LiveServer:
    base: str  # http://127.0.0.1:<port>
    process: AppProcess
    demo_password: str = DEMO_PASSWORD

    def token(self, username: str, password: str | None = None) -> str:
        answer = httpx.post(self.base + "/api/v1/auth/token", timeout=30, data={
            "grant_type": "password", "username": username,
            "password": password or self.demo_password})
        answer.raise_for_status()
        return answer.json()["access_token"]


@contextlib.asynccontextmanager
async def serve(pg_server: str, name: str, var_dir: Path) -> AsyncIterator[LiveServer]:
    """A server on a fresh database `name`, with demo data, jobs run in its process, CORS for
    the SPA example's origin only; stopped and its database dropped on the way out."""
    url = await db.fresh_database(pg_server, name)
    app = AppProcess("serve", url, var_dir, DEMO_DATA="true",
                     DEMO_PASSWORD=DEMO_PASSWORD, JOBS_IN_PROCESS="true",
                     CORS_ORIGINS=SPA_ORIGIN)
    try:
        await app.ready(180)
        yield LiveServer(app.base, app)
    finally:
        app.proc.terminate()
        try:
            app.proc.wait(30)
        except subprocess.TimeoutExpired:
            app.proc.kill()
        capture_log_file(app.log)  # checked for personal data with the rest of the run
        await db.drop_database(pg_server, name)


@pytest.fixture(scope="session")
async def live_server(pg_server: str, worker_id: str, testrun_uid: str, tmp_path_factory):
    """One server per test worker, shared by the contract checks."""
    name = f"ds_live_{testrun_uid[:8]}_{worker_id}"
    async with serve(pg_server, name, tmp_path_factory.mktemp("live")) as server:
        yield server


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """The project's npm packages (`make test` installs them from package-lock.json)."""
    if shutil.which("node") is None:
        required("Node.js is not installed")
    folder = ROOT / "node_modules"
    if not (folder / ".bin").is_dir():
        required("npm packages are not installed: run `make test` (npm ci)")
    return folder


def npx(node_modules: Path, tool: str, *args: str, timeout: float = 300,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run an installed npm tool from the project's root; its output comes back as text."""
    return subprocess.run(  # noqa: S603 - our own installed tool, fixed arguments
        [str(node_modules / ".bin" / tool), *args], cwd=ROOT, capture_output=True, text=True,
        timeout=timeout, check=False, env={**os.environ, **(env or {})})
