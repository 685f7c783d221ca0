"""Reference data cached per process, dropped on change here and within seconds in other processes.

Admin-edited tables that every request reads (the working-day calendar, deadline policies) are
loaded once and kept. A change bumps a version number in the shared Django cache; another process
notices it on its next read, and in any case reloads after `max_age` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache

T = TypeVar("T")

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
        self._held: tuple[float, int, T] | None = None
        on_forget_all(self.forget)

    def forget(self) -> None:
        with self._lock:
            self._held = None

    def get(self) -> T:
        version = cache.get(self._key, 0)
        now = time.monotonic()
        with self._lock:
            held = self._held
        if held is not None and held[1] == version and now - held[0] < self._max_age:
            return held[2]
        value = self._load()
        with self._lock:
            self._held = (now, version, value)
        return value

    def invalidate(self) -> None:
        """Forget the value here and tell other processes (through the shared cache)."""
        self.forget()
        try:
            cache.incr(self._key)
        except ValueError:
            cache.set(self._key, 1, None)
