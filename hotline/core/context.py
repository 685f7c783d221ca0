"""Template context for the shell: navigation by role, the calendar banner, session length."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from hotline.accounts.models import Role

# (url, label, shortcut key) per role; the first entry is the role's home desk.
NAV: dict[str, list[tuple[str, str]]] = {
    Role.AGENT: [("/desk/agent/", "受理台"), ("/switchboard/", "政务总机"), ("/workforce/me/", "我的排班"), ("/quality/mine/", "我的质检")],
    Role.DISPATCHER: [("/desk/dispatch/", "派单审核台"), ("/desk/agent/", "受理台"), ("/police/", "110联动"), ("/province/", "省平台对接")],
    Role.REVIEWER: [("/desk/dispatch/", "派单审核台"), ("/kb/", "热线百科")],
    Role.DEPT_HANDLER: [("/desk/department/", "承办台"), ("/kb/", "热线百科")],
    Role.DEPT_MANAGER: [
        ("/desk/department/", "承办台"),
        ("/desk/department/overview/", "单位概况"),
        ("/kb/", "热线百科"),
    ],
    Role.VISIT_AGENT: [("/desk/visit/", "回访台"), ("/callcenter/callbacks/", "漏接回拨"), ("/workforce/me/", "我的排班")],
    Role.SUPERVISOR: [
        ("/desk/supervisor/", "运行总览"),
        ("/metrics/", "考核指标"),
        ("/metrics/reports/", "月度报告"),
        ("/desk/dispatch/", "派单审核台"),
        ("/desk/visit/", "回访台"),
        ("/quality/", "质检"),
        ("/desk/agent/", "受理台"),
        ("/kb/", "热线百科"),
        ("/workforce/rosters/", "排班"),
        ("/workforce/swaps/", "换班审批"),
        ("/callcenter/wallboard/", "话务监控"),
        ("/callcenter/callbacks/", "漏接回拨"),
        ("/switchboard/", "政务总机"),
        ("/police/", "110联动"),
        ("/province/", "省平台对接"),
        ("/assist/", "智能辅助"),
    ],
    Role.QA_INSPECTOR: [("/quality/", "质检台"), ("/kb/", "热线百科")],
    Role.ANALYST: [("/desk/supervisor/", "运行总览"), ("/metrics/", "考核指标"), ("/metrics/reports/", "月度报告"), ("/kb/stats/", "百科引用"), ("/callcenter/wallboard/", "话务监控"), ("/assist/hotspots/", "热点"), ("/workforce/forecast/", "话务预测")],
    Role.ANNOTATOR: [("/kb/", "热线百科"), ("/kb/flags/", "纠错反馈"), ("/kb/stats/", "引用统计")],
    Role.HR: [
        ("/workforce/", "人员登记"),
        ("/workforce/rosters/", "排班"),
        ("/workforce/staffing/", "定编与流失"),
        ("/workforce/forecast/", "话务预测"),
        ("/workforce/swaps/", "换班审批"),
        ("/workforce/attendance/", "考勤"),
        ("/workforce/performance/", "绩效与薪酬"),
    ],
    Role.ADMIN: [("/admin/", "系统管理"), ("/desk/supervisor/", "运行总览"), ("/metrics/", "考核指标"), ("/switchboard/", "政务总机"), ("/province/", "省平台对接")],
}
COMMON = [("/tickets/", "工单查询")]
NAV_INLINE = 8


def home_url(role: str) -> str:
    items = NAV.get(role) or COMMON
    return items[0][0]


def shell(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"session_seconds": settings.SESSION_COOKIE_AGE}
    items = [*NAV.get(user.role, []), *COMMON]
    path = request.path
    nav = [{"url": u, "label": label, "active": path.startswith(u)} for u, label in items]
    # Only the longest matching prefix is marked active.
    best = max((n for n in nav if n["active"]), key=lambda n: len(str(n["url"])), default=None)
    for n in nav:
        n["active"] = n is best
    # A desk's bar holds NAV_INLINE items at 1366 px; the rest go under 更多 (a <details> menu).
    # The active page always stays visible.
    inline, more = nav[:NAV_INLINE], nav[NAV_INLINE:]
    if best is not None and best in more:
        more.remove(best)
        more.insert(0, inline.pop())
        inline.append(best)
    banner = ""
    if user.role == Role.ADMIN:
        from hotline.core.calendar import calendar_status

        banner = str(calendar_status()["warning"])
    return {
        "nav": inline,
        "nav_more": more,
        "calendar_warning": banner,
        "session_seconds": settings.SESSION_COOKIE_AGE,
    }
