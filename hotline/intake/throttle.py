"""Per-address and per-key counters in the cache (shared by all web processes)."""

from __future__ import annotations

from django.core.cache import cache


def throttle_count(key: str) -> int:
    return int(cache.get(f"portal:t:{key}", 0))


def throttle_hit(key: str, window: int) -> int:
    """Count one event in a fixed window; returns the new count."""
    full = f"portal:t:{key}"
    if cache.add(full, 1, window):
        return 1
    try:
        return int(cache.incr(full))
    except ValueError:
        cache.set(full, 1, window)
        return 1
