"""Volumes and closing figures by district × top-level category (the board's heat grid, the report's tables).

Each is one grouped query over the period's population; Python sees one row per (district, category).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce

from hotline.accounts.models import Department
from hotline.metrics.compute import DISPATCHED, RATED, SATISFIED, closed_in, tickets_filtered
from hotline.metrics.indicators import Filters, Period
from hotline.tickets.models import Category, Ticket

NONE_LABEL = "未分类"
NO_DISTRICT = "未定区县"


def _top_category() -> Coalesce:
    # Categories are three levels deep: the top ancestor is the grandparent, else the parent, else itself.
    return Coalesce("category__parent__parent_id", "category__parent_id", "category_id")


def _created_in(qs: QuerySet[Ticket], period: Period) -> QuerySet[Ticket]:
    return qs.filter(created_at__gte=period.start, created_at__lt=period.end).exclude(
        status=Ticket.Status.DRAFT
    )


@dataclass
class Cell:
    intake: int = 0
    closed: int = 0
    rated: int = 0
    satisfied: int = 0


@dataclass
class Grid:
    """Intake (tickets created in the period) and closing satisfaction per district × top-level category."""

    districts: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)

    def by(self, axis: str) -> list[dict[str, Any]]:
        """Totals per district (axis="district") or per category, busiest first."""
        totals: dict[str, Cell] = {}
        for (d, c), cell in self.cells.items():
            t = totals.setdefault(d if axis == "district" else c, Cell())
            t.intake += cell.intake
            t.closed += cell.closed
            t.rated += cell.rated
            t.satisfied += cell.satisfied
        rows = [
            {
                "name": name,
                "intake": t.intake,
                "closed": t.closed,
                "rated": t.rated,
                "satisfied": t.satisfied,
                "satisfaction": round(t.satisfied / t.rated, 4) if t.rated else None,
            }
            for name, t in totals.items()
        ]
        return sorted(rows, key=lambda r: (-r["intake"], r["name"]))

    def heat(self) -> dict[str, Any]:
        """ECharts heatmap data: axes and [category index, district index, intake] triples."""
        cats = [r["name"] for r in self.by("category")]
        dists = [r["name"] for r in self.by("district")]
        cells = [
            [cats.index(c), dists.index(d), cell.intake]
            for (d, c), cell in sorted(self.cells.items())
            if cell.intake
        ]
        return {
            "categories": cats,
            "districts": dists,
            "cells": cells,
            "max": max((v[2] for v in cells), default=0),
        }


def district_category_grid(period: Period, filters: Filters | None = None) -> Grid:
    """Tickets received in the period and dispatched tickets closed in it, per district × top-level category."""
    filters = filters or Filters()
    qs = tickets_filtered(filters)
    intake = (
        _created_in(qs, period)
        .annotate(top=_top_category())
        .values("district_id", "top")
        .annotate(n=Count("id"))
        .order_by()
    )
    closed = (
        qs.filter(closed_in(period), DISPATCHED)
        .annotate(top=_top_category())
        .values("district_id", "top")
        .annotate(
            n=Count("id"),
            rated=Count("id", filter=Q(visit_result__in=RATED)),
            ok=Count("id", filter=Q(visit_result__in=SATISFIED)),
        )
        .order_by()
    )
    intake_rows, closed_rows = list(intake), list(closed)
    dist_ids = {r["district_id"] for r in (*intake_rows, *closed_rows)} - {None}
    cat_ids = {r["top"] for r in (*intake_rows, *closed_rows)} - {None}
    dist_names = dict(Department.objects.filter(pk__in=dist_ids).values_list("pk", "name"))
    cat_names = dict(Category.objects.filter(pk__in=cat_ids).values_list("pk", "name"))
    grid = Grid()

    def cell(r: dict[str, Any]) -> Cell:
        key = (dist_names.get(r["district_id"], NO_DISTRICT), cat_names.get(r["top"], NONE_LABEL))
        return grid.cells.setdefault(key, Cell())

    for r in intake_rows:
        cell(r).intake += r["n"]
    for r in closed_rows:
        c = cell(r)
        c.closed += r["n"]
        c.rated += r["rated"]
        c.satisfied += r["ok"]
    grid.districts = [r["name"] for r in grid.by("district")]
    grid.categories = [r["name"] for r in grid.by("category")]
    return grid


def intake_mix(period: Period, filters: Filters | None = None) -> dict[str, dict[str, int]]:
    """Tickets received in the period by type (咨询/投诉…) and by channel, with the labels as keys."""
    qs = _created_in(tickets_filtered(filters or Filters()), period)
    rows = qs.values("type", "channel").annotate(n=Count("id")).order_by()
    types = dict(Ticket.Type.choices)
    channels = dict(Ticket.Channel.choices)
    by_type: dict[str, int] = {}
    by_channel: dict[str, int] = {}
    for r in rows:
        t = str(types.get(r["type"], r["type"]))
        c = str(channels.get(r["channel"], r["channel"]))
        by_type[t] = by_type.get(t, 0) + r["n"]
        by_channel[c] = by_channel.get(c, 0) + r["n"]

    def ordered(d: dict[str, int]) -> dict[str, int]:
        return dict(sorted(d.items(), key=lambda kv: -kv[1]))

    return {"type": ordered(by_type), "channel": ordered(by_channel)}
