"""The ticket page (everything about one ticket, and only the actions the user may take) and search."""

from __future__ import annotations

from datetime import date
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from hotline.accounts.models import Department, User
from hotline.core.errors import NotFound, ServiceError
from hotline.tickets.models import Ticket
from hotline.tickets.permissions import allowed_actions, may_see_citizen
from hotline.tickets.selectors import count_capped, ticket_get, ticket_list, tickets_of_caller
from hotline.tickets.services.citizen import citizen_unmask
from hotline.tickets.views.common import perform_action
from hotline.tickets.workflow import TRANSITIONS


def _subdepartments(user_department: Department | None) -> list[Department]:
    if user_department is None:
        return []
    return list(
        Department.objects.filter(path__startswith=user_department.path, is_active=True).exclude(
            pk=user_department.pk
        )
    )


def ticket_context(request: HttpRequest, ticket: Ticket) -> dict[str, object]:
    user = request.user
    actions = allowed_actions(user, ticket)  # type: ignore[arg-type]
    events = list(ticket.events.select_related("actor", "actor_department").order_by("seq"))
    return {
        "ticket": ticket,
        "actions": actions,
        "action_labels": {a: TRANSITIONS[a].label for a in actions},
        "events": events,
        "assignments": list(ticket.assignments.select_related("department").order_by("assigned_at", "id")),
        "pauses": list(ticket.pauses.all()),
        "requests": list(
            ticket.requests.select_related("department", "requested_by").order_by("-requested_at")
        ),
        "attachments": list(ticket.attachments.all()),
        "merged_children": list(ticket.merged_children.all()),
        "related": list(ticket.related.all()),
        "may_unmask": may_see_citizen(user, ticket),  # type: ignore[arg-type]
        "departments": Department.objects.filter(is_active=True).exclude(kind=Department.Kind.CENTRE),
        "subdepartments": _subdepartments(getattr(user, "department", None)),
        "history": tickets_of_caller(user=user, phone=ticket.citizen_phone).exclude(pk=ticket.pk)[:10]  # type: ignore[arg-type]
        if ticket.citizen_phone
        else [],
        **_calls_context(user, ticket),  # type: ignore[arg-type]
    }


def _calls_context(user: User, ticket: Ticket) -> dict[str, object]:
    """The calls the ticket was taken on (call centre): shown to the centre's roles only."""
    from hotline.callcenter.selectors import ticket_calls
    from hotline.callcenter.views import CALL_ROLES, LISTEN_ROLES

    if user.role not in CALL_ROLES:
        return {"calls": None}
    return {"calls": ticket_calls(ticket), "may_listen": user.role in LISTEN_ROLES}


@login_required
def ticket_page(request: HttpRequest, number: str) -> HttpResponse:
    try:
        ticket = ticket_get(user=request.user, number=number)  # type: ignore[arg-type]
    except NotFound as exc:
        return render(
            request, "tickets/not_found.html", {"message": exc.message, "number": number}, status=404
        )
    return render(request, "tickets/ticket.html", ticket_context(request, ticket))


@login_required
@require_POST
def ticket_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Run one action from the ticket page or a desk; errors come back in Chinese, input kept."""
    try:
        ticket = ticket_get(user=request.user, number=number)  # type: ignore[arg-type]
    except NotFound as exc:
        return render(
            request, "tickets/not_found.html", {"message": exc.message, "number": number}, status=404
        )
    nxt = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = ""
    try:
        perform_action(request.user, ticket, action, request.POST, request.FILES)  # type: ignore[arg-type]
    except ServiceError as exc:
        if exc.http_status == 409:
            messages.warning(request, f"{exc.message}（已刷新为最新状态）")
            return redirect(nxt if nxt.startswith("/") else f"/tickets/{number}/")
        ticket.refresh_from_db()
        ctx = ticket_context(request, ticket)
        ctx.update(
            form_action=action, form_error=exc.message, field_errors=exc.fields, posted=request.POST, next=nxt
        )
        return render(request, "tickets/ticket.html", ctx, status=exc.http_status)
    messages.success(request, f"已{TRANSITIONS[action].label}：{number}")
    return redirect(nxt if nxt.startswith("/") else f"/tickets/{number}/")


@login_required
@require_POST
def ticket_citizen(request: HttpRequest, number: str) -> HttpResponse:
    """Show the unmasked citizen block (audited)."""
    try:
        ticket = ticket_get(user=request.user, number=number)  # type: ignore[arg-type]
        citizen = citizen_unmask(ticket=ticket, by=request.user, address=request.META.get("REMOTE_ADDR", ""))  # type: ignore[arg-type]
    except ServiceError as exc:
        return HttpResponse(f'<p class="form-error">{exc.message}</p>', status=exc.http_status)
    return render(request, "tickets/partials/citizen_full.html", {"citizen": citizen})


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class _CappedPaginator(Paginator):
    """Counts at most LIST_COUNT_CAP matches (a common word over years of tickets would count them all);
    `exact` says whether the count is the whole list. Pages beyond the cap are not offered."""

    exact = True

    @cached_property
    def count(self) -> int:
        n, self.exact = count_capped(cast("QuerySet[Ticket]", self.object_list))
        return n


@login_required
def ticket_search(request: HttpRequest) -> HttpResponse:
    """工单查询: every ticket the user may see, with filters."""
    g = request.GET
    status = [s for s in g.getlist("status") if s in Ticket.Status.values]
    overdue = {"1": True, "0": False}.get(g.get("overdue", ""))
    dept = Department.objects.filter(code=g.get("department", "")).first() if g.get("department") else None
    qs = ticket_list(
        user=request.user,  # type: ignore[arg-type]
        status=status or None,
        department=dept,
        overdue=overdue,
        created_from=_date(g.get("from", "")),
        created_to=_date(g.get("to", "")),
        text=g.get("q", ""),
    )
    page = _CappedPaginator(qs, 30).get_page(g.get("page"))
    bad_dates = [name for name in ("from", "to") if g.get(name) and _date(g.get(name, "")) is None]
    return render(
        request,
        "tickets/search.html",
        {
            "page": page,
            "statuses": Ticket.Status.choices,
            "selected_status": status,
            "departments": Department.objects.filter(is_active=True).exclude(kind=Department.Kind.CENTRE),
            "q": g,
            "bad_dates": bad_dates,
        },
    )
