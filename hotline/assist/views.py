"""Assist pages: the suggestion panel of the agent desk, dispatch from the dispatch desk with logging,
the accuracy page (智能辅助) and the hotspot report (热点)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from hotline.accounts.models import Department, Role, User
from hotline.assist.duplicates import DUPLICATE_DAYS
from hotline.assist.hotspots import TOPIC_CAP
from hotline.assist.models import HotspotAlert, ModelVersion
from hotline.assist.selectors import duplicate_hints_many, parse_shown, suggestion_stats, suggestions_for
from hotline.assist.services import hotspots_current, ticket_dispatch_suggested
from hotline.core.errors import InvalidInput, NotFound, ServiceError
from hotline.tickets.models import OPEN_STATUSES, Category
from hotline.tickets.permissions import may_act, tickets_visible_to
from hotline.tickets.selectors import ticket_get
from hotline.tickets.views.common import role_required

DESK_ROLES = (Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR)
DISPATCH_ROLES = (Role.DISPATCHER, Role.REVIEWER, Role.SUPERVISOR)
REPORT_ROLES = {Role.SUPERVISOR, Role.ANALYST, Role.ADMIN, Role.REVIEWER}
STATS_DAYS = 30
HOTSPOT_CACHE_SECONDS = 300


def _category(raw: str) -> Category | None:
    raw = (raw or "").strip()
    return Category.objects.filter(pk=int(raw), level=3, is_active=True).first() if raw.isdecimal() else None


def _district(raw: str) -> Department | None:
    raw = (raw or "").strip()[:40]
    return Department.objects.filter(code=raw, is_active=True).first() if raw else None


@role_required(*DESK_ROLES)
@require_GET
def assist_suggest(request: HttpRequest) -> HttpResponse:
    """The agent desk's 智能建议 panel: category and department top-3 for what has been typed so far."""
    g = request.GET
    title, content = g.get("title", "")[:200], g.get("content", "")[:5000]
    category = _category(g.get("category", ""))
    s = suggestions_for(
        title=title, content=content, category=category, district=_district(g.get("district", ""))
    )
    return render(
        request,
        "tickets/partials/assist_suggest.html",
        {
            "s": s,
            "typed": bool((title + content).strip()),
            "lead": g.get("lead", ""),
            "category_id": category.pk if category else None,
            "has_model": bool(s.version),
        },
    )


@role_required(*DISPATCH_ROLES)
@require_POST
def assist_dispatch(request: HttpRequest, number: str) -> HttpResponse:
    """Dispatch one pending ticket from the dispatch desk (suggested or chosen), logging the suggestion's fate."""
    user: User = request.user  # type: ignore[assignment]
    nxt = request.POST.get("next", "")
    if not (nxt.startswith("/") and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()})):
        nxt = "/desk/dispatch/"
    try:
        ticket = ticket_get(user=user, number=number)
        code = request.POST.get("lead", "").strip()
        lead = Department.objects.filter(code=code, is_active=True).first() if code else None
        if lead is None:
            raise InvalidInput("请选择派往的承办单位。", fields={"lead": "请选择有效的单位"})
        raw_version = request.POST.get("version", "")
        ticket_dispatch_suggested(
            ticket=ticket,
            by=user,
            lead=lead,
            note=request.POST.get("note", ""),
            version=int(raw_version) if raw_version.isdecimal() else None,
            shown=parse_shown(request.POST.get("assist_shown", "")),
        )
    except NotFound as exc:
        messages.error(request, exc.message)
    except ServiceError as exc:
        prefix = "（已刷新为最新状态）" if exc.http_status == 409 else ""
        messages.error(request, f"{number} 派单未成功：{exc.message}{prefix}")
    else:
        messages.success(request, f"已派单：{number} → {lead.name}")
    return redirect(nxt)


@role_required(*DESK_ROLES, Role.REVIEWER)
@require_GET
def assist_duplicates(request: HttpRequest, number: str) -> HttpResponse:
    """Possible duplicates of one ticket (same caller, same address, near-duplicate text), with 并入."""
    user: User = request.user  # type: ignore[assignment]
    try:
        ticket = ticket_get(user=user, number=number)
    except NotFound as exc:
        return HttpResponse(format_html('<p class="form-error" role="alert">{}</p>', exc.message), status=404)
    open_tickets = tickets_visible_to(user).filter(status__in=OPEN_STATUSES)
    since = timezone.now() - timedelta(days=DUPLICATE_DAYS)
    rows = duplicate_hints_many(base=open_tickets, tickets=[ticket], per_ticket=8, since=since).get(
        ticket.pk, []
    )
    nxt = request.GET.get("next", "")
    return render(
        request,
        "tickets/partials/assist_duplicates.html",
        {
            "ticket": ticket,
            "rows": rows,
            "may_merge": may_act(user, ticket, "merge"),
            "next": nxt if nxt.startswith("/") else "/desk/dispatch/",
        },
    )


def _report_user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if user.role not in REPORT_ROLES and not user.is_superuser:
        raise PermissionDenied("您的角色不能查看智能辅助统计。")
    return user


@login_required
@require_GET
def assist_stats(request: HttpRequest) -> HttpResponse:
    """智能辅助: model versions, accept/override rates at the desks, and the real accuracy against completion."""
    _report_user(request)
    since = timezone.now() - timedelta(days=STATS_DAYS)
    return render(
        request,
        "assist/stats.html",
        {
            "stats": suggestion_stats(since=since),
            "days": STATS_DAYS,
            "versions": list(ModelVersion.objects.all()[:10]),
        },
    )


@login_required
@require_GET
def assist_hotspots(request: HttpRequest) -> HttpResponse:
    """热点: topics (category, place, near-duplicate text) of the last 7 days, ranked; recent early warnings."""
    _report_user(request)
    return render(
        request,
        "assist/hotspots.html",
        {
            "hotspots": _hotspots()[:50],
            "alerts": list(HotspotAlert.objects.all()[:30]),
            "now": timezone.now(),
            "cap": TOPIC_CAP,
        },
    )


@login_required
@require_GET
def assist_hotspots_panel(request: HttpRequest) -> HttpResponse:
    """The hotspot panel of the supervisor board (loaded after the page)."""
    _report_user(request)
    return render(
        request,
        "assist/partials/hotspots_panel.html",
        {
            "hotspots": _hotspots()[:8],
            "alerts": list(HotspotAlert.objects.filter(day=timezone.localdate())),
            "cap": TOPIC_CAP,
        },
    )


def _hotspots() -> list[Any]:
    # Two weeks of tickets are scanned and the big groups split by text; the board reloads often, so one
    # scan serves everyone for a while.
    return (
        cache.get_or_set("assist:hotspots:topics", lambda: hotspots_current(limit=50), HOTSPOT_CACHE_SECONDS)
        or []
    )
