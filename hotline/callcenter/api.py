"""REST endpoints of the callcenter app, mounted under /api/v1/callcenter."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime, time, timedelta
from typing import Any, Literal, get_type_hints

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import create_model

from hotline.accounts.api import ErrorOut
from hotline.accounts.models import Role, User
from hotline.callcenter import selectors as sel
from hotline.callcenter.kpis import Kpis
from hotline.callcenter.models import CallbackTask
from hotline.callcenter.services import callback_record
from hotline.core.errors import InvalidInput, NotAllowed
from hotline.core.masking import mask_phone

router = Router(tags=["呼叫中心"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
READ_ROLES: set[str] = {Role.SUPERVISOR, Role.ANALYST, Role.ADMIN}
CALLBACK_ROLES: set[str] = {Role.VISIT_AGENT, Role.SUPERVISOR, Role.AGENT, Role.DISPATCHER}


def _user(request: HttpRequest, roles: set[str]) -> User:
    user: User = request.user  # type: ignore[assignment]
    if user.role not in roles:
        raise NotAllowed("您的角色无权访问呼叫中心数据。")
    return user


class KpiQuery(Schema):
    start: date | None = None
    end: date | None = None
    queue: str | None = None


# The KPI figures are the `Kpis` dataclass's fields, so the schema follows any change to them.
KpiOut = create_model(
    "KpiOut",
    __base__=Schema,
    start=(date, ...),
    end=(date, ...),
    queue=(str | None, ...),
    **{f.name: (get_type_hints(Kpis)[f.name], ...) for f in fields(Kpis)},  # type: ignore[call-overload]
)


@router.get(
    "/kpis",
    response={200: KpiOut, **ERRORS},
    summary="话务指标（接通率、30 秒接通率、放弃率、ASA、AHT、占用率、漏接回拨率）",
)
def kpis(request: HttpRequest, q: Query[KpiQuery]) -> dict[str, Any]:
    """KPIs of calls that arrived from `start` to `end` (dates, inclusive; default today)."""
    _user(request, READ_ROLES)
    today = timezone.localdate()
    start, end = q.start or today, q.end or q.start or today
    if end < start:
        raise InvalidInput("结束日期不能早于开始日期。", fields={"end": "早于开始日期"})
    if (end - start).days > 366:
        raise InvalidInput("查询范围不能超过一年。", fields={"end": "范围过大"})
    lo = timezone.make_aware(datetime.combine(start, time.min))
    hi = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    k = sel.kpis_between(lo, hi, queue=q.queue or None)
    return {"start": start, "end": end, "queue": q.queue or None, **k.as_dict()}


class CallbackOut(Schema):
    id: int
    phone: str
    day: date
    hotline: str
    reason: str
    missed_at: datetime
    due_at: datetime
    status: str
    attempts: int
    outcome: str
    note: str
    version: int
    missed_count: int | None = None


@router.get("/callbacks", response={200: list[CallbackOut], **ERRORS}, summary="漏接回拨任务")
def callbacks(
    request: HttpRequest, status: Literal["pending", "done", "failed", "cancelled"] = "pending"
) -> list[dict[str, Any]]:
    user = _user(request, CALLBACK_ROLES)
    rows = []
    for t in sel.callbacks_worklist(status=status)[:500]:
        rows.append({
            "id": t.pk, "phone": t.phone if user.may_unmask else mask_phone(t.phone), "day": t.day,
            "hotline": t.hotline, "reason": t.reason, "missed_at": t.missed_at, "due_at": t.due_at,
            "status": t.status, "attempts": t.attempts, "outcome": t.outcome, "note": t.note,
            "version": t.version, "missed_count": getattr(t, "missed_count", None),
        })  # fmt: skip
    return rows


class OutcomeIn(Schema):
    outcome: Literal["reached", "resolved", "no_answer", "busy", "invalid"]
    note: str = ""
    version: int | None = None


@router.post(
    "/callbacks/{task_id}/attempts", response={200: CallbackOut, **ERRORS}, summary="登记一次回拨结果"
)
def callback_attempt(request: HttpRequest, task_id: int, payload: OutcomeIn) -> CallbackTask:
    user = _user(request, CALLBACK_ROLES)
    task = callback_record(
        task_id=task_id, by=user, outcome=payload.outcome, note=payload.note, version=payload.version
    )
    if not user.may_unmask:
        task.phone = mask_phone(task.phone)
    return task


@router.get("/floor", response={200: dict[str, Any], **ERRORS}, summary="话务现场实时状态（队列、坐席）")
def floor(request: HttpRequest) -> dict[str, Any]:
    _user(request, READ_ROLES)
    snap, live = sel.floor_snapshot()
    for a in snap.get("agents", []):
        a["ani"] = mask_phone(a.get("ani", ""))
    return {"live": live, **snap}
