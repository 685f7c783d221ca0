"""Monthly roster (排班) with OR-Tools CP-SAT; pure Python on plain data, no Django.

Input (``Problem``): the days of the horizon, shift templates (day, night across midnight, split),
people (which queues they may answer, whether they passed the on-boarding gate, whether they may
work nights, approved leave), per-interval requirements per queue (48 half-hours a day), and the
labour rules.  Output (``Result``): one shift (or none) per person per day, the cover it gives,
and — when the requirement cannot be met — which intervals fall short and which rule is the cause.

Model
    x[p, d, s, q] = 1 when person p works shift s on day d answering queue q (only created where
    p has the skill for q and is cleared for live seats).  Hard rules: at most one shift a day;
    no shift on leave or outside employment; rest ≥ ``min_rest_h`` between consecutive shifts;
    at most ``max_consecutive_days`` working days in any run; at most ``max_nights`` nights in the
    horizon (none for people who may not work nights); at most ``max_week_hours`` in each calendar
    week.  Cover: for each queue and interval, Σ x over the shifts covering it + short ≥ need.
Objective (lexicographic by weight)
    shortfall (phase 2 only) ≫ agent time above requirement ≫ each person's distance from their
    pool's mean hours, nights and rest-day shifts.  Because Σ cover = Σ need + over − short,
    the over-cover term is simply the agent-intervals worked.
Infeasible requirement
    Shortfall variables keep the model feasible, so the solver always returns its best roster.
    When some interval is short the result lists those intervals (grouped into runs) and names
    the cause: too few people with the skill and the on-boarding clearance that day; leave; or,
    by re-solving with one rule relaxed at a time, the labour rule that makes the difference.
Parts
    Queues that no cleared person shares (12345 + 回访 and 归并热线 on the demo floor) are solved as
    separate models, one after the other, each with its share of the time: one part's shortfall
    does not push the others into the slower slack model.
Time
    Every solve has a wall-clock limit (``time_limit_s``); the diagnosis solves share
    ``diagnose_time_s``.  Nothing here can hang.

Intervals whose only possible cover is a shift that started before the horizon (the small hours
of day 1, covered by the previous month's night shift) are left out of the requirement and
reported in ``Result.notes``.
"""

from __future__ import annotations

import time as _time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from ortools.sat.python import cp_model
else:

    class _LazyCpModel:
        """OR-Tools (and what it pulls in) is imported on the first solve, not by every web worker."""

        def __getattr__(self, name: str) -> Any:
            from ortools.sat.python import cp_model as real

            globals()["cp_model"] = real
            return getattr(real, name)

    cp_model = _LazyCpModel()

SLOT_MIN = 30
SLOTS_PER_DAY = 24 * 60 // SLOT_MIN
DAY_MIN = 24 * 60

RULE_LABELS = {
    "rest": "班次间休息不少于 {min_rest_h:g} 小时",
    "consecutive": "连续工作不超过 {max_consecutive_days} 天",
    "nights": "每月夜班不超过 {max_nights} 个",
    "week_hours": "每周工时不超过 {max_week_hours:g} 小时",
    "leave": "已批准的请假",
}


class RosterInputError(ValueError):
    """The problem itself is malformed (not merely infeasible)."""


@dataclass(frozen=True)
class Shift:
    """A shift template; segments are (start, end) minutes from 00:00 of the day it starts."""

    code: str
    name: str
    segments: tuple[tuple[int, int], ...]
    night: bool = False

    @property
    def minutes(self) -> int:
        return sum(b - a for a, b in self.segments)

    @property
    def start(self) -> int:
        return self.segments[0][0]

    @property
    def end(self) -> int:
        return self.segments[-1][1]

    def label(self) -> str:
        def hm(m: int) -> str:
            prefix = "次日" if m > DAY_MIN else ""
            m %= DAY_MIN
            return f"{prefix}{m // 60:02d}:{m % 60:02d}"

        return "、".join(f"{hm(a)}–{hm(b)}" for a, b in self.segments)


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    queues: frozenset[str] = frozenset()  # skills; empty → not on the phones (office pattern)
    live_ok: bool = True  # passed the on-boarding exam and approved
    night_ok: bool = True
    leave: frozenset[date] = frozenset()  # approved leave
    absent: frozenset[date] = frozenset()  # not employed that day (before hire, after leaving)


@dataclass(frozen=True)
class Rules:
    min_rest_h: float = 11.0
    max_consecutive_days: int = 6
    max_nights: int = 8
    max_week_hours: float = 44.0
    relaxed: frozenset[str] = frozenset()  # rule keys switched off (used by the diagnosis)

    def label(self, key: str) -> str:
        return RULE_LABELS[key].format(**self.__dict__)


@dataclass
class Problem:
    days: list[date]
    shifts: list[Shift]
    people: list[Person]
    # queue → per-slot need over the horizon (len(days) × 48 values)
    requirement: dict[str, list[int]]
    rules: Rules = field(default_factory=Rules)
    rest_days: frozenset[date] = frozenset()  # weekends and holidays: count for fairness
    office_shift: Shift | None = None  # worked on non-rest days by people with no queue
    time_limit_s: float = 30.0
    diagnose_time_s: float = 20.0
    workers: int = 2
    seed: int = 1


@dataclass(frozen=True)
class Shortfall:
    queue: str
    day: date
    start_slot: int  # first half-hour of the run (0..47)
    end_slot: int  # one past the last
    need: int  # largest need in the run
    short: int  # largest shortfall in the run
    causes: tuple[str, ...] = ()

    def time_label(self) -> str:
        def hm(s: int) -> str:
            return f"{s * SLOT_MIN // 60:02d}:{s * SLOT_MIN % 60:02d}"

        return f"{self.day.isoformat()} {hm(self.start_slot)}–{hm(self.end_slot)}"

    def message(self) -> str:
        cause = "；".join(self.causes) or "原因未能确定"
        return f"{self.queue} {self.time_label()} 需要 {self.need} 人，缺 {self.short} 人（{cause}）"


@dataclass
class Result:
    status: str  # "ok" (requirement met), "short" (best roster leaves gaps), "unknown" (no roster in time)
    solver_status: str
    assignments: dict[tuple[int, date], tuple[str, str | None]]  # (person, day) → (shift code, queue)
    shortfalls: list[Shortfall]
    notes: list[str]
    required_slots: int  # Σ need (agent half-hours) over coverable intervals: the lower bound
    worked_slots: int  # agent half-hours rostered on queues inside the horizon
    short_slots: int
    wall_s: float
    first_solution_s: float | None = None  # when the first roster meeting every need was found
    objective: float = 0.0
    bound: float = 0.0

    @property
    def lower_bound_hours(self) -> float:
        return self.required_slots * SLOT_MIN / 60

    @property
    def worked_hours(self) -> float:
        return self.worked_slots * SLOT_MIN / 60

    @property
    def over_ratio(self) -> float:
        """Rostered queue hours above the lower bound, as a fraction of it."""
        return (self.worked_slots - self.required_slots) / self.required_slots if self.required_slots else 0.0

    def messages(self) -> list[str]:
        return [s.message() for s in self.shortfalls]


# --- geometry --------------------------------------------------------------------------------------


def _validate(problem: Problem) -> None:
    if not problem.days:
        raise RosterInputError("排班天数不能为空。")
    for day1, day2 in zip(problem.days, problem.days[1:], strict=False):
        if day2 - day1 != timedelta(days=1):
            raise RosterInputError("排班日期必须连续。")
    codes = [s.code for s in problem.shifts]
    if len(set(codes)) != len(codes):
        raise RosterInputError("班次编码重复。")
    for s in [*problem.shifts, *([problem.office_shift] if problem.office_shift else [])]:
        if not s.segments:
            raise RosterInputError(f"班次 {s.name} 没有时段。")
        last = -1
        for a, b in s.segments:
            if a % SLOT_MIN or b % SLOT_MIN:
                raise RosterInputError(f"班次 {s.name} 的起止时间必须是 {SLOT_MIN} 分钟的整数倍。")
            if not (0 <= a < b <= 2 * DAY_MIN) or a < last:
                raise RosterInputError(f"班次 {s.name} 的时段无效（须按时间先后、不超过次日 24:00）。")
            last = b
    slots = len(problem.days) * SLOTS_PER_DAY
    for q, need in problem.requirement.items():
        if len(need) != slots:
            raise RosterInputError(f"队列 {q} 的需求应有 {slots} 个半小时时段，收到 {len(need)} 个。")
        if any(n < 0 for n in need):
            raise RosterInputError(f"队列 {q} 的需求不能为负数。")
    ids = [p.id for p in problem.people]
    if len(set(ids)) != len(ids):
        raise RosterInputError("人员编号重复。")
    r = problem.rules
    if r.min_rest_h < 0 or r.max_consecutive_days < 1 or r.max_nights < 0 or r.max_week_hours <= 0:
        raise RosterInputError("劳动规则的取值无效。")
    if problem.time_limit_s <= 0:
        raise RosterInputError("求解时限必须大于 0。")


def _slots(shift: Shift, day_index: int) -> list[int]:
    """Global half-hour indices covered by ``shift`` started on day ``day_index`` (may be negative)."""
    base = day_index * SLOTS_PER_DAY
    out: list[int] = []
    for a, b in shift.segments:
        out.extend(range(base + a // SLOT_MIN, base + b // SLOT_MIN))
    return out


def _runs(slots: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted slot numbers → [start, end) runs of consecutive slots."""
    runs: list[tuple[int, int]] = []
    for s in sorted(slots):
        if runs and runs[-1][1] == s:
            runs[-1] = (runs[-1][0], s + 1)
        else:
            runs.append((s, s + 1))
    return runs


# --- the model -------------------------------------------------------------------------------------

if TYPE_CHECKING:
    Var = cp_model.IntVar
    Expr = cp_model.LinearExprT


def _sum(items: Iterable[Expr]) -> cp_model.LinearExpr:
    return cast(cp_model.LinearExpr, cp_model.LinearExpr.sum(list(items)))


def _weighted(pairs: Iterable[tuple[Var, int]]) -> cp_model.LinearExpr:
    pairs = list(pairs)
    expr = cp_model.LinearExpr.weighted_sum([v for v, _ in pairs], [c for _, c in pairs])
    return cast(cp_model.LinearExpr, expr)


@dataclass
class _Built:
    model: cp_model.CpModel
    x: dict[tuple[int, int, int, str], Var]
    short_terms: list[tuple[Var, int]]  # Σ var·weight = agent half-hours short (slack mode only)
    need: dict[tuple[str, int], int]
    worked: list[tuple[Var, int]]  # (x, half-hours it covers inside the horizon)
    spread_terms: list[tuple[Var, int]]
    dropped: dict[str, list[int]]
    pool: int = 1  # largest fairness pool: deviations are counted n-fold, over-cover weighs more
    excess_terms: list[tuple[Var, int]] = field(default_factory=list)  # hours above the fair share


def _build(problem: Problem, *, hard: bool) -> _Built:
    """The CP-SAT model; ``hard`` makes every need a constraint, otherwise shortfall is allowed."""
    m = cp_model.CpModel()
    rules = problem.rules
    n_days = len(problem.days)
    n_slots = n_days * SLOTS_PER_DAY
    shifts = problem.shifts
    queues = sorted(problem.requirement)

    cover: dict[tuple[int, int], list[int]] = {}  # (shift, day) → slots inside the horizon
    for si, s in enumerate(shifts):
        for d in range(n_days):
            cover[si, d] = [g for g in _slots(s, d) if 0 <= g < n_slots]
    # Slots of day 1 that only a shift from the day before could cover: left to last month's roster.
    carried: set[int] = set()
    for s in shifts:
        carried.update(g for g in _slots(s, -1) if g >= 0)
    covered_any = {g for gs in cover.values() for g in gs}

    x: dict[tuple[int, int, int, str], Var] = {}
    per_person: dict[int, dict[tuple[int, int], list[Var]]] = defaultdict(lambda: defaultdict(list))
    for pi, p in enumerate(problem.people):
        usable = sorted(p.queues & set(queues)) if p.live_ok else []
        for d, day in enumerate(problem.days):
            if day in p.absent or (day in p.leave and "leave" not in rules.relaxed):
                continue
            for si, s in enumerate(shifts):
                if s.night and not p.night_ok:
                    continue
                for q in usable:
                    var = m.new_bool_var(f"x{pi}_{d}_{si}_{q}")
                    x[pi, d, si, q] = var
                    per_person[pi][d, si].append(var)

    # At most one shift a day; works[p, d] says whether p works on day d.
    works: dict[tuple[int, int], Var] = {}
    for pi, mine in per_person.items():
        by_day: dict[int, list[Var]] = defaultdict(list)
        for (d, _si), vs in mine.items():
            by_day[d].extend(vs)
        for d, vs in by_day.items():
            w = m.new_bool_var(f"w{pi}_{d}")
            m.add(w == _sum(vs))
            works[pi, d] = w

    if "rest" not in rules.relaxed:
        rest = rules.min_rest_h * 60
        conflicts = [
            (si, ti, gap_days)
            for gap_days in (1, 2)
            for si, s in enumerate(shifts)
            for ti, t in enumerate(shifts)
            if gap_days * DAY_MIN + t.start - s.end < rest
        ]
        for mine in per_person.values():
            for si, ti, gap_days in conflicts:
                for d in range(n_days - gap_days):
                    a, b = mine.get((d, si)), mine.get((d + gap_days, ti))
                    if a and b:
                        m.add(_sum([*a, *b]) <= 1)

    if "consecutive" not in rules.relaxed:
        k = rules.max_consecutive_days
        for pi in per_person:
            for d in range(0, n_days - k):
                window = [works[pi, e] for e in range(d, d + k + 1) if (pi, e) in works]
                if len(window) > k:
                    m.add(_sum(window) <= k)

    if "nights" not in rules.relaxed:
        for mine in per_person.values():
            nv = [v for (_d, si), vs in mine.items() if shifts[si].night for v in vs]
            if len(nv) > rules.max_nights:
                m.add(_sum(nv) <= rules.max_nights)

    if "week_hours" not in rules.relaxed:
        week_of = [day.isocalendar()[:2] for day in problem.days]
        cap = int(rules.max_week_hours * 60)
        for mine in per_person.values():
            per_week: dict[tuple[int, int], list[tuple[Var, int]]] = defaultdict(list)
            for (d, si), vs in mine.items():
                per_week[week_of[d]].extend((v, shifts[si].minutes) for v in vs)
            for terms in per_week.values():
                # Only days with a shift count, and at most one shift a day.
                if sum(mins for _, mins in terms) > cap:
                    m.add(_weighted(terms) <= cap)

    # Cover per queue and slot.
    covering: dict[tuple[str, int], list[Var]] = defaultdict(list)
    worked: list[tuple[Var, int]] = []
    for (_pi, d, si, q), v in x.items():
        for g in cover[si, d]:
            covering[q, g].append(v)
        worked.append((v, len(cover[si, d])))
    need: dict[tuple[str, int], int] = {}
    dropped: dict[str, list[int]] = defaultdict(list)
    for q in queues:
        for g, n in enumerate(problem.requirement[q]):
            if n <= 0:
                continue
            if g not in covered_any and g in carried:
                dropped[q].append(g)
                continue
            need[q, g] = n
    # Slots with the same covering shifts share one constraint (the largest need among them):
    # with 4-hour shift blocks a day has about five, not 48.
    groups: dict[tuple[str, tuple[int, ...]], list[int]] = defaultdict(list)
    for q, g in need:
        groups[q, tuple(sorted(v.index for v in covering.get((q, g), [])))].append(g)
    short_terms: list[tuple[Var, int]] = []
    for (q, _key), gs in groups.items():
        n = max(need[q, g] for g in gs)
        vars_ = covering.get((q, gs[0]), [])
        if hard:
            m.add(_sum(vars_) >= n)
            continue
        sv = m.new_int_var(0, n, f"short_{q}_{gs[0]}")
        short_terms.append((sv, len(gs)))
        m.add(_sum(vars_) + sv >= n)

    spread_terms: list[tuple[Var, int]] = []
    excess_terms: list[tuple[Var, int]] = []
    pool = _spreads(m, problem, per_person, works, spread_terms, excess_terms)
    return _Built(m, x, short_terms, need, worked, spread_terms, dropped, pool, excess_terms)


def _minimize_roster(built: _Built) -> None:
    """Agent time above the requirement first, then the fair shares."""
    weight = 4 * built.pool
    built.model.minimize(
        _weighted([(v, weight * n) for v, n in built.worked]) + _weighted(built.spread_terms)
    )


def _deviations(
    m: cp_model.CpModel, values: list[Var], hi: int, weight: int, terms: list[tuple[Var, int]], name: str
) -> None:
    """Σ |n·v − Σ values| over the pool: each person's distance from the pool's mean, times n.

    Linear, so the LP relaxation guides the search (a max − min spread barely moves in a minute).
    """
    n = len(values)
    if n < 2:
        return
    total = m.new_int_var(0, hi * n, f"sum_{name}")
    m.add(total == _sum(values))
    for i, v in enumerate(values):
        dev = m.new_int_var(0, hi * n, f"dev_{name}_{i}")
        m.add(dev >= n * v - total)
        m.add(dev >= total - n * v)
        terms.append((dev, weight))


def _spreads(
    m: cp_model.CpModel,
    problem: Problem,
    per_person: dict[int, dict[tuple[int, int], list[Var]]],
    works: dict[tuple[int, int], Var],
    terms: list[tuple[Var, int]],
    excess_terms: list[tuple[Var, int]],
) -> int:
    """Fair shares of hours, nights and rest-day shifts within each pool; returns the largest pool."""
    n_days = len(problem.days)
    rest_idx = {d for d, day in enumerate(problem.days) if day in problem.rest_days}
    pools: dict[frozenset[str], list[int]] = defaultdict(list)
    for pi, p in enumerate(problem.people):
        key = p.queues & frozenset(problem.requirement)
        if p.live_ok and key:
            pools[key].append(pi)
    # Each queue's need shared equally among the people who may answer it: a person's fair share
    # of half-hours is the sum over their queues.  Hours above it are penalised in phase 1b.
    holders: dict[str, int] = defaultdict(int)
    for members in pools.values():
        for pi in members:
            for q in problem.people[pi].queues & frozenset(problem.requirement):
                holders[q] += 1
    share = {q: sum(problem.requirement[q]) / holders[q] for q in holders}
    largest = 1
    for key, members in pools.items():
        tag = "_".join(sorted(key))
        # Only people available most of the month take part (a new hire or long leave would
        # otherwise be pushed to the pool's mean).
        active = [
            pi for pi in members if sum(1 for d in range(n_days) if (pi, d) in works) >= n_days * 3 // 4
        ]
        largest = max(largest, len(active))
        hours, nights, weekend = [], [], []
        for pi in active:
            mine = per_person.get(pi, {})
            h = m.new_int_var(0, n_days * SLOTS_PER_DAY, f"h{pi}")
            m.add(
                h
                == _weighted(
                    [(v, problem.shifts[si].minutes // SLOT_MIN) for (_d, si), vs in mine.items() for v in vs]
                )
            )
            hours.append(h)
            fair = int(sum(share[q] for q in key) * 1.02) + 1  # half-hours
            ex = m.new_int_var(0, n_days * SLOTS_PER_DAY, f"ex{pi}")
            m.add(ex >= h - fair)
            excess_terms.append((ex, 1))
            if problem.people[pi].night_ok:
                n = m.new_int_var(0, n_days, f"n{pi}")
                m.add(n == _sum(v for (_d, si), vs in mine.items() if problem.shifts[si].night for v in vs))
                nights.append(n)
            w = m.new_int_var(0, n_days, f"we{pi}")
            m.add(w == _sum(works[pi, d] for d in rest_idx if (pi, d) in works))
            weekend.append(w)
        _deviations(m, hours, n_days * SLOTS_PER_DAY, 1, terms, f"hours_{tag}")
        _deviations(m, nights, n_days, 8, terms, f"nights_{tag}")
        _deviations(m, weekend, n_days, 8, terms, f"weekend_{tag}")
    return largest


def _first_solution_callback() -> Any:
    """A solver callback noting when the first roster was found (built on first use: see cp_model)."""

    class _FirstSolution(cp_model.CpSolverSolutionCallback):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.at: float | None = None

        def on_solution_callback(self) -> None:
            if self.at is None:
                self.at = self.wall_time

    return _FirstSolution()


def _run(
    problem: Problem,
    built: _Built,
    time_limit: float,
    hint: dict[Var, int] | None = None,
    gap: float = 0.0,
) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus, float | None]:
    for var, value in (hint or {}).items():
        built.model.add_hint(var, value)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.2, time_limit)
    solver.parameters.relative_gap_limit = gap
    solver.parameters.num_workers = max(1, problem.workers)
    solver.parameters.random_seed = problem.seed
    first = _first_solution_callback()
    status = solver.solve(built.model, first)
    return solver, status, first.at


def _found(status: cp_model.CpSolverStatus) -> bool:
    return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def _least_short(
    problem: Problem, time_limit: float
) -> tuple[_Built, cp_model.CpSolver, cp_model.CpSolverStatus]:
    """Slack model: the roster with the smallest shortfall found within ``time_limit``."""
    built = _build(problem, hard=False)
    built.model.minimize(_weighted(built.short_terms))
    solver, status, _ = _run(problem, built, time_limit)
    return built, solver, status


def _assignments(
    problem: Problem, built: _Built, solver: cp_model.CpSolver
) -> dict[tuple[int, date], tuple[str, str | None]]:
    out = _office(problem)
    for (pi, d, si, q), v in built.x.items():
        if solver.boolean_value(v):
            out[problem.people[pi].id, problem.days[d]] = (problem.shifts[si].code, q)
    return out


def _short_by_slot(
    problem: Problem,
    need: dict[tuple[str, int], int],
    assignments: dict[tuple[int, date], tuple[str, str | None]],
) -> dict[tuple[str, int], int]:
    got = _cover(problem, assignments)
    return {(q, g): n - got[q][g] for (q, g), n in need.items() if got[q][g] < n}


def _components(problem: Problem) -> list[Problem]:
    """Independent parts of the problem: queues linked by cleared people who may answer both.

    Each part keeps its queues and the people with a skill in them (cleared or not, so the
    diagnosis still counts the uncleared); nobody has a skill in two parts.  The time limits are
    shared in proportion to each part's cleared people × queues.
    """
    queues = sorted(problem.requirement)
    parent = {q: q for q in queues}

    def root(q: str) -> str:
        while parent[q] != q:
            q = parent[q]
        return q

    for p in problem.people:
        usable = sorted(p.queues & set(queues)) if p.live_ok else []
        for q in usable[1:]:
            parent[root(q)] = root(usable[0])
    groups: dict[str, list[str]] = defaultdict(list)
    for q in queues:
        groups[root(q)].append(q)
    if len(groups) < 2:
        return [problem]
    parts = []
    for qs in groups.values():
        members = [p for p in problem.people if p.queues & set(qs)]
        size = sum(len(p.queues & set(qs)) for p in members if p.live_ok) or 1
        parts.append((size, qs, members))
    total = sum(size for size, _, _ in parts)
    return [
        replace(
            problem,
            people=members,
            requirement={q: problem.requirement[q] for q in qs},
            time_limit_s=problem.time_limit_s * size / total,
            diagnose_time_s=problem.diagnose_time_s * size / total,
        )
        for size, qs, members in parts
    ]


_STATUS_RANK = {"OPTIMAL": 0, "FEASIBLE": 1}


def _merged(problem: Problem, results: list[tuple[float, Result]], wall_s: float) -> Result:
    """One result from the parts' (start offset, result); the office pattern for everyone else."""
    assignments = _office(problem)
    for _, r in results:
        assignments.update(r.assignments)
    statuses = [r.status for _, r in results]
    firsts = [None if r.first_solution_s is None else at + r.first_solution_s for at, r in results]
    return Result(
        status=next((s for s in ("unknown", "short") if s in statuses), "ok"),
        solver_status=max((r.solver_status for _, r in results), key=lambda s: _STATUS_RANK.get(s, 2)),
        assignments=assignments,
        shortfalls=sorted(
            (f for _, r in results for f in r.shortfalls), key=lambda f: (f.queue, f.day, f.start_slot)
        ),
        notes=[n for _, r in results for n in r.notes],
        required_slots=sum(r.required_slots for _, r in results),
        worked_slots=sum(r.worked_slots for _, r in results),
        short_slots=sum(r.short_slots for _, r in results),
        wall_s=wall_s,
        first_solution_s=None if None in firsts else max(f for f in firsts if f is not None),
        objective=sum(r.objective for _, r in results),
        bound=sum(r.bound for _, r in results),
    )


def solve(problem: Problem) -> Result:
    """Solve the month; returns within the time limits (plus building the models, a few seconds).

    Independent parts (queues no cleared person shares, e.g. 12345 and the merged hotlines) are
    solved one after the other, each with its share of the limits: a part whose need cannot be met
    then leaves the others their every-need-met phase instead of dragging the whole month into
    the slower shortfall search.  Time a part leaves unused goes to the next.
    """
    _validate(problem)
    parts = _components(problem)
    if len(parts) == 1:
        return _solve_part(problem)
    started = _time.monotonic()
    budget = sum(part.time_limit_s for part in parts)
    results: list[tuple[float, Result]] = []
    for i, part in enumerate(parts):
        at = _time.monotonic() - started
        left = sum(p.time_limit_s for p in parts[i:])
        part.time_limit_s = max(1.0, part.time_limit_s * (budget - at) / left) if left else 1.0
        results.append((at, _solve_part(part)))
    return _merged(problem, results, _time.monotonic() - started)


def _solve_part(problem: Problem) -> Result:
    """Solve one part of the month (see ``solve``).

    Phase 1 treats every need as a hard constraint (CP-SAT finds such rosters quickly): first the
    least agent time (up to 40 % of ``time_limit_s``), then, keeping that agent time and starting
    from that roster (every variable hinted), the fairest shares (until 60 %).  If that
    finds no roster (proved infeasible, or none in time), phase 2 allows shortfall, finds the
    roster with the least of it, then spends what is left minimising over-cover without letting
    the shortfall grow; the shortfall is then diagnosed within ``diagnose_time_s``.
    """
    started = _time.monotonic()
    limit = problem.time_limit_s
    built = _build(problem, hard=True)
    built.model.minimize(_weighted(built.worked))
    notes = [
        f"{q} 第一天 {len(gs) * SLOT_MIN // 60} 小时的需求由上月末的夜班覆盖，未计入本月。"
        for q, gs in built.dropped.items()
    ]
    required = sum(built.need.values())
    # 1a: every need met with the least agent time (fast: the LP bound is nearly exact).
    solver, status, first_at = _run(problem, built, 0.4 * limit, gap=0.002)
    if _found(status):
        # 1b: fair shares without giving back any of that agent time, from 1a's roster.
        # Same model, every variable hinted with 1a's values: CP-SAT starts from a complete roster.
        least = sum(n for v, n in built.worked if solver.boolean_value(v))
        model = built.model
        hint = {
            model.get_int_var_from_proto_index(i): int(solver.value(model.get_int_var_from_proto_index(i)))
            for i in range(len(model.proto.variables))
        }
        model.add(_weighted(built.worked) <= least)
        # Hours above the fair share first (it moves the LP), then the n-fold deviations.
        model.minimize(
            _weighted([(v, 4 * built.pool) for v, _ in built.excess_terms]) + _weighted(built.spread_terms)
        )
        remaining = 0.6 * limit - (_time.monotonic() - started)
        if remaining > 0.2:
            s2, st2, _ = _run(problem, built, remaining, hint)
            if _found(st2):
                solver, status = s2, st2
    else:
        first_at = None
        remaining = max(1.0, limit - (_time.monotonic() - started))
        built, solver, status = _least_short(problem, 0.5 * remaining)
        if _found(status):
            least = round(solver.objective_value)
            polished = _build(problem, hard=False)
            polished.model.add(_weighted(polished.short_terms) <= least)
            _minimize_roster(polished)
            hint = {polished.x[k]: int(solver.boolean_value(v)) for k, v in built.x.items()}
            remaining = max(0.5, limit - (_time.monotonic() - started))
            s2, st2, _ = _run(problem, polished, remaining, hint)
            if _found(st2):
                built, solver, status = polished, s2, st2
    status_name = solver.status_name(status)
    if not _found(status):
        return Result(
            status="unknown",
            solver_status=status_name,
            assignments=_office(problem),
            shortfalls=[],
            notes=[
                *notes,
                f"求解器在 {limit:.0f} 秒内没有找到排班（{status_name}），请延长求解时限或减少约束。",
            ],
            required_slots=required,
            worked_slots=0,
            short_slots=0,
            wall_s=_time.monotonic() - started,
        )
    assignments = _assignments(problem, built, solver)
    worked = sum(n for v, n in built.worked if solver.boolean_value(v))
    short_by = _short_by_slot(problem, built.need, assignments)
    shortfalls = _diagnose(problem, built.need, short_by) if short_by else []
    return Result(
        status="short" if short_by else "ok",
        solver_status=status_name,
        assignments=assignments,
        shortfalls=shortfalls,
        notes=notes,
        required_slots=required,
        worked_slots=worked,
        short_slots=sum(short_by.values()),
        wall_s=_time.monotonic() - started,
        first_solution_s=first_at,
        objective=solver.objective_value,
        bound=solver.best_objective_bound,
    )


def _office(problem: Problem) -> dict[tuple[int, date], tuple[str, str | None]]:
    """People not on the phones work the office shift on working days."""
    out: dict[tuple[int, date], tuple[str, str | None]] = {}
    if problem.office_shift is None:
        return out
    queues = set(problem.requirement)
    for p in problem.people:
        if p.live_ok and p.queues & queues:
            continue
        for day in problem.days:
            if day in problem.rest_days or day in p.leave or day in p.absent:
                continue
            out[p.id, day] = (problem.office_shift.code, None)
    return out


# --- diagnosis -------------------------------------------------------------------------------------


def _diagnose(
    problem: Problem, need: dict[tuple[str, int], int], short_by: dict[tuple[str, int], int]
) -> list[Shortfall]:
    """Group short slots into runs and name a cause for each."""
    n_slots_day = SLOTS_PER_DAY
    by_queue: dict[str, list[int]] = defaultdict(list)
    for q, g in short_by:
        by_queue[q].append(g)
    causes: dict[tuple[str, int], list[str]] = defaultdict(list)

    # 1. Head-count: who could work that slot at all (skill, clearance, employment, leave, nights).
    for q, gs in by_queue.items():
        for g in gs:
            d = g // n_slots_day
            day = problem.days[d]
            n_need = need[q, g]
            skilled = [p for p in problem.people if q in p.queues and day not in p.absent]
            cleared = [p for p in skilled if p.live_ok]
            present = [p for p in cleared if day not in p.leave]
            can_cover = [
                p
                for p in present
                if any(
                    (not s.night or p.night_ok) and (g in _slots(s, d) or g in _slots(s, d - 1))
                    for s in problem.shifts
                )
            ]
            if len(skilled) < n_need:
                causes[q, g].append(f"具备 {q} 技能的在岗人员只有 {len(skilled)} 人")
            elif len(cleared) < n_need:
                causes[q, g].append(f"通过上岗考核并经审核的只有 {len(cleared)} 人（上岗资格）")
            elif len(present) < n_need:
                causes[q, g].append(
                    f"扣除已批准请假后只剩 {len(present)} 人（{problem.rules.label('leave')}）"
                )
            elif len(can_cover) < n_need:
                causes[q, g].append(f"可上夜班的只有 {len(can_cover)} 人（夜班资格）")
            if not any(g in _slots(s, d) or g in _slots(s, d - 1) for s in problem.shifts):
                causes[q, g].append("没有任何班次模板覆盖该时段")

    # 2. Labour rules: relax one at a time; a rule whose relaxation closes a gap is its cause.
    undecided = {key for key in short_by if not causes[key]}
    if undecided:
        deadline = _time.monotonic() + problem.diagnose_time_s
        for rule in RULE_LABELS:
            left = deadline - _time.monotonic()
            if left < 0.5 or not undecided:
                break
            relaxed = replace(problem, rules=replace(problem.rules, relaxed=problem.rules.relaxed | {rule}))
            built, solver, status = _least_short(relaxed, left / 2)
            if not _found(status):
                continue
            still = _short_by_slot(problem, need, _assignments(relaxed, built, solver))
            for key in list(undecided):
                if still.get(key, 0) < short_by[key]:
                    causes[key].append(f"受「{problem.rules.label(rule)}」限制")
    for key in short_by:
        if not causes[key]:
            causes[key].append("多条规则共同作用（放宽任一条规则仍不足）")

    out: list[Shortfall] = []
    for q, gs in sorted(by_queue.items()):
        by_day: dict[int, list[int]] = defaultdict(list)
        for g in gs:
            by_day[g // n_slots_day].append(g)
        for d, day_slots in sorted(by_day.items()):
            for a, b in _runs(day_slots):
                # Split a run where the cause changes, so each line names its own cause.
                start = a
                for g in range(a, b + 1):
                    if g == b or causes[q, g] != causes[q, start]:
                        seg = range(start, g)
                        out.append(
                            Shortfall(
                                queue=q,
                                day=problem.days[d],
                                start_slot=start - d * n_slots_day,
                                end_slot=g - d * n_slots_day,
                                need=max(need[q, s] for s in seg),
                                short=max(short_by[q, s] for s in seg),
                                causes=tuple(causes[q, start]),
                            )
                        )
                        start = g
    return out


# --- an independent check, used by tests and the benchmark ---------------------------------------


def check(problem: Problem, result: Result) -> list[str]:
    """Every labour-rule violation in ``result`` (empty when the roster keeps every rule)."""
    rules = problem.rules
    shifts = {s.code: s for s in problem.shifts}
    if problem.office_shift:
        shifts[problem.office_shift.code] = problem.office_shift
    people = {p.id: p for p in problem.people}
    idx = {day: d for d, day in enumerate(problem.days)}
    problems: list[str] = []
    per: dict[int, list[tuple[int, Shift, str | None]]] = defaultdict(list)
    for (pid, day), (code, q) in result.assignments.items():
        per[pid].append((idx[day], shifts[code], q))
    for pid, items in per.items():
        p = people[pid]
        items.sort(key=lambda t: t[0])
        days_worked = [d for d, _, _ in items]
        if len(set(days_worked)) != len(days_worked):
            problems.append(f"{p.name} 同一天多个班次")
        for d, s, q in items:
            day = problem.days[d]
            if day in p.leave and "leave" not in rules.relaxed:
                problems.append(f"{p.name} {day} 请假仍被排班")
            if day in p.absent:
                problems.append(f"{p.name} {day} 不在职仍被排班")
            if q is not None and (q not in p.queues or not p.live_ok):
                problems.append(f"{p.name} {day} 无 {q} 技能或未通过上岗审核")
            if s.night and not p.night_ok:
                problems.append(f"{p.name} {day} 不可上夜班")
        for (d1, s1, _), (d2, s2, _) in zip(items, items[1:], strict=False):
            gap = (d2 - d1) * DAY_MIN + s2.start - s1.end
            if gap < rules.min_rest_h * 60 and "rest" not in rules.relaxed:
                problems.append(f"{p.name} {problem.days[d1]}→{problem.days[d2]} 休息 {gap / 60:g} 小时")
        run = 0
        prev = None
        for d in days_worked:
            run = run + 1 if prev is not None and d == prev + 1 else 1
            prev = d
            if run > rules.max_consecutive_days and "consecutive" not in rules.relaxed:
                problems.append(f"{p.name} 连续工作 {run} 天")
        if sum(1 for _, s, _ in items if s.night) > rules.max_nights and "nights" not in rules.relaxed:
            problems.append(f"{p.name} 夜班超过 {rules.max_nights} 个")
        weeks: dict[tuple[int, int], int] = defaultdict(int)
        for d, s, _ in items:
            iso = problem.days[d].isocalendar()
            weeks[iso[0], iso[1]] += s.minutes
        for wk, mins in weeks.items():
            if mins > rules.max_week_hours * 60 and "week_hours" not in rules.relaxed:
                problems.append(f"{p.name} 第 {wk[1]} 周工时 {mins / 60:g} 小时")
    return problems


def cover(problem: Problem, result: Result) -> dict[str, list[int]]:
    """Agents on each queue in each slot of the horizon, from the assignments."""
    return _cover(problem, result.assignments)


def _cover(
    problem: Problem, assignments: dict[tuple[int, date], tuple[str, str | None]]
) -> dict[str, list[int]]:
    shifts = {s.code: s for s in problem.shifts}
    idx = {day: d for d, day in enumerate(problem.days)}
    n = len(problem.days) * SLOTS_PER_DAY
    out = {q: [0] * n for q in problem.requirement}
    for (_pid, day), (code, q) in assignments.items():
        if q is None or q not in out:
            continue
        for g in _slots(shifts[code], idx[day]):
            if 0 <= g < n:
                out[q][g] += 1
    return out
