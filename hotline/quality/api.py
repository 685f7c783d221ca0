"""REST endpoints of the quality app, mounted under /api/v1/quality: the month's QA results per agent."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from hotline.accounts.api import ErrorOut
from hotline.accounts.models import User
from hotline.core.errors import InvalidInput
from hotline.quality import schemas as s
from hotline.quality.selectors import PASS_TARGET, pass_rate_by_agent
from hotline.quality.views import DESK_ROLES

router = Router(tags=["质检"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut}


def _month(raw: str) -> date:
    raw = (raw or "").strip()
    if not raw:
        return timezone.localdate().replace(day=1)
    try:
        if len(raw) != 7:
            raise ValueError(raw)
        return date.fromisoformat(f"{raw}-01")
    except ValueError:
        raise InvalidInput(
            "月份格式应为 YYYY-MM，例如 2026-10。", fields={"month": "格式应为 YYYY-MM"}
        ) from None


@router.get(
    "/scores", response={200: s.ScoresOut, **ERRORS}, summary="质检成绩（每名话务员的合格率、平均分）"
)
def scores(request: HttpRequest, q: Query[s.ScoresQuery]) -> dict[str, Any]:
    """Inspections finished in the month, per agent, worst first; QA inspectors and supervisors see everyone, others themselves."""
    user: User = request.user  # type: ignore[assignment]
    first = _month(q.month)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    everyone = user.role in DESK_ROLES
    rows = [
        r for r in pass_rate_by_agent(first, last) if everyone or (r["agent"] and r["agent"].pk == user.pk)
    ]
    return {
        "month": f"{first:%Y-%m}",
        "target": PASS_TARGET,
        "scope": "all" if everyone else "own",
        "results": [
            {
                "agent_id": r["agent"].pk,
                "username": r["agent"].username,
                "name": str(r["agent"]),
                "inspected": r["inspected"],
                "passed": r["passed"],
                "pass_rate": r["rate"],
                "mean_score": r["mean"],
                "meets_target": None if r["rate"] is None else r["rate"] >= PASS_TARGET,
            }
            for r in rows
            if r["agent"] is not None
        ],
    }
