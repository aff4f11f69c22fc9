"""Pieces for HTTP-vs-bare-SQL benchmarks: the load driver, a statement recorder standing in for
the session, the API server as a subprocess, tokens, and RSS/SQL sampling of the server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import psutil

from auth.passwords import hash_password
from domain.access import Role
from domain.types import uuid7
from repositories.direct import prepared

ROOT = Path(__file__).resolve().parents[1]
API = "/api/v1"


def cpu(proc: psutil.Process) -> float:
    return sum(proc.cpu_times()[:2])


@dataclass
class Run:
    """Latencies, wall time, status codes and CPU (server, client) of one measured case.

    A case driven by wrk has no per-request latencies: each slice keeps its request count and
    wrk's p50/p95/p99, and the percentiles shown are their request-weighted means."""

    name: str
    conc: int
    lat: list[float] = field(default_factory=list)
    wall: float = 0.0
    cpu: list[float] = field(default_factory=lambda: [0.0, 0.0])
    codes: Counter = field(default_factory=Counter)
    slices: list[tuple[int, dict[float, float]]] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.lat) + sum(count for count, _ in self.slices)

    def ms(self, q: float) -> float:
        if self.slices:
            total = sum(count for count, _ in self.slices)
            return sum(count * pct[q] for count, pct in self.slices) / total * 1e3
        return statistics.quantiles(self.lat, n=100, method="inclusive")[round(q * 100) - 1] * 1e3

    def row(self, section: str, ref: Run | None, median_ratio: bool = False) -> str:
        """A Markdown row; with `ref`, how much slower `ref` is (or this, `median_ratio`)."""
        n, ratio = self.n, ""
        if ref is not None:
            rps = n / self.wall / (ref.n / ref.wall)
            ratio = (f"**{self.ms(.5) / ref.ms(.5):.2f}× median**" if median_ratio else
                     f"{ref.ms(.5) / self.ms(.5):.1f}× p50, {rps:.2f}× rps")
        bad = sum(k for c, k in self.codes.items() if not 200 <= c < 300)
        return (f"| {section} | {self.name} | {n:,} | {self.conc} | {n / self.wall:,.1f} | "
                f"{self.ms(.5):.1f} | {self.ms(.95):.1f} | {self.ms(.99):.1f} | {bad} | "
                f"{self.cpu[0] / n * 1e3:.2f} · {self.cpu[1] / n * 1e3:.2f} | {ratio} |")


WRK_SCRIPT = """paths = {%s}
n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %%d %%d %%d %%d %%f %%f %%f\\n", summary.requests,
    summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass
class Wrk:
    """GET requests from wrk (C, one thread) over keep-alive connections, cycling `paths`.

    On two shared cores a Python HTTP client spends as much CPU per request as the server
    does and takes it from the server and the database; wrk takes almost none."""

    base: str
    paths: list[str]
    headers: dict[str, str]
    seconds: float = 5.0

    async def drive(self, run: Run | None, conc: int, server: psutil.Process) -> None:
        script = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-wrk-{os.getpid()}.lua"
        script.write_text(WRK_SCRIPT % ", ".join(f'"{p}"' for p in self.paths))
        headers = [a for k, v in self.headers.items() for a in ("-H", f"{k}: {v}")]
        c0, k0 = cpu(server), _children_cpu()
        proc = await asyncio.create_subprocess_exec(
            "wrk", "-t1", f"-c{conc}", f"-d{max(1, round(self.seconds))}s", "-s", str(script),
            *headers, self.base, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out = (await proc.communicate())[0].decode()
        line = next((x for x in out.splitlines() if x.startswith("WRK ")), None)
        if line is None:
            raise RuntimeError(f"wrk failed: {out[-500:]}")
        count, micros, bad, broken, p50, p95, p99 = line.split()[1:]
        if run is None:
            return
        run.slices.append((int(count), {.5: float(p50) / 1e6, .95: float(p95) / 1e6,
                                         .99: float(p99) / 1e6}))
        run.wall += int(micros) / 1e6
        run.codes[200] += int(count) - int(bad) - int(broken)
        run.codes[500] += int(bad)  # wrk counts non-2xx/3xx responses, not which
        run.codes[599] += int(broken)
        run.cpu = [run.cpu[0] + cpu(server) - c0, run.cpu[1] + _children_cpu() - k0]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def drive(run: Run | None, call, items, conc: int, server: psutil.Process) -> None:
    """`conc` workers share one iterator of items; run None: a warm-up, nothing kept."""
    it, me = iter(items), psutil.Process()
    started, c0 = time.perf_counter(), (cpu(server), cpu(me))

    async def worker() -> None:
        for item in it:
            t = time.perf_counter()
            code = await call(item)
            if run is not None:
                run.lat.append(time.perf_counter() - t)
                run.codes[code] += 1

    await asyncio.gather(*(worker() for _ in range(conc)))
    if run is not None:
        run.wall += time.perf_counter() - started
        run.cpu = [run.cpu[0] + cpu(server) - c0[0], run.cpu[1] + cpu(me) - c0[1]]


async def compare(runs: list, items: list, server: psutil.Process, rounds: int = 4) -> None:
    """Warm each (run, call) up, then alternate them over `rounds` slices of the same items;
    a `Wrk` call runs `seconds` per slice instead of a share of the items."""
    for run, call in runs:
        if isinstance(call, Wrk):
            await Wrk(call.base, call.paths, call.headers, 2.0).drive(None, run.conc, server)
        else:
            await drive(None, call, items[: max(8, len(items) // 10)], run.conc, server)
    size = -(-len(items) // rounds)
    for r in range(rounds):
        for run, call in runs:
            if isinstance(call, Wrk):
                await call.drive(run, run.conc, server)
            else:
                await drive(run, call, items[r * size:(r + 1) * size], run.conc, server)


class RecordingRun:
    """Stands in for a `Run` (repositories/direct.py) and keeps the SQL and arguments that
    asyncpg would be given."""

    dialect = "postgresql"

    def __init__(self) -> None:
        self.statements: list[tuple[str, list]] = []

    async def fetch(self, stmt, params=None) -> list:
        self.statements.append(prepared(stmt, params))
        return []

    async def fetchrow(self, stmt, params=None) -> dict:
        self.statements.append(prepared(stmt, params))
        return {}

    async def fetchval(self, stmt, params=None) -> int:
        self.statements.append(prepared(stmt, params))
        return 0

    async def execute(self, stmt, params=None) -> None:
        self.statements.append(prepared(stmt, params))


async def recorded_run(function, *args, **kwargs) -> list[tuple[str, list]]:
    """[(SQL, arguments)] of `function(run, ...)` as asyncpg receives them."""
    run = RecordingRun()
    await function(run, *args, **kwargs)
    return run.statements


# The server's secret: cursors the benchmark writes itself must be signed with it.
SECRET_KEY = "bench-harness-" + "k" * 40


def start_server(dsn: str, out: Path, extra: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """`python -m api.cli serve` (migrate, bootstrap, ONE uvicorn worker) on a free port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": dsn.replace("postgresql://", "postgresql+asyncpg://"),
           "CHECK_CONFORMANCE": "false",
           "APP_ENV": "test", "DEMO_DATA": "false", "SECRET_KEY": SECRET_KEY,
           "HOST": "127.0.0.1", "PORT": str(port), "LOG_LEVEL": "WARNING",
           "VAR_DIR": str(out / "var"),
           # Imports and sealing run by this same process, as they did before the job queue,
           # so figures stay comparable (in production `python -m api.cli worker` runs them).
           "JOBS_IN_PROCESS": "true", **extra}
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve"], cwd=ROOT, env=env,
                            stdout=(out / "server.log").open("w"), stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}"


async def wait_ready(client: httpx.AsyncClient, proc: subprocess.Popen) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}); see its server.log")
        with contextlib.suppress(httpx.HTTPError):
            if (await client.get("/readyz")).status_code == 200:
                return
        await asyncio.sleep(0.2)
    raise RuntimeError("server not ready after 120 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=45)
    except subprocess.TimeoutExpired:
        proc.kill()


async def no_reset(conn) -> None:
    """As the app's own pool (repositories/direct.py): no reset query on every release."""


async def ensure_account(conn, username: str, role: Role, unit: uuid.UUID | None,
                         password: str) -> uuid.UUID:
    """The benchmark's account, made or reset (password, role, its one unit), idempotently."""
    uid = await conn.fetchval(
        "INSERT INTO user_account (id, created_at, updated_at, version, username, display_name,"
        " password_hash, role, token_epoch) VALUES ($1, now(), now(), 1, $2, $2, $3, $4, 0)"
        " ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash,"
        " role = EXCLUDED.role, disabled_at = NULL RETURNING id",
        uuid7(), username, await hash_password(password), role.value)
    await conn.execute("DELETE FROM user_unit WHERE user_id = $1", uid)
    if unit is not None:
        await conn.execute("INSERT INTO user_unit (user_id, unit_id) VALUES ($1, $2)", uid, unit)
    await conn.execute("DELETE FROM login_throttle WHERE key = $1", f"user:{username}")
    return uid


class Tokens:
    """Access tokens from POST /auth/token per account, renewed after 10 minutes (they live 15)."""

    def __init__(self, client: httpx.AsyncClient, accounts: dict[str, str]) -> None:
        self.client, self.accounts, self.got, self.headers = client, accounts, {}, {}

    async def refresh(self) -> None:
        for name, password in self.accounts.items():
            if time.monotonic() - self.got.get(name, -1e9) > 600:
                r = await self.client.post(f"{API}/auth/token", data={
                    "grant_type": "password", "username": name, "password": password})
                r.raise_for_status()
                self.headers[name] = {"Authorization": f"Bearer {r.json()['access_token']}"}
                self.got[name] = time.monotonic()

    def get(self, who: str):
        """A call for the load driver: GET url as `who`, answering the status code."""
        async def call(url: str) -> int:
            for _ in range(2):  # after a 500 uvicorn closes the kept-alive connection: retry
                with contextlib.suppress(httpx.TransportError):
                    return (await self.client.get(url, headers=self.headers[who])).status_code
            return 599
        return call


def urlq(path: str, **params) -> str:
    return str(httpx.URL(f"{API}{path}", params=params))


class Sampler:
    """Server RSS every 0.5 s by phase; in phase "import" also the SQL its connections run."""

    def __init__(self, proc: psutil.Process, pool: asyncpg.Pool, pg_port: int) -> None:
        self.proc, self.pool, self.pg_port = proc, pool, pg_port
        self.phase, self.rss, self.sql = "reads", [], Counter()

    async def run(self) -> None:
        while True:
            with contextlib.suppress(psutil.Error):
                self.rss.append((self.phase, self.proc.memory_info().rss))
                if self.phase == "import":  # this server's connections, not other engineers'
                    ports = [c.laddr.port for c in self.proc.net_connections("tcp")
                             if c.raddr and c.raddr.port == self.pg_port]
                    for row in await self.pool.fetch(
                            "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 80) FROM"
                            " pg_stat_activity WHERE client_port = ANY($1::int[]) AND state ="
                            " 'active' AND query NOT LIKE 'UPDATE import_job%'", ports):
                        self.sql[row[0]] += 1
            await asyncio.sleep(0.5)

    def mib(self, phase: str) -> float:
        return max((r for p, r in self.rss if p == phase), default=0) / 2**20
