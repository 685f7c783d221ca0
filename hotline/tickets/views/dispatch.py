"""派单审核台: dispatch the queue, decide return and extension requests, review replies.

Single actions post to `tickets:act` (the ticket page's endpoint); bulk actions post here and run each
ticket through the same parser and service, so rules, events and the audit trail are identical.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from hotline.accounts.models import Department, Role, User
from hotline.assist.duplicates import DUPLICATE_DAYS
from hotline.assist.selectors import duplicate_hints_many, suggestions_many
from hotline.core.errors import ServiceError
from hotline.tickets.models import OPEN_STATUSES, Ticket, TicketRequest
from hotline.tickets.permissions import tickets_visible_to
from hotline.tickets.selectors import (
    dispatch_counts,
    dispatch_pending,
    dispatch_replies,
    dispatch_requests,
    extension_preview,
    ticket_get,
)
from hotline.tickets.views.common import perform_action, role_required
from hotline.tickets.workflow import TRANSITIONS

DESK_ROLES = (Role.DISPATCHER, Role.REVIEWER, Role.SUPERVISOR)
TABS = (
    ("pending", "待派单"),
    ("returns", "退单申请"),
    ("extensions", "延期申请"),
    ("replies", "答复审核"),
)
CHANNELS = (
    ("", "全部渠道"),
    (Ticket.Channel.PHONE, "电话"),
    (Ticket.Channel.WEB, "网站"),
    (Ticket.Channel.WECHAT, "微信"),
    (Ticket.Channel.PROVINCE, "省平台"),
)
PAGE_SIZE = 25
# How long a ticket may wait for dispatch before its waiting time is shown as a warning, then as late.
WAIT_WARN = timedelta(hours=2)
WAIT_OVER = timedelta(hours=24)
BULK_MAX = 100
BULK_ACTIONS = ("dispatch", "review_approve")


def is_partial(request: HttpRequest) -> bool:
    """An htmx swap of the desk's list (not a history restore, which needs the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def department_groups() -> list[tuple[str, list[Department]]]:
    """Departments a ticket may be dispatched to, grouped by kind for the pickers (one query)."""
    groups: dict[str, list[Department]] = {}
    for d in Department.objects.filter(is_active=True).exclude(kind=Department.Kind.CENTRE).order_by("path"):
        groups.setdefault(d.get_kind_display(), []).append(d)
    order = [label for _, label in Department.Kind.choices]
    return sorted(groups.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99)


def safe_next(request: HttpRequest, default: str) -> str:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return default


def run_bulk(
    request: HttpRequest, *, action: str, numbers: Iterable[str], fields: dict[str, str]
) -> tuple[list[str], list[tuple[str, str]]]:
    """Run one action on each ticket through `perform_action`; report successes and refusals per ticket."""
    user: User = request.user  # type: ignore[assignment]
    done: list[str] = []
    failed: list[tuple[str, str]] = []
    for number in dict.fromkeys(n.strip() for n in numbers if n.strip()):
        post = QueryDict(mutable=True)
        post.update(fields)
        post["version"] = request.POST.get(f"version-{number}", "")
        try:
            ticket = ticket_get(user=user, number=number)
            perform_action(user, ticket, action, post)
        except ServiceError as exc:
            failed.append((number, exc.message))
        else:
            done.append(number)
    return done, failed


def report_bulk(request: HttpRequest, label: str, done: list[str], failed: list[tuple[str, str]]) -> None:
    """Per-ticket results as flash messages, in Chinese."""
    if done:
        messages.success(request, f"批量{label}成功 {len(done)} 张：{'、'.join(done)}")
    for number, message in failed:
        messages.error(request, f"{number} {label}未成功：{message}")


def page_query(params: QueryDict) -> str:
    """The query string without `page`, ready for "?{{ page_query }}page=N"."""
    rest = params.copy()
    rest.pop("page", None)
    encoded = rest.urlencode()
    return f"{encoded}&" if encoded else ""


def _tab(params: QueryDict) -> str:
    tab = params.get("tab", "")
    return tab if tab in dict(TABS) else "pending"


def _rows(params: QueryDict, tab: str, user: User) -> tuple[Any, dict[str, Any]]:
    extra: dict[str, Any] = {}
    if tab == "returns":
        return dispatch_requests(user=user, kind=TicketRequest.Kind.RETURN), extra
    if tab == "extensions":
        return dispatch_requests(user=user, kind=TicketRequest.Kind.EXTENSION), extra
    if tab == "replies":
        return dispatch_replies(user=user), extra
    channel = params.get("channel", "")
    channel = channel if channel in dict(CHANNELS) else ""
    extra["channel"] = channel
    return dispatch_pending(user=user, channel=channel), extra


def assist_hints(user: User, rows: list[Any], now: Any) -> None:
    """智能辅助 on the pending rows: suggested departments (catalogue, then model) and possible duplicates."""
    if not rows:
        return
    items = [(f"{t.title}\n{t.content}", t.category, t.district) for t in rows]
    for t, s in zip(rows, suggestions_many(items, with_categories=False), strict=True):
        t.assist = s
    open_tickets = tickets_visible_to(user).filter(status__in=OPEN_STATUSES)
    hints = duplicate_hints_many(base=open_tickets, tickets=rows, since=now - timedelta(days=DUPLICATE_DAYS))
    for t in rows:
        t.duplicates = hints.get(t.pk, [])


def render_desk(
    request: HttpRequest,
    *,
    params: QueryDict | None = None,
    next_url: str = "",
    bulk: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    params = params if params is not None else request.GET
    tab = _tab(params)
    counts = dispatch_counts(user=user)
    qs, extra = _rows(params, tab, user)
    page = Paginator(qs, PAGE_SIZE).get_page(params.get("page"))
    rows = list(page.object_list)
    if tab == "pending":
        now = timezone.now()
        for t in rows:
            waited = now - t.queued_at
            t.wait_class = "due-over" if waited >= WAIT_OVER else "due-warn" if waited >= WAIT_WARN else ""
        assist_hints(user, rows, now)
    if tab == "extensions":
        for req in rows:
            req.new_due_at = extension_preview(req.ticket, req.days)
    if tab == "replies":
        for t in rows:
            t.reply_assignment = t.reply_assignments[0] if t.reply_assignments else None
    role = user.role
    ctx = {
        "tab": tab,
        "tabs": [(key, label, counts[key]) for key, label in TABS],
        "page": page,
        "page_query": page_query(params),
        "rows": rows,
        "channels": CHANNELS,
        "department_groups": department_groups() if tab == "pending" else [],
        "can_dispatch": role in TRANSITIONS["dispatch"].roles,
        "can_decide": role in TRANSITIONS["return_approve"].roles,
        "can_review": role in TRANSITIONS["review_approve"].roles,
        "next": next_url or request.get_full_path(),
        "bulk": bulk or {},
        **extra,
    }
    template = "tickets/partials/dispatch_list.html" if is_partial(request) else "tickets/dispatch.html"
    return render(request, template, ctx, status=status)


@role_required(*DESK_ROLES)
def dispatch_desk(request: HttpRequest) -> HttpResponse:
    """The queue of work for the centre: pending dispatch, return and extension requests, replies to review."""
    return render_desk(request)


@role_required(*DESK_ROLES)
@require_POST
def dispatch_bulk(request: HttpRequest) -> HttpResponse:
    """Dispatch the selected tickets to one department, or approve the selected replies, one by one."""
    action = request.POST.get("action", "")
    numbers = request.POST.getlist("numbers")[:BULK_MAX]
    nxt = safe_next(request, "/desk/dispatch/")
    if action not in BULK_ACTIONS:
        messages.error(request, "不支持的批量操作。")
        return redirect(nxt)
    label = TRANSITIONS[action].label
    fields = {"note": request.POST.get("note", "")}
    error = ""
    if not numbers:
        error = "请先勾选要处理的工单。"
    if action == "dispatch":
        fields["lead"] = request.POST.get("lead", "")
        if not error and not Department.objects.filter(code=fields["lead"], is_active=True).exists():
            error = "请选择批量派往的承办单位。"
    if error:
        # Re-render in place so the selection and what was typed are kept.
        params = QueryDict(nxt.split("?", 1)[1] if "?" in nxt else "")
        bulk = {
            "error": error,
            "selected": set(numbers),
            "lead": fields.get("lead", ""),
            "note": fields["note"],
        }
        return render_desk(request, params=params, next_url=nxt, bulk=bulk, status=400)
    done, failed = run_bulk(request, action=action, numbers=numbers, fields=fields)
    report_bulk(request, label, done, failed)
    return redirect(nxt)
