"""`hotline run`: serve the web app and run background and periodic jobs, in one command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Hotline on 127.0.0.1 (gunicorn) together with the job runner (huey), until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "8")))
        parser.add_argument(
            "--no-jobs", action="store_true", help="web only (jobs run elsewhere, e.g. workers on Redis)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hotline.settings",
            "HOTLINE_DATA_DIR": str(settings.DATA_DIR),
        }
        web = [
            sys.executable, "-m", "gunicorn", "hotline.wsgi:application",
            "--bind", f"{opts['host']}:{opts['port']}",
            "--workers", str(opts["workers"]), "--threads", str(opts["threads"]), "--worker-class", "gthread",
            "--access-logfile", "-", "--graceful-timeout", "10", "--timeout", "60",
        ]  # fmt: skip
        procs: dict[str, subprocess.Popen[bytes]] = {"web": subprocess.Popen(web, env=env)}  # noqa: S603
        if not opts["no_jobs"]:
            jobs = [sys.executable, "-m", "hotline", "run_huey", "--quiet"]
            procs["jobs"] = subprocess.Popen(jobs, env=env)  # noqa: S603
        where = f"http://{opts['host']}:{opts['port']}"
        queue = "Redis" if settings.REDIS_URL else "SQLite"
        self.stdout.write(f"Hotline 已启动：{where}  （任务队列：{queue}；Ctrl+C 停止）")

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
                    self.stderr.write(f"{name} 进程退出（{rc}），停止全部服务。")
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
        sys.exit(code)
