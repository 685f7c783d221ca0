"""HR desk pages for planning and the month's figures: forecast, attendance, scorecards and pay."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from hotline.accounts.models import Role, User
from hotline.core.errors import InvalidInput, ServiceError
from hotline.tickets.views.common import role_required
from hotline.workforce import demand as dm
from hotline.workforce.attendance import STATUS_LABELS, attendance_month, attendance_record, attendance_sync
from hotline.workforce.forecast import KIND_LABELS
from hotline.workforce.models import Staff
from hotline.workforce.performance import COMPONENTS, scorecards
from hotline.workforce.views import DESK_ROLES, _date, _month

PAY_ROLES = (Role.HR, Role.ADMIN)  # supervisors see scorecards, not pay
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORECAST_CHOICES = [("12345", "12345 政务服务热线"), ("merged", "归并热线（合并队列）")] + [
    (h, f"{h}（单独）") for h in dm.QUEUE_HOTLINES["merged"]
]


def _float(value: str, default: float, field: str, label: str) -> float:
    try:
        return float(value.strip()) if value.strip() else default
    except ValueError:
        raise InvalidInput(f"{label}应为数字。", fields={field: f"{label}应为数字"}) from None


def _month_param(request: HttpRequest) -> tuple[date, str, str]:
    raw = request.GET.get("month", "")
    month = timezone.localdate().replace(day=1)
    if raw:
        try:
            month = _month(raw)
        except ServiceError as exc:
            return month, raw, exc.message
    return month, month.strftime("%Y-%m"), ""


# --- forecast -----------------------------------------------------------------------------------------


@role_required(*DESK_ROLES, Role.ANALYST)
def forecast_page(request: HttpRequest) -> HttpResponse:
    """话务预测: history, backtest WAPE, the forecast and the agents each half-hour needs."""
    today = timezone.localdate()
    g = request.GET
    key = g.get("hotline", "12345")
    if key not in dict(FORECAST_CHOICES):
        key = "12345"
    hotlines = dm.QUEUE_HOTLINES.get(key, [key])
    form = {k: g.get(k, "") for k in ("aht", "target", "answer", "shrinkage", "day")}
    error: ServiceError | None = None
    params = dm.StaffingParams()
    day = today + timedelta(days=1)
    try:
        params = dm.StaffingParams(
            aht_s=_float(form["aht"], dm.DEFAULT_AHT_S, "aht", "平均处理时长"),
            target=_float(form["target"], 0.95, "target", "服务水平目标"),
            answer_s=_float(form["answer"], 30.0, "answer", "接通时限"),
            shrinkage=_float(form["shrinkage"], 0.2, "shrinkage", "缺勤率"),
        )
        dm.check_params(params)
        if form["day"]:
            day = _date(form["day"], "day", "日期")
            if not today < day <= today + timedelta(days=62):
                raise InvalidInput(
                    "预测日期须在明天起 62 天内。", fields={"day": "预测日期须在明天起 62 天内"}
                )
    except ServiceError as exc:
        error, params, day = exc, dm.StaffingParams(), today + timedelta(days=1)
    horizon = [today + timedelta(days=i) for i in range(1, 29)]
    if day not in horizon:
        horizon.append(day)
    plan = dm.plan(hotlines, sorted(horizon), params=params, today=today)
    ctx: dict[str, Any] = {
        "choices": FORECAST_CHOICES,
        "key": key,
        "hotlines": hotlines,
        "form": form,
        "params": params,
        "error": error,
        "plan": plan,
        "day": day,
        "today": today,
    }
    if plan.ok:
        assert plan.model is not None
        kind = dm.day_kind()
        recent = list(plan.history)[-56:]
        bt = {d: sum(v) for d, v in plan.backtest.predicted.items()} if plan.backtest else {}
        fc_days = sorted(plan.calls)
        axis = recent + [d for d in fc_days if d not in plan.history]
        ctx["chart_daily"] = {
            "days": [f"{d:%m-%d}" for d in axis],
            "actual": [round(sum(plan.history[d])) if d in plan.history else None for d in axis],
            "backtest": [round(bt[d]) if d in bt else None for d in axis],
            "forecast": [round(sum(plan.calls[d])) if d in plan.calls else None for d in axis],
        }
        needs = plan.needs[day]
        ctx["intervals"] = [
            (f"{i // 2:02d}:{i % 2 * 30:02d}", round(n.calls, 1), n.agents, n.scheduled)
            for i, n in enumerate(needs)
        ]
        ctx["chart_day"] = {
            "slots": [t for t, *_ in ctx["intervals"]],
            "calls": [c for _, c, _, _ in ctx["intervals"]],
            "agents": [a for _, _, a, _ in ctx["intervals"]],
            "scheduled": [s for _, _, _, s in ctx["intervals"]],
        }
        ctx["day_kind"] = KIND_LABELS.get(kind(day), "")
        ctx["day_total"] = round(sum(n.calls for n in needs))
        ctx["agent_hours"] = sum(n.agents for n in needs) / 2
        ctx["scheduled_hours"] = sum(n.scheduled for n in needs) / 2
        ctx["wape_label"] = f"{plan.backtest.wape:.1%}" if plan.backtest else ""
        ctx["daily_wape_label"] = f"{plan.backtest.daily_wape:.1%}" if plan.backtest else ""
        ctx["kinds"] = [(KIND_LABELS.get(k, k), n) for k, n in plan.model.kinds_seen.items()]
        if key == "merged":
            ctx["pooling"] = _pooling(day, params, today)
    return render(request, "workforce/forecast.html", ctx, status=400 if error else 200)


def _pooling(day: date, params: dm.StaffingParams, today: date) -> dict[str, Any] | None:
    """Agent-hours for the merged hotlines on ``day``: each staffed alone, and answered by one pool."""
    rows = []
    streams = []
    for h in dm.QUEUE_HOTLINES["merged"]:
        p = dm.plan([h], [day], params=params, today=today, holdout=0)
        if p.ok:
            streams.append(p.calls[day])
            rows.append((h, round(sum(p.calls[day])), sum(n.agents for n in p.needs[day]) / 2))
    if len(streams) < 2:
        return None
    separate, pooled = dm.pooled_agents(streams, params)
    return {"rows": rows, "separate_h": separate / 2, "pooled_h": pooled / 2, "saving": 1 - pooled / separate}


# --- attendance ---------------------------------------------------------------------------------------


@role_required(*DESK_ROLES)
def attendance_page(request: HttpRequest) -> HttpResponse:
    """考勤: the month's sheet, sync from sign-in, manual entry for non-phone posts."""
    user: User = request.user  # type: ignore[assignment]
    month, month_value, month_error = _month_param(request)
    form: dict[str, Any] = {}
    error: ServiceError | None = None
    if request.method == "POST":
        form = request.POST.dict()
        try:
            if form.get("action") == "sync":
                n = attendance_sync(month=month)
                messages.success(request, f"已从签入签出记录更新 {n} 条考勤。")
                return redirect(f"{request.path}?month={month_value}")
            staff = Staff.objects.filter(employee_no=form.get("employee_no", "").strip()).first()
            if staff is None:
                raise InvalidInput("没有这个工号。", fields={"employee_no": "没有这个工号"})
            attendance_record(
                staff=staff,
                day=_date(form.get("day", ""), "day", "日期"),
                clock_in=form.get("clock_in", ""),
                clock_out=form.get("clock_out", ""),
                note=form.get("note", ""),
                by=user,
            )
        except ServiceError as exc:
            error = exc
        else:
            messages.success(request, "考勤已登记。")
            return redirect(f"{request.path}?month={month_value}")
    sheet = attendance_month(month)
    return render(
        request,
        "workforce/attendance.html",
        {
            "sheet": sheet,
            "month_value": month_value,
            "month_error": month_error,
            "form": form,
            "error": error,
            "legend": STATUS_LABELS,
            "today": timezone.localdate().isoformat(),
        },
        status=400 if error or month_error else 200,
    )


@role_required(*DESK_ROLES)
def attendance_xlsx(request: HttpRequest) -> HttpResponse:
    """The monthly attendance sheet (月度考勤表) as a workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    month, _, err = _month_param(request)
    if err:
        messages.error(request, err)
        return redirect("workforce:attendance")
    sheet = attendance_month(month)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"考勤{month:%Y-%m}"
    head = ["工号", "姓名", "岗位", *[f"{d.day}日" for d in sheet.days]]
    head += [
        "排班",
        "出勤",
        "迟到次数",
        "迟到分钟",
        "早退",
        "缺勤",
        "请假天数",
        "夜班",
        "工时",
        "法定节假日工时",
    ]
    ws.append(head)
    bad = PatternFill("solid", fgColor="F8D7D3")
    for row in sheet.rows:
        ws.append(
            [row.staff.employee_no, row.staff.name, row.staff.post.name, *[c.label for c in row.cells],
             row.shifts, row.attended, row.late, row.late_min, row.early, row.absent, row.leave_days,
             row.nights, round(row.worked_h, 1), round(row.holiday_h, 1)]
        )  # fmt: skip
        for col, c in enumerate(row.cells, start=4):
            if c.status in ("absent", "late", "early"):
                ws.cell(row=ws.max_row, column=col).fill = bad
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "D2"
    ws.append([])
    ws.append(["图例：√ 正常 · 迟N 迟到 N 分钟 · 早 早退 · 缺 缺勤 · 假 请假 · 休 休息 · 加 未排班出勤"])
    return _xlsx(wb, f"attendance-{month:%Y-%m}.xlsx")


def _xlsx(wb: Any, filename: str) -> HttpResponse:
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- scorecards and pay -----------------------------------------------------------------------------


@role_required(*DESK_ROLES)
def performance_page(request: HttpRequest) -> HttpResponse:
    """绩效与薪酬: everyone's scorecard; pay details for HR."""
    user: User = request.user  # type: ignore[assignment]
    month, month_value, month_error = _month_param(request)
    report = scorecards(month)
    post = request.GET.get("post", "")
    cards = [c for c in report.cards if not post or c.staff.post.code == post]
    return render(
        request,
        "workforce/performance.html",
        {
            "report": report,
            "cards": cards,
            "post_filter": post,
            "posts": sorted(
                {(c.staff.post.code, c.staff.post.name, c.staff.post.sort) for c in report.cards},
                key=lambda t: t[2],
            ),
            "month_value": month_value,
            "month_error": month_error,
            "components": COMPONENTS,
            "show_pay": user.role in PAY_ROLES,
        },
        status=400 if month_error else 200,
    )


@role_required(*PAY_ROLES)
def pay_xlsx(request: HttpRequest) -> HttpResponse:
    """薪酬明细 as a workbook: one row per person with the score, its parts and every pay item."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    month, _, err = _month_param(request)
    if err:
        messages.error(request, err)
        return redirect("workforce:performance")
    report = scorecards(month)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = f"薪酬明细{month:%Y-%m}"
    ws.append(
        ["工号", "姓名", "岗位", "接听量", "平均处理时长（秒）", "平均话后（秒）", "质检均分", "满意率",
         "出勤天数", "迟到", "缺勤", "服务投诉", "绩效得分", "基本工资", "绩效工资", "夜班津贴",
         "法定节假日加班费", "休息日加班费", "缺勤扣款", "应发合计"]
    )  # fmt: skip
    for c in report.cards:
        f = c.calls
        ws.append(
            [c.staff.employee_no, c.staff.name, c.staff.post.name,
             f.answered if f else None, round(f.aht_s, 1) if f and f.aht_s else None,
             round(f.acw_avg_s, 1) if f and f.acw_avg_s else None,
             round(c.qa_mean, 1) if c.qa_mean is not None else None,
             round(f.satisfied / f.rated, 4) if f and f.rated else None,
             c.attendance.attended, c.attendance.late, c.attendance.absent, c.complaints, round(c.score, 1),
             float(c.pay.base), float(c.pay.performance), float(c.pay.night), float(c.pay.holiday_ot),
             float(c.pay.restday_ot), float(c.pay.absence), float(c.pay.total)]
        )  # fmt: skip
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "D2"
    ws.append([])
    for n in report.notes:
        ws.append([n])
    return _xlsx(wb, f"pay-{month:%Y-%m}.xlsx")
