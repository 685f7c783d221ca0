"""Full ticket lifecycle on PostgreSQL: create → dispatch → acknowledge → reply → review → visit → archive.

    python bench/lifecycle.py [--count 500 --duration 30] [--http --concurrency 6 --workers 2]

Creates (or reuses with --reuse) the database `hotline_bench_life` with the demo city.

In-process (the figure compared with the target, >= 50 tickets/s): one thread drives tickets
through the services in hotline.tickets.services, as the demo users would, and prints tickets/s
and the mean time of each step. With --processes N, N such loops run side by side. It also prints
the SQL statements of one lifecycle (the warm-up's last ticket, commit hooks included, the notices'
delivery jobs not): the figure that does not move with the machine's load.

With --instructions N, N lifecycles (after the warm-up) run in one process under valgrind's callgrind
and it prints the Python process's instructions per lifecycle: the CPU figure that does not move
with the machine's load (the PostgreSQL backend's share is not in it).

With --http, the same lifecycle runs through the API (seven requests a ticket, one bearer token per
role) against a live `hotline run`, from a bounded pool of keep-alive client threads.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from typing import Any

from _common import (
    KeepAlive,
    bench_env,
    cpu_busy_since,
    cpu_times,
    hotline_server,
    loadavg,
    log,
    machine,
    ms,
    pct,
    prepare_demo_db,
    run_load,
    summary,
    token_for,
)

TARGET = 50.0
STEPS = ("create", "dispatch", "acknowledge", "reply", "review", "visit", "archive")


# --- In-process, through the services --------------------------------------------------------------


def _service_loop(
    count: int, duration: float, tag: str, count_statements_of: int = -1
) -> tuple[int, float, dict[str, float], list[float]]:
    """Drive up to `count` tickets for at most `duration` s; returns (done, seconds, step totals, per-ticket s).

    The SQL statements of ticket number `count_statements_of` (its commit hooks included, the
    notices' delivery jobs, queued for the job runner, not) go into the step totals as "_statements".
    """
    import django

    django.setup()
    from hotline.accounts.models import Department, User
    from hotline.tickets import services as svc
    from hotline.tickets.models import Category, Ticket

    users = {u.username: u for u in User.objects.select_related("department")}
    cgj = Department.objects.get(code="CGJ")
    dcq = Department.objects.get(code="DCQ")
    leaves = list(Category.objects.filter(level=3, is_active=True).order_by("code"))
    steps: dict[str, float] = defaultdict(float)
    per_ticket: list[float] = []

    def timed(step: str, fn: Any) -> Any:
        t = time.perf_counter()
        out = fn()
        steps[step] += time.perf_counter() - t
        return out

    from _common import proc_cpu
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = int(cur.fetchone()[0])
    pg0 = proc_cpu([backend]).get(backend, 0.0)
    py0 = time.process_time()
    done = 0
    started = time.perf_counter()
    stop_at = started + duration
    while done < count and time.perf_counter() < stop_at:
        counted = CaptureQueriesContext(connection) if done == count_statements_of else None
        if counted is not None:
            counted.__enter__()
        t0 = time.perf_counter()
        data = svc.TicketInput(
            title=f"路灯不亮：幸福路{done % 300}号附近",
            content=f"幸福路{done % 300}号附近路灯连续多晚不亮，夜间行人不安全，请安排维修。（压测 {tag}-{done}）",
            type=Ticket.Type.COMPLAINT,
            category=leaves[done % len(leaves)],
            address=f"东城区幸福路{done % 300}号",
            district=dcq,
            citizen_name="王伟",
            citizen_phone=f"139{done:08d}",
        )
        t, _ = timed("create", lambda data=data: svc.ticket_create(data=data, by=users["agent"], submit=True))
        t = timed("dispatch", lambda t=t: svc.ticket_dispatch(ticket=t, by=users["dispatcher"], lead=cgj))
        t = timed("acknowledge", lambda t=t: svc.ticket_acknowledge(ticket=t, by=users["cgj"]))
        t = timed(
            "reply", lambda t=t: svc.ticket_reply(ticket=t, by=users["cgj"], reply="经现场核实，路灯已修复。")
        )
        t = timed("review", lambda t=t: svc.ticket_review(ticket=t, by=users["reviewer"], approve=True))
        t = timed("visit", lambda t=t: svc.ticket_visit(ticket=t, by=users["visitor"], result="satisfied"))
        t = timed("archive", lambda t=t: svc.ticket_archive(ticket=t, by=users["supervisor"]))
        if t.status != Ticket.Status.ARCHIVED:
            raise RuntimeError(f"ticket {t.number} ended in {t.status}")
        per_ticket.append(time.perf_counter() - t0)
        if counted is not None:
            counted.__exit__(None, None, None)
            steps["_statements"] = len(counted.captured_queries)
        done += 1
    elapsed = time.perf_counter() - started
    steps["_cpu_python"] = time.process_time() - py0
    steps["_cpu_postgres"] = proc_cpu([backend]).get(backend, 0.0) - pg0
    return done, elapsed, dict(steps), per_ticket


def _proc_main(args: tuple[int, float, str, int], q: Any) -> None:
    q.put(_service_loop(*args))


def run_in_process(count: int, duration: float, processes: int, warmup: int) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6]
    statements = 0
    if warmup:
        # The warm-up's last ticket (caches loaded) is the one whose statements are counted.
        warm = _run_procs(1, warmup, 60, tag + "w", count_statements_of=warmup - 1)
        statements = int(warm[0][2].get("_statements", 0))
    results = _run_procs(processes, count, duration, tag)
    done = sum(r[0] for r in results)
    elapsed = max(r[1] for r in results)
    steps: dict[str, float] = defaultdict(float)
    per_ticket: list[float] = []
    for r in results:
        for k, v in r[2].items():
            steps[k] += v
        per_ticket += r[3]
    return {
        "done": done,
        "elapsed": elapsed,
        "steps": steps,
        "per_ticket": per_ticket,
        "statements": statements,
    }


def _run_procs(
    processes: int, count: int, duration: float, tag: str, *, count_statements_of: int = -1
) -> list[Any]:
    # A fresh process per loop: Django is set up there, connections are never shared across a fork.
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    procs = [
        ctx.Process(target=_proc_main, args=((count, duration, f"{tag}{i}", count_statements_of), q))
        for i in range(processes)
    ]
    for p in procs:
        p.start()
    results = [q.get(timeout=duration + 180) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    return results


# --- Instructions per lifecycle, under callgrind ----------------------------------------------------


def run_instructions(count: int, warmup: int) -> float:
    """Instructions of the Python process per lifecycle: callgrind counts only the measured tickets."""
    with tempfile.TemporaryDirectory(prefix="hotline-callgrind-") as out:
        proc = subprocess.run(  # noqa: S603
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}/cg.%p.out",
             sys.executable, __file__, "--_callgrind-child", str(count), "--warmup", str(warmup)],
            capture_output=True, text=True, check=True, env=os.environ,
        )  # fmt: skip
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if found is None:
        raise RuntimeError(f"no callgrind total in its output:\n{proc.stderr[-2000:]}")
    return int(found.group(1)) / count


def _callgrind_child(count: int, warmup: int) -> None:
    def instrument(state: str) -> None:
        subprocess.run(["callgrind_control", "-i", state, str(os.getpid())], check=True, capture_output=True)  # noqa: S603, S607

    _service_loop(max(1, warmup), 600, uuid.uuid4().hex[:6] + "w")  # caches loaded, code paths warm
    instrument("on")
    done = _service_loop(count, 600, uuid.uuid4().hex[:6])[0]
    instrument("off")
    if done != count:
        raise SystemExit(f"only {done} of {count} lifecycles ran")


# --- Through the HTTP API --------------------------------------------------------------------------


def run_http(env: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    with hotline_server(env, workers=args.workers, threads=args.threads) as srv:
        tokens = {
            u: token_for(srv.port, u)
            for u in ("agent", "dispatcher", "cgj", "reviewer", "visitor", "supervisor")
        }
        tag = uuid.uuid4().hex[:6]
        step_lat: dict[str, list[float]] = defaultdict(list)

        def one(conn: KeepAlive, i: int) -> tuple[bool, float, str]:
            t0 = time.perf_counter()
            body = {
                "title": f"路灯不亮：幸福路{i % 300}号附近",
                "content": f"幸福路{i % 300}号附近路灯连续多晚不亮，请安排维修。（压测 {tag}-{i}）",
                "type": "complaint",
                "district": "DCQ",
                "citizen": {"name": "王伟", "phone": f"139{i:08d}"},
                "submit": True,
            }
            plan: list[tuple[str, str, str, dict[str, Any]]] = [
                ("dispatch", "dispatcher", "dispatch", {"lead": "CGJ"}),
                ("acknowledge", "cgj", "acknowledge", {}),
                ("reply", "cgj", "reply", {"reply": "经现场核实，路灯已修复。"}),
                ("review", "reviewer", "review", {"approve": True}),
                ("visit", "visitor", "visit", {"result": "satisfied"}),
                ("archive", "supervisor", "archive", {}),
            ]
            s = time.perf_counter()
            code, t = conn.call("POST", "/api/v1/tickets", body, tokens["agent"])
            step_lat["create"].append(time.perf_counter() - s)
            if code != 201:
                return False, 0.0, f"create HTTP {code}: {str(t)[:200]}"
            for step, user, path, payload in plan:
                s = time.perf_counter()
                code, t2 = conn.call(
                    "POST",
                    f"/api/v1/tickets/{t['number']}/{path}",
                    {**payload, "version": t["version"]},
                    tokens[user],
                )
                step_lat[step].append(time.perf_counter() - s)
                if code != 200:
                    return False, 0.0, f"{step} HTTP {code}: {str(t2)[:200]}"
                t = t2
            if t["status"] != "archived":
                return False, 0.0, f"ended in {t['status']}"
            return True, time.perf_counter() - t0, ""

        run_load(one, port=srv.port, concurrency=args.concurrency, duration=3, max_items=50)  # warm-up
        res = run_load(
            lambda c, i: one(c, 100_000 + i),
            port=srv.port,
            concurrency=args.concurrency,
            duration=args.duration,
            max_items=args.count,
        )
    return {"res": res, "steps": step_lat}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="hotline_bench_life")
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--demo-tickets", type=int, default=50)
    ap.add_argument("--count", type=int, default=2000, help="max tickets per loop")
    ap.add_argument("--duration", type=float, default=20.0, help="max seconds per measurement")
    ap.add_argument("--processes", type=int, default=1, help="in-process loops side by side")
    ap.add_argument("--warmup", type=int, default=10, help="tickets before measuring")
    ap.add_argument("--instructions", type=int, default=0, help="N lifecycles under callgrind")
    ap.add_argument("--_callgrind-child", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--http", action="store_true", help="also run the lifecycle through the HTTP API")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--concurrency", type=int, default=6)
    args = ap.parse_args()
    if args._callgrind_child:
        _callgrind_child(args._callgrind_child, args.warmup)
        return

    data_dir = tempfile.mkdtemp(prefix="hotline-bench-life-")
    url = prepare_demo_db(args.db, reuse=args.reuse, demo_tickets=args.demo_tickets, data_dir=data_dir)
    env = bench_env(url, data_dir)
    os.environ.update(env)
    print(f"machine: {machine()}  loadavg at start: {loadavg()}")

    log(f"in-process: {args.processes} loop(s), up to {args.count} tickets / {args.duration:.0f}s each")
    cpu0 = cpu_times()
    r = run_in_process(args.count, args.duration, args.processes, args.warmup)
    busy = cpu_busy_since(cpu0)
    rate = r["done"] / r["elapsed"] if r["elapsed"] else 0.0
    print(
        f"\nservice layer, in-process, {args.processes} loop(s): {r['done']} tickets in {r['elapsed']:.1f}s"
    )
    print(
        f"tickets/s: {rate:.1f}  (target >= {TARGET:.0f})   per ticket p50 {ms(pct(r['per_ticket'], 50))} ms"
    )
    print(f"CPU busy (machine-wide, incl. warm-up and start): {busy:.0%}")
    cpu_py = r["steps"].get("_cpu_python", 0) / max(1, r["done"]) * 1000
    cpu_pg = r["steps"].get("_cpu_postgres", 0) / max(1, r["done"]) * 1000
    ceiling = (os.cpu_count() or 1) * 1000 / max(1e-9, cpu_py + cpu_pg)
    print(
        f"CPU per ticket: python {cpu_py:.1f} ms, postgres backend {cpu_pg:.1f} ms; "
        f"ceiling if they had every core: {ceiling:.0f} tickets/s"
    )
    print(
        "mean ms per step: " + "  ".join(f"{k} {ms(r['steps'].get(k, 0) / max(1, r['done']))}" for k in STEPS)
    )
    if r["statements"]:
        print(f"SQL statements per lifecycle (the warm-up's last ticket): {r['statements']}")
    figures: dict[str, Any] = {
        "service_tickets_per_s": f"{rate:.1f}",
        "statements_per_lifecycle": r["statements"],
        "service_processes": args.processes,
        "cpu_ms_per_ticket": f"{cpu_py + cpu_pg:.1f}",
        "cpu_ceiling_tickets_per_s": f"{ceiling:.0f}",
        "target_met": rate >= TARGET,
    }

    if args.instructions:
        per = run_instructions(args.instructions, args.warmup)
        print(
            f"instructions per lifecycle (python process, callgrind, {args.instructions} lifecycles): {per / 1e6:.1f} M"
        )
        figures["instructions_per_lifecycle_M"] = f"{per / 1e6:.1f}"

    if args.http:
        cpu0 = cpu_times()
        h = run_http(env, args)
        hbusy = cpu_busy_since(cpu0)
        res = h["res"]
        hrate = res.ok / res.elapsed if res.elapsed else 0.0
        print(
            f"\nHTTP API, hotline run --workers {args.workers} --threads {args.threads}, "
            f"{args.concurrency} client threads: {res.ok} tickets in {res.elapsed:.1f}s, errors {res.errors}"
        )
        for e in res.error_samples:
            print(f"  error sample: {e}")
        print(
            f"tickets/s: {hrate:.1f}  requests/s: {hrate * 7:.1f}  per ticket p50 {ms(pct(res.latencies, 50))} ms"
        )
        print(f"CPU busy (machine-wide, incl. server start): {hbusy:.0%}")
        print("request p50 ms per step: " + "  ".join(f"{k} {ms(pct(h['steps'][k], 50))}" for k in STEPS))
        figures.update(
            http_tickets_per_s=f"{hrate:.1f}",
            http_requests_per_s=f"{hrate * 7:.1f}",
            http_errors=res.errors,
            workers=args.workers,
            concurrency=args.concurrency,
        )
    summary("lifecycle", **figures)


if __name__ == "__main__":
    main()
