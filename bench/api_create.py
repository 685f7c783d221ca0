"""Ticket create through the HTTP API against a live `hotline run` on PostgreSQL.

    python bench/api_create.py [--workers 2 --threads 8 --concurrency 8 --duration 20]

Creates (or reuses with --reuse) the database `hotline_bench_api` with the demo city, starts
`hotline run` on a free 127.0.0.1 port, takes a bearer token for the `agent` user, then POSTs
/api/v1/tickets from a bounded pool of keep-alive client threads. Target: >= 200 tickets/s.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid

from _common import (
    CpuMeter,
    KeepAlive,
    bench_env,
    hotline_server,
    loadavg,
    log,
    machine,
    ms,
    pct,
    prepare_demo_db,
    request,
    run_load,
    summary,
    token_for,
)

TARGET = 200.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="hotline_bench_api")
    ap.add_argument("--reuse", action="store_true", help="reuse the database if it exists")
    ap.add_argument("--demo-tickets", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    ap.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    ap.add_argument("--concurrency", type=int, default=8, help="client threads")
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of measured load (max)")
    ap.add_argument("--max-requests", type=int, default=20_000, help="stop after this many creates")
    ap.add_argument("--warmup", type=float, default=3.0, help="seconds of unmeasured load first")
    ap.add_argument("--no-idempotency", action="store_true", help="omit the Idempotency-Key header")
    args = ap.parse_args()

    data_dir = tempfile.mkdtemp(prefix="hotline-bench-api-")
    url = prepare_demo_db(args.db, reuse=args.reuse, demo_tickets=args.demo_tickets, data_dir=data_dir)
    env = bench_env(url, data_dir)

    with hotline_server(env, workers=args.workers, threads=args.threads) as srv:
        token = token_for(srv.port, "agent")
        status, cats = request(srv.port, "GET", "/api/v1/categories", token=token)
        leaves = [c["code"] for c in cats if c["level"] == 3] if status == 200 else []
        run_id = uuid.uuid4().hex[:8]

        def create(conn: KeepAlive, i: int) -> tuple[bool, float, str]:
            body = {
                "title": f"路灯不亮：幸福路{i % 300}号附近路灯连续多晚不亮",
                "content": f"幸福路{i % 300}号附近路灯连续多晚不亮，夜间行人不安全，请安排维修。（压测 {run_id}-{i}）",
                "type": "complaint",
                "channel": "phone",
                "category": leaves[i % len(leaves)] if leaves else None,
                "address": f"东城区幸福路{i % 300}号",
                "district": "DCQ",
                "citizen": {"name": "王伟", "phone": f"139{i % 100_000_000:08d}"},
                "submit": i % 2 == 0,
            }
            headers = {} if args.no_idempotency else {"Idempotency-Key": f"bench-{run_id}-{i}"}
            t0 = time.perf_counter()
            code, resp = conn.call("POST", "/api/v1/tickets", body, token, headers)
            secs = time.perf_counter() - t0
            return code == 201, secs, f"HTTP {code}: {str(resp)[:200]}"

        if args.warmup > 0:
            log(f"warm-up {args.warmup:.0f}s")
            run_load(
                create, port=srv.port, concurrency=args.concurrency, duration=args.warmup, max_items=10_000
            )
        log(
            f"measuring: concurrency={args.concurrency}, up to {args.duration:.0f}s / {args.max_requests} creates"
        )
        offset = 1_000_000
        load_before = loadavg()
        meter = CpuMeter(srv.proc.pid, args.db)
        meter.start()
        res = run_load(
            lambda c, i: create(c, offset + i),
            port=srv.port,
            concurrency=args.concurrency,
            duration=args.duration,
            max_items=args.max_requests,
        )
        cpu = meter.stop()
        busy = cpu["machine_busy"]

    rate = res.ok / res.elapsed if res.elapsed else 0.0
    p50, p95, p99 = pct(res.latencies, 50), pct(res.latencies, 95), pct(res.latencies, 99)
    print(f"machine: {machine()}  server: hotline run --workers {args.workers} --threads {args.threads}")
    print(f"client: {args.concurrency} keep-alive threads, {res.elapsed:.1f}s measured")
    print(f"loadavg before: {load_before}  CPU busy during the run (machine-wide): {busy:.0%}")
    per = {k: cpu[k] / max(1, res.ok) * 1000 for k in ("server", "postgres", "client")}
    ours = (cpu["server"] + cpu["postgres"] + cpu["client"]) / max(1e-9, res.elapsed)
    own_ms = per["server"] + per["postgres"]
    print(
        f"CPU per ticket: server {per['server']:.1f} ms, postgres {per['postgres']:.1f} ms, client {per['client']:.1f} ms; "
        f"this benchmark used {ours:.2f} of {os.cpu_count()} cores"
    )
    print(
        f"ceiling if server + postgres had every core to themselves: {(os.cpu_count() or 1) * 1000 / own_ms:.0f} tickets/s"
    )
    print(f"created: {res.ok}  errors: {res.errors}")
    for e in res.error_samples:
        print(f"  error sample: {e}")
    print(f"tickets/s: {rate:.1f}  (target >= {TARGET:.0f})")
    print(f"latency ms: p50 {ms(p50)}  p95 {ms(p95)}  p99 {ms(p99)}")
    summary(
        "api_create",
        tickets_per_s=f"{rate:.1f}",
        p50_ms=ms(p50),
        p95_ms=ms(p95),
        created=res.ok,
        errors=res.errors,
        workers=args.workers,
        threads=args.threads,
        concurrency=args.concurrency,
        cpu_busy=f"{busy:.2f}",
        server_cpu_ms_per_ticket=f"{per['server']:.1f}",
        pg_cpu_ms_per_ticket=f"{per['postgres']:.1f}",
        cores_used=f"{ours:.2f}",
        target_met=rate >= TARGET,
    )


if __name__ == "__main__":
    main()
