"""The monthly KPI workbook (月度考核指标 xlsx): indicators, department ranking, daily trend."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from hotline.metrics.departments import DepartmentRow
from hotline.metrics.indicators import DAYS, DEPARTMENT, PENDING, Figure, Period

FILLS = {
    "green": PatternFill("solid", fgColor="E6F4EC"),
    "amber": PatternFill("solid", fgColor="FFF3E0"),
    "red": PatternFill("solid", fgColor="FDECEA"),
}
BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="E8F0FA")
PERCENT = "0.00%"
DAYS_FORMAT = "0.00"


def _head(ws: Any, values: list[str], widths: list[int]) -> None:
    ws.append(values)
    for i, w in enumerate(widths, start=1):
        cell = ws.cell(row=ws.max_row, column=i)
        cell.font, cell.fill = BOLD, HEAD_FILL
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = f"A{ws.max_row + 1}"  # a coordinate: touching the cell would create the row


def _value_cell(ws: Any, row: int, col: int, f: Figure) -> None:
    cell = ws.cell(row=row, column=col, value=f.value)
    cell.number_format = DAYS_FORMAT if f.unit == DAYS else PERCENT
    if f.status in FILLS:
        cell.fill = FILLS[f.status]


def kpi_workbook(
    period: Period,
    figures: list[Figure],
    departments: list[DepartmentRow],
    trend: dict[str, list[Any]],
    *,
    labels: dict[str, str] | None = None,
) -> bytes:
    """Three sheets with the figures as numbers (rates as percentages), coloured by status."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "考核指标"
    where = "，".join((labels or {}).values())
    ws.append([f"12345 热线考核指标 {period.first} 至 {period.last}{'（' + where + '）' if where else ''}"])
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)
    _head(
        ws,
        ["指标", "分子", "分母", "数值", "目标", "状态", "说明", "分子口径", "分母口径"],
        [22, 12, 12, 12, 14, 8, 16, 40, 40],
    )
    for f in figures:
        ws.append([f.name, f.numerator, f.denominator, None, f.target_display, f.status_label, f.note,
                   f.numerator_label, f.denominator_label])  # fmt: skip
        _value_cell(ws, ws.max_row, 4, f)
    for i in PENDING:
        ws.append(
            [i.name, None, None, None, "", "—", f"需{i.source}数据（尚未接入）", i.numerator, i.denominator]
        )
    for row in ws.iter_rows(min_row=3, min_col=8, max_col=9):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    wd = wb.create_sheet("成员单位办理质效")
    heads = [i.name for i in DEPARTMENT]
    _head(wd, ["排名", "单位", "收到派单", *heads, "综合得分"], [6, 22, 10, *([12] * len(heads)), 10])
    for r in departments:
        wd.append([r.rank, r.name, r.received, *([None] * len(heads)), r.score])
        for j, f in enumerate(r.ordered, start=4):
            _value_cell(wd, wd.max_row, j, f)

    wt = wb.create_sheet("逐日趋势")
    _head(wt, ["日期", "受理量", "按时办结率(%)", "综合满意率(%)", "接通率(%)"], [10, 10, 14, 14, 12])
    for d, day in enumerate(period.days):
        wt.append([day, trend["intake"][d], trend["ontime"][d], trend["satisfaction"][d], trend["answer"][d]])
        wt.cell(row=wt.max_row, column=1).number_format = "yyyy-mm-dd"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
