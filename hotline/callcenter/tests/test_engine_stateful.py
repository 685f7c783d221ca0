"""Random event streams (valid, duplicate, out of order) never break the engine's bookkeeping."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from hotline.callcenter.engine import events as ev
from hotline.callcenter.engine.acd import AgentState, CallState, Engine
from hotline.callcenter.engine.config import AgentConfig, CentreConfig, HotlineConfig, QueueConfig, Strategy

CALLS = [f"c{i}" for i in range(8)]
AGENTS = ["a1", "a2", "a3"]
FLOW = {
    "start": "m",
    "nodes": {
        "m": {"type": "menu", "prompt": "m", "options": {"1": "q", "2": "x"}, "default": "q", "retries": 1},
        "q": {"type": "queue", "queue": "B"},
        "x": {"type": "hangup", "missed": False},
    },
}


class EngineMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        cfg = CentreConfig(
            hotlines=(HotlineConfig("A", "A"), HotlineConfig("B", "B", ivr=FLOW, survey=True)),
            queues=(
                QueueConfig("A", overflow_to="B", overflow_after_s=5, offer_timeout_s=4, wrapup_s=3,
                            announce_every_s=7, max_length=4),
                QueueConfig("B", strategy=Strategy.ROUND_ROBIN, offer_timeout_s=6),
            ),
            agents=(AgentConfig("a1", {"A": 1}), AgentConfig("a2", {"A": 2, "B": 1}), AgentConfig("a3", {"B": 1})),
            repeat_window_s=30,
            emergency_lines=3,
            dr_site_number="DR",
        )  # fmt: skip
        self.engine = Engine(cfg)
        self.t = 0.0
        self.arrived: set[str] = set()
        self.seq = 0

    def _at(self, step: float) -> float:
        self.t += step
        return self.t

    @rule(
        hotline=st.sampled_from(["A", "B", "Z"]), step=st.floats(0, 3), ani=st.sampled_from(["1", "2", "3"])
    )
    def arrive(self, hotline, step, ani):
        self.seq += 1
        cid = f"n{self.seq}"
        self.arrived.add(cid)
        self.engine.handle(ev.CallArrived(self._at(step), cid, hotline, ani))

    @rule(cid=st.sampled_from(CALLS), step=st.floats(0, 3), duplicate_arrival=st.booleans())
    def replay_arrival(self, cid, step, duplicate_arrival):
        # Fixed ids make duplicates likely.
        self.arrived.add(cid)
        self.engine.handle(ev.CallArrived(self._at(step), cid, "A"))

    def _some_call(self, data) -> str:
        ids = sorted(self.arrived) or ["none"]
        return data.draw(st.sampled_from(ids + ["ghost"]))

    @rule(data=st.data(), agent=st.sampled_from(AGENTS), step=st.floats(0, 5))
    def answer(self, data, agent, step):
        self.engine.handle(ev.CallAnswered(self._at(step), self._some_call(data), agent))

    @rule(data=st.data(), agent=st.sampled_from(AGENTS), step=st.floats(0, 5))
    def reject(self, data, agent, step):
        self.engine.handle(ev.OfferRejected(self._at(step), self._some_call(data), agent))

    @rule(data=st.data(), step=st.floats(0, 20), side=st.sampled_from(["caller", "agent"]))
    def end(self, data, step, side):
        self.engine.handle(ev.CallEnded(self._at(step), self._some_call(data), side))

    @rule(data=st.data(), step=st.floats(0, 20))
    def abandon(self, data, step):
        self.engine.handle(ev.CallAbandoned(self._at(step), self._some_call(data)))

    @rule(data=st.data(), step=st.floats(0, 5), digits=st.sampled_from(["", "1", "2", "3", "9"]))
    def digits(self, data, step, digits):
        self.engine.handle(ev.DigitsCollected(self._at(step), self._some_call(data), digits))

    @rule(
        data=st.data(), step=st.floats(0, 5), dest=st.sampled_from([("A", None), ("B", None), (None, "123")])
    )
    def transfer(self, data, step, dest):
        self.engine.handle(ev.CallTransferred(self._at(step), self._some_call(data), *dest))

    @rule(data=st.data(), step=st.floats(0, 5), party=st.sampled_from(AGENTS + ["outside"]))
    def three_way(self, data, step, party):
        self.engine.handle(ev.ThreeWay(self._at(step), self._some_call(data), party))

    @rule(data=st.data(), step=st.floats(0, 5), held=st.booleans())
    def hold(self, data, step, held):
        self.engine.handle(ev.CallHeld(self._at(step), self._some_call(data), held))

    @rule(agent=st.sampled_from(AGENTS + ["ghost"]), step=st.floats(0, 5),
          kind=st.sampled_from(["in", "in_ready", "ready", "not_ready", "acw", "out"]))  # fmt: skip
    def agent_event(self, agent, step, kind):
        at = self._at(step)
        event = {
            "in": ev.AgentSignedIn(at, agent),
            "in_ready": ev.AgentSignedIn(at, agent, ready=True),
            "ready": ev.AgentReady(at, agent),
            "not_ready": ev.AgentNotReady(at, agent, "小休"),
            "acw": ev.AgentAfterCallWork(at, agent),
            "out": ev.AgentSignedOut(at, agent),
        }[kind]
        self.engine.handle(event)

    @rule(on=st.booleans(), divert=st.booleans(), step=st.floats(0, 5))
    def emergency(self, on, divert, step):
        self.engine.handle(ev.EmergencyMode(self._at(step), on, divert))

    @rule(back=st.floats(0.1, 10))
    def late_event(self, back):
        self.engine.handle(ev.CallEnded(self.t - back, "late-ghost"))

    @precondition(lambda self: self.t > 0)
    @rule(step=st.floats(0, 30))
    def time_passes(self, step):
        self.engine.advance(self._at(step))

    @invariant()
    def no_errors(self):
        assert self.engine.errors == 0

    @invariant()
    def agents_and_calls_agree(self):
        e = self.engine
        for cid, call in e.calls.items():
            if call.state == CallState.OFFERING:
                agent = e.agents[call.agent]
                assert agent.state == AgentState.RINGING and agent.call_id == cid
            if call.state == CallState.TALKING and call.agent is not None:
                assert e.agents[call.agent].state == AgentState.BUSY
        for aid, agent in e.agents.items():
            if agent.state in (AgentState.RINGING, AgentState.BUSY):
                call = e.calls.get(agent.call_id)
                assert call is not None, (aid, agent.state, agent.call_id)
                expected = CallState.OFFERING if agent.state == AgentState.RINGING else CallState.TALKING
                assert call.state == expected
            for qk, q in e.queues.items():
                in_idle = aid in q.idle
                assert in_idle == (agent.state == AgentState.READY and qk in agent.skills)

    @invariant()
    def waiting_lists_hold_exactly_the_queued_calls(self):
        e = self.engine
        expected = sorted(
            (qk, call.key)
            for call in e.calls.values()
            if call.state == CallState.QUEUED
            for qk in call.queues
        )
        actual = sorted((qk, key) for qk, q in e.queues.items() for key in q.waiting)
        assert actual == expected
        for q in e.queues.values():
            assert q.waiting == sorted(q.waiting)

    @invariant()
    def every_call_is_live_or_recorded_exactly_once(self):
        e = self.engine
        recorded = [r.call_id for r in e.records if r.disposition != "orphan"]
        assert len(recorded) == len(set(recorded))
        assert set(recorded).isdisjoint(e.calls)
        # An end reported before the arrival leaves an orphan record: still a record, never a loss.
        everything = {r.call_id for r in e.records} | set(e.calls)
        assert self.arrived <= everything
        for r in e.records:
            assert r.ended_at >= r.arrived_at and r.wait_s >= 0 and r.talk_s >= 0 and r.hold_s >= 0


EngineMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=60, deadline=None)
TestEngineMachine = EngineMachine.TestCase
