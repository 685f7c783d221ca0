"""Quality inspection at a city's monthly volume: sampling plans and the pass-rate reads.

    python bench/qa_sample.py [--calls 100000] [--agents 130] [--inspections 5000] [--reuse]

Fresh database `hotline_bench_qa` (or --reuse): migrate, then in SQL (generate_series) one month of
answered calls spread evenly over the month and over `--agents` agents (each with a user account; a
tenth of them hired within the last 90 days), talk time 30–1,230 s. In this process it times:
the random 2 % plan, the long-call plan and the new-agent plan drawing from the month (`qa_sample`:
population read, seeded draw, insert), then `--inspections` scored inspections are written in SQL and
`pass_parts` (业务解答及工单质量合格率) and `agent_scores` (workforce's per-agent figures) are timed
over the month. Prints seconds per step and the process's peak RSS. No target in the issue; a month
of sampling should take seconds, the pass-rate reads milliseconds.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from datetime import date, timedelta

from _common import bench_env, hotline, loadavg, log, machine, pg_exists, pg_recreate, pg_url, summary

DB = "hotline_bench_qa"


def generate(calls: int, agents: int, first: date, days: int) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
                is_staff, is_active, date_joined, role, display_name, employee_no)
            SELECT '!', false, 'qa-bench-' || g, '', '', '', false, true,
                   CASE WHEN g %% 10 = 0 THEN now() - interval '30 days' ELSE now() - interval '400 days' END,
                   'agent', '话务员' || g, ''
            FROM generate_series(1, %s) g
            """,
            [agents],
        )
        cur.execute(
            """
            INSERT INTO callcenter_agent (code, name, user_id, is_active)
            SELECT 'B' || lpad(substr(username, 10), 4, '0'), display_name, id, true
            FROM accounts_user WHERE username LIKE 'qa-bench-%%'
            """
        )
        cur.execute(
            """
            INSERT INTO callcenter_callrecord (call_id, hotline, ani, direction, arrived_at, queued_at,
                answered_at, ended_at, queue, answered_queue, agent_code, wait_s, talk_s, hold_s, hold_count,
                offers, missed_offers, transfers, parties, agents, ivr_path, overflowed, priority, repeat,
                entry_position, disposition, missed, release_side, cause, survey)
            SELECT 'qa-bench-' || g, '12345', '139' || lpad((g %% 100000000)::text, 8, '0'), 'in', t, t,
                   t + interval '8 seconds', t + make_interval(secs => 38 + (g * 7919) %% 1200), 'general',
                   'general', 'B' || lpad((1 + g %% %s)::text, 4, '0'), 8, 30 + (g * 7919) %% 1200, 0, 0,
                   1, 0, 0, '[]', '[]', '[]', false, 0, false, 0, 'answered', false, 'caller', '', ''
            FROM (SELECT g, %s::timestamptz + (g * (%s::float / %s)) * interval '1 second' AS t
                  FROM generate_series(1, %s) g) s
            """,
            [agents, first.isoformat(), days * 86400, calls, calls],
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=100_000)
    ap.add_argument("--agents", type=int, default=130)
    ap.add_argument("--inspections", type=int, default=5000)
    ap.add_argument("--reuse", action="store_true")
    args = ap.parse_args()
    fresh = not (args.reuse and pg_exists(DB))
    if fresh:
        pg_recreate(DB)
    os.environ.update(bench_env(pg_url(DB), tempfile.mkdtemp(prefix="hotline-bench-qa-")))
    log(f"migrate {DB}; load {loadavg()}")
    hotline(["migrate", "-v0"], dict(os.environ), timeout=900)

    import django

    django.setup()
    from django.db import connection

    from hotline.accounts.models import Role, User
    from hotline.quality import selectors as sel
    from hotline.quality.models import QualityCheck, SamplingPlan
    from hotline.quality.services import qa_sample

    first = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    last = date.today().replace(day=1) - timedelta(days=1)
    days = (last - first).days + 1
    if fresh:
        t0 = time.perf_counter()
        generate(args.calls, args.agents, first, days)
        log(f"generated {args.calls} calls in {time.perf_counter() - t0:.1f} s")
    QualityCheck.objects.all().delete()

    timings: dict[str, float] = {}
    drawn: dict[str, int] = {}
    for kind in ("random", "long_calls", "new_agents"):
        plan = SamplingPlan.objects.get(kind=kind)
        t0 = time.perf_counter()
        new, population = qa_sample(plan=plan, first=first, last=last, seed=1)
        timings[kind] = time.perf_counter() - t0
        drawn[kind] = len(new)
        print(f"{plan.name:<20} population {population:>8}  drawn {len(new):>4}  {timings[kind]:.2f} s")

    inspector = User.objects.filter(role=Role.QA_INSPECTOR).first() or User.objects.create(
        username="qa-bench-inspector", role=Role.QA_INSPECTOR
    )
    plan = SamplingPlan.objects.get(kind="random")
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO quality_qualitycheck (plan_id, rubric_id, key, call_id, agent_id, agent_code, reason,
                sampled_at, status, inspector_id, inspected_at, score, passed, comment, version)
            SELECT %s, %s, 'bench:' || g, NULL, u.id, '', 'bench', now(), 'done', %s,
                   %s::timestamptz + (g * (%s::float / %s)) * interval '1 second', 70 + g %% 31, (g %% 50) <> 0, '', 1
            FROM generate_series(1, %s) g
            JOIN LATERAL (SELECT id FROM accounts_user WHERE username = 'qa-bench-' || (1 + g %% %s)) u ON true
            """,
            [plan.pk, plan.rubric_id, inspector.pk, first.isoformat(), days * 86400, args.inspections,
             args.inspections, args.agents],
        )  # fmt: skip
    reads = []
    for _ in range(5):
        t0 = time.perf_counter()
        ok, n = sel.pass_parts(first, last)
        scores = sel.agent_scores(first, last)
        reads.append(time.perf_counter() - t0)
    best = min(reads)
    print(
        f"pass rate {ok}/{n} = {ok / n:.2%}; agents {len(scores)}; pass_parts + agent_scores best {best * 1000:.1f} ms"
    )
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss_mb:.0f} MB; {machine()}; load {loadavg()}")
    summary(
        "qa_sample",
        calls=args.calls,
        random_s=f"{timings['random']:.2f}",
        long_calls_s=f"{timings['long_calls']:.2f}",
        new_agents_s=f"{timings['new_agents']:.2f}",
        reads_ms=f"{best * 1000:.1f}",
        rss_mb=f"{rss_mb:.0f}",
    )


if __name__ == "__main__":
    main()
