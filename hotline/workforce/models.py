"""Workforce (排班与人力): posts, staff, qualifications, training, on-boarding exams, leave, rosters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class Post(models.Model):
    """A named post of the service contract (岗位) and its contracted head-count (定编)."""

    class Group(models.TextChoices):
        HOTLINE = "hotline", "12345话务岗"
        MERGED = "merged", "整合热线话务岗"
        SUPPORT = "support", "综合支撑岗"
        ONSITE = "onsite", "驻场管理"

    code = models.CharField("编码", max_length=30, unique=True)
    name = models.CharField("岗位", max_length=40)
    group = models.CharField("类别", max_length=20, choices=Group.choices)
    contract_headcount = models.PositiveIntegerField("合同定编", default=0)
    # Counted in the contract's 172 service staff (the supplier's on-site managers are not).
    in_contract = models.BooleanField("计入服务人员定编", default=True)
    live_seat = models.BooleanField("上线接听", default=False, help_text="须通过上岗考核并经审核方可排线上班")
    queues = models.JSONField("可接队列", default=list, blank=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    """A person on the floor (人员), optionally linked to the account they sign in with."""

    class Education(models.TextChoices):
        HIGH_SCHOOL = "high_school", "高中/中专"
        COLLEGE = "college", "大专"
        BACHELOR = "bachelor", "本科"
        MASTER = "master", "硕士及以上"

    class Mandarin(models.TextChoices):
        NONE = "", "未取得"
        L3B = "3b", "三级乙等"
        L3A = "3a", "三级甲等"
        L2B = "2b", "二级乙等"
        L2A = "2a", "二级甲等"
        L1B = "1b", "一级乙等"
        L1A = "1a", "一级甲等"

    employee_no = models.CharField("工号", max_length=20, unique=True)
    name = models.CharField("姓名", max_length=30)
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="staff", verbose_name="岗位")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
        verbose_name="登录账号",
    )
    hire_date = models.DateField("入职日期")
    leave_date = models.DateField("离职日期", null=True, blank=True)
    voluntary_leave = models.BooleanField("本人原因离职", default=False)
    education = models.CharField("学历", max_length=20, choices=Education.choices, default=Education.COLLEGE)
    mandarin = models.CharField("普通话等级", max_length=2, choices=Mandarin.choices, blank=True, default="")
    typing_cpm = models.PositiveSmallIntegerField("汉字录入（字/分钟）", default=0)
    queues = models.JSONField("技能队列", default=list, blank=True)
    night_ok = models.BooleanField("可上夜班", default=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        ordering = ["employee_no"]
        constraints = [
            models.CheckConstraint(
                condition=Q(leave_date__isnull=True) | Q(leave_date__gte=models.F("hire_date")),
                name="staff_leave_after_hire",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.employee_no}）"

    def employed_on(self, day: date) -> bool:
        return self.hire_date <= day and (self.leave_date is None or day < self.leave_date)

    @property
    def meets_basic_requirements(self) -> bool:
        """The contract's entry conditions for answering posts: 大专+, 普通话二级乙等+, 60 字/分钟."""
        return (
            self.education != self.Education.HIGH_SCHOOL
            and self.mandarin in {"2b", "2a", "1b", "1a"}
            and self.typing_cpm >= 60
        )


class Qualification(models.Model):
    """A certificate or test result (资质), possibly with an expiry date."""

    class Kind(models.TextChoices):
        MANDARIN = "mandarin", "普通话等级证书"
        TYPING = "typing", "汉字录入测试"
        EDUCATION = "education", "学历证书"
        TITLE = "title", "职称证书"
        OTHER = "other", "其他"

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="qualifications")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    detail = models.CharField("等级/内容", max_length=60)
    issued_on = models.DateField("取得日期")
    expires_on = models.DateField("有效期至", null=True, blank=True)

    class Meta:
        verbose_name = "资质"
        verbose_name_plural = "资质"
        ordering = ["staff", "kind", "-issued_on"]

    def expired_on(self, day: date) -> bool:
        return self.expires_on is not None and self.expires_on < day


class TrainingRecord(models.Model):
    """A training course attended (培训记录)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="trainings")
    course = models.CharField("课程", max_length=80)
    started_on = models.DateField("开始日期")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    passed = models.BooleanField("考核通过", default=True)

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = "培训记录"
        ordering = ["staff", "-started_on"]


class OnboardingExam(models.Model):
    """The test before going live (上岗考核); live seats need a pass and the buyer's approval."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="exams")
    taken_on = models.DateField("考核日期")
    score = models.DecimalField("成绩", max_digits=5, decimal_places=1)
    pass_mark = models.DecimalField("合格线", max_digits=5, decimal_places=1, default=80)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField("审核时间", null=True, blank=True)

    class Meta:
        verbose_name = "上岗考核"
        verbose_name_plural = "上岗考核"
        ordering = ["staff", "-taken_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="exam_score_0_100")
        ]

    @property
    def passed(self) -> bool:
        return self.score >= self.pass_mark


class LeaveRequest(models.Model):
    """Leave (请假): requested, then approved or rejected; approved leave blocks rostering."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", "年假"
        SICK = "sick", "病假"
        PERSONAL = "personal", "事假"
        MARRIAGE = "marriage", "婚假"
        MATERNITY = "maternity", "产假/陪产假"
        OTHER = "other", "其他"

    class State(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="leave_requests")
    kind = models.CharField("类别", max_length=20, choices=Kind.choices)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    reason = models.CharField("事由", max_length=200, blank=True)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "请假"
        verbose_name_plural = "请假"
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="leave_end_after_start")
        ]


class ShiftTemplate(models.Model):
    """A shift (班次): one or two segments in minutes from 00:00 of its start day (night: past 1440)."""

    code = models.CharField("编码", max_length=10, unique=True)
    name = models.CharField("名称", max_length=20)
    segments = models.JSONField("时段", help_text="[[开始分钟, 结束分钟], ...]，跨零点的结束分钟大于 1440")
    night = models.BooleanField("夜班", default=False)
    office = models.BooleanField("行政班", default=False, help_text="非话务岗位在工作日上的班次")
    forecast_only = models.BooleanField(
        "仅用于话务预测排班",
        default=False,
        help_text="勾选后只在需求来源为话务预测时参与排班，按合同人数排班不用",
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "班次"
        verbose_name_plural = "班次"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Roster(models.Model):
    """A month's roster (月排班表) as solved; entries hold one shift per person per day."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    month = models.DateField("月份", help_text="当月 1 日")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.DRAFT)
    outcome = models.CharField("结果", max_length=20)  # ok / short / unknown (roster.Result.status)
    solver_status = models.CharField(max_length=20)
    required_hours = models.DecimalField("需求工时（下界）", max_digits=9, decimal_places=1)
    rostered_hours = models.DecimalField("排班工时", max_digits=9, decimal_places=1)
    short_hours = models.DecimalField("缺口工时", max_digits=9, decimal_places=1, default=0)
    wall_s = models.FloatField("求解用时（秒）")
    messages = models.JSONField("缺口说明", default=list, blank=True)
    notes = models.JSONField("备注", default=list, blank=True)
    rules = models.JSONField("劳动规则", default=dict)
    demand = models.CharField(
        "需求来源",
        max_length=20,
        default="contract",
        choices=[("contract", "合同人数"), ("forecast", "话务预测")],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "排班表"
        verbose_name_plural = "排班表"
        ordering = ["-month", "-created_at"]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}排班"


class RosterEntry(models.Model):
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="entries")
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="roster_entries")
    day = models.DateField("日期")
    shift = models.ForeignKey(ShiftTemplate, on_delete=models.PROTECT, related_name="+")
    queue = models.CharField("队列", max_length=20, blank=True)

    class Meta:
        verbose_name = "排班"
        verbose_name_plural = "排班"
        constraints = [
            models.UniqueConstraint(fields=["roster", "staff", "day"], name="roster_one_shift_a_day")
        ]


class CallVolumeDay(models.Model):
    """Calls offered per half-hour on one day for one hotline, imported from an earlier platform.

    The forecast reads call records first; days with no call records use these rows (history from
    before go-live, or the demo's synthetic weeks).
    """

    hotline = models.CharField("热线号码", max_length=20)
    day = models.DateField("日期")
    counts = models.JSONField("每半小时来电量", help_text="48 个非负整数，00:00 起每 30 分钟")
    source = models.CharField("来源", max_length=40, default="import")

    class Meta:
        verbose_name = "历史话务量"
        verbose_name_plural = "历史话务量"
        ordering = ["hotline", "day"]
        constraints = [models.UniqueConstraint(fields=["hotline", "day"], name="callvolume_one_row_a_day")]

    def __str__(self) -> str:
        return f"{self.hotline} {self.day}"


class AttendanceRecord(models.Model):
    """A day's clock-in and clock-out (考勤打卡): derived from call-centre sign-in, or entered by hand."""

    class Source(models.TextChoices):
        PHONE = "phone", "话务签入签出"
        MANUAL = "manual", "手工登记"

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="attendance")
    day = models.DateField("日期", help_text="班次开始的日期（夜班记在上班当天）")
    clock_in = models.DateTimeField("上班打卡", null=True, blank=True)
    clock_out = models.DateTimeField("下班打卡", null=True, blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    note = models.CharField("备注", max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "考勤记录"
        verbose_name_plural = "考勤记录"
        ordering = ["-day", "staff"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "day"], name="attendance_one_a_day"),
            models.CheckConstraint(
                condition=Q(clock_in__isnull=True)
                | Q(clock_out__isnull=True)
                | Q(clock_out__gte=models.F("clock_in")),
                name="attendance_out_after_in",
            ),
        ]


class ShiftSwap(models.Model):
    """A shift swap request (换班申请): two people exchange their shifts (or rest) on one day."""

    class State(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"
        CANCELLED = "cancelled", "已撤回"

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="swaps")
    day = models.DateField("日期")
    requester = models.ForeignKey(
        Staff, on_delete=models.CASCADE, related_name="swaps_asked", verbose_name="申请人"
    )
    counterpart = models.ForeignKey(
        Staff, on_delete=models.CASCADE, related_name="swaps_offered", verbose_name="对调人"
    )
    reason = models.CharField("事由", max_length=200, blank=True)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PENDING)
    refusal = models.CharField("驳回原因", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "换班申请"
        verbose_name_plural = "换班申请"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(requester=models.F("counterpart")), name="swap_two_people")
        ]


class PayRule(models.Model):
    """Pay and scorecard rules (薪酬与绩效规则) for a post, or the default when no post is set."""

    post = models.OneToOneField(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="pay_rule", verbose_name="岗位"
    )
    base_monthly = models.DecimalField(
        "基本工资（元/月）", max_digits=9, decimal_places=2, default=Decimal("4200")
    )
    performance_max = models.DecimalField(
        "绩效工资满额（元/月）", max_digits=9, decimal_places=2, default=Decimal("1500")
    )
    night_allowance = models.DecimalField(
        "夜班津贴（元/个）", max_digits=7, decimal_places=2, default=Decimal("80")
    )
    holiday_multiplier = models.DecimalField(
        "法定节假日加班倍数", max_digits=4, decimal_places=2, default=Decimal("3")
    )
    restday_multiplier = models.DecimalField(
        "休息日加班倍数", max_digits=4, decimal_places=2, default=Decimal("0"),
        help_text="轮班制下休息日上班一般已调休，默认 0 表示不另计",
    )  # fmt: skip
    monthly_work_days = models.DecimalField(
        "月计薪天数", max_digits=5, decimal_places=2, default=Decimal("21.75")
    )
    w_calls = models.PositiveSmallIntegerField("权重：接听量", default=25)
    w_aht = models.PositiveSmallIntegerField("权重：平均处理时长", default=10)
    w_qa = models.PositiveSmallIntegerField("权重：质检得分", default=30)
    w_satisfaction = models.PositiveSmallIntegerField("权重：满意度", default=15)
    w_attendance = models.PositiveSmallIntegerField("权重：出勤", default=15)
    w_complaints = models.PositiveSmallIntegerField("权重：服务投诉", default=5)
    late_grace_min = models.PositiveSmallIntegerField("迟到宽限（分钟）", default=5)

    class Meta:
        verbose_name = "薪酬与绩效规则"
        verbose_name_plural = "薪酬与绩效规则"
        ordering = ["post__sort"]

    def __str__(self) -> str:
        return f"{self.post.name if self.post else '默认'}薪酬规则"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, str] = {}
        weights = [
            self.w_calls,
            self.w_aht,
            self.w_qa,
            self.w_satisfaction,
            self.w_attendance,
            self.w_complaints,
        ]
        if sum(weights) <= 0:
            errors["w_calls"] = "各项权重之和须大于 0。"
        for name in (
            "base_monthly",
            "performance_max",
            "night_allowance",
            "holiday_multiplier",
            "restday_multiplier",
        ):
            if getattr(self, name) is not None and getattr(self, name) < 0:
                errors[name] = "不能为负数。"
        if self.monthly_work_days is not None and self.monthly_work_days <= 0:
            errors["monthly_work_days"] = "月计薪天数须大于 0。"
        if errors:
            raise ValidationError(errors)


class ServiceComplaint(models.Model):
    """A complaint about a person's service (服务投诉), recorded by HR once looked into."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="complaints", verbose_name="人员")
    day = models.DateField("日期")
    summary = models.CharField("内容", max_length=200)
    upheld = models.BooleanField("经核实属实", default=True, help_text="只有属实的投诉计入绩效")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "服务投诉"
        verbose_name_plural = "服务投诉"
        ordering = ["-day"]
