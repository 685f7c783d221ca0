"""REST endpoints for 12345–110 linkage, mounted under /api/v1/police (token or session auth)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from hotline.accounts.api import ErrorOut
from hotline.accounts.models import Role, User
from hotline.core.errors import InvalidInput, NotAllowed
from hotline.exchange.models import PoliceCall, PoliceLink
from hotline.exchange.selectors import police_volume
from hotline.exchange.services import police as svc
from hotline.tickets.models import Ticket

router = Router(tags=["110联动"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
READ_ROLES = {Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class PoliceCallOut(Schema):
    started_at: datetime
    duration_s: int
    police_operator: str
    note: str


class PoliceLinkOut(Schema):
    id: int
    ticket: str
    direction: str
    police_ref: str
    reason: str
    state: str
    state_label: str
    owner: str
    first_receiver: str
    ruling_note: str
    created_at: datetime
    answered_at: datetime | None
    calls: list[PoliceCallOut]


def _out(link: PoliceLink) -> PoliceLinkOut:
    return PoliceLinkOut(
        id=link.pk,
        ticket=link.ticket.number,
        direction=link.direction,
        police_ref=link.police_ref,
        reason=link.reason,
        state=link.state,
        state_label=link.get_state_display(),
        owner=link.owner,
        first_receiver=link.first_receiver,
        ruling_note=link.ruling_note,
        created_at=link.created_at,
        answered_at=link.answered_at,
        calls=[
            PoliceCallOut(
                started_at=c.started_at,
                duration_s=c.duration_s,
                police_operator=c.police_operator,
                note=c.note,
            )
            for c in PoliceCall.objects.filter(link=link)
        ],
    )


def _link(pk: int) -> PoliceLink:
    return get_object_or_404(PoliceLink.objects.select_related("ticket"), pk=pk)


class PoliceOutIn(Schema):
    ticket: str = Field(max_length=20)
    reason: str = Field(max_length=2000)
    police_ref: str = Field("", max_length=200)


@router.post("/links/out", response={201: PoliceLinkOut, **ERRORS})
def transfer_out(request: HttpRequest, payload: PoliceOutIn) -> Status:
    """转 110：把工单交给 110，等待其接收或不予接收。"""
    ticket = get_object_or_404(Ticket, number=payload.ticket)
    link = svc.police_transfer_out(
        ticket=ticket, by=_user(request), reason=payload.reason, police_ref=payload.police_ref
    )
    return Status(201, _out(link))


class PoliceInIn(Schema):
    police_ref: str = Field(max_length=200)
    content: str = Field(max_length=20_000)
    title: str = Field("", max_length=500)
    address: str = Field("", max_length=500)
    citizen_phone: str = Field("", max_length=50)
    citizen_name: str = Field("", max_length=100)
    reason: str = Field("非警务求助，转 12345 办理", max_length=2000)


@router.post("/links/in", response={200: PoliceLinkOut, 201: PoliceLinkOut, **ERRORS})
def transfer_in(request: HttpRequest, payload: PoliceInIn) -> Status:
    """110 转入：登记为工单（待派单）；同一接警单号重复提交返回同一工单（200）。"""
    link, created = svc.police_transfer_in(data=svc.PoliceIntake(**payload.dict()), by=_user(request))
    return Status(201 if created else 200, _out(link))


class PoliceAnswerIn(Schema):
    accepted: bool
    police_ref: str = Field("", max_length=200)
    note: str = Field("", max_length=2000)


@router.post("/links/{link_id}/answer", response={200: PoliceLinkOut, **ERRORS})
def answer(request: HttpRequest, link_id: int, payload: PoliceAnswerIn) -> PoliceLinkOut:
    """登记 110 的答复：接收（须有接警单号）或不予接收。"""
    link = svc.police_link_answer(
        link=_link(link_id), by=_user(request), accepted=payload.accepted, police_ref=payload.police_ref,
        note=payload.note,
    )  # fmt: skip
    return _out(link)


class PoliceRuleIn(Schema):
    note: str = Field("", max_length=2000)


@router.post("/links/{link_id}/rule", response={200: PoliceLinkOut, **ERRORS})
def rule(request: HttpRequest, link_id: int, payload: PoliceRuleIn) -> PoliceLinkOut:
    """管辖争议：按首接负责认定负责方。"""
    return _out(svc.police_dispute_rule(link=_link(link_id), by=_user(request), note=payload.note))


class PoliceCallIn(Schema):
    started_at: datetime
    duration_s: int = Field(ge=0, le=10**6)
    police_operator: str = Field("", max_length=200)
    note: str = Field("", max_length=2000)


@router.post("/links/{link_id}/calls", response={201: PoliceLinkOut, **ERRORS})
def call(request: HttpRequest, link_id: int, payload: PoliceCallIn) -> Status:
    """登记三方通话（市民、12345、110）。"""
    link = _link(link_id)
    svc.police_call_record(link=link, by=_user(request), **payload.dict())
    return Status(201, _out(link))


class PoliceLinksQuery(Schema):
    ticket: str | None = None


@router.get("/links", response={200: list[PoliceLinkOut], **ERRORS})
def links(request: HttpRequest, q: Query[PoliceLinksQuery]) -> list[PoliceLinkOut]:
    """联动记录，最新在前（最多 100 条）；可按工单编号过滤。"""
    if _user(request).role not in READ_ROLES:
        raise NotAllowed("您的角色无权查看 110 联动记录。")
    qs = PoliceLink.objects.select_related("ticket").order_by("-created_at")
    if q.ticket:
        qs = qs.filter(ticket__number=q.ticket)
    return [_out(link) for link in qs[:100]]


class PoliceVolumeQuery(Schema):
    start: date | None = None
    end: date | None = None


class PoliceVolumeOut(Schema):
    start: date
    end: date
    to_110: dict[str, int]
    from_110: dict[str, int]
    ruled: int
    owners: dict[str, int]
    calls: int
    call_seconds: int


@router.get("/volume", response={200: PoliceVolumeOut, **ERRORS})
def volume(request: HttpRequest, q: Query[PoliceVolumeQuery]) -> PoliceVolumeOut:
    """联动量：起止日期（含），默认本月。"""
    if _user(request).role not in READ_ROLES:
        raise NotAllowed("您的角色无权查看 110 联动统计。")
    today = timezone.localdate()
    start = q.start or today.replace(day=1)
    end = q.end or today
    if end < start:
        raise InvalidInput("结束日期早于开始日期。", fields={"end": "早于 start"})
    if (end - start).days > 366:
        raise InvalidInput("统计区间不能超过一年。", fields={"end": "区间过长"})
    tz = timezone.get_current_timezone()
    data = police_volume(
        start=datetime.combine(start, time.min, tz),
        end=datetime.combine(end + timedelta(days=1), time.min, tz),
    )
    return PoliceVolumeOut(**{**data, "start": start, "end": end})
