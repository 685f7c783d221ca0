"""The simulator (the real engine on simulated traffic) agrees with Erlang C and Erlang A."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command

from hotline.callcenter.engine.simulate import SimParams, Simulator, simulate
from hotline.core.erlang import erlang_a_metrics, erlang_c_metrics

TOLERANCE = 0.015  # ±1.5 points of service level


@pytest.mark.parametrize("agents", [13, 15, 17])
def test_simulation_without_abandonment_matches_erlang_c(agents):
    # The research reference: 100 calls per 30 min, AHT 180 s; 15 agents → 95.57 % in 30 s.
    expected = erlang_c_metrics(100, 1800, 180, agents, 30)
    if agents == 15:
        assert expected.sl == pytest.approx(0.9557, abs=5e-4)
    result = simulate(
        SimParams(calls_per_hour=200, aht_s=180, agents=agents, hours=250, seed=agents, warmup_s=3600)
    )
    assert result.offered > 45_000 and result.abandoned == 0
    assert abs(result.sl - expected.sl) <= TOLERANCE, (result.sl, expected.sl)
    # Erlang C's ASA is over all calls; the simulator's over answered ones — the same when nobody leaves.
    assert result.asa_s == pytest.approx(expected.asa_s, rel=0.25, abs=1.0)


@pytest.mark.parametrize(("agents", "patience"), [(14, 60), (15, 180), (12, 120)])
def test_simulation_with_exponential_patience_matches_erlang_a(agents, patience):
    expected = erlang_a_metrics(100, 1800, 180, agents, 30, patience)
    result = simulate(
        SimParams(calls_per_hour=200, aht_s=180, agents=agents, patience_s=patience, hours=250, seed=agents,
                  warmup_s=3600)
    )  # fmt: skip
    assert abs(result.sl - expected.sl) <= TOLERANCE, (result.sl, expected.sl)
    assert abs(result.abandon_rate - expected.abandon) <= 0.006, (result.abandon_rate, expected.abandon)


def test_simulation_is_reproducible_and_seed_dependent():
    p = SimParams(calls_per_hour=300, aht_s=200, agents=18, patience_s=90, hours=5, seed=7)
    a, b = simulate(p), simulate(p)
    assert a.line() == b.line()
    p.seed = 8
    assert simulate(p).line() != a.line()


def test_overloaded_queue_and_wrapup_split_still_match_erlang():
    bad = simulate(SimParams(calls_per_hour=200, aht_s=180, agents=9, patience_s=120, hours=20, seed=1))
    overloaded = erlang_a_metrics(100, 1800, 180, 9, 30, 120)  # 10 Erl on 9 agents
    assert bad.abandon_rate > 0.1 and abs(bad.sl - overloaded.sl) <= 0.03, (bad.sl, overloaded.sl)
    # Wrap-up is part of the handling time: the same AHT split into talk + wrap gives the same SL.
    split = simulate(SimParams(calls_per_hour=200, aht_s=180, agents=15, wrapup_s=60, hours=100, seed=3))
    assert abs(split.sl - erlang_c_metrics(100, 1800, 180, 15, 30).sl) <= 0.03


def test_profile_and_staffing_follow_the_intervals():
    # Busy mornings (weight 3), quiet afternoons (1): staffing 20 / 8 keeps both halves served.
    sim = Simulator(
        SimParams(calls_per_hour=200, aht_s=180, agents=20, hours=48, seed=5, interval_s=3600 * 12,
                  profile=[3, 1], staffing=[20, 8])
    )  # fmt: skip
    by_half = [0, 0]
    sim.on_record = lambda rec: by_half.__setitem__(
        int(rec.arrived_at // 43200) % 2, by_half[int(rec.arrived_at // 43200) % 2] + 1
    )
    result = sim.run()
    assert by_half[0] / by_half[1] == pytest.approx(3, rel=0.1)
    assert result.sl > 0.85 and result.anomalies == 0


def test_cli_prints_the_summary_line(capsys):
    call_command("callcenter", "simulate", "--calls-per-hour", "200", "--aht", "180", "--agents", "15",
                 "--patience", "0", "--hours", "20", "--seed", "3")  # fmt: skip
    lines = capsys.readouterr().out.strip().splitlines()
    assert re.fullmatch(r"offered=\d+ answered=\d+ abandoned=0 sl30=0\.\d{3} asa_s=\d+\.\d", lines[-1])
    offered = int(lines[-1].split()[0].split("=")[1])
    assert 3600 < offered < 4400


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--calls-per-hour", "0", "--aht", "180", "--agents", "3"], "--calls-per-hour"),
        (["--calls-per-hour", "10", "--aht", "-1", "--agents", "3"], "--aht"),
        (["--calls-per-hour", "10", "--aht", "180", "--agents", "0"], "--agents"),
        (["--calls-per-hour", "10", "--aht", "180", "--agents", "3", "--patience", "-5"], "--patience"),
        (["--calls-per-hour", "1000000", "--aht", "180", "--agents", "3", "--hours", "1000"], "上限"),
    ],
)
def test_cli_refuses_bad_arguments_in_chinese(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("callcenter", "simulate", *args)
