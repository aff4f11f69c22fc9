"""Voter list benchmark: a 100,000-row official list imported by the `imports.run` job (what a
worker runs for a large file), a second version of it, and their difference.

    .venv/bin/python -m bench.voter_lists [--server postgresql://postgres@127.0.0.1:5432/postgres]
        [--rows 100000]

Builds a database of its own (`ds_bench_voter_lists`, migrated to head, dropped afterwards),
one commune with a polling area and an election officer, writes the list as a CSV the way a
commune office exports it (STT, Họ và tên, Ngày sinh in mixed formats, Giới tính, Số CCCD,
Dân tộc, Nơi thường trú, Ghi chú), and times: the first import (job claimed, rows read,
checked and COPYed, committed), a re-import with 1% of the rows changed, 0.5% removed and
0.5% added (version 2), the difference of version 2 against version 1 as the route computes
it (and again, as a next page finds it kept), and a deep page of rows. Prints one line
per step.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from sqlalchemy.ext.asyncio import create_async_engine

from domain.access import Principal, Role, permissions_for
from domain.elections import voter_lists
from domain.elections.models import Election, PollingArea
from domain.imports.models import ImportJob, ImportKind
from domain.imports.tasks import run_import, upload_path
from domain.register.rules import make_id_number
from domain.text import fold
from domain.types import uuid7
from domain.units.models import AdminUnit, UnitKind, UnitLevel
from repositories.db import make_session_factory
from repositories.queue import Runtime
from repositories.uow import SqlUnitOfWork

NAME = "ds_bench_voter_lists"
HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Dân tộc",
          "Nơi thường trú", "Ghi chú"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Huỳnh"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Hữu", "Thanh", "Đức", "Quang"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Lan", "Long", "Mai", "Nam", "Phúc",
         "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến", "Ánh"]


def people(count: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 66))
        sex = rng.choice(("male", "female"))
        written = (born.strftime("%d/%m/%Y") if i % 3 else born.isoformat()) if i % 10 else str(
            born.year)
        out.append([str(i + 1), f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                    written, "Nam" if sex == "male" else "Nữ",
                    make_id_number("052", born.year, sex, 100_000 + i), "Kinh",
                    f"{rng.randrange(1, 400)} Trần Phú, Phường Thử Nghiệm, Gia Lai", ""])
    return out


def write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out, lineterminator="\r\n").writerows([HEADER, *rows])


async def setup(factory):
    async with factory() as session:
        province = AdminUnit(level=UnitLevel.province, kind=UnitKind.province, name="Tỉnh Thử",
                             name_folded="tinh thu")
        province.province_id = province.id
        commune = AdminUnit(level=UnitLevel.commune, kind=UnitKind.ward,
                            name="Phường Thử Nghiệm", name_folded=fold("Phường Thử Nghiệm"),
                            parent_id=province.id, province_id=province.id)
        commune.commune_id = commune.id
        session.add_all([province, commune])
        await session.flush()
        election = Election(name="Bầu cử thử", election_day=date(2026, 3, 15),
                            levels=["national_assembly"], list_posting_on=date(2026, 2, 3),
                            amendment_deadline_at=datetime(2026, 3, 14, tzinfo=UTC),
                            complaint_deadline_on=date(2026, 3, 10), voting_opens_at=clock(7))
        session.add(election)
        await session.flush()
        area = PollingArea(election_id=election.id, province_id=province.id,
                           commune_id=commune.id, code="01", name="Khu vực bỏ phiếu số 1")
        session.add(area)
        await session.commit()
    who = Principal(subject_id=uuid7(), name="bench-officer", role=Role.election_officer,
                    unit_ids=frozenset({commune.id}),
                    permissions=permissions_for(Role.election_officer),
                    levels=(("commune", frozenset({commune.id})),))
    return area, who


async def import_once(runtime: Runtime, area, who, source: Path) -> tuple[float, dict]:
    """What POST /imports does for a large file, then the job as a worker runs it."""
    job = ImportJob(kind=ImportKind.voter_list, filename=source.name, file_sha256="0" * 64,
                    polling_area_id=area.id, created_by_id=who.subject_id,
                    submitted_by=who.snapshot())
    target = upload_path(runtime.var_dir, job)
    target.parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(lambda: target.write_bytes(source.read_bytes()))
    async with SqlUnitOfWork(runtime.session_factory) as uow:
        await uow.imports.add_job(job)
        await uow.commit()
    started = time.perf_counter()
    await run_import(runtime, import_id=str(job.id))
    seconds = time.perf_counter() - started
    async with SqlUnitOfWork(runtime.session_factory) as uow:
        done = await uow.imports.job(job.id)
        return seconds, {"id": done.id, "status": done.status, "rows": done.created_count,
                         "reasons": len(done.errors)}


async def main(server: str, rows: int) -> None:
    import asyncpg
    from alembic import command
    from alembic.config import Config

    from api.app import ROOT

    admin = await asyncpg.connect(server.replace("+asyncpg", ""))
    await admin.execute(f'DROP DATABASE IF EXISTS "{NAME}"')
    await admin.execute(f'CREATE DATABASE "{NAME}"')
    url = server.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + "/" + NAME
    try:
        config = Config(str(ROOT / "alembic.ini"))
        config.set_main_option("script_location", str(ROOT / "migrations"))
        config.attributes["url"] = url
        config.attributes["configure_logger"] = False
        await asyncio.to_thread(command.upgrade, config, "head")
        engine = create_async_engine(url, pool_size=4)
        factory = make_session_factory(engine)
        area, who = await setup(factory)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            runtime = Runtime(factory, folder, 10.0)
            first = people(rows, 1)
            write_csv(folder / "v1.csv", first)
            size = (folder / "v1.csv").stat().st_size
            seconds, job = await import_once(runtime, area, who, folder / "v1.csv")
            print(f"import v1: {rows} rows, {size / 1e6:.1f} MB CSV: {seconds:.2f} s "
                  f"({job['status']}, {job['rows']} rows, {job['reasons']} reasons)")
            second = [r for i, r in enumerate(first) if i % 200 != 7]  # 0.5% gone
            for i in range(0, len(second), 100):  # 1% moved house
                second[i] = [*second[i][:6], "9 Lê Lợi, Phường Thử Nghiệm, Gia Lai", ""]
            second += people(rows // 200, 2)  # 0.5% new (other ID serials: none match)
            for r in second[-(rows // 200):]:
                r[4] = r[4][:6] + str(900_000 + int(r[0]))[-6:]
            write_csv(folder / "v2.csv", second)
            seconds, job2 = await import_once(runtime, area, who, folder / "v2.csv")
            print(f"import v2: {len(second)} rows: {seconds:.2f} s ({job2['status']})")
        async with SqlUnitOfWork(factory) as uow:
            version = await uow.voter_lists.by_job(job2["id"])
            assert version is not None
            started = time.perf_counter()
            _, base, diff = await voter_lists.diff_versions(uow, who, version, against=None)
            took = time.perf_counter() - started
            print(f"diff v2 against v{base.number if base else 0}: {took:.2f} s (added "
                  f"{len(diff.added)}, removed {len(diff.removed)}, changed {len(diff.changed)},"
                  f" unchanged {diff.unchanged})")
            started = time.perf_counter()  # the next page: the pair's diff is kept
            await voter_lists.diff_versions(uow, who, version, against=None)
            print(f"diff again (a next page): {(time.perf_counter() - started) * 1e3:.1f} ms")
            held = await uow.voter_lists.get(who, version)
            started = time.perf_counter()
            cursor = None
            for _ in range(20):
                page = await uow.voter_lists.rows(held, cursor=cursor, limit=200,
                                                  include_total=False)
                cursor = page.next_cursor
            print(f"rows: 20 pages of 200: {(time.perf_counter() - started) * 1e3:.0f} ms")
        await engine.dispose()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    asyncio.run(main(args.server, args.rows))
