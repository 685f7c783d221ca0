"""The live floor: the engine in wall-clock time behind the simulated adapter, fed by simulated callers
and by people's softphone clicks, its records stored in batches and its picture published for the
wallboard and the softphone bars.

One floor process runs per centre (`hotline callcenter floor`); web processes only read its
published snapshot and queue softphone actions, so any number of web workers see the same floor.
"""

from __future__ import annotations

import logging
import random
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from hotline.callcenter.engine import events as ev
from hotline.callcenter.engine.acd import AGENT_STATE_LABELS, AgentState, Engine
from hotline.callcenter.engine.adapter import Immediate, SimulatedAdapter, SoftphoneRequest
from hotline.callcenter.engine.config import AgentConfig, CentreConfig
from hotline.callcenter.engine.records import CallRecord, LogEntry
from hotline.callcenter.models import Agent, FloorState, SoftphoneAction
from hotline.callcenter.selectors import centre_config
from hotline.callcenter.services import records_store

log = logging.getLogger(__name__)
TIMELINE = 40  # state changes kept per agent for the supervisor's timeline
HOTLINE_MIX = [
    ("12345", 80),
    ("12315", 5),
    ("12329", 5),
    ("12393", 5),
    ("12328", 2),
    ("12319", 1),
    ("12348", 2),
]


class Floor:
    def __init__(
        self,
        config: CentreConfig,
        *,
        calls_per_hour: float,
        aht_s: float = 180.0,
        patience_s: float = 90.0,
        staffed: int = 40,
        seed: int = 12345,
        human_agents: set[str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.clock = clock
        self.rnd = random.Random(seed)
        self.engine = Engine(config)
        self.sched = Immediate()
        self.human = human_agents or set()
        rnd = self.rnd
        self.adapter = SimulatedAdapter(
            self.sched,
            # A person answers on the softphone; simulated agents pick up after a short ring.
            ring_s=lambda call, agent: None if agent in self.human else rnd.uniform(1.0, 4.0),
            talk_s=lambda call, agent: None if agent in self.human else rnd.expovariate(1.0 / aht_s),
            patience_s=lambda call: rnd.expovariate(1.0 / patience_s),
            digits=lambda call, prompt: rnd.choice("1112") if prompt == "survey" else None,
        )
        self.rate = calls_per_hour / 3600.0
        self.next_arrival = self.clock() + rnd.expovariate(self.rate)
        self.n = 0
        self.pending: list[CallRecord] = []
        self.entries: list[LogEntry] = []
        self.timeline: dict[str, deque[tuple[float, str, str]]] = {}
        self.names = dict(Agent.objects.values_list("code", "name"))
        self.last_store = self.last_publish = 0.0
        self.day = timezone.localdate()
        now = self.clock()
        simulated = _spread([a for a in config.agents if a.agent_id not in self.human], staffed)
        for aid in simulated:
            self._run(ev.AgentSignedIn(now, aid, ready=True))

    def _run(self, event: ev.Event) -> None:
        self.adapter.execute(self.engine.handle(event), event.at)

    def step(self) -> None:
        """One turn: arrivals due, switch events due, timers, softphone clicks; store and publish."""
        now = self.clock()
        while self.next_arrival <= now:
            self.n += 1
            hotline = self.rnd.choices([h for h, _ in HOTLINE_MIX], [w for _, w in HOTLINE_MIX])[0]
            ani = f"13{self.rnd.randint(0, 9)}{self.rnd.randint(10_000_000, 99_999_999)}"
            self.sched.schedule(
                self.next_arrival, ev.CallArrived(self.next_arrival, f"F{int(now)}-{self.n}", hotline, ani)
            )
            self.next_arrival += self.rnd.expovariate(self.rate)
        # Everything due since the last turn, in time order (an event may schedule another one that is
        # also due already), then the clicks made now: the engine never sees an event from its past.
        self._run_due(now)
        self._take_actions(now)
        self._run_due(now)  # the clicks' own events
        self.adapter.execute(self.engine.advance(now), now)
        records, entries = self.engine.drain()
        for e in entries:
            if e.event == "STATE":
                line = self.timeline.setdefault(e.agent_id, deque(maxlen=TIMELINE))
                line.append((e.at, str(e.data.get("state", "")), str(e.data.get("reason", ""))))
        self.pending.extend(records)
        self.entries.extend(entries)
        for rec in records:
            self.adapter.release(rec.call_id)
        if timezone.localdate() != self.day:
            self.day = timezone.localdate()
            self.engine.reset_stats()
        if now - self.last_store >= 2.0:
            self.store()
        if now - self.last_publish >= 1.0:
            self.publish(now)

    def _run_due(self, now: float) -> None:
        while (due := self.sched.pop_due(now)) is not None:
            event, token = due
            if self.adapter.is_current(token):
                self._run(event)

    def _take_actions(self, now: float) -> None:
        actions = list(
            SoftphoneAction.objects.filter(done_at=None).select_related("agent").order_by("id")[:200]
        )
        for a in actions:
            try:
                self.adapter.request(
                    SoftphoneRequest(a.action, a.agent.code, a.call_id, a.reason, a.target), now
                )
            except ValueError:
                log.warning("softphone action %s refused", a.action)
        if actions:
            SoftphoneAction.objects.filter(pk__in=[a.pk for a in actions]).update(done_at=timezone.now())

    def store(self) -> None:
        if self.pending or self.entries:
            records_store(records=self.pending, entries=self.entries)
        self.pending, self.entries = [], []
        self.last_store = self.clock()

    def picture(self, now: float) -> dict[str, Any]:
        snap = self.engine.snapshot()
        agents = []
        for aid, a in self.engine.agents.items():
            if a.state == AgentState.SIGNED_OUT and aid not in self.human:
                continue
            call = self.engine.calls.get(a.call_id or "")
            agents.append({
                "code": aid, "name": self.names.get(aid, aid), "state": a.state.value,
                "label": AGENT_STATE_LABELS[a.state], "reason": a.reason, "since": a.since,
                "call_id": a.call_id or "", "ani": call.rec.ani if call else "",
                "hotline": call.rec.hotline if call else "", "queue": call.rec.answered_queue if call else "",
                "missed": a.missed_offers, "handled": a.handled,
                "timeline": [list(x) for x in self.timeline.get(aid, ())],
            })  # fmt: skip
        snap["agents"] = agents
        snap["at"] = now
        return snap

    def publish(self, now: float) -> None:
        with transaction.atomic():
            FloorState.objects.update_or_create(
                pk=1, defaults={"snapshot": self.picture(now), "updated_at": timezone.now(), "pid": _pid()}
            )
        self.last_publish = now


def _spread(agents: list[AgentConfig], n: int) -> list[str]:
    """Pick `n` agents taking turns across their main queues, so every line has someone on duty."""
    groups: dict[str, list[str]] = {}
    for a in agents:
        main = min(a.skills.items(), key=lambda kv: (kv[1], kv[0] != "12345"))[0] if a.skills else ""
        groups.setdefault(main, []).append(a.agent_id)
    # The 12345 pool gets most seats: it takes 80 % of the calls.
    order = sorted(groups, key=lambda k: k != "12345")
    picked: list[str] = []
    while len(picked) < n and any(groups.values()):
        for key in order:
            take = 4 if key == "12345" else 1
            while take and groups[key] and len(picked) < n:
                picked.append(groups[key].pop(0))
                take -= 1
    return picked


def _pid() -> int:
    import os

    return os.getpid()


def floor_run(
    *, seconds: float, calls_per_hour: float, staffed: int, seed: int, tick: float = 0.2, aht_s: float = 180.0
) -> Floor:
    """Run the demo floor for `seconds` (bounded), then store what is left and publish a last picture."""
    config = centre_config()
    human = set(Agent.objects.filter(user__isnull=False, is_active=True).values_list("code", flat=True))
    floor = Floor(
        config, calls_per_hour=calls_per_hour, staffed=staffed, seed=seed, human_agents=human, aht_s=aht_s
    )
    end = time.time() + seconds
    try:
        while time.time() < end:
            floor.step()
            time.sleep(tick)
    finally:
        floor.store()
        floor.publish(time.time())
    return floor
