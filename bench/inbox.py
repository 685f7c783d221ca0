"""Department inbox and API list on 1,000,000 tickets in PostgreSQL.

    python bench/inbox.py [--tickets 1000000] [--reuse] [--runs 200]

Creates the database `hotline_bench_inbox`, migrates it with the project's migrations, builds the
demo organisation (41 departments: 14 city bureaus, 3 utilities, 4 districts and a zone with their
streets, the centre's teams) and users, then generates tickets and their assignments with SQL
(INSERT ... SELECT generate_series, in chunks). With --reuse an existing generated database is kept.

Then, in-process:
- the department desk's inbox for a bureau, a district with streets and a street:
  hotline.tickets.selectors.department_tickets(department=...) — a page of --page tickets — and
  department_counts (the desk's tab counts), --runs times each (p50/p95 ms);
- GET /api/v1/tickets?status=dispatched through django.test.Client for a department user and a
  centre user (p50/p95 ms);
- EXPLAIN ANALYZE of the inbox page query and of its count once.
Each query runs --runs times but stops after --budget seconds. Target: inbox p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from _common import (
    bench_env,
    hotline,
    loadavg,
    log,
    machine,
    ms,
    pct,
    pg_exists,
    pg_recreate,
    pg_url,
    summary,
)

TARGET_P95_MS = 100.0

# Lead departments and their share (per cent) of dispatched tickets: districts take most work.
LEAD_WEIGHTS = {
    "DCQ": 16, "XCQ": 12, "NHQ": 12, "BSQ": 10, "GXQ": 5,
    "CGJ": 8, "ZJJ": 6, "SJJ": 5, "RSJ": 4, "JTJ": 3, "HBJ": 3,
    "JYJ": 1, "WJW": 1, "GAJ": 1, "ZRJ": 1, "SWJ": 1, "YBJ": 1, "GJJ": 1, "SFJ": 1,
    "GS": 3, "GD": 3, "RQ": 2,
}  # fmt: skip

# Status mix in per mille: 700 finished (closed / archived / answered / invalid), 300 open.
STATUS_MIX = [
    ("archived", 450), ("closed", 200), ("answered", 40), ("invalid", 10),
    ("draft", 10), ("pending_dispatch", 20), ("dispatched", 60), ("acknowledged", 140),
    ("return_pending", 5), ("extension_pending", 5), ("replied", 30), ("pending_visit", 30),
]  # fmt: skip
OPEN = (
    "draft",
    "pending_dispatch",
    "dispatched",
    "acknowledged",
    "return_pending",
    "extension_pending",
    "replied",
    "pending_visit",
)


def status_mix(open_share: float) -> list[tuple[str, float]]:
    """STATUS_MIX rescaled so that open tickets are `open_share` of all (per mille)."""
    open_total = sum(n for st, n in STATUS_MIX if st in OPEN)
    done_total = sum(n for st, n in STATUS_MIX if st not in OPEN)
    return [
        (st, n * (open_share * 1000 / open_total if st in OPEN else (1 - open_share) * 1000 / done_total))
        for st, n in STATUS_MIX
    ]


HELD_BY_DEPT = ("dispatched", "acknowledged", "return_pending", "extension_pending", "replied", "pending_visit", "closed", "archived")  # fmt: skip
SUBDISPATCH_SHARE = 0.7  # district tickets passed down to a street (二次派单)
ASSIST_SHARE = 0.10  # tickets with an assisting department (协办)
WRONG_SHARE = 0.04  # tickets first sent to the wrong department, returned (inactive assignment)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="hotline_bench_inbox")
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--chunk", type=int, default=100_000)
    ap.add_argument("--reuse", action="store_true", help="keep an existing generated database")
    ap.add_argument("--generate-only", action="store_true")
    ap.add_argument("--runs", type=int, default=200, help="timed runs per query (>= 200 for the target)")
    ap.add_argument("--page", type=int, default=50, help="inbox page size")
    ap.add_argument("--departments", default="CGJ,DCQ,DCQ-1,SFJ", help="department codes to time")
    ap.add_argument("--budget", type=float, default=60.0, help="max seconds spent timing one query")
    ap.add_argument("--no-api", action="store_true", help="skip the API list timing")
    ap.add_argument("--jit-off", action="store_true", help="SET jit = off for the timing session")
    ap.add_argument("--seed", type=float, default=0.42)
    ap.add_argument(
        "--open-share",
        type=float,
        default=0.30,
        help="share of tickets still open (default 0.30, a stress case; a real centre carries a few per cent)",
    )
    args = ap.parse_args()

    url = pg_url(args.db)
    data_dir = tempfile.mkdtemp(prefix="hotline-bench-inbox-")
    os.environ.update(bench_env(url, data_dir))
    if args.reuse and pg_exists(args.db) and _ticket_count(url) >= args.tickets:
        log(f"reusing {args.db} ({_ticket_count(url):,} tickets)")
        hotline(["migrate", "-v0"], dict(os.environ))
    else:
        log(f"creating {args.db} and migrating")
        pg_recreate(args.db)
        hotline(["migrate", "-v0"], dict(os.environ))
        _setup_django()
        _generate(args.tickets, args.chunk, args.seed, args.open_share)
    if args.generate_only:
        return
    _setup_django()
    _measure(args)


def _ticket_count(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
            return int(conn.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0])  # type: ignore[index]
    except psycopg.Error:
        return 0


def _setup_django() -> None:
    import django

    if not getattr(_setup_django, "done", False):
        django.setup()
        _setup_django.done = True  # type: ignore[attr-defined]


# --- Generation -----------------------------------------------------------------------------------


def _fill_unknown_not_null(cur: object, table: str, known: set[str]) -> tuple[str, str]:
    """Columns added since this script was written (NOT NULL, no default) get a neutral value."""
    cur.execute(  # type: ignore[attr-defined]
        """SELECT column_name, data_type FROM information_schema.columns
           WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL
             AND is_identity = 'NO'""",
        [table],
    )
    neutral = {
        "boolean": "false",
        "integer": "0",
        "smallint": "0",
        "bigint": "0",
        "double precision": "0",
        "numeric": "0",
        "jsonb": "'{}'::jsonb",
        "timestamp with time zone": "now()",
        "date": "current_date",
    }
    cols, vals = [], []
    for name, dtype in cur.fetchall():  # type: ignore[attr-defined]
        if name in known:
            continue
        cols.append(name)
        vals.append(neutral.get(dtype, "''"))
    if cols:
        log(f"{table}: filling columns unknown to this script: {', '.join(cols)}")
    return "".join(", " + c for c in cols), "".join(", " + v for v in vals)


def _generate(n: int, chunk: int, seed: float, open_share: float = 0.30) -> None:
    from django.db import connection, transaction

    from hotline.accounts.models import Department, User
    from hotline.core.demo import build_categories, build_organisation, build_users

    t0 = time.monotonic()
    with transaction.atomic():
        depts = build_organisation()
        build_categories()
        build_users(depts)
    log(f"organisation: {Department.objects.count()} departments, {User.objects.count()} users")
    agent = User.objects.get(username="agent").pk
    dispatcher = User.objects.get(username="dispatcher").pk

    with connection.cursor() as cur:
        cur.execute("SELECT setseed(%s)", [seed])
        # Lead departments, one row per weight point, so a uniform pick follows the weights.
        for table in ("bench_lead", "bench_street", "bench_t"):
            cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute(
            "CREATE UNLOGGED TABLE bench_lead (slot int PRIMARY KEY, dept_id bigint, path text, is_area bool)"
        )
        slot = 0
        for code, weight in LEAD_WEIGHTS.items():
            d = depts[code]
            for _ in range(weight):
                cur.execute(
                    "INSERT INTO bench_lead VALUES (%s, %s, %s, %s)",
                    [slot, d.pk, d.path, d.kind in (Department.Kind.COUNTY, Department.Kind.ZONE)],
                )
                slot += 1
        slots = slot
        cur.execute(
            """CREATE UNLOGGED TABLE bench_street AS
               SELECT parent_id, id AS dept_id, path,
                      row_number() OVER (PARTITION BY parent_id ORDER BY id) - 1 AS k,
                      count(*) OVER (PARTITION BY parent_id) AS n
               FROM accounts_department WHERE kind = 'street'"""
        )
        cur.execute("SELECT id FROM tickets_category WHERE level = 3 ORDER BY id")
        cats = [r[0] for r in cur.fetchall()]
        # Status by cumulative per-mille ranges.
        cases, acc = [], 0
        for status, share in status_mix(open_share):
            acc += share
            cases.append(f"WHEN r_status < {acc} THEN '{status}'")
        status_case = "CASE " + " ".join(cases) + " ELSE 'archived' END"
        cur.execute(
            """CREATE UNLOGGED TABLE bench_t (
                 id bigint PRIMARY KEY, status text, created_at timestamptz, dispatched_at timestamptz,
                 due_at timestamptz, lead_id bigint, lead_path text, street_id bigint, street_path text,
                 assist_id bigint, assist_path text, wrong_id bigint, wrong_path text, category_id bigint,
                 n int)"""
        )
        extra_cols, extra_vals = _fill_unknown_not_null(
            cur,
            "tickets_ticket",
            {
                "number", "status", "version", "channel", "hotline", "type", "urgency", "title", "content",
                "address", "citizen_name", "citizen_phone", "citizen_id_number", "confidential", "anonymous",
                "no_callback", "created_at", "updated_at", "budget", "budget_unit", "supervised", "urge_count",
                "reopen_count", "return_count", "visit_result", "close_reason", "resume_status",
            },
        )  # fmt: skip
        a_extra_cols, a_extra_vals = _fill_unknown_not_null(
            cur,
            "tickets_assignment",
            {
                "role",
                "level",
                "state",
                "active",
                "department_path",
                "assigned_at",
                "reply",
                "department_id",
                "ticket_id",
            },
        )
        wrong_ids = [depts["SJJ"].pk, depts["CGJ"].pk]
        wrong_paths = [depts["SJJ"].path, depts["CGJ"].path]
        held = ", ".join(f"'{s}'" for s in HELD_BY_DEPT)
        for start in range(1, n + 1, chunk):
            stop = min(n, start + chunk - 1)
            c0 = time.monotonic()
            with transaction.atomic():
                cur.execute("TRUNCATE bench_t")
                # One row of random draws per ticket; open tickets are recent, finished ones spread over a year.
                cur.execute(
                    f"""
                    INSERT INTO bench_t
                    SELECT g, s.status,
                           s.created_at,
                           CASE WHEN s.status IN ({held}) THEN s.created_at + interval '20 minutes' * (1 + s.r3) END,
                           CASE WHEN s.status IN ({held})
                                THEN s.created_at + interval '20 minutes' + interval '1 day' * (2 + floor(s.r3 * 5)) END,
                           CASE WHEN s.status IN ({held}) THEN l.dept_id END,
                           CASE WHEN s.status IN ({held}) THEN l.path END,
                           CASE WHEN s.status IN ({held}) AND l.is_area AND s.r4 < {SUBDISPATCH_SHARE} THEN st.dept_id END,
                           CASE WHEN s.status IN ({held}) AND l.is_area AND s.r4 < {SUBDISPATCH_SHARE} THEN st.path END,
                           CASE WHEN s.status IN ({held}) AND s.r5 < {ASSIST_SHARE} AND la.dept_id <> l.dept_id THEN la.dept_id END,
                           CASE WHEN s.status IN ({held}) AND s.r5 < {ASSIST_SHARE} AND la.dept_id <> l.dept_id THEN la.path END,
                           CASE WHEN s.status IN ({held}) AND s.r6 < {WRONG_SHARE} THEN (ARRAY{wrong_ids}::bigint[])[1 + (g %% 2)] END,
                           CASE WHEN s.status IN ({held}) AND s.r6 < {WRONG_SHARE} THEN (ARRAY{wrong_paths}::text[])[1 + (g %% 2)] END,
                           (ARRAY{cats}::bigint[])[1 + (g %% {len(cats)})],
                           (g %% 300)::int
                    FROM generate_series(%s, %s) AS g
                    CROSS JOIN LATERAL (
                        SELECT r.*, {status_case} AS status,
                               CASE WHEN {status_case} IN ({", ".join(f"'{s}'" for s in OPEN)})
                                    THEN now() - interval '1 minute' * floor(r.r2 * 60 * 24 * 40)
                                    ELSE now() - interval '40 days' - interval '1 minute' * floor(r.r2 * 60 * 24 * 325) END
                                 AS created_at
                        FROM (SELECT floor(random() * 1000)::int AS r_status, random() AS r2, random() AS r3,
                                     random() AS r4, random() AS r5, random() AS r6,
                                     floor(random() * {slots})::int AS lead_slot,
                                     floor(random() * {slots})::int AS assist_slot,
                                     random() AS r7,
                                     g AS gg) r
                    ) s
                    JOIN bench_lead l ON l.slot = s.lead_slot
                    JOIN bench_lead la ON la.slot = s.assist_slot
                    LEFT JOIN bench_street st ON st.parent_id = l.dept_id AND st.k = floor(s.r7 * st.n)
                    """,
                    [start, stop],
                )
                cur.execute(
                    f"""
                    INSERT INTO tickets_ticket (
                        id, number, status, version, channel, hotline, type, urgency, title, content, address,
                        citizen_name, citizen_phone, citizen_id_number, confidential, anonymous, no_callback,
                        created_at, created_by_id, updated_at, dispatched_at, replied_at, closed_at,
                        clock_started_at, budget, budget_unit, due_at, warn_at, supervised, urge_count,
                        reopen_count, return_count, visit_result, close_reason, resume_status, category_id,
                        lead_department_id, first_department_id, completing_department_id{extra_cols})
                    SELECT t.id,
                           to_char(t.created_at, 'YYYYMMDD') || lpad(t.id::text, 8, '0'),
                           t.status, 3,
                           (ARRAY['phone','phone','phone','phone','phone','web','wechat','province'])[1 + t.id % 8],
                           '12345',
                           (ARRAY['complaint','help','consultation','report','suggestion','complaint'])[1 + t.id % 6],
                           CASE WHEN t.id % 50 = 0 THEN 'urgent' ELSE 'normal' END,
                           '路灯不亮：幸福路' || t.n || '号附近路灯连续多晚不亮',
                           '幸福路' || t.n || '号附近路灯连续多晚不亮，夜间行人不安全，请安排维修。市民多次反映无人处理。',
                           '东城区幸福路' || t.n || '号',
                           '王伟', '139' || lpad((t.id % 100000000)::text, 8, '0'), '', false, false, t.id % 30 = 0,
                           t.created_at, {agent}, coalesce(t.dispatched_at, t.created_at),
                           t.dispatched_at,
                           CASE WHEN t.status IN ('replied','pending_visit','closed','archived') THEN t.due_at - interval '1 day' END,
                           CASE WHEN t.status IN ('closed','archived','answered','invalid') THEN coalesce(t.due_at, t.created_at + interval '10 minutes') END,
                           t.dispatched_at,
                           CASE WHEN t.dispatched_at IS NULL THEN 0 ELSE 4 END, 'days',
                           t.due_at, t.due_at - interval '20 hours',
                           false, 0, 0, CASE WHEN t.wrong_id IS NULL THEN 0 ELSE 1 END,
                           CASE WHEN t.status IN ('closed','archived') THEN 'satisfied' ELSE '' END,
                           CASE WHEN t.status = 'invalid' THEN '来电无声' ELSE '' END,
                           CASE WHEN t.status IN ('return_pending') THEN 'acknowledged' ELSE '' END,
                           t.category_id, t.lead_id, coalesce(t.wrong_id, t.lead_id),
                           CASE WHEN t.status IN ('replied','pending_visit','closed','archived') THEN t.lead_id END
                           {extra_vals}
                    FROM bench_t t
                    """
                )
                # Assignment ids are ticket id * 4 + k: k=0 lead, 1 street (child of the lead), 2 assist, 3 wrong.
                state = """CASE WHEN t.status = 'dispatched' THEN 'pending'
                                WHEN t.status IN ('acknowledged','return_pending','extension_pending') THEN 'acknowledged'
                                ELSE 'replied' END"""
                cols = (
                    "id, ticket_id, department_id, department_path, role, level, parent_id, state, active, "
                    f"assigned_at, assigned_by_id, ack_due_at, acknowledged_at, replied_at, reply{a_extra_cols}"
                )
                # As the services do: a finished ticket's assignments are history, not inbox work.
                active = "(t.status NOT IN ('answered','closed','invalid','archived'))"
                ack = "CASE WHEN t.status <> 'dispatched' THEN t.dispatched_at + interval '2 hours' END"
                rep = "CASE WHEN t.status IN ('replied','pending_visit','closed','archived') THEN t.due_at - interval '1 day' END"
                reply = "CASE WHEN t.status IN ('replied','pending_visit','closed','archived') THEN '经现场核实，问题已处理完毕。' ELSE '' END"
                cur.execute(
                    f"""
                    INSERT INTO tickets_assignment ({cols})
                    SELECT t.id * 4, t.id, t.lead_id, t.lead_path, 'lead', 1, NULL, {state}, {active},
                           t.dispatched_at, {dispatcher}, t.dispatched_at + interval '4 hours', {ack}, {rep}, {reply}{a_extra_vals}
                    FROM bench_t t WHERE t.lead_id IS NOT NULL
                    UNION ALL
                    SELECT t.id * 4 + 1, t.id, t.street_id, t.street_path, 'lead', 2, t.id * 4,
                           CASE WHEN t.status = 'dispatched' THEN 'acknowledged' ELSE {state} END, {active},
                           t.dispatched_at + interval '3 hours', NULL, t.dispatched_at + interval '7 hours',
                           t.dispatched_at + interval '3 hours', {rep}, {reply}{a_extra_vals}
                    FROM bench_t t WHERE t.street_id IS NOT NULL AND t.status <> 'dispatched'
                    UNION ALL
                    SELECT t.id * 4 + 2, t.id, t.assist_id, t.assist_path, 'assist', 1, NULL,
                           CASE WHEN t.status IN ('dispatched','acknowledged') THEN 'pending' ELSE 'replied' END, {active},
                           t.dispatched_at, {dispatcher}, t.dispatched_at + interval '4 hours', NULL, NULL, ''{a_extra_vals}
                    FROM bench_t t WHERE t.assist_id IS NOT NULL
                    UNION ALL
                    SELECT t.id * 4 + 3, t.id, t.wrong_id, t.wrong_path, 'lead', 1, NULL, 'returned', false,
                           t.created_at + interval '10 minutes', {dispatcher}, t.created_at + interval '4 hours', NULL, NULL, ''{a_extra_vals}
                    FROM bench_t t WHERE t.wrong_id IS NOT NULL
                    """
                )
            log(f"tickets {start:,}–{stop:,} in {time.monotonic() - c0:.1f}s")
        for table in ("bench_lead", "bench_street", "bench_t"):
            cur.execute(f"DROP TABLE {table}")
        for table in ("tickets_ticket", "tickets_assignment"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    connection.close()
    log("VACUUM ANALYZE")
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE tickets_ticket")
        cur.execute("VACUUM ANALYZE tickets_assignment")
    log(f"generated {n:,} tickets in {time.monotonic() - t0:.0f}s")


# --- Measurement ----------------------------------------------------------------------------------


def _time(fn: object, runs: int, budget_s: float, warmup: int = 3) -> list[float]:
    """Time up to `runs` calls, stopping early once `budget_s` seconds have been spent (bounded)."""
    stop_at = time.monotonic() + budget_s
    for _ in range(warmup):
        fn()  # type: ignore[operator]
        if time.monotonic() > stop_at:
            break
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - t)
        if time.monotonic() > stop_at:
            break
    return out


def _measure(args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test import Client

    from hotline.accounts.models import ApiToken, Department, User
    from hotline.tickets.models import Assignment
    from hotline.tickets.selectors import department_counts, department_inbox_count, department_tickets

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = ANY(%s)) FROM tickets_ticket", [list(OPEN)]
        )
        total, open_n = cur.fetchone()
        if args.jit_off:
            cur.execute("SET jit = off")
    print(f"machine: {machine()}  loadavg at start: {loadavg()}")
    print(f"data: {total:,} tickets ({open_n / total:.0%} open), {Assignment.objects.count():,} assignments, "
          f"{Department.objects.count()} departments")  # fmt: skip
    codes = [c.strip() for c in args.departments.split(",") if c.strip()]
    figures: dict[str, str] = {}
    worst_p95 = 0.0

    def table(title: str, measures: dict[str, tuple[object, object]]) -> float:
        """measures: department code -> (page fn, count fn). Prints a table; returns the worst p95 (s)."""
        worst = 0.0
        print(f"\n{title}: page of {args.page} and count, up to {args.runs} runs each "
              f"(at most {args.budget:.0f}s per query) — ms")  # fmt: skip
        print(
            f"{'department':<22}{'open':>8}{'runs':>6}{'page p50':>10}{'page p95':>10}{'count p50':>11}{'count p95':>11}"
        )
        for code, (page, count) in measures.items():
            tp = _time(page, args.runs, args.budget)
            tc = _time(count, args.runs, args.budget)
            worst = max(worst, pct(tp, 95), pct(tc, 95))
            n_open = department_inbox_count(department=Department.objects.get(code=code))
            print(
                f"{code:<22}{n_open:>8,}{min(len(tp), len(tc)):>6}{ms(pct(tp, 50)):>10}{ms(pct(tp, 95)):>10}"
                f"{ms(pct(tc, 50)):>11}{ms(pct(tc, 95)):>11}"
            )
            key = title.split()[0]
            figures[f"{key}_{code}_page_p95_ms"] = ms(pct(tp, 95))
            figures[f"{key}_{code}_count_p95_ms"] = ms(pct(tc, 95))
        return worst

    def selector_fns(code: str) -> tuple[object, object]:
        dept = Department.objects.get(code=code)

        def page() -> None:
            for t in department_tickets(department=dept)[0 : args.page]:
                _ = (t.number, t.due_at, t.category, [a.department.name for a in t.held])

        return page, lambda: department_counts(department=dept)

    worst_p95 = table(
        "department desk inbox (department_tickets page, department_counts)",
        {c: selector_fns(c) for c in codes},
    )

    first = Department.objects.get(code=codes[0])
    print(f"\nEXPLAIN ANALYZE of the page's id walk ({first.code}, first {args.page}):")
    print(department_tickets(department=first)._ids[: args.page].explain(analyze=True, buffers=True))

    api_rows = []
    if not args.no_api:
        client = Client()
        for username in ("dcq", "cgj", "dispatcher"):
            user = User.objects.get(username=username)
            _, raw = ApiToken.issue(user=user, name="bench")
            hdr = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

            def get(hdr: dict[str, str] = hdr) -> None:
                r = client.get("/api/v1/tickets", {"status": "dispatched", "page_size": 20}, **hdr)
                assert r.status_code == 200, r.content[:300]

            r = client.get("/api/v1/tickets", {"status": "dispatched", "page_size": 20}, **hdr)
            n = r.json()["count"]
            t = _time(get, args.runs, args.budget)
            dept = user.department.code if user.department else "-"
            api_rows.append((f"{username} ({user.get_role_display()}, {dept})", n, t))
            figures[f"api_list_{username}_p50_ms"] = ms(pct(t, 50))
            figures[f"api_list_{username}_p95_ms"] = ms(pct(t, 95))
        print("\nGET /api/v1/tickets?status=dispatched&page_size=20 via django.test.Client (ms)")
        print(f"{'user':<36}{'count':>9}{'runs':>6}{'p50':>9}{'p95':>9}")
        for name, n, t in api_rows:
            print(f"{name:<36}{n:>9,}{len(t):>6}{ms(pct(t, 50)):>9}{ms(pct(t, 95)):>9}")

    summary(
        "inbox",
        jit=not args.jit_off,
        tickets=total,
        runs=args.runs,
        worst_inbox_p95_ms=ms(worst_p95),
        target_met=worst_p95 * 1000 < TARGET_P95_MS,
        **figures,
    )


if __name__ == "__main__":
    main()
