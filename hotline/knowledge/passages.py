"""Passages: where in a text the query's bigrams stand closest together (re-rank and snippets)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def _pair_codes(text: str) -> np.ndarray:
    """Each pair of adjacent characters as one integer (code points fit in 21 bits)."""
    a = np.frombuffer(text.encode("utf-32-le", "replace"), np.uint32).astype(np.uint64)
    return (a[:-1] << np.uint64(21)) | a[1:]


class Passages:
    """Finds the passage of a text that covers the most weight of distinct query bigrams."""

    def __init__(self, weights: Mapping[str, float]) -> None:
        grams = [g for g in weights if len(g) == 2]
        codes = _pair_codes("".join(grams))[::2] if grams else np.zeros(0, np.uint64)
        order = np.argsort(codes)
        self.codes = codes[order]
        self.weights = [weights[grams[i]] for i in order]

    def best(self, text: str, width: int) -> tuple[float, int]:
        """The highest covered weight within `width` characters, and where that window starts."""
        if not len(self.codes) or len(text) < 2:
            return 0.0, 0
        pairs = _pair_codes(text)
        slot = np.searchsorted(self.codes, pairs)
        slot[slot == len(self.codes)] = 0
        found = np.flatnonzero(self.codes[slot] == pairs)
        if not len(found):
            return 0.0, 0
        return _sweep(found.tolist(), slot[found].tolist(), self.weights, width)


def _sweep(positions: list[int], terms: list[int], weights: list[float], width: int) -> tuple[float, int]:
    seen = [0] * len(weights)
    cur = best = 0.0
    best_at = j = 0
    for pos, term in zip(positions, terms, strict=True):
        if not seen[term]:
            cur += weights[term]
        seen[term] += 1
        while positions[j] < pos - width:
            old = terms[j]
            seen[old] -= 1
            if not seen[old]:
                cur -= weights[old]
            j += 1
        if cur > best:
            best, best_at = cur, positions[j]
    return best, best_at


def best_window(text: str, weights: Mapping[str, float], width: int) -> tuple[float, int]:
    """The highest total weight of distinct bigrams found within `width` characters, and where it starts."""
    return Passages(weights).best(text, width)
