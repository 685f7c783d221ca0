"""The citizen's query code (查询码): random, shown once, kept only as a keyed hash."""

from __future__ import annotations

import secrets
import unicodedata

from django.utils.crypto import constant_time_compare, salted_hmac

# No 0/O, 1/I/L: the code is read off a phone screen and typed back, sometimes over the phone.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8
_SALT = "hotline.intake.query-code"
_DUMMY = "h1$0000000000000000$" + "0" * 64


def code_new() -> str:
    """A fresh code, e.g. 'K7QM3XPA' (about 40 bits; guesses are throttled)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def code_display(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def code_normalize(raw: str) -> str:
    """Accept lower case, full-width characters, spaces and the display hyphen."""
    text = unicodedata.normalize("NFKC", raw or "").upper()
    return "".join(ch for ch in text if ch.isalnum())[:32]


def code_hash(code: str, *, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    digest = salted_hmac(_SALT, salt + code_normalize(code), algorithm="sha256").hexdigest()
    return f"h1${salt}${digest}"


def code_check(stored: str, raw: str) -> bool:
    """True if `raw` is the code behind `stored`; runs the same work when nothing is stored."""
    parts = (stored or _DUMMY).split("$")
    if len(parts) != 3 or parts[0] != "h1":
        parts = _DUMMY.split("$")
    ok = constant_time_compare(code_hash(raw, salt=parts[1]), "$".join(parts))
    return ok and bool(stored)
