"""Writes of the metrics app: an admin changes an indicator's target (audited)."""

from __future__ import annotations

from django.db import transaction

from hotline.accounts.models import User
from hotline.core.errors import InvalidInput
from hotline.core.models import AuditLog
from hotline.metrics.indicators import COUNT, DAYS, INDICATORS
from hotline.metrics.models import KpiTarget

MAX_MARGIN_RATE = 0.5
MAX_DAYS = 60.0


def kpi_target_errors(
    *, key: str, target: float | None, comparison: str, amber_margin: float
) -> dict[str, str]:
    """Per-field Chinese messages for a target that cannot be saved (empty when it can)."""
    ind = INDICATORS.get(key)
    if ind is None:
        return {"key": "指标不存在"}
    errors: dict[str, str] = {}
    if comparison not in KpiTarget.Comparison.values:
        errors["comparison"] = "比较方式应为 不低于/不高于/低于"
    if ind.unit == COUNT:  # 话务服务投诉: a yearly cap in whole complaints
        if target is not None and not (0 <= target <= 1000 and float(target).is_integer()):
            errors["target"] = "次数目标请填 0–1000 的整数"
        if not 0 <= amber_margin <= 100:
            errors["amber_margin"] = "黄色区间请填 0–100 次"
    elif ind.unit == DAYS:
        if target is not None and not 0 < target <= MAX_DAYS:
            errors["target"] = f"处理时长目标应在 0–{MAX_DAYS:g} 个工作日之间"
        if not 0 <= amber_margin <= MAX_DAYS:
            errors["amber_margin"] = f"黄色区间应在 0–{MAX_DAYS:g} 个工作日之间"
    else:
        if target is not None and not 0 <= target <= 1:
            errors["target"] = "比率目标请填 0–1 之间的小数（95% 填 0.95）"
        if not 0 <= amber_margin <= MAX_MARGIN_RATE:
            errors["amber_margin"] = f"黄色区间请填 0–{MAX_MARGIN_RATE:g} 之间的小数"
    return errors


def kpi_target_set(
    *, key: str, target: float | None, comparison: str, amber_margin: float, by: User | None
) -> KpiTarget:
    """Set one indicator's target, comparison and amber band; rates are fractions (0.95), times working days."""
    errors = kpi_target_errors(key=key, target=target, comparison=comparison, amber_margin=amber_margin)
    if errors:
        raise InvalidInput("考核目标有误：" + "；".join(errors.values()) + "。", fields=errors)
    with transaction.atomic():
        row, _ = KpiTarget.objects.select_for_update().get_or_create(key=key)
        before = {"target": row.target, "comparison": row.comparison, "amber_margin": row.amber_margin}
        row.target, row.comparison, row.amber_margin = target, comparison, amber_margin
        row.save()
        AuditLog.objects.create(
            actor=by,
            action="kpi_target_set",
            object_type="kpi_target",
            object_id=key,
            data={
                "before": before,
                "after": {"target": target, "comparison": comparison, "amber_margin": amber_margin},
            },
        )
    return row
