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
def _fresh_calendar_cache():
    from hotline.core.calendar import calendar_invalidate

    calendar_invalidate()
    yield
