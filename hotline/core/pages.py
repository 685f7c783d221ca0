"""The signed-in landing page (the desks come with their own apps)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hotline.core.calendar import calendar_status
from hotline.tickets.models import Ticket
from hotline.tickets.permissions import tickets_visible_to


@login_required
def home(request: HttpRequest) -> HttpResponse:
    rows = tickets_visible_to(request.user).values("status").annotate(n=Count("id")).order_by("status")  # type: ignore[arg-type]
    labels = dict(Ticket.Status.choices)
    counts = [{"label": labels.get(r["status"], r["status"]), "n": r["n"]} for r in rows]
    warning = calendar_status()["warning"] if request.user.role == "admin" else ""  # type: ignore[union-attr]
    return render(request, "core/home.html", {"counts": counts, "calendar_warning": warning})
