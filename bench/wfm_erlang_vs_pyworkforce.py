"""Erlang C staffing: `hotline wfm staffing` (hotline.core.erlang) against pyworkforce on a grid.

    python bench/wfm_erlang_vs_pyworkforce.py                 # venv under /tmp, pyworkforce==0.5.1
    python bench/wfm_erlang_vs_pyworkforce.py --venv /tmp/pwf --version 0.5.1

pyworkforce is never a project dependency: the script creates a throwaway virtualenv under /tmp
(once; reused afterwards), installs pyworkforce there with pip, and asks it for
`ErlangC(...).required_positions(service_level)` on every grid point in one child process (times
in minutes there). Our side calls `agents_for_target` in this process and, for the reference
point, runs the real CLI. It prints both agent counts for every point and the number of points
where they differ. On Python 3.11 pip resolves pyworkforce 0.5.1 (0.5.2+ need Python 3.12).
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
import venv
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import log, summary  # noqa: E402

from hotline.core.erlang import agents_for_target  # noqa: E402

CALLS = [10, 20, 50, 100, 200, 400, 800, 1600]
AHT_S = [120, 180, 240, 300]
TARGETS = [0.8, 0.9, 0.95]
ANSWER_S = [15, 20, 30]

CHILD = """
import json, sys
from pyworkforce.queuing import ErlangC
out = []
for calls, aht, target, answer in json.load(sys.stdin):
    r = ErlangC(transactions=calls, aht=aht / 60, asa=answer / 60, interval=30, shrinkage=0.0)
    res = r.required_positions(service_level=target)
    out.append([res["raw_positions"], res["service_level"]])
json.dump(out, sys.stdout)
"""


def ensure_venv(path: Path, version: str) -> Path:
    py = path / "bin" / "python"
    if not py.exists():
        log(f"creating {path}")
        venv.EnvBuilder(with_pip=True, clear=True).create(path)
    check = subprocess.run([py, "-c", "import pyworkforce"], capture_output=True, timeout=120)
    if check.returncode != 0:
        log(f"pip install pyworkforce=={version} into {path}")
        subprocess.run([py, "-m", "pip", "install", "-q", f"pyworkforce=={version}"], check=True, timeout=900)
    return py


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--venv", default="/tmp/hotline-bench-pyworkforce")
    ap.add_argument("--version", default="0.5.1")
    args = ap.parse_args()
    py = ensure_venv(Path(args.venv), args.version)
    grid = list(itertools.product(CALLS, AHT_S, TARGETS, ANSWER_S))
    t0 = time.perf_counter()
    theirs = json.loads(
        subprocess.run(
            [py, "-c", CHILD], input=json.dumps(grid), capture_output=True, text=True, check=True, timeout=600
        ).stdout
    )
    t_theirs = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours = [agents_for_target(c, 1800, a, t, s) for c, a, t, s in grid]
    t_ours = time.perf_counter() - t0
    print(
        f"{'calls/30min':>11} {'aht_s':>6} {'target':>6} {'T_s':>4} | {'hotline':>7} {'pyworkforce':>11} | sl_hotline sl_pyworkforce"
    )
    differ = 0
    for (c, a, t, s), mine, (n, sl) in zip(grid, ours, theirs, strict=True):
        mark = "" if mine.agents == n else "  <-- differs"
        differ += mine.agents != n
        print(
            f"{c:>11} {a:>6} {t:>6.2f} {s:>4} | {mine.agents:>7} {n:>11} | {mine.metrics.sl:.4f}     {sl:.4f}{mark}"
        )
    cli = subprocess.run(
        [sys.executable, "-m", "hotline", "wfm", "staffing", "--calls", "100", "--interval-s", "1800",
         "--aht-s", "180", "--target", "0.95", "--answer-s", "30"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    print(f"CLI reference: {cli.stdout.strip().splitlines()[-1]}")
    print(
        f"grid points {len(grid)}, differing {differ}; time hotline {t_ours * 1000:.0f} ms, pyworkforce {t_theirs * 1000:.0f} ms (incl. start-up)"
    )
    summary("wfm_erlang_vs_pyworkforce", points=len(grid), differ=differ, pyworkforce=args.version,
            hotline_ms=f"{t_ours * 1000:.0f}", pyworkforce_ms=f"{t_theirs * 1000:.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
