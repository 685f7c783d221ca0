"""Playwright helpers for the browser tests (headless Debian Chromium, no browser download)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIR = Path(os.environ.get("HOTLINE_SCREENSHOTS", Path.cwd() / "screenshots"))


def chromium_path() -> str | None:
    """Debian's Chromium (package `chromium`), or None if it is not installed."""
    for candidate in (
        os.environ.get("CHROMIUM_PATH", ""),
        "/usr/bin/chromium",
        shutil.which("chromium") or "",
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@contextmanager
def launch() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("未找到 Chromium：请安装 Debian 软件包 chromium（apt-get install chromium）")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
