"""Quality inspection (质检): rubrics, sampling plans, inspections (QualityCheck), disputes, calibration."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class Rubric(models.Model):
    """A scoring sheet: items with weights (points), a pass line and critical items."""

    name = models.CharField("名称", max_length=60, unique=True)
    pass_score = models.PositiveSmallIntegerField("合格线（百分制）", default=85)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "评分表"
        verbose_name_plural = "评分表"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not 1 <= self.pass_score <= 100:
            raise ValidationError({"pass_score": "合格线应为 1–100 分。"})


class RubricItem(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="items", verbose_name="评分表")
    name = models.CharField("评分项", max_length=40)
    weight = models.PositiveSmallIntegerField("分值", default=20)
    critical = models.BooleanField("否决项", default=False, help_text="此项得 0 分时整条质检不合格")
    guide = models.CharField("评分说明", max_length=200, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "评分项"
        verbose_name_plural = "评分项"
        ordering = ["rubric", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["rubric", "name"], name="rubricitem_name_once")]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight} 分）"

    def clean(self) -> None:
        if not 1 <= self.weight <= 100:
            raise ValidationError({"weight": "分值应为 1–100。"})


class SamplingPlan(models.Model):
    """Which calls/tickets of a period are drawn for inspection."""

    class Kind(models.TextChoices):
        RANDOM = "random", "随机抽检"
        COMPLAINTS = "complaints", "投诉类工单"
        LONG_CALLS = "long_calls", "长通话"
        NEW_AGENTS = "new_agents", "新员工"
        REOPENED = "reopened", "重办工单"

    name = models.CharField("名称", max_length=60, unique=True)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices, default=Kind.RANDOM)
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="plans", verbose_name="评分表")
    share = models.DecimalField(
        "抽检比例", max_digits=5, decimal_places=4, default=0.02, help_text="随机抽检：0.02 即 2%"
    )
    max_items = models.PositiveIntegerField("每次最多抽取", default=200)
    long_call_s = models.PositiveIntegerField("长通话阈值（秒）", default=600)
    new_agent_days = models.PositiveIntegerField("新员工：入职天数以内", default=90)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "抽检方案"
        verbose_name_plural = "抽检方案"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not 0 < float(self.share) <= 1:
            raise ValidationError({"share": "抽检比例应大于 0、不超过 1（例如 0.02）。"})


class QualityCheck(models.Model):
    """One inspection item: a call and/or a ticket, the agent behind it, and (once scored) the result."""

    class Status(models.TextChoices):
        PENDING = "pending", "待质检"
        DONE = "done", "已质检"
        DISPUTED = "disputed", "申诉中"
        ARBITRATED = "arbitrated", "已仲裁"

    FINISHED = (Status.DONE, Status.DISPUTED, Status.ARBITRATED)

    plan = models.ForeignKey(
        SamplingPlan, on_delete=models.PROTECT, related_name="checks", verbose_name="抽检方案"
    )
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="checks", verbose_name="评分表")
    key = models.CharField(max_length=40, help_text="call:<id> 或 ticket:<id>")
    call = models.ForeignKey(
        "callcenter.CallRecord",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="话单",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="工单",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="qa_checks",
        verbose_name="被检话务员",
    )  # fmt: skip
    agent_code = models.CharField("工号", max_length=20, blank=True)
    reason = models.CharField("抽取原因", max_length=40, blank=True)
    sampled_at = models.DateTimeField("抽取时间", default=timezone.now)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="质检员",
    )
    inspected_at = models.DateTimeField("质检时间", null=True, blank=True, db_index=True)
    score = models.FloatField("得分", null=True, blank=True)
    passed = models.BooleanField("合格", null=True, blank=True)
    comment = models.TextField("质检评语", blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "质检"
        verbose_name_plural = "质检"
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="qualitycheck_once_per_plan")]
        indexes = [models.Index(fields=["status", "inspected_at"], name="qualitycheck_status_time")]

    def __str__(self) -> str:
        return f"质检 {self.pk} {self.key}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class CheckScore(models.Model):
    check_item = models.ForeignKey(QualityCheck, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(RubricItem, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField("得分")
    note = models.CharField("扣分说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "评分"
        verbose_name_plural = "评分"
        constraints = [models.UniqueConstraint(fields=["check_item", "item"], name="checkscore_once")]


class Dispute(models.Model):
    """An agent's appeal (申诉) against an inspection, decided by a supervisor (仲裁)."""

    class Status(models.TextChoices):
        OPEN = "open", "待仲裁"
        UPHELD = "upheld", "申诉成立（已改分）"
        REJECTED = "rejected", "申诉驳回"

    check_item = models.ForeignKey(
        QualityCheck, on_delete=models.CASCADE, related_name="disputes", verbose_name="质检"
    )
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField("申诉时间", default=timezone.now)
    reason = models.TextField("申诉理由")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("仲裁时间", null=True, blank=True)
    decision = models.TextField("仲裁意见", blank=True)
    score_before = models.FloatField("原得分", null=True, blank=True)
    score_after = models.FloatField("仲裁后得分", null=True, blank=True)

    class Meta:
        verbose_name = "质检申诉"
        verbose_name_plural = "质检申诉"
        constraints = [
            models.UniqueConstraint(
                fields=["check_item"], condition=models.Q(status="open"), name="dispute_one_open_per_check"
            )
        ]


class CalibrationSession(models.Model):
    """Several inspectors score the same item independently; the spread shows how consistent they are."""

    name = models.CharField("名称", max_length=60)
    check_item = models.ForeignKey(
        QualityCheck, on_delete=models.PROTECT, related_name="+", verbose_name="校准样本"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "校准会"
        verbose_name_plural = "校准会"

    def __str__(self) -> str:
        return self.name


class CalibrationScore(models.Model):
    session = models.ForeignKey(CalibrationSession, on_delete=models.CASCADE, related_name="scores")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    points = models.JSONField("各项得分", default=dict)
    score = models.FloatField("得分")
    passed = models.BooleanField("合格")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "inspector"], name="calibration_once_each")]
