"""The database goes away under write load, and comes back: what a client sees, and what is
stored afterwards.

A throwaway PostgreSQL cluster owned by this test (never the shared server), the real API
server as a process, and a few clients each creating households one after another, every
logical write with its own Idempotency-Key, retried with the same key and body on a 5xx or a
broken connection (after the answer's Retry-After) until it is acknowledged. Meanwhile the
cluster is restarted (`pg_ctl restart -m fast`) and twice crashed (`stop -m immediate`) and
started again a few seconds later. Then, read straight from the cluster:

- no answer is a 500 (or any 5xx but 503), every 503 is a problem with Retry-After, every
  4xx a problem, and the server never breaks a connection;
- every logical write is acknowledged, within BOUND seconds of the cluster answering again;
- each acknowledged write is stored once, as the row its answer named (none lost, none
  twice), and a write never acknowledged is not stored (nothing behind an error answer);
- no Idempotency-Key stays "in progress" after the cluster is back.

All checks are made and reported together, with the figures (recovery times, answers)."""

from __future__ import annotations

import asyncio
import logging
import os
import pwd
import statistics
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import asyncpg
import httpx
import pytest
from alembic import command

from tests import db
from tests.conftest import alembic_config
from tests.fault.processes import (
    AppProcess,
    Cluster,
    admin_headers,
    answers,
    make_group,
    postgres_bindir,
    runuser,
)

CLIENTS = 6  # concurrent writers
UP_SECONDS = 5.0  # load on a healthy cluster between and after the outages (2 s before)
DOWN_SECONDS = 3.0  # how long a crashed cluster stays down
BOUND = 15.0  # a pending write is acknowledged at most this long after the cluster is back
GIVE_UP = BOUND + 1  # after the last recovery, a write still unacknowledged is abandoned
IN_PROGRESS = "idempotency_key_in_progress"


@dataclass
class Answer:
    sent: float
    at: float
    status: int | None = None  # None: no HTTP answer (`error` says what happened)
    code: str | None = None
    retry_after: str | None = None
    problem: bool = False  # application/problem+json
    replayed: bool = False
    request_id: str | None = None
    error: str | None = None


@dataclass
class Write:
    key: str
    house_number: str
    answers: list[Answer] = field(default_factory=list)
    acked_id: str | None = None
    acked_at: float | None = None


@dataclass
class Outage:
    how: str
    down: float  # when the stop (or restart) began
    up: float  # when the cluster accepted a connection again


@dataclass
class Load:
    deadline: float = float("inf")  # set once the last outage is over
    writes: list[Write] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)


@pytest.fixture
def quiet_client():
    """httpx logs every request at INFO: thousands of lines in the run's log capture."""
    logger = logging.getLogger("httpx")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture
async def cluster():
    bindir, message = postgres_bindir(), None
    if bindir is None:
        message = "no PostgreSQL server binaries (initdb, pg_ctl) to run a throwaway cluster"
    elif os.geteuid() == 0 and not (runuser() and _user_exists("postgres")):
        message = "as root, PostgreSQL runs as the user postgres: needs runuser and that user"
    if bindir is None or message is not None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    pg = Cluster(bindir)
    try:
        await asyncio.to_thread(pg.init)
        await asyncio.to_thread(pg.start)
        url = await db.fresh_database(pg.server_url, "ds_fault")
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        yield pg, url
    finally:
        await asyncio.to_thread(pg.destroy)


@pytest.fixture
async def server(cluster, tmp_path):
    _, url = cluster
    app = AppProcess("serve", url, tmp_path)
    try:
        await app.ready()
        yield app
    finally:
        app.terminate()


async def _answering(url: str) -> float:
    """When the cluster accepts a connection to the app's database again."""
    plain = url.replace("postgresql+asyncpg://", "postgresql://")
    for _ in range(1200):
        if await answers(plain):
            return time.monotonic()
        await asyncio.sleep(0.05)
    raise AssertionError("the cluster did not come back")


async def _outages(pg: Cluster, url: str, load: Load) -> list[Outage]:
    done = []
    await asyncio.sleep(2)
    down = time.monotonic()
    await asyncio.to_thread(pg.restart, "fast")
    done.append(Outage("pg_ctl restart -m fast", down, await _answering(url)))
    for i in (1, 2):
        await asyncio.sleep(UP_SECONDS)
        down = time.monotonic()
        await asyncio.to_thread(pg.stop, "immediate")
        await asyncio.sleep(DOWN_SECONDS)
        await asyncio.to_thread(pg.start)
        done.append(Outage(f"pg_ctl stop -m immediate #{i}, {DOWN_SECONDS:.0f} s down, start",
                           down, await _answering(url)))
    load.deadline = done[-1].up + GIVE_UP
    await asyncio.sleep(UP_SECONDS)
    return done


async def _attempt(client: httpx.AsyncClient, headers: dict, group: str, write: Write) -> float:
    """One POST of `write`; how long to wait before the next attempt, or -1 when done."""
    sent = time.monotonic()
    try:
        resp = await client.post(
            "/api/v1/households", json={"group_id": group, "house_number": write.house_number},
            headers=headers | {"Idempotency-Key": write.key})
    except httpx.TransportError as exc:  # the server broke the connection, or never answered
        write.answers.append(Answer(sent, time.monotonic(), error=type(exc).__name__))
        return 0.5
    problem = resp.headers.get("content-type", "").startswith("application/problem+json")
    body = resp.json() if problem or resp.status_code < 300 else {}
    answer = Answer(sent, time.monotonic(), resp.status_code,
                    body.get("code") if problem else None, resp.headers.get("retry-after"),
                    problem, resp.headers.get("idempotency-replayed") == "true",
                    body.get("request_id"))
    write.answers.append(answer)
    if 200 <= resp.status_code < 300:
        write.acked_id, write.acked_at = body["id"], answer.at
        return -1
    if resp.status_code < 500 and answer.code != IN_PROGRESS and resp.status_code != 429:
        return -1  # a final refusal: nothing to retry (and a check reports it)
    try:
        return min(max(float(answer.retry_after or 1), 0.1), 5.0)
    except ValueError:
        return 1.0


async def _writer(client: httpx.AsyncClient, headers: dict, group: str, name: str,
                  load: Load) -> None:
    n = 0
    while not load.stop.is_set():
        n += 1
        write = Write(f"fault-{name}-{n}-{uuid.uuid4().hex[:8]}", f"F{name}-{n}")
        load.writes.append(write)
        while (pause := await _attempt(client, headers, group, write)) >= 0:
            if time.monotonic() + pause > load.deadline:
                break  # abandoned: reported, and must not be stored
            await asyncio.sleep(pause)


def _latest_up(outages: list[Outage], at: float) -> float | None:
    ups = [o.up for o in outages if o.up <= at]
    return ups[-1] if ups else None


def _checks(writes: list[Write], outages: list[Outage], stored: dict[str, list[str]],
            server_status: int | None) -> tuple[list[str], list[str]]:
    """The failed checks (each precise) and the figures measured."""
    failed: list[str] = []
    answers = [a for w in writes for a in w.answers]

    def check(name: str, bad: list, show=lambda x: x) -> None:
        if bad:
            failed.append(f"{name}: {len(bad)}, e.g. {[show(b) for b in bad[:3]]}")

    check("server exited during the test", [server_status] if server_status is not None else [])
    check("the outages went unnoticed (not one attempt failed: nothing was tested)",
          [] if any(a.status is None or a.status >= 300 for a in answers) else ["no failure"])
    check("answers 5xx other than 503 (a 500 is a bug)",
          [a for a in answers if a.status is not None and a.status >= 500 and a.status != 503],
          lambda a: (a.status, a.code, a.request_id))
    check("503 without problem+json or a Retry-After in seconds",
          [a for a in answers if a.status == 503
           and not (a.problem and (a.retry_after or "").isdigit())],
          lambda a: (a.code, a.retry_after, a.problem))
    check("4xx not problem+json", [a for a in answers if a.status and 400 <= a.status < 500
                                    and not a.problem], lambda a: a.status)
    check("connections broken by the server (no HTTP answer)",
          [a for a in answers if a.error], lambda a: a.error)
    check("final 4xx refusals of a valid write",
          [w for w in writes if w.acked_id is None and w.answers
           and w.answers[-1].status is not None and w.answers[-1].status < 500
           and w.answers[-1].code != IN_PROGRESS],
          lambda w: (w.key, w.answers[-1].status, w.answers[-1].code))
    check("writes never acknowledged (abandoned after retrying)",
          [w for w in writes if w.acked_id is None],
          lambda w: (w.key, Counter(a.code or a.status or a.error for a in w.answers)))
    check("acknowledged writes lost (no row, or not the row the answer named)",
          [w for w in writes if w.acked_id is not None and w.acked_id not in
           stored.get(w.house_number, [])],
          lambda w: (w.key, w.acked_id, stored.get(w.house_number)))
    check("writes stored more than once",
          [w for w in writes if len(stored.get(w.house_number, [])) > 1],
          lambda w: (w.key, len(stored[w.house_number]),
                     Counter(a.code or a.status for a in w.answers)))
    check("writes stored behind an error answer (never acknowledged, yet stored)",
          [w for w in writes if w.acked_id is None and stored.get(w.house_number)],
          lambda w: (w.key, [a.code or a.status for a in w.answers][-3:]))
    written = {w.house_number for w in writes}
    check("rows stored that no client wrote", [h for h in stored if h not in written])
    check(f"Idempotency-Keys stuck in progress: writes still answered {IN_PROGRESS} when"
          f" abandoned, {GIVE_UP:.0f} s after the cluster was back",
          [w for w in writes if w.acked_id is None and w.answers
           and w.answers[-1].code == IN_PROGRESS],
          lambda w: (w.key, sum(a.code == IN_PROGRESS for a in w.answers)))

    figures, slow = [], []
    for outage in outages:
        pending = [w for w in writes if w.answers and w.answers[0].sent < outage.up
                   and (w.acked_at is None or w.acked_at > outage.up)]
        delays = [(w.acked_at or float("inf")) - outage.up for w in pending]
        slow += [(outage.how, w.key) for w, d in zip(pending, delays, strict=True) if d > BOUND]
        finite = [d for d in delays if d != float("inf")]
        figures.append(
            f"{outage.how}: down {outage.up - outage.down:.1f} s; {len(pending)} writes pending"
            f" at recovery, acknowledged after {statistics.median(finite) if finite else 0:.1f}"
            f" s median, {max(finite) if finite else 0:.1f} s max"
            f"{f', {len(delays) - len(finite)} never' if len(finite) < len(delays) else ''}")
    check(f"pending writes not acknowledged within {BOUND:.0f} s of recovery", slow)
    statuses = Counter(a.code or a.status or a.error for a in answers)  # a problem's code
    figures.append(f"{len(writes)} logical writes, {len(answers)} attempts: {dict(statuses)};"
                   f" {sum(a.replayed for a in answers)} replayed; {sum(map(len, stored.values()))}"
                   f" rows stored")
    return failed, figures


async def test_writes_survive_postgres_restarts_and_crashes(cluster, server, quiet_client):
    pg, url = cluster
    load = Load()
    limits = httpx.Limits(max_connections=CLIENTS + 2, keepalive_expiry=1.0)  # < uvicorn's 5 s
    async with httpx.AsyncClient(base_url=server.base, timeout=30, limits=limits) as client:
        headers = await admin_headers(client)
        group = await make_group(client, headers, "72001")
        writers = [asyncio.create_task(_writer(client, headers, group, str(i), load))
                   for i in range(CLIENTS)]
        try:
            outages = await _outages(pg, url, load)
        finally:
            load.stop.set()  # no new writes; the pending ones retry until acknowledged
            load.deadline = min(load.deadline, time.monotonic() + GIVE_UP)  # or abandoned
            await asyncio.gather(*writers)
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await conn.fetch("SELECT house_number, id FROM household WHERE group_id = $1",
                                uuid.UUID(group))
    finally:
        await conn.close()
    stored: dict[str, list[str]] = {}
    for row in rows:
        stored.setdefault(row["house_number"], []).append(str(row["id"]))
    failed, figures = _checks(load.writes, outages, stored, server.proc.poll())
    figures.append(f"server's error lines: {dict(server.logged_errors().most_common(5))}")
    print("\n".join(["", "postgres restart fault test:", *figures]))
    assert not failed, "\n".join(["", *failed, "figures:", *figures])
