"""回访台: tickets waiting for a callback visit, oldest first; the result is recorded through `tickets:act`."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hotline.accounts.models import Role, User
from hotline.tickets.selectors import visit_worklist, visits_recent
from hotline.tickets.services.lifecycle import VISIT_MAX_ATTEMPTS, VisitResult
from hotline.tickets.views.common import role_required
from hotline.tickets.views.dispatch import is_partial, page_query

VISIT_ROLES = (Role.VISIT_AGENT, Role.SUPERVISOR)
PAGE_SIZE = 20


@role_required(*VISIT_ROLES)
def visit_desk(request: HttpRequest) -> HttpResponse:
    """The visit worklist with masked phones, attempts so far and an inline result form per ticket."""
    user: User = request.user  # type: ignore[assignment]
    page = Paginator(visit_worklist(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for t in rows:
        t.reply_assignment = t.reply_assignments[0] if t.reply_assignments else None
    ctx = {
        "page": page,
        "page_query": page_query(request.GET),
        "rows": rows,
        "results": list(VisitResult.LABELS.items()),
        "max_attempts": VISIT_MAX_ATTEMPTS,
        "recent": list(visits_recent(user=user)),
        "next": request.get_full_path(),
    }
    template = "tickets/partials/visit_list.html" if is_partial(request) else "tickets/visit.html"
    return render(request, template, ctx)
