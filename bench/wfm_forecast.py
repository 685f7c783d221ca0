"""Forecast backtest (`hotline.workforce.forecast`): WAPE on series with a known structure.

    python bench/wfm_forecast.py                    # 12 weeks of history, 14-day holdout, 5 seeds
    python bench/wfm_forecast.py --weeks 26 --holdout 28 --seeds 10

Series: a city's 12345 day (the demo's hourly profile, split into half-hours), day factors per
weekday, 法定节假日 and 调休 from the real calendar (chinesecalendar), a trend of +0.2 %/day, and
Poisson-like noise.  The history ends on 2025-10-26, so the holdout holds the end of the National
Day break's after-effects and the 调休 days are in the history.  Three volume levels are measured
(a merged hotline's ~100 calls/day to 12345's ~3,000), since half-hour WAPE is dominated by counting
noise at low volumes: the script prints the noise floor (WAPE of the true mean against the noisy
actuals) beside the model's WAPE, per half-hour and per day.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import machine, summary  # noqa: E402

from hotline.core.workdays import WorkCalendar  # noqa: E402
from hotline.workforce import forecast as fc  # noqa: E402

DAY_PROFILE = [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 12, 9, 11, 14, 14, 12, 9, 6, 5, 4, 3, 2, 1]
FACTOR = {"mon": 1.15, "tue": 1.0, "wed": 1.0, "thu": 0.98, "fri": 0.95, "sat": 0.6, "sun": 0.55,
          "holiday": 0.45, "makeup": 0.9}  # fmt: skip
END = date(2025, 10, 26)


def build(weeks: int, level: float, seed: int, kind: fc.DayKind, end: date = END) -> tuple[dict, dict]:
    rnd = random.Random(seed)
    halves = [w / 2 for w in DAY_PROFILE for _ in range(2)]
    total = sum(halves)
    truth, noisy = {}, {}
    n = weeks * 7
    for t in range(n):
        d = end - timedelta(days=n - 1 - t)
        mean = level * (1 + 0.002 * t) * FACTOR[kind(d)]
        row = [mean * h / total for h in halves]
        truth[d] = row
        noisy[d] = [max(0.0, round(rnd.gauss(v, v**0.5))) for v in row]
    return truth, noisy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--weeks", type=int, default=12)
    ap.add_argument("--holdout", type=int, default=14)
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args()
    cal = WorkCalendar.from_chinesecalendar({2025})
    kind = fc.day_kind_for(cal.holidays, cal.extra_workdays)
    print(f"# {machine()} weeks={args.weeks} holdout={args.holdout} seeds={args.seeds}")
    print(f"{'calls/day':>10} {'WAPE 30min':>11} {'noise floor':>12} {'WAPE day':>9} {'fit ms':>7}")
    figures = {}
    for level in (100, 600, 3000):
        w, floor, daily, ms = [], [], [], []
        for seed in range(args.seeds):
            truth, hist = build(args.weeks, level, seed, kind)
            t0 = time.perf_counter()
            bt = fc.backtest(hist, kind, holdout=args.holdout)
            ms.append((time.perf_counter() - t0) * 1000)
            w.append(bt.wape)
            daily.append(bt.daily_wape)
            floor.append(fc.wape(bt.actual, {d: truth[d] for d in bt.test_days}))
        row = (statistics.mean(w), statistics.mean(floor), statistics.mean(daily), statistics.mean(ms))
        print(f"{level:>10} {row[0]:>11.2%} {row[1]:>12.2%} {row[2]:>9.2%} {row[3]:>7.1f}")
        figures[level] = row
    big = figures[3000]
    summary("wfm_forecast", wape_3000=f"{big[0]:.4f}", floor_3000=f"{big[1]:.4f}", daily_wape_3000=f"{big[2]:.4f}",
            wape_100=f"{figures[100][0]:.4f}")  # fmt: skip


if __name__ == "__main__":
    main()
