"""Test-wide fixtures: jobs run inline, a tidy media folder."""

import pytest


@pytest.fixture(autouse=True)
def _jobs_inline(settings, tmp_path):
    """Background jobs run immediately in tests; uploads go to a temporary folder."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield


@pytest.fixture(autouse=True)
def _fresh_reference_caches():
    """Per-process caches of rows (calendar, policies, departments, tokens) outlive a test's rollback."""
    from django.core.cache import cache

    from hotline.core.refcache import forget_all

    forget_all()
    cache.clear()  # the test cache is per process (locmem): a rolled-back test leaves entries behind
    yield


# --- Browser tests (Playwright in Debian's headless Chromium) --------------------------------------


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session; tests marked `browser` use it via `page`."""
    import os

    from hotline.browser import chromium_path, launch

    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Debian's chromium for the browser tests")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
    # body are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with launch() as b:
        yield b


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context at desk size (1366×768), Chinese locale, bound to the live server."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(10_000)
    pg = context.new_page()
    pg.base_url = live_server.url
    yield pg
    context.close()


def login(page, username: str, password: str) -> None:
    """Sign in through the login form."""
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot to the screenshots folder (see README) for people to look at."""
    from hotline.browser import SCREENSHOT_DIR

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)
