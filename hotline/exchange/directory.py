"""Pure helpers for the switchboard directory: pinyin initials and query normalisation."""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

_LETTERS = re.compile(r"[^a-z0-9]")


def initials(text: str) -> str:
    """Lower-case pinyin initials of the Chinese in `text`, letters and digits kept: 市场监管局 -> scjgj."""
    if not text:
        return ""
    parts = lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda s: s)
    return _LETTERS.sub("", "".join(parts).lower())


def query_kind(q: str) -> str:
    """How to read a search: 'digits' (a phone number), 'initials' (latin letters) or 'name'."""
    q = q.strip()
    if not q:
        return "empty"
    if re.fullmatch(r"[\d\- ]+", q):
        return "digits"
    if re.fullmatch(r"[A-Za-z]+", q):
        return "initials"
    return "name"
