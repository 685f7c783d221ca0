"""The monthly report's figures, gathered once and kept as a JSON snapshot (the report keeps its day's figures)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from hotline.metrics.breakdown import district_category_grid, intake_mix
from hotline.metrics.compute import DISPATCHED, board_figures, closed_in
from hotline.metrics.departments import department_rows
from hotline.metrics.indicators import PENDING, Period
from hotline.tickets.models import Ticket

# Rows of the 不满意工单 sheet; a month with more is cut here (the sheet says so).
UNSATISFIED_MAX = 500
HOTSPOTS_MAX = 15
HOTSPOT_MIN_COUNT = 5

Progress = Callable[[int, str], None]


def month_period(month: date) -> Period:
    first = month.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return Period(first, nxt - timedelta(days=1))


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def _hotspots(period: Period) -> dict[str, Any]:
    """The month's hotspot topics (assist's `hotspots_period`, window = the month) and its daily early
    warnings (assist's HotspotAlert)."""
    from hotline.assist.models import HotspotAlert
    from hotline.assist.services.hotspots import hotspots_period

    ranked = hotspots_period(period.start, period.end, min_count=HOTSPOT_MIN_COUNT, limit=HOTSPOTS_MAX)
    alerts = HotspotAlert.objects.filter(day__gte=period.first, day__lte=period.last)
    return {
        "clusters": [
            {
                "label": h.label,
                "topic": h.topic,
                "words": h.words,
                "place": h.place,
                "count": h.count,
                "previous": h.previous,
                "growth": round(h.growth, 2),
                "suggested": h.suggested,
                "estimated": h.estimated,
                "mixed": h.mixed,
                "numbers": h.numbers[:10],
            }
            for h in ranked
        ],
        "alerts": [
            {"day": a.day.isoformat(), "label": a.label, "count": a.count, "growth": a.growth}
            for a in alerts.order_by("day", "label")[:50]
        ],
    }


def _unsatisfied(period: Period) -> list[int]:
    """Ids of the dispatched tickets closed in the month whose final visit was 不满意 (names and phones are read at export time)."""
    return list(
        Ticket.objects.filter(closed_in(period), DISPATCHED, Q(visit_result="unsatisfied"))
        .order_by("closed_at")
        .values_list("id", flat=True)[:UNSATISFIED_MAX]
    )


def _previous(prev: Period, now: datetime) -> dict[str, Any]:
    """Last month as it was sent (its finalised report), else computed now."""
    from hotline.metrics.models import MonthlyReport

    sent = MonthlyReport.objects.filter(month=prev.first, status=MonthlyReport.Status.FINAL).first()
    if sent and sent.data.get("indicators"):
        return {
            "month": f"{prev.first:%Y-%m}",
            "source": "final",
            "indicators": {f["key"]: f["value"] for f in sent.data["indicators"]},
            "intake": sent.data.get("intake", 0),
        }
    board = board_figures(prev, now=now)
    return {
        "month": f"{prev.first:%Y-%m}",
        "source": "computed",
        "indicators": {f.key: f.value for f in board.figures},
        "intake": sum(board.trend["intake"]),
    }


def report_data(
    month: date, *, progress: Progress | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """Every table of the monthly report for `month` (centre indicators, previous month, departments,
    category / district breakdown, daily trend, hotspots), JSON-ready."""
    step = progress or (lambda pct, stage: None)
    now = now or timezone.now()
    period = month_period(month)
    prev = month_period(previous_month(month))
    step(5, "计算本月考核指标")
    board = board_figures(period, now=now)
    step(30, "上月指标（环比）")
    previous = _previous(prev, now)
    step(50, "成员单位办理质效排名")
    depts = department_rows(period, now=now)
    step(65, "分类、区县统计")
    grid = district_category_grid(period)
    mix = intake_mix(period)
    step(78, "热点诉求")
    hotspots = _hotspots(period)
    step(88, "不满意工单")
    unsatisfied = _unsatisfied(period)
    return {
        "month": f"{period.first:%Y-%m}",
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "computed_at": timezone.localtime(now).isoformat(timespec="seconds"),
        "indicators": [f.as_dict() for f in board.figures],
        "previous": previous,
        "pending": [
            {"key": i.key, "name": i.name, "reason": f"需{i.source}数据（尚未接入）"} for i in PENDING
        ],
        "departments": [r.as_dict() for r in depts],
        "categories": grid.by("category"),
        "districts": grid.by("district"),
        "heat": grid.heat(),
        "mix": mix,
        "trend": board.trend,
        "intake": sum(board.trend["intake"]),
        "hotspots": hotspots,
        "unsatisfied": unsatisfied,
    }
