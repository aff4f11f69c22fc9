"""Tickets benchmark: a commune's queue, a `q` search and its stats, through HTTP and bare.

    .venv/bin/python -m bench.tickets [--database-url postgresql://postgres@127.0.0.1:5432/ds_bench]
        [--reload] [--tickets 200000] [--quick] [--requests 200] [--cases abc]

Needs the 1M-resident province of bench/population.py (`make bench-load`). Loads, once (again
with --reload), 200,000 tickets over its 20 communes with COPY: skewed (Zipf-like, the
benchmark's commune "Phường Thử Nghiệm 1" the busiest), two years of history in working
hours, statuses by age, due times, working minutes and breach flags from the default working
calendar (domain/tickets/calendar.py) as the SLA clock sets them, a timeline line for each
move and a comment on about a third of them. Then, as the commune's ward officer
(`bench-officer`), ONE uvicorn worker (bench/harness.py) answers, one request in flight, each
case interleaved in rounds with the same statement run bare (asyncpg, the same parameters,
compiled from what the repository builds):
  a. the queue: GET /tickets?status=new (default sort, 50 rows);
  b. `q`: GET /tickets?q=<a folded word of the subjects>, cycling over words of different
     frequency;
  c. GET /tickets/stats for the last 30 days (the GROUP BY statement bare).
Target: p95 < 100 ms each. EXPLAIN (ANALYZE, BUFFERS) of each bare statement goes to the
report. Output: bench/out/tickets-latest.md (server log: bench/out/server.log).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import psutil

from bench.harness import (
    Run,
    Tokens,
    compare,
    ensure_account,
    no_reset,
    start_server,
    stop_server,
    urlq,
    wait_ready,
)
from bench.population import _asyncpg_dsn, _defer_checks, _Table
from domain.access import Principal, Role, permissions_for
from domain.clock import today_vn
from domain.text import fold
from domain.tickets.calendar import default_calendar
from domain.tickets.models import (
    CategoryKind,
    EventKind,
    Priority,
    Ticket,
    TicketChannel,
    TicketComment,
    TicketEvent,
    TicketOutcome,
    TicketStatus,
    Visibility,
)
from domain.tickets.stats import instants
from domain.types import uuid7
from repositories.direct import _DIALECT, prepared
from repositories.paging import keyset, parse_sort
from repositories.tickets import SORTS, TicketRepository, stats_base, stats_statement

OUT = Path(__file__).resolve().parent / "out"
COMMUNE = "Phường Thử Nghiệm 1"
OFFICER, PASSWORD = "bench-officer", "bench-password-not-a-secret"
STAFF = uuid.UUID("00000000-0000-7000-8000-00000000b3c4")  # the timeline's actor
S = TicketStatus

# (code, name, kind, default team, priority, first response, resolution: working minutes)
CATEGORIES = [
    ("bench-dvc", "Hỗ trợ dịch vụ công trực tuyến", CategoryKind.public_service_help,
     Role.group_leader, Priority.normal, 480, 1440),
    ("bench-tthc", "Thủ tục hành chính", CategoryKind.administrative_procedure,
     Role.ward_officer, Priority.normal, 480, 2400),
    ("bench-vneid", "Hỗ trợ VNeID, ứng dụng số", CategoryKind.app_help, Role.volunteer,
     Priority.normal, 240, 960),
    ("bench-luadao", "Báo lừa đảo", CategoryKind.fraud_report, Role.security_officer,
     Priority.high, 120, 960),
    ("bench-gopy", "Góp ý, phản ánh", CategoryKind.feedback, Role.ward_officer, Priority.low,
     480, 2400),
    ("bench-hoidap", "Hỏi đáp", CategoryKind.question, Role.group_leader, Priority.normal,
     480, 1440),
    ("bench-khac", "Khác", CategoryKind.other, None, Priority.low, 480, 2400),
]
WEIGHTS = (16, 10, 30, 12, 8, 18, 6)  # of the categories above, in per cent
SUBJECTS = {
    "bench-dvc": ["Hỏi cách nộp hồ sơ trên Cổng dịch vụ công", "Không đăng nhập được Cổng "
                  "dịch vụ công quốc gia", "Cần hướng dẫn thanh toán lệ phí trực tuyến",
                  "Hồ sơ đăng ký thường trú trực tuyến bị trả lại"],
    "bench-tthc": ["Hỏi thủ tục cấp lại căn cước", "Xin xác nhận cư trú cho con đi học",
                   "Thủ tục đăng ký khai sinh cho cháu", "Hỏi giấy tờ chuyển hộ khẩu"],
    "bench-vneid": ["Không kích hoạt được VNeID mức 2", "Quên mật khẩu VNeID",
                    "Cài VNeID trên điện thoại cũ bị lỗi", "Tích hợp giấy phép lái xe vào VNeID",
                    "VNeID báo sai số điện thoại"],
    "bench-luadao": ["Cuộc gọi giả danh công an đòi chuyển tiền", "Tin nhắn mời cài ứng dụng "
                     "giả mạo dịch vụ công", "Bị lừa nạp tiền làm nhiệm vụ online",
                     "Đường link giả mạo ngân hàng gửi qua Zalo"],
    "bench-gopy": ["Đèn đường hẻm bị hỏng", "Góp ý giờ tiếp dân buổi tối",
                   "Phản ánh rác thải đầu hẻm", "Đề nghị lắp camera an ninh"],
    "bench-hoidap": ["Hỏi lịch họp tổ dân phố", "Hỏi về danh sách cử tri",
                     "Hỏi cách tham gia nhóm Zalo của tổ", "Hỏi chế độ cho người cao tuổi"],
    "bench-khac": ["Nhờ hỗ trợ việc khác", "Đề nghị gặp tổ trưởng"],
}
# `q` words of different frequency among the subjects (folded, as a client may type them).
QUERIES = ["vneid", "dich vu cong", "lua dao", "can cuoc", "zalo", "mat khau", "camera",
           "khai sinh"]
CHANNELS = list(TicketChannel)


# --- the load -----------------------------------------------------------------------------------
TICKET = (
    "id", "created_at", "updated_at", "version", "code", "requester_resident_id",
    "contact_name", "contact_phone", "household_id", "province_id", "commune_id", "group_id",
    "channel", "subject", "description", "subject_folded", "category_id", "priority",
    "status", "outcome", "team", "tags", "opened_by_id", "on_behalf",
    "first_response_due_at", "resolution_due_at", "first_responded_at", "resolved_at",
    "closed_at", "first_response_work_minutes", "resolution_work_minutes",
    "first_response_breached", "resolution_breached")
EVENT = ("id", "ticket_id", "kind", "visibility", "from_status", "to_status", "outcome",
         "comment_id", "actor_id", "actor_name", "occurred_at")
COMMENT = ("id", "ticket_id", "body", "visibility", "author_id", "author_name", "created_at")


def _status(age_days: float, rng: random.Random) -> TicketStatus:
    table = ((3, (S.new, 45), (S.acknowledged, 20), (S.in_progress, 20),
              (S.waiting_on_resident, 5), (S.resolved, 10)),
             (21, (S.new, 6), (S.acknowledged, 6), (S.in_progress, 15),
              (S.waiting_on_resident, 10), (S.resolved, 30), (S.closed, 33)),
             (1e9, (S.new, 1), (S.acknowledged, 1), (S.in_progress, 2),
              (S.waiting_on_resident, 2), (S.resolved, 10), (S.closed, 84)))
    for limit, *shares in table:
        if age_days < limit:
            return rng.choices([s for s, _ in shares], [w for _, w in shares])[0]
    raise AssertionError


def _created(rng: random.Random, now: datetime, days: int, calendar) -> datetime:
    """A moment in the last `days`, more often recent; in working hours 85% of the time
    (the rest in the evening, when residents write in the community group)."""
    while True:
        day = today_vn() - timedelta(days=int(days * rng.random() ** 1.3))
        spans = calendar.working(day)
        if rng.random() < 0.85 and spans:
            opens, closes = rng.choice(spans)
            moment = opens + (closes - opens) * rng.random()
        else:
            evening = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12)
            moment = evening + timedelta(minutes=rng.randrange(180))  # 19:00-22:00 in Vietnam
        if moment < now:
            return moment


def build(rng: random.Random, n: int, now: datetime, communes: list[uuid.UUID],
          households: dict[uuid.UUID, list[tuple]], groups: dict[uuid.UUID, list[uuid.UUID]],
          province: uuid.UUID, categories: list[tuple[uuid.UUID, tuple]]):
    """COPY records of tickets, their timeline and comments."""
    calendar = default_calendar()
    tickets, events, comments = _Table(Ticket, TICKET), _Table(TicketEvent, EVENT), \
        _Table(TicketComment, COMMENT)
    out: tuple[list, list, list] = ([], [], [])
    weights = [1 / (i + 1) ** 0.8 for i in range(len(communes))]  # the first is the busiest

    def event(ticket_id, kind, at, before=None, after=None, outcome=None, comment=None,
              visibility=Visibility.public):
        out[1].append(events.row({
            "id": uuid7(), "ticket_id": ticket_id, "kind": kind.value,
            "visibility": visibility.value, "from_status": before and before.value,
            "to_status": after and after.value, "outcome": outcome and outcome.value,
            "comment_id": comment, "actor_id": STAFF, "actor_name": "Cán bộ phường",
            "occurred_at": at}))

    for i in range(n):
        commune = rng.choices(communes, weights)[0]
        category_id, (code, _, _, team, priority, fr_target, res_target) = rng.choices(
            categories, WEIGHTS)[0]
        created = _created(rng, now, 730, calendar)
        status = _status((now - created).total_seconds() / 86400, rng)
        fr_due, res_due = calendar.add(created, fr_target), calendar.add(created, res_target)
        responded = resolved = closed = None
        fr_minutes = res_minutes = None
        if status != S.new:
            fr_minutes = max(1, int(fr_target * rng.lognormvariate(-0.9, 0.7)))
            responded = calendar.add(created, fr_minutes)
            if responded > now:
                status, responded, fr_minutes = S.new, None, None
        if status in (S.resolved, S.closed):
            res_minutes = max(fr_minutes or 1, int(res_target * rng.lognormvariate(-0.7, 0.6)))
            resolved = calendar.add(created, res_minutes)
            if resolved > now:
                status, resolved, res_minutes = S.in_progress, None, None
            elif status == S.closed:
                closed = resolved + timedelta(days=3)
                if closed > now:
                    status, closed = S.resolved, None
        ticket_id = uuid7()
        home = rng.choice(households[commune]) if rng.random() < 0.85 else None
        subject = rng.choice(SUBJECTS[code])
        outcome = (rng.choices(list(TicketOutcome), (50, 30, 5, 10, 5))[0]
                   if resolved else None)
        channel = rng.choices(CHANNELS, (40, 25, 15, 12, 8))[0]
        out[0].append(tickets.row({
            "id": ticket_id, "created_at": created, "updated_at": closed or resolved
            or responded or created, "version": 1 + sum(x is not None for x in (
                responded, resolved, closed)), "code": f"B{i:07d}",
            "requester_resident_id": home[2] if home else None,
            "contact_name": None if home else "Người liên hệ",
            "contact_phone": None if home else f"+849{rng.randrange(10**8):08d}",
            "household_id": home[0] if home else None, "province_id": province,
            "commune_id": commune,
            "group_id": home[1] if home else rng.choice(groups[commune]),
            "channel": channel.value, "subject": subject,
            "description": f"{subject}. Nhờ cán bộ hỗ trợ giúp.", "subject_folded": fold(subject),
            "category_id": category_id, "priority": priority.value, "status": status.value,
            "outcome": outcome and outcome.value, "team": team and team.value,
            "tags": json.dumps([code.removeprefix("bench-")]), "opened_by_id": STAFF,
            "on_behalf": channel != TicketChannel.citizen_app,
            "first_response_due_at": fr_due, "resolution_due_at": res_due,
            "first_responded_at": responded, "resolved_at": resolved, "closed_at": closed,
            "first_response_work_minutes": fr_minutes,
            "resolution_work_minutes": res_minutes,
            "first_response_breached": (responded or now) > fr_due,
            "resolution_breached": (resolved or now) > res_due}))
        event(ticket_id, EventKind.opened, created, after=S.new)
        if responded is not None:
            first = S.acknowledged if status != S.in_progress or rng.random() < 0.5 \
                else S.in_progress
            event(ticket_id, EventKind.transition, responded, S.new, first)
            last = first
            if status in (S.in_progress, S.waiting_on_resident) and first != status:
                event(ticket_id, EventKind.transition, responded + timedelta(hours=1), first,
                      status)
            if resolved is not None:
                event(ticket_id, EventKind.transition, resolved, last, S.resolved, outcome)
            if closed is not None:
                event(ticket_id, EventKind.transition, closed, S.resolved, S.closed)
            if rng.random() < 0.35:
                comment_id = uuid7()
                visibility = Visibility.public if rng.random() < 0.7 else Visibility.internal
                out[2].append(comments.row({
                    "id": comment_id, "ticket_id": ticket_id, "visibility": visibility.value,
                    "body": "Đã liên hệ, hẹn hỗ trợ tại nhà." if visibility == Visibility.public
                    else "Cần kiểm tra lại thông tin trên hệ thống.", "author_id": STAFF,
                    "author_name": "Cán bộ phường", "created_at": responded}))
                event(ticket_id, EventKind.comment, responded, comment=comment_id,
                      visibility=visibility)
    return [(tickets, out[0]), (events, out[1]), (comments, out[2])]


async def load_tickets(conn: asyncpg.Connection, n: int, seed: int = 13) -> dict:
    """Replace the benchmark's tickets (and their categories) with `n` new ones."""
    started = time.perf_counter()
    province = await conn.fetchval("SELECT id FROM admin_unit WHERE level = 'province' LIMIT 1")
    communes = [r["id"] for r in await conn.fetch(
        "SELECT id FROM admin_unit WHERE level = 'commune' ORDER BY name = $1 DESC, code",
        COMMUNE)]
    households: dict[uuid.UUID, list[tuple]] = {c: [] for c in communes}
    for r in await conn.fetch("SELECT id, group_id, head_id, commune_id FROM household"
                              " WHERE deleted_at IS NULL AND head_id IS NOT NULL"):
        households[r["commune_id"]].append((r["id"], r["group_id"], r["head_id"]))
    groups: dict[uuid.UUID, list[uuid.UUID]] = {c: [] for c in communes}
    for r in await conn.fetch("SELECT id, commune_id FROM admin_unit WHERE level = 'group'"):
        groups[r["commune_id"]].append(r["id"])
    now = datetime.now(UTC)
    async with conn.transaction():
        await conn.execute("TRUNCATE ticket CASCADE")  # its timeline, comments, files
        await conn.execute("DELETE FROM ticket_category WHERE code LIKE 'bench-%'")
        categories = []
        for spec in CATEGORIES:
            code, name, kind, team, priority, fr, res = spec
            category_id = uuid7()
            await conn.execute(
                "INSERT INTO ticket_category (id, created_at, updated_at, version, code, name,"
                " kind, default_team, default_priority, first_response_minutes,"
                " resolution_minutes, active) VALUES ($1, now(), now(), 1, $2, $3, $4, $5, $6,"
                " $7, $8, true)", category_id, code, name, kind.value, team and team.value,
                priority.value, fr, res)
            categories.append((category_id, spec))
        built = await asyncio.to_thread(build, random.Random(seed), n, now, communes,
                                        households, groups, province, categories)
        generated = time.perf_counter() - started
        await conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
        restore = await _defer_checks(conn, ["ticket", "ticket_event", "ticket_comment"])
        for table, records in built:
            # In the order they came: the heap in time order, as a live table's is.
            at = table.columns.index("occurred_at" if "occurred_at" in table.columns
                                     else "created_at")
            records.sort(key=lambda r, at=at: r[at])
            await conn.copy_records_to_table(table.name, records=records, columns=table.columns)
        for statement in restore:
            await conn.execute(statement)
    await conn.execute("VACUUM (ANALYZE) ticket, ticket_event, ticket_comment")
    return {"tickets": len(built[0][1]), "events": len(built[1][1]),
            "comments": len(built[2][1]), "generated_s": generated,
            "total_s": time.perf_counter() - started}


# --- the measurements ---------------------------------------------------------------------------
def bare_sql(stmt) -> tuple[str, list]:
    """A statement as asyncpg receives it from the app's session: the `IN` lists of the
    scope expanded into parameters, SQLAlchemy's bind processors applied."""
    compiled = stmt.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    processors = compiled._bind_processors
    args = []
    for name in compiled.positiontup:
        value, processor = params[name], processors.get(name)
        args.append(value if processor is None or value is None else processor(value))
    return compiled.string, args


def queue_sql(who: Principal, **filters) -> tuple[str, list]:
    keys = parse_sort(None, SORTS, "-created_at", Ticket.id)
    return bare_sql(keyset(TicketRepository.queue(who, **filters), keys, None, 50))


def stats_sql(who: Principal, days: int = 30) -> tuple[str, list]:
    end = today_vn()
    since, until = instants(end - timedelta(days=days - 1), end)
    base = stats_base(TicketRepository, who, since=since, until=until, unit_id=None,
                      category_id=None, dialect="postgresql")
    return prepared(stats_statement(base, "postgresql"), None)


@dataclass
class Case:
    section: str
    name: str
    urls: list[str]
    statements: list[tuple[str, list]]


async def explain(pool: asyncpg.Pool, stmt: tuple[str, list]) -> str:
    rows = await pool.fetch("EXPLAIN (ANALYZE, BUFFERS) " + stmt[0], *stmt[1])
    return "\n".join(r[0] for r in rows)


async def amain(args: argparse.Namespace) -> None:
    dsn = _asyncpg_dsn(args.database_url)
    OUT.mkdir(parents=True, exist_ok=True)
    pool = await asyncpg.create_pool(dsn, min_size=2, max_size=4, reset=no_reset)
    loaded = None
    async with pool.acquire() as conn:
        commune = await conn.fetchval(
            "SELECT id FROM admin_unit WHERE name = $1 AND level = 'commune'", COMMUNE)
        if commune is None:
            raise SystemExit(f"no commune {COMMUNE!r}: run `make bench-load` first")
        have = await conn.fetchval("SELECT count(*) FROM ticket")
        if args.reload or have != args.tickets:
            print(f"loading {args.tickets:,} tickets (the database has {have:,}) ...",
                  flush=True)
            loaded = await load_tickets(conn, args.tickets)
            print(loaded, flush=True)
        officer_id = await ensure_account(conn, OFFICER, Role.ward_officer, commune, PASSWORD)
        version = (await conn.fetchval("SELECT version()")).split(" on ")[0]
        in_commune = await conn.fetchval("SELECT count(*) FROM ticket WHERE commune_id = $1",
                                         commune)
        queued = await conn.fetchval("SELECT count(*) FROM ticket WHERE commune_id = $1 AND"
                                     " status = 'new'", commune)
    officer = Principal(officer_id, OFFICER, Role.ward_officer, frozenset({commune}),
                        permissions_for(Role.ward_officer),
                        levels=(("commune", frozenset({commune})),))  # as its token says
    n = 40 if args.quick else args.requests
    cases = [Case("a", "queue: status=new, default sort, 50 rows",
                  [urlq("/tickets", status="new", limit=50)],
                  [queue_sql(officer, status=S.new)]),
             Case("b", f"q: one of {len(QUERIES)} folded words ({', '.join(QUERIES)})",
                  [urlq("/tickets", q=q, limit=50) for q in QUERIES],
                  [queue_sql(officer, q=q) for q in QUERIES]),
             Case("c", "stats, last 30 days", [urlq("/tickets/stats")], [stats_sql(officer)])]
    cases = [c for c in cases if c.section in args.cases]
    proc, base = start_server(dsn, OUT, {})
    rows, plans, counts = [], [], {}
    try:
        async with httpx.AsyncClient(base_url=base, timeout=120) as client:
            await wait_ready(client, proc)
            server = psutil.Process(proc.pid)
            tokens = Tokens(client, {OFFICER: PASSWORD})
            await tokens.refresh()
            get = tokens.get(OFFICER)
            for case in cases:
                print(f"case {case.section} ...", flush=True)
                first = await client.get(case.urls[0], headers=tokens.headers[OFFICER])
                first.raise_for_status()
                counts[case.section] = first.json()
                k = len(case.urls)

                async def endpoint(i: int, case=case, k=k) -> int:
                    return await get(case.urls[i % k])

                async def bare(i: int, case=case, k=k) -> int:
                    stmt = case.statements[i % k]
                    await pool.fetch(stmt[0], *stmt[1])
                    return 200

                endpoint_run, bare_run = (Run(f"{case.name}: endpoint", 1),
                                          Run(f"{case.name}: bare SQL (asyncpg)", 1))
                await compare([(endpoint_run, endpoint), (bare_run, bare)], list(range(n)),
                              server)
                rows.append((case.section, endpoint_run, bare_run))
                plans.append((case.section, await explain(pool, case.statements[0])))
                await tokens.refresh()
    finally:
        stop_server(proc)
        await pool.close()
    stats = counts["c"]["totals"] if "c" in counts else defaultdict(str)
    lines = [
        f"# Tickets benchmark: `python -m bench.tickets {' '.join(sys.argv[1:])}`", "",
        f"- {time.strftime('%Y-%m-%d %H:%M %Z')}: `nproc` {os.cpu_count()}, "
        f"{psutil.virtual_memory().total / 2**30:.1f} GiB memory, {version}, Python "
        f"{sys.version.split()[0]}; load average at the end "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}.",
        f"- {args.tickets:,} tickets over the province's 20 communes"
        + (f" (loaded in this run: {loaded['tickets']:,} tickets, {loaded['events']:,} "
           f"timeline lines, {loaded['comments']:,} comments in {loaded['total_s']:.1f} s, "
           f"{loaded['generated_s']:.1f} s of it generating)" if loaded else "")
        + f"; the officer's commune {COMMUNE}: {in_commune:,} tickets, {queued:,} new; its "
        f"stats for 30 days: {stats['opened']:,} opened, breach rate {stats['breach_rate']}, "
        f"medians {stats['median_first_response_hours']} h / "
        f"{stats['median_resolution_hours']} h.",
        "- ONE uvicorn worker; an httpx keep-alive client, one request in flight; each "
        "endpoint interleaved in 4 rounds with its statement run bare through an asyncpg "
        "pool in this process (the same SQL and parameters, compiled from what the "
        "repository builds). CPU ms/req: the server process · this client.", "",
        "| § | case | requests | in flight | rps | p50 ms | p95 ms | p99 ms | non-2xx | CPU "
        "ms/req | endpoint ÷ bare |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for section, endpoint_run, bare_run in rows:
        lines += [endpoint_run.row(section, None), bare_run.row(section, endpoint_run)]
    lines += ["", "Target p95 < 100 ms: " + "; ".join(
        f"{s} {e.ms(.95):.1f} ms {'met' if e.ms(.95) < 100 else 'MISSED'}"
        for s, e, _ in rows) + ".", ""]
    for section, plan in plans:
        lines += [f"## {section}: EXPLAIN (ANALYZE, BUFFERS) of the bare statement", "",
                  "```", plan, "```", ""]
    report = "\n".join(lines)
    print(report)
    (OUT / "tickets-latest.md").write_text(report)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tickets", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/ds_bench")
    parser.add_argument("--reload", action="store_true", help="load the tickets again")
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=200, help="per case and side")
    parser.add_argument("--quick", action="store_true", help="40 requests per case and side")
    parser.add_argument("--cases", default="abc", help="which of a-c to run (default all)")
    asyncio.run(amain(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
