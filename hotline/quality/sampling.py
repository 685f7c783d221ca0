"""Drawing inspection items (pure): the same candidates, plan and seed always give the same sample."""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Candidate:
    key: str  # "call:<id>" or "ticket:<id>"
    call_id: int | None
    ticket_id: int | None
    agent_code: str
    agent_id: int | None
    reason: str


def default_seed(plan_id: int, first: date, last: date) -> int:
    """A stable seed per plan and period, so re-running a sample draws the same items."""
    return zlib.crc32(f"{plan_id}:{first.isoformat()}:{last.isoformat()}".encode())


def draw(
    candidates: Sequence[Candidate], *, share: float | None, max_items: int, seed: int
) -> list[Candidate]:
    """A random share (rounded up) of the candidates, or all of them for a targeted plan (share None),
    at most `max_items`; ordered by key so the draw does not depend on the order they were read."""
    pool = sorted(candidates, key=lambda c: c.key)
    want = len(pool) if share is None else math.ceil(len(pool) * share)
    want = min(want, max_items, len(pool))
    if want == len(pool):
        return pool
    return sorted(random.Random(seed).sample(pool, want), key=lambda c: c.key)
