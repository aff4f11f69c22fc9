"""Real processes for the fault tests: a PostgreSQL cluster the test owns (started, restarted,
crashed and started again at will) and the API server or the job worker as subprocesses."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[2]
SECRET = "fault-secret-" + "y" * 40
ADMIN_PASSWORD = "fault-admin-password"


def runuser() -> str | None:
    """util-linux's runuser, also where a user's PATH leaves out the sbin folders."""
    return shutil.which("runuser") or shutil.which("runuser", path="/usr/sbin:/sbin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bindir() -> Path | None:
    """The PostgreSQL server binaries: `pg_config --bindir`, else the newest Debian ones."""
    found = []
    if pg_config := shutil.which("pg_config"):
        out = subprocess.run([pg_config, "--bindir"],  # noqa: S603 - found on PATH
                             capture_output=True, text=True, check=False)
        found.append(Path(out.stdout.strip()))
    found += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    return next((d for d in found if (d / "initdb").exists() and (d / "pg_ctl").exists()),
                None)


class Cluster:
    """A throwaway cluster in a temporary folder: its own port, its socket in that folder,
    fsync on (durability is what is tested). PostgreSQL refuses to run as root: as root the
    folder belongs to `postgres` and every command runs as that user."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="ds-fault-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")  # KeyError: no such user, the caller skips
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self.as_user = [runuser() or "runuser", "-u", "postgres", "--"]

    @property
    def server_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _pg(self, tool: str, *args: str, timeout: float = 60) -> None:
        proc = subprocess.run([*self.as_user, str(self.bindir / tool), *args],  # noqa: S603
                              capture_output=True, text=True, timeout=timeout, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{tool} {' '.join(args)} failed ({proc.returncode}): "
                               f"{proc.stderr.strip() or proc.stdout.strip()}\n{self.log_tail()}")

    def init(self) -> None:
        self._pg("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
                 "-E", "UTF8", "--locale=C.UTF-8")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.root}'\n"
                       "fsync = on\nsynchronous_commit = on\nfull_page_writes = on\n"
                       "max_connections = 100\nshared_buffers = 32MB\n")

    def pg_ctl(self, *args: str) -> None:
        self._pg("pg_ctl", *args, "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60")

    def start(self) -> None:
        self.pg_ctl("start")

    def stop(self, mode: str) -> None:
        self.pg_ctl("stop", "-m", mode)

    def restart(self, mode: str) -> None:
        self.pg_ctl("restart", "-m", mode)

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(Exception):  # already down: remove the folder anyway
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


async def answers(url: str) -> bool:
    try:
        conn = await asyncpg.connect(url, timeout=2)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await conn.close()
    return True


class AppProcess:
    """`python -m api.cli serve` or `worker` on `database_url` (SQLAlchemy form), its log in
    a file: a pipe nobody reads fills up and stops the process mid-write."""

    def __init__(self, command: str, database_url: str, var_dir: Path, **env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = var_dir / f"{command}.log"
        var_dir.mkdir(parents=True, exist_ok=True)
        environment = {**os.environ, "DATABASE_URL": database_url, "APP_ENV": "test",
                       "SECRET_KEY": SECRET, "DEMO_DATA": "false", "VAR_DIR": str(var_dir),
                       "HOST": "127.0.0.1", "PORT": str(self.port),
                       "ADMIN_USERNAME": "admin", "ADMIN_PASSWORD": ADMIN_PASSWORD, **env}
        environment.pop("TEST_DATABASE_URL", None)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed code
                [sys.executable, "-m", "api.cli", command], cwd=ROOT, env=environment,
                stdout=log, stderr=log)

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def logged_errors(self) -> Counter:
        """The errors it logged: message, exception, and the last of our frames it passed."""
        found: Counter = Counter()
        for line in self.log.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if not isinstance(entry, dict) or entry.get("level") not in ("error", "critical"):
                continue
            trace = (entry.get("exception") or "").strip().splitlines()
            ours = [f.strip().split(", in ")[0] for f in trace
                    if f.strip().startswith("File") and str(ROOT) in f and ".venv" not in f]
            raised = [t for t in trace if re.match(r"[\w.]+(Error|Exception)\b", t)]
            found[(entry.get("message", "").strip(), raised[-1][:160] if raised else None,
                   ours[-1].replace(str(ROOT) + "/", "") if ours else None)] += 1
        return found

    async def ready(self, seconds: float = 60) -> None:
        """Wait for /readyz to answer 200 (the server migrated, bootstrapped and serves)."""
        deadline = time.monotonic() + seconds
        async with httpx.AsyncClient(base_url=self.base, timeout=5) as client:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"the server exited with {self.proc.returncode}:\n"
                                       f"{self.log_tail()}")
                try:
                    if (await client.get("/readyz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"the server was not ready within {seconds} s:\n{self.log_tail()}")

    async def wait(self, seconds: float = 60) -> int:
        """Its exit status, once it exits."""
        try:
            return await asyncio.to_thread(self.proc.wait, seconds)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running after {seconds} s:\n{self.log_tail()}") from None

    def terminate(self) -> None:
        """Always: SIGTERM, then SIGKILL if it does not stop; its log joins the run's."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        from tests.conftest import capture_log_file

        capture_log_file(self.log)


async def admin_headers(client: httpx.AsyncClient) -> dict[str, str]:
    resp = await client.post("/api/v1/auth/token", data={
        "grant_type": "password", "username": "admin", "password": ADMIN_PASSWORD})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}"}


async def make_group(client: httpx.AsyncClient, headers: dict[str, str], tag: str) -> str:
    """A province, a commune and a residential group in it, through the API; the group id."""
    parent = None
    for kind, code in (("province", tag[:2]), ("ward", tag[:5]), ("neighbourhood", None)):
        body = {"kind": kind, "name": f"Đơn vị {kind} {tag}", "parent_id": parent}
        if code:
            body["code"] = code
        resp = await client.post("/api/v1/units", json=body, headers=headers)
        assert resp.status_code == 201, resp.text
        parent = resp.json()["id"]
    assert parent is not None
    return parent
