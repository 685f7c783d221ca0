"""Every write of the visit app. The ticket's own `visit` action is always taken through
`tickets.services.ticket_visit`: this app decides when a visit is final, the ticket service applies it."""

from __future__ import annotations

import hashlib
import secrets
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from hotline.accounts.models import User
from hotline.core.calendar import get_calendar
from hotline.core.errors import Conflict, InvalidInput, NotFound, ServiceError
from hotline.core.models import AuditLog
from hotline.tickets.models import Ticket, TicketEvent
from hotline.tickets.services import ticket_visit
from hotline.tickets.services.lifecycle import VISIT_MAX_ATTEMPTS, VisitResult
from hotline.visits.models import SurveyLink, VisitAttempt, VisitPolicy, VisitTask

S = Ticket.Status
T = VisitTask.Status
Out = VisitAttempt.Outcome
NOTE_MAX = 500
# Set while this app applies a final result, so the TicketEvent signal does not sync it back.
_applying: ContextVar[bool] = ContextVar("visits_applying", default=False)


# --- Tasks follow the ticket ---------------------------------------------------------------------


def visit_task_open(*, ticket: Ticket, at: Any = None) -> None:
    """Open the visit task of the ticket's current review round (once; later calls add nothing).

    Called inside the review transaction (TicketEvent signal), so a reviewed ticket never lacks its task.
    """
    at = at or timezone.now()
    if ticket.status == S.PENDING_VISIT:
        days = VisitPolicy.get().deadline_days
        fields: dict[str, Any] = {"status": T.OPEN, "due_at": get_calendar().add_workdays(at, days)}
    elif ticket.no_callback:
        fields = {"status": T.NOT_NEEDED, "note": "诉求人不需回访", "done_at": at}
    else:
        fields = {"status": T.NO_PHONE, "note": "无联系电话，无法回访", "done_at": at}
    # One INSERT … ON CONFLICT DO NOTHING on (ticket, round): a replayed signal adds nothing, and the
    # review's transaction needs neither a look-up nor a savepoint.
    VisitTask.objects.bulk_create(
        [VisitTask(ticket=ticket, round=ticket.reopen_count, created_at=at, **fields)], ignore_conflicts=True
    )


def visit_task_sync(event: TicketEvent) -> None:
    """Follow a visit or reopen taken outside the visit desk (ticket page, API) on the open task."""
    if _applying.get():
        return
    now = event.at
    open_task = VisitTask.objects.filter(ticket_id=event.ticket_id, status__in=VisitTask.OPEN_STATUSES)
    # A final result or a reopen closes the task in one UPDATE (no read first); the version moves so
    # a visit desk holding the old row gets a conflict.
    bump = F("version") + 1
    if event.action == "reopen":
        open_task.update(status=T.CANCELLED, note="工单已重办，本轮回访撤销", done_at=now, version=bump)
        return
    if event.to_status == S.PENDING_VISIT:  # unreachable, the ticket waits for another try
        task = open_task.first()
        if task is None:
            return
        VisitAttempt.objects.create(
            task=task,
            channel="phone",
            at=now,
            by=event.actor,
            outcome=Out.NO_ANSWER,
            note=event.note[:NOTE_MAX],
        )
        open_task.filter(pk=task.pk).update(
            phone_attempts=F("phone_attempts") + 1, last_attempt_at=now, version=bump
        )
        return
    open_task.update(
        status=T.DONE,
        result=str(event.data.get("result", "")),
        source="ticket",
        done_at=now,
        done_by_id=event.actor_id,
        reopened=event.to_status == S.DISPATCHED,
        version=bump,
    )


# --- Attempts --------------------------------------------------------------------------------------


def _lock(task: VisitTask | int, version: int | None) -> VisitTask:
    pk = task.pk if isinstance(task, VisitTask) else task
    try:
        locked = VisitTask.objects.select_for_update().select_related("ticket").get(pk=pk)
    except VisitTask.DoesNotExist:
        raise NotFound("回访任务不存在。") from None
    if version is not None and locked.version != version:
        raise Conflict("该回访已被他人处理，请刷新后查看。")
    if not locked.is_open:
        raise Conflict(f"该回访已结束（{locked.get_status_display()}）。", code="invalid_transition")
    return locked


def _save(task: VisitTask, fields: list[str]) -> None:
    old = task.version
    task.version = old + 1
    values = {f: getattr(task, f if f != "done_by" else "done_by_id") for f in fields}
    if "done_by" in values:
        values["done_by_id"] = values.pop("done_by")
    if VisitTask.objects.filter(pk=task.pk, version=old).update(version=task.version, **values) != 1:
        raise Conflict("该回访已被他人处理，请刷新后查看。")


def _note(value: str, label: str = "回访记录") -> str:
    value = (value or "").strip()
    if len(value) > NOTE_MAX:
        raise InvalidInput(f"{label}不能超过 {NOTE_MAX} 个字。", fields={"note": "过长"})
    return value


def _finish(task: VisitTask, *, result: str, by: User | None, source: str, note: str = "") -> Ticket:
    """Apply the final result to the ticket through its `visit` action, then close the task."""
    if result == VisitResult.UNSATISFIED and not note:
        note = "市民表示不满意"
    token = _applying.set(True)
    try:
        ticket = task.ticket
        if result == VisitResult.UNREACHABLE:
            # The lifecycle closes a ticket after VISIT_MAX_ATTEMPTS unreachable visits in a round.
            for _ in range(VISIT_MAX_ATTEMPTS):
                ticket = ticket_visit(ticket=ticket, by=by, result=result, note=note)  # type: ignore[arg-type]
                if ticket.status != S.PENDING_VISIT:
                    break
        else:
            ticket = ticket_visit(ticket=ticket, by=by, result=result, note=note)  # type: ignore[arg-type]
    finally:
        _applying.reset(token)
    task.status, task.result, task.source = T.DONE, result, source
    task.done_at, task.done_by = timezone.now(), by
    task.reopened = ticket.status == S.DISPATCHED
    task.online_result = ""
    _save(task, ["status", "result", "source", "done_at", "done_by", "reopened", "online_result",
                 "phone_attempts", "last_attempt_at", "note"])  # fmt: skip
    return ticket


PHONE_OUTCOMES = (Out.REACHED, *VisitAttempt.FAILED)


def visit_attempt_record(
    *,
    task: VisitTask | int,
    by: User,
    outcome: str,
    result: str = "",
    note: str = "",
    version: int | None = None,
    base_url: str = "",
) -> VisitTask:
    """Record one phone call: reached (with the result) finishes the visit; a failed call counts toward the rule."""
    if outcome not in PHONE_OUTCOMES:
        raise InvalidInput("请选择通话结果。", fields={"outcome": "取值无效"})
    rated = (VisitResult.SATISFIED, VisitResult.BASICALLY_SATISFIED, VisitResult.UNSATISFIED)
    if outcome == Out.REACHED and result not in rated:
        raise InvalidInput("接通后请选择满意、基本满意或不满意。", fields={"result": "请选择回访结果"})
    note = _note(note)
    if outcome == Out.REACHED and result == VisitResult.UNSATISFIED and not note:
        raise InvalidInput(
            "市民不满意时请填写回访记录（不满意的原因）。", fields={"note": "请填写不满意的原因"}
        )
    with transaction.atomic():
        task = _lock(task, version)
        policy = VisitPolicy.get()
        now = timezone.now()
        if outcome != Out.REACHED and task.last_attempt_at and task.phone_attempts:
            ready = task.last_attempt_at + timedelta(minutes=policy.attempt_gap_minutes)
            if now < ready:
                local = timezone.localtime(ready)
                raise InvalidInput(
                    f"距上次拨打不足 {policy.attempt_gap_minutes} 分钟，未接通的拨打请在 {local:%H:%M} 之后再登记。",
                    fields={"outcome": f"{local:%H:%M} 后可再拨"},
                )
        VisitAttempt.objects.create(
            task=task, channel="phone", at=now, by=by, outcome=outcome, result=result, note=note
        )
        task.last_attempt_at = now
        if outcome == Out.REACHED:
            _finish(task, result=result, by=by, source="phone", note=note)
            return task
        task.phone_attempts += 1
        if outcome == Out.WRONG_NUMBER:
            task.note = "空号/错号"
            _finish(task, result=VisitResult.UNREACHABLE, by=by, source="phone", note="空号/错号，无法回访")
        elif task.phone_attempts >= policy.phone_attempts and task.status == T.OPEN:
            if policy.sms_fallback:
                _send_link(task, by=by, policy=policy, base_url=base_url)
                task.status = T.AWAITING
                _save(task, ["status", "phone_attempts", "last_attempt_at"])
            else:
                _finish(task, result=VisitResult.UNREACHABLE, by=by, source="phone",
                        note=f"电话回访 {task.phone_attempts} 次未接通")  # fmt: skip
        else:
            _save(task, ["phone_attempts", "last_attempt_at"])
    return task


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _send_link(task: VisitTask, *, by: User | None, policy: VisitPolicy, base_url: str) -> str:
    from hotline.exchange.notify import notify_citizen

    token = secrets.token_urlsafe(24)
    now = timezone.now()
    expires = now + timedelta(hours=policy.survey_valid_hours)
    link = SurveyLink.objects.create(
        task=task, token_hash=_hash(token), created_at=now, expires_at=expires, sent_by=by
    )
    base = (base_url or getattr(settings, "PUBLIC_BASE_URL", "")).rstrip("/")
    url = base + reverse("visits:survey", args=[token])
    text = (
        f"您好，您反映的问题（工单 {task.ticket.number}）已办理完毕。请点击链接评价办理结果，"
        f"{timezone.localtime(expires):%m月%d日%H:%M}前有效。"
    )
    notice = notify_citizen(
        phone=task.ticket.citizen_phone, text=text, link=url, purpose="visit", ticket_id=task.ticket_id
    )
    channel = notice.channel if notice.channel in VisitAttempt.Channel.values else "sms"
    if channel != link.channel:
        link.channel = channel
        link.save(update_fields=["channel"])
    VisitAttempt.objects.create(task=task, channel=channel, at=now, by=by, outcome=Out.LINK_SENT)
    task.last_attempt_at = now
    return token


def visit_link_send(
    *, task: VisitTask | int, by: User, version: int | None = None, base_url: str = ""
) -> str:
    """Send the citizen a survey link now (SMS, or WeChat when bound); returns the token (for tests)."""
    with transaction.atomic():
        task = _lock(task, version)
        if not task.ticket.citizen_phone:
            raise InvalidInput("该工单没有联系电话，无法发送回访链接。")
        token = _send_link(task, by=by, policy=VisitPolicy.get(), base_url=base_url)
        task.status = T.AWAITING
        _save(task, ["status", "last_attempt_at"])
    return token


def visit_dial(*, task: VisitTask | int, by: User, address: str = "") -> str:
    """The number to dial for a visit; showing it unmasked is written to the audit log."""
    pk = task.pk if isinstance(task, VisitTask) else task
    row = VisitTask.objects.select_related("ticket").filter(pk=pk).first()
    if row is None:
        raise NotFound("回访任务不存在。")
    if not row.ticket.citizen_phone:
        raise InvalidInput("该工单没有联系电话。")
    AuditLog.objects.create(
        actor=by, action="visit_dial", object_type="ticket", object_id=row.ticket.number, address=address[:64]
    )
    return row.ticket.citizen_phone


# --- The citizen's survey page ---------------------------------------------------------------------


class SurveyError(ServiceError):
    """Why a survey link cannot be used; `code` is one of invalid / used / expired / closed."""


def survey_find(token: str) -> SurveyLink:
    """The usable link behind a token, or a SurveyError saying in Chinese why not."""
    link = (
        SurveyLink.objects.select_related("task__ticket").filter(token_hash=_hash(token or "")).first()
        if 16 <= len(token or "") <= 64
        else None
    )
    if link is None:
        raise SurveyError("回访链接无效，请核对短信中的链接是否完整。", code="invalid")
    if link.used_at is not None:
        raise SurveyError("您已经评价过了，感谢您的反馈！", code="used")
    if link.expires_at <= timezone.now():
        local = timezone.localtime(link.expires_at)
        raise SurveyError(
            f"回访链接已于 {local:%Y-%m-%d %H:%M} 过期。如需评价，请拨打 12345 热线。", code="expired"
        )
    if not link.task.is_open:
        raise SurveyError("本次回访已经结束，感谢您的配合！", code="closed")
    return link


def survey_answer(*, token: str, result: str, comment: str = "") -> SurveyLink:
    """The citizen's answer through the link: recorded once; applied to the ticket per the visit policy."""
    rated = (VisitResult.SATISFIED, VisitResult.BASICALLY_SATISFIED, VisitResult.UNSATISFIED)
    if result not in rated:
        raise InvalidInput("请选择：满意、基本满意或不满意。", fields={"result": "请选择评价"})
    comment = _note(comment, "意见")
    with transaction.atomic():
        link = survey_find(token)
        now = timezone.now()
        # Compare-and-swap on used_at: of two submits of one link exactly one counts (SQLite too).
        if not SurveyLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
            used_at=now, result=result, comment=comment
        ):
            raise SurveyError("您已经评价过了，感谢您的反馈！", code="used")
        task = _lock(link.task_id, None)
        VisitAttempt.objects.create(
            task=task, channel=link.channel, at=now, outcome=Out.LINK_ANSWERED, result=result, note=comment
        )
        policy = VisitPolicy.get()
        if result == VisitResult.UNSATISFIED and policy.unsatisfied == VisitPolicy.Unsatisfied.CONFIRM:
            task.online_result, task.status = result, T.OPEN
            task.note = "市民在线评价不满意，待电话确认"
            _save(task, ["online_result", "status", "note"])
        else:
            source = link.channel if link.channel in ("sms", "wechat") else "sms"
            try:
                with transaction.atomic():
                    _finish(task, result=result, by=link.sent_by, source=source,
                            note=f"市民在线评价：{VisitResult.LABELS[result]}" + (f"。{comment}" if comment else ""))  # fmt: skip
            except ServiceError:
                # The sender can no longer record visits: keep the answer for a visit agent to confirm.
                task.online_result, task.status, task.note = result, T.OPEN, "市民已在线评价，待回访员登记"
                _save(task, ["online_result", "status", "note"])
    link.refresh_from_db()
    return link


def visits_expire_links(*, now: Any = None) -> int:
    """Close as 未联系上 the visits whose survey links all expired unanswered (idempotent)."""
    now = now or timezone.now()
    done = 0
    ids = list(
        VisitTask.objects.filter(status=T.AWAITING)
        .exclude(links__expires_at__gt=now)
        .exclude(links__used_at__isnull=False)
        .values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            try:
                task = _lock(pk, None)
            except Conflict:
                continue
            if task.status != T.AWAITING or task.links.filter(expires_at__gt=now).exists():
                continue
            last = task.links.order_by("-created_at").first()
            VisitAttempt.objects.create(
                task=task, channel=last.channel if last else "sms", at=now, outcome=Out.LINK_EXPIRED
            )
            try:
                with transaction.atomic():
                    _finish(task, result=VisitResult.UNREACHABLE, by=last.sent_by if last else None,
                            source="phone", note="电话未接通，回访链接过期未评价")  # fmt: skip
                done += 1
            except ServiceError:
                task.status, task.note = T.OPEN, "回访链接已过期，请再次电话回访"
                _save(task, ["status", "note"])
    return done
