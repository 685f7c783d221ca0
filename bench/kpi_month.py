"""Every KPI for one month over five years of tickets and calls in PostgreSQL (5 M tickets, 10 M calls).

    python bench/kpi_month.py [--tickets 5000000] [--calls N] [--years 5] [--reuse] [--runs 5]
                              [--without-range-indexes]

Creates the database `hotline_bench_kpi`, migrates it, builds the demo organisation, then generates
with SQL (INSERT ... SELECT generate_series, in chunks) --tickets tickets spread evenly over --years
years ending today, in id order as a live system inserts them (ticket g is created at
today − (n − g + random()) / n × span): 35 % answered at first contact, 2 % invalid, the rest
dispatched (lead assignment, deadline, reply, visit result, 2 % first sent to the wrong department,
2 % reopened, 3 % extended, 1 % returned), and --calls call records spread the same way (default 2
per ticket: 95 % queued, 92 % answered, post-call surveys) with a callback task per abandoned caller
and day. With --reuse an existing generated database is kept. 5 M over 5 years is ~83 k tickets and
~167 k calls a month: a large city's month over a table that has grown for five years.

Then, in this process, for the last full month: hotline.metrics.compute.board_figures (all centre
indicators and their daily trend, what the board shows) and departments.department_rows
(成员单位办理质效 with ranking), --runs times (bounded by --budget seconds), printing median and max
seconds, the per-query breakdown of one run, and the process's peak RSS. Target (issue 7): all
indicators for one month < 2 s with < 1 GB in the process (on 5 M tickets and 10 M calls).
--without-range-indexes drops the time-column indexes of migration metrics/0004 first (the "before"
figure); a later run without it builds them again.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from datetime import date, timedelta

from _common import bench_env, hotline, loadavg, log, machine, pg_exists, pg_recreate, pg_url, summary

TARGET_S = 2.0
TARGET_RSS_MB = 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="hotline_bench_kpi")
    ap.add_argument("--tickets", type=int, default=5_000_000)
    ap.add_argument("--years", type=float, default=5.0, help="the span the tickets and calls are spread over")
    ap.add_argument("--calls", type=int, default=None, help="call records (default: 2 per ticket)")
    ap.add_argument("--chunk", type=int, default=250_000)
    ap.add_argument("--reuse", action="store_true", help="keep an existing generated database")
    ap.add_argument("--generate-only", action="store_true")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--budget", type=float, default=120.0, help="max seconds spent timing")
    ap.add_argument("--seed", type=float, default=0.42)
    ap.add_argument(
        "--without-range-indexes",
        action="store_true",
        help="drop migration metrics/0004's time-column indexes before measuring (the before figure)",
    )
    args = ap.parse_args()
    calls = args.calls if args.calls is not None else 2 * args.tickets

    url = pg_url(args.db)
    data_dir = tempfile.mkdtemp(prefix="hotline-bench-kpi-")
    os.environ.update(bench_env(url, data_dir))
    if args.reuse and pg_exists(args.db) and _count(url, "tickets_ticket") >= args.tickets:
        log(f"reusing {args.db} ({_count(url, 'tickets_ticket'):,} tickets)")
        hotline(["migrate", "-v0"], dict(os.environ))
    else:
        log(f"creating {args.db} and migrating")
        pg_recreate(args.db)
        hotline(["migrate", "-v0"], dict(os.environ))
        _setup_django()
        _generate(args.tickets, calls, args.chunk, args.seed, args.years)
    if args.generate_only:
        return
    _setup_django()
    _range_indexes(create=not args.without_range_indexes)
    _measure(args, url)


def _range_indexes(*, create: bool) -> None:
    """Make sure migration metrics/0004's indexes exist (built concurrently), or drop them to measure without."""
    import importlib

    from django.db import connection

    indexes = importlib.import_module("hotline.metrics.migrations.0004_month_range_indexes").INDEXES
    t0 = time.monotonic()
    with connection.cursor() as cur:
        for name, table, column in indexes:
            cur.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} ({column})"
                if create
                else f"DROP INDEX IF EXISTS {name}"
            )
        for table in ("tickets_ticket", "tickets_assignment", "callcenter_callbacktask"):
            cur.execute(f"ANALYZE {table}")
    log(f"range indexes {'present' if create else 'dropped'} ({time.monotonic() - t0:.0f}s)")


def _count(url: str, table: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
    except psycopg.Error:
        return 0


def _setup_django() -> None:
    import django

    if not getattr(_setup_django, "done", False):
        django.setup()
        _setup_django.done = True  # type: ignore[attr-defined]


# --- Generation -----------------------------------------------------------------------------------


def _unknown_not_null(cur: object, table: str, known: set[str]) -> tuple[str, str]:
    """NOT NULL columns without a default that this script does not name get a neutral value."""
    cur.execute(  # type: ignore[attr-defined]
        """SELECT column_name, data_type FROM information_schema.columns
           WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'""",
        [table],
    )
    neutral = {
        "boolean": "false", "integer": "0", "smallint": "0", "bigint": "0", "double precision": "0",
        "numeric": "0", "jsonb": "'[]'::jsonb", "timestamp with time zone": "now()", "date": "current_date",
    }  # fmt: skip
    cols, vals = [], []
    for name, dtype in cur.fetchall():  # type: ignore[attr-defined]
        if name not in known and name != "id":
            cols.append(name)
            vals.append(neutral.get(dtype, "''"))
    return "".join(", " + c for c in cols), "".join(", " + v for v in vals)


TICKET_COLS = {
    "id", "number", "status", "version", "channel", "hotline", "type", "urgency", "title", "content",
    "address", "citizen_name", "citizen_phone", "citizen_id_number", "confidential", "anonymous",
    "no_callback", "created_at", "updated_at", "dispatched_at", "replied_at", "closed_at",
    "clock_started_at", "budget", "budget_unit", "due_at", "supervised", "urge_count", "reopen_count",
    "return_count", "visit_result", "close_reason", "resume_status", "category_id", "lead_department_id",
    "first_department_id", "completing_department_id", "district_id",
}  # fmt: skip


def _generate(n: int, calls: int, chunk: int, seed: float, years: float) -> None:
    from django.db import connection, transaction

    from hotline.accounts.models import Department
    from hotline.core.demo import build_categories, build_organisation, build_users

    t0 = time.monotonic()
    with transaction.atomic():
        depts = build_organisation()
        build_categories()
        build_users(depts)
    leads = [d for d in depts.values() if d.kind != Department.Kind.CENTRE and d.parent_id is None]
    districts = [d.pk for d in depts.values() if d.kind == Department.Kind.COUNTY]
    log(f"organisation: {len(leads)} top-level departments, {len(districts)} districts")
    lead_ids = [d.pk for d in leads]
    lead_paths = [d.path for d in leads]
    end = date.today()
    span_min = int(years * 365 * 24 * 60)
    with connection.cursor() as cur:
        cur.execute("SELECT setseed(%s)", [seed])
        cur.execute("SELECT id FROM tickets_category WHERE level = 3 ORDER BY id")
        cats = [r[0] for r in cur.fetchall()]
        extra_cols, extra_vals = _unknown_not_null(cur, "tickets_ticket", TICKET_COLS)
        a_cols, a_vals = _unknown_not_null(
            cur,
            "tickets_assignment",
            {"ticket_id", "department_id", "department_path", "role", "level", "state", "active", "assigned_at",
             "ack_due_at", "acknowledged_at", "replied_at", "reply"},
        )  # fmt: skip
        r_cols, r_vals = _unknown_not_null(
            cur,
            "tickets_ticketrequest",
            {"ticket_id", "kind", "state", "department_id", "reason", "legal_basis", "days", "requested_at",
             "decided_at", "decision_note"},
        )  # fmt: skip
        nl = len(lead_ids)
        for start in range(1, n + 1, chunk):
            stop = min(n, start + chunk - 1)
            c0 = time.monotonic()
            with transaction.atomic():
                cur.execute("DROP TABLE IF EXISTS bench_k")
                cur.execute(
                    f"""
                    CREATE UNLOGGED TABLE bench_k AS
                    SELECT g AS id, r.*,
                           CASE WHEN r.kind < 0.35 THEN 'answered' WHEN r.kind < 0.37 THEN 'invalid'
                                WHEN r.created_at > %s::date - 7 THEN 'acknowledged'
                                WHEN r.r1 < 0.5 THEN 'archived' ELSE 'closed' END AS status,
                           (ARRAY{lead_ids}::bigint[])[1 + (g %% {nl})] AS lead_id,
                           (ARRAY{lead_paths}::text[])[1 + (g %% {nl})] AS lead_path,
                           (ARRAY{lead_ids}::bigint[])[1 + ((g + 1) %% {nl})] AS wrong_id
                    FROM generate_series(%s, %s) AS g
                    CROSS JOIN LATERAL (
                        SELECT random() AS kind, random() AS r1, random() AS r2, random() AS r3, random() AS r4,
                               %s::date - interval '1 minute' * floor((%s - g + random()) * {span_min} / %s) AS created_at,
                               g AS gg
                    ) r
                    """,
                    [end, start, stop, end, n, n],
                )
                cur.execute(
                    f"""
                    INSERT INTO tickets_ticket (
                        id, number, status, version, channel, hotline, type, urgency, title, content, address,
                        citizen_name, citizen_phone, citizen_id_number, confidential, anonymous, no_callback,
                        created_at, updated_at, dispatched_at, replied_at, closed_at, clock_started_at, budget,
                        budget_unit, due_at, supervised, urge_count, reopen_count, return_count, visit_result,
                        close_reason, resume_status, category_id, lead_department_id, first_department_id,
                        completing_department_id, district_id{extra_cols})
                    SELECT k.id, 'K' || lpad(k.id::text, 12, '0'), k.status, 3, 'phone',
                           (ARRAY['12345','12345','12345','12345','12345','12315','12328'])[1 + k.id % 7],
                           CASE WHEN k.id % 10 < 3 THEN 'consultation' ELSE 'complaint' END, 'normal',
                           '路灯不亮', '幸福路附近路灯连续多晚不亮，请安排维修。', '幸福路',
                           '王伟', '139' || lpad((k.id % 100000000)::text, 8, '0'), '', false, false, k.id % 50 = 0,
                           k.created_at, k.created_at,
                           d.dispatched_at,
                           CASE WHEN k.status IN ('closed','archived') THEN d.replied_at END,
                           CASE WHEN k.status IN ('closed','archived') THEN d.replied_at + interval '1 day'
                                WHEN k.status IN ('answered','invalid') THEN k.created_at + interval '10 minutes' END,
                           d.dispatched_at,
                           CASE WHEN d.dispatched_at IS NULL THEN 0 ELSE 4 END, 'days',
                           d.due_at, false, 0,
                           CASE WHEN d.dispatched_at IS NOT NULL AND k.r3 < 0.02 THEN 1 ELSE 0 END,
                           CASE WHEN d.dispatched_at IS NOT NULL AND k.r4 < 0.01 THEN 1 ELSE 0 END,
                           CASE WHEN k.status NOT IN ('closed','archived') OR k.id % 50 = 0 THEN ''
                                WHEN k.r2 < 0.93 THEN 'satisfied' WHEN k.r2 < 0.98 THEN 'basically_satisfied'
                                WHEN k.r2 < 0.99 THEN 'unsatisfied' ELSE 'unreachable' END,
                           '', '',
                           (ARRAY{cats}::bigint[])[1 + (k.id % {len(cats)})],
                           CASE WHEN d.dispatched_at IS NOT NULL THEN k.lead_id END,
                           CASE WHEN d.dispatched_at IS NULL THEN NULL WHEN k.r3 > 0.98 THEN k.wrong_id ELSE k.lead_id END,
                           CASE WHEN k.status IN ('closed','archived') THEN k.lead_id END,
                           (ARRAY{districts}::bigint[])[1 + (k.id % {len(districts)})]
                           {extra_vals}
                    FROM bench_k k
                    CROSS JOIN LATERAL (
                        SELECT CASE WHEN k.kind >= 0.37 THEN k.created_at + interval '20 minutes' END AS dispatched_at,
                               CASE WHEN k.kind >= 0.37
                                    THEN k.created_at + interval '20 minutes' + interval '1 day' * (4 + CASE WHEN k.r4 > 0.97 THEN 3 ELSE 0 END) END AS due_at,
                               CASE WHEN k.kind >= 0.37
                                    THEN k.created_at + interval '1 hour' + interval '1 day' * k.r1 * (CASE WHEN k.r2 < 0.95 THEN 4 ELSE 7 END) END AS replied_at
                    ) d
                    """
                )
                cur.execute(
                    f"""
                    INSERT INTO tickets_assignment (ticket_id, department_id, department_path, role, level, state,
                        active, assigned_at, ack_due_at, acknowledged_at, replied_at, reply{a_cols})
                    SELECT t.id, t.lead_department_id, k.lead_path, 'lead', 1,
                           CASE WHEN k.r4 < 0.01 THEN 'returned' WHEN t.status = 'acknowledged' THEN 'acknowledged' ELSE 'replied' END,
                           t.status = 'acknowledged', t.dispatched_at, t.dispatched_at + interval '4 hours',
                           t.dispatched_at + interval '1 hour' * (k.r2 * 5), t.replied_at, ''{a_vals}
                    FROM tickets_ticket t JOIN bench_k k ON k.id = t.id
                    WHERE t.lead_department_id IS NOT NULL
                    """
                )
                cur.execute(
                    f"""
                    INSERT INTO tickets_ticketrequest (ticket_id, kind, state, department_id, reason, legal_basis, days,
                        requested_at, decided_at, decision_note{r_cols})
                    SELECT t.id, 'extension', 'approved', t.lead_department_id, '需协调', '', 3,
                           t.dispatched_at + interval '1 day', t.dispatched_at + interval '1 day 1 hour', ''{r_vals}
                    FROM tickets_ticket t JOIN bench_k k ON k.id = t.id
                    WHERE t.lead_department_id IS NOT NULL AND k.r4 > 0.97
                    """
                )
            log(f"tickets {stop:,}/{n:,} ({time.monotonic() - c0:.1f}s)")
        cur.execute("DROP TABLE IF EXISTS bench_k")
        c_cols, c_vals = _unknown_not_null(
            cur,
            "callcenter_callrecord",
            {"call_id", "hotline", "ani", "direction", "arrived_at", "answered_at", "ended_at", "queue",
             "answered_queue", "agent_code", "wait_s", "talk_s", "disposition", "survey", "missed"},
        )  # fmt: skip
        # Bulk load without the secondary indexes (ten of them), then build each once: several times faster.
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'callcenter_callrecord' "
            "AND indexdef NOT LIKE 'CREATE UNIQUE%%'"
        )
        call_indexes = cur.fetchall()
        for name, _ddl in call_indexes:
            cur.execute(f"DROP INDEX IF EXISTS {name}")
        for start in range(1, calls + 1, chunk):
            stop = min(calls, start + chunk - 1)
            c0 = time.monotonic()
            with transaction.atomic():
                cur.execute(
                    f"""
                    INSERT INTO callcenter_callrecord (call_id, hotline, ani, direction, arrived_at, answered_at,
                        ended_at, queue, answered_queue, agent_code, wait_s, talk_s, disposition, survey, missed{c_cols})
                    SELECT 'B' || g, (ARRAY['12345','12345','12345','12345','12345','12315','12328'])[1 + g %% 7],
                           '139' || lpad((g %% 100000000)::text, 8, '0'), 'in', r.at,
                           CASE WHEN r.d = 'answered' THEN r.at + interval '1 second' * r.wait END,
                           r.at + interval '4 minutes', CASE WHEN r.q AND r.d <> 'ivr_completed' THEN 'general' ELSE '' END,
                           CASE WHEN r.d = 'answered' THEN 'general' ELSE '' END,
                           CASE WHEN r.d = 'answered' THEN 'A' || (g %% 150) ELSE '' END,
                           r.wait, CASE WHEN r.d = 'answered' THEN 200 ELSE 0 END, r.d,
                           CASE WHEN r.d = 'answered' AND r.s < 0.3 THEN (CASE WHEN r.s < 0.295 THEN '1' ELSE '3' END) ELSE '' END,
                           r.d <> 'answered'{c_vals}
                    FROM generate_series(%s, %s) AS g
                    CROSS JOIN LATERAL (
                        SELECT %s::date - interval '1 second' * floor((%s - g + random()) * {span_min * 60} / %s) AS at,
                               random() < 0.95 AS q, floor(random() * 45) AS wait, random() AS s,
                               CASE WHEN random() < 0.05 THEN 'ivr_completed'
                                    WHEN x.u < 0.92 THEN 'answered' WHEN x.u < 0.98 THEN 'abandoned_queue'
                                    ELSE 'abandoned_ringing' END AS d, g AS gg
                        FROM (SELECT random() AS u, g AS g2) x
                    ) r
                    """,
                    [start, stop, end, calls, calls],
                )
            log(f"calls {stop:,}/{calls:,} ({time.monotonic() - c0:.1f}s)")
        c0 = time.monotonic()
        for _name, ddl in call_indexes:
            cur.execute(ddl)
        log(f"call indexes rebuilt ({time.monotonic() - c0:.0f}s)")
        cb_cols, cb_vals = _unknown_not_null(
            cur,
            "callcenter_callbacktask",
            {"phone", "day", "first_call_id", "hotline", "reason", "missed_at", "due_at", "status", "attempts",
             "first_attempt_at", "outcome", "note"},
        )  # fmt: skip
        cur.execute(
            f"""
            INSERT INTO callcenter_callbacktask (phone, day, first_call_id, hotline, reason, missed_at, due_at,
                status, attempts, first_attempt_at, outcome, note{cb_cols})
            SELECT DISTINCT ON (c.ani, (c.arrived_at AT TIME ZONE 'Asia/Shanghai')::date)
                   c.ani, (c.arrived_at AT TIME ZONE 'Asia/Shanghai')::date, c.id, c.hotline, c.disposition,
                   c.arrived_at, c.arrived_at + interval '24 hours', 'done', 1,
                   c.arrived_at + interval '1 hour' * (c.id % 30), 'reached', ''{cb_vals}
            FROM callcenter_callrecord c WHERE c.disposition IN ('abandoned_queue', 'abandoned_ringing')
            ORDER BY c.ani, (c.arrived_at AT TIME ZONE 'Asia/Shanghai')::date, c.arrived_at
            """
        )
        for table in ("tickets_ticket", "tickets_assignment", "tickets_ticketrequest", "callcenter_callrecord",
                      "callcenter_callbacktask"):  # fmt: skip
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM {table}), 1))"
            )
    log("VACUUM ANALYZE")
    with connection.cursor() as cur:
        for table in ("tickets_ticket", "tickets_assignment", "tickets_ticketrequest", "callcenter_callrecord",
                      "callcenter_callbacktask"):  # fmt: skip
            cur.execute(f"VACUUM ANALYZE {table}")
    log(f"generated in {time.monotonic() - t0:.0f}s")


# --- Measurement ----------------------------------------------------------------------------------


def _measure(args: argparse.Namespace, url: str) -> None:
    from django.db import connection

    from hotline.metrics.compute import board_figures
    from hotline.metrics.departments import department_rows
    from hotline.metrics.indicators import Period

    today = date.today()
    last = today.replace(day=1) - timedelta(days=1)
    period = Period(last.replace(day=1), last)
    tickets = _count(url, "tickets_ticket")
    calls = _count(url, "callcenter_callrecord")
    log(f"{tickets:,} tickets, {calls:,} calls; period {period.first} … {period.last}; load {loadavg()}")

    def once() -> tuple[float, float]:
        t0 = time.perf_counter()
        board_figures(period)
        t1 = time.perf_counter()
        department_rows(period)
        t2 = time.perf_counter()
        return t1 - t0, t2 - t1

    once()  # warm: connection, settings rows, calendar, PostgreSQL caches
    runs: list[tuple[float, float]] = []
    started = time.monotonic()
    while len(runs) < args.runs and time.monotonic() - started < args.budget:
        runs.append(once())
    centre = [r[0] for r in runs]
    depts = [r[1] for r in runs]
    total = [sum(r) for r in runs]
    captured: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        q0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append((time.perf_counter() - q0, sql))

    with connection.execute_wrapper(timed):
        figures = board_figures(period).figures
        department_rows(period)
    slow = sorted(captured, key=lambda q: -q[0])[:6]
    print(f"machine {machine()} load {loadavg()} tickets {tickets:,} calls {calls:,} runs {len(runs)}")
    print(f"period {period.first} … {period.last}")
    for name, values in (("centre+trend", centre), ("departments+ranking", depts),
                         ("all", total)):  # fmt: skip
        print(f"{name:<22} median {statistics.median(values):.3f}s  max {max(values):.3f}s")
    print(f"queries in one centre+departments run: {len(captured)}; slowest:")
    for seconds, sql in slow:
        print(f"  {seconds:.3f}s  {' '.join(sql.split())[:110]}")
    print("figures (numerator / denominator = value):")
    for f in figures:
        print(f"  {f.name:<14} {f.numerator:>12g} / {f.denominator:<12g} = {f.value_display}")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {rss_mb:.0f} MB")
    med = statistics.median(total)
    summary(
        "kpi_month",
        tickets=tickets,
        calls=calls,
        all_median_s=f"{med:.3f}",
        centre_trend_median_s=f"{statistics.median(centre):.3f}",
        departments_median_s=f"{statistics.median(depts):.3f}",
        peak_rss_mb=f"{rss_mb:.0f}",
        target_s=TARGET_S,
        ok=med < TARGET_S and rss_mb < TARGET_RSS_MB,
    )


if __name__ == "__main__":
    main()
