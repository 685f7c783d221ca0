"""承办台: the department's inbox with deadlines, and the manager's view of the department's load.

Single actions post to `tickets:act`; bulk acknowledge posts here and runs each ticket through the
same parser and service.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hotline.accounts.models import Department, Role, User
from hotline.tickets.models import Assignment, Ticket
from hotline.tickets.selectors import (
    DEPARTMENT_TABS,
    LoadRow,
    department_counts,
    department_load,
    department_tickets,
)
from hotline.tickets.services.intake import ALLOWED_ATTACHMENTS
from hotline.tickets.views.common import role_required
from hotline.tickets.views.dispatch import (
    BULK_MAX,
    is_partial,
    page_query,
    report_bulk,
    run_bulk,
    safe_next,
)
from hotline.tickets.workflow import TRANSITIONS

DEPT_ROLES = (Role.DEPT_HANDLER, Role.DEPT_MANAGER)
TABS = (
    ("", "全部"),
    ("pending", "待签收"),
    ("doing", "办理中"),
    ("requests", "延期·退单审核中"),
    ("replied", "已答复"),
)
PAGE_SIZE = 25
LOAD_SECONDS = 60
ATTACHMENT_ACCEPT = ",".join(f".{ext}" for ext in ALLOWED_ATTACHMENTS)
# Actions a department takes from its desk; the table decides which apply to each ticket.
DESK_ACTIONS = ("acknowledge", "subdispatch", "reply", "assist_reply", "extension_request", "return_request")


def desk_actions(user: User, ticket: Ticket, held: list[Assignment]) -> set[str]:
    """The desk actions the user may take, from the transition table and the prefetched assignments.

    Mirrors `permissions.may_act` for department users without a query per row.
    """
    roles = {a.role for a in held}
    return {
        action
        for action in DESK_ACTIONS
        if ticket.status in TRANSITIONS[action].sources
        and user.role in TRANSITIONS[action].roles
        and TRANSITIONS[action].department in roles
    }


def _subdepartments(department: Department) -> list[Department]:
    return list(
        Department.objects.filter(path__startswith=department.path, is_active=True)
        .exclude(pk=department.pk)
        .order_by("path")
    )


@role_required(*DEPT_ROLES)
def department_desk(request: HttpRequest) -> HttpResponse:
    """The inbox of work held by the user's department subtree, soonest deadline first."""
    user: User = request.user  # type: ignore[assignment]
    if user.department is None:
        return render(request, "tickets/department.html", {"no_department": True})
    tab = request.GET.get("tab", "")
    tab = tab if tab in DEPARTMENT_TABS else ""
    overdue = request.GET.get("overdue") == "1"
    counts = department_counts(department=user.department)
    known = (counts["overdue"] if not tab else None) if overdue else counts[tab or "all"]
    qs = department_tickets(department=user.department, tab=tab, overdue=overdue, count=known)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for t in rows:
        t.acts = desk_actions(user, t, t.held)
        # The unit actually holding the work: the deepest lead assignment, else the deepest one.
        leads = [a for a in t.held if a.role == Assignment.Role.LEAD]
        t.holder = (leads or t.held)[-1] if t.held else None
    ctx = {
        "tab": tab,
        "tabs": [(key, label, counts[key or "all"]) for key, label in TABS],
        "overdue": overdue,
        "overdue_count": counts["overdue"],
        "page": page,
        "page_query": page_query(request.GET),
        "rows": rows,
        "any_ack": any("acknowledge" in t.acts for t in rows),
        "subdepartments": _subdepartments(user.department),
        "accept": ATTACHMENT_ACCEPT,
        "attachment_limit_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "next": request.get_full_path(),
        "open_number": request.GET.get("open", ""),
        "replied_number": request.GET.get("replied", ""),
        "is_manager": user.role == Role.DEPT_MANAGER,
    }
    template = "tickets/partials/department_list.html" if is_partial(request) else "tickets/department.html"
    return render(request, template, ctx)


@role_required(*DEPT_ROLES)
@require_POST
def department_bulk(request: HttpRequest) -> HttpResponse:
    """Acknowledge the selected tickets, one by one through the acknowledge service."""
    nxt = safe_next(request, "/desk/department/")
    if request.POST.get("action") != "acknowledge":
        messages.error(request, "不支持的批量操作。")
        return redirect(nxt)
    numbers = request.POST.getlist("numbers")[:BULK_MAX]
    if not numbers:
        messages.error(request, "请先勾选要签收的工单。")
        return redirect(nxt)
    done, failed = run_bulk(request, action="acknowledge", numbers=numbers, fields={})
    report_bulk(request, TRANSITIONS["acknowledge"].label, done, failed)
    return redirect(nxt)


@role_required(Role.DEPT_MANAGER)
def department_overview(request: HttpRequest) -> HttpResponse:
    """单位概况: open work per sub-department, overdue, due within 24 h, time to acknowledge; the overdue list."""
    user: User = request.user  # type: ignore[assignment]
    if user.department is None:
        return render(request, "tickets/department_overview.html", {"no_department": True})
    department = user.department

    def compute() -> tuple[list[LoadRow], LoadRow, datetime]:
        rows, total = department_load(department=department)
        return rows, total, timezone.localtime()

    # The load table reads all the subtree's open work: computed at most once a minute per department.
    cached = cache.get_or_set(f"hotline:load:{department.pk}", compute, LOAD_SECONDS)
    rows, total, load_at = cast(tuple[list[LoadRow], LoadRow, datetime], cached)
    overdue = department_tickets(department=department, overdue=True)
    page = Paginator(overdue, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    for t in items:
        leads = [a for a in t.held if a.role == Assignment.Role.LEAD]
        t.holder = (leads or t.held)[-1] if t.held else None
    ctx = {
        "rows": rows,
        "total": total,
        "page": page,
        "page_query": page_query(request.GET),
        "overdue_rows": items,
        "department": user.department,
        "load_at": load_at,
        "load_seconds": LOAD_SECONDS,
    }
    return render(request, "tickets/department_overview.html", ctx)
