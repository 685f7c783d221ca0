"""API shapes for tickets."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import model_validator
from pydantic_core import PydanticCustomError


class CitizenIn(Schema):
    name: str = Field(default="", max_length=60)
    phone: str = Field(default="", max_length=30)
    id_number: str = Field(default="", max_length=18)
    confidential: bool = False
    anonymous: bool = False
    no_callback: bool = False

    @model_validator(mode="before")
    @classmethod
    def _object_only(cls, value: Any) -> Any:
        # ninja's Schema reads attributes off any object: a string here would pass as an empty citizen.
        raw = value._obj if isinstance(value, DjangoGetter) else value
        if not isinstance(raw, (dict, CitizenIn)):
            raise PydanticCustomError("model_attributes_type", "应为对象")
        return value


class TicketCreateIn(Schema):
    title: str = Field(..., description="标题，最多 200 字")
    content: str = Field(..., description="诉求内容，最多 10000 字")
    type: str = Field(
        "consultation",
        description="consultation 咨询 · help 求助 · complaint 投诉 · report 举报 · suggestion 建议 · praise 表扬 · other 其他",
    )
    channel: str = Field(
        "phone", description="phone · web · wechat · open311 · province · police · switchboard · email"
    )
    hotline: str = "12345"
    urgency: str = Field("normal", description="normal 一般 · urgent 紧急 · critical 特急")
    category: str | None = Field(None, description="分类编码（GET /categories）")
    address: str = ""
    district: str | None = Field(None, description="区县单位编码")
    street: str | None = Field(None, description="街道单位编码")
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    citizen: CitizenIn | None = None
    submit: bool = Field(False, description="true：直接进入待派单；false：保存为草稿")
    external_refs: dict[str, str] = Field(
        default_factory=dict, description='外部系统编号，如 {"province": "SJ2026..."}'
    )


class AssignmentOut(Schema):
    department: str
    department_name: str
    role: str
    level: int
    state: str
    active: bool
    assigned_at: datetime
    ack_due_at: datetime | None
    acknowledged_at: datetime | None
    replied_at: datetime | None
    reply: str


class PauseOut(Schema):
    started_at: datetime
    ended_at: datetime | None
    reason: str


class CitizenOut(Schema):
    name: str
    phone: str
    id_number: str
    confidential: bool
    anonymous: bool
    no_callback: bool
    masked: bool


class TicketListOut(Schema):
    number: str
    status: str
    status_label: str
    type: str
    channel: str
    urgency: str
    title: str
    category: str | None
    lead_department: str | None
    created_at: datetime
    due_at: datetime | None
    overdue: bool
    version: int


class TicketOut(TicketListOut):
    hotline: str
    content: str
    address: str
    district: str | None
    street: str | None
    latitude: Decimal | None
    longitude: Decimal | None
    citizen: CitizenOut
    supervised: bool
    urge_count: int
    reopen_count: int
    return_count: int
    first_department: str | None
    completing_department: str | None
    dispatched_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    clock_started_at: datetime | None
    budget: int
    budget_unit: str
    warn_at: datetime | None
    paused: bool
    visit_result: str
    close_reason: str
    parent: str | None
    merged_children: list[str]
    related: list[str]
    assignments: list[AssignmentOut]
    pauses: list[PauseOut]
    allowed_actions: list[str]


class TicketPage(Schema):
    count: int = Field(description="符合条件的工单数；超过 10000 时为 10000，且 count_exact 为 false")
    count_exact: bool = Field(description="count 是否为精确数")
    page: int
    page_size: int
    results: list[TicketListOut]


class EventOut(Schema):
    seq: int
    action: str
    at: datetime
    actor: str | None
    actor_role: str
    actor_department: str | None
    from_status: str
    to_status: str
    note: str
    data: dict


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    sha256: str
    uploaded_at: datetime


class VersionIn(Schema):
    version: int | None = Field(None, description="客户端看到的工单版本；不一致时返回 409 conflict")


class AnswerIn(VersionIn):
    answer: str


class DispatchIn(VersionIn):
    lead: str = Field(..., description="主办单位编码")
    assists: list[str] = Field(default_factory=list, description="协办单位编码")
    note: str = ""


class SubdispatchIn(VersionIn):
    department: str
    note: str = ""


class ReplyIn(VersionIn):
    reply: str


class DecisionIn(VersionIn):
    approve: bool
    note: str = ""


class VisitIn(VersionIn):
    result: str = Field(
        ...,
        description="satisfied 满意 · basically_satisfied 基本满意 · unsatisfied 不满意 · unreachable 未联系上",
    )
    note: str = ""


class ReasonIn(VersionIn):
    reason: str


class ReturnRequestIn(VersionIn):
    reason: str
    legal_basis: str = ""


class ExtensionRequestIn(VersionIn):
    days: int
    reason: str


class NoteIn(VersionIn):
    note: str = ""


class SuperviseIn(VersionIn):
    on: bool = True
    note: str = ""


class MergeIn(VersionIn):
    parent: str = Field(..., description="并入的主工单编号")
    note: str = ""


class CategoryOut(Schema):
    code: str
    name: str
    level: int
    parent: str | None
    pinyin_initials: str


class ListQuery(Schema):
    status: list[str] | None = None
    department: str | None = None
    overdue: bool | None = None
    created_from: date | None = None
    created_to: date | None = None
    q: str = ""
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(20, ge=1, le=100)
