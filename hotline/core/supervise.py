"""Keep the web server and the job runner running together; stop both when either stops.

Standard library only: `hotline run` works out the commands with Django's settings, then replaces
itself with this small process (about 10 MB instead of a whole Django process doing nothing).

    python -m hotline.core.supervise   # with HOTLINE_SUPERVISE='{"web": [...], "jobs": [...]}'

Children named in HOTLINE_SUPERVISE_RESTART (a JSON list; the demo call floor) are helpers, not the
service: when one exits it is started again after a pause instead of stopping everything.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

RESTART_PAUSE_S = 5.0


def supervise(commands: dict[str, list[str]], restart: frozenset[str] = frozenset()) -> int:
    procs = {name: subprocess.Popen(argv) for name, argv in commands.items()}  # noqa: S603
    restart_at: dict[str, float] = {}
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while not stopping:
        now = time.monotonic()
        for name, proc in list(procs.items()):
            rc = proc.poll()
            if rc is None:
                continue
            if name not in restart:
                print(f"{name} 进程退出（{rc}），停止全部服务。", file=sys.stderr, flush=True)
                code = rc or 1
                stopping = True
            elif name not in restart_at:
                print(f"{name} 进程退出（{rc}），{RESTART_PAUSE_S:g} 秒后重启。", file=sys.stderr, flush=True)
                restart_at[name] = now + RESTART_PAUSE_S
            elif now >= restart_at[name]:
                del restart_at[name]
                procs[name] = subprocess.Popen(commands[name])  # noqa: S603
        time.sleep(0.5)
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for proc in procs.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
    return code


if __name__ == "__main__":
    restartable = frozenset(json.loads(os.environ.pop("HOTLINE_SUPERVISE_RESTART", "[]")))
    sys.exit(supervise(json.loads(os.environ.pop("HOTLINE_SUPERVISE")), restartable))
