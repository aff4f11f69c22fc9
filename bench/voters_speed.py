"""Speed of voter-list reconciliation on PostgreSQL data: a commune and a province.

    .venv/bin/python -m bench.voters_speed [--sizes 100000,1000000] [--seed 1]
        [--database-url postgresql://postgres@127.0.0.1:5432/ds_voters_bench]
        [--no-splink]

For each size N: a synthetic register of N residents and its lists with planted
differences (bench/voters_synth.py; about 0.79 N rows) are written with binary COPY into
two plain tables of a scratch database (dropped and created again: `ds_voters_bench`
unless told otherwise). Then a fresh Python process (so its peak memory is the
reconciliation's alone, not the generator's) times, in one run:

- load: a plain SELECT of both tables (asyncpg) into `Person` and `Entry` objects;
- eligibility: `eligibility.assess` for every resident (the caller's part);
- index + link: `matching.PeopleIndex` and `matching.link`;
- differences: `reconcile.differences` with the other commune's rows;
- a bare SQL join on the ID number over the same tables, fetched into Python (the
  floor: what a database does with the one exact key, no fuzzy step, no findings).

Peak memory is `resource.getrusage(RUSAGE_SELF).ru_maxrss` of that process. With Splink
(the `bench` extra) the 100,000 case is also linked by Splink on DuckDB, as
bench/voters_quality.py configures it. The table goes to bench/out/voters_speed.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import asyncpg

from bench.voters_synth import ELECTION_DAY, generate

OUT = Path(__file__).resolve().parent / "out"
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/ds_voters_bench"
EXTERNAL = "external"

_RESIDENT = """CREATE TABLE bench_resident (key uuid PRIMARY KEY, full_name text NOT NULL,
    birth_date date, birth_year int, sex text, id_number text, address text,
    household_key uuid, area_key uuid, residence_status text NOT NULL, residence_since date,
    exclusion text)"""
_ROW = """CREATE TABLE bench_row (key uuid PRIMARY KEY, area_key uuid NOT NULL,
    full_name text NOT NULL, birth_date date, birth_year int, sex text, id_number text,
    address text, list text NOT NULL)"""


def _split(url: str) -> tuple[str, str]:
    base, name = url.rsplit("/", 1)
    if name in ("postgres", "template0", "template1", ""):
        raise SystemExit(f"refusing to drop database {name!r}")
    return base + "/postgres", name


async def load(url: str, size: int, seed: int) -> dict[str, float]:
    """Generate and COPY a register and its lists; seconds of each step."""
    started = time.perf_counter()
    synth = generate(seed, size)
    generated = time.perf_counter()
    admin_url, name = _split(url)
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(_RESIDENT)
        await conn.execute(_ROW)
        reg = synth.register
        await conn.copy_records_to_table("bench_resident", records=[
            (p.key, p.full_name, p.birth_date, p.birth_year, p.sex, p.id_number, p.address,
             p.household_key, p.area_key, status.value, since,
             reg.exclusions[p.key].value if p.key in reg.exclusions else None)
            for p, status, since in zip(reg.people, reg.status, reg.since, strict=True)])
        rows = [(e.key, e.area_key, e.full_name, e.birth_date, e.birth_year, e.sex,
                 e.id_number, e.address, "run") for e in synth.entries]
        rows += [(e.key, e.area_key, e.full_name, e.birth_date, e.birth_year, e.sex,
                  e.id_number, e.address, EXTERNAL) for e in synth.other_entries]
        await conn.copy_records_to_table("bench_row", records=rows)
        await conn.execute("VACUUM ANALYZE bench_resident")
        await conn.execute("VACUUM ANALYZE bench_row")
    finally:
        await conn.close()
    return {"generate": generated - started, "copy": time.perf_counter() - generated,
            "residents": len(synth.register.people), "rows": len(synth.entries),
            "other_rows": len(synth.other_entries)}


async def _fetch(url: str) -> tuple[list, list, float, float, int]:  # type: ignore[type-arg]
    conn = await asyncpg.connect(url)
    try:
        t0 = time.perf_counter()
        pairs = await conn.fetch(
            "SELECT r.key, p.key FROM bench_row r JOIN bench_resident p "
            "ON p.id_number = r.id_number WHERE r.list = 'run'")
        join = time.perf_counter() - t0
        t0 = time.perf_counter()
        residents = await conn.fetch(
            "SELECT key, full_name, birth_date, birth_year, sex, id_number, address, "
            "household_key, area_key, residence_status, residence_since, exclusion "
            "FROM bench_resident")
        rows = await conn.fetch(
            "SELECT key, area_key, full_name, birth_date, birth_year, sex, id_number, "
            "address, list FROM bench_row")
        fetched = time.perf_counter() - t0
    finally:
        await conn.close()
    return residents, rows, fetched, join, len(pairs)


def measure(url: str) -> dict[str, float]:
    """The timed reconciliation, in this process (see the module's text). Each phase is
    timed twice: wall seconds, and CPU seconds of this process (`<phase>_cpu`), which
    other work on a shared machine does not inflate."""
    from domain.elections.eligibility import Voter, assess
    from domain.elections.matching import Entry, PeopleIndex, Person, link
    from domain.elections.models import ElectionLevel, ExclusionReason
    from domain.elections.reconcile import differences
    from domain.register.models import ResidenceStatus

    out: dict[str, float] = {}
    clock: list[float] = []

    def start() -> None:
        clock[:] = [time.perf_counter(), time.process_time()]

    def stop(name: str) -> None:
        out[name] = time.perf_counter() - clock[0]
        out[name + "_cpu"] = time.process_time() - clock[1]

    start()
    residents, rows, fetched, join, join_pairs = asyncio.run(_fetch(url))
    out["sql_fetch"] = fetched
    out["bare_join_on_id_number"] = join
    out["bare_join_pairs"] = join_pairs
    # asyncpg's UUIDs are `uuid.UUID`s (a subclass): used as they come.
    people = [Person(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8])
              for r in residents]
    status = [(r[9], r[10], r[11]) for r in residents]
    entries, others = [], []
    for r in rows:
        entry = Entry(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7])
        (others if r[8] == EXTERNAL else entries).append(entry)
    del residents, rows
    stop("load")

    start()
    # The caller's part: one verdict per distinct (birth, residence, exclusion); most
    # people share theirs with others born the same day.
    levels = list(ElectionLevel)
    seen: dict[tuple[object, ...], object] = {}
    eligibility = {}
    for p, (st, since, ex) in zip(people, status, strict=True):
        key = (p.birth_date, p.birth_year, st, since, ex)
        verdict = seen.get(key)
        if verdict is None:
            verdict = seen[key] = assess(
                Voter(p.birth_date, p.birth_year, ResidenceStatus(st), since),
                election_day=ELECTION_DAY, levels=levels,
                exclusion=ExclusionReason(ex) if ex else None)
        eligibility[p.key] = verdict
    stop("eligibility")
    start()
    index = PeopleIndex(people)
    stop("index")
    start()
    linkage = link(entries, index)
    stop("link")
    start()
    findings = differences(entries, index, eligibility=eligibility,  # type: ignore[arg-type]
                           election_day=ELECTION_DAY, other_area_entries=others,
                           linkage=linkage)
    stop("differences")
    for suffix in ("", "_cpu"):
        out["total" + suffix] = sum(out[phase + suffix] for phase in
                                    ("load", "eligibility", "index", "link", "differences"))
    out["links"] = len(linkage.links)
    out["findings"] = len(findings)
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["load_average_1min"] = os.getloadavg()[0]
    return out


def _cell(got: dict[str, float], *phases: str) -> str:
    wall = sum(got[p] for p in phases)
    cpu = sum(got[p + "_cpu"] for p in phases)
    return f"{wall:.2f} / {cpu:.2f}"


def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.database_url)))
        return ""

    lines = ["# Voter-list reconciliation speed (PostgreSQL, one process, seconds)", "",
             "Each cell: wall seconds / CPU seconds of the process (the machine is shared; "
             "CPU time is what the work costs).", "",
             "| residents | list rows | load (SELECT) | eligibility | index + link | "
             "differences | total | bare SQL join on ID number (wall) | peak RSS MiB | "
             "Splink (DuckDB), wall / CPU | load average |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    details = []
    for size in (int(s) for s in args.sizes.split(",")):
        loaded = asyncio.run(load(args.database_url, size, args.seed))
        done = subprocess.run(
            [sys.executable, "-m", "bench.voters_speed", "--measure",
             "--database-url", args.database_url],
            cwd=ROOT, check=True, capture_output=True, text=True)
        got = json.loads(done.stdout.strip().splitlines()[-1])
        splink = "-"
        if size <= 100_000 and not args.no_splink:
            from bench.voters_quality import run_splink

            synth = generate(args.seed, size)
            cpu = time.process_time()
            _, seconds = run_splink(synth.entries, synth.register.people, seed=args.seed)
            splink = f"{seconds:.2f} / {time.process_time() - cpu:.2f}"
            del synth
        lines.append(
            f"| {loaded['residents']:,} | {loaded['rows']:,} | {_cell(got, 'load')} | "
            f"{_cell(got, 'eligibility')} | {_cell(got, 'index', 'link')} | "
            f"{_cell(got, 'differences')} | {_cell(got, 'total')} | "
            f"{got['bare_join_on_id_number']:.2f} | "
            f"{got['peak_rss_mib']:.0f} | {splink} | {got['load_average_1min']:.1f} |")
        details.append({"size": size, "load": loaded, "measure": got})
    lines += ["", "total = load + eligibility + index + link + differences (the bare join "
              "is timed apart, in the same process). Splink's CPU time is this process's "
              "alone: DuckDB's threads are counted, but not what runs elsewhere.", "",
              "```",
              json.dumps(details, indent=1), "```"]
    text = "\n".join(lines) + "\n"
    OUT.mkdir(exist_ok=True)
    (OUT / "voters_speed.md").write_text(text, encoding="utf-8")
    print(text)
    return text


if __name__ == "__main__":
    main()
