"""Call-centre configuration (hotlines, queues, seats, agents, hours, IVR flows, emergency settings)
and what calls leave behind (call detail records, the queue log, recordings, callback tasks)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from hotline.callcenter.engine.config import Strategy
from hotline.callcenter.engine.ivr import flow_queues, validate_flow
from hotline.callcenter.engine.records import Disposition

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
WEEKDAYS = "一二三四五六日"


class Prompt(models.Model):
    """A recorded prompt (提示音) that IVR flows and the queue play by key."""

    key = models.SlugField("标识", max_length=60, unique=True)
    name = models.CharField("名称", max_length=100)
    text = models.TextField("播报内容", blank=True)
    audio_path = models.CharField("音频文件", max_length=300, blank=True)

    class Meta:
        verbose_name = "提示音"
        verbose_name_plural = "提示音"
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.name}（{self.key}）"


class BusinessHours(models.Model):
    """Weekly open windows: `[{"days": [0, 1, 2, 3, 4], "start": "08:30", "end": "17:30"}, ...]` (0 = 周一)."""

    name = models.CharField("名称", max_length=60, unique=True)
    windows = models.JSONField("时段", default=list)
    follow_holidays = models.BooleanField("法定节假日休息（按工作日历）", default=True)

    class Meta:
        verbose_name = "工作时间"
        verbose_name_plural = "工作时间"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.windows, list) or not self.windows:
            raise ValidationError(
                {
                    "windows": '请至少填写一个时段，例如 [{"days": [0,1,2,3,4], "start": "08:30", "end": "17:30"}]。'
                }
            )
        for i, w in enumerate(self.windows, 1):
            if not isinstance(w, dict):
                raise ValidationError({"windows": f"第 {i} 个时段格式错误。"})
            days = w.get("days")
            if not isinstance(days, list) or not days or any(d not in range(7) for d in days):
                raise ValidationError(
                    {"windows": f"第 {i} 个时段的 days 必须是 0（周一）到 6（周日）的列表。"}
                )
            start, end = str(w.get("start", "")), str(w.get("end", ""))
            if not _TIME.match(start) or not _TIME.match(end):
                raise ValidationError({"windows": f"第 {i} 个时段的开始、结束时间格式应为 HH:MM。"})
            if start >= end:
                raise ValidationError({"windows": f"第 {i} 个时段的结束时间必须晚于开始时间。"})

    def describe(self) -> str:
        parts = []
        for w in self.windows or []:
            days = "、".join("周" + WEEKDAYS[d] for d in w.get("days", []))
            parts.append(f"{days} {w.get('start')}–{w.get('end')}")
        return "；".join(parts)


class Queue(models.Model):
    """A queue / skill group (技能组). Overflow sends waiting callers on to another queue too (双号并行)."""

    key = models.SlugField("标识", max_length=30, unique=True)
    name = models.CharField("名称", max_length=60)
    strategy = models.CharField(
        "分配策略",
        max_length=20,
        choices=[
            (Strategy.LONGEST_IDLE, "最长空闲优先"),
            (Strategy.SKILL_LEVEL, "技能等级优先"),
            (Strategy.ROUND_ROBIN, "轮询"),
        ],
        default=Strategy.LONGEST_IDLE,
    )
    max_length = models.PositiveIntegerField("最大排队数", default=0, help_text="0 表示不限")
    overflow_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="overflow_from",
        verbose_name="溢出到",
    )
    overflow_after_s = models.PositiveIntegerField(
        "等待多少秒后溢出", default=0, help_text="0 表示仅在排满时溢出"
    )
    wrapup_s = models.PositiveIntegerField("话后处理（秒）", default=15)
    offer_timeout_s = models.PositiveIntegerField(
        "振铃超时（秒）", default=15, validators=[MinValueValidator(5)]
    )
    announce_every_s = models.PositiveIntegerField(
        "排队播报间隔（秒）", default=60, help_text="0 表示只在进入时播报"
    )
    aht_s = models.PositiveIntegerField(
        "预计平均处理时长（秒）", default=240, validators=[MinValueValidator(1)]
    )
    is_callback = models.BooleanField("回拨专席", default=False)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "队列/技能组"
        verbose_name_plural = "队列/技能组"
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.overflow_to_id is not None:
            chain = [self.key]
            target: Queue | None = self.overflow_to
            while target is not None:
                if target.pk == self.pk or target.key in chain:
                    chain.append(target.key)
                    errors["overflow_to"] = (
                        f"溢出设置形成循环：{' → '.join(chain)}。请改为溢出到不会再溢出回来的队列。"
                    )
                    break
                chain.append(target.key)
                target = target.overflow_to
            if "overflow_to" not in errors and self.overflow_to and not self.overflow_to.has_agents():
                errors["overflow_to"] = (
                    f"溢出目标“{self.overflow_to.name}”没有任何座席具备该技能，溢出后无人接听。"
                )
        if self.overflow_after_s and self.overflow_to_id is None:
            errors["overflow_after_s"] = "设置了溢出等待时间，但没有选择溢出到的队列。"
        if errors:
            raise ValidationError(errors)

    def has_agents(self) -> bool:
        return self.pk is not None and AgentSkill.objects.filter(queue=self, agent__is_active=True).exists()


class IvrFlow(models.Model):
    """An IVR flow as data; see `engine/ivr.py` for the node types. Refused on save when unsound."""

    name = models.CharField("名称", max_length=60, unique=True)
    flow = models.JSONField("流程", default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "IVR 流程"
        verbose_name_plural = "IVR 流程"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        queues = set(Queue.objects.filter(is_active=True).values_list("key", flat=True))
        prompts = set(Prompt.objects.values_list("key", flat=True))
        errors = validate_flow(self.flow, queues=queues, prompts=prompts)
        if not errors:
            for key in sorted(flow_queues(self.flow)):
                if not AgentSkill.objects.filter(queue__key=key, agent__is_active=True).exists():
                    errors.append(f"流程转入的队列“{key}”没有任何座席具备该技能，来电将无人接听。")
        if errors:
            raise ValidationError({"flow": errors})


class Hotline(models.Model):
    """A dialled number (12345, 12315, ...): where its calls go, its hours and after-hours route."""

    number = models.CharField("号码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=60)
    queue = models.ForeignKey(
        Queue, on_delete=models.PROTECT, related_name="hotlines", verbose_name="默认队列"
    )
    ivr = models.ForeignKey(IvrFlow, null=True, blank=True, on_delete=models.PROTECT, verbose_name="IVR 流程")
    hours = models.ForeignKey(
        BusinessHours,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name="工作时间",
        help_text="空表示 7×24 小时",
    )
    after_hours_number = models.CharField("非工作时间转接号码", max_length=30, blank=True)
    survey = models.BooleanField("通话后满意度评价", default=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "热线号码"
        verbose_name_plural = "热线号码"
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.queue_id and not self.queue.has_agents():
            errors["queue"] = (
                f"队列“{self.queue.name}”没有任何座席具备该技能，来电将无人接听；请先为座席分配技能。"
            )
        if self.after_hours_number and not re.fullmatch(r"[0-9*#+\-]{3,30}", self.after_hours_number):
            errors["after_hours_number"] = "转接号码只能包含数字、+、-、*、#。"
        if errors:
            raise ValidationError(errors)


class Seat(models.Model):
    """A physical seat (座席) on the floor, and what it is for."""

    class Group(models.TextChoices):
        ANSWER_12345 = "12345", "12345 接听"
        CALLBACK = "callback", "回拨"
        SUPPORT = "support", "支撑"
        PROVINCE = "province", "省工单"
        MULTIMEDIA = "multimedia", "多媒体"
        TALENT = "talent", "人才"
        ENTERPRISE = "enterprise", "企业"
        ENGLISH = "english", "英语"
        SWITCHBOARD = "switchboard", "政务总机"
        H12315 = "12315", "12315"
        H12319 = "12319", "12319"
        H12328 = "12328", "12328"
        H12329 = "12329", "12329"
        H12348 = "12348", "12348"
        H12393 = "12393", "12393"
        POLICE = "110", "110 联动"

    code = models.CharField("座席号", max_length=20, unique=True)
    group = models.CharField("用途", max_length=20, choices=Group.choices)
    extension = models.CharField("分机号", max_length=20, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "座席"
        verbose_name_plural = "座席"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}（{self.get_group_display()}）"


class Agent(models.Model):
    """A person who takes calls (话务员), with a 工号 and skills."""

    code = models.CharField("工号", max_length=20, unique=True)
    name = models.CharField("姓名", max_length=50)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="call_agent",
        verbose_name="登录账号",
    )  # fmt: skip
    seat = models.ForeignKey(Seat, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="默认座席")
    is_active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = "话务员"
        verbose_name_plural = "话务员"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class AgentSkill(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="skills", verbose_name="话务员")
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="skills", verbose_name="队列")
    level = models.PositiveSmallIntegerField(
        "技能等级",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text="1 最高，优先分配",
    )

    class Meta:
        verbose_name = "技能"
        verbose_name_plural = "技能"
        constraints = [
            models.UniqueConstraint(fields=["agent", "queue"], name="agentskill_once"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=9), name="agentskill_level_1_9"),
        ]

    def __str__(self) -> str:
        return f"{self.queue.key}:{self.level}"


class CentreSettings(models.Model):
    """One row: emergency mode, repeat-caller priority and the KPI parameters printed on reports."""

    emergency_mode = models.BooleanField("应急模式", default=False)
    divert_all = models.BooleanField("全部切换到灾备中心", default=False)
    emergency_lines = models.PositiveIntegerField("应急线路数", default=30)
    dr_site_number = models.CharField("灾备中心号码", max_length=30, blank=True)
    repeat_window_h = models.PositiveIntegerField(
        "重复来电优先窗口（小时）", default=24, help_text="0 表示不启用"
    )
    short_abandon_s = models.PositiveIntegerField(
        "秒挂阈值（秒）", default=5, help_text="接通率分母中剔除在此时间内放弃的来电"
    )
    answer_s = models.PositiveIntegerField("服务水平时限（秒）", default=30)
    callback_deadline_h = models.PositiveIntegerField(
        "漏接回拨时限（小时）", default=24, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = "呼叫中心设置"
        verbose_name_plural = "呼叫中心设置"

    def __str__(self) -> str:
        return "呼叫中心设置"

    def clean(self) -> None:
        errors = {}
        if self.emergency_lines < 30:
            errors["emergency_lines"] = "应急线路不得少于 30 条。"
        if (self.emergency_mode or self.divert_all) and not self.dr_site_number:
            errors["dr_site_number"] = "启用应急模式前请填写灾备中心号码。"
        if self.divert_all and not self.emergency_mode:
            errors["divert_all"] = "只有在应急模式下才能全部切换到灾备中心。"
        if errors:
            raise ValidationError(errors)

    @classmethod
    def get(cls) -> CentreSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


DISPOSITION_CHOICES = [
    (Disposition.ANSWERED, "人工接通"),
    (Disposition.ABANDONED_IVR, "IVR 中放弃"),
    (Disposition.ABANDONED_QUEUE, "排队中放弃"),
    (Disposition.ABANDONED_RINGING, "振铃中放弃"),
    (Disposition.QUEUE_FULL, "排队已满"),
    (Disposition.AFTER_HOURS, "非工作时间"),
    (Disposition.AFTER_HOURS_TRANSFER, "非工作时间转接"),
    (Disposition.DIVERTED, "应急分流"),
    (Disposition.IVR_COMPLETED, "自助服务完成"),
    (Disposition.IVR_TRANSFER, "IVR 转接"),
    (Disposition.TRANSFERRED_OUT, "转外线"),
    (Disposition.ORPHAN, "孤立话单"),
]


class CallRecord(models.Model):
    """A call detail record (话单): one per call, written by the engine when the call ends."""

    call_id = models.CharField("呼叫编号", max_length=64, unique=True)
    hotline = models.CharField("被叫号码", max_length=20, db_index=True)
    ani = models.CharField("主叫号码", max_length=30, blank=True)
    direction = models.CharField(
        "方向", max_length=10, default="in", choices=[("in", "呼入"), ("out", "呼出")]
    )
    arrived_at = models.DateTimeField("来电时间", db_index=True)
    queued_at = models.DateTimeField("进入队列", null=True, blank=True)
    answered_at = models.DateTimeField("应答时间", null=True, blank=True)
    ended_at = models.DateTimeField("结束时间")
    queue = models.CharField("队列", max_length=30, blank=True)
    answered_queue = models.CharField("应答队列", max_length=30, blank=True)
    agent_code = models.CharField("工号", max_length=20, blank=True, db_index=True)
    wait_s = models.FloatField("等待（秒）", default=0)
    talk_s = models.FloatField("通话（秒）", default=0)
    hold_s = models.FloatField("保持（秒）", default=0)
    hold_count = models.PositiveIntegerField(default=0)
    offers = models.PositiveIntegerField("分配次数", default=0)
    missed_offers = models.PositiveIntegerField("坐席未接次数", default=0)
    transfers = models.PositiveIntegerField("转接次数", default=0)
    parties = models.JSONField("三方", default=list, blank=True)
    agents = models.JSONField("参与坐席", default=list, blank=True)
    ivr_path = models.JSONField("IVR 路径", default=list, blank=True)
    overflowed = models.BooleanField("溢出", default=False)
    priority = models.SmallIntegerField(default=0)
    repeat = models.BooleanField("重复来电", default=False)
    entry_position = models.PositiveIntegerField("入队位置", default=0)
    disposition = models.CharField("结果", max_length=24, choices=DISPOSITION_CHOICES)
    missed = models.BooleanField("漏接", default=False)
    release_side = models.CharField("释放方", max_length=10, blank=True)
    cause = models.CharField("原因", max_length=40, blank=True)
    survey = models.CharField(
        "满意度", max_length=1, blank=True, choices=[("1", "满意"), ("2", "基本满意"), ("3", "不满意")]
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
        verbose_name="工单",
    )
    callback_of = models.ForeignKey(
        "CallbackTask",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
        verbose_name="回拨任务",
    )

    class Meta:
        verbose_name = "话单"
        verbose_name_plural = "话单"
        ordering = ["-arrived_at"]
        indexes = [models.Index(fields=["ani", "arrived_at"], name="callrecord_ani_time")]

    def __str__(self) -> str:
        return self.call_id


class CallTicketLink(models.Model):
    """A ticket taken on a call (受理来电): made when the agent submits the intake form, whether the
    call's record is stored yet or not; storing the record (or linking after it) fills `CallRecord.ticket`."""

    call_id = models.CharField("呼叫编号", max_length=64, db_index=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="call_links", verbose_name="工单"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="受理人",
    )
    at = models.DateTimeField("关联时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "来电工单关联"
        verbose_name_plural = "来电工单关联"
        constraints = [models.UniqueConstraint(fields=["call_id", "ticket"], name="callticketlink_once")]

    def __str__(self) -> str:
        return f"{self.call_id} → {self.ticket_id}"


class QueueLogEntry(models.Model):
    """A queue-log line (ENTERQUEUE, CONNECT, ABANDON, ... and agent STATE changes)."""

    at = models.DateTimeField(db_index=True)
    call_id = models.CharField(max_length=64, blank=True, db_index=True)
    queue = models.CharField(max_length=30)
    agent_code = models.CharField(max_length=20, blank=True)
    event = models.CharField(max_length=16)
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = "队列日志"
        verbose_name_plural = "队列日志"
        indexes = [models.Index(fields=["agent_code", "at"], name="queuelog_agent_time")]


class Recording(models.Model):
    """Where a call's recording is and what it is; the audio itself lives with the media server."""

    call = models.ForeignKey(
        CallRecord, on_delete=models.PROTECT, related_name="recordings", verbose_name="话单"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recordings",
        verbose_name="工单",
    )
    path = models.CharField("文件", max_length=300)
    started_at = models.DateTimeField("开始时间")
    duration_s = models.FloatField("时长（秒）", validators=[MinValueValidator(0)])
    codec = models.CharField("编码", max_length=20, default="PCMA")
    size_bytes = models.PositiveBigIntegerField("大小", default=0)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "录音"
        verbose_name_plural = "录音"
        constraints = [models.UniqueConstraint(fields=["path"], name="recording_path_once")]

    def __str__(self) -> str:
        return self.path

    def file(self) -> Path | None:
        """The audio file under the recordings folder (`CALL_RECORDINGS_DIR`, default MEDIA_ROOT/recordings),
        if it is there; a path leading outside the folder counts as missing."""
        root = Path(getattr(settings, "CALL_RECORDINGS_DIR", "") or Path(settings.MEDIA_ROOT) / "recordings")
        try:
            full = (root / self.path).resolve()
            if not full.is_relative_to(root.resolve()) or not full.is_file():
                return None
        except (OSError, ValueError):
            return None
        return full


class CallbackTask(models.Model):
    """A missed caller to call back (漏接回拨): one per caller per day, however often they tried."""

    class Status(models.TextChoices):
        PENDING = "pending", "待回拨"
        DONE = "done", "已回拨"
        FAILED = "failed", "多次未接通"
        CANCELLED = "cancelled", "无需回拨"

    class Outcome(models.TextChoices):
        REACHED = "reached", "已接通，诉求已受理"
        RESOLVED = "resolved", "已接通，无需受理"
        NO_ANSWER = "no_answer", "无人接听"
        BUSY = "busy", "占线"
        INVALID = "invalid", "空号/错号"
        CALLED_AGAIN = "called_again", "市民已再次来电接通"

    phone = models.CharField("来电号码", max_length=30)
    day = models.DateField("日期")
    first_call = models.ForeignKey(
        CallRecord, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="首次漏接话单"
    )
    hotline = models.CharField("热线", max_length=20)
    reason = models.CharField("漏接原因", max_length=24, choices=DISPOSITION_CHOICES)
    missed_at = models.DateTimeField("漏接时间")
    due_at = models.DateTimeField("回拨时限", db_index=True)
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField("回拨次数", default=0)
    first_attempt_at = models.DateTimeField("首次回拨时间", null=True, blank=True)
    outcome = models.CharField("结果", max_length=16, choices=Outcome.choices, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="回拨人",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "回拨任务"
        verbose_name_plural = "回拨任务"
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["phone", "day"], name="callback_once_per_caller_day")]

    def __str__(self) -> str:
        return f"{self.phone} {self.day}"

    @property
    def open(self) -> bool:
        return self.status == self.Status.PENDING


class FloorState(models.Model):
    """The running floor's latest picture (one row), written by the floor process about once a second."""

    snapshot = models.JSONField(default=dict)
    updated_at = models.DateTimeField()
    pid = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "实时话务状态"
        verbose_name_plural = "实时话务状态"


class SoftphoneAction(models.Model):
    """A softphone click waiting for the floor process to carry it out through the adapter."""

    ACTIONS = {
        "sign_in": "签入", "ready": "就绪", "not_ready": "示忙", "acw": "话后处理", "sign_out": "签出",
        "answer": "接听", "hold": "保持", "unhold": "恢复", "transfer": "转接", "three_way": "三方通话", "hangup": "挂机",
    }  # fmt: skip

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=12, choices=list(ACTIONS.items()))
    call_id = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=30, blank=True)
    target = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "软电话操作"
        verbose_name_plural = "软电话操作"
