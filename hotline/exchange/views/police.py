"""The 110 linkage page (110 联动): hand-overs both ways, 110's answers, 首接负责 rulings, calls, volume."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hotline.accounts.models import Role, User
from hotline.core.errors import InvalidInput, ServiceError
from hotline.exchange.models import PoliceLink
from hotline.exchange.selectors import police_volume
from hotline.exchange.services import police as svc
from hotline.tickets.models import Ticket
from hotline.tickets.views.common import role_required

PAGE_ROLES = (Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    start = datetime.combine(today.replace(day=1), time.min, tz)
    volume = police_volume(start=start, end=datetime.combine(today + timedelta(days=1), time.min, tz))
    links = list(
        PoliceLink.objects.select_related("ticket", "created_by")
        .prefetch_related("calls")
        .order_by("-created_at")[:50]
    )
    return {
        "volume": volume,
        "month": today.strftime("%Y 年 %m 月"),
        "states": PoliceLink.State.choices,
        "links": links,
        "can_rule": _user(request).role in svc.RULE_ROLES,
        "v": QueryDict(),
        "errors": {},
        "form_error": "",
        "form": "",
        "row": None,
        **extra,
    }


def _fail(request: HttpRequest, exc: ServiceError, form: str, row: int | None = None) -> HttpResponse:
    ctx = _context(request, v=request.POST, errors=exc.fields, form_error=exc.message, form=form, row=row)
    return render(request, "exchange/police.html", ctx, status=400)


@role_required(*PAGE_ROLES)
def desk(request: HttpRequest) -> HttpResponse:
    return render(request, "exchange/police.html", _context(request))


def _link(raw: str) -> PoliceLink:
    link = PoliceLink.objects.select_related("ticket").filter(pk=int(raw)).first() if raw.isdecimal() else None
    if link is None:
        raise InvalidInput("联动记录不存在，请刷新页面。")
    return link


@require_POST
@role_required(*PAGE_ROLES)
def transfer_out(request: HttpRequest) -> HttpResponse:
    p = request.POST
    try:
        ticket = Ticket.objects.filter(number=p.get("ticket", "").strip()).first()
        if ticket is None:
            raise InvalidInput("工单不存在，请核对工单编号。", fields={"ticket": "工单不存在"})
        link = svc.police_transfer_out(
            ticket=ticket, by=_user(request), reason=p.get("reason", ""), police_ref=p.get("police_ref", "")
        )
    except ServiceError as exc:
        return _fail(request, exc, "out")
    messages.success(request, f"工单 {link.ticket.number} 已转 110，等待 110 答复。")
    return redirect("/police/")


@require_POST
@role_required(*PAGE_ROLES)
def transfer_in(request: HttpRequest) -> HttpResponse:
    p = request.POST
    data = svc.PoliceIntake(
        police_ref=p.get("police_ref", ""),
        content=p.get("content", ""),
        address=p.get("address", ""),
        citizen_phone=p.get("citizen_phone", ""),
    )
    try:
        link, created = svc.police_transfer_in(data=data, by=_user(request))
    except ServiceError as exc:
        return _fail(request, exc, "in")
    note = "已登记为工单" if created else "该接警单号此前已登记，为同一工单"
    messages.success(request, f"110 转入：{note} {link.ticket.number}，待派单。")
    return redirect("/police/")


@require_POST
@role_required(*PAGE_ROLES)
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    p = request.POST
    try:
        link = _link(str(pk))
        if p.get("accepted") not in ("yes", "no"):
            raise InvalidInput("请选择 110 是否接收。", fields={"accepted": "必选"})
        svc.police_link_answer(
            link=link,
            by=_user(request),
            accepted=p.get("accepted") == "yes",
            police_ref=p.get("police_ref", ""),
            note=p.get("note", ""),
        )
    except ServiceError as exc:
        return _fail(request, exc, "answer", pk)
    messages.success(request, "已登记 110 答复。")
    return redirect("/police/")


@require_POST
@role_required(Role.DISPATCHER, Role.SUPERVISOR)
def rule(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        link = svc.police_dispute_rule(
            link=_link(str(pk)), by=_user(request), note=request.POST.get("note", "")
        )
    except ServiceError as exc:
        return _fail(request, exc, "rule", pk)
    messages.success(request, link.ruling_note)
    return redirect("/police/")


@require_POST
@role_required(*PAGE_ROLES)
def call(request: HttpRequest, pk: int) -> HttpResponse:
    p = request.POST
    try:
        raw = p.get("duration", "").strip()
        minutes, _, seconds = raw.partition(":")
        if not minutes.isdecimal() or (seconds and not seconds.isdecimal()):
            raise InvalidInput("通话时长格式应为 分:秒，如 3:20。", fields={"duration": "格式无效"})
        duration = int(minutes) * 60 + int(seconds or 0)
        svc.police_call_record(
            link=_link(str(pk)),
            by=_user(request),
            started_at=timezone.now() - timedelta(seconds=duration),
            duration_s=duration,
            police_operator=p.get("police_operator", ""),
            note=p.get("note", ""),
        )
    except ServiceError as exc:
        return _fail(request, exc, "call", pk)
    messages.success(request, "已登记三方通话。")
    return redirect("/police/")
