"""The monthly 专报 (docx): the analyst's narrative with the month's charts and tables."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from hotline.metrics.indicators import STATUS_LABELS, fmt
from hotline.metrics.reports import charts
from hotline.metrics.reports.citizens import unsatisfied_rows
from hotline.metrics.reports.narrative import SECTIONS

BODY_FONT, HEAD_FONT = "宋体", "黑体"
STATUS_COLOURS = {
    "green": RGBColor(0x1E, 0x7B, 0x4F),
    "amber": RGBColor(0xA3, 0x5A, 0x00),
    "red": RGBColor(0xB4, 0x23, 0x18),
}
APPENDIX_ROWS = 30


def _east_asian(style_or_run: Any, name: str) -> None:
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _setup(doc: Any) -> None:
    normal = doc.styles["Normal"]
    normal.font.size = Pt(11)
    _east_asian(normal, BODY_FONT)
    for name in ("Title", "Heading 1", "Heading 2"):
        st = doc.styles[name]
        st.font.color.rgb = RGBColor(0x1A, 0x1A, 0x1A)
        _east_asian(st, HEAD_FONT)
    doc.styles["Title"].font.size = Pt(20)
    doc.styles["Heading 1"].font.size = Pt(14)
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2.4)
        section.top_margin = section.bottom_margin = Cm(2.2)


def _table(doc: Any, heads: list[str], rows: list[list[str]], widths: list[float] | None = None) -> Any:
    table = doc.add_table(rows=1, cols=len(heads))
    table.style = "Light Grid Accent 1"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, heads, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    if widths:
        table.autofit = False
        for i, col in enumerate(table.columns):
            col.width = Cm(widths[i])
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(9)
            if widths:
                cell.width = Cm(widths[i])
    return table


def _picture(doc: Any, png: bytes, caption: str) -> None:
    doc.add_picture(BytesIO(png), width=Cm(16))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    p = doc.add_paragraph(caption)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.runs[0].font.size = Pt(9)


def _text(doc: Any, text: str) -> None:
    for para in (text or "").splitlines() or [""]:
        if para.strip():
            p = doc.add_paragraph(para.strip())
            p.paragraph_format.first_line_indent = Pt(22)
            p.paragraph_format.line_spacing = 1.35


def _indicator_table(doc: Any, data: dict[str, Any]) -> None:
    before = data["previous"]["indicators"]
    rows = []
    for f in data["indicators"]:
        sign = {">=": "≥", "<=": "≤", "<": "<"}.get(f["comparison"], "")
        target = "—" if f["target"] is None else f"{sign} {fmt(f['target'], f['unit'])}"
        rows.append([f["name"], f"{f['numerator']:g} / {f['denominator']:g}", fmt(f["value"], f["unit"]), target,
                     STATUS_LABELS[f["status"]], fmt(before.get(f["key"]), f["unit"])])  # fmt: skip
    table = _table(
        doc, ["指标", "分子 / 分母", "本月", "目标", "状态", "上月"], rows, [4.4, 2.6, 2.4, 2.8, 1.4, 2.4]
    )
    for r, f in enumerate(data["indicators"], start=1):
        colour = STATUS_COLOURS.get(f["status"])
        if colour:
            for run in table.rows[r].cells[4].paragraphs[0].runs:
                run.font.color.rgb = colour
                run.font.bold = True


def _department_table(doc: Any, data: dict[str, Any]) -> None:
    rows = []
    for r in data["departments"][:15]:
        values = ["—" if i["value"] is None else f"{i['value'] * 100:.1f}%" for i in r["indicators"]]
        rows.append(
            [
                str(r["rank"] or "—"),
                r["department"],
                *values,
                "—" if r["score"] is None else f"{r['score']:.2f}",
            ]
        )
    heads = (
        ["排名", "单位", *[i["name"] for i in data["departments"][0]["indicators"]], "得分"]
        if rows
        else ["单位"]
    )
    if rows:
        _table(doc, heads, rows, [0.9, 3.4, 1.8, 1.8, 1.6, 1.8, 1.6, 1.6, 1.5])


def report_document(data: dict[str, Any], narrative: dict[str, str], *, status: str, unmasked: bool) -> bytes:
    """The 专报: title, key figures, the six narrative sections with their charts and tables, an appendix."""
    doc = Document()
    _setup(doc)
    year, month = data["month"][:4], int(data["month"][5:])
    doc.add_paragraph(
        f"12345 政务服务便民热线\n{year} 年 {month} 月运行分析专报", style="Title"
    ).alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta = doc.add_paragraph(
        f"统计期间 {data['from']} 至 {data['to']} · 数据截至 {data['computed_at'][:16].replace('T', ' ')} · {status}"
    )
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta.runs[0].font.size = Pt(9)
    trend_png = charts.trend_chart(data["trend"])
    for key, heading in SECTIONS:
        doc.add_heading(heading, level=1)
        _text(doc, narrative.get(key, ""))
        if key == "overview" and data["trend"]["days"]:
            _picture(doc, trend_png, "图 1 逐日受理量、按时办结率与综合满意率")
        elif key == "indicators":
            _indicator_table(doc, data)
        elif key == "issues" and data["categories"]:
            cats = data["categories"][:10]
            _picture(doc, charts.bar_chart([c["name"] for c in cats], [c["intake"] for c in cats], label="受理量（件）"),
                     "图 2 诉求量居前的分类（一级）")  # fmt: skip
            if data["heat"]["cells"]:
                _picture(doc, charts.heat_chart(data["heat"]), "图 3 区县 × 诉求分类受理量")
        elif key == "departments" and data["departments"]:
            ranked = [r for r in data["departments"] if r["score"] is not None][:15]
            if ranked:
                _picture(
                    doc,
                    charts.bar_chart(
                        [r["department"] for r in ranked],
                        [r["score"] for r in ranked],
                        label="综合得分",
                        color=charts.GREEN,
                        limit=100,
                    ),  # fmt: skip
                    "图 4 成员单位综合得分（前 15）",
                )
            _department_table(doc, data)
        elif key == "hotspots" and data["hotspots"]["clusters"]:
            _table(
                doc,
                ["热点（分类：话题 · 地点）", "本月", "上月", "增长倍数"],
                [
                    [h["label"], str(h["count"]), str(h["previous"]), f"{h['growth']:.1f}"]
                    for h in data["hotspots"]["clusters"][:10]
                ],
                [9.0, 2.0, 2.0, 2.5],
            )
    rows = unsatisfied_rows(data["unsatisfied"][:APPENDIX_ROWS], unmasked=unmasked)
    if rows:
        doc.add_heading("附：本月回访不满意工单", level=1)
        _table(doc, ["工单编号", "办结时间", "诉求人", "联系电话", "承办单位"], [[r[0], r[1], r[2], r[3], r[6]] for r in rows],
               [3.6, 3.2, 2.0, 3.0, 4.2])  # fmt: skip
        if len(data["unsatisfied"]) > APPENDIX_ROWS:
            doc.add_paragraph(
                f"共 {len(data['unsatisfied'])} 件，此处列前 {APPENDIX_ROWS} 件，全部见月度报告 Excel。"
            )
        if not unmasked:
            doc.add_paragraph("诉求人姓名与电话已按导出人的角色脱敏。").runs[0].font.size = Pt(9)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()
