"""Login throttling: failures per username and per client address lock sign-in for a while."""

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, address: str) -> list[str]:
    return [f"login-fail:u:{username.lower()}", f"login-fail:a:{address}"]


def login_locked_seconds(*, username: str, address: str) -> int:
    """Seconds left on a lock-out for this username or address, 0 if sign-in may be tried."""
    for key in _keys(username, address):
        count = cache.get(key, 0)
        if count >= settings.LOGIN_MAX_FAILURES:
            ttl = cache.ttl(key) if hasattr(cache, "ttl") else None
            return int(ttl) if ttl else settings.LOGIN_LOCKOUT_SECONDS
    return 0


def login_failed(*, username: str, address: str) -> None:
    """Count one failed attempt."""
    for key in _keys(username, address):
        if cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


def login_succeeded(*, username: str, address: str) -> None:
    """Forget failures for this username (the address counter stays, against spraying)."""
    cache.delete(_keys(username, address)[0])
