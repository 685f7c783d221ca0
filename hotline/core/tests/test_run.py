"""`hotline run`'s process tree: the stdlib supervisor, gunicorn with --preload and the job runner.

These start real processes (no Django test database): the supervisor on toy children, then the whole
`hotline run` on a throwaway SQLite file, as the quick start does.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from hotline.core.supervise import supervise

PY = sys.executable


def _sleeper(seconds: int = 60) -> list[str]:
    return [PY, "-c", f"import time; time.sleep({seconds})"]


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); ask ps for its state.
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True).stdout
    return bool(state.strip()) and not state.strip().startswith("Z")


def test_supervisor_stops_everything_when_one_child_exits():
    started = time.monotonic()
    code = supervise({"long": _sleeper(), "short": [PY, "-c", "import sys; sys.exit(3)"]})
    assert code == 3  # the failing child's code is the supervisor's
    assert time.monotonic() - started < 20  # the sleeper was stopped, not waited for


def test_supervisor_reports_failure_when_a_child_exits_cleanly():
    # A web server or job runner that ends on its own is a failure of the whole service.
    assert supervise({"long": _sleeper(), "done": [PY, "-c", "pass"]}) == 1


def test_a_restartable_child_is_started_again_and_does_not_stop_the_service(tmp_path: Path, monkeypatch):
    import hotline.core.supervise as sup

    monkeypatch.setattr(sup, "RESTART_PAUSE_S", 0.2)
    runs = tmp_path / "runs"
    helper = [PY, "-c", f"open({str(runs)!r}, 'a').write('x')"]  # exits at once, leaving a mark
    service = [PY, "-c", "import time, sys; time.sleep(4); sys.exit(7)"]  # ends the test with its own code
    code = supervise({"service": service, "floor": helper}, frozenset({"floor"}))
    assert code == 7  # the service's exit still stops everything, with its code
    # The helper was started again, several times, without stopping the rest.
    assert len(runs.read_text()) >= 3


def test_sigterm_stops_both_children_and_exits_cleanly():
    env = {**os.environ, "HOTLINE_SUPERVISE": json.dumps({"a": _sleeper(), "b": _sleeper()})}
    proc = subprocess.Popen([PY, "-m", "hotline.core.supervise"], env=env)
    try:
        deadline = time.monotonic() + 10
        kids: list[int] = []
        while time.monotonic() < deadline and len(kids) < 2:
            time.sleep(0.1)
            kids = _children(proc.pid)
        assert len(kids) == 2
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert not any(_alive(k) for k in kids)
    finally:
        if proc.poll() is None:
            proc.kill()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthz(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:  # noqa: S310
            return json.loads(resp.read())
    except OSError:
        return None


@pytest.mark.parametrize("floor", [False, True], ids=["plain", "with-floor"])
def test_hotline_run_serves_and_stops_cleanly(tmp_path: Path, floor: bool):
    """The quick start's server: migrate a fresh SQLite file, `hotline run [--floor]`, /healthz, SIGTERM.

    With --floor on a database without hotlines the demo floor exits at once (nothing to simulate): the
    supervisor restarts it and the web server keeps serving."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env |= {
        "HOTLINE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "hotline.settings",
    }
    subprocess.run([PY, "-m", "hotline", "migrate", "-v", "0"], env=env, check=True, timeout=170)
    port = _free_port()
    log = (tmp_path / "run.log").open("w")
    argv = [PY, "-m", "hotline", "run", "--port", str(port)] + (["--floor"] if floor else [])
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        body = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and body is None:
            time.sleep(0.5)
            assert proc.poll() is None, (tmp_path / "run.log").read_text()
            body = _healthz(port)
        assert body is not None, (tmp_path / "run.log").read_text()
        assert body["checks"]["database"] == {"status": "ok", "vendor": "sqlite"}
        if floor:
            while time.monotonic() < deadline and "floor 进程退出" not in (tmp_path / "run.log").read_text():
                time.sleep(0.5)
            assert "秒后重启" in (tmp_path / "run.log").read_text()
            assert proc.poll() is None and _healthz(port) is not None  # the web server is still there
        # `hotline run` replaced itself with the supervisor: its children are gunicorn and the jobs
        # (and the floor, unless it is waiting to be restarted).
        kids = _children(proc.pid)
        assert len(kids) == 2 if not floor else len(kids) in (2, 3)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=40) == 0
        assert not any(_alive(k) for k in kids)
        assert "Hotline 已启动" in (tmp_path / "run.log").read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
