"""An offline anti-spam question: small arithmetic, its answer kept only as a signed keyed hash.

The token carries a nonce and an HMAC of nonce+answer, signed with a timestamp, so a bot cannot read
the answer from the form and a solved token cannot be reused (the nonce is claimed in the cache).
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass

from django.core import signing
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "hotline.intake.challenge"
MAX_AGE = 3600


class ChallengeError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def _digest(nonce: str, answer: int) -> str:
    return salted_hmac(_SALT, f"{nonce}:{answer}", algorithm="sha256").hexdigest()[:24]


def challenge_new() -> Challenge:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    if secrets.randbelow(2):
        question, answer = f"{a} + {b}", a + b
    else:
        a, b = max(a, b) + 10, min(a, b)
        question, answer = f"{a} − {b}", a - b
    nonce = secrets.token_urlsafe(12)
    token = signing.dumps({"n": nonce, "h": _digest(nonce, answer)}, salt=_SALT)
    return Challenge(question=f"{question} = ?", token=token)


def _answer(raw: str) -> int | None:
    text = unicodedata.normalize("NFKC", raw or "").strip()
    return int(text) if text.isdecimal() and len(text) <= 4 else None


def challenge_check(token: str, raw_answer: str) -> str:
    """The challenge's nonce if the answer is right and the token fresh; else ChallengeError (claim it after)."""
    try:
        payload = signing.loads(token or "", salt=_SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise ChallengeError("验证题已过期，请回答新的验证题。") from None
    except signing.BadSignature:
        raise ChallengeError("验证题无效，请回答新的验证题。") from None
    nonce, digest = str(payload.get("n", "")), str(payload.get("h", ""))
    answer = _answer(raw_answer)
    if answer is None:
        raise ChallengeError("请用数字填写验证题的答案。")
    if not constant_time_compare(_digest(nonce, answer), digest):
        raise ChallengeError("验证题答案不正确，请重新计算。")
    return nonce


def _used_key(nonce: str) -> str:
    return f"portal:nonce:{nonce}"


def challenge_claim(nonce: str) -> bool:
    """Mark a solved challenge used; False if another request claimed it first (a double submit)."""
    return bool(cache.add(_used_key(nonce), "", MAX_AGE))


def challenge_release(nonce: str) -> None:
    cache.delete(_used_key(nonce))


def challenge_remember(nonce: str, number: str) -> None:
    cache.set(_used_key(nonce), number, MAX_AGE)


def challenge_result(nonce: str) -> str:
    """The ticket number a claimed challenge produced ('' while in flight)."""
    return str(cache.get(_used_key(nonce)) or "")
