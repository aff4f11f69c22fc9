"""Register benchmark: residents endpoints vs the same SQL run bare, keyset depth, search, import.

    .venv/bin/python -m bench.register [--database-url postgresql://postgres@127.0.0.1:5432/ds_bench]
        [--reload] [--quick] [--phases abcde] [--py-spy] [--statement-timeout-ms N]

Needs the population of bench/population.py (--reload rebuilds it). Creates `bench-officer`
(ward_officer of "Phường Thử Nghiệm 1") and `bench-admin` idempotently, starts ONE uvicorn worker
(`python -m api.cli serve`, free port) and always stops it. Each comparison runs within this run,
its sides interleaved in rounds, because the box is shared and noisy:
  a. GET /residents/{id} (random ids of the commune, 8 in flight) vs the bare primary-key SELECT
     and vs every statement the endpoint issues (token check, resident, facts, audit append,
     commit) through an asyncpg pool of the same size; and the same worker's /healthz and
     /me, what the framework and the token check alone cost;
  b. a 50-row list page of the commune vs its SELECT (and all its statements);
  c. keyset depth: page 1 vs the page at OFFSET 500,000 (admin, whole table), one at a time, in
     both Vietnamese orders (the default, given name first, and sort=full_name);
  d. `q` with two words "<family> <given>" (half folded), 1 and 8 in flight, vs the bare SELECT;
  e. a 1,000,000-row residents CSV (new people in the commune's households, ID numbers of
     province 002, which the generator never uses): psql \\copy into a text table vs the API
     import; server RSS and the import's active SQL sampled every 0.5 s; rows removed afterwards.
The bare SQL is what the repositories build (bench/harness.py records it from a stand-in for
the session). Output: bench/out/register-latest.md (server log: bench/out/server.log).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import orjson
import psutil

from api.routers.register.residents import resident_filters
from bench.harness import (
    API,
    SECRET_KEY,
    Run,
    Sampler,
    Tokens,
    Wrk,
    compare,
    drive,
    ensure_account,
    no_reset,
    recorded_run,
    start_server,
    stop_server,
    urlq,
    wait_ready,
)
from bench.population import _asyncpg_dsn, load_population
from domain.access import Principal, Role, permissions_for
from domain.register import names
from domain.register.columns import RELATIONSHIP_LABELS, RESIDENT_COLUMNS, SEX_LABELS
from domain.register.models import Relationship, Sex
from domain.register.rules import make_id_number, name_keys
from domain.text import fold
from domain.types import uuid7
from repositories.accounts import bearer_state
from repositories.audit import append_event
from repositories.paging import configure_cursors, encode_cursor, parse_sort
from repositories.register.records import (
    Resident,
    read_resident,
    readiness_of,
    resident_page_documents,
)

OUT = Path(__file__).resolve().parent / "out"
COMMUNE = "Phường Thử Nghiệm 1"
OFFICER, ADMIN, PASSWORD = "bench-officer", "bench-admin", "bench-password-not-a-secret"
ID_PROVINCE = "002"  # Hà Giang: in neither names.BIRTH_PROVINCES nor MOVER_PROVINCES
DEPTH, CONC = 500_000, 8


# --- the SQL the repositories build, run bare ---------------------------------------------------


async def list_sql(who: Principal, cursor: str | None = None, sort: str | None = None,
                   **filters) -> tuple[str, list]:
    """The list's statement as the endpoint runs it on PostgreSQL: documents included."""
    return (await recorded_run(resident_page_documents, who,
                               await resident_filters(**filters), sort=sort, cursor=cursor,
                               limit=50, include_total=False))[0]


class Bare:
    """The endpoints' statements, as asyncpg receives them from the app, through an asyncpg
    pool: one connection per step as the endpoint takes them (the token check, then the
    route's statements), each statement in its own implicit transaction as there."""

    S = uuid.UUID(int=1)  # the resident id the statements are compiled with

    def __init__(self, pool: asyncpg.Pool, who: Principal) -> None:
        self.pool, self.who = pool, who

    async def prepare(self) -> None:
        (self.bearer,) = await recorded_run(bearer_state, "user", self.who.subject_id,
                                            "some-jti")
        (self.get,) = await recorded_run(read_resident, self.who, self.S)
        (self.facts,) = await recorded_run(readiness_of, [self.S])
        (self.audit,) = await recorded_run(append_event, self.who, "resident.read",
                                           "resident", [self.S])

    def args(self, stmt: tuple[str, list], rid) -> list:
        """The arguments with the resident id swapped in (in arrays and JSON text too)."""
        def swap(a):
            if isinstance(a, list):
                return [swap(x) for x in a]
            if isinstance(a, str):
                return a.replace(str(self.S), str(rid))
            return rid if a == self.S else a
        return [swap(a) for a in stmt[1]]

    async def pk(self, rid) -> int:
        await self.pool.fetchrow(self.get[0], *self.args(self.get, rid))
        return 200

    async def read(self, rid, audit: bool = False) -> int:
        await self.pool.fetchrow(self.bearer[0], *self.bearer[1])
        async with self.pool.acquire() as conn:
            await conn.fetchrow(self.get[0], *self.args(self.get, rid))
            await conn.fetch(self.facts[0], *self.args(self.facts, rid))
            if audit:
                await conn.execute(self.audit[0], *self.args(self.audit, rid))
        return 200

    async def full(self, rid) -> int:
        return await self.read(rid, audit=True)

    async def query(self, stmt: tuple[str, list], token_check: bool = False) -> int:
        """One SELECT; with `token_check`, the list endpoint's whole statement sequence."""
        if token_check:
            await self.pool.fetchrow(self.bearer[0], *self.bearer[1])
        await self.pool.fetch(stmt[0], *stmt[1])
        return 200


# --- accounts, import file, phases -------------------------------------------------------------


@dataclass
class Ctx:
    pool: asyncpg.Pool
    tokens: Tokens
    bare: Bare
    server: psutil.Process
    officer: Principal
    admin: Principal
    commune: uuid.UUID
    quick: bool
    import_rows: int
    rows: list = field(default_factory=list)  # (section, run, reference run or None)
    notes: list = field(default_factory=list)

    def wrk(self, paths: list[str]) -> Wrk:
        """The officer's GETs of `paths` from wrk, 5 s (1 s with --quick) per round."""
        return Wrk(str(self.tokens.client.base_url).rstrip("/"), paths,
                   self.tokens.headers[OFFICER], 1.0 if self.quick else 5.0)

    async def compare(self, section: str, runs: list, items: list, rounds: int = 4) -> None:
        """Measure (run, call) pairs interleaved; the first is the others' reference."""
        await compare(runs, items, self.server, rounds)
        self.rows += [(section, run, runs[0][0] if i else None) for i, (run, _) in
                      enumerate(runs)]


async def phase_get(ctx: Ctx) -> None:
    ids = [r[0] for r in await ctx.pool.fetch("SELECT id FROM resident WHERE commune_id = $1"
                                              " AND deleted_at IS NULL", ctx.commune)]
    b, sample = ctx.bare, random.Random(1).choices(ids, k=200 if ctx.quick else 2000)
    await ctx.compare("a", [
        (Run("GET /residents/{id}: endpoint (wrk)", CONC),
         ctx.wrk([f"{API}/residents/{rid}" for rid in sample])),
        (Run("bare: the resident SELECT (pk + scope)", CONC), b.pk),
        (Run("bare: token check, resident, facts (no audit)", CONC), b.read),
        (Run("bare: all of them + the audit append", CONC), b.full),
        (Run("same worker, GET /healthz: no token, no database (the framework's ceiling)",
             CONC), ctx.wrk(["/healthz"])),
        (Run("same worker, GET /me: the token check only (one statement)", CONC),
         ctx.wrk([f"{API}/me"])),
    ], sample)


async def phase_list(ctx: Ctx) -> None:
    page = await list_sql(ctx.officer, commune_id=ctx.commune)
    url = urlq("/residents", commune_id=ctx.commune, limit=50)
    await ctx.compare("b", [
        (Run("list page of the commune, 50 rows: endpoint (wrk)", CONC), ctx.wrk([url])),
        (Run("bare: the list SELECT (rows, facts and documents built by PostgreSQL)", CONC),
         lambda _: ctx.bare.query(page)),
        (Run("bare: token check, then that SELECT", CONC),
         lambda _: ctx.bare.query(page, token_check=True)),
    ], list(range(100 if ctx.quick else 1000)))


# The roster's two Vietnamese orders (repositories/register/records.py): the given name
# first (the default), and the name as written (`sort=full_name`); each has its index.
DEPTH_SORTS = ((None, "sort_key"), ("full_name", "full_name_key"))


async def phase_depth(ctx: Ctx) -> None:
    """As admin over the whole table: the commune (~50,000 rows) is far short of 500,000."""
    total = await ctx.pool.fetchval("SELECT count(*) FROM resident WHERE deleted_at IS NULL")
    depth = DEPTH if total >= DEPTH + 50 else total // 2
    configure_cursors(SECRET_KEY.encode())  # as the server signs them
    get, n = ctx.tokens.get(ADMIN), 5 if ctx.quick else 15
    for sort, column in DEPTH_SORTS:
        edge = await ctx.pool.fetch(f"SELECT {column}, id FROM resident WHERE deleted_at"
                                    f" IS NULL ORDER BY {column}, id OFFSET $1 LIMIT 2",
                                    depth - 1)
        keys = parse_sort(sort, {sort or "name": getattr(Resident, column)}, "name",
                          Resident.id)
        cursor = encode_cursor(keys, list(edge[0].values()))
        by = {"sort": sort} if sort else {}
        top, deep = urlq("/residents", limit=50, **by), urlq("/residents", limit=50,
                                                             cursor=cursor, **by)
        r = await ctx.tokens.client.get(deep, headers=ctx.tokens.headers[ADMIN])
        ok = r.json()["items"][0]["id"] == str(edge[1]["id"])
        label = f"sort={sort}" if sort else "default sort"
        ctx.notes.append(f"c: admin token, {total:,} rows, {label} ({column}, id); the cursor"
                         f" page starts at OFFSET {depth:,} (page {depth // 50 + 1:,}): "
                         f"{'checked' if ok else 'WRONG first row'}.")
        first = await list_sql(ctx.admin, sort=sort)
        later = await list_sql(ctx.admin, cursor, sort=sort)
        for name, one, two in (
                (f", {label}: endpoint", lambda _, u=top: get(u), lambda _, u=deep: get(u)),
                (f", {label}: bare SELECT", lambda _, q=first: ctx.bare.query(q),
                 lambda _, q=later: ctx.bare.query(q))):
            await ctx.compare("c", [(Run("page 1" + name, 1), one),
                                    (Run(f"page at OFFSET {depth:,}" + name, 1), two)],
                              list(range(n)), rounds=n)


async def phase_search(ctx: Ctx) -> None:
    rng, pairs = random.Random(3), []
    for i in range(40 if ctx.quick else 200):
        given = names.GIVEN_NAMES[rng.choice(("male", "female"))].values
        pair = f"{rng.choice(names.FAMILY_NAMES.values)} {rng.choice(given)}"
        pairs.append(pair if i % 2 else fold(pair))
    for who, label in ((ctx.officer, "officer, commune"), (ctx.admin, "admin, whole table")):
        stmts = {p: await list_sql(who, q=p) for p in pairs}
        get = ctx.tokens.get(who.name)
        endpoint = lambda p, get=get: get(urlq("/residents", q=p, limit=50))  # noqa: E731
        await ctx.compare("d", [(Run(f"q two words ({label}): endpoint", 1), endpoint),
                                (Run(f"q two words ({label}): bare SELECT", 1),
                                 lambda p, s=stmts: ctx.bare.query(s[p]))], pairs)
        loaded = Run(f"q two words ({label}): endpoint", CONC)
        await drive(loaded, endpoint, pairs, CONC, ctx.server)
        ctx.rows.append(("d", loaded, None))
        await ctx.tokens.refresh()


REGISTER_COLUMNS = ["id", "created_at", "updated_at", "version", "household_id", "relationship",
                    "province_id", "commune_id", "group_id", "full_name", "name_folded",
                    "name_lower", "sort_key", "full_name_key", "birth_date", "birth_year", "sex",
                    "id_number", "id_number_mismatch", "phone", "residence_status"]


def write_csv(path: Path, register_path: Path, households: dict[str, tuple], rows: int) -> None:
    """New residents of existing households, with valid and unique ID numbers of province 002;
    and the same people as the register stores them (resident's own columns), for the floor:
    `psql \\copy` straight into the resident table."""
    rng, serials, codes = random.Random(7), Counter(), list(households)
    now = time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime())
    rels = [(RELATIONSHIP_LABELS[r], r.value) for r in (
        Relationship.child, Relationship.grandchild, Relationship.other_relative,
        Relationship.other)]
    with path.open("w", newline="", encoding="utf-8") as f, \
            register_path.open("w", newline="", encoding="utf-8") as g:
        out, reg = csv.writer(f, delimiter=";"), csv.writer(g)
        out.writerow([label for _, label in RESIDENT_COLUMNS])
        for _ in range(rows):
            sex = rng.choice(("male", "female"))
            born = date(1940, 1, 1) + timedelta(days=rng.randrange(70 * 365))
            serials[born.year, sex] += 1
            name = " ".join(rng.choice(w.values) for w in (
                names.FAMILY_NAMES, names.MIDDLE_NAMES[sex, True], names.GIVEN_NAMES[sex]))
            phone = f"0{rng.choice(names.MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
            phone = phone if rng.random() < 0.8 else ""
            code, (label, rel) = rng.choice(codes), rng.choice(rels)
            id_number = make_id_number(ID_PROVINCE, born.year, sex, serials[born.year, sex])
            out.writerow([id_number, name, born.strftime("%d/%m/%Y"), SEX_LABELS[Sex(sex)],
                          code, label, phone, "Thường trú", "", ""])
            keys = name_keys(name)
            reg.writerow([uuid7(), now, now, 1, *households[code][:1], rel,
                          *households[code][1:], keys["full_name"], keys["name_folded"],
                          keys["name_lower"], keys["sort_key"], keys["full_name_key"],
                          born.isoformat(),
                          born.year, sex, id_number, "false",
                          "+84" + phone[1:] if phone else "", "permanent"])


async def remove_imported(conn) -> int:
    """Delete what an import of this benchmark added (FK triggers off: no facts, no heads)."""
    async with conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute("DELETE FROM change_log WHERE entity_type = 'resident' AND entity_id IN"
                           " (SELECT id FROM resident WHERE id_number LIKE $1)", ID_PROVINCE + "%")
        n = int((await conn.execute("DELETE FROM resident WHERE id_number LIKE $1",
                                    ID_PROVINCE + "%")).split()[-1])
    if n:
        await conn.execute("VACUUM (ANALYZE) resident, change_log")
    return n


def _psql(dsn: str) -> list[str]:
    u = urlsplit(dsn)
    return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", u.hostname or "127.0.0.1", "-p",
            str(u.port or 5432), "-U", u.username or "postgres", "-d", u.path.lstrip("/")]


def psql_copy(dsn: str, path: Path) -> float:
    """The file as it is into a table of text columns (no index, no constraint)."""
    psql = [*_psql(dsn), "-c"]
    cols = ", ".join(f"{k} text" for k, _ in RESIDENT_COLUMNS)
    subprocess.run([*psql, f"DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy ({cols})"],
                   check=True, stderr=subprocess.DEVNULL)
    started = time.perf_counter()
    subprocess.run([*psql, f"\\copy bench_copy FROM '{path}' WITH (FORMAT csv, DELIMITER ';',"
                    " HEADER true)"], check=True)
    seconds = time.perf_counter() - started
    subprocess.run([*psql, "DROP TABLE bench_copy"], check=True)
    return seconds


def psql_copy_register(dsn: str, path: Path) -> float:
    """The same people, already in the register's columns, into the resident table itself
    (its 9 indexes, unique ID numbers, foreign keys), in a transaction rolled back."""
    started = time.perf_counter()
    subprocess.run([*_psql(dsn), "-c", "BEGIN", "-c",
                    f"\\copy resident ({', '.join(REGISTER_COLUMNS)}) FROM '{path}' WITH"
                    " (FORMAT csv)", "-c", "ROLLBACK"], check=True)
    return time.perf_counter() - started


async def phase_import(ctx: Ctx, dsn: str, sampler: Sampler, py_spy: bool) -> list[str]:
    rows, client, auth = ctx.import_rows, ctx.tokens.client, ctx.tokens.headers
    households = {r[0]: tuple(r[1:]) for r in await ctx.pool.fetch(
        "SELECT code, id, province_id, commune_id, group_id FROM household WHERE commune_id ="
        " $1 AND deleted_at IS NULL", ctx.commune)}
    path, register_path = OUT / f"import-residents-{rows}.csv", OUT / f"register-{rows}.csv"
    await asyncio.to_thread(write_csv, path, register_path, households, rows)
    copy = await asyncio.to_thread(psql_copy, dsn, path)
    floor = await asyncio.to_thread(psql_copy_register, dsn, register_path)
    await ctx.tokens.refresh()
    spy = subprocess.Popen([Path(sys.executable).with_name("py-spy"), "record", "-r", "50",  # noqa: ASYNC220
                            "-f", "raw", "-o", OUT / "import-py-spy.txt", "-p",
                            str(ctx.server.pid)]) if py_spy else None
    sampler.phase, started, staged = "import", time.perf_counter(), None
    with path.open("rb") as fh:  # httpx reads it in chunks while uploading
        r = await client.post(f"{API}/imports", headers=auth[OFFICER], timeout=None,
                              files={"file": (path.name, fh, "text/csv")},
                              data={"kind": "residents"})
    uploaded, job = time.perf_counter() - started, r.json()
    if r.status_code != 202:
        raise RuntimeError(f"import refused: {r.status_code} {r.text[:300]}")
    while job["status"] in ("queued", "running"):
        await asyncio.sleep(1)
        await ctx.tokens.refresh()
        job = (await client.get(f"{API}/imports/{job['id']}", headers=auth[OFFICER])).json()
        if staged is None and job["processed_rows"] >= rows:
            staged = time.perf_counter() - started
    total, sampler.phase = time.perf_counter() - started, "after"
    staged = staged or total
    if spy is not None:
        spy.send_signal(2)
        await asyncio.to_thread(spy.wait, 60)
    async with ctx.pool.acquire() as conn:
        removed = await remove_imported(conn)
    out = [f"| psql \\copy into a text table (baseline) | {copy:.1f} | {rows / copy:,.0f} | "
           f"{rows:,} rows, {path.stat().st_size / 2**20:.0f} MiB |",
           f"| psql \\copy of the same people in the register's columns into `resident` "
           f"itself, rolled back (the floor) | {floor:.1f} | {rows / floor:,.0f} | 9 indexes "
           f"(one trigram), unique ID numbers, 4 foreign keys |",
           f"| API: upload until 202 | {uploaded:.1f} | | |",
           f"| API: … + parse, check, stage (processed_rows = {rows:,}) | {staged:.1f} | "
           f"{rows / staged:,.0f} | polled each second |",
           f"| API: … then the set-wise SQL until done | {total - staged:.1f} | | |",
           f"| API: upload → `{job['status']}` | {total:.1f} | {rows / total:,.0f} | "
           f"**{total / copy:.1f}× psql into text, {total / floor:.1f}× psql into resident** "
           f"(target ≤ 3×); created {job['created_count']:,}, "
           f"rejected {job['rejected_count']:,}; {removed:,} removed afterwards |",
           f"| server RSS: max during a–d, max during the import | | | "
           f"{sampler.mib('reads'):.0f} MiB, {sampler.mib('import'):.0f} MiB |"]
    if job["status"] != "succeeded":
        out.append(f"| errors | | | {orjson.dumps(job['errors'][:2]).decode()[:300]} |")
    return out + [f"| SQL active ≈{n / 2:.1f} s: `{q.replace('|', '/')}…` | | | sampled |"
                  for q, n in sampler.sql.most_common(8)]


async def amain(args: argparse.Namespace) -> None:
    dsn = _asyncpg_dsn(args.database_url)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.reload:
        await load_population(dsn, residents=1_000_000, households=300_000, communes=20,
                              groups_per_commune=15, seed=1, fresh=True)
    assert ID_PROVINCE not in names.BIRTH_PROVINCES.values + names.MOVER_PROVINCES.values
    pool = await asyncpg.create_pool(dsn, min_size=CONC, max_size=CONC + 2, reset=no_reset)
    async with pool.acquire() as conn:
        commune = await conn.fetchval(
            "SELECT id FROM admin_unit WHERE name = $1 AND level = 'commune'", COMMUNE)
        if commune is None:
            raise SystemExit(f"no commune {COMMUNE!r}: load the population (--reload)")
        if left := await remove_imported(conn):
            print(f"removed {left:,} residents left by an earlier import")
        officer_id = await ensure_account(conn, OFFICER, Role.ward_officer, commune, PASSWORD)
        officer = Principal(officer_id, OFFICER, Role.ward_officer, frozenset({commune}),
                            permissions_for(Role.ward_officer))
        admin = Principal(await ensure_account(conn, ADMIN, Role.admin, None, PASSWORD), ADMIN,
                          Role.admin, permissions=permissions_for(Role.admin))
        version = (await conn.fetchval("SELECT version()")).split(" on ")[0]
    timeout = args.statement_timeout_ms
    proc, base = start_server(dsn, OUT, {} if timeout is None else
                              {"DB_STATEMENT_TIMEOUT_MS": str(timeout)})
    sampling = None
    try:
        limits = httpx.Limits(max_connections=2 * CONC, max_keepalive_connections=2 * CONC)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:
            await wait_ready(client, proc)
            sampler = Sampler(psutil.Process(proc.pid), pool, urlsplit(dsn).port or 5432)
            sampling = asyncio.create_task(sampler.run())
            tokens = Tokens(client, {OFFICER: PASSWORD, ADMIN: PASSWORD})
            bare = Bare(pool, officer)
            await bare.prepare()
            ctx = Ctx(pool, tokens, bare, sampler.proc, officer, admin, commune, args.quick,
                      args.import_rows or (20_000 if args.quick else 1_000_000))
            for name, phase in (("a", phase_get), ("b", phase_list), ("c", phase_depth),
                                ("d", phase_search)):
                if name not in args.phases:
                    continue
                print(f"phase {name} ...", flush=True)
                await tokens.refresh()
                await phase(ctx)
            imported = []
            if "e" in args.phases:
                print("phase e ...", flush=True)
                imported = await phase_import(ctx, dsn, sampler, args.py_spy)
    finally:
        if sampling is not None:
            sampling.cancel()
        stop_server(proc)
        await pool.close()
    report = "\n".join([
        f"# Register benchmark: `python -m bench.register {' '.join(sys.argv[1:])}`", "",
        f"- {time.strftime('%Y-%m-%d %H:%M %Z')}: `nproc` {os.cpu_count()}, "
        f"{psutil.virtual_memory().total / 2**30:.1f} GiB memory, {version}, Python "
        f"{sys.version.split()[0]}; load average at the end "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}.",
        "- The box is shared and noisy: compare figures within this run only (each comparison "
        "was interleaved in rounds); absolute numbers move between runs.",
        f"- ONE uvicorn worker (its DB pool 10+5); endpoint load in a and b from wrk (one thread, "
        "keep-alive; percentiles are wrk's, averaged over the rounds), elsewhere an httpx "
        "keep-alive client; the bare side is an "
        f"asyncpg pool of {CONC} in the client process; the officer's commune: {COMMUNE}. "
        "CPU ms/req: CPU time of the server process · of this client, per request. "
        f"DB_STATEMENT_TIMEOUT_MS: {timeout if timeout is not None else 'service default'}.", "",
        "| § | case | requests | in flight | rps | p50 ms | p95 ms | p99 ms | non-2xx | CPU ms/req"
        " | endpoint ÷ bare (c: deep ÷ page 1) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        *(run.row(section, ref, section == "c") for section, run, ref in ctx.rows), "",
        *(f"- {note}" for note in ctx.notes), "", "## e. Import", "",
        "| step | seconds | rows/s | note |", "| --- | ---: | ---: | --- |", *imported, ""])
    print(report)
    (OUT / "register-latest.md").write_text(report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.register", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/ds_bench")
    parser.add_argument("--reload", action="store_true", help="rebuild the 1M population first")
    parser.add_argument("--quick", action="store_true", help="fewer requests, a 20k-row import")
    parser.add_argument("--py-spy", action="store_true",
                        help="record the server with .venv/bin/py-spy during the import")
    parser.add_argument("--phases", default="abcde", help="which of a-e to run (default all)")
    parser.add_argument("--import-rows", type=int, help="rows of the import in e (1,000,000)")
    parser.add_argument("--statement-timeout-ms", type=int,
                        help="DB_STATEMENT_TIMEOUT_MS for the server (default: the service's)")
    asyncio.run(amain(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
