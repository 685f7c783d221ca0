"""我的排班 (an agent's own roster, leave and swap requests) and the approvals page for swaps and leave."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from hotline.accounts.models import User
from hotline.core.errors import InvalidInput, ServiceError
from hotline.tickets.views.common import role_required
from hotline.workforce import services as svc
from hotline.workforce.models import LeaveRequest, Roster, RosterEntry, ShiftSwap, Staff
from hotline.workforce.profiles import month_days
from hotline.workforce.swaps import swap_cancel, swap_decide, swap_request
from hotline.workforce.views import DESK_ROLES, _date, _int


def _published(day: date) -> Roster | None:
    """Agents see (and swap on) published rosters only; drafts are HR's working copies."""
    return Roster.objects.filter(month=day.replace(day=1), status=Roster.Status.PUBLISHED).first()


def _my_month(staff: Staff, month: date) -> tuple[Roster | None, list[tuple[date, RosterEntry | None]]]:
    roster = _published(month)
    days = month_days(month)
    if roster is None:
        return None, []
    mine = {e.day: e for e in RosterEntry.objects.filter(roster=roster, staff=staff).select_related("shift")}
    return roster, [(d, mine.get(d)) for d in days]


@role_required()
def me_page(request: HttpRequest) -> HttpResponse:
    """我的排班: this month's and next month's shifts, my leave and swap requests."""
    user: User = request.user  # type: ignore[assignment]
    staff = Staff.objects.select_related("post").filter(user=user).first()
    if staff is None:
        return render(request, "workforce/me.html", {"staff": None})
    form: dict[str, Any] = {}
    error: ServiceError | None = None
    if request.method == "POST":
        form = request.POST.dict()
        try:
            _me_action(user, staff, form)
        except ServiceError as exc:
            error = exc
        else:
            return redirect("workforce:me")
    today = timezone.localdate()
    months = [today.replace(day=1), (today.replace(day=1) + timedelta(days=32)).replace(day=1)]
    calendars = []
    for m in months:
        roster, days = _my_month(staff, m)
        calendars.append({"month": m, "roster": roster, "days": days})
    colleagues = (
        Staff.objects.filter(post__live_seat=staff.post.live_seat)
        .filter(Q(leave_date__isnull=True) | Q(leave_date__gt=today))
        .exclude(pk=staff.pk)
        .select_related("post")
        .order_by("post__sort", "employee_no")
    )
    swaps = (
        ShiftSwap.objects.filter(Q(requester=staff) | Q(counterpart=staff))
        .select_related("requester", "counterpart")
        .order_by("-created_at")[:20]
    )
    return render(
        request,
        "workforce/me.html",
        {
            "staff": staff,
            "calendars": calendars,
            "leaves": staff.leave_requests.all()[:20],
            "swaps": swaps,
            "colleagues": colleagues,
            "leave_kinds": LeaveRequest.Kind.choices,
            "form": form,
            "error": error,
            "today": today.isoformat(),
        },
        status=400 if error else 200,
    )


def _me_action(user: User, staff: Staff, form: dict[str, Any]) -> None:
    action = form.get("action", "")
    if action == "leave":
        svc.leave_request(
            staff=staff,
            kind=form.get("kind", ""),
            start=_date(form.get("start", ""), "start", "开始日期"),
            end=_date(form.get("end", ""), "end", "结束日期"),
            reason=form.get("reason", ""),
            by=user,
        )
    elif action == "swap":
        day = _date(form.get("day", ""), "day", "换班日期")
        roster = _published(day)
        if roster is None:
            raise InvalidInput("该日期所在月份的排班尚未发布。", fields={"day": "该月排班尚未发布"})
        other = Staff.objects.filter(pk=_int(form.get("counterpart", ""), "counterpart", "对调人")).first()
        if other is None:
            raise InvalidInput("请选择对调的同事。", fields={"counterpart": "请选择对调的同事"})
        swap_request(
            roster=roster, day=day, requester=staff, counterpart=other, reason=form.get("reason", ""), by=user
        )
    elif action == "swap_cancel":
        swap = ShiftSwap.objects.filter(
            pk=_int(form.get("swap", ""), "swap", "换班申请"), requester=staff
        ).first()
        if swap is None:
            raise InvalidInput("换班申请不存在。")
        swap_cancel(swap=swap, by=user)
    else:
        raise InvalidInput("未知操作。")


@role_required(*DESK_ROLES)
def swaps_page(request: HttpRequest) -> HttpResponse:
    """换班与请假审批: pending swaps (with both people's shifts that day) and pending leave."""
    user: User = request.user  # type: ignore[assignment]
    error: ServiceError | None = None
    if request.method == "POST":
        form = request.POST.dict()
        try:
            if form.get("action") in ("swap_approve", "swap_reject"):
                swap = ShiftSwap.objects.filter(pk=_int(form.get("swap", ""), "swap", "换班申请")).first()
                if swap is None:
                    raise InvalidInput("换班申请不存在。")
                swap_decide(
                    swap=swap, approve=form["action"] == "swap_approve", by=user, note=form.get("note", "")
                )
            elif form.get("action") in ("leave_approve", "leave_reject"):
                leave = LeaveRequest.objects.filter(pk=_int(form.get("leave", ""), "leave", "请假")).first()
                if leave is None:
                    raise InvalidInput("请假记录不存在。")
                svc.leave_decide(leave=leave, approve=form["action"] == "leave_approve", by=user)
            else:
                raise InvalidInput("未知操作。")
        except ServiceError as exc:
            error = exc
        else:
            messages.success(request, "已处理。")
            return redirect("workforce:swaps")
    pending = list(
        ShiftSwap.objects.filter(state=ShiftSwap.State.PENDING)
        .select_related("requester__post", "counterpart__post", "roster")
        .order_by("day")
    )
    shifts = {
        (e.roster_id, e.staff_id, e.day): e.shift.name
        for e in RosterEntry.objects.filter(
            roster__in={s.roster_id for s in pending},
            day__in={s.day for s in pending},
            staff__in={p for s in pending for p in (s.requester_id, s.counterpart_id)},
        ).select_related("shift")
    }
    rows = [
        (
            s,
            shifts.get((s.roster_id, s.requester_id, s.day), "休"),
            shifts.get((s.roster_id, s.counterpart_id, s.day), "休"),
        )
        for s in pending
    ]
    return render(
        request,
        "workforce/swaps.html",
        {
            "rows": rows,
            "recent": ShiftSwap.objects.exclude(state=ShiftSwap.State.PENDING)
            .select_related("requester", "counterpart", "decided_by")
            .order_by("-decided_at", "-created_at")[:15],
            "leaves": LeaveRequest.objects.filter(state=LeaveRequest.State.PENDING)
            .select_related("staff__post")
            .order_by("start")[:50],
            "error": error,
        },
        status=400 if error else 200,
    )
