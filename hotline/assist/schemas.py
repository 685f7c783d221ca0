"""API schemas of the assist app: dispatch suggestions for a request being typed."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema


class SuggestIn(Schema):
    title: str = Field("", max_length=200)
    content: str = Field("", max_length=5000)
    district: str = Field("", max_length=40, description="区县编码（按区县的派单目录优先）")
    category: str = Field("", max_length=40, description="三级分类编码（按派单目录建议承办单位）")


class CategorySuggestionOut(Schema):
    code: str
    name: str
    path: str
    confidence: float


class DepartmentSuggestionOut(Schema):
    code: str
    name: str
    confidence: float | None = Field(description="模型的置信度；派单目录规则为 null")
    source: Literal["rule", "model"]
    source_label: str
    reason: str


class PoliceFlagOut(Schema):
    level: Literal["police", "possible"]
    label: str
    reasons: list[str]


class DuplicateOut(Schema):
    number: str
    title: str
    status: str
    status_label: str
    lead_department: str | None
    created_at: datetime
    similarity: float
    reason: str


class SuggestOut(Schema):
    model_version: str | None
    categories: list[CategorySuggestionOut]
    departments: list[DepartmentSuggestionOut]
    police: PoliceFlagOut | None
    duplicates: list[DuplicateOut]
