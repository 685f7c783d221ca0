"""The telephony adapter interface, and the simulated adapter used by the simulator, demo and tests.

A real adapter (Kamailio for signalling, rtpengine for media, prompts, DTMF and recording) will
implement `TelephonyAdapter`: it turns the engine's commands into SIP/ng-protocol actions, turns
what the switch reports into engine events, and carries out the softphone's requests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from hotline.callcenter.engine import events as ev
from hotline.callcenter.engine.commands import (
    Bridge,
    CancelOffer,
    CollectDigits,
    Command,
    Enqueue,
    Hangup,
    Offer,
    Transfer,
)

EventSink = Callable[[ev.Event], None]


@dataclass(frozen=True, slots=True)
class SoftphoneRequest:
    """What an agent asks for on the softphone bar."""

    action: str  # sign_in | ready | not_ready | acw | sign_out | answer | hold | unhold | transfer | three_way | hangup
    agent_id: str
    call_id: str = ""
    reason: str = ""
    target: str = ""  # transfer: "queue:<key>" or an outside number; three_way: a number or agent id


class TelephonyAdapter(Protocol):
    """The boundary between the ACD engine and a telephone switch."""

    def connect(self, sink: EventSink) -> None:
        """Deliver every event from the switch (calls) to `sink` (normally the engine's driver)."""

    def execute(self, commands: Sequence[Command], at: float) -> None:
        """Carry out the engine's decisions: play, collect digits, queue, offer, bridge, transfer, hang up."""

    def release(self, call_id: str) -> None:
        """The engine has finished the call's record; the adapter may forget it."""

    def request(self, req: SoftphoneRequest, at: float) -> None:
        """Carry out an agent's softphone action; the switch's resulting events come back via `sink`."""


class Scheduler(Protocol):
    def schedule(self, at: float, event: ev.Event, token: tuple[str, int] | None = None) -> None: ...


class SimulatedAdapter:
    """A switch in memory. Commands become future events through a scheduler (the simulator's
    event heap, or "now" for the demo floor), driven by the behaviour functions given.

    - `ring_s`: how long an offered agent's phone rings before they pick up (None: never picks up)
    - `talk_s(call_id, agent_id)`: how long an answered call lasts (None: until someone hangs up)
    - `digits(call_id, prompt)`: what a caller presses at a menu (None: times out)
    - `patience_s(call_id)`: how long a queued caller waits before hanging up (None: forever)
    """

    def __init__(
        self,
        scheduler: Scheduler,
        *,
        ring_s: Callable[[str, str], float | None] = lambda call, agent: 0.0,
        talk_s: Callable[[str, str], float | None] | None = None,
        digits: Callable[[str, str], str | None] = lambda call, prompt: None,
        patience_s: Callable[[str], float | None] = lambda call: None,
    ) -> None:
        self.scheduler = scheduler
        self.ring_s = ring_s
        self.talk_s = talk_s
        self.digits = digits
        self.patience_s = patience_s
        self.sink: EventSink | None = None
        # A caller's patience runs from the first time they are queued, not again after a re-queue.
        self._patience_set: set[str] = set()
        self.gen: dict[str, int] = {}
        self.transfers: list[tuple[str, str]] = []

    def connect(self, sink: EventSink) -> None:
        self.sink = sink

    def _bump(self, call_id: str) -> int:
        g = self.gen.get(call_id, 0) + 1
        self.gen[call_id] = g
        return g

    def is_current(self, token: tuple[str, int] | None) -> bool:
        return token is None or self.gen.get(token[0]) == token[1]

    def execute(self, commands: Sequence[Command], at: float) -> None:
        sched = self.scheduler.schedule
        for cmd in commands:
            cid = cmd.call_id
            kind = type(cmd)
            if kind is Enqueue:
                if cid not in self._patience_set:
                    self._patience_set.add(cid)
                    patience = self.patience_s(cid)
                    if patience is not None:
                        sched(at + patience, ev.CallAbandoned(at + patience, cid), (cid, self._bump(cid)))
            elif kind is Offer:
                assert isinstance(cmd, Offer)
                ring = self.ring_s(cid, cmd.agent_id)
                if ring is not None:
                    token = ("o:" + cid, self._bump("o:" + cid))
                    sched(at + ring, ev.CallAnswered(at + ring, cid, cmd.agent_id), token)
            elif kind is Bridge:
                self._bump(cid)  # answered: the pending abandonment no longer applies
                self._patience_set.discard(cid)
                assert isinstance(cmd, Bridge)
                talk = self.talk_s(cid, cmd.agent_id) if self.talk_s is not None else None
                if talk is not None:
                    sched(at + talk, ev.CallEnded(at + talk, cid, "agent"), (cid, self._bump(cid)))
            elif kind is CollectDigits:
                assert isinstance(cmd, CollectDigits)
                pressed = self.digits(cid, cmd.prompt)
                delay = 1.0 if pressed is not None else cmd.timeout_s
                sched(at + delay, ev.DigitsCollected(at + delay, cid, pressed or ""), None)
            elif kind in (Hangup, Transfer):
                if kind is Transfer:
                    assert isinstance(cmd, Transfer)
                    self.transfers.append((cid, cmd.number))
                self.release(cid)
            elif kind is CancelOffer:
                self._bump("o:" + cid)  # the phone stops ringing: its pending answer is void

    def release(self, call_id: str) -> None:
        """Forget a finished call: any of its events still scheduled are void."""
        self.gen.pop(call_id, None)
        self.gen.pop("o:" + call_id, None)
        self._patience_set.discard(call_id)

    def request(self, req: SoftphoneRequest, at: float) -> None:
        """Softphone actions become the events a switch would report, delivered at `at`."""
        a, cid = req.agent_id, req.call_id
        event: ev.Event
        if req.action == "sign_in":
            event = ev.AgentSignedIn(at, a)
        elif req.action == "ready":
            event = ev.AgentReady(at, a)
        elif req.action == "not_ready":
            event = ev.AgentNotReady(at, a, req.reason or "示忙")
        elif req.action == "acw":
            event = ev.AgentAfterCallWork(at, a)
        elif req.action == "sign_out":
            event = ev.AgentSignedOut(at, a)
        elif req.action == "answer":
            event = ev.CallAnswered(at, cid, a)
        elif req.action in ("hold", "unhold"):
            event = ev.CallHeld(at, cid, req.action == "hold")
        elif req.action == "transfer":
            if req.target.startswith("queue:"):
                event = ev.CallTransferred(at, cid, queue=req.target.removeprefix("queue:"))
            else:
                event = ev.CallTransferred(at, cid, number=req.target)
        elif req.action == "three_way":
            event = ev.ThreeWay(at, cid, req.target)
        elif req.action == "hangup":
            self._bump(cid)
            event = ev.CallEnded(at, cid, "agent")
        else:
            raise ValueError(f"unknown softphone action {req.action!r}")
        self.scheduler.schedule(at, event, None)


class Immediate:
    """A scheduler for the live demo floor: events due now go straight to the sink; later ones wait
    in a list that the driver releases with `due(now)`."""

    def __init__(self) -> None:
        self.pending: list[tuple[float, int, ev.Event, tuple[str, int] | None]] = []
        self._n = 0

    def schedule(self, at: float, event: ev.Event, token: tuple[str, int] | None = None) -> None:
        import heapq

        self._n += 1
        heapq.heappush(self.pending, (at, self._n, event, token))

    def pop_due(self, now: float) -> tuple[ev.Event, tuple[str, int] | None] | None:
        """The earliest event due by `now`, or None."""
        import heapq

        if self.pending and self.pending[0][0] <= now:
            _, _, event, token = heapq.heappop(self.pending)
            return event, token
        return None

    def due(self, now: float) -> list[tuple[ev.Event, tuple[str, int] | None]]:
        import heapq

        out = []
        while self.pending and self.pending[0][0] <= now:
            _, _, event, token = heapq.heappop(self.pending)
            out.append((event, token))
        return out
