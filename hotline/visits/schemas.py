"""API schemas of the visit app: the 回访台 worklist and one call's outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema


class VisitQuery(Schema):
    status: Literal["", "open", "awaiting"] = Field(
        "", description="open 待回访，awaiting 待市民在线评价；空为全部"
    )
    overdue: bool | None = Field(None, description="true 只看已超期，false 只看未超期")
    page: int = Field(1, ge=1, le=100_000)


class VisitOut(Schema):
    id: int
    number: str
    title: str
    round: int
    status: str
    status_label: str
    due_at: datetime | None
    overdue: bool
    phone_attempts: int
    last_attempt_at: datetime | None
    online_result: str
    citizen_name: str
    citizen_phone: str
    anonymous: bool
    department: str | None
    reply: str
    version: int


class VisitPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[VisitOut]


class AttemptIn(Schema):
    outcome: Literal["reached", "no_answer", "busy", "powered_off", "wrong_number"]
    result: Literal["", "satisfied", "basically_satisfied", "unsatisfied"] = Field(
        "", description="接通（reached）时必填"
    )
    note: str = Field("", max_length=500, description="不满意时必填（不满意的原因）")
    version: int | None = Field(None, description="列表中的 version；他人先处理时返回 409 conflict")
