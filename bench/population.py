"""Load a synthetic province (units, streets, households, residents, readiness) with COPY.

Command line, from the repository root::

    .venv/bin/python -m bench.population \\
        --database-url postgresql://postgres@127.0.0.1:5432/ds_bench \\
        --residents 1000000 --households 300000 --communes 20 --groups-per-commune 15 \\
        [--seed 1] [--fresh] [--chunk-size 4000] [--progress-every 100000] [--quiet]

    # a quick check (a few seconds)
    .venv/bin/python -m bench.population --fresh \\
        --database-url postgresql://postgres@127.0.0.1:5432/ds_bench_small \\
        --residents 20000 --households 6000 --communes 2 --groups-per-commune 3

From another benchmark::

    from bench.population import load_population

    summary = await load_population(
        "postgresql://postgres@127.0.0.1:5432/ds_bench", residents=1_000_000,
        households=300_000, communes=20, groups_per_commune=15, seed=1, fresh=True)
    summary["rows"]["resident"], summary["seconds"]["total"], summary["residents_per_second"]

`--database-url` takes the libpq form (`postgresql://...`) or the SQLAlchemy form
(`postgresql+asyncpg://...`); both name the same database.

What it does:

- `--fresh` drops the database (`WITH (FORCE)`: other sessions on it are cut off; the names
  postgres/template0/template1 are refused), creates it, creates the `pg_trgm` extension and
  runs the Alembic migrations to head (`api.cli.migrate`). Without `--fresh` the database
  must already be migrated; the rows are added to whatever is there. Household codes
  (`C0001G001-0001`, ...) do not depend on the seed, so a second population in the same
  database fails on `uq_household_code` and is rolled back: use `--fresh` (or another
  database) for each load.
- `domain.register.demo.generate_population` is streamed chunk by chunk (memory stays
  constant whatever the size) and each chunk is written with asyncpg's
  `copy_records_to_table` (binary COPY), never the ORM. The next chunk is generated in a
  worker thread while the current one is being copied, so the server's share of the work
  overlaps the (Python-bound) generation.
- Rows are mapped exactly as `repositories/demo.py` maps the demo group: units get
  `province_id`/`commune_id` the same way, households/residents carry the group's
  province/commune/group ids, names go through `name_keys`, readiness facts are recorded
  by "Dữ liệu mẫu". Every table's COPY column list is read from the SQLModel metadata
  (`Model.__table__.columns`): columns the loader does not set are filled from their
  Python default (a constant such as `version = 1`, or a factory called per row), left to
  the database when they only have a server default, or NULL when nullable. A NOT NULL
  column with none of these stops the load with a message naming it, rather than loading
  something half-filled.
- Everything is loaded in ONE transaction (all or nothing): on household, resident and
  readiness_fact the secondary indexes (those not backing a primary-key/unique
  constraint) and the foreign keys are dropped, the rows are copied, and the indexes and
  foreign keys are recreated from their own catalog definitions (`pg_get_indexdef`,
  `pg_get_constraintdef`), so the result is exactly what the migrations built and every
  constraint is validated over the whole table before commit. Then `VACUUM (ANALYZE)` on
  the loaded tables: fresh statistics, and all-visible pages with hint bits set, so the
  first benchmark query does not pay for that.

The summary (dict) holds rows loaded per table, row counts in the database afterwards,
seconds per phase (create, load, indexes, vacuum_analyze, total), residents per second
over the total wall time, the name cache's hit rate, and the Alembic version.

Measured on the 2-CPU dev box (shared; PostgreSQL 15 with stock settings), 1,000,000
residents / 300,000 households / 20 communes x 15 groups: about 67 s wall (load 49 s, indexes
and foreign keys 15 s, vacuum+analyze 2 s), 1,696,210 readiness facts, peak RSS ~165 MB.
The generator alone takes ~35 s of that (about 27-30k residents/s, single-threaded and
sequential by design: one Random drives everything), so it is the floor for this loader.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import enum
import functools
import gc
import operator
import resource
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import asyncpg

from domain.register.demo import PopulationChunk, generate_population
from domain.register.models import Household, ReadinessFact, Resident
from domain.register.rules import name_keys
from domain.text import fold
from domain.types import utcnow, uuid7
from domain.units.models import LEVEL_OF_KIND, AdminUnit, Street, UnitLevel

RECORDED_BY = "Dữ liệu mẫu"  # readiness_fact.recorded_by_name, as repositories/demo.py has it
PROTECTED_DATABASES = frozenset({"postgres", "template0", "template1"})
# ~83% hits on the generator's names for ~20 MB; an unbounded cache would grow with the size.
NAME_CACHE_SIZE = 32_768


# --- column lists from the metadata ---------------------------------------------------------


def _plain(value: Any) -> Any:
    """Enum members as their value: the columns are VARCHAR, asyncpg wants a str."""
    return value.value if isinstance(value, enum.Enum) else value


class _Table:
    """One table's COPY column list (from the SQLModel metadata) and how to fill the rest."""

    def __init__(self, model: Any, supplied: tuple[str, ...]) -> None:
        table = model.__table__
        self.name: str = table.name
        unknown = set(supplied) - {column.name for column in table.columns}
        if unknown:
            raise RuntimeError(f"{self.name} has no column {sorted(unknown)}: "
                               "bench/population.py is out of date with the models")
        self.supplied = frozenset(supplied)
        self.constants: dict[str, Any] = {}
        self.factories: list[tuple[str, Callable[[], Any]]] = []
        columns: list[str] = []
        for column in table.columns:
            name, default = column.name, column.default
            if name in self.supplied:
                pass
            elif default is not None and default.is_scalar:
                self.constants[name] = _plain(default.arg)
            elif default is not None and default.is_callable:
                # SQLAlchemy wraps a zero-argument factory as `f(context)`.
                self.factories.append((name, functools.partial(default.arg, None)))
            elif default is not None:
                raise RuntimeError(f"{self.name}.{name}: a SQL-expression default cannot be "
                                   "computed for COPY; teach bench/population.py to fill it")
            elif column.server_default is not None or column.computed is not None or (
                column.identity is not None
            ):
                continue  # left to the database: not in the COPY column list
            elif column.nullable:
                self.constants[name] = None
            else:
                raise RuntimeError(f"{self.name}.{name} is NOT NULL and has no default; "
                                   "teach bench/population.py to fill it")
            columns.append(name)
        self.columns = tuple(columns)
        self._get = operator.itemgetter(*columns)
        self._checked = False

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        """The COPY record for `values` (the supplied columns), defaults filled in."""
        if not self._checked:  # once: the builder and `supplied` must agree
            if set(values) != self.supplied:
                raise RuntimeError(f"{self.name}: row keys differ from the declared columns: "
                                   f"{sorted(set(values) ^ self.supplied)}")
            self._checked = True
        values.update(self.constants)
        for name, make in self.factories:
            values[name] = _plain(make())
        return self._get(values)


_ENTITY = ("id", "created_at", "updated_at")
ADMIN_UNIT = (*_ENTITY, "level", "kind", "code", "name", "name_folded", "parent_id",
              "province_id", "commune_id", "old_address_text")
STREET = (*_ENTITY, "commune_id", "province_id", "name", "name_folded", "old_name")
HOUSEHOLD = (*_ENTITY, "code", "province_id", "commune_id", "group_id", "street_id",
             "house_number", "house_number_sort", "old_address_text", "head_id")
RESIDENT = (*_ENTITY, "household_id", "relationship", "province_id", "commune_id", "group_id",
            "full_name", "name_folded", "name_lower", "sort_key", "full_name_key", "birth_date",
            "birth_year", "sex", "id_number", "id_number_mismatch", "phone",
            "residence_status", "residence_since")
READINESS_FACT = ("id", "resident_id", "kind", "occurred_on", "recorded_by_name",
                  "recorded_at")


# --- specs to records -----------------------------------------------------------------------


@dataclass(slots=True)
class _Batch:
    """The COPY records of one generator chunk, table by table in load order."""

    tables: list[tuple[_Table, list[tuple[Any, ...]]]]
    residents: int


class _Rows:
    """Turns generator chunks into COPY records; remembers unit and street ids across chunks."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.admin_unit = _Table(AdminUnit, ADMIN_UNIT)
        self.street = _Table(Street, STREET)
        self.household = _Table(Household, HOUSEHOLD)
        self.resident = _Table(Resident, RESIDENT)
        self.readiness_fact = _Table(ReadinessFact, READINESS_FACT)
        self.tables = (self.admin_unit, self.street, self.household, self.resident,
                       self.readiness_fact)
        # unit key -> (id, province_id, commune_id); street key -> id
        self.units: dict[str, tuple[uuid.UUID, uuid.UUID | None, uuid.UUID | None]] = {}
        self.streets: dict[str, uuid.UUID] = {}
        self.name_keys = functools.lru_cache(maxsize=NAME_CACHE_SIZE)(name_keys)

    def next_batch(self, source: Iterator[PopulationChunk]) -> _Batch | None:
        chunk = next(source, None)
        return None if chunk is None else self.batch(chunk)

    def batch(self, chunk: PopulationChunk) -> _Batch:
        now, units, streets = self.now, [], []
        for spec in chunk.units:  # parents come before children (generator contract)
            uid = uuid7()
            level = LEVEL_OF_KIND[spec.kind]
            if spec.parent_key is None:  # as repositories.demo._unit: a province is its own
                parent_id, province_id, commune_id = None, uid, None
            else:
                parent_id, province_id, parent_commune = self.units[spec.parent_key]
                commune_id = uid if level == UnitLevel.commune else parent_commune
            self.units[spec.key] = (uid, province_id, commune_id)
            units.append(self.admin_unit.row({
                "id": uid, "created_at": now, "updated_at": now, "level": level.value,
                "kind": spec.kind.value, "code": spec.code, "name": spec.name,
                "name_folded": fold(spec.name), "parent_id": parent_id,
                "province_id": province_id, "commune_id": commune_id,
                "old_address_text": spec.old_address_text,
            }))  # fmt: skip
        for spec in chunk.streets:
            sid = uuid7()
            commune_id, province_id, _ = self.units[spec.commune_key]
            self.streets[spec.key] = sid
            streets.append(self.street.row({
                "id": sid, "created_at": now, "updated_at": now, "commune_id": commune_id,
                "province_id": province_id, "name": spec.name, "name_folded": fold(spec.name),
                "old_name": spec.old_name,
            }))  # fmt: skip

        households, residents, facts = [], [], []
        household_row, resident_row, fact_row = (
            self.household.row, self.resident.row, self.readiness_fact.row)
        keys = self.name_keys
        for spec in chunk.households:
            group_id, province_id, commune_id = self.units[spec.group_key]
            hid = uuid7()
            member_ids = [uuid7() for _ in spec.members]
            households.append(household_row({
                "id": hid, "created_at": now, "updated_at": now, "code": spec.code,
                "province_id": province_id, "commune_id": commune_id, "group_id": group_id,
                "street_id": self.streets[spec.street_key], "house_number": spec.house_number,
                "house_number_sort": spec.house_number_sort,
                "old_address_text": spec.old_address_text,
                # The head is written straight away (members[0]): the foreign keys are off
                # during the load and validated when they are put back (see _defer_checks).
                "head_id": member_ids[0],
            }))  # fmt: skip
            for rid, member in zip(member_ids, spec.members, strict=True):
                residents.append(resident_row({
                    "id": rid, "created_at": now, "updated_at": now, "household_id": hid,
                    "relationship": member.relationship.value, "province_id": province_id,
                    "commune_id": commune_id, "group_id": group_id, **keys(member.full_name),
                    "birth_date": member.birth_date, "birth_year": member.birth_year,
                    "sex": member.sex.value, "id_number": member.id_number,
                    "id_number_mismatch": member.id_number_mismatch, "phone": member.phone,
                    "residence_status": member.residence_status.value,
                    "residence_since": member.residence_since,
                }))  # fmt: skip
                for kind, on in member.readiness:
                    facts.append(fact_row({
                        "id": uuid7(), "resident_id": rid, "kind": kind.value,
                        "occurred_on": on, "recorded_by_name": RECORDED_BY, "recorded_at": now,
                    }))  # fmt: skip
        return _Batch([(self.admin_unit, units), (self.street, streets),
                       (self.household, households), (self.resident, residents),
                       (self.readiness_fact, facts)], len(residents))


# --- the database ---------------------------------------------------------------------------

# Secondary indexes: everything not backing a primary-key, unique or exclusion constraint.
_INDEXES = """
SELECT format('DROP INDEX %s', x.indexrelid::regclass) AS drop_sql,
       pg_get_indexdef(x.indexrelid) AS create_sql
FROM pg_index x
WHERE x.indrelid = ANY (SELECT t::regclass FROM unnest($1::text[]) AS t)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                  WHERE k.conindid = x.indexrelid AND k.contype IN ('p', 'u', 'x'))
ORDER BY x.indexrelid
"""
# Foreign keys *from* the loaded tables (those pointing at them are unaffected by inserts).
_FOREIGN_KEYS = """
SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', k.conrelid::regclass, k.conname) AS drop_sql,
       format('ALTER TABLE %s ADD CONSTRAINT %I %s', k.conrelid::regclass, k.conname,
              pg_get_constraintdef(k.oid)) AS create_sql
FROM pg_constraint k
WHERE k.contype = 'f' AND k.conrelid = ANY (SELECT t::regclass FROM unnest($1::text[]) AS t)
ORDER BY k.oid
"""


async def _defer_checks(conn: asyncpg.Connection, tables: list[str]) -> list[str]:
    """Drop the secondary indexes and foreign keys of `tables`; the statements to restore them.

    Why drop rather than keep (inside the load's transaction, so nothing is ever visible
    without them):
    - household.head_id -> resident.id and resident.household_id -> household.id point at
      each other. With the foreign keys off, households are copied with their head already
      set, so no `UPDATE household ... FROM staging` is needed; that UPDATE would rewrite
      every household row (a dead tuple each, twice the heap, every index updated again).
    - A foreign key checked row by row during COPY is one index probe per row and key
      (resident has four); adding the constraint afterwards validates it with one join.
    - Building an index once over the loaded table (sorted, and the GIN trigram index in
      bulk) is much faster than maintaining it row by row.
    Primary keys and unique constraints stay: uuid7 keys and the household codes arrive in
    order, so keeping them is cheap, and duplicates fail at once.
    """
    indexes = await conn.fetch(_INDEXES, tables)
    foreign_keys = await conn.fetch(_FOREIGN_KEYS, tables)
    for record in [*foreign_keys, *indexes]:
        await conn.execute(record["drop_sql"])
    return [r["create_sql"] for r in indexes] + [r["create_sql"] for r in foreign_keys]


def _asyncpg_dsn(url: str) -> str:
    """`postgresql+asyncpg://...` (SQLAlchemy) or `postgresql://...` -> the asyncpg form."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in {"postgresql", "postgres"}:
        raise ValueError(f"not a PostgreSQL URL: {url!r}")
    return urlunsplit(parts._replace(scheme="postgresql"))


def _database_name(dsn: str) -> str:
    return unquote(urlsplit(dsn).path.lstrip("/"))


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def recreate_database(dsn: str) -> None:
    """Drop and create the database of `dsn`, add pg_trgm, migrate to the Alembic head."""
    from api.cli import migrate  # the application's own migration entry point
    from api.settings import Settings

    name = _database_name(dsn)
    if not name or name in PROTECTED_DATABASES:
        raise ValueError(f"refusing to drop database {name!r}")
    admin = await asyncpg.connect(urlunsplit(urlsplit(dsn)._replace(path="/postgres")))
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {_quote_ident(name)}")
    finally:
        await admin.close()
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    finally:
        await conn.close()
    url = urlunsplit(urlsplit(dsn)._replace(scheme="postgresql+asyncpg"))
    # Alembic's env.py calls asyncio.run(): it needs a thread without a running loop.
    await asyncio.to_thread(migrate, Settings(database_url=url))


@contextlib.contextmanager
def _quiet_gc() -> Iterator[None]:
    """Cyclic GC off while loading; it was ~40% of the CPU time of generating + building rows.

    Every resident leaves a few container objects alive until its batch is copied, so the
    collector kept running (and re-scanning the imported modules' objects) while finding
    nothing: neither the generator nor this loader makes reference cycles. Objects already
    alive are frozen out of later collections, and one collection runs per progress line
    every 25 batches (see `load_population`) so that a stray cycle cannot pile up. Restored on exit.
    """
    was_enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.unfreeze()


async def load_population(
    dsn: str, *, residents: int, households: int, communes: int, groups_per_commune: int,
    seed: int = 1, fresh: bool = True, chunk_size: int = 4_000,
    progress_every: int = 100_000, verbose: bool = True,
) -> dict[str, Any]:
    """Load a synthetic province into the database of `dsn`; returns the summary (see top)."""
    if communes < 1 or groups_per_commune < 1:
        raise ValueError("communes and groups_per_commune must be at least 1")
    if not 1 <= households <= residents <= 8 * households:
        raise ValueError("residents must be between households and 8 × households")

    def say(message: str) -> None:
        if verbose:
            print(message, flush=True)

    started = time.perf_counter()
    dsn = _asyncpg_dsn(dsn)
    seconds: dict[str, float] = {}
    if fresh:
        say(f"creating database {_database_name(dsn)!r} and migrating to head ...")
        await recreate_database(dsn)
        seconds["create"] = time.perf_counter() - started

    rows = _Rows(utcnow())
    tables = [table.name for table in rows.tables]
    big = [rows.household.name, rows.resident.name, rows.readiness_fact.name]
    source = generate_population(
        seed, communes=communes, groups_per_commune=groups_per_commune,
        households=households, residents=residents, chunk_size=chunk_size,
    )
    loaded = dict.fromkeys(tables, 0)
    conn = await asyncpg.connect(dsn)
    pending: asyncio.Future[_Batch | None] | None = None
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL maintenance_work_mem = '1GB'")
            restore = await _defer_checks(conn, big)
            phase = time.perf_counter()
            next_report = progress_every
            with _quiet_gc():
                pending = asyncio.ensure_future(asyncio.to_thread(rows.next_batch, source))
                batches = 0
                while (batch := await pending) is not None:
                    # Build the next chunk in the worker thread while this one is copied.
                    pending = asyncio.ensure_future(asyncio.to_thread(rows.next_batch, source))
                    for table, records in batch.tables:
                        if records:
                            await conn.copy_records_to_table(
                                table.name, records=records, columns=table.columns)
                            loaded[table.name] += len(records)
                    del batch
                    batches += 1
                    if batches % 25 == 0:  # see _quiet_gc
                        gc.collect()
                    done = loaded[rows.resident.name]
                    if progress_every > 0 and done >= next_report:
                        elapsed = time.perf_counter() - started
                        say(f"{done:>12,} residents  {loaded[rows.household.name]:>10,} "
                            f"households  {loaded[rows.readiness_fact.name]:>11,} facts  "
                            f"{elapsed:8.1f} s  {done / elapsed:>9,.0f} residents/s")
                        next_report = (done // progress_every + 1) * progress_every
            pending = None
            seconds["load"] = time.perf_counter() - phase

            phase = time.perf_counter()
            say(f"recreating {len(restore)} indexes and foreign keys ...")
            for statement in restore:
                step = time.perf_counter()
                await conn.execute(statement)
                say(f"  {time.perf_counter() - step:6.1f} s  {statement}")
            seconds["indexes"] = time.perf_counter() - phase

        phase = time.perf_counter()
        await conn.execute(f"VACUUM (ANALYZE) {', '.join(map(_quote_ident, tables))}")
        seconds["vacuum_analyze"] = time.perf_counter() - phase
        seconds["total"] = time.perf_counter() - started

        counts = {t: await conn.fetchval(f"SELECT count(*) FROM {_quote_ident(t)}")
                  for t in tables}
        version = await conn.fetchval("SELECT string_agg(version_num, ',') FROM alembic_version")
    finally:
        if pending is not None:  # a failed COPY: let the worker thread finish its chunk
            with contextlib.suppress(Exception):  # the COPY's error is the one to raise
                await pending
        await conn.close()

    from api.app import migration_head

    cache = rows.name_keys.cache_info()
    return {
        "database": _database_name(dsn),
        "seed": seed,
        "parameters": {"residents": residents, "households": households, "communes": communes,
                       "groups_per_commune": groups_per_commune, "chunk_size": chunk_size},
        "rows": loaded,
        "counts": counts,
        "seconds": seconds,
        "residents_per_second": loaded[rows.resident.name] / seconds["total"],
        "name_cache_hit_rate": cache.hits / max(1, cache.hits + cache.misses),
        "alembic_version": version,
        "alembic_head": migration_head(),
    }


# --- command line ---------------------------------------------------------------------------


def _print_summary(summary: dict[str, Any]) -> None:
    print(f"\ndatabase {summary['database']!r}, seed {summary['seed']}")
    print(f"{'table':<16}{'loaded':>12}{'in database':>14}")
    for table, n in summary["rows"].items():
        print(f"{table:<16}{n:>12,}{summary['counts'][table]:>14,}")
    s = summary["seconds"]
    phases = "  ".join(f"{k} {v:.1f}s" for k, v in s.items() if k != "total")
    print(f"wall time {s['total']:.1f} s ({phases})")
    print(f"{summary['residents_per_second']:,.0f} residents/s over the wall time; "
          f"name cache hit rate {summary['name_cache_hit_rate']:.0%}")
    # ru_maxrss is in KiB on Linux.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process {peak:,.0f} MiB")
    at_head = summary["alembic_version"] == summary["alembic_head"]
    print(f"alembic_version {summary['alembic_version']} "
          f"({'head' if at_head else 'NOT head: ' + summary['alembic_head']})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.population",
        description="Load a synthetic province into PostgreSQL with COPY.")
    parser.add_argument("--database-url", required=True,
                        help="postgresql://user@host:port/dbname (or postgresql+asyncpg://)")
    parser.add_argument("--residents", type=int, required=True)
    parser.add_argument("--households", type=int, required=True)
    parser.add_argument("--communes", type=int, required=True)
    parser.add_argument("--groups-per-commune", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fresh", action="store_true",
                        help="drop and create the database, pg_trgm, migrate to head")
    parser.add_argument("--chunk-size", type=int, default=4_000,
                        help="households per generated chunk / COPY batch")
    parser.add_argument("--progress-every", type=int, default=100_000,
                        help="residents between progress lines (0: none)")
    parser.add_argument("--quiet", action="store_true", help="only the final summary")
    args = parser.parse_args(argv)
    try:
        summary = asyncio.run(load_population(
            args.database_url, residents=args.residents, households=args.households,
            communes=args.communes, groups_per_commune=args.groups_per_commune,
            seed=args.seed, fresh=args.fresh, chunk_size=args.chunk_size,
            progress_every=args.progress_every, verbose=not args.quiet,
        ))  # fmt: skip
    except (ValueError, RuntimeError, OSError, asyncpg.PostgresError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    _print_summary(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
