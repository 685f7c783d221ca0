"""One year of the city's traffic through the real ACD engine in the simulator.

    python bench/callcenter_simulate.py                  # ≈ 1.2 M calls, hourly profile, Erlang-C staffing
    python bench/callcenter_simulate.py --calls 600000 --seed 3

Arrivals follow a weekday-style hourly profile (morning and afternoon peaks) every day of the year;
staffing per hour is the Erlang C minimum for 95 % in 30 s (hotline.core.erlang.agents_for_target),
so the run also checks that the engine delivers what the formula promises over a year. Callers
have exponential patience (mean 120 s), handling is exponential (AHT 240 s). No database.

Prints the wall time (target: a year in < 120 s), calls per second simulated, and the year's
service level, abandonment and ASA. Bounded: --calls ≤ 5 M.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hotline.callcenter.engine.simulate import SimParams, Simulator  # noqa: E402
from hotline.core.erlang import agents_for_target  # noqa: E402

TARGET_S = 120.0
PROFILE = [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 12, 9, 11, 14, 14, 12, 9, 6, 5, 4, 3, 2, 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=1_200_000, help="calls in the year (default 1.2 M)")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--aht", type=float, default=240.0)
    ap.add_argument("--patience", type=float, default=120.0)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    if not 1000 <= args.calls <= 5_000_000 or not 1 <= args.days <= 366:
        raise SystemExit("--calls must be 1,000–5,000,000 and --days 1–366")
    per_day = args.calls / args.days
    total = sum(PROFILE)
    staffing = [
        max(2, agents_for_target(per_day * w / total, 3600, args.aht, 0.95, 30).agents) for w in PROFILE
    ]
    params = SimParams(
        calls_per_hour=per_day / 24, aht_s=args.aht, agents=max(staffing), patience_s=args.patience,
        hours=24 * args.days, seed=args.seed, interval_s=3600, profile=PROFILE, staffing=staffing,
    )  # fmt: skip
    load = os.getloadavg()
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    result = Simulator(params).run()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    print(f"machine: {os.cpu_count()} cores, load average before {load[0]:.2f}")
    print(f"profile: {per_day:,.0f} calls/day, peak hour {per_day * max(PROFILE) / total:,.0f} calls; "
          f"staffing per hour (Erlang C, 95/30): {staffing}")  # fmt: skip
    print(f"simulated {args.days} days: {result.offered:,} calls, {result.events:,} events, "
          f"{result.anomalies} anomalies")  # fmt: skip
    print(f"wall {wall:.1f} s (target < {TARGET_S:.0f} s), CPU {cpu:.1f} s, "
          f"{result.offered / wall:,.0f} calls/s, {result.events / wall:,.0f} events/s")  # fmt: skip
    print(f"year: sl30 {result.sl:.2%}, abandoned {result.abandon_rate:.2%}, ASA {result.asa_s:.1f} s")
    print(result.line())
    print(
        f"SUMMARY callcenter_simulate calls={result.offered} wall_s={wall:.1f} cpu_s={cpu:.1f} "
        f"sl30={result.sl:.4f} load={load[0]:.2f}"
    )


if __name__ == "__main__":
    main()
