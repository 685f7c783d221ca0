"""Monthly report generation over the KPI benchmark's database (5 M tickets, 10 M calls).

    python bench/kpi_report.py [--db hotline_bench_kpi] [--month YYYY-MM] [--runs 2]

Needs the database `bench/kpi_month.py` generated (run that first). In this process, for the last
full month (or --month): `monthly_report_request` + `monthly_report_generate` (the background job:
this month's and last month's indicators, the department ranking, district × category, the daily
trend, hotspots, the 不满意 list, the narrative), then the workbook and the 专报 with its charts as
a reader without unmask permission downloads them. Prints each part's seconds, the per-step times of
the job, the files' sizes and the process's peak RSS. Target (issue 7): generation < 30 s.
The report row is deleted again at the end, so the database stays as generated.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from datetime import date, timedelta

from _common import bench_env, hotline, loadavg, log, machine, pg_exists, pg_url, summary

TARGET_S = 30.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="hotline_bench_kpi")
    ap.add_argument("--month", default="", help="YYYY-MM (default: last full month)")
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    if not pg_exists(args.db):
        raise SystemExit(f"{args.db} does not exist: run bench/kpi_month.py --generate-only first")
    os.environ.update(bench_env(pg_url(args.db), tempfile.mkdtemp(prefix="hotline-bench-report-")))
    hotline(["migrate", "-v0"], dict(os.environ))

    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from hotline.accounts.models import Role
    from hotline.metrics.models import MonthlyReport
    from hotline.metrics.reports import services as svc

    today = date.today()
    month = (
        date.fromisoformat(args.month + "-01")
        if args.month
        else (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    )
    analyst = get_user_model().objects.filter(role=Role.ANALYST).first()
    log(f"month {month:%Y-%m}; load {loadavg()}")
    MonthlyReport.objects.filter(month=month).delete()

    gen: list[float] = []
    steps: list[tuple[float, str]] = []
    mark = {"t": 0.0, "stage": "start"}
    store = svc._progress

    def track(report_id: int, pct: int, stage: str) -> None:
        # Each progress call ends the previous step: time per step of the job, as the page shows them.
        now = time.perf_counter()
        steps.append((now - mark["t"], str(mark["stage"])))
        mark["t"], mark["stage"] = now, stage
        store(report_id, pct, stage)

    svc._progress = track  # type: ignore[assignment]
    report = None
    for _ in range(args.runs):
        MonthlyReport.objects.filter(month=month).delete()
        steps.clear()
        t0 = time.perf_counter()
        mark["t"], mark["stage"] = t0, "request"
        report = svc.monthly_report_request(month=month, by=analyst)
        report = svc.monthly_report_generate(report_id=report.pk)
        steps.append((time.perf_counter() - mark["t"], str(mark["stage"])))
        gen.append(time.perf_counter() - t0)
        assert report.status == MonthlyReport.Status.DRAFT, report.error
    assert report is not None and analyst is not None
    t1 = time.perf_counter()
    xlsx = svc.monthly_report_export(report=report, kind="xlsx", by=analyst)
    t2 = time.perf_counter()
    docx = svc.monthly_report_export(report=report, kind="docx", by=analyst)
    t3 = time.perf_counter()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine {machine()} load {loadavg()} month {month:%Y-%m} intake {report.data['intake']:,}")
    print(f"generate (job)   median {statistics.median(gen):.2f}s  max {max(gen):.2f}s  runs {len(gen)}")
    for seconds, stage in steps:
        print(f"  {seconds:6.2f}s  {stage}")
    print(f"xlsx export      {t2 - t1:.2f}s  {len(xlsx) / 1024:.0f} KB")
    print(f"docx export      {t3 - t2:.2f}s  {len(docx) / 1024:.0f} KB (charts drawn)")
    total = statistics.median(gen) + (t3 - t1)
    print(f"generate + both files: {total:.2f}s; peak RSS of this process: {rss_mb:.0f} MB")
    MonthlyReport.objects.filter(month=month).delete()
    summary(
        "kpi_report",
        month=f"{month:%Y-%m}",
        intake=report.data["intake"],
        generate_median_s=f"{statistics.median(gen):.2f}",
        xlsx_s=f"{t2 - t1:.2f}",
        docx_s=f"{t3 - t2:.2f}",
        peak_rss_mb=f"{rss_mb:.0f}",
        target_s=TARGET_S,
        ok=total < TARGET_S,
    )


if __name__ == "__main__":
    main()
