"""月度报告 pages: list and request, progress while generating, narrative editing, finalising, downloads."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hotline.core.errors import ServiceError
from hotline.metrics.indicators import fmt
from hotline.metrics.models import MonthlyReport
from hotline.metrics.reports import services as svc
from hotline.metrics.reports.data import previous_month
from hotline.metrics.reports.narrative import SECTIONS, narrative_auto
from hotline.metrics.views import BOARD_ROLES, XLSX
from hotline.tickets.views.common import role_required

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_get(month: str) -> MonthlyReport:
    """The report of `month` (YYYY-MM); Http404 for a bad or unknown month (the API turns it into not_found)."""
    try:
        first = svc.month_parse(month)
    except ServiceError:
        raise Http404("报告不存在") from None
    report = MonthlyReport.objects.filter(month=first).first()
    if report is None:
        raise Http404("报告不存在")
    return report


def report_file_response(report: MonthlyReport, kind: str, body: bytes) -> HttpResponse:
    """The workbook (xlsx) or the 专报 (docx) as a download named after the month."""
    name = f"{report.month:%Y年%m月}热线运行分析{'专报' if kind == 'docx' else '报表'}.{kind}"
    response = HttpResponse(body, content_type=DOCX if kind == "docx" else XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _queue(report: MonthlyReport) -> None:
    from hotline.metrics.tasks import monthly_report_generate_task

    monthly_report_generate_task(report.pk)


@role_required(*BOARD_ROLES)
def report_list(request: HttpRequest) -> HttpResponse:
    """The months' reports; POST asks for one (generated in the background)."""
    error: ServiceError | None = None
    month_value = f"{previous_month(timezone.localdate()):%Y-%m}"
    if request.method == "POST":
        month_value = (request.POST.get("month") or "").strip()[:7]
        try:
            report = svc.monthly_report_request(month=svc.month_parse(month_value), by=request.user)  # type: ignore[arg-type]
        except ServiceError as exc:
            error = exc
        else:
            _queue(report)
            return redirect("metrics:report", month=report.label)
    return render(
        request,
        "metrics/reports.html",
        {
            "reports": MonthlyReport.objects.select_related("finalised_by")[:36],
            "month_value": month_value,
            "error": error,
            "tab": "reports",
        },  # fmt: skip
        status=error.http_status if error else 200,
    )


def _detail_ctx(
    report: MonthlyReport, error: ServiceError | None = None, texts: dict[str, str] | None = None
) -> dict[str, Any]:
    auto = narrative_auto(report.data) if report.data else {}
    sections = [
        {
            "key": key,
            "title": title,
            "text": (texts or {}).get(key, report.narrative.get(key, "")),
            "edited": key in report.edited,
            "auto": auto.get(key, ""),
        }
        for key, title in SECTIONS
    ]
    before = report.data.get("previous", {}).get("indicators", {})
    figures = [
        {**f, "display": fmt(f["value"], f["unit"]), "prev": fmt(before.get(f["key"]), f["unit"])}
        for f in report.data.get("indicators", [])
    ]
    return {
        "report": report,
        "sections": sections,
        "error": error,
        "data": report.data,
        "figures": figures,
        "tab": "reports",
    }


@role_required(*BOARD_ROLES)
def report_detail(request: HttpRequest, month: str) -> HttpResponse:
    """One report: progress while generating (the fragment polls itself), else figures and the narrative form."""
    report = report_get(month)
    if request.headers.get("HX-Request") and report.status == MonthlyReport.Status.GENERATING:
        return render(request, "metrics/partials/report_progress.html", {"report": report})
    if request.headers.get("HX-Request"):
        response = HttpResponse("")
        response["HX-Refresh"] = "true"  # generation finished: show the whole page
        return response
    return render(request, "metrics/report.html", _detail_ctx(report))


@role_required(*BOARD_ROLES)
@require_POST
def report_action(request: HttpRequest, month: str) -> HttpResponse:
    """Save the narrative, finalise, or regenerate; a refusal is shown on the page and what was typed is kept."""
    report = report_get(month)
    action = request.POST.get("action", "")
    texts = {
        key: request.POST.get(f"section_{key}", "") for key, _ in SECTIONS if f"section_{key}" in request.POST
    }
    try:
        if action in ("save", "finalise") and texts:
            report = svc.monthly_report_narrative_save(report=report, texts=texts, by=request.user)  # type: ignore[arg-type]
        if action == "finalise":
            report = svc.monthly_report_finalise(report=report, by=request.user)  # type: ignore[arg-type]
        elif action == "regenerate":
            report = svc.monthly_report_request(month=report.month, by=request.user)  # type: ignore[arg-type]
            _queue(report)
        elif action not in ("save",):
            raise ServiceError("未知的操作。")
    except ServiceError as exc:
        report.refresh_from_db()
        return render(request, "metrics/report.html", _detail_ctx(report, exc, texts), status=exc.http_status)
    return redirect("metrics:report", month=report.label)


@role_required(*BOARD_ROLES)
def report_download(request: HttpRequest, month: str, kind: str) -> HttpResponse:
    """The workbook or the 专报, masked for the reader's role."""
    report = report_get(month)
    try:
        body = svc.monthly_report_export(
            report=report,
            kind=kind,
            by=request.user,  # type: ignore[arg-type]
            address=request.META.get("REMOTE_ADDR", ""),
        )
    except ServiceError as exc:
        return render(request, "metrics/report.html", _detail_ctx(report, exc), status=exc.http_status)
    return report_file_response(report, kind, body)
