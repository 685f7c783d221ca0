"""`hotline wfm staffing`: the reference line, Erlang A, and clear refusals with a non-zero exit."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command


def _run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("wfm", "staffing", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_reference_case_prints_the_exact_last_line():
    lines = _run(
        "--calls", "100", "--interval-s", "1800", "--aht-s", "180", "--target", "0.95", "--answer-s", "30"
    )  # fmt: skip
    assert lines[-1] == "agents=15 sl=0.9557 asa_s=3.7 occupancy=0.667"
    assert "Erlang C" in lines[0]


def test_patience_switches_to_erlang_a_and_reports_abandonment():
    lines = _run("--calls", "100", "--aht-s", "180", "--patience-s", "60")
    assert lines[-1] == "agents=14 sl=0.9561 asa_s=1.8 occupancy=0.693 abandon=0.0303"
    assert "放弃率 3.03%" in lines[-2]


def test_shrinkage_adds_the_scheduled_count():
    lines = _run("--calls", "100", "--aht-s", "180", "--shrinkage", "0.3")
    assert lines[-1].endswith(" scheduled=22")
    assert "应排班 22 人" in "\n".join(lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--calls", "100", "--aht-s", "180", "--target", "1.0", "--answer-s", "0"],
            "服务水平目标 100% 无法达到",
        ),
        (["--calls", "0", "--aht-s", "180"], "来电量必须大于 0"),
        (["--calls", "-5", "--aht-s", "180"], "来电量必须大于 0"),
        (["--calls", "100", "--aht-s", "0"], "平均处理时长必须大于 0"),
        (["--calls", "100", "--aht-s", "180", "--interval-s", "-1"], "时段长度必须大于 0"),
        (["--calls", "100", "--aht-s", "180", "--patience-s", "-60"], "平均耐心时长必须大于 0"),
        (["--calls", "100", "--aht-s", "180", "--shrinkage", "1"], "缺勤率"),
    ],
)
def test_impossible_or_bad_input_is_refused_clearly(args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_console_script_exits_non_zero_on_an_impossible_target():
    proc = subprocess.run(
        [sys.executable, "-m", "hotline", "wfm", "staffing", "--calls", "100", "--aht-s", "180",
         "--target", "1", "--answer-s", "0"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "无法达到" in proc.stderr
    assert "Traceback" not in proc.stderr
