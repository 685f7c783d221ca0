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
