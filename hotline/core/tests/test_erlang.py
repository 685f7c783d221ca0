"""Erlang B/C/A against published values, the research notes' reference figures and brute force."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.core.erlang import (
    ErlangInputError,
    agents_for_target,
    erlang_a_metrics,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
)

# --- Erlang B ------------------------------------------------------------------------------------


def test_erlang_b_small_cases_match_the_closed_form():
    a = 3.0
    assert erlang_b(a, 0) == 1.0
    assert erlang_b(a, 1) == pytest.approx(a / (1 + a))
    assert erlang_b(a, 2) == pytest.approx((a * a / 2) / (1 + a + a * a / 2))


def test_erlang_b_published_table_values():
    # Classic Erlang B table: 10 Erl on 10 circuits blocks 21.46 %; 1 % grade of service at 10 Erl
    # needs 18 circuits (pyworkforce ErlangB in the research notes says the same).
    assert erlang_b(10, 10) == pytest.approx(0.21458, abs=1e-5)
    assert erlang_b(10, 18) < 0.01 < erlang_b(10, 17)
    assert erlang_b(5, 10) == pytest.approx(0.018385, abs=1e-6)


def test_erlang_b_is_stable_for_thousands_of_agents():
    # For N = A large, B ≈ φ(0) / (√A · Φ(0)) = 0.798/√A; factorials would overflow long before.
    b = erlang_b(10_000, 10_000)
    assert 0 < b < 1
    assert b == pytest.approx(0.798 / 100, rel=0.01)
    assert erlang_b(10, 20_000) == 0.0 or erlang_b(10, 20_000) < 1e-300


# --- Erlang C ------------------------------------------------------------------------------------


def test_erlang_c_textbook_value():
    assert erlang_c(2, 3) == pytest.approx(4 / 9)


def test_erlang_c_is_one_when_the_queue_is_unstable():
    assert erlang_c(10, 10) == 1.0
    assert erlang_c(10, 9) == 1.0
    m = erlang_c_metrics(100, 1800, 180, 10, 30)
    assert m.sl == 0.0 and math.isinf(m.asa_s) and m.occupancy == 1.0


# Research notes §2.2: 100 calls / 30 min, AHT 180 s (A = 10 Erl), SL in 30 s, P(wait), ASA.
REFERENCE_C = {
    11: (0.423, 0.682, 122.8),
    12: (0.678, 0.449, 40.4),
    13: (0.827, 0.285, 17.1),
    14: (0.911, 0.174, 7.8),
    15: (0.956, 0.102, 3.7),
    16: (0.979, 0.057, 1.7),
    17: (0.990, 0.031, 0.8),
}


@pytest.mark.parametrize("agents", sorted(REFERENCE_C))
def test_erlang_c_metrics_match_the_reference_table(agents):
    sl, p_wait, asa = REFERENCE_C[agents]
    m = erlang_c_metrics(100, 1800, 180, agents, 30)
    assert m.sl == pytest.approx(sl, abs=0.0006)
    assert m.p_wait == pytest.approx(p_wait, abs=0.0006)
    assert m.asa_s == pytest.approx(asa, abs=0.06)
    assert m.abandon == 0.0


def test_reference_staffing_is_15_agents_at_95_57_percent():
    s = agents_for_target(100, 1800, 180, 0.95, 30)
    assert s.agents == 15 and s.scheduled == 15 and s.model == "erlang_c"
    assert round(s.metrics.sl, 4) == 0.9557
    assert round(s.metrics.asa_s, 1) == 3.7
    assert round(s.metrics.occupancy, 3) == 0.667
    assert round(s.metrics.p_wait, 4) == 0.1020


def test_shrinkage_rounds_scheduled_agents_up():
    assert agents_for_target(100, 1800, 180, 0.95, 30, shrinkage=0.3).scheduled == 22  # ⌈15/0.7⌉
    assert agents_for_target(100, 1800, 180, 0.95, 30, shrinkage=0.25).scheduled == 20  # exactly 15/0.75


def test_occupancy_cap_adds_agents():
    # The floor table (§2.3): 63 agents carry about 1 095 calls/h at AHT 180 s, occupancy 87 %.
    free = agents_for_target(1094, 3600, 180, 0.95, 30)
    assert free.agents == 63
    capped = agents_for_target(1095, 3600, 180, 0.95, 30, max_occupancy=0.80)
    assert capped.agents == math.ceil(free.traffic_erlangs / 0.80)
    assert capped.metrics.occupancy <= 0.80


@pytest.mark.parametrize(
    ("agents", "aht", "calls_per_hour"),
    [
        (2, 180, 8),
        (3, 240, 13),
        (8, 300, 50),
        (10, 180, 119),
        (35, 240, 415),
        (63, 180, 1095),
        (84, 300, 877),
    ],
)
def test_planning_table_capacities(agents, aht, calls_per_hour):
    # §2.3: calls per hour (rounded) that N agents carry at 95/30 — found by bisection on the load.
    lo, hi = 0.0, 5000.0
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if erlang_c_metrics(mid, 3600, aht, agents, 30).sl >= 0.95 else (lo, mid)
    assert round(lo) == calls_per_hour
    assert agents_for_target(math.floor(lo), 3600, aht, 0.95, 30).agents == agents
    assert agents_for_target(math.ceil(lo), 3600, aht, 0.95, 30).agents == agents + 1


# --- Erlang A ------------------------------------------------------------------------------------

# Research notes §2.2 (pyworkforce 0.5.4 ErlangA and own code): patience → agents, SL, abandon, P(wait).
REFERENCE_A = {
    60: (14, 0.9561, 0.0303, 0.112),
    180: (15, 0.9696, 0.0103, 0.084),
    600: (15, 0.9625, 0.0046, 0.094),
}


@pytest.mark.parametrize("patience", sorted(REFERENCE_A))
def test_erlang_a_staffing_matches_the_reference(patience):
    agents, sl, abandon, p_wait = REFERENCE_A[patience]
    s = agents_for_target(100, 1800, 180, 0.95, 30, patience_s=patience)
    assert s.agents == agents and s.model == "erlang_a"
    assert s.metrics.sl == pytest.approx(sl, abs=0.00006)
    assert s.metrics.abandon == pytest.approx(abandon, abs=0.00006)
    assert s.metrics.p_wait == pytest.approx(p_wait, abs=0.0006)


def test_erlang_a_14_agents_patience_180_matches_the_reference():
    m = erlang_a_metrics(100, 1800, 180, 14, 30, 180)
    assert m.sl == pytest.approx(0.9441, abs=0.00006)
    assert m.abandon == pytest.approx(0.0187, abs=0.00006)


def test_erlang_a_tends_to_erlang_c_as_patience_grows():
    c = erlang_c_metrics(100, 1800, 180, 15, 30)
    a = erlang_a_metrics(100, 1800, 180, 15, 30, 1e8)
    assert a.sl == pytest.approx(c.sl, abs=1e-6)
    assert a.p_wait == pytest.approx(c.p_wait, abs=1e-6)
    assert a.asa_s == pytest.approx(c.asa_s, rel=1e-4)
    assert a.abandon < 1e-6


def _brute_force_erlang_a(calls, interval, aht, n, answer, patience):
    """Stationary distribution from π_0 (small N only) and the tagged-caller chain by uniformisation."""
    lam, mu, theta = calls / interval, 1 / aht, 1 / patience
    probs = [1.0]
    k = 0
    while True:
        k += 1
        probs.append(probs[-1] * lam / (min(k, n) * mu + max(k - n, 0) * theta))
        if k > n + 5 and probs[-1] < 1e-18 * sum(probs):
            break
    total = sum(probs)
    probs = [p / total for p in probs]
    waiting = probs[n:]
    queue = sum(j * p for j, p in enumerate(waiting))
    # Uniformised absorbing chain of a caller with i others ahead: advance at Nμ + iθ, leave at θ.
    size = len(waiting)
    rate = n * mu + size * theta + theta
    steps = int(rate * answer + 12 * math.sqrt(rate * answer) + 60)
    served = []
    for start in range(size):
        dist = [0.0] * size
        dist[start] = 1.0
        absorbed, poisson, result = 0.0, math.exp(-rate * answer), 0.0
        for step in range(1, steps + 1):
            new = [0.0] * size
            for i, p in enumerate(dist):
                if p == 0:
                    continue
                advance = n * mu + i * theta
                if i == 0:
                    absorbed += p * advance / rate
                else:
                    new[i - 1] += p * advance / rate
                new[i] += p * (rate - advance - theta) / rate
            dist = new
            poisson *= rate * answer / step
            result += poisson * absorbed
        served.append(result)
    sl = sum(probs[:n]) + sum(p * g for p, g in zip(waiting, served, strict=True))
    return sl, sum(waiting), theta * queue / lam


@pytest.mark.parametrize(
    ("calls", "aht", "n", "answer", "patience"),
    [(100, 180, 14, 30, 60), (100, 180, 9, 20, 45), (40, 300, 6, 60, 120), (250, 240, 30, 15, 90)],
)
def test_erlang_a_closed_form_agrees_with_brute_force(calls, aht, n, answer, patience):
    sl, p_wait, abandon = _brute_force_erlang_a(calls, 1800, aht, n, answer, patience)
    m = erlang_a_metrics(calls, 1800, aht, n, answer, patience)
    assert m.sl == pytest.approx(sl, abs=1e-6)
    assert m.p_wait == pytest.approx(p_wait, abs=1e-9)
    assert m.abandon == pytest.approx(abandon, abs=1e-9)


def test_erlang_a_handles_overload_and_large_pools():
    # Ten times more work than agents: most callers abandon, nothing overflows.
    m = erlang_a_metrics(1000, 1800, 180, 10, 30, 60)
    assert 0 <= m.sl < 0.01 and m.abandon == pytest.approx(0.9, abs=0.001) and m.occupancy <= 1
    big = agents_for_target(30_000, 1800, 240, 0.95, 30, patience_s=60)
    assert 3000 < big.agents < 4100 and big.metrics.sl >= 0.95


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"target_sl": 1.0, "answer_s": 0}, "target"),
        ({"target_sl": 1.0}, "target"),
        ({"target_sl": 0}, "target"),
        ({"calls": -1}, "calls"),
        ({"aht_s": 0}, "aht_s"),
        ({"interval_s": -1800}, "interval_s"),
        ({"answer_s": -1}, "answer_s"),
        ({"patience_s": 0}, "patience_s"),
        ({"shrinkage": 1.0}, "shrinkage"),
        ({"calls": float("nan")}, "calls"),
        ({"calls": 1e12}, "calls"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(kwargs, field):
    args = {"calls": 100, "interval_s": 1800, "aht_s": 180, "target_sl": 0.95, "answer_s": 30, **kwargs}
    with pytest.raises(ErlangInputError) as err:
        agents_for_target(
            args.pop("calls"), args.pop("interval_s"), args.pop("aht_s"), args.pop("target_sl"),
            args.pop("answer_s"), **args,
        )  # fmt: skip
    assert err.value.field == field
    assert err.value.message  # a Chinese sentence, not a traceback


def test_zero_calls_need_zero_agents():
    s = agents_for_target(0, 1800, 180, 0.95, 30)
    assert s.agents == 0 and s.metrics.sl == 1.0


def test_a_very_strict_target_still_terminates():
    s = agents_for_target(100, 1800, 180, 0.999999, 0)
    assert s.metrics.sl >= 0.999999 and s.agents < 40


# --- properties ----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    calls=st.floats(1, 3000),
    aht=st.floats(30, 900),
    target=st.floats(0.5, 0.99),
    answer=st.floats(0, 120),
    patience=st.one_of(st.none(), st.floats(10, 1200)),
)
def test_staffing_is_the_fewest_agents_that_meet_the_target(calls, aht, target, answer, patience):
    s = agents_for_target(calls, 1800, aht, target, answer, patience_s=patience)
    assert s.metrics.sl >= target
    if s.agents > 1:
        fewer = (
            erlang_c_metrics(calls, 1800, aht, s.agents - 1, answer)
            if patience is None
            else erlang_a_metrics(calls, 1800, aht, s.agents - 1, answer, patience)
        )
        assert fewer.sl < target


@settings(max_examples=40, deadline=None)
@given(calls=st.floats(1, 2000), aht=st.floats(30, 600), patience=st.floats(10, 600), n=st.integers(1, 200))
def test_erlang_a_service_level_rises_with_agents(calls, aht, patience, n):
    a = erlang_a_metrics(calls, 1800, aht, n, 30, patience)
    b = erlang_a_metrics(calls, 1800, aht, n + 1, 30, patience)
    assert b.sl >= a.sl - 1e-12
    assert 0 <= a.abandon <= 1 and 0 <= a.p_wait <= 1 and 0 <= a.sl <= 1
