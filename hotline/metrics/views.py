"""考核指标看板: the seed table's indicators with red/amber/green, the daily trend and the department ranking."""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any, cast
from urllib.parse import quote

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hotline.accounts.models import Department, Role
from hotline.core.errors import InvalidInput
from hotline.metrics.breakdown import district_category_grid
from hotline.metrics.compute import board_figures
from hotline.metrics.departments import department_rows
from hotline.metrics.exports import kpi_workbook
from hotline.metrics.indicators import DEPARTMENT, PENDING, Period, filters_parse
from hotline.tickets.models import Category, Ticket
from hotline.tickets.views.common import role_required

BOARD_ROLES = (Role.SUPERVISOR, Role.ANALYST, Role.ADMIN)
# Figures over a month of tickets and calls are shared by everyone asking the same question for a minute.
FIGURES_SECONDS = 60
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIELDS = ("from", "to", "hotline", "department", "category", "district")


def _defaults(today: date) -> dict[str, str]:
    return {"from": today.replace(day=1).isoformat(), "to": today.isoformat()}


def _figures(period: Period, raw: dict[str, str]) -> dict[str, Any]:
    filters = filters_parse(
        hotline=raw["hotline"],
        department=raw["department"],
        category=raw["category"],
        district=raw["district"],
    )
    key = hashlib.sha256(repr(sorted(raw.items())).encode()).hexdigest()[:24]

    def compute() -> dict[str, Any]:
        rows = department_rows(period, filters)
        board = board_figures(period, filters)
        grid = district_category_grid(period, filters)
        return {
            "heat": grid.heat(),
            "figures": board.figures,
            "trend": board.trend,
            "departments": rows,
            "chart_departments": {
                "names": [r.name for r in reversed(rows[:15]) if r.score is not None],
                "scores": [r.score for r in reversed(rows[:15]) if r.score is not None],
            },
            "at": timezone.localtime(),
        }

    return cast(dict[str, Any], cache.get_or_set(f"hotline:kpi:{key}", compute, FIGURES_SECONDS))


def _raw(request: HttpRequest) -> dict[str, str]:
    raw = {name: (request.GET.get(name) or "").strip()[:40] for name in FIELDS}
    for name, value in _defaults(timezone.localdate()).items():
        raw[name] = raw[name] or value
    return raw


@role_required(*BOARD_ROLES)
def board(request: HttpRequest) -> HttpResponse:
    """The KPI board; a bad period or filter is shown in Chinese with the entered values kept."""
    return _board(request, _raw(request))


def _board_choices() -> dict[str, Any]:
    """The filter form's options (hotlines, departments, districts, categories to the second level)."""
    return {
        "hotlines": Ticket.Hotline.choices,
        "departments": Department.objects.filter(is_active=True)
        .exclude(kind=Department.Kind.CENTRE)
        .only("code", "name", "path"),
        "districts": Department.objects.filter(is_active=True, kind=Department.Kind.COUNTY).only(
            "code", "name"
        ),
        "categories": Category.objects.filter(is_active=True, level__lte=2).only("code", "name", "level"),
    }


def _board(request: HttpRequest, raw: dict[str, str]) -> HttpResponse:
    ctx: dict[str, Any] = {
        "q": raw,
        **_board_choices(),
        "tab": "board",
        "pending": PENDING,
        "dept_heads": DEPARTMENT,
        "figures_seconds": FIGURES_SECONDS,
    }
    status = 200
    try:
        period = Period.parse(raw["from"], raw["to"])
        ctx.update(_figures(period, raw))
        ctx["period"] = period
    except InvalidInput as e:
        ctx["error"] = e.message
        ctx["field_errors"] = e.fields
        status = 400
    return render(request, "metrics/board.html", ctx, status=status)


@role_required(*BOARD_ROLES)
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The same figures as a workbook (月度考核指标); bad input shows the board with the message instead."""
    raw = _raw(request)
    try:
        period = Period.parse(raw["from"], raw["to"])
        figures = _figures(period, raw)
    except InvalidInput:
        return _board(request, raw)
    labels = filters_parse(
        hotline=raw["hotline"],
        department=raw["department"],
        category=raw["category"],
        district=raw["district"],
    ).labels
    body = kpi_workbook(period, figures["figures"], figures["departments"], figures["trend"], labels=labels)
    response = HttpResponse(body, content_type=XLSX)
    name = f"考核指标_{period.first:%Y%m%d}-{period.last:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
