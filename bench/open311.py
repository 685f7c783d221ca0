"""Open311 GeoReport v2 in-process on PostgreSQL: GET /requests (a full 1,000-row page) and POST /requests.

    python bench/open311.py [--tickets 20000] [--reuse] [--runs 30] [--posts 300]

Creates `hotline_bench_open311` (migrate + demo with 50 tickets; --reuse keeps it), adds --tickets
published tickets spread over 80 days with SQL, then through django.test.Client:
- GET /open311/v2/requests.json and .xml (the default 90-day window, 1,000 rows), and one filtered by
  service_code and status, --runs times each (bounded by --budget seconds), p50/p95 ms and ms per row;
- POST /open311/v2/requests.json with distinct bodies, --posts times (bounded likewise), then the same
  bodies again (duplicates: no new ticket), requests/s and p50/p95 ms.
Target (issue 9): a full page well under a second; POST at least as fast as the REST intake.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from _common import loadavg, log, machine, ms, pct, prepare_demo_db, summary

DB = "hotline_bench_open311"


def _fill(n: int) -> None:
    from django.db import connection

    from hotline.tickets.models import Category, Ticket

    leaves = list(Category.objects.filter(level=3, is_active=True).values_list("id", flat=True))
    have = Ticket.objects.filter(number__startswith="B311").count()
    if have >= n:
        log(f"{have} bench tickets present")
        return
    log(f"adding {n - have} tickets with SQL")
    ids = "{" + ",".join(str(i) for i in leaves) + "}"
    with connection.cursor() as c:
        c.execute(
            """
            INSERT INTO tickets_ticket (number, status, version, channel, hotline, type, category_id, urgency,
              title, content, address, citizen_name, citizen_phone, citizen_id_number, confidential, anonymous,
              no_callback, created_at, updated_at, budget, budget_unit, supervised, urge_count, reopen_count,
              return_count, visit_result, close_reason, resume_status, query_code_hash, citizen_rating,
              citizen_rating_comment)
            SELECT 'B311' || lpad(g::text, 9, '0'),
                   (ARRAY['pending_dispatch','dispatched','acknowledged','closed','archived'])[1 + g %% 5],
                   1, 'open311', '12345', 'help', (%s::bigint[])[1 + g %% %s], 'normal',
                   '路灯不亮：小区门口路灯连续三晚不亮', '小区门口路灯连续三晚不亮，电话 13912345678，请尽快维修。',
                   '幸福路 ' || g || ' 号', '', '', '', false, false, true,
                   now() - (g %% 80) * interval '1 day' - (g %% 86400) * interval '1 second', now(),
                   0, 'days', false, 0, 0, 0, '', '', '', '', '', ''
            FROM generate_series(%s, %s) AS g
            """,
            [ids, len(leaves), have + 1, n],
        )
        c.execute("ANALYZE tickets_ticket")


def _time(call, runs: int, budget: float) -> list[float]:
    out: list[float] = []
    end = time.monotonic() + budget
    while len(out) < runs and time.monotonic() < end:
        t0 = time.perf_counter()
        call()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=20_000)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--posts", type=int, default=300)
    ap.add_argument("--budget", type=float, default=60.0)
    args = ap.parse_args()
    data_dir = tempfile.mkdtemp(prefix="hotline_bench_o311_")
    url = prepare_demo_db(DB, reuse=args.reuse, demo_tickets=50, data_dir=data_dir)
    os.environ.update(
        DATABASE_URL=url,
        HOTLINE_DATA_DIR=data_dir,
        DJANGO_SETTINGS_MODULE="hotline.settings",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.test import Client

    from hotline.exchange.demo import DEMO_OPEN311_KEY
    from hotline.exchange.selectors import open311_services

    _fill(args.tickets)
    client = Client()
    code = open311_services()[0].code
    report: dict[str, str] = {}
    for label, path, params in (
        ("json", "/open311/v2/requests.json", {}),
        ("xml", "/open311/v2/requests.xml", {}),
        ("filtered", "/open311/v2/requests.json", {"service_code": code, "status": "open"}),
    ):
        rows = len(client.get(path, params).content)  # warm-up, and the body size
        times = _time(lambda p=path, q=params: client.get(p, q), args.runs, args.budget)
        report[label] = f"p50={ms(pct(times, 50))} p95={ms(pct(times, 95))} n={len(times)} bytes={rows}"
        print(f"GET {label:9s} {report[label]}")
    bodies = [
        {"api_key": DEMO_OPEN311_KEY, "service_code": code, "address_string": f"解放路 {i} 号",
         "description": f"基准测试 {time.time_ns()} #{i}", "phone": "13900000000"}
        for i in range(args.posts)
    ]  # fmt: skip
    for label in ("new", "duplicate"):
        times = []
        end = time.monotonic() + args.budget
        for body in bodies:
            if time.monotonic() > end:
                break
            t0 = time.perf_counter()
            r = client.post("/open311/v2/requests.json", body)
            times.append(time.perf_counter() - t0)
            assert r.status_code == 200, r.content[:200]
        rate = len(times) / sum(times)
        report[f"post_{label}"] = (
            f"{rate:.0f}/s p50={ms(pct(times, 50))} p95={ms(pct(times, 95))} n={len(times)}"
        )
        print(f"POST {label:9s} {report['post_' + label]}")
    print(f"{machine()} load={loadavg()}")
    first = {k: v.split()[0] for k, v in report.items()}
    summary(
        "open311",
        **{f"get_{k}_p50_ms": first[k].split("=")[1] for k in ("json", "xml", "filtered")},
        post_new_per_s=first["post_new"].rstrip("/s"),
        post_duplicate_per_s=first["post_duplicate"].rstrip("/s"),
    )


if __name__ == "__main__":
    main()
