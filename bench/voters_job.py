"""The reconciliation job end to end, on the real schema: a commune and a province.

    .venv/bin/python -m bench.voters_job [--sizes 100000,1000000] [--seed 1]
        [--server postgresql://postgres@127.0.0.1:5432/postgres] [--no-splink]
        [--database ds_bench_voters_job] [--out bench/out/voters_job.md]

For each size N, a database of its own (`--database`, migrated to head, dropped at
the end) gets the synthetic register of bench/voters_synth.py written into the
application's tables with binary COPY: the province, its communes (100,000 residents
each: one commune for N = 100,000, ten for a million), residential groups of 2,500,
streets, households and residents (names through `name_keys`, as every write path stores
them), the planted exclusions, the election of 15 March 2026 with one polling area per
group, and each area's official list as version 1 (about 0.79 N rows, with every planted
difference). The "other commune" rows of the synthetic lists are the list of a polling area
in another province, outside the run. A queued run over the commune (or the province) is
then executed by the `elections.reconcile` job as a worker runs it, in a fresh process, so
its peak memory is the run's alone: it reads the lists and the register, assesses
eligibility, links, explains, writes every discrepancy and commits.

In the same process, and over the same tables, a bare SQL join of list rows to residents on
the ID number, fetched into Python, is timed: the floor of any reconciliation (the one
exact key, no fuzzy step, no findings, nothing written). Up to 100,000 residents (unless
`--no-splink`; it needs the `bench` extra, `requirements-bench.lock`), the same register
and rows are also linked by Splink on DuckDB, configured as bench/voters_quality.py does,
in this process: its links only, no findings, nothing written.

Each figure is wall seconds and CPU seconds of the process (the machine is shared). The
table goes to bench/out/voters_job.md.
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
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from datetime import time as clock
from pathlib import Path

import asyncpg
import orjson

from bench.population import _Table, recreate_database
from bench.voters_synth import ELECTION_DAY, LEVELS, generate
from domain.access import Principal, Role, permissions_for
from domain.elections.models import (
    Election,
    Exclusion,
    PollingArea,
    PollingAreaUnit,
    Reconciliation,
    VoterListRow,
    VoterListVersion,
)
from domain.register.models import Household, Relationship, Resident
from domain.register.rules import name_keys
from domain.text import fold
from domain.types import uuid7
from domain.units.models import LEVEL_OF_KIND, AdminUnit, Street, UnitKind, UnitLevel

OUT = Path(__file__).resolve().parent / "out"
ROOT = Path(__file__).resolve().parents[1]
NAME = "ds_bench_voters_job"
PER_COMMUNE = 100_000
PER_GROUP = 2_500
_E = ("id", "created_at", "updated_at")


def _dumps(value: object) -> str:
    return orjson.dumps(value).decode()


def _records(synth, now: datetime) -> tuple[dict[str, tuple[_Table, list]], dict[str, object]]:
    """Every table's COPY records, and the run's ids."""
    reg = synth.register
    t = {name: _Table(model, cols) for name, model, cols in (
        ("admin_unit", AdminUnit, (*_E, "level", "kind", "code", "name", "name_folded",
                                   "parent_id", "province_id", "commune_id")),
        ("street", Street, (*_E, "commune_id", "province_id", "name", "name_folded")),
        ("household", Household, (*_E, "code", "province_id", "commune_id", "group_id",
                                  "street_id", "house_number", "house_number_sort", "head_id")),
        ("resident", Resident, (*_E, "household_id", "relationship", "province_id",
                                "commune_id", "group_id", "full_name", "name_folded",
                                "name_lower", "sort_key", "full_name_key", "birth_date",
                                "birth_year", "sex", "id_number", "residence_status",
                                "residence_since")),
        ("election", Election, (*_E, "name", "election_day", "levels", "list_posting_on",
                                "amendment_deadline_at", "complaint_deadline_on",
                                "voting_opens_at")),
        ("polling_area", PollingArea, (*_E, "election_id", "province_id", "commune_id",
                                       "code", "name")),
        ("polling_area_unit", PollingAreaUnit, ("polling_area_id", "unit_id", "election_id")),
        ("election_exclusion", Exclusion, (*_E, "election_id", "resident_id", "province_id",
                                           "commune_id", "group_id", "reason", "document_ref",
                                           "recorded_by_id", "recorded_by_name")),
        ("voter_list_version", VoterListVersion, (*_E, "election_id", "polling_area_id",
                                                  "province_id", "commune_id", "number",
                                                  "filename", "file_sha256", "header",
                                                  "columns", "row_count")),
        ("voter_list_row", VoterListRow, ("id", "version_id", "line", "seq", "full_name",
                                          "name_folded", "birth_date", "birth_year", "sex",
                                          "id_number", "address", "cells")),
    )}
    out: dict[str, list] = {name: [] for name in t}
    stamp = {"created_at": now, "updated_at": now}
    units: dict[str, tuple[uuid.UUID, uuid.UUID, uuid.UUID | None]] = {}

    def unit(key, kind, name, code, parent):
        uid = uuid7()
        level = LEVEL_OF_KIND[kind]
        province = uid if parent is None else units[parent][1]
        commune = uid if level == UnitLevel.commune else (
            units[parent][2] if parent else None)
        units[key] = (uid, province, commune)
        out["admin_unit"].append(t["admin_unit"].row({
            "id": uid, **stamp, "level": level.value, "kind": kind.value, "code": code,
            "name": name, "name_folded": fold(name),
            "parent_id": units[parent][0] if parent else None, "province_id": province,
            "commune_id": commune}))

    for spec in reg.units:
        unit(spec.key, spec.kind, spec.name, spec.code, spec.parent_key)
    unit("elsewhere", UnitKind.province, "Tỉnh Khác", "98", None)
    unit("elsewhere/c", UnitKind.commune, "Xã Khác", "99998", "elsewhere")
    streets: dict[str, uuid.UUID] = {}
    for spec in reg.streets:
        _, province, commune = units[spec.commune_key]
        streets[spec.key] = sid = uuid7()
        out["street"].append(t["street"].row({
            "id": sid, **stamp, "commune_id": commune, "province_id": province,
            "name": spec.name, "name_folded": fold(spec.name)}))

    election = uuid7()
    out["election"].append(t["election"].row({
        "id": election, **stamp, "name": "Bầu cử đại biểu Quốc hội khóa XVI và HĐND",
        "election_day": ELECTION_DAY, "levels": _dumps([level.value for level in LEVELS]),
        "list_posting_on": datetime(2026, 2, 3).date(),
        "amendment_deadline_at": datetime(2026, 3, 14, tzinfo=UTC),
        "complaint_deadline_on": datetime(2026, 2, 23).date(), "voting_opens_at": clock(7)}))
    area_ids: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID, uuid.UUID, uuid.UUID]] = {}
    external = uuid.UUID(int=(5 << 96))
    groups = {**{a: reg.area_group[a] for a in synth.areas}, external: "elsewhere/c"}
    for n, (area, group_key) in enumerate(groups.items(), start=1):
        group, province, commune = units[group_key]
        aid = uuid7()
        area_ids[area] = (aid, province, commune, group)  # type: ignore[assignment]
        out["polling_area"].append(t["polling_area"].row({
            "id": aid, **stamp, "election_id": election, "province_id": province,
            "commune_id": commune, "code": f"{n:02d}", "name": f"Khu vực bỏ phiếu số {n}"}))
        if area != external:
            out["polling_area_unit"].append(t["polling_area_unit"].row({
                "polling_area_id": aid, "unit_id": group, "election_id": election}))

    heads: dict[uuid.UUID, uuid.UUID] = {}
    for p, rel in zip(reg.people, reg.relationship, strict=True):
        if rel == Relationship.head:
            heads.setdefault(p.household_key, p.key)
    for hkey, spec in reg.households.items():
        group, province, commune = units[spec.group_key]
        out["household"].append(t["household"].row({
            "id": hkey, **stamp, "code": spec.code, "province_id": province,
            "commune_id": commune, "group_id": group, "street_id": streets[spec.street_key],
            "house_number": spec.house_number, "house_number_sort": spec.house_number_sort,
            "head_id": heads.get(hkey)}))
    place: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID, uuid.UUID]] = {}
    for p, rel, status, since in zip(reg.people, reg.relationship, reg.status, reg.since,
                                     strict=True):
        _, province, commune, group = area_ids[p.area_key]
        place[p.key] = (province, commune, group)
        out["resident"].append(t["resident"].row({
            "id": p.key, **stamp, "household_id": p.household_key,
            "relationship": rel.value, "province_id": province, "commune_id": commune,
            "group_id": group, "full_name": p.full_name, **name_keys(p.full_name),
            "birth_date": p.birth_date, "birth_year": p.birth_year, "sex": p.sex,
            "id_number": p.id_number, "residence_status": status.value,
            "residence_since": since}))
    officer = uuid7()
    for key, reason in reg.exclusions.items():
        province, commune, group = place[key]
        out["election_exclusion"].append(t["election_exclusion"].row({
            "id": uuid7(), **stamp, "election_id": election, "resident_id": key,
            "province_id": province, "commune_id": commune, "group_id": group,
            "reason": reason.value, "document_ref": "Bản án số 12/2025/HS-ST",
            "recorded_by_id": officer, "recorded_by_name": "Cán bộ bầu cử"}))
    by_area: dict[uuid.UUID, list] = {}
    for entry in [*synth.entries, *synth.other_entries]:
        by_area.setdefault(entry.area_key, []).append(entry)
    versions = []
    for area, entries in by_area.items():
        aid, province, commune, _ = area_ids[area]
        vid = uuid7()
        versions.append(str(vid))
        out["voter_list_version"].append(t["voter_list_version"].row({
            "id": vid, **stamp, "election_id": election, "polling_area_id": aid,
            "province_id": province, "commune_id": commune, "number": 1,
            "filename": "danh-sach-cu-tri.xlsx", "file_sha256": f"{len(versions):064x}",
            "header": "[]", "columns": "{}",
            "row_count": len(entries)}))
        for line, e in enumerate(entries, start=2):
            out["voter_list_row"].append(t["voter_list_row"].row({
                "id": e.key, "version_id": vid, "line": line, "seq": str(line - 1),
                "full_name": e.full_name, "name_folded": fold(e.full_name),
                "birth_date": e.birth_date, "birth_year": e.birth_year, "sex": e.sex,
                "id_number": e.id_number, "address": e.address, "cells": "{}"}))
    province_key = next(s.key for s in reg.units if s.parent_key is None)
    communes = [s.key for s in reg.units if s.kind != UnitKind.province
                and LEVEL_OF_KIND[s.kind] == UnitLevel.commune]
    run_unit = units[communes[0]][0] if len(communes) == 1 else units[province_key][0]
    province_id = units[province_key][0]
    run_versions = [v for v, area in zip(versions, by_area, strict=True) if area != external]
    return {name: (t[name], rows) for name, rows in out.items()}, {
        "election": election, "unit": run_unit, "province": province_id,
        "commune": run_unit if len(communes) == 1 else None, "versions": run_versions,
        "communes": len(communes)}


async def load(url: str, size: int, seed: int) -> tuple[dict[str, object], object]:
    """Generate, COPY into a fresh migrated database, queue the run; seconds and ids, and
    the synthetic data."""
    started = time.perf_counter()
    communes = max(1, size // PER_COMMUNE)
    synth = generate(seed, size, communes=communes,
                     groups_per_commune=max(1, size // communes // PER_GROUP))
    tables, ids = _records(synth, datetime.now(UTC))
    generated = time.perf_counter()
    await recreate_database(url)
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.execute("SET session_replication_role = replica")  # FKs: loaded whole
            for table, rows in tables.values():
                await conn.copy_records_to_table(table.name, records=rows,
                                                 columns=table.columns)
            who = Principal(subject_id=uuid7(), name="Cán bộ bầu cử",
                            role=Role.election_officer, unit_ids=frozenset({ids["unit"]}),
                            permissions=permissions_for(Role.election_officer),
                            levels=(("commune" if ids["commune"] else "province",
                                     frozenset({ids["unit"]})),))
            run = _Table(Reconciliation, (*_E, "election_id", "unit_id", "province_id",
                                          "commune_id", "list_version_ids",
                                          "requested_by_name", "submitted_by", "counts",
                                          "changes"))
            run_id = uuid7()
            now = datetime.now(UTC)
            await conn.copy_records_to_table("reconciliation", records=[run.row({
                "id": run_id, "created_at": now, "updated_at": now,
                "election_id": ids["election"], "unit_id": ids["unit"],
                "province_id": ids["province"], "commune_id": ids["commune"],
                "list_version_ids": _dumps(ids["versions"]),
                "requested_by_name": who.name,
                "submitted_by": _dumps(who.snapshot()), "counts": "{}",
                "changes": "{}"})], columns=run.columns)
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return {"generate": generated - started, "copy": time.perf_counter() - generated,
            "residents": len(synth.register.people), "rows": len(synth.entries),
            "communes": ids["communes"], "run": str(run_id)}, synth


async def _measure(url: str, run_id: str) -> dict[str, float]:
    from sqlalchemy.ext.asyncio import create_async_engine

    import repositories.areas  # noqa: F401  what a worker has imported before its first job
    from domain.elections.tasks import reconcile
    from repositories.db import make_session_factory
    from repositories.queue import Runtime

    engine = create_async_engine(url.replace("postgresql://", "postgresql+asyncpg://"))
    runtime = Runtime(make_session_factory(engine), Path("."), 10.0)
    out: dict[str, float] = {}
    wall, cpu = time.perf_counter(), time.process_time()
    await reconcile(runtime, reconciliation_id=run_id)
    out["job"], out["job_cpu"] = time.perf_counter() - wall, time.process_time() - cpu
    out["summary"], out["summary_cpu"], out["areas"] = await _summary(runtime, run_id)
    await engine.dispose()
    conn = await asyncpg.connect(url)
    try:
        status = await conn.fetchval("SELECT status FROM reconciliation WHERE id = $1",
                                     uuid.UUID(run_id))
        kinds = await conn.fetch("SELECT kind, count(*) AS n FROM discrepancy "
                                 "WHERE reconciliation_id = $1 GROUP BY kind",
                                 uuid.UUID(run_id))
        wall, cpu = time.perf_counter(), time.process_time()
        pairs = await conn.fetch(
            "SELECT r.id, p.id FROM voter_list_row r JOIN resident p "
            "ON p.id_number = r.id_number")
        out["bare_join"] = time.perf_counter() - wall
        out["bare_join_cpu"] = time.process_time() - cpu
        out["bare_join_pairs"] = len(pairs)
    finally:
        await conn.close()
    out["status"] = status  # type: ignore[assignment]
    out["kinds"] = dict(Counter({r["kind"]: r["n"] for r in kinds}))  # type: ignore[assignment]
    out["peak_rss_mib"] = _peak_rss_mib()
    out["load_average_1min"] = os.getloadavg()[0]
    return out


async def _summary(runtime, run_id: str) -> tuple[float, float, int]:
    """`GET /elections/{id}/summary` of the run's unit, as the officer who ran it: seconds
    wall and CPU, and the polling areas it covers."""
    from domain.elections.summary import election_summary

    async with runtime.uow() as uow:
        run = await uow.session.get(Reconciliation, uuid.UUID(run_id))
        assert run is not None
        who = Principal.from_snapshot(run.submitted_by)
        wall, cpu = time.perf_counter(), time.process_time()
        summary = await election_summary(uow, who, run.election_id, within_days=7,
                                         unit_id=run.unit_id)
        return time.perf_counter() - wall, time.process_time() - cpu, len(summary.areas)


def _peak_rss_mib() -> float:
    """This process's peak resident memory since its exec (VmHWM). Not `getrusage`'s
    ru_maxrss: Linux carries it across fork and exec, so a child of the generating parent
    would report the parent's gigabytes of synthetic data."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--database", default=NAME, help="created, and dropped at the end")
    parser.add_argument("--out", type=Path, default=OUT / "voters_job.md")
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    url = args.server.rsplit("/", 1)[0] + "/" + args.database
    if args.measure:
        print(json.dumps(asyncio.run(_measure(*args.measure))))
        return ""
    lines = ["# The reconciliation job end to end (PostgreSQL, seconds: wall / CPU)", "",
             "| residents | communes | list rows | job: read, match, explain, write, commit |"
             " discrepancies | bare SQL join on ID number | job ÷ bare join (wall) |"
             " peak RSS MiB | Splink (DuckDB), links only | summary of the unit (areas) |"
             " load average |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    details = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            loaded, synth = asyncio.run(load(url, size, args.seed))
            done = subprocess.run(
                [sys.executable, "-m", "bench.voters_job", "--server", args.server,
                 "--measure", url, str(loaded["run"])],
                cwd=ROOT, check=True, capture_output=True, text=True)
            got = json.loads(done.stdout.strip().splitlines()[-1])
            splink = "-"
            if size <= 100_000 and not args.no_splink:
                from bench.voters_quality import run_splink

                cpu = time.process_time()
                _, seconds = run_splink(synth.entries, synth.register.people,  # type: ignore[attr-defined]
                                        seed=args.seed)
                splink = f"{seconds:.2f} / {time.process_time() - cpu:.2f}"
                got["splink"] = splink
            del synth
            if got["status"] != "succeeded":
                said = [line[:300] for line in done.stderr.splitlines() if "Error" in line]
                raise SystemExit(f"the run ended {got['status']}: " + "\n".join(said[-5:]))
            lines.append(
                f"| {loaded['residents']:,} | {loaded['communes']} | {loaded['rows']:,} | "
                f"{got['job']:.2f} / {got['job_cpu']:.2f} | {sum(got['kinds'].values()):,} | "
                f"{got['bare_join']:.2f} / {got['bare_join_cpu']:.2f} | "
                f"{got['job'] / got['bare_join']:.1f}× | {got['peak_rss_mib']:.0f} | "
                f"{splink} | {got['summary']:.2f} / {got['summary_cpu']:.2f} "
                f"({got['areas']}) | {got['load_average_1min']:.1f} |")
            details.append({"size": size, "load": loaded, "measure": got})
            print(lines[-1], flush=True)
    finally:
        asyncio.run(_drop(args.server, args.database))
    lines += ["", "Splink's CPU time is this process's alone: DuckDB's threads are counted, "
              "not what runs elsewhere.", "", "```", json.dumps(details, indent=1), "```"]
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return text


async def _drop(server: str, name: str) -> None:
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


if __name__ == "__main__":
    main()
