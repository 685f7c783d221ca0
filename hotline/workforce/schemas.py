"""API shapes for the workforce app."""

from __future__ import annotations

from datetime import date

from ninja import Field, Schema


class ErlangQuery(Schema):
    calls: float
    interval_s: float = 1800
    aht_s: float
    target: float = 0.95
    answer_s: float = 30
    patience_s: float | None = None
    shrinkage: float = 0.0


class ErlangOut(Schema):
    agents: int
    scheduled: int
    traffic_erlangs: float
    model: str
    sl: float
    asa_s: float | None  # null when the queue is unstable (infinite wait)
    occupancy: float
    p_wait: float
    abandon: float


class StaffIn(Schema):
    employee_no: str = Field(max_length=20)
    name: str = Field(max_length=30)
    post: str = Field(max_length=30)
    hire_date: date
    education: str = "college"
    mandarin: str = ""
    typing_cpm: int = Field(default=0, ge=0, le=300)
    queues: list[str] | None = None
    night_ok: bool = True
    phone: str = Field(default="", max_length=20)
    username: str = Field(default="", max_length=150)


class StaffOut(Schema):
    id: int
    employee_no: str
    name: str
    post: str
    post_name: str
    hire_date: date
    leave_date: date | None
    queues: list[str]
    night_ok: bool
    cleared: bool


class ExamIn(Schema):
    taken_on: date
    score: float = Field(ge=0, le=100)
    pass_mark: float = Field(default=80, gt=0, le=100)


class ExamOut(Schema):
    id: int
    staff_id: int
    taken_on: date
    score: float
    pass_mark: float
    passed: bool
    approved: bool


class RosterIn(Schema):
    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")


class RosterOut(Schema):
    id: int
    month: date
    status: str
    outcome: str
    required_hours: float
    rostered_hours: float
    short_hours: float
    wall_s: float
    messages: list[str]
    notes: list[str]
