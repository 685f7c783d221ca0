"""Erlang B, C and A staffing formulas for one queue in one interval; pure Python, no Django.

Notation: ``calls`` arrive in ``interval_s`` seconds (rate λ), each takes ``aht_s`` seconds to
handle (rate μ = 1/AHT); the offered load is A = λ·AHT Erlangs; N agents; T = ``answer_s`` the
service-level threshold (30 s for 12345); θ = 1/mean patience for Erlang A.

Erlang B (no queue: trunks, SIP channels)
    Stable recursion ``B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1))`` — O(N), no factorials, so
    thousands of agents are fine.
Erlang C (M/M/N, callers wait forever)
    ``C = N·B / (N − A·(1 − B))`` for N > A, else 1;  ``SL(T) = 1 − C·exp(−(N − A)·T/AHT)``;
    ``ASA = C·AHT/(N − A)`` (mean wait over all calls); occupancy = A/N.
Erlang A (M/M/N+M, exponential patience; Palm, Mandelbaum & Zeltyn)
    Birth–death chain with birth λ and death ``min(k, N)·μ + max(k − N, 0)·θ``.  The states
    below N are summed in closed form through Erlang B (``Σ_{k<N} π_k/π_N = 1/B − 1``); the
    queue tail ``π_{N+j}/π_N = Π_{i≤j} λ/(Nμ + iθ)`` is summed in logarithms until it is
    negligible, so neither large N nor heavy overload overflows.  A caller who finds j others
    waiting is answered within T with probability
    ``Nμ/(Nμ + (j+1)θ) · I_x(j+1, Nμ/θ + 1)``, x = 1 − exp(−θT): the caller passes j+1 stages
    whose lengths are exponential with rates Nμ + (m+1)θ, survives each with probability
    (Nμ + mθ)/(Nμ + (m+1)θ) (the product telescopes), and the sum of those stage lengths is
    −log(Beta)/θ, whose distribution function is the regularised incomplete beta I, i.e. a
    negative-binomial tail.  SL counts calls answered within T among all offered calls
    (abandoned calls count against it); ASA = E[queue]/λ (Little; waits of abandoning callers
    included); abandon = θ·E[queue]/λ; occupancy = λ(1 − abandon)/(Nμ).  As θ → 0 the figures
    tend to Erlang C's.

Staffing: ``agents_for_target`` finds the fewest agents meeting the service level (and an
optional occupancy cap), then ``scheduled = ⌈agents / (1 − shrinkage)⌉``.

Bad input raises ``ErlangInputError`` (a ``ValueError``) with a Chinese message naming the cause;
nothing here can loop without bound (agent counts are capped at ``MAX_AGENTS``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "MAX_AGENTS",
    "ErlangInputError",
    "Metrics",
    "Staffing",
    "agents_for_target",
    "erlang_a_metrics",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
    "traffic",
]

MAX_AGENTS = 100_000
# Erlang A tail: stop once a term is e^-40 (4e-18) below the largest; never more than this many.
_TAIL_LOG_CUTOFF = 40.0
_MAX_TAIL = 2_000_000


class ErlangInputError(ValueError):
    """Input that has no meaningful answer (negative time, impossible target, ...)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Metrics:
    """Achieved figures for a given number of agents."""

    sl: float  # fraction of offered calls answered within answer_s
    asa_s: float  # mean wait over all offered calls, seconds (inf when the queue is unstable)
    occupancy: float  # fraction of agent time spent handling calls
    p_wait: float  # probability that a call waits at all
    abandon: float = 0.0  # fraction of offered calls that hang up while waiting (0 for Erlang C)


@dataclass(frozen=True)
class Staffing:
    """The answer of ``agents_for_target``."""

    agents: int  # agents needed on the phones
    scheduled: int  # agents to schedule once shrinkage (breaks, leave, training) is allowed for
    traffic_erlangs: float
    model: str  # "erlang_c" or "erlang_a"
    metrics: Metrics


def _positive(value: float, field: str, label: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise ErlangInputError(f"{label}必须是有限的数字。", field=field)
    if value <= 0:
        raise ErlangInputError(f"{label}必须大于 0（收到 {value:g}）。", field=field)
    return float(value)


def _non_negative(value: float, field: str, label: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise ErlangInputError(f"{label}必须是有限的数字。", field=field)
    if value < 0:
        raise ErlangInputError(f"{label}不能为负数（收到 {value:g}）。", field=field)
    return float(value)


def _agents(agents: int) -> int:
    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 1:
        raise ErlangInputError(f"座席数必须是正整数（收到 {agents!r}）。", field="agents")
    if agents > MAX_AGENTS:
        raise ErlangInputError(f"座席数不能超过 {MAX_AGENTS}。", field="agents")
    return agents


def traffic(calls: float, interval_s: float, aht_s: float) -> float:
    """Offered load in Erlangs: calls per second × handling time."""
    calls = _non_negative(calls, "calls", "来电量")
    interval_s = _positive(interval_s, "interval_s", "时段长度")
    aht_s = _positive(aht_s, "aht_s", "平均处理时长")
    return calls * aht_s / interval_s


def erlang_b(traffic_erlangs: float, agents: int) -> float:
    """Blocking probability with ``agents`` servers and no queue."""
    a = _non_negative(traffic_erlangs, "traffic_erlangs", "话务量")
    if isinstance(agents, bool) or not isinstance(agents, int) or agents < 0:
        raise ErlangInputError(f"座席数必须是非负整数（收到 {agents!r}）。", field="agents")
    b = 1.0
    for k in range(1, agents + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(traffic_erlangs: float, agents: int) -> float:
    """Probability that a call has to wait (M/M/N); 1.0 when the queue is unstable (N ≤ A)."""
    a = _non_negative(traffic_erlangs, "traffic_erlangs", "话务量")
    n = _agents(agents)
    if a == 0:
        return 0.0
    if n <= a:
        return 1.0
    b = erlang_b(a, n)
    return n * b / (n - a * (1.0 - b))


def erlang_c_metrics(calls: float, interval_s: float, aht_s: float, agents: int, answer_s: float) -> Metrics:
    """Service level, ASA, occupancy and P(wait) of an Erlang C queue."""
    a = traffic(calls, interval_s, aht_s)
    n = _agents(agents)
    t = _non_negative(answer_s, "answer_s", "接通时限")
    if a == 0:
        return Metrics(sl=1.0, asa_s=0.0, occupancy=0.0, p_wait=0.0)
    if n <= a:
        return Metrics(sl=0.0, asa_s=math.inf, occupancy=1.0, p_wait=1.0)
    c = erlang_c(a, n)
    sl = 1.0 - c * math.exp(-(n - a) * t / aht_s)
    return Metrics(sl=sl, asa_s=c * aht_s / (n - a), occupancy=a / n, p_wait=c)


def _logaddexp(x: float, y: float) -> float:
    if x == -math.inf:
        return y
    if y == -math.inf:
        return x
    hi, lo = (x, y) if x >= y else (y, x)
    return hi + math.log1p(math.exp(lo - hi))


def _erlang_a_tail(lam: float, n_mu: float, theta: float) -> list[float]:
    """log(π_{N+j}/π_N) for j = 0, 1, … until the terms are negligible."""
    logs = [0.0]
    peak = 0.0
    log_lam = math.log(lam)
    j = 0
    while True:
        j += 1
        value = logs[-1] + log_lam - math.log(n_mu + j * theta)
        logs.append(value)
        peak = max(peak, value)
        # Past the mode (the ratio λ/(Nμ + jθ) is below 1) and far below the peak: done.
        if lam < n_mu + j * theta and value < peak - _TAIL_LOG_CUTOFF:
            return logs
        if j >= _MAX_TAIL:
            raise ErlangInputError(
                "平均耐心时长相对话务量过长，排队模型无法收敛；请检查耐心时长，或不指定耐心时长改用 Erlang C。",
                field="patience_s",
            )


def erlang_a_metrics(
    calls: float, interval_s: float, aht_s: float, agents: int, answer_s: float, patience_s: float
) -> Metrics:
    """Service level, ASA, occupancy, P(wait) and abandonment of an Erlang A queue."""
    a = traffic(calls, interval_s, aht_s)
    n = _agents(agents)
    t = _non_negative(answer_s, "answer_s", "接通时限")
    patience = _positive(patience_s, "patience_s", "平均耐心时长")
    if a == 0:
        return Metrics(sl=1.0, asa_s=0.0, occupancy=0.0, p_wait=0.0, abandon=0.0)
    lam = calls / interval_s
    mu = 1.0 / aht_s
    theta = 1.0 / patience
    n_mu = n * mu

    tail = _erlang_a_tail(lam, n_mu, theta)
    log_tail_sum = -math.inf
    for value in tail:
        log_tail_sum = _logaddexp(log_tail_sum, value)
    b = erlang_b(a, n)
    if b == 0.0:  # N far above A: nobody ever waits
        return Metrics(sl=1.0, asa_s=0.0, occupancy=a / n, p_wait=0.0, abandon=0.0)
    log_below = math.log1p(-b) - math.log(b) if b < 1.0 else -math.inf  # Σ_{k<N} π_k / π_N
    log_total = _logaddexp(log_below, log_tail_sum)

    p_wait = math.exp(log_tail_sum - log_total)
    queue = 0.0  # E[number waiting]
    answered_in_time = 0.0
    x = -math.expm1(-theta * t)  # 1 − e^{−θT}
    if x > 0:
        log_x = math.log(x)
        b_shape = n_mu / theta + 1.0
        log_nb0 = b_shape * math.log1p(-x) if x < 1.0 else -math.inf
        lgamma_b = math.lgamma(b_shape)
    cdf = 0.0  # Σ_{m≤j} NB(m): P(fewer than j+1 stages done by T)
    for j, value in enumerate(tail):
        prob = math.exp(value - log_total)
        queue += j * prob
        if x <= 0 or prob == 0.0:
            continue
        if j == 0:
            log_nb = log_nb0
        else:
            log_nb = math.lgamma(j + b_shape) - math.lgamma(j + 1) - lgamma_b + j * log_x + log_nb0
        cdf += math.exp(log_nb) if log_nb > -745 else 0.0
        within = max(0.0, 1.0 - cdf)
        answered_in_time += prob * n_mu / (n_mu + (j + 1) * theta) * within
    abandon = theta * queue / lam
    return Metrics(
        sl=min(1.0, (1.0 - p_wait) + answered_in_time),
        asa_s=queue / lam,
        occupancy=min(1.0, lam * (1.0 - abandon) / n_mu),
        p_wait=p_wait,
        abandon=abandon,
    )


def _check_target(target_sl: float) -> float:
    if not isinstance(target_sl, int | float) or isinstance(target_sl, bool) or not math.isfinite(target_sl):
        raise ErlangInputError("服务水平目标必须是 0 到 1 之间的数字，例如 0.95。", field="target")
    if target_sl >= 1.0:
        raise ErlangInputError(
            "服务水平目标 100% 无法达到：排队模型中总有来电需要等待，请设为小于 1 的值，例如 0.95。",
            field="target",
        )
    if target_sl <= 0:
        raise ErlangInputError("服务水平目标必须大于 0，例如 0.95。", field="target")
    return float(target_sl)


def agents_for_target(
    calls: float,
    interval_s: float,
    aht_s: float,
    target_sl: float,
    answer_s: float,
    *,
    patience_s: float | None = None,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
) -> Staffing:
    """Fewest agents whose service level (Erlang C, or Erlang A with patience) meets the target."""
    a = traffic(calls, interval_s, aht_s)
    target = _check_target(target_sl)
    t = _non_negative(answer_s, "answer_s", "接通时限")
    if patience_s is not None:
        _positive(patience_s, "patience_s", "平均耐心时长")
    shrink = _non_negative(shrinkage, "shrinkage", "缺勤率（shrinkage）")
    if shrink >= 1:
        raise ErlangInputError("缺勤率（shrinkage）必须小于 1，例如 0.3 表示 30%。", field="shrinkage")
    cap = _positive(max_occupancy, "max_occupancy", "占用率上限")
    if cap > 1:
        raise ErlangInputError("占用率上限不能超过 1。", field="max_occupancy")
    model = "erlang_c" if patience_s is None else "erlang_a"
    if a == 0:
        return Staffing(0, 0, 0.0, model, Metrics(sl=1.0, asa_s=0.0, occupancy=0.0, p_wait=0.0))
    if a / cap >= MAX_AGENTS:
        raise ErlangInputError(
            f"话务量 {a:.0f} Erl 过大，超过 {MAX_AGENTS} 个座席的计算上限；请检查来电量和处理时长。",
            field="calls",
        )

    def metrics(n: int) -> Metrics:
        if patience_s is None:
            return erlang_c_metrics(calls, interval_s, aht_s, n, t)
        return erlang_a_metrics(calls, interval_s, aht_s, n, t, patience_s)

    def good(m: Metrics) -> bool:
        return m.sl >= target and m.occupancy <= cap

    if patience_s is None:
        # Erlang C: walk up from the first stable count, carrying the Erlang B recursion along.
        n = max(1, math.floor(a) + 1, math.ceil(a / cap))
        b = erlang_b(a, n)
        while True:
            c = n * b / (n - a * (1.0 - b))
            sl = 1.0 - c * math.exp(-(n - a) * t / aht_s)
            if sl >= target and a / n <= cap:
                break
            n += 1
            if n > MAX_AGENTS:
                raise ErlangInputError(
                    f"在 {MAX_AGENTS} 个座席内无法达到服务水平目标 {target:.2%}，请放宽目标或接通时限。",
                    field="target",
                )
            b = a * b / (n + a * b)
        found = metrics(n)
    else:
        # Erlang A: SL rises with N; bracket the answer by doubling, then bisect.
        hi = max(1, math.ceil(a))
        while not good(metrics(hi)):
            if hi >= MAX_AGENTS:
                raise ErlangInputError(
                    f"在 {MAX_AGENTS} 个座席内无法达到服务水平目标 {target:.2%}，请放宽目标或接通时限。",
                    field="target",
                )
            hi = min(MAX_AGENTS, hi * 2)
        lo = 0  # lo fails (0 agents answer nobody), hi meets the target
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if good(metrics(mid)):
                hi = mid
            else:
                lo = mid
        n = hi
        found = metrics(n)
    scheduled = math.ceil(n / (1.0 - shrink) - 1e-9)
    return Staffing(agents=n, scheduled=scheduled, traffic_erlangs=a, model=model, metrics=found)
