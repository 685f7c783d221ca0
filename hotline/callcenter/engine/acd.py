"""The ACD: calls through IVR, queues and agents. Events in, commands out, records kept.

State lives in plain objects; every handler checks the state it expects and, when an event does
not fit (duplicate, late, out of order, unknown call), writes an anomaly and changes nothing —
it never raises and never drops a call record.
"""

from __future__ import annotations

import heapq
import logging
from bisect import bisect_left, insort
from collections import OrderedDict, deque
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from hotline.callcenter.engine import events as ev
from hotline.callcenter.engine.commands import (
    Bridge,
    CancelOffer,
    CollectDigits,
    Command,
    Enqueue,
    Hangup,
    Offer,
    Play,
    Transfer,
)
from hotline.callcenter.engine.config import AgentConfig, CentreConfig, HotlineConfig, QueueConfig, Strategy
from hotline.callcenter.engine.records import CallRecord, Disposition, LogEntry

log = logging.getLogger(__name__)

QueueKey = tuple[int, float, int, str]  # (-priority, queued at, sequence, call id): sorts best first


class CallState(StrEnum):
    IVR = "ivr"
    QUEUED = "queued"
    OFFERING = "offering"
    TALKING = "talking"
    SURVEY = "survey"


class AgentState(StrEnum):
    SIGNED_OUT = "signed_out"
    READY = "ready"
    NOT_READY = "not_ready"
    RINGING = "ringing"
    BUSY = "busy"
    ACW = "acw"


AGENT_STATE_LABELS = {
    AgentState.SIGNED_OUT: "未签入",
    AgentState.READY: "就绪",
    AgentState.NOT_READY: "示忙",
    AgentState.RINGING: "振铃",
    AgentState.BUSY: "通话",
    AgentState.ACW: "话后处理",
}


class _Call:
    __slots__ = (
        "agent",
        "consult",
        "gen",
        "held_since",
        "hotline",
        "ivr_node",
        "ivr_tries",
        "key",
        "queues",
        "rec",
        "state",
        "talk_started",
    )

    def __init__(self, rec: CallRecord, hotline: HotlineConfig) -> None:
        self.rec = rec
        self.hotline = hotline
        self.state = CallState.IVR
        self.gen = 0
        self.key: QueueKey | None = None
        self.queues: list[str] = []
        self.agent: str | None = None
        self.consult: list[str] = []
        self.ivr_node: str | None = None
        self.ivr_tries = 0
        self.held_since: float | None = None
        self.talk_started = 0.0


class _Agent:
    __slots__ = (
        "agent_id",
        "call_id",
        "gen",
        "handled",
        "idle_since",
        "missed_offers",
        "pending",
        "reason",
        "since",
        "skills",
        "state",
    )

    def __init__(self, cfg: AgentConfig) -> None:
        self.agent_id = cfg.agent_id
        self.skills: dict[str, int] = dict(cfg.skills)
        self.state = AgentState.SIGNED_OUT
        self.reason = ""
        self.since = 0.0
        self.idle_since = 0.0
        self.call_id: str | None = None
        self.pending: tuple[AgentState, str] | None = None
        self.gen = 0
        self.missed_offers = 0
        self.handled = 0


class _Queue:
    __slots__ = ("aht", "cfg", "idle", "members", "rr", "signed_in", "stats", "waiting")

    def __init__(self, cfg: QueueConfig) -> None:
        self.cfg = cfg
        self.waiting: list[QueueKey] = []
        self.idle: dict[str, None] = {}
        self.members: list[str] = []
        self.signed_in: set[str] = set()
        self.rr = 0
        self.aht = cfg.aht_s
        # Today's counters for the wallboard: offered, answered, answered within 30 s, abandoned.
        self.stats = [0, 0, 0, 0]


class Engine:
    """One call centre's ACD. Feed it events with `handle`; carry out the commands it returns."""

    DONE_MEMORY = 200_000  # finished call ids kept to recognise duplicate late events

    def __init__(self, config: CentreConfig, *, keep_log: bool = True) -> None:
        self.config = config
        self.keep_log = keep_log  # the simulator counts records only and skips the queue log
        self.now = float("-inf")
        self.hotlines = {h.number: h for h in config.hotlines}
        self.queues = {q.key: _Queue(q) for q in config.queues}
        self.agents: dict[str, _Agent] = {}
        for a in config.agents:
            self._add_agent(a)
        self.calls: dict[str, _Call] = {}
        self.records: list[CallRecord] = []
        self.log: list[LogEntry] = []
        self.anomalies: deque[str] = deque(maxlen=1000)
        self.anomaly_count = 0
        self.errors = 0  # handler exceptions (bugs); tests require zero
        self.emergency = False
        self.divert_all = False
        self._done: OrderedDict[str, None] = OrderedDict()
        self._timers: list[tuple[float, int, str, str, int]] = []
        self._seq = 0
        self._recent: dict[str, float] = {}
        self._recent_order: deque[tuple[float, str]] = deque()
        self._handlers: dict[type, Callable[[Any, list[Command]], None]] = {
            ev.CallArrived: self._on_arrived,
            ev.DigitsCollected: self._on_digits,
            ev.IvrFinished: self._on_ivr_finished,
            ev.CallQueued: self._on_queued,
            ev.CallOffered: self._on_offered,
            ev.CallAnswered: self._on_answered,
            ev.OfferRejected: self._on_offer_rejected,
            ev.CallAbandoned: self._on_abandoned,
            ev.CallTransferred: self._on_transferred,
            ev.ThreeWay: self._on_three_way,
            ev.CallHeld: self._on_held,
            ev.CallEnded: self._on_ended,
            ev.AgentSignedIn: self._on_signed_in,
            ev.AgentReady: self._on_ready,
            ev.AgentNotReady: self._on_not_ready,
            ev.AgentAfterCallWork: self._on_acw,
            ev.AgentSignedOut: self._on_signed_out,
            ev.EmergencyMode: self._on_emergency,
            ev.Tick: lambda e, out: None,
        }

    # --- public --------------------------------------------------------------------------------

    def handle(self, event: ev.Event) -> list[Command]:
        """Apply one event (after firing any timers due by its time); return the commands to carry out."""
        out: list[Command] = []
        if event.at < self.now:
            self._anomaly(
                f"迟到事件 {type(event).__name__}（{event.at:.3f} < {self.now:.3f}），按当前时间处理"
            )
        else:
            self._fire_timers(event.at, out)
            self.now = event.at
        handler = self._handlers.get(type(event))
        if handler is None:
            self._anomaly(f"未知事件类型 {type(event).__name__}")
            return out
        try:
            handler(event, out)
        except Exception:  # an engine bug must not take the centre down; the event is logged
            log.exception("engine failed on %r", event)
            self.errors += 1
            self._anomaly(f"处理事件 {type(event).__name__} 时出错（已记录）")
        return out

    def advance(self, now: float) -> list[Command]:
        """Fire the timers due by `now` (wrap-up ends, overflow, ring timeouts, announcements)."""
        out: list[Command] = []
        if now >= self.now:
            self._fire_timers(now, out)
            self.now = now
        return out

    def next_timer_at(self) -> float | None:
        return self._timers[0][0] if self._timers else None

    def drain(self) -> tuple[list[CallRecord], list[LogEntry]]:
        """Hand over the finished call records and the queue log written since the last drain."""
        records, entries = self.records, self.log
        self.records, self.log = [], []
        return records, entries

    def agent_state(self, agent_id: str) -> AgentState | None:
        agent = self.agents.get(agent_id)
        return agent.state if agent else None

    def call_state(self, call_id: str) -> CallState | None:
        call = self.calls.get(call_id)
        return call.state if call else None

    def queue_position(self, call_id: str) -> int:
        """1-based position of a waiting call in its first queue (0 if not waiting)."""
        call = self.calls.get(call_id)
        if call is None or call.state != CallState.QUEUED or call.key is None:
            return 0
        return bisect_left(self.queues[call.queues[0]].waiting, call.key) + 1

    def estimated_wait(self, queue: str, position: int) -> int:
        q = self.queues[queue]
        staffed = max(1, len(q.signed_in))
        return int(round(position * q.aht / staffed))

    def snapshot(self) -> dict[str, Any]:
        """What the wallboard shows: per queue waiting and longest wait, agents by state."""
        queues = {}
        for key, q in self.queues.items():
            longest = self.now - q.waiting[0][1] if q.waiting else 0.0
            offered, answered, within, abandoned = q.stats
            queues[key] = {
                "name": q.cfg.name or key,
                "waiting": len(q.waiting),
                "longest_wait_s": round(longest, 1),
                "idle": len(q.idle),
                "signed_in": len(q.signed_in),
                "offered": offered,
                "answered": answered,
                "abandoned": abandoned,
                "sl30": round(within / (answered + abandoned), 4) if answered + abandoned else None,
            }
        by_state: dict[str, int] = {s.value: 0 for s in AgentState}
        agents = {}
        for aid, a in self.agents.items():
            by_state[a.state.value] += 1
            if a.state != AgentState.SIGNED_OUT:
                agents[aid] = {
                    "state": a.state.value,
                    "reason": a.reason,
                    "since": a.since,
                    "call_id": a.call_id,
                }
        return {
            "at": self.now,
            "queues": queues,
            "agents_by_state": by_state,
            "agents": agents,
            "calls": len(self.calls),
            "emergency": self.emergency,
        }

    def reset_stats(self) -> None:
        """Start the wallboard's day counters afresh (the driver calls this at midnight)."""
        for q in self.queues.values():
            q.stats = [0, 0, 0, 0]

    # --- helpers -------------------------------------------------------------------------------

    def _anomaly(self, text: str) -> None:
        self.anomaly_count += 1
        self.anomalies.append(text)
        log.info("callcenter engine anomaly: %s", text)

    def _timer(self, at: float, kind: str, ref: str, gen: int) -> None:
        self._seq += 1
        heapq.heappush(self._timers, (at, self._seq, kind, ref, gen))

    def _fire_timers(self, upto: float, out: list[Command]) -> None:
        timers = self._timers
        while timers and timers[0][0] <= upto:
            at, _, kind, ref, gen = heapq.heappop(timers)
            self.now = max(self.now, at)
            if kind == "acw":
                agent = self.agents.get(ref)
                if agent and agent.state == AgentState.ACW and agent.gen == gen:
                    self._agent_after_work(agent, out)
                continue
            call = self.calls.get(ref)
            if call is None or call.gen != gen:
                continue
            if kind == "offer" and call.state == CallState.OFFERING:
                self._missed_offer(call, out)
            elif kind == "announce" and call.state == CallState.QUEUED:
                self._announce(call, out)
            elif kind == "overflow" and call.state == CallState.QUEUED:
                self._overflow(call, out)
            elif kind == "survey" and call.state == CallState.SURVEY:
                out.append(Hangup(call.rec.call_id, "survey_timeout"))
                self._finish(call, Disposition.ANSWERED, "system")

    def _log(self, call_id: str, queue: str, agent_id: str, event: str, **data: Any) -> None:
        if self.keep_log:
            self.log.append(LogEntry(self.now, call_id, queue, agent_id, event, data))

    def _add_agent(self, cfg: AgentConfig) -> _Agent:
        agent = _Agent(cfg)
        self.agents[cfg.agent_id] = agent
        for qk in agent.skills:
            q = self.queues.get(qk)
            if q is not None and cfg.agent_id not in q.members:
                q.members.append(cfg.agent_id)
        return agent

    def _set_agent(
        self, agent: _Agent, state: AgentState, reason: str = "", call_id: str | None = None
    ) -> None:
        was = agent.state
        agent.state = state
        agent.reason = reason
        agent.since = self.now
        agent.call_id = call_id
        agent.gen += 1
        aid = agent.agent_id
        for qk in agent.skills:
            q = self.queues.get(qk)
            if q is None:
                continue
            if state == AgentState.READY:
                q.idle[aid] = None
            else:
                q.idle.pop(aid, None)
            if state == AgentState.SIGNED_OUT:
                q.signed_in.discard(aid)
            else:
                q.signed_in.add(aid)
        if state == AgentState.READY:
            agent.idle_since = self.now
        if was != state or reason:
            self._log(call_id or "", "NONE", aid, "STATE", state=state.value, reason=reason)

    # --- routing -------------------------------------------------------------------------------

    def _pick(self, q: _Queue) -> _Agent | None:
        idle = q.idle
        if not idle:
            return None
        agents = self.agents
        strategy = q.cfg.strategy
        if strategy == Strategy.ROUND_ROBIN:
            members = q.members
            n = len(members)
            for i in range(n):
                aid = members[(q.rr + i) % n]
                if aid in idle:
                    q.rr = (q.rr + i + 1) % n
                    return agents[aid]
            return None
        if strategy == Strategy.SKILL_LEVEL:
            key = q.cfg.key
            best = min(idle, key=lambda a: (agents[a].skills[key], agents[a].idle_since))
        else:
            best = min(idle, key=lambda a: agents[a].idle_since)
        return agents[best]

    def _try_offer(self, call: _Call, out: list[Command]) -> bool:
        for qk in call.queues:
            q = self.queues[qk]
            agent = self._pick(q)
            if agent is not None:
                self._offer(call, agent, q, out)
                return True
        return False

    def _unwait(self, call: _Call) -> int:
        """Take the call out of every queue it waits in; return its position in the first (1-based)."""
        position = 0
        key = call.key
        if key is None:
            return 0
        for i, qk in enumerate(call.queues):
            waiting = self.queues[qk].waiting
            idx = bisect_left(waiting, key)
            if idx < len(waiting) and waiting[idx] == key:
                del waiting[idx]
                if i == 0:
                    position = idx + 1
        return position

    def _offer(self, call: _Call, agent: _Agent, q: _Queue, out: list[Command]) -> None:
        self._unwait(call)
        call.state = CallState.OFFERING
        call.gen += 1
        call.agent = agent.agent_id
        rec = call.rec
        rec.offers += 1
        rec.answered_queue = q.cfg.key
        self._set_agent(agent, AgentState.RINGING, call_id=rec.call_id)
        timeout = q.cfg.offer_timeout_s
        out.append(Offer(rec.call_id, agent.agent_id, rec.ani, rec.hotline, q.cfg.key, timeout))
        if timeout > 0:
            self._timer(self.now + timeout, "offer", rec.call_id, call.gen)

    def _agent_available(self, agent: _Agent, out: list[Command]) -> None:
        """A ready agent takes the best waiting call among their skills (priority, level, then wait)."""
        best: tuple[tuple[int, int, float, int], str, _Queue] | None = None
        for qk, level in agent.skills.items():
            q = self.queues.get(qk)
            if q is None or not q.waiting:
                continue
            head = q.waiting[0]
            rank = (head[0], level, head[1], head[2])
            if best is None or rank < best[0]:
                best = (rank, head[3], q)
        if best is not None:
            self._offer(self.calls[best[1]], agent, best[2], out)

    def _enqueue(self, call: _Call, queue: str, out: list[Command], *, boost: int = 0) -> None:
        q = self.queues.get(queue)
        if q is None:
            fallback = call.hotline.queue
            self._anomaly(f"呼叫 {call.rec.call_id} 指向未配置的队列“{queue}”，改入 {fallback}")
            q = self.queues.get(fallback)
            if q is None:
                out.append(Hangup(call.rec.call_id, "no_queue"))
                self._finish(call, Disposition.QUEUE_FULL, "system", "no_queue")
                return
        rec = call.rec
        cfg = q.cfg
        if cfg.max_length and len(q.waiting) >= cfg.max_length:
            self._log(rec.call_id, cfg.key, "", "EXITFULL", waiting=len(q.waiting))
            target = self.queues.get(cfg.overflow_to or "")
            if target is None or (target.cfg.max_length and len(target.waiting) >= target.cfg.max_length):
                out.append(Play(rec.call_id, "queue_full"))
                out.append(Hangup(rec.call_id, "queue_full"))
                self._finish(call, Disposition.QUEUE_FULL, "system", "queue_full")
                return
            rec.overflowed = True
            q, cfg = target, target.cfg
        first = rec.queued_at is None
        call.state = CallState.QUEUED
        call.gen += 1
        self._seq += 1
        priority = max(rec.priority, boost)
        call.key = (-priority, self.now, self._seq, rec.call_id)
        call.queues = [cfg.key]
        if first:
            rec.queued_at = self.now
            rec.queue = cfg.key
            q.stats[0] += 1
        insort(q.waiting, call.key)
        position = bisect_left(q.waiting, call.key) + 1
        if first:
            rec.entry_position = position
        self._log(rec.call_id, cfg.key, "", "ENTERQUEUE", ani=rec.ani, position=position)
        out.append(Enqueue(rec.call_id, cfg.key))
        if self._try_offer(call, out):
            return
        if cfg.announce_on_entry:
            out.append(self._position_prompt(call, cfg.key, position))
        self._queue_timers(call, cfg)

    def _queue_timers(self, call: _Call, cfg: QueueConfig) -> None:
        if cfg.announce_every_s > 0:
            self._timer(self.now + cfg.announce_every_s, "announce", call.rec.call_id, call.gen)
        if cfg.overflow_to and cfg.overflow_after_s > 0 and not call.rec.overflowed:
            queued_at = call.rec.queued_at or self.now
            self._timer(
                max(self.now, queued_at + cfg.overflow_after_s), "overflow", call.rec.call_id, call.gen
            )

    def _position_prompt(self, call: _Call, queue: str, position: int) -> Play:
        wait = self.estimated_wait(queue, position)
        return Play(call.rec.call_id, "queue_position", (("position", position), ("wait_s", wait)))

    def _announce(self, call: _Call, out: list[Command]) -> None:
        queue = call.queues[0]
        out.append(self._position_prompt(call, queue, self.queue_position(call.rec.call_id)))
        every = self.queues[queue].cfg.announce_every_s
        self._timer(self.now + every, "announce", call.rec.call_id, call.gen)

    def _overflow(self, call: _Call, out: list[Command]) -> None:
        """双号并行: the caller keeps their place and also joins the overflow pool."""
        source = self.queues[call.queues[0]].cfg
        target = self.queues.get(source.overflow_to or "")
        if target is None or target.cfg.key in call.queues or call.key is None:
            return
        call.queues.append(target.cfg.key)
        call.rec.overflowed = True
        insort(target.waiting, call.key)
        self._log(
            call.rec.call_id, source.key, "", "OVERFLOW", to=target.cfg.key, waittime=self._waited(call)
        )
        self._try_offer(call, out)

    def _waited(self, call: _Call) -> float:
        return round(self.now - (call.rec.queued_at or self.now), 3)

    def _requeue(self, call: _Call, out: list[Command]) -> None:
        """Put an offered call back where it was (same key: it keeps its place) and route again."""
        call.state = CallState.QUEUED
        call.gen += 1
        call.agent = None
        key = call.key
        assert key is not None
        for qk in call.queues:
            insort(self.queues[qk].waiting, key)
        if not self._try_offer(call, out):
            self._queue_timers(call, self.queues[call.queues[0]].cfg)

    def _missed_offer(self, call: _Call, out: list[Command]) -> None:
        rec = call.rec
        agent = self.agents[call.agent] if call.agent else None
        queue = rec.answered_queue or rec.queue
        rec.missed_offers += 1
        if agent is not None:
            agent.missed_offers += 1
            out.append(CancelOffer(rec.call_id, agent.agent_id))
            self._log(
                rec.call_id, queue, agent.agent_id, "RINGNOANSWER", ringtime=round(self.now - agent.since, 3)
            )
            # Mark the agent: they stop receiving calls until they press 就绪 again.
            pending = agent.pending
            agent.pending = None
            if pending and pending[0] == AgentState.SIGNED_OUT:
                self._set_agent(agent, AgentState.SIGNED_OUT)
            else:
                self._set_agent(agent, AgentState.NOT_READY, self.config.missed_offer_reason)
        self._requeue(call, out)

    # --- finishing -----------------------------------------------------------------------------

    def _finish(self, call: _Call, disposition: str, side: str, cause: str = "") -> None:
        rec = call.rec
        if call.state == CallState.QUEUED:
            self._unwait(call)
        rec.ended_at = self.now
        rec.disposition = disposition
        rec.release_side = side
        rec.cause = rec.cause or cause
        self.calls.pop(rec.call_id, None)
        self._remember(rec.call_id)
        self.records.append(rec)
        if disposition in (Disposition.ABANDONED_QUEUE, Disposition.ABANDONED_RINGING) and rec.queue:
            self.queues[rec.queue].stats[3] += 1

    def _remember(self, call_id: str) -> None:
        done = self._done
        done[call_id] = None
        if len(done) > self.DONE_MEMORY:
            done.popitem(last=False)

    def _agent_after_call(self, agent: _Agent, wrap_s: float, out: list[Command]) -> None:
        agent.handled += 1
        pending = agent.pending
        if pending and pending[0] == AgentState.SIGNED_OUT:
            agent.pending = None
            self._set_agent(agent, AgentState.SIGNED_OUT)
        elif pending and pending[0] == AgentState.ACW:
            agent.pending = None
            self._set_agent(agent, AgentState.ACW, "手动话后处理")
        elif wrap_s > 0:
            self._set_agent(agent, AgentState.ACW)
            self._timer(self.now + wrap_s, "acw", agent.agent_id, agent.gen)
        else:
            self._agent_after_work(agent, out)

    def _agent_after_work(self, agent: _Agent, out: list[Command]) -> None:
        pending = agent.pending
        agent.pending = None
        if pending and pending[0] == AgentState.NOT_READY:
            self._set_agent(agent, AgentState.NOT_READY, pending[1])
        elif pending and pending[0] == AgentState.SIGNED_OUT:
            self._set_agent(agent, AgentState.SIGNED_OUT)
        else:
            self._set_agent(agent, AgentState.READY)
            self._agent_available(agent, out)

    def _release_consultants(self, call: _Call, out: list[Command]) -> None:
        for aid in call.consult:
            agent = self.agents.get(aid)
            if agent and agent.state == AgentState.BUSY and agent.call_id == call.rec.call_id:
                self._agent_after_call(agent, 0.0, out)
        call.consult.clear()

    def _end_talk(self, call: _Call, side: str, out: list[Command]) -> None:
        rec = call.rec
        if call.held_since is not None:
            rec.hold_s += self.now - call.held_since
            call.held_since = None
        talk = self.now - call.talk_started
        rec.talk_s += talk
        queue = rec.answered_queue or rec.queue
        q = self.queues.get(queue)
        self._log(
            rec.call_id,
            queue,
            call.agent or "",
            "COMPLETEAGENT" if side == "agent" else "COMPLETECALLER",
            holdtime=round(rec.wait_s, 3),
            calltime=round(talk, 3),
        )
        if q is not None:
            q.aht += (talk + q.cfg.wrapup_s - q.aht) * 0.05
        agent = self.agents.get(call.agent or "")
        if agent is not None and agent.call_id == rec.call_id:
            self._agent_after_call(agent, q.cfg.wrapup_s if q else 0.0, out)
        self._release_consultants(call, out)

    # --- call events ---------------------------------------------------------------------------

    def _known(self, call_id: str, what: str) -> _Call | None:
        call = self.calls.get(call_id)
        if call is None:
            if call_id in self._done:
                self._anomaly(f"重复或迟到的{what}事件：呼叫 {call_id} 已结束")
            else:
                self._anomaly(f"{what}事件指向未知呼叫 {call_id}")
        return call

    def _on_arrived(self, e: ev.CallArrived, out: list[Command]) -> None:
        if e.call_id in self.calls or e.call_id in self._done:
            self._anomaly(f"重复的来电事件：呼叫 {e.call_id}")
            return
        hotline = self.hotlines.get(e.hotline)
        if hotline is None:
            hotline = self.config.hotlines[0]
            self._anomaly(f"来电号码 {e.hotline} 未配置，按 {hotline.number} 处理")
        rec = CallRecord(e.call_id, e.hotline, e.ani, self.now, priority=e.priority)
        self._note_repeat(rec)
        call = _Call(rec, hotline)
        self.calls[e.call_id] = call
        if self.emergency:
            if self.divert_all or len(self.calls) > self.config.emergency_lines:
                out.append(Transfer(e.call_id, self.config.dr_site_number))
                self._finish(call, Disposition.DIVERTED, "system", "emergency")
                return
            out.append(Play(e.call_id, "emergency_notice"))
            self._enqueue(call, hotline.queue, out)
            return
        if hotline.ivr:
            self._ivr_run(call, str(hotline.ivr.get("start", "")), out)
            return
        if hotline.hours is not None and not hotline.hours.is_open(self.now):
            self._after_hours(call, out)
            return
        self._enqueue(call, hotline.queue, out)

    def _note_repeat(self, rec: CallRecord) -> None:
        window = self.config.repeat_window_s
        if window <= 0 or not rec.ani:
            return
        order, recent = self._recent_order, self._recent
        while order and order[0][0] < self.now - window:
            at, ani = order.popleft()
            if recent.get(ani) == at:
                del recent[ani]
        last = recent.get(rec.ani)
        if last is not None and self.now - last <= window:
            rec.repeat = True
            rec.priority = max(rec.priority, 1)
        recent[rec.ani] = self.now
        order.append((self.now, rec.ani))

    def _after_hours(self, call: _Call, out: list[Command]) -> None:
        number = call.hotline.after_hours_number
        if number:
            out.append(Transfer(call.rec.call_id, number))
            self._finish(call, Disposition.AFTER_HOURS_TRANSFER, "system", "after_hours")
        else:
            out.append(Play(call.rec.call_id, "after_hours"))
            out.append(Hangup(call.rec.call_id, "after_hours"))
            self._finish(call, Disposition.AFTER_HOURS, "system", "after_hours")

    def _ivr_run(self, call: _Call, node_id: str, out: list[Command]) -> None:
        flow = call.hotline.ivr or {}
        nodes = flow.get("nodes", {})
        rec = call.rec
        for _ in range(64):  # validated flows cannot loop without waiting; this guards bad data
            node = nodes.get(node_id)
            if node is None:
                self._anomaly(f"IVR 节点“{node_id}”不存在（号码 {rec.hotline}），转入默认队列")
                self._enqueue(call, call.hotline.queue, out)
                return
            rec.ivr_path.append(node_id)
            kind = node.get("type")
            if kind == "play":
                out.append(Play(rec.call_id, str(node.get("prompt", ""))))
                node_id = str(node.get("next", ""))
            elif kind == "hours":
                hours = call.hotline.hours
                node_id = str(node["open"] if hours is None or hours.is_open(self.now) else node["closed"])
            elif kind == "menu":
                call.ivr_node = node_id
                call.ivr_tries = 0
                out.append(
                    CollectDigits(
                        rec.call_id, str(node.get("prompt", "")), 1, float(node.get("timeout_s", 5))
                    )
                )
                return
            elif kind == "queue":
                call.ivr_node = None
                self._enqueue(call, str(node.get("queue", "")), out)
                return
            elif kind == "transfer":
                out.append(Transfer(rec.call_id, str(node.get("number", ""))))
                self._finish(call, Disposition.IVR_TRANSFER, "system", "ivr_transfer")
                return
            else:  # hangup (or an unknown type: end it, but keep the record)
                if node.get("prompt"):
                    out.append(Play(rec.call_id, str(node["prompt"])))
                out.append(Hangup(rec.call_id, "ivr"))
                missed = node.get("missed", True) and kind == "hangup"
                self._finish(
                    call, Disposition.AFTER_HOURS if missed else Disposition.IVR_COMPLETED, "system", "ivr"
                )
                return
        self._anomaly(f"IVR 流程（号码 {rec.hotline}）步数过多，转入默认队列")
        self._enqueue(call, call.hotline.queue, out)

    def _on_digits(self, e: ev.DigitsCollected, out: list[Command]) -> None:
        call = self._known(e.call_id, "按键")
        if call is None:
            return
        if call.state == CallState.SURVEY:
            call.rec.survey = e.digits if e.digits in ("1", "2", "3") else ""
            out.append(Play(e.call_id, "survey_thanks"))
            out.append(Hangup(e.call_id, "survey_done"))
            self._finish(call, Disposition.ANSWERED, "system")
            return
        if call.state != CallState.IVR or call.ivr_node is None:
            self._anomaly(f"呼叫 {e.call_id} 不在按键收集中，忽略按键 {e.digits!r}")
            return
        node = (call.hotline.ivr or {}).get("nodes", {}).get(call.ivr_node, {})
        options = node.get("options") or {}
        call.rec.ivr_path.append(f"#{e.digits or '-'}")
        if e.digits in options:
            self._ivr_run(call, str(options[e.digits]), out)
            return
        call.ivr_tries += 1
        if call.ivr_tries > int(node.get("retries", 1)):
            self._ivr_run(call, str(node.get("default", "")), out)
        else:
            out.append(
                CollectDigits(e.call_id, str(node.get("prompt", "")), 1, float(node.get("timeout_s", 5)))
            )

    def _on_ivr_finished(self, e: ev.IvrFinished, out: list[Command]) -> None:
        call = self._known(e.call_id, "IVR 结束")
        if call is None:
            return
        if call.state != CallState.IVR:
            self._anomaly(f"呼叫 {e.call_id} 已离开 IVR（{call.state}），忽略 IVR 结束事件")
            return
        if e.digits:
            call.rec.ivr_path.append(f"#{e.digits}")
        call.ivr_node = None
        self._enqueue(call, e.queue or call.hotline.queue, out)

    def _on_queued(self, e: ev.CallQueued, out: list[Command]) -> None:
        call = self._known(e.call_id, "排队确认")
        if call is not None and call.state not in (CallState.QUEUED, CallState.OFFERING, CallState.TALKING):
            self._anomaly(f"呼叫 {e.call_id} 的排队确认与状态 {call.state} 不符")

    def _on_offered(self, e: ev.CallOffered, out: list[Command]) -> None:
        call = self._known(e.call_id, "振铃确认")
        if call is not None and call.agent != e.agent_id:
            self._anomaly(f"呼叫 {e.call_id} 的振铃确认坐席 {e.agent_id} 与分配的坐席 {call.agent} 不符")

    def _on_answered(self, e: ev.CallAnswered, out: list[Command]) -> None:
        call = self._known(e.call_id, "应答")
        if call is None:
            return
        if call.state != CallState.OFFERING or call.agent != e.agent_id:
            self._anomaly(
                f"呼叫 {e.call_id} 状态为 {call.state}（坐席 {call.agent}），忽略坐席 {e.agent_id} 的应答"
            )
            return
        rec = call.rec
        agent = self.agents[e.agent_id]
        call.state = CallState.TALKING
        call.gen += 1
        call.talk_started = self.now
        first = rec.answered_at is None
        if first:
            rec.answered_at = self.now
            rec.wait_s = self.now - (rec.queued_at or self.now)
            q = self.queues.get(rec.queue)
            if q is not None:
                q.stats[1] += 1
                if rec.wait_s <= 30:
                    q.stats[2] += 1
        rec.agent_id = e.agent_id
        rec.agents.append(e.agent_id)
        ringtime = self.now - agent.since
        self._set_agent(agent, AgentState.BUSY, call_id=rec.call_id)
        self._log(
            rec.call_id, rec.answered_queue, e.agent_id, "CONNECT",
            holdtime=round(self._waited(call), 3), ringtime=round(ringtime, 3),
        )  # fmt: skip
        out.append(Bridge(rec.call_id, e.agent_id))

    def _on_offer_rejected(self, e: ev.OfferRejected, out: list[Command]) -> None:
        call = self._known(e.call_id, "拒接")
        if call is None:
            return
        if call.state != CallState.OFFERING or call.agent != e.agent_id:
            self._anomaly(f"呼叫 {e.call_id} 未向坐席 {e.agent_id} 振铃，忽略拒接事件")
            return
        self._missed_offer(call, out)

    def _abandon(self, call: _Call, side: str, cause: str, out: list[Command]) -> None:
        rec = call.rec
        if call.state == CallState.IVR:
            self._finish(call, Disposition.ABANDONED_IVR, side, cause)
            return
        rec.wait_s = self.now - (rec.queued_at or self.now)
        queue = call.queues[0] if call.queues else rec.queue
        if call.state == CallState.QUEUED:
            position = self._unwait(call)
            self._log(
                rec.call_id, queue, "", "ABANDON",
                position=position, origposition=rec.entry_position, waittime=round(rec.wait_s, 3),
            )  # fmt: skip
            self._finish(call, Disposition.ABANDONED_QUEUE, side, cause)
            return
        # Ringing: free the agent without marking them, the caller left.
        agent = self.agents.get(call.agent or "")
        self._log(rec.call_id, queue, call.agent or "", "ABANDON", position=0, origposition=rec.entry_position,
                  waittime=round(rec.wait_s, 3))  # fmt: skip
        self._finish(call, Disposition.ABANDONED_RINGING, side, cause)
        if agent is not None and agent.call_id == rec.call_id:
            out.append(CancelOffer(rec.call_id, agent.agent_id))
            self._agent_after_work(agent, out)

    def _on_abandoned(self, e: ev.CallAbandoned, out: list[Command]) -> None:
        call = self._known(e.call_id, "放弃")
        if call is None:
            return
        if call.state in (CallState.TALKING, CallState.SURVEY):
            self._anomaly(f"呼叫 {e.call_id} 已接通，放弃事件按挂机处理")
            self._on_ended(ev.CallEnded(e.at, e.call_id, "caller"), out)
            return
        self._abandon(call, "caller", "abandon", out)

    def _on_ended(self, e: ev.CallEnded, out: list[Command]) -> None:
        call = self.calls.get(e.call_id)
        if call is None:
            if e.call_id in self._done:
                self._anomaly(f"重复的挂机事件：呼叫 {e.call_id} 已结束")
                return
            # Never lose a call: the switch knows a call the engine never saw.
            self._anomaly(f"挂机事件指向未知呼叫 {e.call_id}，记为孤立话单")
            rec = CallRecord(e.call_id, "", "", self.now, ended_at=self.now, disposition=Disposition.ORPHAN,
                             release_side=e.side, cause=e.cause)  # fmt: skip
            self._remember(e.call_id)
            self.records.append(rec)
            return
        if call.state in (CallState.IVR, CallState.QUEUED, CallState.OFFERING):
            self._abandon(call, e.side, e.cause, out)
        elif call.state == CallState.TALKING:
            call.rec.cause = e.cause
            self._end_talk(call, e.side, out)
            if call.hotline.survey and e.side == "agent":
                call.state = CallState.SURVEY
                call.gen += 1
                out.append(CollectDigits(e.call_id, "survey", 1, self.config.survey_timeout_s))
                self._timer(self.now + self.config.survey_timeout_s + 1, "survey", e.call_id, call.gen)
            else:
                self._finish(call, Disposition.ANSWERED, e.side, e.cause)
        else:  # SURVEY: the caller hung up without rating
            self._finish(call, Disposition.ANSWERED, e.side, e.cause)

    def _on_transferred(self, e: ev.CallTransferred, out: list[Command]) -> None:
        call = self._known(e.call_id, "转接")
        if call is None:
            return
        if call.state != CallState.TALKING:
            self._anomaly(f"呼叫 {e.call_id} 未在通话中（{call.state}），忽略转接")
            return
        rec = call.rec
        queue = rec.answered_queue or rec.queue
        self._end_talk(call, "agent", out)
        rec.transfers += 1
        self._log(rec.call_id, queue, call.agent or "", "TRANSFER", to=e.queue or e.number or "")
        call.agent = None
        if e.number:
            out.append(Transfer(rec.call_id, e.number))
            self._finish(call, Disposition.TRANSFERRED_OUT, "agent", "transfer")
            return
        # A transferred caller has already waited once: they go to the front.
        self._enqueue(call, e.queue or call.hotline.queue, out, boost=max(rec.priority, 0) + 5)

    def _on_three_way(self, e: ev.ThreeWay, out: list[Command]) -> None:
        call = self._known(e.call_id, "三方通话")
        if call is None:
            return
        if call.state != CallState.TALKING:
            self._anomaly(f"呼叫 {e.call_id} 未在通话中，忽略三方通话")
            return
        call.rec.parties.append(e.party)
        agent = self.agents.get(e.party)
        if agent is not None:
            if agent.state not in (AgentState.READY, AgentState.NOT_READY, AgentState.ACW):
                self._anomaly(f"坐席 {e.party} 状态为 {agent.state}，不能加入三方通话")
                return
            call.consult.append(e.party)
            call.rec.agents.append(e.party)
            self._set_agent(agent, AgentState.BUSY, "三方通话", call_id=e.call_id)
        self._log(e.call_id, call.rec.answered_queue, call.agent or "", "THREEWAY", party=e.party)

    def _on_held(self, e: ev.CallHeld, out: list[Command]) -> None:
        call = self._known(e.call_id, "保持")
        if call is None:
            return
        if call.state != CallState.TALKING:
            self._anomaly(f"呼叫 {e.call_id} 未在通话中，忽略保持事件")
            return
        rec = call.rec
        if e.held and call.held_since is None:
            call.held_since = self.now
            rec.hold_count += 1
        elif not e.held and call.held_since is not None:
            rec.hold_s += self.now - call.held_since
            call.held_since = None
        else:
            self._anomaly(f"呼叫 {e.call_id} 重复的{'保持' if e.held else '取消保持'}事件")

    # --- agent events --------------------------------------------------------------------------

    def _agent(self, agent_id: str, what: str) -> _Agent | None:
        agent = self.agents.get(agent_id)
        if agent is None:
            self._anomaly(f"{what}：未知坐席 {agent_id}")
        return agent

    def _on_signed_in(self, e: ev.AgentSignedIn, out: list[Command]) -> None:
        agent = self.agents.get(e.agent_id)
        if agent is None:
            if e.skills is None:
                self._anomaly(f"签入：未知坐席 {e.agent_id} 且未带技能")
                return
            agent = self._add_agent(AgentConfig(e.agent_id, dict(e.skills)))
        elif e.skills is not None and agent.state == AgentState.SIGNED_OUT:
            for qk in agent.skills:
                if qk in self.queues and e.agent_id in self.queues[qk].members:
                    self.queues[qk].members.remove(e.agent_id)
            agent.skills = dict(e.skills)
            for qk in agent.skills:
                if qk in self.queues:
                    self.queues[qk].members.append(e.agent_id)
        if agent.state != AgentState.SIGNED_OUT:
            if agent.pending and agent.pending[0] == AgentState.SIGNED_OUT:
                agent.pending = None
                return
            self._anomaly(f"坐席 {e.agent_id} 已签入，忽略重复签入")
            return
        if e.ready:
            self._set_agent(agent, AgentState.READY)
            self._agent_available(agent, out)
        else:
            self._set_agent(agent, AgentState.NOT_READY, "签入")

    def _on_ready(self, e: ev.AgentReady, out: list[Command]) -> None:
        agent = self._agent(e.agent_id, "就绪")
        if agent is None:
            return
        if agent.state in (AgentState.NOT_READY, AgentState.ACW):
            agent.pending = None
            self._set_agent(agent, AgentState.READY)
            self._agent_available(agent, out)
        elif agent.state in (AgentState.BUSY, AgentState.RINGING):
            agent.pending = None  # back to ready after this call
        elif agent.state == AgentState.SIGNED_OUT:
            self._anomaly(f"坐席 {e.agent_id} 未签入，不能就绪")
        else:
            self._anomaly(f"坐席 {e.agent_id} 已就绪（重复事件）")

    def _on_not_ready(self, e: ev.AgentNotReady, out: list[Command]) -> None:
        agent = self._agent(e.agent_id, "示忙")
        if agent is None:
            return
        if agent.state in (AgentState.READY, AgentState.NOT_READY):
            self._set_agent(agent, AgentState.NOT_READY, e.reason)
        elif agent.state in (AgentState.BUSY, AgentState.RINGING, AgentState.ACW):
            agent.pending = (AgentState.NOT_READY, e.reason)
        else:
            self._anomaly(f"坐席 {e.agent_id} 未签入，不能示忙")

    def _on_acw(self, e: ev.AgentAfterCallWork, out: list[Command]) -> None:
        agent = self._agent(e.agent_id, "话后处理")
        if agent is None:
            return
        if agent.state in (AgentState.READY, AgentState.NOT_READY):
            self._set_agent(agent, AgentState.ACW, "手动话后处理")
        elif agent.state == AgentState.ACW:
            agent.gen += 1  # stays in wrap-up until 就绪: the automatic timer no longer ends it
            agent.reason = "手动话后处理"
        elif agent.state in (AgentState.BUSY, AgentState.RINGING):
            agent.pending = (AgentState.ACW, "")
        else:
            self._anomaly(f"坐席 {e.agent_id} 未签入，不能进入话后处理")

    def _on_signed_out(self, e: ev.AgentSignedOut, out: list[Command]) -> None:
        agent = self._agent(e.agent_id, "签出")
        if agent is None:
            return
        if agent.state == AgentState.SIGNED_OUT:
            self._anomaly(f"坐席 {e.agent_id} 已签出（重复事件）")
        elif agent.state == AgentState.RINGING:
            # Leaving while the phone rings: the call goes back to its place, the agent is not marked.
            call = self.calls.get(agent.call_id or "")
            self._set_agent(agent, AgentState.SIGNED_OUT)
            if call is not None and call.state == CallState.OFFERING:
                out.append(CancelOffer(call.rec.call_id, agent.agent_id))
                self._requeue(call, out)
        elif agent.state == AgentState.BUSY:
            agent.pending = (AgentState.SIGNED_OUT, "")
        else:
            agent.pending = None
            self._set_agent(agent, AgentState.SIGNED_OUT)

    def _on_emergency(self, e: ev.EmergencyMode, out: list[Command]) -> None:
        self.emergency = e.on
        self.divert_all = e.on and e.divert_all
        self._log("", "NONE", "", "EMERGENCY", on=e.on, divert_all=self.divert_all)
