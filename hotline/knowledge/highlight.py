"""Snippets and highlights for search results: HTML-escaped text with <mark> around matched terms."""

from __future__ import annotations

import html
from collections.abc import Iterable

from hotline.knowledge.analysis import normalize
from hotline.knowledge.passages import best_window
from hotline.knowledge.search import QueryTerms


def _fold(text: str) -> str:
    """Normalised text of the same length (lower() can lengthen a few letters; those stay as they are)."""
    folded = normalize(text)
    if len(folded) == len(text):
        return folded
    return "".join(n if len(n := normalize(ch)) == 1 else ch for ch in text)


def _marks(folded: str, needles: Iterable[str]) -> list[bool]:
    marked = [False] * len(folded)
    for needle in needles:
        i = folded.find(needle)
        while i != -1:
            for k in range(i, i + len(needle)):
                marked[k] = True
            i = folded.find(needle, i + 1)
    return marked


def _needles(terms: QueryTerms) -> list[str]:
    # Single CJK characters would light up half the text; bigrams already cover two-character matches.
    words = [w for w in terms.words if len(w) > 1 or w.isascii()]  # synonyms included
    return sorted(set(words) | set(terms.bigrams), key=len, reverse=True)


def highlight(text: str, terms: QueryTerms) -> str:
    """All of `text`, escaped, with matched query terms in <mark>."""
    marked = _marks(_fold(text), _needles(terms))
    out: list[str] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and marked[j] == marked[i]:
            j += 1
        piece = html.escape(text[i:j])
        out.append(f"<mark>{piece}</mark>" if marked[i] else piece)
        i = j
    return "".join(out)


def snippet(text: str, terms: QueryTerms, *, width: int = 120) -> str:
    """The passage of `text` that best covers the query (about `width` characters), escaped and marked."""
    text = " ".join(text.split())
    if len(text) <= width:
        return highlight(text, terms)
    weights = dict.fromkeys(terms.bigrams, 1.0)
    _, start = best_window(text, weights, width // 2) if weights else (0.0, 0)
    start = max(0, min(start - width // 6, len(text) - width))
    piece = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return prefix + highlight(piece, terms) + suffix
