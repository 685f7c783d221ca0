"""Pure (stdlib only, shared with the simulator): how requests between the city and the province are signed.

`X-Signature = hex HMAC-SHA256(secret, METHOD + "\\n" + path?query + "\\n" + timestamp + "\\n" + nonce + "\\n" + body)`,
sent with `X-App-Id`, `X-Timestamp` (unix seconds) and `X-Nonce`. A receiver refuses a timestamp more than
5 minutes off and a nonce it has seen within that window, so a captured request cannot be replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOLERANCE_SECONDS = 300


def sign(secret: str, method: str, path: str, timestamp: int, nonce: str, body: bytes) -> str:
    head = f"{method.upper()}\n{path}\n{timestamp}\n{nonce}\n".encode()
    return hmac.new(secret.encode(), head + body, hashlib.sha256).hexdigest()


def headers(app_id: str, secret: str, method: str, path: str, body: bytes, *, now: int) -> dict[str, str]:
    nonce = secrets.token_hex(12)
    return {
        "X-App-Id": app_id,
        "X-Timestamp": str(now),
        "X-Nonce": nonce,
        "X-Signature": sign(secret, method, path, now, nonce, body),
    }


def verify(
    secret: str, method: str, path: str, given: dict[str, str], body: bytes, *, now: int
) -> str | None:
    """None when the request is genuine and fresh; else the reason (bad_signature, stale_timestamp)."""
    stamp, nonce, sig = given.get("x-timestamp", ""), given.get("x-nonce", ""), given.get("x-signature", "")
    if not stamp.isdecimal() or not nonce or not sig:
        return "bad_signature"
    if abs(now - int(stamp)) > TOLERANCE_SECONDS:
        return "stale_timestamp"
    if not hmac.compare_digest(sign(secret, method, path, int(stamp), nonce, body), sig):
        return "bad_signature"
    return None
