"""Resident memory of a running Hotline (web + jobs) on SQLite, under light use.

    python bench/memory.py [--workers 2 --threads 8 --duration 20]

Migrates and loads the demo into a fresh temporary SQLite data dir, starts `hotline run` (gunicorn
web + huey job runner), exercises it for --duration seconds (healthz, OpenAPI schema, token, list,
detail, a few creates) and samples the memory of the whole process tree twice a second from /proc:
RSS summed over the processes (counts shared pages once per process, so it overstates) and PSS
(shared pages split between processes; the honest total). Then stops it with SIGTERM and checks
that every process exited. Target: total < 400 MB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import threading
import time

from _common import (
    PY,
    ROOT,
    KeepAlive,
    hotline_server,
    log,
    machine,
    process_tree,
    request,
    summary,
    token_for,
)

TARGET_MB = 400.0


def _mem_kb(pid: int) -> tuple[int, int, str]:
    """(RSS kB, PSS kB, short command) of one process; zeros if it is gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return 0, 0, ""
    return rss, pss, cmd


def _label(cmd: str) -> str:
    if "gunicorn" in cmd:
        return "gunicorn"
    if "run_huey" in cmd or "run_jobs" in cmd:
        return "huey (jobs)"
    if "hotline run" in cmd or "hotline.core.supervise" in cmd:
        return "hotline run (supervisor)"
    return cmd[:40]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--demo-tickets", type=int, default=300)
    ap.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    args = ap.parse_args()

    data_dir = tempfile.mkdtemp(prefix="hotline-bench-mem-")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    env.update(HOTLINE_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="hotline.settings", LOG_LEVEL="WARNING")
    try:
        log(f"SQLite in {data_dir}: migrate + demo --tickets {args.demo_tickets}")
        subprocess.run([PY, "-m", "hotline", "migrate", "-v0"], env=env, check=True, timeout=300, cwd=ROOT)  # noqa: S603
        subprocess.run(  # noqa: S603
            [PY, "-m", "hotline", "demo", "--tickets", str(args.demo_tickets)],
            env=env,
            check=True,
            timeout=600,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        samples: list[tuple[int, int, dict[str, tuple[int, int, int]]]] = []
        counts = {"requests": 0, "errors": 0, "creates": 0}
        with hotline_server(env, workers=args.workers, threads=args.threads) as srv:
            stop = threading.Event()

            def sample() -> None:
                while not stop.is_set():
                    per: dict[str, tuple[int, int, int]] = {}
                    tot_rss = tot_pss = 0
                    for pid in process_tree(srv.proc.pid):
                        rss, pss, cmd = _mem_kb(pid)
                        tot_rss += rss
                        tot_pss += pss
                        n, r, p = per.get(_label(cmd), (0, 0, 0))
                        per[_label(cmd)] = (n + 1, r + rss, p + pss)
                    samples.append((tot_rss, tot_pss, per))
                    stop.wait(0.5)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            token = token_for(srv.port, "agent")
            dept_token = token_for(srv.port, "dcq")
            conn = KeepAlive(srv.port)
            deadline = time.monotonic() + args.duration
            i = 0
            while time.monotonic() < deadline:
                calls: list[tuple[str, str, object, str]] = [
                    ("GET", "/healthz", None, ""),
                    ("GET", "/api/v1/tickets?page_size=50", None, token),
                    ("GET", "/api/v1/tickets?status=dispatched", None, dept_token),
                    ("GET", "/api/v1/categories", None, token),
                ]
                if i % 10 == 0:
                    calls.append(("GET", "/api/v1/schema", None, ""))
                if i % 3 == 0:
                    calls.append(
                        (
                            "POST",
                            "/api/v1/tickets",
                            {
                                "title": "路灯不亮",
                                "content": f"幸福路{i}号附近路灯连续多晚不亮，请安排维修。",
                                "type": "complaint",
                                "district": "DCQ",
                                "citizen": {"name": "王伟", "phone": "13900000000"},
                                "submit": True,
                            },
                            token,
                        )
                    )
                for method, path, body, tok in calls:
                    code, resp = conn.call(method, path, body, tok)
                    counts["requests"] += 1
                    if code >= 400:
                        counts["errors"] += 1
                    if method == "GET" and path.startswith("/api/v1/tickets?page_size") and code == 200:
                        for row in resp["results"][:3]:
                            c2, _ = conn.call("GET", f"/api/v1/tickets/{row['number']}", None, token)
                            counts["requests"] += 1
                            counts["errors"] += c2 >= 400
                    if method == "POST" and code == 201:
                        counts["creates"] += 1
                i += 1
                time.sleep(0.05)
            conn.close()
            _ = request(srv.port, "GET", "/healthz")
            stop.set()
            sampler.join(timeout=5)
        final_rss, final_pss, final_per = samples[-1]
        peak_rss = max(s[0] for s in samples)
        peak_pss = max(s[1] for s in samples)
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)

    mb = 1024.0
    print(
        f"machine: {machine()}  server: hotline run --workers {args.workers} --threads {args.threads} (SQLite, huey on SQLite)"
    )
    print(
        f"exercised {args.duration:.0f}s: {counts['requests']} requests ({counts['errors']} errors), {counts['creates']} creates"
    )
    print(f"{'process':<28}{'count':>6}{'RSS MB':>9}{'PSS MB':>9}   (last sample)")
    for label, (n, rss, pss) in sorted(final_per.items()):
        print(f"{label:<28}{n:>6}{rss / mb:>9.1f}{pss / mb:>9.1f}")
    print(
        f"total: RSS {final_rss / mb:.1f} MB (peak {peak_rss / mb:.1f}), PSS {final_pss / mb:.1f} MB (peak {peak_pss / mb:.1f})"
    )
    print(
        f"target < {TARGET_MB:.0f} MB of PSS (each shared page counted once; the RSS sum counts the pages"
        f" gunicorn's workers share with the preloaded master once per process); stopped with exit"
        f" {srv.exit_code}, leftover processes {srv.leftover}"
    )
    summary(
        "memory",
        rss_mb=f"{final_rss / mb:.1f}",
        peak_rss_mb=f"{peak_rss / mb:.1f}",
        pss_mb=f"{final_pss / mb:.1f}",
        peak_pss_mb=f"{peak_pss / mb:.1f}",
        processes=sum(v[0] for v in final_per.values()),
        workers=args.workers,
        requests=counts["requests"],
        errors=counts["errors"],
        clean_stop=srv.exit_code == 0 and srv.leftover == 0,
        target_met=peak_pss / mb < TARGET_MB,
    )


if __name__ == "__main__":
    main()
