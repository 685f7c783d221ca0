"""Writes of the monthly report: request, generate (a background job), edit the narrative, finalise, export.

Regeneration rules: a draft (or a failed report) may be regenerated — the figures are refreshed and so
is every narrative section the analyst has not edited; edited sections are kept as written. A report
being generated cannot be started again until it finishes (or has been stuck for `STALE`). A
finalised report is frozen: no regeneration, no edits.
"""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from hotline.accounts.models import User
from hotline.core.errors import Conflict, InvalidInput
from hotline.core.models import AuditLog
from hotline.metrics.models import MonthlyReport
from hotline.metrics.reports.data import previous_month, report_data
from hotline.metrics.reports.narrative import MAX_SECTION_CHARS, SECTION_KEYS, narrative_auto

log = logging.getLogger(__name__)
R = MonthlyReport.Status
# A generation not finished after this is taken as dead (its worker stopped) and may be restarted.
STALE = timedelta(minutes=15)
EARLIEST = date(2000, 1, 1)


def month_parse(raw: str) -> date:
    """ "YYYY-MM" → the month's first day; refuses bad or future months in Chinese."""
    try:
        first = date.fromisoformat(f"{(raw or '').strip()}-01")
    except ValueError:
        raise InvalidInput(
            "月份格式应为 YYYY-MM，例如 2025-10。", fields={"month": "格式应为 YYYY-MM"}
        ) from None
    if first > timezone.localdate().replace(day=1) or first < EARLIEST:
        raise InvalidInput("只能为已开始的月份生成报告。", fields={"month": "月份尚未开始"})
    return first


def monthly_report_request(*, month: date, by: User | None) -> MonthlyReport:
    """Create (or reset for regeneration) the month's report as 生成中; the caller queues the generation."""
    month = month.replace(day=1)
    with transaction.atomic():
        report, _ = MonthlyReport.objects.select_for_update().get_or_create(
            month=month, defaults={"requested_by": by}
        )
        if report.status == R.FINAL:
            raise Conflict(f"{month:%Y-%m} 的报告已定稿，不能重新生成。", code="report_final")
        now = timezone.now()
        if report.status == R.GENERATING and report.started_at and now - report.started_at < STALE:
            raise Conflict(f"{month:%Y-%m} 的报告正在生成，请稍候。", code="report_generating")
        report.status, report.progress, report.stage, report.error = R.GENERATING, 0, "排队中", ""
        report.started_at, report.requested_by = now, by or report.requested_by
        report.save()
    return report


def _progress(report_id: int, pct: int, stage: str) -> None:
    # Outside any transaction: the page polling the report sees each step as it happens.
    MonthlyReport.objects.filter(pk=report_id).update(progress=pct, stage=stage)


def monthly_report_generate(*, report_id: int) -> MonthlyReport:
    """Compute the month's snapshot and fill the narrative (keeping sections the analyst edited); a failure is recorded."""
    report = MonthlyReport.objects.get(pk=report_id)
    if report.status != R.GENERATING:
        return report  # finalised or already done: a repeated job changes nothing
    t0 = time.perf_counter()
    try:
        data = report_data(report.month, progress=lambda pct, stage: _progress(report_id, pct, stage))
        _progress(report_id, 95, "撰写文字分析")
        auto = narrative_auto(data)
    except Exception as exc:
        log.exception("monthly report %s failed", report.label)
        MonthlyReport.objects.filter(pk=report_id).update(
            status=R.FAILED, stage="生成失败", error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        report.refresh_from_db()
        return report
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().get(pk=report_id)
        if report.status != R.GENERATING:
            return report
        kept = {k: report.narrative[k] for k in report.edited if k in report.narrative}
        report.data = data
        report.narrative = {k: kept.get(k, auto[k]) for k in SECTION_KEYS}
        report.status, report.progress, report.stage = R.DRAFT, 100, "已完成"
        report.generated_at = timezone.now()
        report.generation_s = round(time.perf_counter() - t0, 2)
        report.save()
    return report


def monthly_report_narrative_save(*, report: MonthlyReport, texts: dict[str, str], by: User) -> MonthlyReport:
    """Store the analyst's text per section; a section left empty goes back to the generated text."""
    too_long = {
        k: f"不能超过 {MAX_SECTION_CHARS} 字" for k, v in texts.items() if len(v or "") > MAX_SECTION_CHARS
    }
    if too_long:
        raise InvalidInput("有段落过长，请精简后再保存。", fields=too_long)
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        if report.status != R.DRAFT:
            raise Conflict(f"报告{report.get_status_display()}，不能修改文字。", code="report_not_draft")
        auto = narrative_auto(report.data)
        edited = set(report.edited)
        for key in SECTION_KEYS:
            if key not in texts:
                continue
            text = (texts[key] or "").replace("\r\n", "\n").strip()
            if not text or text == auto[key]:
                report.narrative[key] = auto[key]
                edited.discard(key)
            else:
                report.narrative[key] = text
                edited.add(key)
        report.edited = sorted(edited)
        report.save(update_fields=["narrative", "edited"])
        AuditLog.objects.create(
            actor=by, action="monthly_report_edit", object_type="monthly_report", object_id=report.label,
            data={"edited": report.edited},
        )  # fmt: skip
    return report


def monthly_report_finalise(*, report: MonthlyReport, by: User) -> MonthlyReport:
    """Freeze a draft: its figures and narrative no longer change; it becomes next month's comparison."""
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        if report.status != R.DRAFT:
            raise Conflict(
                f"只有草稿可以定稿（当前：{report.get_status_display()}）。", code="report_not_draft"
            )
        report.status, report.finalised_by, report.finalised_at = R.FINAL, by, timezone.now()
        report.save(update_fields=["status", "finalised_by", "finalised_at"])
        AuditLog.objects.create(
            actor=by, action="monthly_report_finalise", object_type="monthly_report", object_id=report.label
        )
    return report


def monthly_report_export(*, report: MonthlyReport, kind: str, by: User | None, address: str = "") -> bytes:
    """The workbook ("xlsx") or the 专报 ("docx"), citizens masked unless the reader's role may unmask (then audited)."""
    from hotline.metrics.reports.document import report_document
    from hotline.metrics.reports.workbook import report_workbook

    if report.status not in (R.DRAFT, R.FINAL):
        raise Conflict("报告尚未生成完成。", code="report_not_ready")
    unmasked = bool(by and by.may_unmask)
    if kind == "xlsx":
        body = report_workbook(report.data, unmasked=unmasked)
    elif kind == "docx":
        body = report_document(
            report.data, report.narrative, status=report.get_status_display(), unmasked=unmasked
        )
    else:
        raise InvalidInput("导出格式应为 xlsx 或 docx。")
    AuditLog.objects.create(
        actor=by, action="monthly_report_export", object_type="monthly_report", object_id=report.label,
        address=address[:64], data={"kind": kind, "unmasked": unmasked},
    )  # fmt: skip
    return body


def monthly_report_draft_due(*, today: date | None = None) -> MonthlyReport | None:
    """The scheduled draft: last month's report is generated once (existing reports are left alone)."""
    today = today or timezone.localdate()
    month = previous_month(today)
    if MonthlyReport.objects.filter(month=month).exists():
        return None
    try:
        report = monthly_report_request(month=month, by=None)
    except Conflict:
        return None
    return monthly_report_generate(report_id=report.pk)
