"""`hotline kpi --from YYYY-MM-DD --to YYYY-MM-DD [--json]`: every indicator with its parts and target.

`hotline kpi report --month YYYY-MM [--xlsx FILE] [--docx FILE]`: generate (or regenerate) the month's
report in this process, then write its workbook and 专报 (citizens always masked from the command line).
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.core.errors import InvalidInput
from hotline.metrics.compute import centre_figures
from hotline.metrics.departments import department_rows
from hotline.metrics.indicators import PENDING, Figure, Period, filters_parse


def _w(text: str, width: int, *, right: bool = False) -> str:
    """Pad to a display width (a Chinese character takes two columns)."""
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    pad = " " * max(0, width - used)
    return pad + text if right else text + pad


def _num(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) and not value.is_integer() else f"{int(value)}"


class Command(BaseCommand):
    help = "考核指标：打印统计期间内每项指标的分子、分母、数值、目标与达标情况（--json 输出 JSON）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["report"], help="report：生成月度报告")
        parser.add_argument("--month", default="", help="report 的月份 YYYY-MM")
        parser.add_argument("--docx", default="", help="report：把专报写入此 Word 文件")
        parser.add_argument("--from", dest="first", default="", help="起始日期 YYYY-MM-DD（含）")
        parser.add_argument("--to", dest="last", default="", help="结束日期 YYYY-MM-DD（含）")
        parser.add_argument("--json", action="store_true", help="输出 JSON")
        parser.add_argument("--hotline", default="", help="热线号码，如 12345")
        parser.add_argument("--department", default="", help="单位编码（含下级单位）")
        parser.add_argument("--category", default="", help="诉求分类编码（含下级分类）")
        parser.add_argument("--district", default="", help="区县编码")
        parser.add_argument("--no-departments", action="store_true", help="不输出成员单位办理质效")
        parser.add_argument("--xlsx", default="", help="同时把指标、成员单位排名和逐日趋势写入此 Excel 文件")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "report":
            self._report(opts)
            return
        if not opts["first"] or not opts["last"]:
            raise CommandError(
                "请用 --from 和 --to 指定统计期间（YYYY-MM-DD），或用 report --month YYYY-MM 生成月度报告。"
            )
        try:
            period = Period.parse(opts["first"], opts["last"])
            filters = filters_parse(
                hotline=opts["hotline"],
                department=opts["department"],
                category=opts["category"],
                district=opts["district"],
            )
        except InvalidInput as e:
            detail = "；".join(f"{k}: {v}" for k, v in e.fields.items())
            raise CommandError(f"{e.message}{'（' + detail + '）' if detail else ''}") from None
        figures = centre_figures(period, filters)
        depts = [] if opts["no_departments"] else department_rows(period, filters)
        if opts["xlsx"]:
            from hotline.metrics.compute import daily_trend
            from hotline.metrics.exports import kpi_workbook

            body = kpi_workbook(period, figures, depts, daily_trend(period, filters), labels=filters.labels)
            try:
                with open(opts["xlsx"], "wb") as fh:
                    fh.write(body)
            except OSError as e:
                raise CommandError(f"无法写入 {opts['xlsx']}：{e.strerror}") from None
            self.stderr.write(f"已写入 {opts['xlsx']}")
        if opts["json"]:
            doc = {
                "from": period.first.isoformat(),
                "to": period.last.isoformat(),
                "filters": filters.labels,
                "indicators": [f.as_dict() for f in figures],
                "not_computed": [
                    {"key": i.key, "name": i.name, "reason": f"需{i.source}数据（尚未接入）"} for i in PENDING
                ],
                "departments": [r.as_dict() for r in depts],
            }
            self.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2))
            return
        self._table(period, figures, filters.labels)
        if depts:
            self._departments(depts)

    def _report(self, opts: dict[str, Any]) -> None:
        from hotline.core.errors import ServiceError
        from hotline.metrics.models import MonthlyReport
        from hotline.metrics.reports import services as svc

        try:
            month = svc.month_parse(opts["month"])
        except InvalidInput as e:
            raise CommandError(e.message) from None
        report = MonthlyReport.objects.filter(month=month).first()
        if report is not None and report.status == MonthlyReport.Status.FINAL:
            self.stderr.write(f"{month:%Y-%m} 的报告已定稿，不重新生成，导出定稿内容。")
        else:
            try:
                report = svc.monthly_report_request(month=month, by=None)
            except ServiceError as e:
                raise CommandError(e.message) from None
            report = svc.monthly_report_generate(report_id=report.pk)
            if report.status == MonthlyReport.Status.FAILED:
                raise CommandError(f"生成失败：{report.error}")
            self.stdout.write(
                f"{report.label} 月度报告已生成（{report.get_status_display()}），用时 {report.generation_s:.1f} 秒；"
                f"受理 {report.data['intake']} 件，{len(report.data['departments'])} 家成员单位。"
            )
        assert report is not None
        for kind in ("xlsx", "docx"):
            if not opts[kind]:
                continue
            body = svc.monthly_report_export(report=report, kind=kind, by=None)
            try:
                with open(opts[kind], "wb") as fh:
                    fh.write(body)
            except OSError as e:
                raise CommandError(f"无法写入 {opts[kind]}：{e.strerror}") from None
            self.stderr.write(f"已写入 {opts[kind]}")

    def _table(self, period: Period, figures: list[Figure], labels: dict[str, str]) -> None:
        where = "，".join(labels.values())
        self.stdout.write(f"统计期间 {period.first} 至 {period.last}{'（' + where + '）' if where else ''}")
        heads = _w("指标", 24) + "".join(
            _w(h, w, right=True) for h, w in (("分子", 12), ("分母", 12), ("数值", 18), ("目标", 18))
        )
        self.stdout.write(heads + "  状态")
        for f in figures:
            cells = (
                (_num(f.numerator), 12),
                (_num(f.denominator), 12),
                (f.value_display, 18),
                (f.target_display, 18),
            )
            self.stdout.write(
                _w(f.name, 24)
                + "".join(_w(c, w, right=True) for c, w in cells)
                + f"  {f.status_label}"
                + (f"（{f.note}）" if f.note else "")
            )
        for i in PENDING:
            self.stdout.write(
                _w(i.name, 24) + _w("—", 12, right=True) * 2 + f"  需{i.source}数据（尚未接入）"
            )

    def _departments(self, rows: list[Any]) -> None:
        self.stdout.write("")
        self.stdout.write("成员单位办理质效（按综合得分排名）")
        heads = [f.name for f in rows[0].ordered]
        self.stdout.write(
            _w("排名", 6)
            + _w("单位", 24)
            + _w("派单", 8, right=True)
            + "".join(_w(h, 12, right=True) for h in heads)
            + _w("得分", 10, right=True)
        )
        for r in rows:
            cells = "".join(_w(f.value_display, 12, right=True) for f in r.ordered)
            score = f"{r.score:.2f}" if r.score is not None else "—"
            self.stdout.write(
                _w(str(r.rank or "—"), 6)
                + _w(r.name, 24)
                + _w(str(r.received), 8, right=True)
                + cells
                + _w(score, 10, right=True)
            )
