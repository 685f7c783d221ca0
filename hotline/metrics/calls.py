"""Call-centre and staffing parts of the seed table, from the callcenter and workforce apps' data.

The definitions are hotline.callcenter.kpis's (接通率, 30 秒接通率 and 漏接回拨率 over
offered − short abandons, with the centre's own thresholds). `kpis_between` reads every call of the
period into Python, which a month of a province's calls cannot afford on the KPI board, so the same
counts are taken here in aggregate queries grouped by day (the board's trend uses the same rows);
the tests check both give the same figures.
坐席接听评价满意率 (the post-call survey) is not in callcenter.kpis and is counted here.
人员流失率 is hotline.workforce's staffing table of the period's last month.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from hotline.callcenter.kpis import ABANDONED
from hotline.callcenter.models import CallbackTask, CallRecord, CentreSettings
from hotline.metrics.indicators import Filters, Period

ANSWERED = "answered"
SURVEY_SATISFIED = ("1", "2")  # 满意, 基本满意


def _calls(period: Period, filters: Filters) -> QuerySet[CallRecord]:
    qs = CallRecord.objects.filter(arrived_at__gte=period.start, arrived_at__lt=period.end)
    if filters.hotline:
        qs = qs.filter(hotline=filters.hotline)
    return qs


def _call_counts(short_abandon_s: float, answer_s: float) -> dict[str, Count]:
    queued = ~Q(queue="")
    answered = queued & Q(disposition=ANSWERED)
    return {
        "offered": Count("id", filter=queued),
        "answered": Count("id", filter=answered),
        "short": Count("id", filter=queued & Q(disposition__in=ABANDONED, wait_s__lt=short_abandon_s)),
        "in_time": Count("id", filter=answered & Q(wait_s__lte=answer_s)),
    }


def call_days(period: Period, filters: Filters) -> list[dict[str, Any]]:
    """Calls of the period per arrival day: offered, answered, 秒挂, answered in time, surveys; `base` = offered − 秒挂."""
    s = CentreSettings.get()
    rows = list(
        _calls(period, filters)
        .annotate(d=TruncDate("arrived_at", tzinfo=timezone.get_current_timezone()))
        .values("d")
        .annotate(
            **_call_counts(s.short_abandon_s, s.answer_s),
            rated=Count("id", filter=~Q(survey="")),
            pleased=Count("id", filter=Q(survey__in=SURVEY_SATISFIED)),
        )
        .order_by()
    )
    for r in rows:
        r["base"] = r["offered"] - r["short"]
    return rows


def call_parts(
    period: Period,
    filters: Filters,
    *,
    now: datetime | None = None,
    days: list[dict[str, Any]] | None = None,
) -> dict[str, tuple[float, float]]:
    """(numerator, denominator) of 接通率, 30秒接通率, 漏接回拨率 and 坐席接听评价满意率."""
    now = now or timezone.now()
    rows = call_days(period, filters) if days is None else days
    t = {k: sum(r[k] for r in rows) for k in ("answered", "in_time", "base", "rated", "pleased")}
    tasks = CallbackTask.objects.filter(missed_at__gte=period.start, missed_at__lt=period.end)
    if filters.hotline:
        tasks = tasks.filter(hotline=filters.hotline)
    attempted = Q(first_attempt_at__isnull=False)
    cb = tasks.aggregate(
        due=Count("id", filter=attempted | Q(due_at__lte=now)),
        on_time=Count("id", filter=attempted & Q(first_attempt_at__lte=F("due_at"))),
    )
    return {
        "answer_rate": (t["answered"], t["base"]),
        "service_level": (t["in_time"], t["base"]),
        "callback_rate": (cb["on_time"], cb["due"]),
        "agent_satisfaction": (t["pleased"], t["rated"]),
    }


def staff_parts(period: Period) -> dict[str, tuple[float, float]]:
    """人员流失率 = 1 − actual / required, for the month holding the period's last day (workforce's table)."""
    from hotline.workforce.selectors import staffing_table

    table = staffing_table(period.last.replace(day=1))
    return {"attrition": (max(0, table.required - table.actual), table.required)}
