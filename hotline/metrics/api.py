"""REST endpoints of the metrics app, mounted under /api/v1/metrics: the KPI board's figures and 月度报告."""

from __future__ import annotations

import hashlib
from typing import Any, Literal, cast

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Query, Router

from hotline.accounts.api import ErrorOut
from hotline.accounts.models import User
from hotline.core.errors import InvalidInput, NotAllowed
from hotline.metrics import schemas as s
from hotline.metrics.compute import board_figures
from hotline.metrics.indicators import Figure, Period, filters_parse
from hotline.metrics.models import MonthlyReport
from hotline.metrics.reports import services as report_svc
from hotline.metrics.reports.views import DOCX, report_file_response, report_get
from hotline.metrics.views import BOARD_ROLES, FIGURES_SECONDS, XLSX

router = Router(tags=["考核指标"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
STATUS_LABELS = {"green": "达标", "amber": "临界", "red": "未达标", "none": "无数据"}
# The board calls the dates from/to; the API's parameters are start/end.
_FIELD_NAMES = {"from": "start", "to": "end"}
_FILE_200 = {
    "200": {
        "description": "月度报告文件（xlsx 报表或 docx 专报），按调用者角色脱敏",
        "content": {
            XLSX: {"schema": {"type": "string", "format": "binary"}},
            DOCX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def _reader(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if user.role not in BOARD_ROLES:
        raise NotAllowed("您的角色不能查看考核指标。")
    return user


def _period(q: s.BoardQuery) -> Period:
    today = timezone.localdate()
    try:
        return Period.parse(q.start or today.replace(day=1).isoformat(), q.end or today.isoformat())
    except InvalidInput as exc:
        fields = {_FIELD_NAMES.get(k, k): v for k, v in exc.fields.items()}
        raise InvalidInput(exc.message, fields=fields) from None


def _figure_out(f: Figure) -> dict[str, Any]:
    return {**f.as_dict(), "status_label": STATUS_LABELS[f.status]}


@router.get(
    "/kpis", response={200: s.BoardFiguresOut, **ERRORS}, summary="考核指标（与考核指标看板同一口径）"
)
def kpis(request: HttpRequest, q: Query[s.BoardQuery]) -> dict[str, Any]:
    """Every centre indicator for [start, end] (default: this month so far), narrowed like the board."""
    _reader(request)
    period = _period(q)
    filters = filters_parse(
        hotline=q.hotline, department=q.department, category=q.category, district=q.district
    )
    raw = (period.first, period.last, q.hotline, q.department, q.category, q.district)
    key = hashlib.sha256(repr(raw).encode()).hexdigest()[:24]

    def compute() -> dict[str, Any]:
        return {
            "figures": [_figure_out(f) for f in board_figures(period, filters).figures],
            "computed_at": timezone.now(),
        }

    # A year of figures is several aggregate queries: everyone asking the same question shares them a minute.
    out = cast(dict[str, Any], cache.get_or_set(f"hotline:kpi-api:{key}", compute, FIGURES_SECONDS))
    return {"start": period.first, "end": period.last, "filters": filters.labels, **out}


def _report_out(request: HttpRequest, r: MonthlyReport) -> dict[str, Any]:
    ready = r.status in (MonthlyReport.Status.DRAFT, MonthlyReport.Status.FINAL)

    def url(kind: str) -> str | None:
        return request.build_absolute_uri(f"/api/v1/metrics/reports/{r.label}/{kind}") if ready else None

    return {
        "month": r.label,
        "status": r.status,
        "status_label": r.get_status_display(),
        "progress": r.progress,
        "generated_at": r.generated_at,
        "finalised_at": r.finalised_at,
        "xlsx_url": url("xlsx"),
        "docx_url": url("docx"),
        "page_url": request.build_absolute_uri(reverse("metrics:report", args=[r.label])),
    }


@router.get(
    "/reports", response={200: list[s.MonthlyReportOut], **ERRORS}, summary="月度报告（最近 36 个月）"
)
def reports(request: HttpRequest) -> list[dict[str, Any]]:
    """The months with a 月度报告, newest first; download links once a report is generated."""
    _reader(request)
    return [_report_out(request, r) for r in MonthlyReport.objects.all()[:36]]


@router.get(
    "/reports/{month}/{kind}",
    response={**ERRORS},
    summary="下载月度报告（xlsx 报表 / docx 专报）",
    openapi_extra={"responses": _FILE_200},
)
def report_download(request: HttpRequest, month: str, kind: Literal["xlsx", "docx"]) -> HttpResponse:
    """The workbook or the 专报 as the report page offers them: masked unless the role may unmask (audited)."""
    user = _reader(request)
    report = report_get(month)  # Http404 → the API's structured not_found
    body = report_svc.monthly_report_export(
        report=report, kind=kind, by=user, address=request.META.get("REMOTE_ADDR", "")
    )
    return report_file_response(report, kind, body)
