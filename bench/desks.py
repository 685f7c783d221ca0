"""Server time of each desk page with 1,000,000 tickets in PostgreSQL (issue 3's bar: < 150 ms).

    python bench/inbox.py --generate-only      # once: the 1 M-ticket database (see bench/README.md)
    python bench/desks.py [--db hotline_bench_inbox] [--runs 30]

Renders every desk in-process with django.test.Client, signed in as the demo user of each role,
and prints p50/p95 server time and the number of SQL queries per page. Bounded: --runs per page,
at most 60 s per page.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

from _common import bench_env, log, pct, pg_url

PAGES = [
    ("agent", "/desk/agent/"),
    ("dispatcher", "/desk/dispatch/"),
    ("reviewer", "/desk/dispatch/?tab=replies"),
    ("cgj", "/desk/department/"),
    ("dcq", "/desk/department/"),
    ("dcq-dh", "/desk/department/"),
    ("dcq-mgr", "/desk/department/overview/"),
    ("visitor", "/desk/visit/"),
    ("supervisor", "/desk/supervisor/"),
    ("supervisor", "/tickets/"),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="hotline_bench_inbox")
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    os.environ.update(bench_env(pg_url(args.db), tempfile.mkdtemp(prefix="hotline-bench-desks-")))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from hotline.accounts.models import User

    worst = 0.0
    print(f"{'user':<12}{'page':<32}{'status':>7}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}")
    for username, path in PAGES:
        user = User.objects.filter(username=username).first()
        if user is None:
            log(f"no user {username} in {args.db}; skipped")
            continue
        client = Client()
        client.force_login(user)
        client.get(path)  # warm caches and connections
        times: list[float] = []
        deadline = time.monotonic() + 60
        status = 0
        queries = 0
        for i in range(args.runs):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - t0)
            status, queries = response.status_code, len(ctx.captured_queries)
            if time.monotonic() > deadline and i >= 4:
                break
        p50, p95 = pct(times, 50) * 1000, pct(times, 95) * 1000
        worst = max(worst, p95)
        print(f"{username:<12}{path:<32}{status:>7}{p50:>9.1f}{p95:>9.1f}{queries:>9}")
    print(f"SUMMARY desks_worst_p95_ms={worst:.1f} target_ms=150")


if __name__ == "__main__":
    main()
