"""Reads with rules: the engine's configuration from the database, callback worklists, caller history."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery

from hotline.callcenter.engine.config import (
    AgentConfig,
    CentreConfig,
    HotlineConfig,
    QueueConfig,
    Strategy,
)
from hotline.callcenter.engine.config import (
    BusinessHours as EngineHours,
)
from hotline.callcenter.kpis import CallbackRow, CallRow, Kpis, compute_kpis, state_seconds
from hotline.callcenter.models import (
    Agent,
    AgentSkill,
    BusinessHours,
    CallbackTask,
    CallRecord,
    CentreSettings,
    FloorState,
    Hotline,
    Queue,
    QueueLogEntry,
)

EPOCH = date(1970, 1, 1)


def to_epoch(at: datetime) -> float:
    return at.timestamp()


def from_epoch(at: float) -> datetime:
    return datetime.fromtimestamp(at, tz=UTC)


def _seconds(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 3600 + int(m) * 60


def engine_hours(hours: BusinessHours) -> EngineHours:
    windows = tuple(
        (int(d), _seconds(str(w["start"])), _seconds(str(w["end"]))) for w in hours.windows for d in w["days"]
    )
    closed: frozenset[int] = frozenset()
    extra: frozenset[int] = frozenset()
    if hours.follow_holidays:
        from hotline.core.calendar import get_calendar

        cal = get_calendar()
        closed = frozenset((d - EPOCH).days for d in cal.holidays)
        extra = frozenset((d - EPOCH).days for d in cal.extra_workdays)
    return EngineHours(windows=windows, closed_days=closed, open_days=extra)


def centre_config() -> CentreConfig:
    """The engine's configuration from the admin tables (active rows only)."""
    queues = tuple(
        QueueConfig(
            key=q.key,
            name=q.name,
            strategy=Strategy(q.strategy),
            max_length=q.max_length,
            overflow_to=q.overflow_to.key if q.overflow_to and q.overflow_to.is_active else None,
            overflow_after_s=float(q.overflow_after_s),
            wrapup_s=float(q.wrapup_s),
            offer_timeout_s=float(q.offer_timeout_s),
            announce_every_s=float(q.announce_every_s),
            aht_s=float(q.aht_s),
        )
        for q in Queue.objects.filter(is_active=True).select_related("overflow_to")
    )
    hotlines = tuple(
        HotlineConfig(
            number=h.number,
            queue=h.queue.key,
            name=h.name,
            ivr=h.ivr.flow if h.ivr else None,
            hours=engine_hours(h.hours) if h.hours else None,
            after_hours_number=h.after_hours_number,
            survey=h.survey,
        )
        for h in Hotline.objects.filter(is_active=True).select_related("queue", "ivr", "hours")
    )
    skills: dict[str, dict[str, int]] = {}
    for code, key, level in AgentSkill.objects.filter(
        agent__is_active=True, queue__is_active=True
    ).values_list("agent__code", "queue__key", "level"):
        skills.setdefault(code, {})[key] = level
    agents = tuple(
        AgentConfig(code, skills.get(code, {}), name)
        for code, name in Agent.objects.filter(is_active=True).values_list("code", "name")
    )
    s = CentreSettings.get()
    return CentreConfig(
        hotlines=hotlines,
        queues=queues,
        agents=agents,
        repeat_window_s=s.repeat_window_h * 3600.0,
        emergency_lines=s.emergency_lines,
        dr_site_number=s.dr_site_number,
    )


def callbacks_worklist(*, status: str = CallbackTask.Status.PENDING) -> QuerySet[CallbackTask]:
    """Callback tasks, oldest deadline first, each with how many times the caller was missed that day."""
    missed = (
        CallRecord.objects.filter(ani=OuterRef("phone"), missed=True, arrived_at__date=OuterRef("day"))
        .values("ani")
        .annotate(n=Count("id"))
        .values("n")
    )
    qs = (
        CallbackTask.objects.filter(status=status)
        .annotate(missed_count=Subquery(missed))
        .select_related("done_by")
    )
    return (
        qs.order_by("due_at", "id")
        if status == CallbackTask.Status.PENDING
        else qs.order_by("-done_at", "-id")
    )


def caller_calls(phone: str, *, limit: int = 10) -> list[CallRecord]:
    """The caller's recent calls, newest first (screen pop)."""
    if not phone:
        return []
    return list(CallRecord.objects.filter(ani=phone).order_by("-arrived_at")[:limit])


def kpis_between(
    start: datetime, end: datetime, *, queue: str | None = None, now: datetime | None = None
) -> Kpis:
    """The KPIs of calls that arrived in [start, end), optionally for one queue, with the centre's parameters."""
    from django.utils import timezone

    s = CentreSettings.get()
    qs = CallRecord.objects.filter(arrived_at__gte=start, arrived_at__lt=end)
    if queue:
        qs = qs.filter(queue=queue)
    rows = [
        CallRow(bool(q), d, w, t)
        for q, d, w, t in qs.values_list("queue", "disposition", "wait_s", "talk_s").iterator()
    ]
    log = QueueLogEntry.objects.filter(event="STATE", at__gte=start, at__lt=end)
    earlier = QueueLogEntry.objects.filter(event="STATE", at__lt=start)
    agents = None
    if queue:
        agents = set(AgentSkill.objects.filter(queue__key=queue).values_list("agent__code", flat=True))
        log = log.filter(agent_code__in=agents)
        earlier = earlier.filter(agent_code__in=agents)
    before = {}
    for code in log.values_list("agent_code", flat=True).distinct():
        last = earlier.filter(agent_code=code).order_by("-at", "-id").values_list("data", flat=True).first()
        if last:
            before[code] = str(last.get("state", ""))
    changes = (
        (a, at.timestamp(), str(d.get("state", "")))
        for a, at, d in log.order_by("at", "id").values_list("agent_code", "at", "data").iterator()
    )
    seconds = state_seconds(
        changes, start=start.timestamp(), end=min(end, now or timezone.now()).timestamp(), before=before
    )
    tasks = CallbackTask.objects.filter(missed_at__gte=start, missed_at__lt=end)
    if queue:
        tasks = tasks.filter(first_call__queue=queue)
    callbacks = [
        CallbackRow(due.timestamp(), first.timestamp() if first else None)
        for due, first in tasks.values_list("due_at", "first_attempt_at")
    ]
    return compute_kpis(
        rows,
        state_seconds=seconds,
        callbacks=callbacks,
        now=(now or timezone.now()).timestamp(),
        short_abandon_s=s.short_abandon_s,
        answer_s=s.answer_s,
    )


def floor_snapshot(*, stale_after_s: float = 10.0) -> tuple[dict[str, Any], bool]:
    """The floor's latest picture and whether it is live (published within `stale_after_s`)."""
    from django.utils import timezone

    state = FloorState.objects.filter(pk=1).first()
    if state is None:
        return {}, False
    live = (timezone.now() - state.updated_at).total_seconds() <= stale_after_s
    return state.snapshot, live


def agent_of(user: Any) -> Agent | None:
    return Agent.objects.filter(user=user, is_active=True).first()


def call_ani(call_id: str) -> str:
    """The caller's number of a call: from the live floor while it lasts, else from its record."""
    if not call_id:
        return ""
    snap, _ = floor_snapshot()
    for a in snap.get("agents", []):
        if a.get("call_id") == call_id and a.get("ani"):
            return str(a["ani"])
    return CallRecord.objects.filter(call_id=call_id).values_list("ani", flat=True).first() or ""


def ticket_calls(ticket: Any) -> list[CallRecord]:
    """The calls a ticket was taken on (or linked to), oldest first, with recordings and agents' names."""
    from django.db.models import Q

    ids = ticket.call_links.values("call_id")
    calls = list(
        CallRecord.objects.filter(Q(ticket=ticket) | Q(call_id__in=ids))
        .prefetch_related("recordings")
        .order_by("arrived_at")
    )
    names = dict(Agent.objects.filter(code__in={c.agent_code for c in calls}).values_list("code", "name"))
    for c in calls:
        c.agent_name = names.get(c.agent_code, "")  # type: ignore[attr-defined]
        c.recs = [(r, r.file() is not None) for r in c.recordings.all()]  # type: ignore[attr-defined]
    return calls


def call_get(call_id: str) -> CallRecord | None:
    return CallRecord.objects.select_related("ticket").filter(call_id=call_id).first()
