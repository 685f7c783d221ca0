"""Near-duplicate request texts: character-bigram shingles and their Jaccard similarity (a pure engine).

Citizens who call twice about the same thing, or neighbours who call about the same noise, repeat the
place and the problem in different order and with different filler. Character bigrams survive
Chinese word-segmentation errors and reordering; punctuation, spaces, digits runs and the
commonest filler characters are dropped first, so "您好，我想反映" does not make everything similar.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from hotline.assist.hotspots import PLACE_PATTERN as _PLACE

# Similarity at or above which two requests are offered as possible duplicates (bench/assist_duplicates.py).
THRESHOLD = 0.4
# How far back the desks and the API look for open tickets a new request may repeat.
DUPLICATE_DAYS = 30
# Two requests naming different roads or estates are rarely one problem, however alike the words.
PLACE_PENALTY = 0.4
_DROP = re.compile(r"[\W_]+|\d+", re.UNICODE)
_FILLER = re.compile(
    r"您好|你好|请问|请|谢谢|希望|尽快|处理|相关部门|反映|一下|我们|我家|我想|的|了|吗|呢|啊"
)


def shingles(text: str) -> frozenset[str]:
    """Character bigrams of the request with punctuation, numbers and filler words removed."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _DROP.sub("", _FILLER.sub("", text))
    if len(text) < 2:
        return frozenset({text}) if text else frozenset()
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def places(text: str) -> frozenset[str]:
    """Road, estate and village names in a request ("幸福路", "朝阳小区"), as the hotspot engine reads them."""
    return frozenset(m.group(1) for m in _PLACE.finditer(unicodedata.normalize("NFKC", text or "")))


def place_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Each text names a place the other does not: the same problem somewhere else is another ticket."""
    return bool(a - b) and bool(b - a)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two shingle sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def score(a: frozenset[str], a_places: frozenset[str], b: frozenset[str], b_places: frozenset[str]) -> float:
    """Similarity, halved when the two requests name different places."""
    s = similarity(a, b)
    return s * PLACE_PENALTY if place_conflict(a_places, b_places) else s


@dataclass(frozen=True)
class Match:
    key: object
    score: float


def near_duplicates(
    text: str, candidates: Iterable[tuple[object, str]], *, threshold: float = THRESHOLD, limit: int = 8
) -> list[Match]:
    """Candidates whose text is at least `threshold` similar to `text`, most similar first."""
    query, where = shingles(text), places(text)
    if len(query) < 4:  # a few characters say nothing about duplication
        return []
    found = [
        Match(key, s)
        for key, other in candidates
        if (s := score(query, where, shingles(other), places(other))) >= threshold
    ]
    found.sort(key=lambda m: -m.score)
    return found[:limit]
