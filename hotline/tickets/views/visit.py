"""回访台: the visit worklist (one task per reviewed ticket), overdue first; attempts go to `visits:*`."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hotline.accounts.models import Role, User
from hotline.tickets.selectors import visits_recent
from hotline.tickets.views.common import role_required
from hotline.tickets.views.dispatch import page_query
from hotline.visits.models import VisitAttempt, VisitPolicy
from hotline.visits.selectors import visit_counts, visit_worklist

VISIT_ROLES = (Role.VISIT_AGENT, Role.SUPERVISOR)
PAGE_SIZE = 20
SHOWS = (
    ("", "全部待回访"),
    ("overdue", "已超期"),
    ("awaiting", "待市民在线评价"),
    ("confirm", "在线评价待确认"),
)
# Keys 1–7 pick these in a row's form (printed on the page).
CHOICES = (
    ("reached:satisfied", "满意"),
    ("reached:basically_satisfied", "基本满意"),
    ("reached:unsatisfied", "不满意"),
    ("no_answer", "无人接听"),
    ("busy", "占线"),
    ("powered_off", "关机/停机"),
    ("wrong_number", "空号/错号"),
)


def visit_desk_page(
    request: HttpRequest, *, errors: dict[int, str] | None = None, kept: dict[int, dict[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:  # fmt: skip
    """The desk, optionally with one row's refusal and what was typed in it."""
    user: User = request.user  # type: ignore[assignment]
    show = request.GET.get("show", "")
    show = show if show in dict(SHOWS) else ""
    page = Paginator(visit_worklist(show=show), PAGE_SIZE).get_page(request.GET.get("page"))
    rows: list[Any] = list(page.object_list)
    for task in rows:
        replies = task.ticket.replies
        task.reply = replies[0].reply if replies else ""
        task.error = (errors or {}).get(task.pk, "")
        task.kept = (kept or {}).get(task.pk, {})
    policy = VisitPolicy.get()
    ctx = {
        "page": page,
        "page_query": page_query(request.GET),
        "rows": rows,
        "show": show,
        "shows": SHOWS,
        "counts": visit_counts(),
        "choices": CHOICES,
        "policy": policy,
        "phone_channel": VisitAttempt.Channel.PHONE,
        "recent": list(visits_recent(user=user)),
        # After a refused POST the page is rendered at the action's URL: keep pointing back at the desk.
        "next": request.POST.get("next") or request.get_full_path()
        if request.method == "POST"
        else request.get_full_path(),
    }
    return render(request, "tickets/visit.html", ctx, status=status)


@role_required(*VISIT_ROLES)
def visit_desk(request: HttpRequest) -> HttpResponse:
    """The visit worklist: due tasks, overdue first, attempts so far, a call button and the result form."""
    return visit_desk_page(request)
