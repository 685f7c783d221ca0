"""Reference data cached per process, dropped on change here and within seconds in other processes.

Admin-edited tables that every request reads (the working-day calendar, deadline policies) are
loaded once and kept. A change bumps a version number in the shared Django cache; another process
notices it within `VERSION_CHECK_SECONDS` (it reads the shared number at most that often, not on
every read: on the file cache each read is a file open), and in any case reloads after `max_age`
seconds. The process that made the change sees it at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache

T = TypeVar("T")

# How often a process reads a cache's shared version number (a ticket action reads several caches).
VERSION_CHECK_SECONDS = 1.0

# Every per-process cache of database rows, so tests (whose rollbacks send no signals) can forget them.
_forgetters: list[Callable[[], None]] = []


def on_forget_all(forget: Callable[[], None]) -> None:
    _forgetters.append(forget)


def forget_all() -> None:
    """Drop every per-process cache in this process (tests call this between tests)."""
    for forget in _forgetters:
        forget()


class RefCache(Generic[T]):
    def __init__(self, name: str, load: Callable[[], T], *, max_age: float = 30.0) -> None:
        self._key = f"hotline:{name}-version"
        self._load = load
        self._max_age = max_age
        self._lock = threading.Lock()
        # (loaded at, shared version it was loaded under, value, version last read at)
        self._held: tuple[float, int, T, float] | None = None
        on_forget_all(self.forget)

    def forget(self) -> None:
        with self._lock:
            self._held = None

    def get(self) -> T:
        now = time.monotonic()
        with self._lock:
            held = self._held
        if held is not None and now - held[0] < self._max_age:
            if now - held[3] < VERSION_CHECK_SECONDS:
                return held[2]
            version = cache.get(self._key, 0)
            if version == held[1]:
                with self._lock:
                    if self._held is held:
                        self._held = (held[0], version, held[2], now)
                return held[2]
        else:
            version = cache.get(self._key, 0)
        value = self._load()
        with self._lock:
            self._held = (now, version, value, now)
        return value

    def invalidate(self) -> None:
        """Forget the value here and tell other processes (through the shared cache)."""
        self.forget()
        try:
            cache.incr(self._key)
        except ValueError:
            cache.set(self._key, 1, None)
