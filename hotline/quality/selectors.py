"""Read side of quality inspection (质检), used by workforce scorecards and the KPI engine."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from hotline.quality.models import CalibrationSession, QualityCheck

PASS_TARGET = 0.98


@dataclass(frozen=True)
class AgentQa:
    inspected: int  # inspections finished in the period
    passed: int  # of those, passed (after arbitration, where disputed)
    mean_score: float | None  # 0-100


def _instants(first: date, last: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(first, time.min))
    return start, timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))


def finished_between(first: date, last: date) -> QuerySet[QualityCheck]:
    """Inspections scored with the inspection date in [first, last] (local days)."""
    start, end = _instants(first, last)
    return QualityCheck.objects.filter(
        status__in=QualityCheck.FINISHED, inspected_at__gte=start, inspected_at__lt=end
    )


def agent_scores(first: date, last: date) -> dict[int, AgentQa]:
    """Finished inspections per agent (user id) whose inspection date falls in [first, last]."""
    rows = (
        finished_between(first, last)
        .filter(agent__isnull=False)
        .values("agent_id")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(passed=True)), mean=Avg("score"))
        .order_by()
    )
    return {
        r["agent_id"]: AgentQa(r["n"], r["ok"], round(r["mean"], 1) if r["mean"] is not None else None)
        for r in rows
    }


def pass_parts(first: date, last: date) -> tuple[int, int]:
    """业务解答及工单质量合格率: (passed, inspected) over inspections finished in the period."""
    agg = finished_between(first, last).aggregate(n=Count("id"), ok=Count("id", filter=Q(passed=True)))
    return agg["ok"], agg["n"]


def pass_rate_by_agent(first: date, last: date) -> list[dict[str, Any]]:
    """Per agent: inspected, passed, rate, mean score; worst rate first."""
    from hotline.accounts.models import User

    scores = agent_scores(first, last)
    names = {u.pk: u for u in User.objects.filter(pk__in=scores)}
    rows = [
        {"agent": names.get(pk), "inspected": s.inspected, "passed": s.passed,
         "rate": s.passed / s.inspected if s.inspected else None, "mean": s.mean_score}
        for pk, s in scores.items()
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (r["rate"] if r["rate"] is not None else 2, str(r["agent"])))


def pass_rate_by_month(first: date, last: date) -> list[dict[str, Any]]:
    rows = (
        finished_between(first, last)
        .annotate(m=TruncMonth("inspected_at", tzinfo=timezone.get_current_timezone()))
        .values("m")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(passed=True)))
        .order_by("m")
    )
    return [{"month": r["m"], "inspected": r["n"], "passed": r["ok"], "rate": r["ok"] / r["n"]} for r in rows]


@dataclass(frozen=True)
class Spread:
    scores: list[tuple[str, float, bool]]  # inspector, score, passed
    low: float | None
    high: float | None
    spread: float | None  # high − low
    stdev: float | None
    agreement: float | None  # share of inspectors agreeing with the majority's pass/fail


def calibration_spread(session: CalibrationSession) -> Spread:
    rows = [
        (str(s.inspector), s.score, s.passed)
        for s in session.scores.select_related("inspector").order_by("at")
    ]
    if not rows:
        return Spread([], None, None, None, None, None)
    values = [r[1] for r in rows]
    passes = sum(1 for r in rows if r[2])
    agreement = max(passes, len(rows) - passes) / len(rows)
    stdev = round(statistics.pstdev(values), 2) if len(values) > 1 else 0.0
    return Spread(rows, min(values), max(values), round(max(values) - min(values), 1), stdev, agreement)
