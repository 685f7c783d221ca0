"""A settable clock for generating history (demo data, simulations): services read `timezone.now()`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock


class Clock:
    """A clock that stands still until moved."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> datetime:
        self.current += delta
        return self.current


@contextmanager
def clock_at(start: datetime) -> Iterator[Clock]:
    """Within the block, `django.utils.timezone.now()` answers from a movable clock (one thread only)."""
    clock = Clock(start)
    with mock.patch("django.utils.timezone.now", clock):
        yield clock
