"""A discrete-event simulator driving the real engine through the simulated adapter.

Arrivals are Poisson per interval (a flat rate, or a profile of relative weights per interval);
handling and patience times are exponential unless other samplers are given; agents come from a
count or a per-interval staffing list. Everything random comes from one seeded generator, so a run
is reproducible.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from hotline.callcenter.engine import events as ev
from hotline.callcenter.engine.acd import Engine
from hotline.callcenter.engine.adapter import SimulatedAdapter
from hotline.callcenter.engine.config import AgentConfig, CentreConfig, HotlineConfig, QueueConfig
from hotline.callcenter.engine.records import CallRecord, Disposition

ABANDONED = {Disposition.ABANDONED_QUEUE, Disposition.ABANDONED_RINGING, Disposition.ABANDONED_IVR}


@dataclass
class SimParams:
    calls_per_hour: float
    aht_s: float
    agents: int
    patience_s: float = 0.0  # mean patience; 0 = callers never abandon
    hours: float = 1.0
    seed: int = 12345
    wrapup_s: float = 0.0  # part of the handling time, after the call (0: AHT is all talk)
    ring_s: float = 0.0
    answer_s: float = 30.0  # service-level threshold
    warmup_s: float = 0.0  # calls arriving earlier are simulated but not counted
    interval_s: float = 1800.0
    profile: Sequence[float] | None = None  # relative arrival weights per interval, repeated
    staffing: Sequence[int] | None = None  # agents on duty per interval, repeated
    talk_sampler: Callable[[random.Random], float] | None = None
    start_at: float = 0.0
    hotline: str | None = None  # the number dialled (default: the configuration's first)


@dataclass
class SimResult:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_in_time: int = 0
    wait_answered_s: float = 0.0
    other: int = 0
    events: int = 0
    anomalies: int = 0
    waits: list[float] = field(default_factory=list, repr=False)

    @property
    def sl(self) -> float:
        """Answered within the threshold ÷ all offered calls (abandoned ones included)."""
        return self.answered_in_time / self.offered if self.offered else 1.0

    @property
    def asa_s(self) -> float:
        return self.wait_answered_s / self.answered if self.answered else 0.0

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.offered if self.offered else 0.0

    def line(self) -> str:
        return (
            f"offered={self.offered} answered={self.answered} abandoned={self.abandoned} "
            f"sl30={self.sl:.3f} asa_s={self.asa_s:.1f}"
        )


class _Heap:
    def __init__(self) -> None:
        self.items: list[tuple[float, int, ev.Event | None, tuple[str, int] | None]] = []
        self.n = 0

    def schedule(self, at: float, event: ev.Event | None, token: tuple[str, int] | None = None) -> None:
        self.n += 1
        heapq.heappush(self.items, (at, self.n, event, token))


def single_queue_config(agents: int, *, wrapup_s: float = 0.0, aht_s: float = 240.0) -> CentreConfig:
    queue = QueueConfig("sim", "模拟队列", wrapup_s=wrapup_s, offer_timeout_s=0.0, aht_s=aht_s)
    return CentreConfig(
        hotlines=(HotlineConfig("12345", "sim"),),
        queues=(queue,),
        agents=tuple(AgentConfig(f"A{i:04d}", {"sim": 1}) for i in range(agents)),
    )


class Simulator:
    """Runs `params` through an engine built from `config` (a single pooled queue by default)."""

    def __init__(
        self,
        params: SimParams,
        config: CentreConfig | None = None,
        *,
        keep_log: bool = False,
        digits: Callable[[str, str], str | None] | None = None,
    ) -> None:
        p = params
        self.p = p
        max_agents = max([p.agents, *(p.staffing or [])])
        self.config = config or single_queue_config(max_agents, wrapup_s=p.wrapup_s, aht_s=p.aht_s)
        self.engine = Engine(self.config, keep_log=keep_log)
        self.rnd = random.Random(p.seed)
        self.heap = _Heap()
        rnd = self.rnd
        talk_mean = max(p.aht_s - p.wrapup_s, 0.001)
        sampler = p.talk_sampler
        self.adapter = SimulatedAdapter(
            self.heap,
            ring_s=lambda call, agent: p.ring_s,
            talk_s=(lambda call, agent: sampler(rnd))
            if sampler
            else (lambda call, agent: rnd.expovariate(1.0 / talk_mean)),
            patience_s=(lambda call: rnd.expovariate(1.0 / p.patience_s))
            if p.patience_s > 0
            else (lambda call: None),
            digits=digits or (lambda call, prompt: None),
        )
        self.result = SimResult()
        self.end = p.start_at + p.hours * 3600.0
        self.hotline = p.hotline or self.config.hotlines[0].number
        self._next_id = 0
        self.on_record: Callable[[CallRecord], None] | None = None

    def _rate(self, t: float) -> float:
        """Arrivals per second in the interval holding `t`."""
        p = self.p
        base = p.calls_per_hour / 3600.0
        if not p.profile:
            return base
        weights = p.profile
        idx = int((t - p.start_at) // p.interval_s) % len(weights)
        return base * weights[idx] * len(weights) / sum(weights)

    def _schedule_arrival(self, t: float) -> None:
        """Next Poisson arrival after `t`; piecewise-constant rates are exact by memorylessness."""
        p = self.p
        while t < self.end:
            rate = self._rate(t)
            boundary = p.start_at + (math.floor((t - p.start_at) / p.interval_s) + 1) * p.interval_s
            gap = self.rnd.expovariate(rate) if rate > 0 else math.inf
            if t + gap < boundary:
                self._next_id += 1
                cid = f"S{self._next_id}"
                self.heap.schedule(
                    t + gap, ev.CallArrived(t + gap, cid, self.hotline, f"1{self._next_id % 10**10:010d}")
                )
                return
            t = boundary

    def _staff(self, t: float, target: int, out: list[ev.Event]) -> None:
        engine = self.engine
        ids = list(engine.agents)
        on = [a for a in ids if engine.agents[a].state.value != "signed_out" and not engine.agents[a].pending]
        if len(on) < target:
            off = [a for a in ids if a not in on]
            for aid in off[: target - len(on)]:
                if engine.agents[aid].pending:
                    engine.agents[aid].pending = None  # was leaving after the call; stays
                else:
                    out.append(ev.AgentSignedIn(t, aid, ready=True))
        elif len(on) > target:
            # Free agents leave first; busy ones finish their call and then sign out.
            on.sort(key=lambda a: engine.agents[a].state.value != "ready")
            for aid in on[: len(on) - target]:
                out.append(ev.AgentSignedOut(t, aid))

    def _count(self, rec: CallRecord) -> None:
        self.adapter.release(rec.call_id)
        if rec.arrived_at < self.p.start_at + self.p.warmup_s:
            return
        r = self.result
        r.offered += 1
        if rec.disposition == Disposition.ANSWERED:
            r.answered += 1
            r.wait_answered_s += rec.wait_s
            if rec.wait_s <= self.p.answer_s:
                r.answered_in_time += 1
        elif rec.disposition in ABANDONED:
            r.abandoned += 1
        else:
            r.other += 1
        if self.on_record is not None:
            self.on_record(rec)

    def run(self) -> SimResult:
        p = self.p
        engine, adapter, heap = self.engine, self.adapter, self.heap
        items = heap.items
        staffing = p.staffing
        start_events: list[ev.Event] = []
        self._staff(p.start_at, staffing[0] if staffing else p.agents, start_events)
        for e in start_events:
            adapter.execute(engine.handle(e), e.at)
        if staffing:
            t = p.start_at + p.interval_s
            while t < self.end:
                heap.schedule(t, None)  # a staffing change
                t += p.interval_s
        self._schedule_arrival(p.start_at)
        handle, execute, is_current = engine.handle, adapter.execute, adapter.is_current
        pop = heapq.heappop
        n = 0
        while True:
            timer = engine.next_timer_at()
            if timer is not None and (not items or timer < items[0][0]):
                execute(engine.advance(timer), timer)
                continue
            if not items:
                break
            at, _, event, token = pop(items)
            if event is None:
                assert staffing is not None
                idx = int((at - p.start_at) // p.interval_s) % len(staffing)
                changes: list[ev.Event] = []
                self._staff(at, staffing[idx], changes)
                for e in changes:
                    execute(handle(e), at)
                continue
            if token is not None and not is_current(token):
                continue
            if type(event) is ev.CallArrived:
                self._schedule_arrival(at)
            execute(handle(event), at)
            n += 1
            if engine.records:
                for rec in engine.records:
                    self._count(rec)
                engine.records.clear()
        records, engine.records = engine.records, []  # the queue log stays for the caller
        for rec in records:
            self._count(rec)
        self.result.events = n
        self.result.anomalies = engine.anomaly_count
        return self.result


def simulate(params: SimParams) -> SimResult:
    return Simulator(params).run()
