"""The monthly report's workbook (月度报告 xlsx), from the snapshot; citizens' details masked unless the reader may see them."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from hotline.metrics.exports import DAYS_FORMAT, FILLS, PERCENT, _head
from hotline.metrics.indicators import DAYS, STATUS_LABELS, fmt
from hotline.metrics.reports.citizens import unsatisfied_rows


def _title(ws: Any, text: str) -> None:
    ws.append([text])
    ws.cell(row=1, column=1).font = Font(bold=True, size=13)


def _rate(ws: Any, col: int, value: float | None, unit: str, status: str = "") -> None:
    cell = ws.cell(row=ws.max_row, column=col, value=value)
    cell.number_format = DAYS_FORMAT if unit == DAYS else (PERCENT if unit == "%" else "0")
    if status in FILLS:
        cell.fill = FILLS[status]


def report_workbook(data: dict[str, Any], *, unmasked: bool) -> bytes:
    """Indicators (with last month), department ranking, categories, districts, the heat grid, the daily
    trend, hotspots and the 不满意 tickets (names and phones masked unless `unmasked`)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "考核指标"
    _title(ws, f"12345 热线 {data['month']} 月度考核指标（{data['from']} 至 {data['to']}）")
    _head(
        ws,
        [
            "指标",
            "分子",
            "分母",
            "数值",
            "目标",
            "状态",
            f"上月（{data['previous']['month']}）",
            "分子口径",
            "分母口径",
        ],
        [22, 12, 12, 12, 14, 8, 14, 40, 40],
    )
    before = data["previous"]["indicators"]
    for f in data["indicators"]:
        sign = {">=": "≥", "<=": "≤", "<": "<"}.get(f["comparison"], "")
        target = "—" if f["target"] is None else f"{sign} {fmt(f['target'], f['unit'])}"
        ws.append([f["name"], f["numerator"], f["denominator"], None, target, STATUS_LABELS[f["status"]], None,
                   f["numerator_label"], f["denominator_label"]])  # fmt: skip
        _rate(ws, 4, f["value"], f["unit"], f["status"])
        _rate(ws, 7, before.get(f["key"]), f["unit"])
    for p in data.get("pending", []):
        ws.append([p["name"], None, None, None, "", "—", None, p["reason"], ""])
    for row in ws.iter_rows(min_row=3, min_col=8, max_col=9):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    wd = wb.create_sheet("成员单位办理质效")
    heads = [i["name"] for i in (data["departments"][0]["indicators"] if data["departments"] else [])]
    _head(wd, ["排名", "单位", "收到派单", *heads, "综合得分"], [6, 22, 10, *([12] * len(heads)), 10])
    for r in data["departments"]:
        wd.append([r["rank"], r["department"], r["received"], *([None] * len(heads)), r["score"]])
        for j, f in enumerate(r["indicators"], start=4):
            _rate(wd, j, f["value"], f["unit"], f["status"])

    for title, key, first in (("诉求分类", "categories", "分类（一级）"), ("区县", "districts", "区县")):
        sh = wb.create_sheet(title)
        _head(
            sh,
            [first, "受理量", "占比", "期内办结（派单）", "参评", "满意", "满意率"],
            [18, 10, 10, 16, 8, 8, 10],
        )
        for r in data[key]:
            sh.append([r["name"], r["intake"], None, r["closed"], r["rated"], r["satisfied"], None])
            _rate(sh, 3, r["intake"] / data["intake"] if data["intake"] else None, "%")
            _rate(sh, 7, r["satisfaction"], "%")

    heat = data["heat"]
    sg = wb.create_sheet("区县×分类")
    _head(sg, ["区县", *heat["categories"], "合计"], [14, *([10] * len(heat["categories"])), 10])
    grid = [[0] * len(heat["categories"]) for _ in heat["districts"]]
    for c, d, n in heat["cells"]:
        grid[d][c] = n
    for d, name in enumerate(heat["districts"]):
        sg.append([name, *grid[d], sum(grid[d])])

    wt = wb.create_sheet("逐日趋势")
    trend = data["trend"]
    _head(wt, ["日期", "受理量", "按时办结率(%)", "综合满意率(%)", "接通率(%)"], [10, 10, 14, 14, 12])
    for i, day in enumerate(trend["days"]):
        wt.append([day, trend["intake"][i], trend["ontime"][i], trend["satisfaction"][i], trend["answer"][i]])

    wh = wb.create_sheet("热点诉求")
    _head(
        wh,
        ["热点（分类：话题 · 地点）", "本月件数", "上月件数", "增长倍数", "示例工单编号"],
        [36, 10, 10, 10, 60],
    )
    for h in data["hotspots"]["clusters"]:
        wh.append([h["label"], h["count"], h["previous"], h["growth"], "、".join(h["numbers"])])
    if data["hotspots"]["alerts"]:
        wh.append([])
        wh.append(["热点预警日期", "预警内容", "件数", "增长倍数"])
        for a in data["hotspots"]["alerts"]:
            wh.append([a["day"], a["label"], a["count"], a["growth"]])

    wu = wb.create_sheet("不满意工单")
    _head(
        wu,
        ["工单编号", "办结时间", "诉求人", "联系电话", "分类", "区县", "承办单位", "诉求标题"],
        [16, 18, 10, 14, 16, 10, 20, 40],
    )
    for row in unsatisfied_rows(data["unsatisfied"], unmasked=unmasked):
        wu.append(row)
    if not unmasked:
        wu.append([])
        wu.append(["诉求人姓名与电话已按导出人的角色脱敏。"])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
