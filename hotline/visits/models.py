"""Callback visits (回访): one task per ticket per review round, its attempts and the citizens' survey links."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from hotline.core.refcache import RefCache
from hotline.tickets.models import VISIT_RESULT_LABELS, Ticket

RESULT_CHOICES = list(VISIT_RESULT_LABELS.items())


class VisitPolicy(models.Model):
    """The centre's visit rules (one row; `VisitPolicy.get()` creates it with the defaults).

    Every approved review reads it, so `get()` answers from a per-process cache: a save or delete
    drops it in this process at once (signal) and in other processes on their next read (the
    shared cache's version number), or at the latest after 30 s.
    """

    class Unsatisfied(models.TextChoices):
        REOPEN = "reopen", "不满意即退回重办"
        CONFIRM = "confirm", "市民在线评价不满意的，回访员电话确认后再重办"

    deadline_days = models.PositiveSmallIntegerField(
        "回访时限（工作日）", default=2, help_text="审核通过后第 N 个工作日 23:59 前完成回访"
    )
    phone_attempts = models.PositiveSmallIntegerField("电话回访次数", default=3)
    attempt_gap_minutes = models.PositiveIntegerField("两次拨打最短间隔（分钟）", default=120)
    sms_fallback = models.BooleanField("电话均未接通后发送短信/微信回访链接", default=True)
    survey_valid_hours = models.PositiveIntegerField("回访链接有效期（小时）", default=48)
    unsatisfied = models.CharField(
        "不满意的处理", max_length=10, choices=Unsatisfied.choices, default=Unsatisfied.REOPEN
    )

    class Meta:
        verbose_name = "回访规则"
        verbose_name_plural = "回访规则"

    def __str__(self) -> str:
        return "回访规则"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if not 1 <= self.deadline_days <= 30:
            errors["deadline_days"] = "回访时限应为 1–30 个工作日。"
        if not 1 <= self.phone_attempts <= 10:
            errors["phone_attempts"] = "电话回访次数应为 1–10 次。"
        if self.attempt_gap_minutes > 24 * 60:
            errors["attempt_gap_minutes"] = "间隔不能超过 24 小时（1440 分钟）。"
        if not 1 <= self.survey_valid_hours <= 24 * 14:
            errors["survey_valid_hours"] = "链接有效期应为 1–336 小时。"
        if errors:
            raise ValidationError(errors)

    @classmethod
    def get(cls) -> VisitPolicy:
        """The rules in force (cached; treat the row as read-only, change it through the admin)."""
        return policy_cache.get()


def _policy_load() -> VisitPolicy:
    row = VisitPolicy.objects.order_by("pk").first()
    return row if row is not None else VisitPolicy.objects.create()


policy_cache: RefCache[VisitPolicy] = RefCache("visit-policy", _policy_load)


class VisitTask(models.Model):
    """The callback visit of one review round of a ticket (a reopened ticket gets a new round)."""

    class Status(models.TextChoices):
        OPEN = "open", "待回访"
        AWAITING = "awaiting", "待市民在线评价"
        DONE = "done", "已回访"
        NOT_NEEDED = "not_needed", "不需回访"
        NO_PHONE = "no_phone", "无联系电话"
        CANCELLED = "cancelled", "已撤销"

    OPEN_STATUSES = (Status.OPEN, Status.AWAITING)

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="visit_tasks", verbose_name="工单"
    )
    round = models.PositiveSmallIntegerField("轮次", default=0, help_text="创建时工单已重办的次数")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    due_at = models.DateTimeField("回访期限", null=True, blank=True)
    phone_attempts = models.PositiveSmallIntegerField("电话未接通次数", default=0)
    last_attempt_at = models.DateTimeField("最近一次尝试", null=True, blank=True)
    result = models.CharField("回访结果", max_length=20, blank=True, choices=RESULT_CHOICES)
    source = models.CharField(
        "结果来源",
        max_length=10,
        blank=True,
        choices=[("phone", "电话"), ("sms", "短信链接"), ("wechat", "微信链接"), ("ticket", "工单页/接口")],
    )
    # A citizen's online 不满意 waiting for the visit agent's confirming call (policy "confirm").
    online_result = models.CharField(
        "市民在线评价（待确认）", max_length=20, blank=True, choices=RESULT_CHOICES
    )
    reopened = models.BooleanField("已退回重办", default=False)
    note = models.CharField("说明", max_length=300, blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "回访任务"
        verbose_name_plural = "回访任务"
        constraints = [models.UniqueConstraint(fields=["ticket", "round"], name="visittask_once_per_round")]
        indexes = [models.Index(fields=["status", "due_at"], name="visittask_status_due")]

    def __str__(self) -> str:
        return f"{self.ticket_id}#{self.round}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < timezone.now()


class VisitAttempt(models.Model):
    """One try at reaching the citizen: a call, or a survey link sent / answered / expired."""

    class Channel(models.TextChoices):
        PHONE = "phone", "电话"
        SMS = "sms", "短信"
        WECHAT = "wechat", "微信"

    class Outcome(models.TextChoices):
        REACHED = "reached", "接通"
        NO_ANSWER = "no_answer", "无人接听"
        BUSY = "busy", "占线"
        POWERED_OFF = "powered_off", "关机/停机"
        WRONG_NUMBER = "wrong_number", "空号/错号"
        LINK_SENT = "link_sent", "已发送回访链接"
        LINK_ANSWERED = "link_answered", "市民在线评价"
        LINK_EXPIRED = "link_expired", "链接过期未评价"

    FAILED = (Outcome.NO_ANSWER, Outcome.BUSY, Outcome.POWERED_OFF, Outcome.WRONG_NUMBER)

    task = models.ForeignKey(
        VisitTask, on_delete=models.CASCADE, related_name="attempts", verbose_name="回访任务"
    )
    channel = models.CharField("方式", max_length=10, choices=Channel.choices)
    at = models.DateTimeField("时间", default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="回访员"
    )
    outcome = models.CharField("结果", max_length=15, choices=Outcome.choices)
    result = models.CharField("满意度", max_length=20, blank=True, choices=RESULT_CHOICES)
    note = models.CharField("记录", max_length=500, blank=True)

    class Meta:
        verbose_name = "回访记录"
        verbose_name_plural = "回访记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_outcome_display()}"


class SurveyLink(models.Model):
    """A one-time, expiring link to the public survey page; only the token's hash is stored."""

    task = models.ForeignKey(
        VisitTask, on_delete=models.CASCADE, related_name="links", verbose_name="回访任务"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField("方式", max_length=10, default="sms")
    created_at = models.DateTimeField("发送时间", default=timezone.now)
    expires_at = models.DateTimeField("失效时间")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    used_at = models.DateTimeField("评价时间", null=True, blank=True)
    result = models.CharField("评价", max_length=20, blank=True, choices=RESULT_CHOICES)
    comment = models.CharField("意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "回访链接"
        verbose_name_plural = "回访链接"

    def __str__(self) -> str:
        return f"{self.task} {self.created_at:%Y-%m-%d %H:%M}"
