"""Writes of the call centre: storing what the engine recorded, callback tasks and their outcomes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from django.db import connection, transaction
from django.utils import timezone

from hotline.accounts.models import User
from hotline.callcenter.engine.records import CallRecord as EngineRecord
from hotline.callcenter.engine.records import Disposition, LogEntry
from hotline.callcenter.models import (
    Agent,
    CallbackTask,
    CallRecord,
    CallTicketLink,
    CentreSettings,
    Queue,
    QueueLogEntry,
    Recording,
    SoftphoneAction,
)
from hotline.callcenter.selectors import from_epoch
from hotline.core.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed, NotFound
from hotline.tickets.models import Ticket

CALL_ID = re.compile(r"^[A-Za-z0-9._:@\-]{1,64}$")
# A number we can call back: digits only, long enough to be a real line (not withheld or internal).
_CALLABLE = re.compile(r"^\+?\d{5,20}$")
MAX_ATTEMPTS = 3


@dataclass
class StoreResult:
    calls: int
    log: int
    callbacks: int


def _row(r: EngineRecord) -> CallRecord:
    opt = from_epoch
    return CallRecord(
        call_id=r.call_id, hotline=r.hotline, ani=r.ani, arrived_at=opt(r.arrived_at),
        queued_at=opt(r.queued_at) if r.queued_at is not None else None,
        answered_at=opt(r.answered_at) if r.answered_at is not None else None,
        ended_at=opt(r.ended_at), queue=r.queue, answered_queue=r.answered_queue, agent_code=r.agent_id,
        wait_s=round(r.wait_s, 3), talk_s=round(r.talk_s, 3), hold_s=round(r.hold_s, 3), hold_count=r.hold_count,
        offers=r.offers, missed_offers=r.missed_offers, transfers=r.transfers, parties=r.parties,
        agents=r.agents, ivr_path=r.ivr_path, overflowed=r.overflowed, priority=r.priority, repeat=r.repeat,
        entry_position=r.entry_position, disposition=r.disposition, missed=r.missed,
        release_side=r.release_side, cause=r.cause[:40], survey=r.survey,
    )  # fmt: skip


def records_store(
    *, records: Sequence[EngineRecord], entries: Sequence[LogEntry] = (), batch_size: int = 2000
) -> StoreResult:
    """Persist a batch of call records and queue-log lines; missed calls become callback tasks.

    Idempotent per call: a batch stored twice (a retry after a crash) adds no second record and no
    second callback.
    """
    rows = [_row(r) for r in records]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _pg_copy_calls(rows)
            _pg_copy_log(entries)
        else:
            CallRecord.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)
            log = [
                QueueLogEntry(at=from_epoch(e.at), call_id=e.call_id, queue=e.queue, agent_code=e.agent_id,
                              event=e.event, data=e.data)
                for e in entries
            ]  # fmt: skip
            QueueLogEntry.objects.bulk_create(log, batch_size=batch_size)
        made = callbacks_from_calls(calls=rows)
        if rows:
            # A ticket is taken on a call after it arrived: links made since the batch's first call
            # (an hour's margin for clock skew) are all that can apply — a few rows, not a 5,000-id IN.
            since = min(r.arrived_at for r in rows) - timedelta(hours=1)
            _links_apply([r.call_id for r in rows], since=since)
    return StoreResult(len(rows), len(entries), made)


_CALL_FIELDS = [f for f in CallRecord._meta.concrete_fields if not f.primary_key]


def _pg_copy_calls(rows: Sequence[CallRecord]) -> None:
    """COPY into a temporary table, then insert what is new: as fast as COPY, idempotent per call_id."""
    from psycopg.types.json import Jsonb

    if not rows:
        return
    cols = ", ".join(f'"{f.column}"' for f in _CALL_FIELDS)
    json_fields = {f.attname for f in _CALL_FIELDS if f.get_internal_type() == "JSONField"}
    table = CallRecord._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f'CREATE TEMP TABLE IF NOT EXISTS cc_calls_in (LIKE "{table}" INCLUDING DEFAULTS) ON COMMIT DELETE ROWS'
        )
        cur.execute('ALTER TABLE cc_calls_in ALTER COLUMN "id" DROP NOT NULL')
        with cur.cursor.copy(f"COPY cc_calls_in ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [Jsonb(getattr(row, f.attname)) if f.attname in json_fields else getattr(row, f.attname)
                     for f in _CALL_FIELDS]
                )  # fmt: skip
        cur.execute(
            f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM cc_calls_in ON CONFLICT ("call_id") DO NOTHING'  # noqa: S608 - names from model metadata
        )
        cur.execute("DELETE FROM cc_calls_in")


def _pg_copy_log(entries: Sequence[LogEntry]) -> None:
    from psycopg.types.json import Jsonb

    if not entries:
        return
    table = QueueLogEntry._meta.db_table
    with (
        connection.cursor() as cur,
        cur.cursor.copy(
            f'COPY "{table}" ("at", "call_id", "queue", "agent_code", "event", "data") FROM STDIN'
        ) as copy,
    ):
        for e in entries:
            copy.write_row((from_epoch(e.at), e.call_id, e.queue, e.agent_id, e.event, Jsonb(e.data)))


def callbacks_from_calls(*, calls: Sequence[CallRecord]) -> int:
    """Stored calls → one callback task per missed caller per day (exactly once, also under
    concurrency); a later answered call from the same caller that day closes the open task."""
    calls = sorted(
        (c for c in calls if c.missed or c.disposition == Disposition.ANSWERED), key=lambda c: c.arrived_at
    )
    if not calls:
        return 0
    settings = CentreSettings.get()
    deadline = timedelta(hours=settings.callback_deadline_h)
    tz = timezone.get_current_timezone()
    wanted: dict[tuple[str, object], CallbackTask] = {}
    answered: list[CallRecord] = []
    for c in calls:
        if not _CALLABLE.match(c.ani):
            continue
        day = c.arrived_at.astimezone(tz).date()
        if c.missed and _is_short_abandon(c, settings.short_abandon_s):
            continue  # 秒挂: a misdial, not a missed caller (the KPI excludes it the same way)
        if c.missed:
            wanted.setdefault(
                (c.ani, day),
                CallbackTask(phone=c.ani, day=day, hotline=c.hotline, reason=c.disposition,
                             missed_at=c.arrived_at, due_at=c.arrived_at + deadline, note=c.call_id),
            )  # fmt: skip
        elif c.disposition == Disposition.ANSWERED:
            answered.append(c)
    made = 0
    if wanted:
        phones = {phone for phone, _ in wanted}
        existing = set(
            CallbackTask.objects.filter(phone__in=phones, day__in={day for _, day in wanted}).values_list(
                "phone", "day"
            )
        )
        # The rows may be unsaved copies (bulk inserts): look up the ids of the first missed calls.
        ids = dict(
            CallRecord.objects.filter(call_id__in=[t.note for t in wanted.values()]).values_list(
                "call_id", "pk"
            )
        )
        for task in wanted.values():
            task.first_call_id, task.note = ids.get(task.note), ""
        # The unique (phone, day) constraint makes creation exactly-once, whoever stores first.
        CallbackTask.objects.bulk_create(list(wanted.values()), ignore_conflicts=True)
        made = len(set(wanted) - existing)
    if answered:
        _callbacks_close_answered(answered, tz)
    return made


def _is_short_abandon(c: CallRecord, short_s: int) -> bool:
    if c.disposition == Disposition.ABANDONED_IVR:
        return (c.ended_at - c.arrived_at).total_seconds() < short_s
    if c.disposition in (Disposition.ABANDONED_QUEUE, Disposition.ABANDONED_RINGING):
        return c.wait_s < short_s
    return False


def _callbacks_close_answered(answered: list[CallRecord], tz: tzinfo) -> None:
    """A caller who got through later the same day needs no callback: close their open task."""
    by_phone = {c.ani: c for c in answered}
    open_tasks = CallbackTask.objects.filter(status=CallbackTask.Status.PENDING, phone__in=list(by_phone))
    for task in open_tasks:
        later = [
            c for c in answered
            if c.ani == task.phone and c.arrived_at > task.missed_at and c.arrived_at.astimezone(tz).date() == task.day
        ]  # fmt: skip
        if not later:
            continue
        c = later[0]
        at = c.answered_at or c.arrived_at
        CallbackTask.objects.filter(pk=task.pk, status=CallbackTask.Status.PENDING).update(
            status=CallbackTask.Status.DONE,
            outcome=CallbackTask.Outcome.CALLED_AGAIN,
            done_at=at,
            first_attempt_at=at,
            note=f"市民于 {timezone.localtime(c.arrived_at):%H:%M} 再次来电并接通（{c.call_id}）",
            version=task.version + 1,
        )


OUTCOME_STATUS = {
    CallbackTask.Outcome.REACHED: CallbackTask.Status.DONE,
    CallbackTask.Outcome.RESOLVED: CallbackTask.Status.DONE,
    CallbackTask.Outcome.INVALID: CallbackTask.Status.CANCELLED,
}


def callback_record(
    *, task_id: int, by: User, outcome: str, note: str = "", version: int | None = None
) -> CallbackTask:
    """Record one callback attempt: reached → done; no answer/busy → retry, failed after three tries."""
    if outcome not in CallbackTask.Outcome.values or outcome == CallbackTask.Outcome.CALLED_AGAIN:
        raise InvalidInput("请选择回拨结果。", fields={"outcome": "取值无效"})
    if len(note) > 300:
        raise InvalidInput("备注不能超过 300 字。", fields={"note": "过长"})
    with transaction.atomic():
        task = CallbackTask.objects.select_for_update().filter(pk=task_id).first()
        if task is None:
            raise NotFound("回拨任务不存在。")
        if version is not None and task.version != version:
            raise Conflict("该回拨任务已被他人处理，请刷新后查看。")
        if task.status != CallbackTask.Status.PENDING:
            raise InvalidTransition(f"该回拨任务已是“{task.get_status_display()}”，不能再登记。")
        task.attempts += 1
        task.first_attempt_at = task.first_attempt_at or timezone.now()
        task.outcome = outcome
        task.note = note.strip()
        status = OUTCOME_STATUS.get(CallbackTask.Outcome(outcome))
        if status is None and task.attempts >= MAX_ATTEMPTS:
            status = CallbackTask.Status.FAILED
        if status is not None:
            task.status = status
            task.done_at = timezone.now()
            task.done_by = by
        task.version += 1
        updated = CallbackTask.objects.filter(pk=task.pk, version=task.version - 1).update(
            attempts=task.attempts, first_attempt_at=task.first_attempt_at, outcome=task.outcome, note=task.note, status=task.status,
            done_at=task.done_at, done_by=task.done_by, version=task.version,
        )  # fmt: skip
        if not updated:
            raise Conflict("该回拨任务已被他人处理，请刷新后查看。")
    return task


def softphone_request(
    *, user: User, action: str, call_id: str = "", reason: str = "", target: str = ""
) -> SoftphoneAction:
    """Queue a softphone click for the floor process (which carries it out through the adapter)."""
    agent = Agent.objects.filter(user=user, is_active=True).first()
    if agent is None:
        raise NotAllowed("您的账号未绑定话务员工号，请联系管理员在“话务员”中绑定。")
    if action not in SoftphoneAction.ACTIONS:
        raise InvalidInput("未知的软电话操作。", fields={"action": "取值无效"})
    if action in ("answer", "hold", "unhold", "transfer", "three_way", "hangup") and not call_id:
        raise InvalidInput("当前没有通话。", fields={"call_id": "必填"})
    if action == "not_ready" and reason not in NOT_READY_REASONS:
        raise InvalidInput("请选择示忙原因。", fields={"reason": "取值无效"})
    if action == "transfer" and target.startswith("tel:"):
        # An outside number (the switchboard directory): only through exchange's desk_transfer, which logs it.
        target = target.removeprefix("tel:")
        if not re.fullmatch(r"[0-9][0-9,]{2,39}", target):
            raise InvalidInput("转接号码无效。", fields={"target": "格式不正确"})
    elif action == "transfer":
        queue = target.removeprefix("queue:")
        if not target.startswith("queue:") or not Queue.objects.filter(key=queue, is_active=True).exists():
            raise InvalidInput("请选择要转接的队列。", fields={"target": "取值无效"})
    if action == "three_way" and not re.fullmatch(r"[0-9A-Za-z\-]{3,30}", target):
        raise InvalidInput("请填写三方号码或工号（3–30 位数字或字母）。", fields={"target": "格式不正确"})
    return SoftphoneAction.objects.create(
        agent=agent, action=action, call_id=call_id[:64], reason=reason, target=target[:40]
    )


NOT_READY_REASONS = ("小休", "就餐", "培训", "会议", "处理工单")


# --- Calls ↔ tickets, recordings ------------------------------------------------------------------


def call_ticket_link(*, call_id: str, ticket: Ticket, by: User | None = None) -> CallTicketLink:
    """Link a ticket to the call it was taken on. Either order works: the call's record may be stored
    already (linked now) or later (linked by `records_store`); linking twice changes nothing."""
    call_id = call_id.strip()
    if not CALL_ID.match(call_id):
        raise InvalidInput("来电编号无效，请从软电话条重新打开受理。", fields={"call_id": "格式不正确"})
    with transaction.atomic():
        link, _ = CallTicketLink.objects.get_or_create(call_id=call_id, ticket=ticket, defaults={"by": by})
        _links_apply([call_id])
    return link


def _links_apply(call_ids: Sequence[str], *, since: datetime | None = None) -> int:
    """Stored calls with a ticket taken on them but no ticket yet get the first one (and so do their
    recordings); then three-way calls with 110 are recorded against the ticket's linkage. `since`:
    only links made from then on can concern these calls."""
    if not call_ids:
        return 0
    links = CallTicketLink.objects.all()
    links = links.filter(at__gte=since) if since is not None else links.filter(call_id__in=call_ids)
    wanted = set(call_ids)
    first: dict[str, int] = {}
    for cid, tid in links.order_by("at", "id").values_list("call_id", "ticket_id"):
        if cid in wanted:
            first.setdefault(cid, tid)
    n = 0
    for cid, tid in first.items():
        n += CallRecord.objects.filter(call_id=cid, ticket__isnull=True).update(ticket_id=tid)
        Recording.objects.filter(call__call_id=cid, ticket__isnull=True).update(ticket_id=tid)
    if first:
        from hotline.exchange.services.desk_transfer import police_calls_from_records

        police_calls_from_records(call_ids=list(first))
    return n


def recording_register(
    *,
    call_id: str,
    path: str,
    started_at: datetime,
    duration_s: float,
    codec: str = "PCMA",
    size_bytes: int = 0,
    sha256: str = "",
) -> Recording:
    """Store a recording's metadata (reported by the media server after the call); idempotent per path."""
    errors: dict[str, str] = {}
    clean = path.strip().lstrip("/")
    if not clean or ".." in clean.split("/") or len(clean) > 300:
        errors["path"] = "录音文件路径无效。"
    if not 0 <= duration_s <= 24 * 3600:
        errors["duration_s"] = "录音时长无效。"
    if sha256 and not re.fullmatch(r"[0-9a-f]{64}", sha256):
        errors["sha256"] = "校验值应为 64 位十六进制。"
    if errors:
        raise InvalidInput("录音信息有误。", fields=errors)
    call = CallRecord.objects.filter(call_id=call_id).first()
    if call is None:
        raise NotFound(f"话单 {call_id[:64]} 不存在。", fields={"call_id": "不存在"})
    rec, _ = Recording.objects.get_or_create(
        path=clean,
        defaults={"call": call, "ticket_id": call.ticket_id, "started_at": started_at, "duration_s": duration_s,
                  "codec": codec[:20], "size_bytes": size_bytes, "sha256": sha256},
    )  # fmt: skip
    return rec
