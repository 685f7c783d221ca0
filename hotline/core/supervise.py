"""Keep the web server and the job runner running together; stop both when either stops.

Standard library only: `hotline run` works out the commands with Django's settings, then replaces
itself with this small process (about 10 MB instead of a whole Django process doing nothing).

    python -m hotline.core.supervise   # with HOTLINE_SUPERVISE='{"web": [...], "jobs": [...]}'
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time


def supervise(commands: dict[str, list[str]]) -> int:
    procs = {name: subprocess.Popen(argv) for name, argv in commands.items()}  # noqa: S603
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while not stopping:
        for name, proc in procs.items():
            rc = proc.poll()
            if rc is not None:
                print(f"{name} 进程退出（{rc}），停止全部服务。", file=sys.stderr, flush=True)
                code = rc or 1
                stopping = True
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
    sys.exit(supervise(json.loads(os.environ.pop("HOTLINE_SUPERVISE"))))
