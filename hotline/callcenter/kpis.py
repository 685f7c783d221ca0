"""Call-centre KPIs from call data. Pure functions: rows in, figures out (no Django).

Definitions (also in docs/callcenter.md; S = 秒挂 threshold, T = service-level threshold):

- 人工请求量 offered: calls that entered a queue (asked for a person).
- 秒挂 short abandons: offered calls abandoned (in queue or while ringing) within S seconds.
- 接通率 answer rate = answered ÷ (offered − short abandons).
- 30 秒接通率 service level = answered within T ÷ (offered − short abandons).
- 放弃率 abandon rate = abandoned (not short) ÷ (offered − short abandons).
- ASA = Σ wait of answered calls ÷ answered (queue + ringing).
- AHT = (Σ talk incl. hold of answered calls + Σ agents' after-call work) ÷ answered.
- 占用率 occupancy = (ringing + talking + after-call work) ÷ (those + ready/idle), from agent states.
- 漏接回拨率 = callback tasks first attempted by their deadline ÷ callback tasks due
  (a task is due once its deadline has passed or it has been attempted; one task per caller per day).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

ABANDONED = frozenset({"abandoned_queue", "abandoned_ringing"})
HANDLING_STATES = ("ringing", "busy", "acw")


@dataclass(frozen=True, slots=True)
class CallRow:
    queued: bool
    disposition: str
    wait_s: float = 0.0
    talk_s: float = 0.0


@dataclass(frozen=True, slots=True)
class CallbackRow:
    due_at: float
    first_attempt_at: float | None = None


@dataclass(frozen=True)
class Kpis:
    offered: int
    answered: int
    abandoned: int
    short_abandons: int
    answered_in_time: int
    answer_rate: float | None
    service_level: float | None
    abandon_rate: float | None
    asa_s: float | None
    aht_s: float | None
    occupancy: float | None
    callbacks_due: int
    callbacks_on_time: int
    callback_rate: float | None
    short_abandon_s: float
    answer_s: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def compute_kpis(
    calls: Iterable[CallRow],
    *,
    state_seconds: Mapping[str, float] | None = None,
    callbacks: Iterable[CallbackRow] = (),
    now: float | None = None,
    short_abandon_s: float = 5.0,
    answer_s: float = 30.0,
) -> Kpis:
    """Every KPI for one period; rates are None when their denominator is zero."""
    offered = answered = abandoned = short = in_time = 0
    wait = talk = 0.0
    for c in calls:
        if not c.queued:
            continue
        offered += 1
        if c.disposition == "answered":
            answered += 1
            wait += c.wait_s
            talk += c.talk_s
            if c.wait_s <= answer_s:
                in_time += 1
        elif c.disposition in ABANDONED:
            if c.wait_s < short_abandon_s:
                short += 1
            else:
                abandoned += 1
    base = offered - short
    states = state_seconds or {}
    handling = sum(states.get(s, 0.0) for s in HANDLING_STATES)
    idle = states.get("ready", 0.0)
    acw = states.get("acw", 0.0)
    due = on_time = 0
    for cb in callbacks:
        attempted = cb.first_attempt_at
        if attempted is None and (now is None or cb.due_at > now):
            continue  # not yet due and not yet tried
        due += 1
        if attempted is not None and attempted <= cb.due_at:
            on_time += 1
    return Kpis(
        offered=offered,
        answered=answered,
        abandoned=abandoned,
        short_abandons=short,
        answered_in_time=in_time,
        answer_rate=_ratio(answered, base),
        service_level=_ratio(in_time, base),
        abandon_rate=_ratio(abandoned, base),
        asa_s=_ratio(wait, answered),
        aht_s=_ratio(talk + acw, answered) if state_seconds is not None else _ratio(talk, answered),
        occupancy=_ratio(handling, handling + idle),
        callbacks_due=due,
        callbacks_on_time=on_time,
        callback_rate=_ratio(on_time, due),
        short_abandon_s=short_abandon_s,
        answer_s=answer_s,
    )


def state_seconds(
    changes: Iterable[tuple[str, float, str]],
    *,
    start: float,
    end: float,
    before: Mapping[str, str] | None = None,
) -> dict[str, float]:
    """Seconds spent per agent state within [start, end) from (agent, at, new state) changes sorted by time.

    `before` gives each agent's state at `start` (from the last change before the period); an agent
    with no earlier change is counted from their first change.
    """
    current: dict[str, tuple[str, float]] = {a: (s, start) for a, s in (before or {}).items()}
    totals: dict[str, float] = {}
    for agent, at, state in changes:
        if at >= end:
            break
        at = max(at, start)
        prev = current.get(agent)
        if prev is not None:
            totals[prev[0]] = totals.get(prev[0], 0.0) + at - prev[1]
        current[agent] = (state, at)
    for state, since in current.values():
        totals[state] = totals.get(state, 0.0) + max(0.0, end - since)
    totals.pop("signed_out", None)
    return totals
