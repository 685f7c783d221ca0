"""Bearer tokens for the API, with the tokens seen recently cached per process.

A busy machine client must not cost a database round trip on every request. The cache is dropped
everywhere at once when a token or a user is saved or deleted (accounts.signals, through the
shared cache's version number; see core.refcache), and in any case every few seconds, so a token
revoked by a bulk update still stops working within TOKEN_CACHE_SECONDS.
"""

from __future__ import annotations

import copy

from django.utils import timezone

from hotline.accounts.models import ApiToken, User
from hotline.core.refcache import RefCache

TOKEN_CACHE_SECONDS = 5.0

recent: RefCache[dict[str, tuple[ApiToken, User]]] = RefCache("api-tokens", dict, max_age=TOKEN_CACHE_SECONDS)


def token_user(raw: str) -> User | None:
    """The active user a raw bearer token belongs to, or None; touches last_used_at once a minute."""
    now = timezone.now()
    seen = recent.get()
    hit = seen.get(raw)
    if hit is None or (hit[0].expires_at and hit[0].expires_at <= now):
        found = ApiToken.lookup(raw)
        if found is None:
            seen.pop(raw, None)
            return None
        hit = (found, found.user)
        seen[raw] = hit
    token, user = hit
    if not token.last_used_at or (now - token.last_used_at).total_seconds() > 60:
        token.last_used_at = now
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    # Each request gets its own User object: views may set attributes on request.user.
    return copy.copy(user)
