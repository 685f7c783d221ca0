"""API schemas of the metrics app: the KPI board's figures and the monthly reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Schema


class BoardQuery(Schema):
    # Strings, not dates: the board's own parser gives each bad value its Chinese message.
    start: str = ""
    end: str = ""
    hotline: str = ""
    department: str = ""
    category: str = ""
    district: str = ""


class BoardFigureOut(Schema):
    key: str
    name: str
    value: float | None
    numerator: float
    denominator: float
    numerator_label: str
    denominator_label: str
    unit: str  # "%", "工作日" or "次"
    target: float | None
    comparison: str
    status: Literal["green", "amber", "red", "none"]
    status_label: Literal["达标", "临界", "未达标", "无数据"]
    note: str


class BoardFiguresOut(Schema):
    start: date
    end: date
    filters: dict[str, str]
    computed_at: datetime
    figures: list[BoardFigureOut]


class MonthlyReportOut(Schema):
    month: str
    status: Literal["generating", "draft", "final", "failed"]
    status_label: str
    progress: int
    generated_at: datetime | None
    finalised_at: datetime | None
    xlsx_url: str | None
    docx_url: str | None
    page_url: str
