"""HR desk (人力): staff register, a person's record and on-boarding gate, staffing table, rosters.

Each POST parses its form and calls one service; a refusal re-renders the page with the entered
values and the service's Chinese messages.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from hotline.accounts.models import Role, User
from hotline.core.erlang import ErlangInputError, agents_for_target
from hotline.core.errors import InvalidInput, ServiceError
from hotline.tickets.views.common import role_required
from hotline.workforce import services as svc
from hotline.workforce.models import LeaveRequest, OnboardingExam, Post, Qualification, Roster, Staff
from hotline.workforce.profiles import QUEUE_LABELS
from hotline.workforce.selectors import (
    roster_fairness,
    roster_grid,
    rosters_recent,
    staff_cleared_ids,
    staff_list,
    staffing_table,
)

DESK_ROLES = (Role.HR, Role.SUPERVISOR, Role.ADMIN)


def _date(value: str, field: str, label: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise InvalidInput(
            f"{label}格式应为 年-月-日。", fields={field: f"{label}格式应为 年-月-日"}
        ) from None


def _month(value: str) -> date:
    try:
        return datetime.strptime(value.strip(), "%Y-%m").date()
    except (ValueError, AttributeError):
        raise InvalidInput(
            "月份格式应为 年-月，例如 2026-12。", fields={"month": "月份格式应为 年-月"}
        ) from None


def _int(value: str, field: str, label: str) -> int:
    try:
        return int(value.strip() or "0")
    except (ValueError, AttributeError):
        raise InvalidInput(f"{label}应为整数。", fields={field: f"{label}应为整数"}) from None


def _next_month() -> date:
    return (timezone.localdate().replace(day=1) + timedelta(days=32)).replace(day=1)


# --- staff -------------------------------------------------------------------------------------------


@role_required(*DESK_ROLES)
def staff_page(request: HttpRequest) -> HttpResponse:
    """人员登记: list with search, and the registration form."""
    user: User = request.user  # type: ignore[assignment]
    form: dict[str, Any] = {"education": "college", "mandarin": "2b", "typing_cpm": "60", "night_ok": "1"}
    error: ServiceError | None = None
    if request.method == "POST":
        form = request.POST.dict()
        try:
            data = svc.StaffInput(
                employee_no=form.get("employee_no", ""),
                name=form.get("name", ""),
                post=form.get("post", ""),
                hire_date=_date(form.get("hire_date", ""), "hire_date", "入职日期"),
                education=form.get("education", ""),
                mandarin=form.get("mandarin", ""),
                typing_cpm=_int(form.get("typing_cpm", "0"), "typing_cpm", "汉字录入速度"),
                night_ok=bool(form.get("night_ok")),
                phone=form.get("phone", ""),
                username=form.get("username", ""),
            )
            staff = svc.staff_register(data=data, by=user)
        except ServiceError as exc:
            error = exc
        else:
            messages.success(
                request, f"已登记 {staff.name}（{staff.employee_no}），岗位：{staff.post.name}。"
            )
            return redirect("workforce:staff_detail", pk=staff.pk)
    q, post = request.GET.get("q", ""), request.GET.get("post", "")
    page = Paginator(staff_list(q=q, post=post), 50).get_page(request.GET.get("page"))
    cleared = staff_cleared_ids()
    return render(
        request,
        "workforce/staff.html",
        {
            "page": page,
            "q": q,
            "post_filter": post,
            "posts": Post.objects.order_by("sort"),
            "cleared": cleared,
            "form": form,
            "error": error,
            "educations": Staff.Education.choices,
            "mandarins": [c for c in Staff.Mandarin.choices if c[0]],
            "today": timezone.localdate().isoformat(),
        },
        status=400 if error else 200,
    )


@role_required(*DESK_ROLES)
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's record: qualifications, training, exams and the live-seat gate, leave."""
    user: User = request.user  # type: ignore[assignment]
    try:
        staff = svc.staff_get(pk)
    except ServiceError:
        raise Http404 from None
    error: ServiceError | None = None
    form: dict[str, Any] = {}
    if request.method == "POST":
        form = request.POST.dict()
        action = form.get("action", "")
        try:
            _staff_action(user, staff, action, form)
        except ServiceError as exc:
            error = exc
        else:
            return redirect("workforce:staff_detail", pk=staff.pk)
    exams = list(staff.exams.select_related("approved_by").all())
    return render(
        request,
        "workforce/staff_detail.html",
        {
            "staff": staff,
            "cleared": staff.pk in staff_cleared_ids(),
            "exams": exams,
            "qualifications": staff.qualifications.all(),
            "trainings": staff.trainings.all(),
            "leaves": staff.leave_requests.all(),
            "may_approve": user.role in svc.APPROVER_ROLES,
            "form": form,
            "error": error,
            "qual_kinds": Qualification.Kind.choices,
            "leave_kinds": LeaveRequest.Kind.choices,
            "today": timezone.localdate().isoformat(),
            "queue_labels": [QUEUE_LABELS.get(q, q) for q in staff.queues],
        },
        status=400 if error else 200,
    )


def _staff_action(user: User, staff: Staff, action: str, form: dict[str, Any]) -> None:
    if action == "exam":
        svc.exam_record(
            staff=staff,
            taken_on=_date(form.get("taken_on", ""), "taken_on", "考核日期"),
            score=form.get("score", "").strip() or "x",
            pass_mark=form.get("pass_mark", "80").strip() or "80",
            by=user,
        )
    elif action == "approve":
        exam = OnboardingExam.objects.filter(
            pk=_int(form.get("exam", ""), "exam", "考核"), staff=staff
        ).first()
        if exam is None:
            raise InvalidInput("考核记录不存在。")
        svc.exam_approve(exam=exam, by=user)
    elif action == "qualification":
        expires = form.get("expires_on", "").strip()
        svc.qualification_add(
            staff=staff,
            kind=form.get("kind", ""),
            detail=form.get("detail", ""),
            issued_on=_date(form.get("issued_on", ""), "issued_on", "取得日期"),
            expires_on=_date(expires, "expires_on", "有效期") if expires else None,
            by=user,
        )
    elif action == "training":
        try:
            hours = Decimal(form.get("hours", "").strip())
        except InvalidOperation:
            raise InvalidInput("学时应为数字。", fields={"hours": "学时应为数字"}) from None
        svc.training_add(
            staff=staff,
            course=form.get("course", ""),
            started_on=_date(form.get("started_on", ""), "started_on", "开始日期"),
            hours=hours,
            passed=bool(form.get("passed")),
            by=user,
        )
    elif action == "leave":
        lr = svc.leave_request(
            staff=staff,
            kind=form.get("kind", ""),
            start=_date(form.get("start", ""), "start", "开始日期"),
            end=_date(form.get("end", ""), "end", "结束日期"),
            reason=form.get("reason", ""),
            by=user,
        )
        if form.get("approve_now"):
            svc.leave_decide(leave=lr, approve=True, by=user)
    elif action in ("leave_approve", "leave_reject"):
        pending = LeaveRequest.objects.filter(
            pk=_int(form.get("leave", ""), "leave", "请假"), staff=staff
        ).first()
        if pending is None:
            raise InvalidInput("请假记录不存在。")
        svc.leave_decide(leave=pending, approve=action == "leave_approve", by=user)
    elif action == "resign":
        svc.staff_leave(
            staff=staff,
            leave_date=_date(form.get("leave_date", ""), "leave_date", "离职日期"),
            voluntary=bool(form.get("voluntary")),
            by=user,
        )
    else:
        raise InvalidInput("未知操作。")


# --- staffing ----------------------------------------------------------------------------------------


@role_required(*DESK_ROLES, Role.ANALYST)
def staffing_page(request: HttpRequest) -> HttpResponse:
    """定编与流失: post-by-post head-count against the contract, attrition, and an Erlang calculator."""
    raw_month = request.GET.get("month", "")
    month_error = ""
    month = timezone.localdate().replace(day=1)
    if raw_month:
        try:
            month = _month(raw_month)
        except ServiceError as exc:
            month_error = exc.message
    table = staffing_table(month)
    calc = {k: request.GET.get(k, "") for k in ("calls", "aht", "target", "answer", "patience", "shrinkage")}
    staffing = None
    calc_error = ""
    if calc["calls"]:
        try:
            staffing = agents_for_target(
                float(calc["calls"]),
                1800,
                float(calc["aht"] or "0"),
                float(calc["target"] or "0.95"),
                float(calc["answer"] or "30"),
                patience_s=float(calc["patience"]) if calc["patience"] else None,
                shrinkage=float(calc["shrinkage"] or "0"),
            )
        except ValueError as exc:
            calc_error = exc.message if isinstance(exc, ErlangInputError) else "请输入数字。"
    return render(
        request,
        "workforce/staffing.html",
        {
            "table": table,
            "month_value": raw_month if month_error else month.strftime("%Y-%m"),
            "month_error": month_error,
            "calc": calc,
            "staffing": staffing,
            "calc_error": calc_error,
            "sl_label": f"{staffing.metrics.sl:.2%}" if staffing else "",
        },
        status=400 if month_error or calc_error else 200,
    )


# --- rosters -----------------------------------------------------------------------------------------


@role_required(*DESK_ROLES)
def rosters_page(request: HttpRequest) -> HttpResponse:
    """排班: the recent rosters and the form that asks for a new one."""
    user: User = request.user  # type: ignore[assignment]
    error: ServiceError | None = None
    month_value = _next_month().strftime("%Y-%m")
    demand = "contract"
    if request.method == "POST":
        month_value = request.POST.get("month", "")
        demand = request.POST.get("demand", "contract")
        try:
            roster = svc.roster_request(month=_month(month_value), by=user, demand=demand)
        except ServiceError as exc:
            error = exc
        else:
            from hotline.workforce.tasks import roster_solve_task

            roster_solve_task(roster.pk)
            return redirect("workforce:roster", pk=roster.pk)
    return render(
        request,
        "workforce/rosters.html",
        {"rosters": rosters_recent(), "month_value": month_value, "demand": demand, "error": error},
        status=400 if error else 200,
    )


def _roster(pk: int) -> Roster:
    roster = Roster.objects.filter(pk=pk).first()
    if roster is None:
        raise Http404
    return roster


@role_required(*DESK_ROLES)
def roster_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The roster calendar: a row per person, a cell per day, head-counts per shift below."""
    roster = _roster(pk)
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        try:
            svc.roster_publish(roster=roster, by=user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "排班已发布。")
        return redirect("workforce:roster", pk=roster.pk)
    if request.headers.get("HX-Request") and roster.outcome == "running":
        return render(request, "workforce/partials/roster_running.html", {"roster": roster})
    if request.headers.get("HX-Request"):
        response = HttpResponse("")
        response["HX-Refresh"] = "true"
        return response
    post = request.GET.get("post", "")
    grid = roster_grid(roster, post=post) if roster.outcome in ("ok", "short") else None
    fairness = roster_fairness(roster) if grid else []
    return render(
        request,
        "workforce/roster.html",
        {
            "roster": roster,
            "grid": grid,
            "post_filter": post,
            "posts": Post.objects.order_by("sort"),
            "fairness": fairness,
            "queue_labels": QUEUE_LABELS,
            "over": (roster.rostered_hours - roster.required_hours) / roster.required_hours * 100
            if roster.required_hours
            else None,
        },
    )


@role_required(*DESK_ROLES)
def roster_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The roster as an Excel workbook: one sheet with a row per person, one column per day."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    roster = _roster(pk)
    if roster.outcome not in ("ok", "short"):
        messages.error(request, "排班尚未计算完成，不能导出。")
        return redirect("workforce:roster", pk=roster.pk)
    grid = roster_grid(roster)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"{roster.month:%Y-%m}"
    weekdays = "一二三四五六日"
    ws.append(
        [
            "工号",
            "姓名",
            "岗位",
            *[f"{d.day}日（{weekdays[d.weekday()]}）" for d in grid.days],
            "班次数",
            "工时",
        ]
    )
    night_fill = PatternFill("solid", fgColor="DDE3F0")
    for staff, cells in grid.rows:
        hours = 0.0
        values: list[str] = []
        for e in cells:
            if e is None:
                values.append("休")
                continue
            values.append(e.shift.name)
            hours += sum(b - a for a, b in e.shift.segments) / 60
        ws.append(
            [staff.employee_no, staff.name, staff.post.name, *values, sum(1 for e in cells if e), hours]
        )
        for col, e in enumerate(cells, start=4):
            if e is not None and e.shift.night:
                ws.cell(row=ws.max_row, column=col).fill = night_fill
    for col in range(1, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(col)].width = 12 if col <= 3 else 7
        ws.cell(row=1, column=col).font = Font(bold=True)
        ws.cell(row=1, column=col).alignment = Alignment(wrap_text=True, horizontal="center")
    ws.freeze_panes = "D2"
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="roster-{roster.month:%Y-%m}.xlsx"'
    return response
