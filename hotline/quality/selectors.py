"""Read side of quality inspection (质检), used by workforce scorecards and the KPI engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class AgentQa:
    inspected: int  # inspections finished in the period
    passed: int  # of those, passed (after arbitration, where disputed)
    mean_score: float | None  # 0-100


def agent_scores(first: date, last: date) -> dict[int, AgentQa]:
    """Finished inspections per agent (user id) whose inspection date falls in [first, last]."""
    return {}
