"""`hotline run`: serve the web app and run background and periodic jobs, in one command."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Hotline on 127.0.0.1 (gunicorn) together with the job runner (huey), until stopped."
    # This process only supervises gunicorn and the job runner: no system checks (they import every
    # view and the search libraries into a process that never serves a page).
    requires_system_checks: list[str] = []  # type: ignore[assignment]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "8")))
        parser.add_argument(
            "--no-jobs", action="store_true", help="web only (jobs run elsewhere, e.g. workers on Redis)"
        )
        parser.add_argument(
            "--floor",
            action="store_true",
            help="also run the demo call floor (simulated callers and agents on the wallboard); demo only",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hotline.settings",
            "HOTLINE_DATA_DIR": str(settings.DATA_DIR),
            "HOTLINE_PRELOAD": "1",
        }
        web = [
            sys.executable, "-m", "gunicorn", "hotline.wsgi:application",
            "--bind", f"{opts['host']}:{opts['port']}",
            "--workers", str(opts["workers"]), "--threads", str(opts["threads"]), "--worker-class", "gthread",
            "--access-logfile", "-", "--graceful-timeout", "10", "--timeout", "60", "--preload",
        ]  # fmt: skip
        commands = {"web": web}
        if not opts["no_jobs"]:
            commands["jobs"] = [sys.executable, "-m", "hotline", "run_jobs", "--quiet"]
        restart = []
        if opts["floor"]:
            # The simulated floor runs a day at a time and is started again when it ends; it is a demo
            # helper, so its exit never stops the web server.
            commands["floor"] = [sys.executable, "-m", "hotline", "callcenter", "floor", "--minutes", "1440"]
            restart.append("floor")
        where = f"http://{opts['host']}:{opts['port']}"
        queue = "Redis" if settings.REDIS_URL else "SQLite"
        floor = "；演示话务现场运行中" if opts["floor"] else ""
        self.stdout.write(f"Hotline 已启动：{where}  （任务队列：{queue}{floor}；Ctrl+C 停止）")
        self.stdout.flush()
        # Replace this Django process with a small supervisor (core.supervise) that starts both.
        os.execve(  # noqa: S606 - argv list, no shell
            sys.executable,
            [sys.executable, "-m", "hotline.core.supervise"],
            {
                **env,
                "HOTLINE_SUPERVISE": json.dumps(commands),
                "HOTLINE_SUPERVISE_RESTART": json.dumps(restart),
            },
        )
