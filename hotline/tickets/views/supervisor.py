"""运行总览: tickets by state and by department, overdue and soon-due work with urge and supervise, charts."""

from __future__ import annotations

from typing import Any, cast

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hotline.accounts.models import Role, User
from hotline.tickets.models import Ticket
from hotline.tickets.selectors import (
    overview_by_department,
    overview_daily,
    overview_status_counts,
    tickets_due,
)
from hotline.tickets.views.common import role_required
from hotline.tickets.workflow import TRANSITIONS

OVERVIEW_ROLES = (Role.SUPERVISOR, Role.ANALYST, Role.ADMIN)
# The counts and charts read every ticket; they are computed at most once a minute per scope and
# shared by every supervisor's screen (the page says when). The overdue and soon-due lists are live.
FIGURES_SECONDS = 60
LIST_SIZE = 10
# States shown as tiles, in the order work flows.
STATE_TILES = (
    Ticket.Status.PENDING_DISPATCH,
    Ticket.Status.DISPATCHED,
    Ticket.Status.ACKNOWLEDGED,
    Ticket.Status.EXTENSION_PENDING,
    Ticket.Status.RETURN_PENDING,
    Ticket.Status.REPLIED,
    Ticket.Status.PENDING_VISIT,
    Ticket.Status.CLOSED,
    Ticket.Status.ANSWERED,
    Ticket.Status.ARCHIVED,
)


def _figures(user: User) -> dict[str, Any]:
    scope = f"dept-{user.department_id}" if user.is_department_user else "centre"

    def compute() -> dict[str, Any]:
        return {
            "by_status": overview_status_counts(user=user, statuses=STATE_TILES),
            "by_department": overview_by_department(user=user),
            "daily": overview_daily(user=user),
            "at": timezone.localtime(),
        }

    figures = cache.get_or_set(f"hotline:overview:{scope}", compute, FIGURES_SECONDS)
    return cast(dict[str, Any], figures)


@role_required(*OVERVIEW_ROLES)
def supervisor_overview(request: HttpRequest) -> HttpResponse:
    """The centre's running state at a glance, with the lists that need pressing."""
    user: User = request.user  # type: ignore[assignment]
    figures = _figures(user)
    by_status, by_department, daily = figures["by_status"], figures["by_department"], figures["daily"]
    overdue = Paginator(tickets_due(user=user, overdue=True), LIST_SIZE).get_page(request.GET.get("op"))
    soon = Paginator(tickets_due(user=user, overdue=False), LIST_SIZE).get_page(request.GET.get("sp"))
    top = by_department[:12]
    ctx = {
        "figures_at": figures["at"],
        "figures_seconds": FIGURES_SECONDS,
        "tiles": [(s, Ticket.Status(s).label, by_status.get(s, 0)) for s in STATE_TILES],
        "overdue_total": sum(d["overdue"] for d in by_department),
        "due_soon_total": sum(d["due_soon"] for d in by_department),
        "by_department": by_department,
        "overdue": overdue,
        "soon": soon,
        "can_urge": user.role in TRANSITIONS["urge"].roles,
        "can_supervise": user.role in TRANSITIONS["supervise"].roles,
        "chart_daily": daily,
        "chart_departments": {
            "names": [d["name"] for d in reversed(top)],
            "open": [d["open"] for d in reversed(top)],
            "overdue": [d["overdue"] for d in reversed(top)],
        },
        "next": request.get_full_path(),
    }
    return render(request, "tickets/supervisor.html", ctx)
