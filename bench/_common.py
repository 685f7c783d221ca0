"""Shared helpers for the benchmark scripts: databases, a live `hotline run`, a bounded HTTP client.

Not a test module and not part of the product. Everything here talks to 127.0.0.1 only.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_HOST = os.environ.get("BENCH_PG_HOST", "127.0.0.1")
PG_PORT = os.environ.get("BENCH_PG_PORT", "5432")
PG_USER = os.environ.get("BENCH_PG_USER", "postgres")
DEMO_PASSWORD = "Hotline@2026"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {msg}", file=sys.stderr, flush=True)


# --- PostgreSQL -----------------------------------------------------------------------------------


def pg_url(dbname: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}"


def _admin_conn() -> Any:
    import psycopg

    return psycopg.connect(f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname=postgres", autocommit=True)


def pg_exists(dbname: str) -> bool:
    with _admin_conn() as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone() is not None


def pg_recreate(dbname: str) -> None:
    if not dbname.startswith("hotline_bench"):
        raise SystemExit(f"refusing to drop {dbname!r}: benchmark databases are named hotline_bench*")
    with _admin_conn() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')


def hotline(args: list[str], env: dict[str, str], timeout: float = 600) -> None:
    """Run a `hotline` management command in a child process (bounded in time)."""
    subprocess.run([PY, "-m", "hotline", *args], env=env, check=True, timeout=timeout, cwd=ROOT)  # noqa: S603


def bench_env(database_url: str, data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HOTLINE_DATA_DIR", "DEBUG")}
    env.update(
        DATABASE_URL=database_url,
        HOTLINE_DATA_DIR=data_dir,
        DJANGO_SETTINGS_MODULE="hotline.settings",
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
    )
    return env


def prepare_demo_db(dbname: str, *, reuse: bool, demo_tickets: int, data_dir: str) -> str:
    """A PostgreSQL database migrated and loaded with the demo city; reused if asked and present."""
    url = pg_url(dbname)
    env = bench_env(url, data_dir)
    if reuse and pg_exists(dbname):
        log(f"reusing database {dbname}")
        hotline(["migrate", "-v0"], env)
        return url
    log(f"creating database {dbname}: migrate + demo --tickets {demo_tickets}")
    pg_recreate(dbname)
    hotline(["migrate", "-v0"], env)
    subprocess.run(  # noqa: S603
        [PY, "-m", "hotline", "demo", "--tickets", str(demo_tickets)],
        env=env,
        check=True,
        timeout=600,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    return url


# --- A live `hotline run` -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    port: int
    proc: subprocess.Popen[bytes]
    log_path: Path
    exit_code: int | None = None
    leftover: int = 0  # processes of its group still alive after a clean stop (should be 0)

    @property
    def pids(self) -> list[int]:
        return process_tree(self.proc.pid)


@contextmanager
def hotline_server(
    env: dict[str, str], *, workers: int, threads: int, jobs: bool = True, startup_timeout: float = 60
) -> Iterator[Server]:
    """Start `hotline run` on a free 127.0.0.1 port; always stop it (SIGTERM, then SIGKILL its group)."""
    port = free_port()
    log_path = Path(tempfile.mkstemp(prefix="hotline-bench-server-", suffix=".log")[1])
    args = [
        PY,
        "-m",
        "hotline",
        "run",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
    ]
    if not jobs:
        args.append("--no-jobs")
    with open(log_path, "wb") as out:
        # Own process group, so stopping it can never touch anything we did not start.
        proc = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )  # noqa: S603
    server = Server(port, proc, log_path)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"hotline run exited early ({proc.returncode}); see {log_path}")
            try:
                status, _ = request(port, "GET", "/healthz", timeout=2)
                if status in (200, 503):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"hotline run did not answer /healthz in {startup_timeout}s; see {log_path}"
                )
            time.sleep(0.3)
        log(f"hotline run up on 127.0.0.1:{port} (workers={workers}, threads={threads}, jobs={jobs})")
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=25)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        server.exit_code = proc.returncode
        time.sleep(0.2)
        server.leftover = len(group_members(proc.pid))
        if server.leftover:
            # Anything of ours still alive in its group (there should be nothing) goes too.
            os.killpg(proc.pid, signal.SIGKILL)
        log(f"hotline run stopped (exit {proc.returncode}, {server.leftover} leftover processes)")


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes whose process group is `pgid`."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            out.append(int(entry))
    return out


def process_tree(root: int) -> list[int]:
    """The pid and all descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


# --- HTTP -----------------------------------------------------------------------------------------


def request(
    port: int,
    method: str,
    path: str,
    body: Any = None,
    token: str = "",
    conn: http.client.HTTPConnection | None = None,
    timeout: float = 30,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """One request; reuses `conn` (keep-alive) when given. Returns (status, parsed JSON or text)."""
    own = conn is None
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    hdrs = {"Accept": "application/json", **(headers or {})}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    if token:
        hdrs["Authorization"] = f"Bearer {token}"
    try:
        c.request(method, path, body=data, headers=hdrs)
        resp = c.getresponse()
        raw = resp.read()
    finally:
        if own:
            c.close()
    ctype = resp.getheader("Content-Type", "")
    payload: Any = json.loads(raw) if raw and "json" in ctype else raw.decode(errors="replace")
    return resp.status, payload


def token_for(port: int, username: str) -> str:
    status, body = request(
        port, "POST", "/api/v1/auth/token", {"username": username, "password": DEMO_PASSWORD}
    )
    if status != 200:
        raise RuntimeError(f"token for {username}: HTTP {status} {body}")
    return str(body["token"])


class KeepAlive:
    """A per-thread keep-alive connection that reconnects once if the server closed it."""

    def __init__(self, port: int, timeout: float = 30):
        self.port, self.timeout = port, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def call(
        self, method: str, path: str, body: Any = None, token: str = "", headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        for attempt in (1, 2):
            try:
                return request(self.port, method, path, body, token, conn=self.conn, headers=headers)
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


@dataclass
class LoadResult:
    ok: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    error_samples: list[str] = field(default_factory=list)


def run_load(
    worker: Callable[[KeepAlive, int], tuple[bool, float, str]],
    *,
    port: int,
    concurrency: int,
    duration: float,
    max_items: int,
) -> LoadResult:
    """Run `worker(conn, i)` from `concurrency` threads until `duration` seconds or `max_items` items.

    `worker` returns (ok, seconds, error text). Bounded both in count and in time.
    """
    res = LoadResult()
    lock = threading.Lock()
    counter = iter(range(max_items))
    stop_at = time.monotonic() + duration

    def loop() -> None:
        conn = KeepAlive(port)
        try:
            while time.monotonic() < stop_at:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                try:
                    ok, secs, err = worker(conn, i)
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    ok, secs, err = False, 0.0, repr(exc)
                with lock:
                    if ok:
                        res.ok += 1
                        res.latencies.append(secs)
                    else:
                        res.errors += 1
                        if len(res.error_samples) < 5:
                            res.error_samples.append(err[:300])
        finally:
            conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=loop, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + 120)
    res.elapsed = time.monotonic() - started
    return res


# --- Figures --------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of values; NaN when empty."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs, from /proc/stat; diff two readings for utilisation."""
    with open("/proc/stat") as f:
        parts = [int(x) for x in f.readline().split()[1:]]
    idle = parts[3] + parts[4]  # idle + iowait
    return sum(parts) - idle, sum(parts)


def cpu_busy_since(start: tuple[int, int]) -> float:
    """Share of all CPUs busy (0..1) since `start`, machine-wide (includes other users' work)."""
    busy, total = cpu_times()
    return (busy - start[0]) / max(1, total - start[1])


def proc_cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each live pid, from /proc/<pid>/stat."""
    tck = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / tck
    return out


def pg_backend_pids(dbname: str) -> list[int]:
    """Server processes of PostgreSQL connected to `dbname` (same machine, so their /proc is readable)."""
    with _admin_conn() as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [dbname]).fetchall()
    return [int(r[0]) for r in rows]


class CpuMeter:
    """CPU seconds spent by the server tree, its PostgreSQL backends and this client between start and stop."""

    def __init__(self, server_root: int, dbname: str):
        self.root, self.db = server_root, dbname

    def start(self) -> None:
        self.srv0 = proc_cpu(process_tree(self.root))
        self.pg0 = proc_cpu(pg_backend_pids(self.db))
        self.me0 = sum(os.times()[:2])
        self.sys0 = cpu_times()

    def stop(self) -> dict[str, float]:
        srv1 = proc_cpu(process_tree(self.root))
        pg1 = proc_cpu(pg_backend_pids(self.db))
        me1 = sum(os.times()[:2])
        # Backends or workers that appeared during the run count from zero.
        srv = sum(v - self.srv0.get(k, 0.0) for k, v in srv1.items())
        pg = sum(v - self.pg0.get(k, 0.0) for k, v in pg1.items())
        return {
            "server": srv,
            "postgres": pg,
            "client": me1 - self.me0,
            "machine_busy": cpu_busy_since(self.sys0),
        }


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return "/".join(f.read().split()[:3])


def machine() -> str:
    return f"cpus={os.cpu_count()}"


def summary(name: str, **figures: object) -> None:
    """The one final line each script prints: `SUMMARY name k=v k=v ...`."""
    print("SUMMARY " + name + " " + " ".join(f"{k}={v}" for k, v in figures.items()), flush=True)
