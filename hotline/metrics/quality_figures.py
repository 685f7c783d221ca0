"""业务解答及工单质量合格率 and 话务服务投诉: the KPI engine's figures from QA and complaint records.

Neither can be narrowed by hotline, department, category or district (their `ignores` say so).
"""

from __future__ import annotations

from django.apps import apps

from hotline.metrics.indicators import Period


def qa_pass_parts(period: Period) -> tuple[int, int]:
    """(passed, inspected): inspections finished (scored) in the period; arbitrated ones count as decided."""
    from hotline.quality.selectors import pass_parts

    return pass_parts(period.first, period.last)


def service_complaint_count(period: Period) -> int | None:
    """Upheld complaints about the centre's own service (workforce's 服务投诉, 经核实属实) dated in the period."""
    try:
        model = apps.get_model("workforce", "ServiceComplaint")
    except LookupError:
        return None
    return int(model.objects.filter(upheld=True, day__gte=period.first, day__lte=period.last).count())


def quality_parts(period: Period) -> dict[str, tuple[float, float]]:
    """Numerator and denominator of each QA indicator (a count has denominator 1; no source gives 0/0)."""
    complaints = service_complaint_count(period)
    return {
        "qa_pass_rate": qa_pass_parts(period),
        "service_complaints": (complaints, 1) if complaints is not None else (0, 0),
    }
