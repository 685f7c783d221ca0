"""Call-centre pages: the live wallboard, the missed-call callback worklist and the softphone bar."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from hotline.accounts.models import Role, User
from hotline.callcenter import selectors as sel
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
from hotline.callcenter.services import NOT_READY_REASONS, callback_record, softphone_request
from hotline.core.errors import ServiceError
from hotline.core.masking import mask_phone
from hotline.tickets.views.common import role_required

WALLBOARD_ROLES = (Role.SUPERVISOR, Role.ADMIN, Role.ANALYST)
CALLBACK_ROLES = (Role.VISIT_AGENT, Role.SUPERVISOR, Role.AGENT, Role.DISPATCHER)
SOFTPHONE_ROLES = (Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.VISIT_AGENT)
TIMELINE_MINUTES = 30
STATE_ORDER = [
    ("ready", "就绪"),
    ("ringing", "振铃"),
    ("busy", "通话"),
    ("acw", "话后处理"),
    ("not_ready", "示忙"),
]


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _secs(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} 秒"


def _today_kpis() -> dict[str, Any]:
    """Today's KPIs from stored calls; cached briefly (the wallboard polls every two seconds)."""
    found = cache.get("callcenter:kpis:today")
    if found is not None:
        return dict(found)
    start = timezone.make_aware(datetime.combine(timezone.localdate(), datetime.min.time()))
    k = sel.kpis_between(start, start + timedelta(days=1))
    s = CentreSettings.get()
    out = {
        "tiles": [
            ("人工请求", f"{k.offered}", ""),
            (
                "接通率",
                _pct(k.answer_rate),
                "bad" if k.answer_rate is not None and k.answer_rate < 0.95 else "",
            ),
            (
                "30 秒接通率",
                _pct(k.service_level),
                "bad" if k.service_level is not None and k.service_level < 0.95 else "",
            ),
            ("放弃率", _pct(k.abandon_rate), ""),
            ("平均应答", _secs(k.asa_s), ""),
            ("平均处理", _secs(k.aht_s), ""),
            ("占用率", _pct(k.occupancy), ""),
            (
                "漏接回拨率",
                _pct(k.callback_rate),
                "bad" if k.callback_rate is not None and k.callback_rate < 1 else "",
            ),
        ],
        "params": f"秒挂阈值 {s.short_abandon_s} 秒 · 服务水平时限 {s.answer_s} 秒 · 回拨时限 {s.callback_deadline_h} 小时",
    }
    cache.set("callcenter:kpis:today", out, 20)
    return out


def _timeline(agent: dict[str, Any], now: float) -> list[dict[str, Any]]:
    """The agent's states over the last half hour as proportional segments."""
    start = now - TIMELINE_MINUTES * 60
    points = [(float(at), state) for at, state, _ in agent.get("timeline", [])]
    segments = []
    for i, (at, state) in enumerate(points):
        end = points[i + 1][0] if i + 1 < len(points) else now
        a, b = max(at, start), min(end, now)
        if b > a:
            segments.append({"state": state, "pct": round((b - a) / (now - start) * 100, 2)})
    return segments


def _wallboard_context() -> dict[str, Any]:
    snap, live = sel.floor_snapshot()
    now = float(snap.get("at", time.time())) if snap else time.time()
    queues = []
    for key, q in sorted((snap.get("queues") or {}).items()):
        sl = q.get("sl30")
        queues.append({**q, "key": key, "sl_text": _pct(sl), "sl_bad": sl is not None and sl < 0.95,
                       "wait_bad": q.get("longest_wait_s", 0) > 30})  # fmt: skip
    agents = snap.get("agents") or []
    for a in agents:
        a["segments"] = _timeline(a, now)
        a["for_s"] = int(now - float(a.get("since", now))) if a["state"] != "signed_out" else None
        a["ani_masked"] = mask_phone(a.get("ani", ""))
    by_state = snap.get("agents_by_state") or {}
    return {
        "live": live,
        "snap": snap,
        "snap_time": timezone.localtime(datetime.fromtimestamp(now, tz=UTC)).strftime("%H:%M:%S")
        if snap
        else "",
        "queues": queues,
        "agents": sorted(agents, key=lambda a: (a["state"] == "signed_out", a["code"])),
        "states": [(k, label, by_state.get(k, 0)) for k, label in STATE_ORDER],
        "waiting": sum(q["waiting"] for q in queues),
        "kpis": _today_kpis(),
        "timeline_minutes": TIMELINE_MINUTES,
    }


@role_required(*WALLBOARD_ROLES)
@require_GET
def wallboard(request: HttpRequest) -> HttpResponse:
    return render(request, "callcenter/wallboard.html", _wallboard_context())


@role_required(*WALLBOARD_ROLES)
@require_GET
def wallboard_live(request: HttpRequest) -> HttpResponse:
    return render(request, "callcenter/partials/wallboard_live.html", _wallboard_context())


# --- Callbacks -------------------------------------------------------------------------------------

TABS = [
    (CallbackTask.Status.PENDING, "待回拨"),
    (CallbackTask.Status.DONE, "已回拨"),
    (CallbackTask.Status.FAILED, "多次未接通"),
    (CallbackTask.Status.CANCELLED, "无需回拨"),
]
OUTCOMES = [(o.value, o.label) for o in CallbackTask.Outcome if o != CallbackTask.Outcome.CALLED_AGAIN]


def _callbacks_page(request: HttpRequest, *, status: str, errors: dict[int, str] | None = None,
                    kept: dict[int, dict[str, str]] | None = None, code: int = 200) -> HttpResponse:  # fmt: skip
    user = _user(request)
    tasks = list(sel.callbacks_worklist(status=status)[:200])
    now = timezone.now()
    for t in tasks:
        t.shown_phone = t.phone if user.may_unmask else mask_phone(t.phone)  # type: ignore[attr-defined]
        t.overdue = t.status == CallbackTask.Status.PENDING and t.due_at < now  # type: ignore[attr-defined]
    counts = {s: CallbackTask.objects.filter(status=s).count() for s, _ in TABS}
    return render(
        request,
        "callcenter/callbacks.html",
        {"tasks": tasks, "status": status, "tabs": [(s, label, counts[s]) for s, label in TABS],
         "outcomes": OUTCOMES, "errors": errors or {}, "kept": kept or {},
         "overdue": sum(1 for t in tasks if getattr(t, "overdue", False))},
        status=code,
    )  # fmt: skip


@role_required(*CALLBACK_ROLES)
@require_GET
def callbacks(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", CallbackTask.Status.PENDING)
    if status not in CallbackTask.Status.values:
        status = CallbackTask.Status.PENDING
    return _callbacks_page(request, status=status)


@role_required(*CALLBACK_ROLES)
@require_POST
def callback_record_view(request: HttpRequest, pk: int) -> HttpResponse:
    post = request.POST
    version = int(post["version"]) if post.get("version", "").isdecimal() else None
    try:
        task = callback_record(task_id=pk, by=_user(request), outcome=post.get("outcome", ""),
                               note=post.get("note", ""), version=version)  # fmt: skip
    except ServiceError as exc:
        return _callbacks_page(
            request, status=CallbackTask.Status.PENDING, errors={pk: exc.message},
            kept={pk: {"outcome": post.get("outcome", ""), "note": post.get("note", "")}},
            code=exc.http_status,
        )  # fmt: skip
    messages.success(
        request,
        f"已登记 {mask_phone(task.phone)} 的回拨结果：{task.get_outcome_display()}（{task.get_status_display()}）。",
    )
    return redirect("callcenter:callbacks")


# --- Softphone -------------------------------------------------------------------------------------


def _softphone_context(request: HttpRequest, error: str = "") -> dict[str, Any]:
    user = _user(request)
    agent = sel.agent_of(user)
    snap, live = sel.floor_snapshot()
    me = next((a for a in snap.get("agents", []) if agent and a["code"] == agent.code), None)
    history: list[CallRecord] = []
    tickets = 0
    if me and me.get("ani"):
        from hotline.tickets.models import Ticket

        history = sel.caller_calls(me["ani"], limit=5)
        tickets = Ticket.objects.filter(citizen_phone=me["ani"]).count()
    pending = list(SoftphoneAction.objects.filter(agent=agent, done_at=None).order_by("id")) if agent else []
    return {
        "agent": agent, "me": me, "live": live, "error": error, "history": history, "tickets": tickets,
        "pending": [SoftphoneAction.ACTIONS.get(p.action, p.action) for p in pending],
        "reasons": NOT_READY_REASONS, "queues": Queue.objects.filter(is_active=True).order_by("key"),
    }  # fmt: skip


@role_required(*SOFTPHONE_ROLES)
@require_GET
def softphone(request: HttpRequest) -> HttpResponse:
    return render(request, "callcenter/partials/softphone_bar.html", _softphone_context(request))


@role_required(*SOFTPHONE_ROLES)
@require_POST
def softphone_action(request: HttpRequest) -> HttpResponse:
    from hotline.exchange.services.desk_transfer import desk_police_three_way, desk_switchboard_transfer

    post = request.POST
    action, call_id = post.get("action", ""), post.get("call_id", "")[:64]
    target = post.get("target", "")
    if action == "transfer" and target and not target.startswith("queue:"):
        target = "queue:" + target
    notice = ""
    try:
        if action == "switchboard":
            t = desk_switchboard_transfer(
                user=_user(request), call_id=call_id, office_id=post.get("office", "")
            )
            notice = f"已转接政务总机：{t.office}（{t.number}），已记入总机转接记录。"
        elif action == "police":
            _, link = desk_police_three_way(user=_user(request), call_id=call_id)
            notice = (
                f"已发起与 110 的三方通话，通话结束后记入工单 {link.ticket.number} 的 110 联动记录。"
                if link is not None
                else "已发起与 110 的三方通话；受理登记工单后自动记入该工单的 110 联动记录。"
            )
        else:
            softphone_request(user=_user(request), action=action, call_id=call_id,
                              reason=post.get("reason", ""), target=target)  # fmt: skip
    except ServiceError as exc:
        return render(
            request, "callcenter/partials/softphone_bar.html", _softphone_context(request, exc.message)
        )
    ctx = _softphone_context(request)
    ctx["notice"] = notice
    return render(request, "callcenter/partials/softphone_bar.html", ctx)


@role_required(*SOFTPHONE_ROLES)
@require_GET
def softphone_offices(request: HttpRequest) -> HttpResponse:
    """转政务总机: the directory offices matching the agent's search (name, pinyin initials, number)."""
    from hotline.exchange.selectors import offices_search

    q = request.GET.get("q", "").strip()[:50]
    offices = offices_search(q, limit=8) if q else []
    return render(
        request,
        "callcenter/partials/softphone_offices.html",
        {"offices": offices, "q": q, "call_id": request.GET.get("call_id", "")[:64]},
    )


# --- Calls and recordings --------------------------------------------------------------------------

CALL_ROLES = (Role.AGENT, Role.DISPATCHER, Role.REVIEWER, Role.VISIT_AGENT, Role.QA_INSPECTOR,
              Role.SUPERVISOR, Role.ANALYST, Role.ADMIN)  # fmt: skip
LISTEN_ROLES = frozenset({Role.AGENT, Role.DISPATCHER, Role.REVIEWER, Role.VISIT_AGENT, Role.QA_INSPECTOR,
                          Role.SUPERVISOR, Role.ADMIN})  # fmt: skip


@role_required(*CALL_ROLES)
@require_GET
def call_page(request: HttpRequest, call_id: str) -> HttpResponse:
    """One call's record (话单): times, queue, agent, survey, its ticket, recordings and queue log."""
    call = sel.call_get(call_id)
    if call is None:
        return render(request, "callcenter/call.html", {"call": None, "call_id": call_id[:64]}, status=404)
    user = _user(request)
    tickets = [link.ticket for link in CallTicketLink.objects.filter(call_id=call.call_id)
               .select_related("ticket").order_by("at", "id")]  # fmt: skip
    if call.ticket and call.ticket not in tickets:
        tickets.insert(0, call.ticket)
    agents = dict(Agent.objects.filter(code__in=[call.agent_code, *call.agents]).values_list("code", "name"))
    return render(
        request,
        "callcenter/call.html",
        {
            "call": call, "call_id": call.call_id, "tickets": tickets, "agent_name": agents.get(call.agent_code, ""),
            "ani": call.ani if user.may_unmask else mask_phone(call.ani),
            "recordings": [(r, r.file() is not None) for r in call.recordings.all()],
            "may_listen": user.role in LISTEN_ROLES,
            "log": QueueLogEntry.objects.filter(call_id=call.call_id).order_by("at", "id")[:100],
        },
    )  # fmt: skip


@role_required(*LISTEN_ROLES)
@require_GET
def recording_audio(request: HttpRequest, pk: int) -> HttpResponse:
    """Play a call's recording (每次收听留痕 in the audit log)."""
    from django.http import FileResponse, Http404

    from hotline.core.models import AuditLog

    rec = Recording.objects.filter(pk=pk).select_related("call").first()
    path = rec.file() if rec is not None else None
    if rec is None or path is None:
        raise Http404("无录音文件")
    AuditLog.objects.create(
        actor=_user(request), action="recording.play", object_type="callrecord", object_id=rec.call.call_id,
        address=request.META.get("REMOTE_ADDR", "")[:64], data={"recording": rec.pk},
    )  # fmt: skip
    kind = {"wav": "audio/wav", "mp3": "audio/mpeg", "ogg": "audio/ogg", "opus": "audio/ogg"}
    content_type = kind.get(path.suffix.lstrip(".").lower(), "audio/wav")
    return FileResponse(path.open("rb"), content_type=content_type)  # type: ignore[return-value]
