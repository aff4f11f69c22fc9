"""Outreach benchmark: 50 volunteers recording visits at once while an officer watches progress.

    .venv/bin/python -m bench.outreach [--database-url postgresql://postgres@127.0.0.1:5432/ds_bench]
        [--quick] [--seconds N]

In bench/population.py's province, the commune with the fewest campaigns (never "Phường Thử Nghiệm
1", which bench/register.py imports into): an admin creates through the API a ward officer and 50
volunteers (timestamped names; volunteer i in group i mod 15); the officer drafts a campaign over
all its groups (starting yesterday, VN time), starts it, assigns it `balanced`. Against ONE uvicorn
worker, for 60 s (15 s --quick), 50 volunteers walk their lists, one visit in flight each (met 80%,
1-3 residents with fraud_warning_given / invited_to_group / joined_group and consent; visited_at
in yesterday 07:00-19:00 +07:00, out of order), 5% of requests exact replays (→ 200); the officer
polls /progress every 100 ms, each poll followed by the bare counters SELECT (asyncpg); the
server's PostgreSQL sessions are sampled every 250 ms. Then both reads are timed on the quiet
server and the final progress is checked against counts over the raw visits and the service's
tables. Report: bench/out/outreach-latest.md; server log: bench/out/outreach-server.log.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import psutil

from auth.passwords import hash_password
from bench.population import _asyncpg_dsn
from domain.types import uuid7

ROOT = Path(__file__).resolve().parents[1]
OUT, LOG = ROOT / "bench" / "out", ROOT / "bench" / "out" / "outreach-server.log"
API, VN, VOLUNTEERS, AVOID = "/api/v1", ZoneInfo("Asia/Ho_Chi_Minh"), 50, "Phường Thử Nghiệm 1"
ADMIN, PASSWORD = "bench-outreach-admin", "bench-password-not-a-secret"
REACHED = ("met", "come_back_later", "refused")
ACTIONS = ("invited_to_group", "joined_group", "fraud_warning_given")
COUNTERS_SQL = ("SELECT dimension, key, metric, value FROM campaign_counter"
                " WHERE campaign_id = $1")
WAITS_SQL = ("SELECT state || coalesce(' ' || wait_event_type || ':' || wait_event, ''),"
             " left(regexp_replace(query, '\\s+', ' ', 'g'), 60) FROM pg_stat_activity"
             " WHERE client_port = ANY($1::int[]) AND state <> 'idle'")


async def ensure_admin(conn) -> None:
    await conn.execute(
        "INSERT INTO user_account (id, created_at, updated_at, version, username, display_name,"
        " password_hash, role, token_epoch) VALUES ($1, now(), now(), 1, $2, $2, $3, 'admin', 0)"
        " ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash,"
        " role = 'admin', disabled_at = NULL", uuid7(), ADMIN, await hash_password(PASSWORD))
    await conn.execute("DELETE FROM login_throttle WHERE key = $1", f"user:{ADMIN}")


def start_server(dsn: str) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": dsn.replace("postgresql://", "postgresql+asyncpg://"),
           "CHECK_CONFORMANCE": "false",
           "APP_ENV": "test", "DEMO_DATA": "false", "SECRET_KEY": "bench-outreach-" + "k" * 40,
           "HOST": "127.0.0.1", "PORT": str(port), "LOG_LEVEL": "WARNING",
           "VAR_DIR": str(OUT / "var-outreach")}
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve"], cwd=ROOT, env=env,
                            stdout=LOG.open("w"), stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}"


async def wait_ready(client: httpx.AsyncClient, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if (await client.get("/readyz")).status_code == 200:
                return
        await asyncio.sleep(0.2)
    raise RuntimeError(f"server not ready (exit code {proc.poll()}); see {LOG}")


def other_benches() -> set[str]:
    return {" ".join(p.info["cmdline"][1:]) for p in psutil.process_iter(["pid", "cmdline"])
            if p.pid != os.getpid() and "bench." in " ".join(p.info["cmdline"] or [])}


def ms(xs: list[float], q: int) -> float:
    return (statistics.quantiles(xs, n=100, method="inclusive")[q - 1] * 1e3 if len(xs) > 1
            else xs[0] * 1e3 if xs else float("nan"))


def pcts(xs: list[float]) -> str:
    return " / ".join(f"{ms(xs, q):.1f}" for q in (50, 95, 99))


@dataclass
class Stream:
    lat: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    codes: Counter = field(default_factory=Counter)  # (kind, status)
    bodies: dict = field(default_factory=lambda: defaultdict(list))  # (kind, status) -> bodies
    progress: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    progress_codes: Counter = field(default_factory=Counter)
    waits: Counter = field(default_factory=Counter)  # (state, wait, query) of server sessions
    samples: int = 0


def body_for(rng: random.Random, stop: dict, cvid: str, day: datetime) -> dict:
    roll = rng.random()
    outcome = ("met" if roll < .80 else "nobody_home" if roll < .90 else "come_back_later"
               if roll < .95 else "refused" if roll < .98 else "no_answer")
    people = []
    if outcome == "met" and stop["residents"]:
        for r in rng.sample(stop["residents"], min(len(stop["residents"]), rng.randint(1, 3))):
            actions = ["fraud_warning_given"] if rng.random() < .9 else []
            if rng.random() < .5 or not actions:
                actions.append("invited_to_group")
                if rng.random() < .6:
                    actions.append("joined_group")
            people.append({"resident_id": r["resident_id"], "actions": actions,
                           "consent": {"given": True, "method": "verbal"}})
    at = day + timedelta(hours=7, seconds=rng.randrange(12 * 3600))
    return {"client_visit_id": cvid, "household_id": stop["household_id"],
            "visited_at": at.isoformat(), "outcome": outcome, "residents": people,
            "follow_up_on": (day + timedelta(days=1)).date().isoformat()
            if outcome == "come_back_later" else None}


async def volunteer(client, url, headers, stops, idx, stamp, day, stop_at, st: Stream):
    rng, sent, n = random.Random(idx), [], 0
    while time.monotonic() < stop_at:
        if sent and rng.random() < .05:
            kind, body = "replay", rng.choice(sent)
        else:
            kind = "new"
            body = body_for(rng, stops[n % len(stops)], f"b{stamp}-{idx:02d}-{n:06d}", day)
            n += 1
        t = time.perf_counter()
        try:
            r = await client.post(url, headers=headers, json=body)
            code, text = r.status_code, r.text
        except httpx.HTTPError as exc:
            code, text = 599, repr(exc)
        st.lat[kind].append(time.perf_counter() - t)
        st.codes[kind, code] += 1
        if code == 201:
            sent.append(body)
        if (kind, code) not in (("new", 201), ("replay", 200)):
            st.lat[f"{kind} {code}"].append(st.lat[kind][-1])
            if len(st.bodies[kind, code]) < 3:
                st.bodies[kind, code].append(text[:400])


async def poll(client, url, headers, pool, cid, st: Stream) -> None:
    """GET /progress, then the bare counters SELECT; both timed."""
    t0 = time.perf_counter()
    try:
        code = (await client.get(url, headers=headers)).status_code
    except httpx.HTTPError:
        code = 599
    st.progress.append(time.perf_counter() - t0)
    st.progress_codes[code] += 1
    t1 = time.perf_counter()
    await pool.fetch(COUNTERS_SQL, cid)
    st.bare.append(time.perf_counter() - t1)


async def poller(client, url, headers, pool, cid, stop_at, st: Stream) -> None:
    while time.monotonic() < stop_at:
        t0 = time.perf_counter()
        await poll(client, url, headers, pool, cid, st)
        await asyncio.sleep(max(0.0, 0.1 - (time.perf_counter() - t0)))


async def sampler(pool, server: psutil.Process, pgport: int, stop_at, st: Stream) -> None:
    """Every 250 ms: what the server's own PostgreSQL sessions are doing or waiting for."""
    while time.monotonic() < stop_at:
        ports = [c.laddr.port for c in server.net_connections("tcp")
                 if c.raddr and c.raddr.port == pgport]
        st.waits.update(tuple(r) for r in await pool.fetch(WAITS_SQL, ports))
        st.samples += 1
        await asyncio.sleep(0.25)


async def gather_limited(n: int, coros) -> list:
    sem = asyncio.Semaphore(n)

    async def one(c):
        async with sem:
            return await c
    return await asyncio.gather(*(one(c) for c in coros))


def check(r: httpx.Response, want: int) -> dict:
    if r.status_code != want:
        raise RuntimeError(f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text}")
    return r.json()


async def token(client, username: str) -> dict:
    r = await client.post(f"{API}/auth/token", data={
        "grant_type": "password", "username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {check(r, 200)['access_token']}"}


async def exact(pool, cid, progress: dict, created: int) -> list[str]:
    raw = dict(await pool.fetch(
        "SELECT a, count(DISTINCT r->>'resident_id') FROM visit v,"
        " json_array_elements(v.residents) r, json_array_elements_text(r->'actions') a"
        " WHERE v.campaign_id = $1 GROUP BY a", cid))
    table = dict(await pool.fetch("SELECT action, count(*) FROM campaign_resident_action"
                                  " WHERE campaign_id = $1 GROUP BY action", cid))
    visits = await pool.fetchval("SELECT count(*) FROM visit WHERE campaign_id = $1", cid)
    reached = await pool.fetchval("SELECT count(DISTINCT household_id) FROM visit WHERE"
                                  " campaign_id = $1 AND outcome = ANY($2)", cid, list(REACHED))
    marked = await pool.fetchval("SELECT count(reached_at) FROM campaign_household WHERE"
                                 " campaign_id = $1", cid)
    rows = [("visit rows = 201 answers", created, visits, "-"),
            ("households_reached", progress["households_reached"], reached, marked)]
    rows += [(a, progress["actions"].get(a, 0), raw.get(a, 0), table.get(a, 0)) for a in ACTIONS]
    for dim in ("unit", "street", "volunteer", "day"):
        rows.append((f"Σ by_{dim} households_reached",
                     sum(s["households_reached"] for s in progress[f"by_{dim}"]), reached, "-"))
    rows.append(("Σ by_volunteer invited_to_group", sum(s["actions"].get("invited_to_group", 0)
                 for s in progress["by_volunteer"]), raw.get("invited_to_group", 0), "-"))
    return [f"| {name} | {a:,} | {b:,} | {c if c == '-' else f'{c:,}'} | "
            f"{'ok' if a == b and c in ('-', b) else '**MISMATCH**'} |" for name, a, b, c in rows]


async def setup(client, pool, commune, groups, stamp, steps: list) -> tuple:
    """Officer and volunteers (API, as the admin), the campaign started and assigned, walks."""
    async def timed(label: str, coro, note=lambda _: ""):
        t = time.perf_counter()
        out = await coro
        steps.append((label, time.perf_counter() - t, note(out)))
        return out

    admin = await token(client, ADMIN)
    names = [f"bo{stamp}-officer", *(f"bo{stamp}-v{i:02d}" for i in range(VOLUNTEERS))]
    made = await timed("POST /users ×51 (4 in flight)", gather_limited(4, [client.post(
        f"{API}/users", headers=admin, json={
            "username": n, "display_name": n, "password": PASSWORD,
            "role": "volunteer" if i else "ward_officer",
            "unit_ids": [str(groups[(i - 1) % len(groups)] if i else commune)]})
        for i, n in enumerate(names)]))
    vids = [check(r, 201)["id"] for r in made][1:]
    officer, *vheads = await timed("POST /auth/token ×51 (4 in flight)", gather_limited(
        4, [token(client, n) for n in names]))
    today = datetime.now(VN).date()
    day = datetime.combine(today - timedelta(days=1), datetime.min.time(), VN)
    r = await timed("POST /campaigns", client.post(f"{API}/campaigns", headers=officer, json={
        "name": f"bench outreach {stamp}", "goals": ["join_group", "fraud_awareness"],
        "group_ids": [str(g) for g in groups], "starts_on": day.date().isoformat(),
        "ends_on": (today + timedelta(days=30)).isoformat()}))
    cid = check(r, 201)["id"]
    await timed("POST /start (freeze targets)", client.post(
        f"{API}/campaigns/{cid}/start", headers={**officer, "If-Match": r.headers["etag"]}),
        lambda r: "{target_households:,} households, {target_residents:,} residents".format(
            **check(r, 200)) + f", {len(groups)} groups")
    await timed("POST /assignments balanced", client.post(
        f"{API}/campaigns/{cid}/assignments", headers=officer,
        json={"mode": "balanced", "volunteer_ids": vids}), lambda r: "{}-{} households each"
        .format(*(f([i["households"] for i in check(r, 200)["items"] if i["volunteer_id"]])
                  for f in (min, max))))
    walks = await timed("GET /walk-list ×50 (4 in flight)", gather_limited(4, [client.get(
        f"{API}/campaigns/{cid}/walk-list", headers=h) for h in vheads]),
        lambda ws: f"{sum(len(check(w, 200)['items']) for w in ws):,} stops")
    return cid, day, officer, vheads, [w.json()["items"] for w in walks]


async def amain(args: argparse.Namespace) -> None:
    dsn, seconds = _asyncpg_dsn(args.database_url), args.seconds or (15 if args.quick else 60)
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d%H%M%S")
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=4)
    commune, cname = await pool.fetchrow(
        "SELECT u.id, u.name FROM admin_unit u WHERE u.level = 'commune' AND u.name <> $1"
        " ORDER BY (SELECT count(*) FROM campaign c WHERE c.commune_id = u.id), u.name LIMIT 1",
        AVOID)
    groups = [r[0] for r in await pool.fetch("SELECT id FROM admin_unit WHERE level = 'group'"
                                             " AND commune_id = $1 ORDER BY code", commune)]
    async with pool.acquire() as conn:
        await ensure_admin(conn)
    version = (await pool.fetchval("SELECT version()")).split(" on ")[0]
    others = other_benches()
    load0, steps, st, quiet = os.getloadavg(), [], Stream(), Stream()
    proc, base = start_server(dsn)
    try:
        limits = httpx.Limits(max_connections=VOLUNTEERS + 10, max_keepalive_connections=60)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=300) as client:
            await wait_ready(client, proc)
            server = psutil.Process(proc.pid)
            cid, day, officer, vheads, walks = await setup(client, pool, commune, groups, stamp,
                                                           steps)
            print(f"streaming {seconds} s: {VOLUNTEERS} volunteers, campaign {cid}", flush=True)
            purl, vurl = f"{API}/campaigns/{cid}/progress", f"{API}/campaigns/{cid}/visits"
            c0, t0 = server.cpu_times(), time.perf_counter()
            stop_at = time.monotonic() + seconds
            await asyncio.gather(
                poller(client, purl, officer, pool, cid, stop_at, st),
                sampler(pool, server, urlsplit(dsn).port or 5432, stop_at, st),
                *(volunteer(client, vurl, vheads[i], walks[i], i, stamp, day, stop_at, st)
                  for i in range(VOLUNTEERS)))
            wall, c1 = time.perf_counter() - t0, server.cpu_times()
            cpu = c1.user + c1.system - c0.user - c0.system
            for _ in range(50 if args.quick else 200):  # quiet server, interleaved
                await poll(client, purl, officer, pool, cid, quiet)
            final = check(await client.get(purl, headers=officer), 200)
            load1, others = os.getloadavg(), others | other_benches()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=45)
        except subprocess.TimeoutExpired:
            proc.kill()
    checks = await exact(pool, cid, final, st.codes["new", 201])
    await pool.close()
    head = [f"# Outreach benchmark: `python -m bench.outreach{' --quick' if args.quick else ''}`",
            "", f"- {time.strftime('%Y-%m-%d %H:%M %Z')}: shared 2-core box — `nproc` "
            f"{os.cpu_count()}, {psutil.virtual_memory().total / 2**30:.1f} GiB memory, "
            f"{version}, Python {sys.version.split()[0]}; load average {load0[0]:.2f} before, "
            f"{load1[0]:.2f} after; other bench processes at start or end: "
            f"{', '.join(sorted(others)) or 'none'}.",
            "- Compare figures within this run only; absolute numbers move between runs.",
            f"- ONE uvicorn worker (DB pool 10+5, pool timeout 5 s), one httpx client; commune "
            f"{cname!r}, campaign `{cid}` (goals join_group, fraud_awareness), {VOLUNTEERS} "
            "volunteers with one visit in flight each, progress polled every 100 ms as the ward "
            "officer.", "", "| setup step | seconds | note |", "| --- | ---: | --- |",
            *(f"| {a} | {b:.2f} | {c} |" for a, b, c in steps), ""]
    report = "\n".join(head + report_rows(st, quiet, wall, cpu) + [
        "## Exactness after the stream", "",
        "| figure | GET /progress | SQL over visit rows | SQL over service tables | |",
        "| --- | ---: | ---: | ---: | --- |", *checks, ""])
    print(report)
    (OUT / "outreach-latest.md").write_text(report)


def report_rows(st: Stream, quiet: Stream, wall: float, cpu: float) -> list[str]:
    text = LOG.read_text(errors="replace")
    errors = [ln for ln in text.splitlines() if "Error" in ln or "Exception" in ln]
    total, created = sum(st.codes.values()), st.codes["new", 201]
    bad = {k: n for k, n in st.codes.items() if k not in (("new", 201), ("replay", 200))}
    p95, replays = ms(st.progress, 95), sum(n for (k, _), n in st.codes.items() if k == "replay")
    rows = [
        ("visits recorded (201)", f"{created:,}", f"**{created / wall:,.1f} visits/s** over "
         f"{wall:.1f} s"),
        ("POST /visits answered", f"{total:,}", f"{total / wall:,.1f} req/s; " + ", ".join(
            f"{k}→{c}: {n:,}" for (k, c), n in sorted(st.codes.items()))),
        ("POST /visits p50 / p95 / p99 ms, new", pcts(st.lat["new"]), f"{VOLUNTEERS} in flight"),
        ("POST /visits p50 / p95 / p99 ms, replay", pcts(st.lat["replay"]),
         f"{replays:,} replays ({replays / max(total, 1):.1%}), expect 200"),
        ("unexpected statuses", f"{sum(bad.values()):,}", ", ".join(
            f"{k} {c}: {n} (p50 {ms(st.lat[f'{k} {c}'], 50):,.0f} ms)" for (k, c), n in
            bad.items()) or "none"),
        ("GET /progress p50 / p95 / p99 ms, during the stream", pcts(st.progress),
         f"{len(st.progress):,} polls, {dict(st.progress_codes)}; target p95 < 100 ms: "
         f"**{'met' if p95 < 100 else 'MISSED'}**"),
        ("bare counters SELECT p50 / p95 / p99 ms, during", pcts(st.bare),
         f"asyncpg; endpoint ÷ bare p50 {ms(st.progress, 50) / ms(st.bare, 50):.1f}×"),
        ("GET /progress p50 / p95 / p99 ms, quiet", pcts(quiet.progress),
         f"{len(quiet.progress)} polls back to back after the stream"),
        ("bare counters SELECT p50 / p95 / p99 ms, quiet", pcts(quiet.bare),
         f"endpoint ÷ bare p50 {ms(quiet.progress, 50) / ms(quiet.bare, 50):.1f}×"),
        ("server CPU during the stream", f"{cpu / wall * 100:.0f}%",
         f"{cpu / max(total, 1) * 1e3:.1f} ms CPU per visit request (uvicorn process only)"),
        ("server log", f"{text.count('Traceback (most recent call last)')} tracebacks",
         f"{len(errors)} error/warning lines; {LOG.name}")]
    return [
        "| measure | value | note |", "| --- | ---: | --- |",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows), "",
        f"## Server sessions in PostgreSQL during the stream ({st.samples} samples)", "",
        "| sessions on average | state wait_event | query |", "| ---: | --- | --- |",
        *(f"| {n / max(st.samples, 1):.2f} | {w} | `{q.replace('|', '/')}` |"
          for (w, q), n in st.waits.most_common(12)), "",
        *(["## Unexpected answers (first bodies)", ""] if st.bodies else []),
        *(f"- {k} {c}: `{b}`" for (k, c), bs in st.bodies.items() for b in bs),
        *(["", "## Server log errors (first 8)", ""] if errors else []),
        *(f"- `{e[:300]}`" for e in errors[:8]), ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.outreach", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/ds_bench")
    parser.add_argument("--quick", action="store_true", help="15 s instead of 60 s")
    parser.add_argument("--seconds", type=float, help="stream duration (overrides --quick)")
    asyncio.run(amain(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
