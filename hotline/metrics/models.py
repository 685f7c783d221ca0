"""KPI targets (考核目标): one row per indicator, seeded from the seed's quality-standard table."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class KpiTarget(models.Model):
    """The target an indicator is judged against, and the band shown amber before it turns red."""

    class Comparison(models.TextChoices):
        AT_LEAST = ">=", "不低于"
        AT_MOST = "<=", "不高于"
        BELOW = "<", "低于"

    key = models.SlugField("指标", max_length=40, unique=True)
    target = models.FloatField(
        "目标值", null=True, blank=True, help_text="比率填小数（95% 填 0.95）；留空表示不考核"
    )
    comparison = models.CharField(
        "比较", max_length=2, choices=Comparison.choices, default=Comparison.AT_LEAST
    )
    amber_margin = models.FloatField(
        "黄色区间", default=0.02, help_text="差距在此范围内显示黄色，超出显示红色"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "考核目标"
        verbose_name_plural = "考核目标"
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(condition=Q(amber_margin__gte=0), name="kpi_target_margin_nonnegative")
        ]

    def __str__(self) -> str:
        from hotline.metrics.indicators import INDICATORS

        ind = INDICATORS.get(self.key)
        return ind.name if ind else self.key


class MonthlyReport(models.Model):
    """月度分析报告: the month's figures as made (a snapshot), the analyst's narrative, draft → final.

    The workbook and the 专报 are built from the snapshot when downloaded, masked for the reader's role.
    """

    class Status(models.TextChoices):
        GENERATING = "generating", "生成中"
        DRAFT = "draft", "草稿"
        FINAL = "final", "已定稿"
        FAILED = "failed", "生成失败"

    month = models.DateField("月份", unique=True, help_text="该月 1 日")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.GENERATING)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    stage = models.CharField("当前步骤", max_length=60, blank=True)
    error = models.TextField("错误", blank=True)
    data = models.JSONField("统计数据", default=dict, blank=True)
    narrative = models.JSONField("文字分析", default=dict, blank=True)
    # Sections the analyst wrote or changed: regeneration refreshes the others and keeps these.
    edited = models.JSONField("人工修改的段落", default=list, blank=True)
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finalised_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField("开始生成", null=True, blank=True)
    generated_at = models.DateTimeField("生成时间", null=True, blank=True)
    generation_s = models.FloatField("生成耗时（秒）", null=True, blank=True)
    finalised_at = models.DateTimeField("定稿时间", null=True, blank=True)

    class Meta:
        verbose_name = "月度报告"
        verbose_name_plural = "月度报告"
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="monthly_report_progress_le_100")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月} 热线运行分析报告"

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"
