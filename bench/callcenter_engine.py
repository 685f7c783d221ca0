"""ACD engine throughput with every record persisted (batched) to PostgreSQL; routing latency; memory.

    python bench/callcenter_engine.py                    # 300,000 call attempts, fresh DB hotline_bench_cc
    python bench/callcenter_engine.py --calls 100000 --reuse

The demo floor's configuration (163 seats, 10 queues, 8 hotlines, the 12345 and 12348 IVR flows) is
loaded into `hotline_bench_cc`. A discrete-event load (simulated time, run as fast as the CPU allows)
drives the real engine through the simulated adapter: every call goes through the IVR (12345's
English-key pause times out), queues, rings an agent, is answered or abandoned, and answered calls
end with the satisfaction survey. The engine's call records and queue log are handed in batches to
a writer thread that stores them with `records_store` (the service the live runtime uses: bulk
inserts plus callback tasks for missed calls). Throughput = call attempts finished ÷ wall time, as
call attempts per hour; the writer must keep up (its backlog is bounded, so a slow database slows
the engine and shows in the figure).

Routing latency: every `engine.handle()` is timed; "routing decisions" are the calls that return
an offer to an agent. Memory: a separate engine holds 1,000 concurrent calls and 163 signed-in agents;
its own allocations (tracemalloc) and the process RSS are printed.

Bounded: at most --calls call attempts and --max-seconds of wall time.
"""

from __future__ import annotations

import argparse
import os
import queue
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_env, hotline, log, pg_exists, pg_recreate, pg_url  # noqa: E402

TARGET_PER_HOUR = 4_500_000
DB = "hotline_bench_cc"


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def setup(reuse: bool) -> None:
    url = pg_url(DB)
    env = bench_env(url, tempfile.mkdtemp(prefix="hotline-bench-cc-"))
    if not (reuse and pg_exists(DB)):
        log(f"creating database {DB}")
        pg_recreate(DB)
    hotline(["migrate", "-v0"], env)
    os.environ.update(env)
    import django

    django.setup()
    from hotline.callcenter.demo import load_demo

    load_demo(history=False)
    from hotline.callcenter.models import CentreSettings

    # Compressed time makes every abandonment a short one; count them all as missed so that the
    # writer also creates callback tasks (the heavier case).
    CentreSettings.objects.filter(pk=CentreSettings.get().pk).update(short_abandon_s=0)


def throughput(calls: int, max_seconds: float, batch: int) -> dict[str, float]:
    import random

    from hotline.callcenter.engine.simulate import SimParams, Simulator
    from hotline.callcenter.models import CallbackTask, CallRecord, QueueLogEntry
    from hotline.callcenter.selectors import centre_config
    from hotline.callcenter.services import records_store

    CallRecord.objects.all().delete()
    QueueLogEntry.objects.all().delete()
    CallbackTask.objects.all().delete()
    config = centre_config()
    # Simulated time is compressed: 6 calls per simulated second on the 12345 pool (129 agents hold a
    # 12345 skill), 4 s talk + 1 s ringing + the queue's 15 s wrap-up ≈ 20 s per call → about 93 % busy;
    # a queue forms at times and impatient callers (mean 30 s) give up.
    rate = 6.0
    params = SimParams(
        calls_per_hour=rate * 3600, aht_s=4, agents=len(config.agents), patience_s=30, ring_s=1,
        hours=calls / rate / 3600 * 1.001, seed=1, hotline="12345",
    )  # fmt: skip
    sim = Simulator(
        params,
        config,
        keep_log=True,
        digits=lambda call, prompt: random.choice("123") if prompt == "survey" else None,
    )
    engine = sim.engine
    # Time every handle() call: wrap the engine's entry point.
    timings: list[float] = []
    decisions: list[float] = []
    handle = engine.handle

    def timed_handle(event):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        out = handle(event)
        dt = time.perf_counter() - t
        timings.append(dt)
        if any(type(c).__name__ == "Offer" for c in out):
            decisions.append(dt)
        return out

    engine.handle = timed_handle  # type: ignore[method-assign]

    work: queue.Queue[tuple[list, list] | None] = queue.Queue(maxsize=4)
    stored = {"calls": 0, "log": 0, "callbacks": 0, "seconds": 0.0}
    failure: list[BaseException] = []

    def writer() -> None:
        from django.db import connection

        try:
            while True:
                item = work.get()
                if item is None:
                    return
                t = time.perf_counter()
                result = records_store(records=item[0], entries=item[1], batch_size=5000)
                stored["seconds"] += time.perf_counter() - t
                stored["calls"] += result.calls
                stored["log"] += result.log
                stored["callbacks"] += result.callbacks
        except BaseException as exc:  # reported by the main thread
            failure.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    pending: list = []
    deadline = time.perf_counter() + max_seconds
    finished = {"n": 0}

    def on_record(rec) -> None:  # type: ignore[no-untyped-def]
        pending.append(rec)
        finished["n"] += 1
        if len(pending) >= batch:
            _, entries = engine.drain()
            work.put((pending.copy(), entries))
            pending.clear()
            if time.perf_counter() > deadline:
                raise TimeoutError

    sim.on_record = on_record
    log(f"driving {calls} call attempts through the engine (writer thread → PostgreSQL)")
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    timed_out = False
    try:
        result = sim.run()
    except TimeoutError:
        timed_out = True
        result = sim.result
    _, entries = engine.drain()
    work.put((pending.copy(), entries))
    work.put(None)
    thread.join(600)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    if failure:
        raise failure[0]
    in_db = CallRecord.objects.count()
    return {
        "attempts": finished["n"],
        "answered": result.answered,
        "abandoned": result.abandoned,
        "wall_s": wall,
        "cpu_s": cpu,
        "per_hour": finished["n"] / wall * 3600,
        "stored_calls": stored["calls"],
        "in_db": in_db,
        "log_rows": stored["log"],
        "callbacks": stored["callbacks"],
        "writer_s": stored["seconds"],
        "events": len(timings),
        "handle_p50_us": percentile(timings, 0.50) * 1e6,
        "handle_p99_us": percentile(timings, 0.99) * 1e6,
        "route_p50_us": percentile(decisions, 0.50) * 1e6,
        "route_p99_us": percentile(decisions, 0.99) * 1e6,
        "route_max_ms": max(decisions) * 1e3,
        "timed_out": float(timed_out),
        "anomalies": engine.anomaly_count,
        "errors": engine.errors,
    }


def memory_child(path: str) -> None:
    """In a fresh interpreter without Django: load the configuration, hold 1,000 calls and 163 agents."""
    import json
    import pickle

    from hotline.callcenter.engine import Engine
    from hotline.callcenter.engine import events as ev
    from hotline.callcenter.engine.commands import Offer

    with open(path, "rb") as f:
        config, extra = pickle.load(f)  # noqa: S301 - our own file, written by the parent a moment ago
    before_rss = rss_mb()
    tracemalloc.start()
    engine = Engine(config)
    t = 1_000.0
    for a in config.agents:
        engine.handle(ev.AgentSignedIn(t, a.agent_id, ready=True))
    for code, skills in extra:  # seats whose people take no queue calls still sign in
        engine.handle(ev.AgentSignedIn(t, code, skills=skills))
    hotlines = [h.number for h in config.hotlines if h.number != "12348"]
    for i in range(1000):
        t += 0.01
        cid = f"M{i}"
        out = engine.handle(ev.CallArrived(t, cid, hotlines[i % len(hotlines)], f"138{i:08d}"))
        if engine.call_state(cid) == "ivr":
            out += engine.handle(ev.DigitsCollected(t, cid, ""))
        for cmd in out:
            if isinstance(cmd, Offer):
                engine.handle(ev.CallAnswered(t, cmd.call_id, cmd.agent_id))
    records, entries = engine.drain()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    states: dict[str, int] = {}
    for call in engine.calls.values():
        states[call.state.value] = states.get(call.state.value, 0) + 1
    print(json.dumps({
        "calls": len(engine.calls), "agents": len(engine.agents), "talking": states.get("talking", 0),
        "queued": states.get("queued", 0), "engine_mb": current / 2**20, "engine_peak_mb": peak / 2**20,
        "rss_before_mb": before_rss, "rss_mb": rss_mb(), "log_rows": len(entries),
    }))  # fmt: skip


def memory() -> dict[str, float]:
    import json
    import pickle
    import subprocess

    from hotline.callcenter.models import Seat
    from hotline.callcenter.selectors import centre_config

    config = centre_config()
    taken = {a.agent_id for a in config.agents}
    seats = Seat.objects.order_by("code").values_list("code", flat=True)
    extra = [(f"X{code}", ()) for code in seats][: max(0, 163 - len(taken))]
    with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as f:
        pickle.dump((config, extra), f)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--memory-child", f.name], capture_output=True, text=True, timeout=300,
        env=env, check=True,
    )  # fmt: skip
    os.unlink(f.name)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=300_000)
    ap.add_argument("--batch", type=int, default=5000, help="records per batch handed to the writer")
    ap.add_argument("--max-seconds", type=float, default=600)
    ap.add_argument("--reuse", action="store_true", help="keep the database if it exists")
    ap.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    if not 1000 <= args.calls <= 5_000_000:
        raise SystemExit("--calls must be between 1,000 and 5,000,000")
    setup(args.reuse)
    load = os.getloadavg()
    r = throughput(args.calls, args.max_seconds, args.batch)
    m = memory()
    print(f"machine: {os.cpu_count()} cores, load average before {load[0]:.2f}")
    print(f"call attempts: {r['attempts']:,} ({r['answered']:,} answered, {r['abandoned']:,} abandoned)"
          f"{' — stopped at --max-seconds' if r['timed_out'] else ''}")  # fmt: skip
    print(f"wall {r['wall_s']:.1f} s, main-thread CPU {r['cpu_s']:.1f} s; writer busy {r['writer_s']:.1f} s")
    print(f"throughput: {r['per_hour']:,.0f} call attempts/hour (target ≥ {TARGET_PER_HOUR:,})")
    print(f"stored: {r['in_db']:,} call records in PostgreSQL, {r['log_rows']:,} queue-log rows, "
          f"{r['callbacks']:,} callback tasks")  # fmt: skip
    print(
        f"engine.handle(): {r['events']:,} events, p50 {r['handle_p50_us']:.0f} µs, p99 {r['handle_p99_us']:.0f} µs"
    )
    print(f"routing decisions (handle → offer): p50 {r['route_p50_us']:.0f} µs, p99 {r['route_p99_us']:.0f} µs,"
          f" max {r['route_max_ms']:.1f} ms (target p99 < 5 ms)")  # fmt: skip
    print(f"anomalies {r['anomalies']}, engine errors {r['errors']}")
    print(f"memory: {m['calls']} concurrent calls ({m['talking']} talking, {m['queued']} queued), "
          f"{m['agents']} agents: engine objects {m['engine_mb']:.1f} MB (peak {m['engine_peak_mb']:.1f}), "
          f"engine process RSS {m['rss_mb']:.0f} MB (interpreter alone {m['rss_before_mb']:.0f} MB; "
          f"target < 200 MB)")  # fmt: skip
    print(
        f"SUMMARY callcenter_engine attempts_per_hour={r['per_hour']:.0f} route_p99_ms={r['route_p99_us'] / 1000:.3f} "
        f"stored={r['in_db']} engine_mb={m['engine_mb']:.1f} rss_mb={m['rss_mb']:.0f} load={load[0]:.2f}"
    )
    if r["in_db"] != r["attempts"]:
        raise SystemExit(f"records lost: {r['attempts']} finished, {r['in_db']} stored")


if __name__ == "__main__":
    main()
