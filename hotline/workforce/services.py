"""Every write of the workforce app: staff registry, exams and the on-boarding gate, leave, rosters."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from hotline.accounts.models import Role, User
from hotline.core.errors import InvalidInput, NotAllowed, NotFound
from hotline.core.models import AuditLog
from hotline.workforce import roster as engine
from hotline.workforce.models import (
    LeaveRequest,
    OnboardingExam,
    Post,
    Qualification,
    Roster,
    RosterEntry,
    ShiftTemplate,
    Staff,
    TrainingRecord,
)
from hotline.workforce.profiles import (
    DEMO_QUEUES,
    FORECAST_ONLY,
    FORECAST_SHIFTS,
    OFFICE_SHIFT,
    month_days,
    month_requirement,
)

HR_ROLES = frozenset({Role.HR, Role.SUPERVISOR, Role.ADMIN})
APPROVER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})  # the buyer's side confirms going live

# The contract's posts (seed §2): code, name, group, head-count, live seat, queues, in the 172.
G = Post.Group
CONTRACT_POSTS: list[tuple[str, str, str, int, bool, list[str], bool]] = [
    ("agent", "话务员（民声接听员）", G.HOTLINE, 78, True, ["12345"], True),
    ("team_lead", "组长", G.HOTLINE, 6, True, ["12345"], True),
    ("visit", "回访员", G.HOTLINE, 14, True, ["visit", "12345"], True),
    ("merged", "归并热线话务员", G.MERGED, 32, True, ["merged"], True),
    ("senior_supervisor", "高级主管", G.SUPPORT, 1, False, [], True),
    ("supervisor", "主管/副主管", G.SUPPORT, 5, False, [], True),
    ("shift_lead", "班长/副班长", G.SUPPORT, 9, False, [], True),
    ("analyst", "数据分析员", G.SUPPORT, 4, False, [], True),
    ("annotator", "数据标注员", G.SUPPORT, 3, False, [], True),
    ("publicity", "宣传策划员", G.SUPPORT, 1, False, [], True),
    ("hr", "人力资源管理员", G.SUPPORT, 1, False, [], True),
    ("logistics", "后勤保障员", G.SUPPORT, 1, False, [], True),
    ("province", "省工单处理", G.SUPPORT, 3, False, [], True),
    ("tracking", "工单跟踪", G.SUPPORT, 5, False, [], True),
    ("switchboard", "政务总机", G.SUPPORT, 3, False, [], True),
    ("special_desk", "专席（人才、企业）", G.SUPPORT, 2, False, [], True),
    ("police_link", "110联动专席", G.SUPPORT, 2, False, [], True),
    ("discipline", "派驻纪委工作人员", G.SUPPORT, 2, False, [], True),
    ("onsite", "驻场管理人员", G.ONSITE, 5, False, [], False),
]


def _require(by: User, roles: frozenset[str], what: str) -> None:
    if by.role not in roles:
        raise NotAllowed(f"您的角色不能{what}。")


def _audit(by: User, action: str, obj: object, **data: object) -> None:
    AuditLog.objects.create(
        actor=by,
        action=action,
        object_type=type(obj).__name__,
        object_id=str(getattr(obj, "pk", "")),
        data=data,
    )


def posts_ensure() -> dict[str, Post]:
    """Create the contract's posts once (idempotent); returns them by code."""
    out: dict[str, Post] = {}
    for sort, (code, name, group, count, live, queues, in_contract) in enumerate(CONTRACT_POSTS):
        post, _ = Post.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "group": group,
                "contract_headcount": count,
                "live_seat": live,
                "queues": queues,
                "in_contract": in_contract,
                "sort": sort,
            },
        )
        out[code] = post
    return out


def shifts_ensure() -> dict[str, ShiftTemplate]:
    """Create the demo floor's shift templates once (idempotent); the curve's own ones forecast-only."""
    out: dict[str, ShiftTemplate] = {}
    for s in [*FORECAST_SHIFTS, OFFICE_SHIFT]:
        tpl, _ = ShiftTemplate.objects.get_or_create(
            code=s.code,
            defaults={
                "name": s.name,
                "segments": [list(seg) for seg in s.segments],
                "night": s.night,
                "office": s is OFFICE_SHIFT,
                "forecast_only": s in FORECAST_ONLY,
            },
        )
        out[s.code] = tpl
    return out


# --- staff registry ---------------------------------------------------------------------------------


@dataclass
class StaffInput:
    employee_no: str
    name: str
    post: str  # Post.code
    hire_date: date
    education: str = Staff.Education.COLLEGE
    mandarin: str = ""
    typing_cpm: int = 0
    queues: list[str] | None = None  # None: the post's queues
    night_ok: bool = True
    phone: str = ""
    note: str = ""
    username: str = ""  # link to an existing account


def staff_register(*, data: StaffInput, by: User) -> Staff:
    """Register a person in a post (登记人员)."""
    _require(by, HR_ROLES, "登记人员")
    errors: dict[str, str] = {}
    employee_no, name = data.employee_no.strip(), data.name.strip()
    if not employee_no:
        errors["employee_no"] = "请填写工号"
    elif len(employee_no) > 20:
        errors["employee_no"] = "工号不超过 20 个字符"
    elif Staff.objects.filter(employee_no=employee_no).exists():
        errors["employee_no"] = f"工号 {employee_no} 已被使用"
    if not name:
        errors["name"] = "请填写姓名"
    elif len(name) > 30:
        errors["name"] = "姓名不超过 30 个字符"
    post = Post.objects.filter(code=data.post).first()
    if post is None:
        errors["post"] = "请选择岗位"
    if data.education not in Staff.Education.values:
        errors["education"] = "请选择学历"
    if data.mandarin not in Staff.Mandarin.values:
        errors["mandarin"] = "请选择普通话等级"
    if not 0 <= data.typing_cpm <= 300:
        errors["typing_cpm"] = "汉字录入速度应在 0–300 字/分钟之间"
    if data.hire_date > timezone.localdate() + timedelta(days=366):
        errors["hire_date"] = "入职日期不能晚于一年之后"
    known_queues = {q for p in CONTRACT_POSTS for q in p[5]}
    if data.queues is not None and not set(data.queues) <= known_queues:
        errors["queues"] = "技能队列无效"
    user = None
    if data.username.strip():
        user = User.objects.filter(username=data.username.strip()).first()
        if user is None:
            errors["username"] = "没有这个登录账号"
        elif Staff.objects.filter(user=user).exists():
            errors["username"] = "该账号已关联其他人员"
    if errors:
        raise InvalidInput("人员信息有误，请按提示修改。", fields=errors)
    assert post is not None
    staff = Staff.objects.create(
        employee_no=employee_no,
        name=name,
        post=post,
        user=user,
        hire_date=data.hire_date,
        education=data.education,
        mandarin=data.mandarin,
        typing_cpm=data.typing_cpm,
        queues=sorted(set(post.queues if data.queues is None else data.queues)),
        night_ok=data.night_ok,
        phone=data.phone.strip()[:20],
        note=data.note.strip()[:200],
    )
    _audit(by, "staff_register", staff, post=post.code)
    return staff


def staff_leave(*, staff: Staff, leave_date: date, voluntary: bool, by: User) -> Staff:
    """Record that a person leaves (离职); counted in attrition from that day."""
    _require(by, HR_ROLES, "办理离职")
    if leave_date < staff.hire_date:
        raise InvalidInput("离职日期不能早于入职日期。", fields={"leave_date": "离职日期不能早于入职日期"})
    staff.leave_date = leave_date
    staff.voluntary_leave = voluntary
    staff.save(update_fields=["leave_date", "voluntary_leave"])
    _audit(by, "staff_leave", staff, leave_date=leave_date.isoformat(), voluntary=voluntary)
    return staff


def qualification_add(
    *, staff: Staff, kind: str, detail: str, issued_on: date, expires_on: date | None, by: User
) -> Qualification:
    """Record a certificate or test result (资质)."""
    _require(by, HR_ROLES, "登记资质")
    if kind not in Qualification.Kind.values:
        raise InvalidInput("请选择资质类别。", fields={"kind": "请选择资质类别"})
    if not detail.strip():
        raise InvalidInput("请填写等级或内容。", fields={"detail": "请填写等级或内容"})
    if expires_on is not None and expires_on < issued_on:
        raise InvalidInput("有效期不能早于取得日期。", fields={"expires_on": "有效期不能早于取得日期"})
    return Qualification.objects.create(
        staff=staff, kind=kind, detail=detail.strip()[:60], issued_on=issued_on, expires_on=expires_on
    )


def training_add(
    *, staff: Staff, course: str, started_on: date, hours: Decimal, passed: bool, by: User
) -> TrainingRecord:
    """Record a training course (培训记录)."""
    _require(by, HR_ROLES, "登记培训")
    if not course.strip():
        raise InvalidInput("请填写课程名称。", fields={"course": "请填写课程名称"})
    if not Decimal("0") < hours <= Decimal("1000"):
        raise InvalidInput("学时应在 0–1000 之间。", fields={"hours": "学时应在 0–1000 之间"})
    return TrainingRecord.objects.create(
        staff=staff, course=course.strip()[:80], started_on=started_on, hours=hours, passed=passed
    )


def _decimal(value: object, field: str, label: str) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{label}应为数字。", fields={field: f"{label}应为数字"}) from None
    if not result.is_finite():
        raise InvalidInput(f"{label}应为数字。", fields={field: f"{label}应为数字"})
    return result


def exam_record(
    *, staff: Staff, taken_on: date, score: object, by: User, pass_mark: object = 80
) -> OnboardingExam:
    """Record an on-boarding exam result (上岗考核成绩)."""
    _require(by, HR_ROLES, "登记考核成绩")
    value = _decimal(score, "score", "成绩")
    mark = _decimal(pass_mark, "pass_mark", "合格线")
    if not Decimal(0) <= value <= Decimal(100):
        raise InvalidInput("成绩应在 0–100 之间。", fields={"score": "成绩应在 0–100 之间"})
    if not Decimal(0) < mark <= Decimal(100):
        raise InvalidInput("合格线应在 0–100 之间。", fields={"pass_mark": "合格线应在 0–100 之间"})
    if taken_on > timezone.localdate():
        raise InvalidInput("考核日期不能晚于今天。", fields={"taken_on": "考核日期不能晚于今天"})
    exam = OnboardingExam.objects.create(
        staff=staff, taken_on=taken_on, score=value, pass_mark=mark, recorded_by=by
    )
    _audit(by, "exam_record", exam, staff=staff.employee_no, score=str(value))
    return exam


def exam_approve(*, exam: OnboardingExam, by: User) -> OnboardingExam:
    """Confirm a passed exam so the person may be rostered on live seats (审核确认上岗)."""
    _require(by, APPROVER_ROLES, "审核上岗（须由主管审核确认）")
    with transaction.atomic():
        exam = OnboardingExam.objects.select_for_update().select_related("staff").get(pk=exam.pk)
        if exam.approved_at is not None:
            return exam
        if not exam.passed:
            raise InvalidInput(
                f"考核成绩 {exam.score} 未达合格线 {exam.pass_mark}，不能审核上岗。", code="exam_not_passed"
            )
        if exam.staff.post.live_seat and not exam.staff.meets_basic_requirements:
            raise InvalidInput(
                "该人员未达到接听岗位基本条件（大专及以上学历、普通话二级乙等及以上、汉字录入不低于 60 字/分钟）。",
                code="requirements_not_met",
            )
        exam.approved_by = by
        exam.approved_at = timezone.now()
        exam.save(update_fields=["approved_by", "approved_at"])
    _audit(by, "exam_approve", exam, staff=exam.staff.employee_no)
    return exam


# --- leave --------------------------------------------------------------------------------------------


def leave_request(*, staff: Staff, kind: str, start: date, end: date, reason: str, by: User) -> LeaveRequest:
    """Ask for leave (请假申请); HR, supervisors and the person themself may ask."""
    if by.role not in HR_ROLES and getattr(staff, "user_id", None) != by.pk:
        raise NotAllowed("只能为本人申请请假。")
    if kind not in LeaveRequest.Kind.values:
        raise InvalidInput("请选择请假类别。", fields={"kind": "请选择请假类别"})
    if end < start:
        raise InvalidInput("结束日期不能早于开始日期。", fields={"end": "结束日期不能早于开始日期"})
    if (end - start).days > 180:
        raise InvalidInput("单次请假不超过 180 天。", fields={"end": "单次请假不超过 180 天"})
    return LeaveRequest.objects.create(
        staff=staff, kind=kind, start=start, end=end, reason=reason.strip()[:200]
    )


def leave_decide(*, leave: LeaveRequest, approve: bool, by: User) -> LeaveRequest:
    """Approve or reject a pending leave request (审批请假)."""
    _require(by, HR_ROLES, "审批请假")
    with transaction.atomic():
        leave = LeaveRequest.objects.select_for_update().get(pk=leave.pk)
        if leave.state != LeaveRequest.State.PENDING:
            raise InvalidInput(
                f"该请假已{leave.get_state_display()}，不能再次审批。", code="invalid_transition"
            )
        leave.state = LeaveRequest.State.APPROVED if approve else LeaveRequest.State.REJECTED
        leave.decided_by = by
        leave.decided_at = timezone.now()
        leave.save(update_fields=["state", "decided_by", "decided_at"])
    return leave


# --- rosters ------------------------------------------------------------------------------------------


@dataclass
class RosterOptions:
    time_limit_s: float = 60.0
    diagnose_time_s: float = 20.0
    rules: engine.Rules = field(default_factory=engine.Rules)
    queues: dict[str, dict[str, tuple[int, int]]] = field(default_factory=lambda: dict(DEMO_QUEUES))
    # queue → per-slot need over the month (from the forecast); replaces that queue's head-count demand.
    requirement: dict[str, list[int]] = field(default_factory=dict)


def _rest_days(days: list[date]) -> frozenset[date]:
    from hotline.core.calendar import get_calendar

    cal = get_calendar()
    return frozenset(d for d in days if not cal.is_workday(d))


def _templates_for(demand: str) -> QuerySet[ShiftTemplate]:
    """Active templates a roster from ``demand`` may use: forecast-only ones make a head-count roster worse."""
    active = ShiftTemplate.objects.filter(active=True)
    return active if demand == "forecast" else active.filter(forecast_only=False)


def roster_problem(
    *, month: date, options: RosterOptions, demand: str = "contract"
) -> tuple[engine.Problem, dict[str, ShiftTemplate]]:
    """Plain data for the solver from the registry: who may work which queue on which day."""
    from hotline.workforce.selectors import staff_cleared_ids

    templates = {t.code: t for t in _templates_for(demand)}
    shifts = [
        engine.Shift(t.code, t.name, tuple((int(a), int(b)) for a, b in t.segments), night=t.night)
        for t in templates.values()
        if not t.office
    ]
    office = next((t for t in templates.values() if t.office), None)
    office_shift = (
        engine.Shift(office.code, office.name, tuple((int(a), int(b)) for a, b in office.segments))
        if office
        else None
    )
    days = month_days(month)
    first, last = days[0], days[-1]
    staff = list(
        Staff.objects.select_related("post")
        .filter(hire_date__lte=last)
        .exclude(leave_date__isnull=False, leave_date__lte=first)
        .order_by("employee_no")
    )
    cleared = staff_cleared_ids()
    leave: dict[int, set[date]] = {}
    for lr in LeaveRequest.objects.filter(state=LeaveRequest.State.APPROVED, start__lte=last, end__gte=first):
        span = (lr.end - lr.start).days
        leave.setdefault(lr.staff_id, set()).update(lr.start + timedelta(days=i) for i in range(span + 1))
    people = [
        engine.Person(
            id=s.pk,
            name=s.name,
            queues=frozenset(s.queues) if s.post.live_seat else frozenset(),
            live_ok=s.pk in cleared,
            night_ok=s.night_ok,
            leave=frozenset(leave.get(s.pk, set())),
            absent=frozenset(d for d in days if not s.employed_on(d)),
        )
        for s in staff
    ]
    rest = _rest_days(days)
    problem = engine.Problem(
        days=days,
        shifts=shifts,
        people=people,
        requirement={**month_requirement(days, rest, options.queues), **options.requirement},
        rules=options.rules,
        rest_days=rest,
        office_shift=office_shift,
        time_limit_s=options.time_limit_s,
        diagnose_time_s=options.diagnose_time_s,
    )
    return problem, templates


def roster_request(*, month: date, by: User, demand: str = "contract") -> Roster:
    """Open a roster for a month; the solve runs as a job (``roster_solve``)."""
    _require(by, HR_ROLES, "生成排班")
    if demand not in ("contract", "forecast"):
        raise InvalidInput("请选择需求来源。", fields={"demand": "请选择需求来源"})
    month = month.replace(day=1)
    today = timezone.localdate()
    if month < today.replace(day=1) - timedelta(days=366) or month > today + timedelta(days=400):
        raise InvalidInput("只能为一年内的月份排班。", fields={"month": "只能为一年内的月份排班"})
    if Roster.objects.filter(month=month, outcome="running").exists():
        raise InvalidInput("该月份的排班正在计算，请稍候。", code="conflict")
    if not _templates_for(demand).filter(office=False).exists():
        raise InvalidInput("还没有启用的班次模板，请先设置班次。")
    roster = Roster.objects.create(
        month=month,
        outcome="running",
        solver_status="",
        required_hours=0,
        rostered_hours=0,
        wall_s=0,
        demand=demand,
        created_by=by,
    )
    _audit(by, "roster_request", roster, month=month.isoformat())
    return roster


def roster_solve(*, roster_id: int, options: RosterOptions | None = None) -> Roster:
    """Solve a requested roster and store its entries (idempotent: a solved roster is left alone)."""
    options = options or RosterOptions()
    roster = Roster.objects.get(pk=roster_id)
    if roster.outcome != "running":
        return roster
    forecast_notes: list[str] = []
    if roster.demand == "forecast" and not options.requirement:
        from hotline.workforce.demand import month_requirement_from_forecast

        options.requirement, forecast_notes = month_requirement_from_forecast(
            month_days(roster.month), today=timezone.localdate()
        )
    try:
        problem, templates = roster_problem(month=roster.month, options=options, demand=roster.demand)
        result = engine.solve(problem)
    except engine.RosterInputError as exc:
        roster.outcome = "error"
        roster.messages = [str(exc)]
        roster.save(update_fields=["outcome", "messages"])
        return roster
    entries = [
        RosterEntry(roster=roster, staff_id=pid, day=day, shift=templates[code], queue=queue or "")
        for (pid, day), (code, queue) in result.assignments.items()
    ]
    with transaction.atomic():
        RosterEntry.objects.filter(roster=roster).delete()
        RosterEntry.objects.bulk_create(entries, batch_size=2000)
        roster.outcome = result.status
        roster.solver_status = result.solver_status
        roster.required_hours = Decimal(f"{result.lower_bound_hours:.1f}")
        roster.rostered_hours = Decimal(f"{result.worked_hours:.1f}")
        roster.short_hours = Decimal(f"{result.short_slots * engine.SLOT_MIN / 60:.1f}")
        roster.wall_s = round(result.wall_s, 2)
        roster.messages = result.messages()
        roster.notes = forecast_notes + result.notes
        roster.rules = {k: v for k, v in asdict(options.rules).items() if k != "relaxed"}
        roster.save()
    return roster


def roster_publish(*, roster: Roster, by: User) -> Roster:
    """Publish a solved roster (发布排班); another published roster of the month goes back to draft."""
    _require(by, HR_ROLES, "发布排班")
    if roster.outcome not in ("ok", "short"):
        raise InvalidInput("排班尚未计算完成，不能发布。", code="invalid_transition")
    with transaction.atomic():
        Roster.objects.filter(month=roster.month, status=Roster.Status.PUBLISHED).exclude(
            pk=roster.pk
        ).update(status=Roster.Status.DRAFT)
        roster.status = Roster.Status.PUBLISHED
        roster.save(update_fields=["status"])
    _audit(by, "roster_publish", roster)
    return roster


def staff_get(pk: int) -> Staff:
    staff = Staff.objects.select_related("post", "user").filter(pk=pk).first()
    if staff is None:
        raise NotFound("人员不存在。")
    return staff
