"""成员单位办理质效 pages: the ranking with each indicator, and one department's month-by-month trend."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from hotline.accounts.models import Department
from hotline.core.errors import InvalidInput
from hotline.metrics.departments import DepartmentRow, department_rows
from hotline.metrics.indicators import DEPARTMENT, Period, filters_parse
from hotline.metrics.reports.data import month_period
from hotline.metrics.views import BOARD_ROLES, FIGURES_SECONDS, _board_choices, _raw
from hotline.tickets.views.common import role_required

TREND_MONTHS = 6
# A past month's ranking hardly moves; the trend's six rankings are shared for ten minutes.
TREND_SECONDS = 600


def _rows(period: Period, raw: dict[str, str]) -> list[DepartmentRow]:
    filters = filters_parse(hotline=raw["hotline"], category=raw["category"], district=raw["district"])
    key = (
        f"hotline:kpi:dept:{period.first}:{period.last}:{raw['hotline']}:{raw['category']}:{raw['district']}"
    )
    return cast(
        list[DepartmentRow], cache.get_or_set(key, lambda: department_rows(period, filters), FIGURES_SECONDS)
    )


@role_required(*BOARD_ROLES)
def department_ranking(request: HttpRequest) -> HttpResponse:
    """Every department's six indicators and its rank for the period, with the score chart."""
    raw = _raw(request)
    ctx: dict[str, Any] = {"q": raw, "dept_heads": DEPARTMENT, "tab": "departments", **_board_choices()}
    status = 200
    try:
        period = Period.parse(raw["from"], raw["to"])
        rows = _rows(period, raw)
        ctx.update(
            period=period,
            departments=rows,
            chart={
                "names": [r.name for r in reversed(rows) if r.score is not None],
                "scores": [r.score for r in reversed(rows) if r.score is not None],
            },
        )
    except InvalidInput as e:
        ctx["error"], ctx["field_errors"], status = e.message, e.fields, 400
    return render(request, "metrics/departments.html", ctx, status=status)


def _months(last: date, n: int) -> list[date]:
    out = [last.replace(day=1)]
    while len(out) < n:
        out.insert(0, (out[0] - timedelta(days=1)).replace(day=1))
    return out


def department_trend(code: str, last: date, n: int = TREND_MONTHS) -> dict[str, Any]:
    """The department's six indicators, score and rank for each of the `n` months up to `last` (month to date)."""
    series: dict[str, Any] = {
        "months": [],
        "score": [],
        "rank": [],
        "ranked": [],
        **{i.key: [] for i in DEPARTMENT},
    }
    for first in _months(last, n):
        period = month_period(first)
        if period.last > last:
            period = Period(period.first, last)
        key = f"hotline:kpi:dept-month:{period.first}:{period.last}"
        rows = cast(
            list[DepartmentRow], cache.get_or_set(key, lambda p=period: department_rows(p), TREND_SECONDS)
        )
        row = next((r for r in rows if r.code == code), None)
        series["months"].append(f"{first:%Y-%m}")
        series["score"].append(row.score if row else None)
        series["rank"].append(row.rank if row else None)
        series["ranked"].append(sum(1 for r in rows if r.rank is not None))
        for ind in DEPARTMENT:
            v = row.figures[ind.key].value if row else None
            series[ind.key].append(round(v * 100, 2) if v is not None else None)
    return series


@role_required(*BOARD_ROLES)
def department_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One department: its figures for the period (numerator ÷ denominator) and its six-month trend."""
    dept = Department.objects.filter(code=code).exclude(kind=Department.Kind.CENTRE).first()
    if dept is None:
        raise Http404("单位不存在")
    raw = _raw(request)
    ctx: dict[str, Any] = {
        "q": raw,
        "dept": dept,
        "dept_heads": DEPARTMENT,
        "tab": "departments",
        **_board_choices(),
    }
    status = 200
    try:
        period = Period.parse(raw["from"], raw["to"])
        rows = _rows(period, raw)
        ctx.update(
            period=period,
            row=next((r for r in rows if r.department_id == dept.pk), None),
            ranked=sum(1 for r in rows if r.rank is not None),
            trend=(trend := department_trend(dept.code, period.last)),
            trend_rows=[
                {
                    "month": m,
                    "values": [trend[i.key][n] for i in DEPARTMENT],
                    "score": trend["score"][n],
                    "rank": trend["rank"][n],
                    "ranked": trend["ranked"][n],
                }
                for n, m in enumerate(trend["months"])
            ],
            trend_heads=[{"key": i.key, "name": i.name} for i in DEPARTMENT],
        )
    except InvalidInput as e:
        ctx["error"], ctx["field_errors"], status = e.message, e.fields, 400
    return render(request, "metrics/department.html", ctx, status=status)
