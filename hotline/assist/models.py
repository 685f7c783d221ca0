"""智能辅助: model versions, the dispatch catalogue, suggestion outcomes and hotspot alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from hotline.accounts.models import Department
from hotline.tickets.models import Category, Ticket


class ModelVersion(models.Model):
    """One trained dispatch model (and its category model): where its files are and how well it did."""

    version = models.CharField("版本", max_length=40, unique=True)
    trained_at = models.DateTimeField("训练时间", default=timezone.now)
    training_size = models.PositiveIntegerField("训练工单数", default=0)
    labels = models.PositiveIntegerField("办结单位数", default=0)
    # {"holdout": {"accuracy", "macro_f1", "top3", "n"} | None, "train_seconds", "seed", "categories"}
    metrics = models.JSONField("评测指标", default=dict, blank=True)
    path = models.CharField("模型文件", max_length=500)
    category_path = models.CharField("分类模型文件", max_length=500, blank=True)
    active = models.BooleanField("启用中", default=False)
    trigger = models.CharField("来源", max_length=20, default="manual")  # manual | schedule
    activated_at = models.DateTimeField("启用时间", null=True, blank=True)

    class Meta:
        verbose_name = "派单模型版本"
        verbose_name_plural = "派单模型版本"
        ordering = ["-trained_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="assist_one_active_model"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version}{'（启用中）' if self.active else ''}"

    def metric(self, name: str) -> float | None:
        holdout = (self.metrics or {}).get("holdout") or {}
        value = holdout.get(name)
        return float(value) if value is not None else None


class DispatchRule(models.Model):
    """派单目录: tickets of this category (in this district, when given) go to this department."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, verbose_name="诉求分类", related_name="+"
    )
    district = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="区县",
        limit_choices_to={"kind__in": [Department.Kind.COUNTY, Department.Kind.ZONE]},
        help_text="留空表示全市适用；填写后只对该区县的工单适用，并优先于全市规则。",
    )
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", verbose_name="承办单位"
    )
    is_active = models.BooleanField("启用", default=True)
    note = models.CharField("依据/备注", max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "派单目录规则"
        verbose_name_plural = "派单目录"
        ordering = ["category__code", "district__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "district"], name="assist_rule_category_district_unique"
            ),
            models.UniqueConstraint(
                fields=["category"],
                condition=Q(district__isnull=True),
                name="assist_rule_category_citywide_unique",
            ),
        ]

    def __str__(self) -> str:
        where = self.district.name if self.district_id and self.district else "全市"
        return f"{self.category.name}（{where}）→ {self.department.name}"


class SuggestionLog(models.Model):
    """What was suggested for a ticket at a desk and what the person chose: the model's real accuracy."""

    class Desk(models.TextChoices):
        AGENT = "agent", "受理台"
        DISPATCH = "dispatch", "派单审核台"

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "采纳"
        OVERRIDDEN = "overridden", "改选"

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    desk = models.CharField("工作台", max_length=10, choices=Desk.choices)
    model_version = models.CharField("模型版本", max_length=40, blank=True)
    source = models.CharField("首选来源", max_length=10, blank=True)  # rule | model
    suggested = models.JSONField("建议（单位编码，按序）", default=list)
    top1 = models.CharField("首选建议", max_length=40, blank=True)
    chosen = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="+", verbose_name="选定单位"
    )
    outcome = models.CharField("结果", max_length=12, choices=Outcome.choices)
    in_top3 = models.BooleanField("在前三之中", default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "派单建议记录"
        verbose_name_plural = "派单建议记录"
        ordering = ["-created_at", "-id"]


class HotspotAlert(models.Model):
    """A cluster of recent tickets that spiked, recorded once per cluster and day (the daily job is idempotent)."""

    day = models.DateField("日期")
    key = models.CharField("热点键", max_length=200)
    label = models.CharField("热点", max_length=200)
    place = models.CharField("地点", max_length=200, blank=True)
    count = models.PositiveIntegerField("近期工单数")
    previous = models.PositiveIntegerField("前期工单数")
    growth = models.FloatField("增长倍数")
    numbers = models.JSONField("工单编号", default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "热点预警"
        verbose_name_plural = "热点预警"
        ordering = ["-day", "-count"]
        constraints = [models.UniqueConstraint(fields=["day", "key"], name="assist_hotspot_day_key_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.label}（{self.count}）"
