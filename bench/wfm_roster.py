"""A month's roster for the contract's 172 staff with OR-Tools CP-SAT (`hotline.workforce.roster`).

    python bench/wfm_roster.py                      # next month, 60 s limit, 2 workers, 3 runs
    python bench/wfm_roster.py --month 2026-02 --time-limit 30 --runs 1
    python bench/wfm_roster.py --demand forecast --runs 1   # needs from a forecast × Erlang C instead

With ``--demand forecast`` the needs of 12345 (2,600 calls on an ordinary Tuesday) and the pooled
merged hotlines (670) come from 12 weeks of synthetic history (bench/wfm_forecast.py), the forecast
engine and Erlang C at 95 %/30 s, AHT 240 s, shrinkage 0.2: fewer agent-hours in total than the
contract's head-counts, but shaped like the calls (a ramp from 05:00, busy 08:00–17:00, a tail to
22:00).  Each demand source gets the templates the app gives it (``profiles.CONTRACT_SHIFTS``: 白班,
中班, 两头班, 夜班; ``FORECAST_SHIFTS``: those plus 早一班 06–14, 早班 07–15, 晚班 14–22, 大夜班
22–06); ``--shifts contract|forecast`` overrides that.  ``template_floor`` is the over-cover the
templates cannot avoid even without labour rules (each day covered on its own, nights wrapping):
the lower bound counts each half-hour's need, 8-hour shifts cannot follow a forecast's half-hourly
ups and downs.

The problem is the demo floor built from plain data (no database): 78 话务员 + 6 组长 on 12345,
14 回访员 (回访 + 12345), 32 归并热线 agents, 42 support staff + 5 on-site managers on the office
shift; three new hires not yet cleared by the on-boarding gate; a few approved leave days;
requirements 63+7 on working days and 28+7 on rest days (12345), 6 on working days (回访),
12+3 / 8+3 (归并热线), 48 half-hours a day; the real holiday calendar (chinesecalendar).
Each run is a fresh solve with a fresh random seed; it prints wall time, the rostered queue
hours against the agent-hours lower bound (Σ need), shortfall, the independent rule check,
and the process's peak RSS. Targets (issue 6): feasible < 60 s, within 5 % of the lower bound,
peak memory < 2 GB.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import log, machine, summary  # noqa: E402

from hotline.workforce.profiles import (  # noqa: E402
    DEMO_QUEUES,
    OFFICE_SHIFT,
    SHIFT_SETS,
    month_days,
    month_requirement,
)
from hotline.workforce.roster import (  # noqa: E402
    SLOTS_PER_DAY,
    Person,
    Problem,
    Rules,
    Shift,
    check,
    cover,
    solve,
)


def rest_days_of(days: list[date]) -> frozenset[date]:
    from hotline.core.workdays import WorkCalendar

    cal = WorkCalendar.from_chinesecalendar({d.year for d in days})
    return frozenset(d for d in days if not cal.is_workday(d))


def forecast_requirement(days: list[date], rest: frozenset[date]) -> dict[str, list[int]]:
    """12345 and the pooled merged hotlines from 12 weeks of synthetic history, forecast, Erlang C, shrinkage 0.2."""
    from wfm_forecast import build

    from hotline.core.erlang import agents_for_target
    from hotline.core.workdays import WorkCalendar
    from hotline.workforce import forecast as fc

    before = days[0] - timedelta(days=1)
    cal = WorkCalendar.from_chinesecalendar({before.year - 1, before.year, days[-1].year})
    kind = fc.day_kind_for(cal.holidays, cal.extra_workdays)
    cache: dict[int, int] = {}

    def scheduled(calls: float) -> int:
        key = round(calls)
        if key not in cache:
            cache[key] = agents_for_target(key, 1800, 240, 0.95, 30, shrinkage=0.2).scheduled
        return cache[key]

    out = month_requirement(days, rest, {"visit": DEMO_QUEUES["visit"]})
    for queue, level in (("12345", 2600), ("merged", 670)):
        _, hist = build(12, level, 1, kind, end=before)
        model = fc.fit(hist, kind)
        out[queue] = [scheduled(c) for d in days for c in model.day(d, kind(d))]
    return out


def template_floor(req: dict[str, list[int]], shifts: list[Shift], n_days: int) -> float:
    """Least over-cover (fraction of Σ need) of an integer cover per queue and day, no labour rules."""
    from ortools.sat.python import cp_model

    per_day = SLOTS_PER_DAY
    covers = [[g % per_day for a, b in sh.segments for g in range(a // 30, b // 30)] for sh in shifts]
    worked = needed = 0
    for need in req.values():
        for d in range(n_days):
            day = need[d * per_day : (d + 1) * per_day]
            if not any(day):
                continue
            m = cp_model.CpModel()
            x = [m.new_int_var(0, max(day), f"x{i}") for i in range(len(shifts))]
            for g, n in enumerate(day):
                m.add(sum(x[i] for i, cov in enumerate(covers) if g in cov) >= n)
            m.minimize(sum(len(cov) * x[i] for i, cov in enumerate(covers)))
            solver = cp_model.CpSolver()
            solver.parameters.max_time_in_seconds = 2.0
            solver.parameters.num_workers = 1
            solver.solve(m)
            worked += round(solver.objective_value)
            needed += sum(day)
    return worked / needed - 1


def people(days: list[date], seed: int) -> list[Person]:
    rnd = random.Random(seed)
    out: list[Person] = []

    def add(n: int, queues: set[str], *, night_share: float = 0.6, new: int = 0) -> None:
        for i in range(n):
            pid = len(out) + 1
            leave: frozenset[date] = frozenset()
            if rnd.random() < 0.1:  # one in ten has 1–3 days of approved leave
                start = rnd.choice(days)
                leave = frozenset(start + timedelta(days=k) for k in range(rnd.randint(1, 3)))
            out.append(
                Person(
                    id=pid,
                    name=f"P{pid:03d}",
                    queues=frozenset(queues),
                    live_ok=i >= new,
                    night_ok=rnd.random() < night_share,
                    leave=leave,
                )
            )

    add(78, {"12345"}, new=3)
    add(6, {"12345"})
    add(14, {"12345", "visit"}, night_share=0.3)
    add(32, {"merged"})
    add(42, set())  # support posts: office shift on working days
    return out


def fairness(problem: Problem, result) -> str:
    shifts = {s.code: s for s in problem.shifts}
    parts = []
    for label, queues in (("12345", {"12345"}), ("12345+回访", {"12345", "visit"}), ("归并", {"merged"})):
        members = [p for p in problem.people if p.queues == queues and p.live_ok and len(p.leave) < 8]
        hours, nights = [], []
        for p in members:
            mine = [shifts[c] for (pid, _d), (c, q) in result.assignments.items() if pid == p.id and q]
            hours.append(sum(s.minutes for s in mine) / 60)
            if p.night_ok:
                nights.append(sum(1 for s in mine if s.night))
        if hours:
            parts.append(
                f"{label}: hours {min(hours):.0f}–{max(hours):.0f} (median {statistics.median(hours):.0f}), "
                f"nights {min(nights, default=0)}–{max(nights, default=0)}"
            )
    return "; ".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    today = date.today()
    nxt = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    ap.add_argument("--month", default=nxt.strftime("%Y-%m"))
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--demand", choices=["contract", "forecast"], default="contract")
    ap.add_argument(
        "--shifts",
        choices=["auto", *SHIFT_SETS],
        default="auto",
        help="shift templates: auto = the demand's own set (as the app does), all = every demo template",
    )
    args = ap.parse_args()
    shift_set = args.demand if args.shifts == "auto" else args.shifts
    shifts = SHIFT_SETS[shift_set]
    year, mon = (int(x) for x in args.month.split("-"))
    days = month_days(date(year, mon, 1))
    rest = rest_days_of(days)
    staff = people(days, seed=7)
    req = (
        month_requirement(days, rest, DEMO_QUEUES)
        if args.demand == "contract"
        else forecast_requirement(days, rest)
    )
    print(
        f"machine {machine()}  month {args.month}: {len(days)} days, {len(rest)} rest days, {len(staff)} staff, "
        f"demand {args.demand}, shifts {shift_set} ({'/'.join(sh.code for sh in shifts)}) (peak need 12345 {max(req['12345'])}, merged {max(req['merged'])})"
    )
    floor = template_floor(req, shifts, len(days))
    print(f"template_floor={floor:.2%} (over-cover these templates cannot avoid, before labour rules)")
    walls, overs, shorts, violations = [], [], [], []
    for run in range(args.runs):
        problem = Problem(
            days=days,
            shifts=shifts,
            people=staff,
            requirement=req,
            rules=Rules(),
            rest_days=rest,
            office_shift=OFFICE_SHIFT,
            time_limit_s=args.time_limit,
            diagnose_time_s=20.0,
            workers=args.workers,
            seed=run + 1,
        )
        log(f"run {run + 1}: solving")
        result = solve(problem)
        bad = check(problem, result)
        got = cover(problem, result)
        under = sum(max(0, n - got[q][g]) for q, need in req.items() for g, n in enumerate(need) if g >= 16)
        walls.append(result.wall_s)
        overs.append(result.over_ratio)
        shorts.append(result.short_slots)
        violations.append(len(bad))
        print(
            f"run {run + 1}: status={result.status} ({result.solver_status}) wall={result.wall_s:.1f}s "
            f"lower_bound={result.lower_bound_hours:.0f}h rostered={result.worked_hours:.0f}h "
            f"over={result.over_ratio:.2%} short_slots={result.short_slots} uncovered_check={under} "
            f"rule_violations={len(bad)} first_solution={result.first_solution_s} objective={result.objective:.0f} bound={result.bound:.0f}"
        )
        for msg in result.messages()[:5]:
            print("   ", msg)
        print("    fairness (live, available ≥ 3/4 of the month): " + fairness(problem, result))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak_mb:.0f} MB")
    summary(
        ("wfm_roster" if args.demand == "contract" else "wfm_roster_forecast")
        + ("" if args.shifts == "auto" else f"_shifts_{shift_set}"),
        staff=len(staff),
        days=len(days),
        runs=args.runs,
        wall_median_s=f"{statistics.median(walls):.1f}",
        wall_max_s=f"{max(walls):.1f}",
        over_median=f"{statistics.median(overs):.4f}",
        over_max=f"{max(overs):.4f}",
        short_max=max(shorts),
        violations_max=max(violations),
        peak_rss_mb=f"{peak_mb:.0f}",
        template_floor=f"{floor:.4f}",
    )


if __name__ == "__main__":
    main()
