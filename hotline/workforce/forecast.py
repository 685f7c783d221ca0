"""Call-volume forecast per half-hour (话务预测); pure Python on plain data, no Django.

Model (multiplicative, fitted on the history given):

    calls(day, slot) = level(day) × factor[kind(day)] × shape[kind(day)][slot]

- ``kind`` is the day type from the working-day calendar: ``mon`` … ``sun`` for ordinary days,
  ``holiday`` for 法定节假日 and the rest days of a holiday break, ``makeup`` for 调休 workdays (a
  weekend that is worked).  A kind with no history borrows a neighbour (holiday → sun, makeup →
  the mean working day), so a first holiday is still forecast as a rest day.
- ``shape`` is the kind's mean share of the day's calls in each of the 48 half-hours (the
  time-of-day profile); ``factor`` the kind's mean day total relative to the trend.
- ``level`` is a straight-line trend fitted by least squares to the day totals divided by their
  kind's factor (two rounds, so factor and trend settle together).  The trend is damped: never
  below zero and at most ±50 % of the fitted level over the forecast horizon's length again.

Backtest: fit on everything before the last ``holdout`` days, forecast those days, and report WAPE
= Σ|actual − forecast| / Σ actual over every half-hour (the accuracy measure call centres use;
unlike MAPE it does not blow up on quiet night intervals).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

SLOTS = 48
WEEKDAY_KINDS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KIND_LABELS = {
    "mon": "周一",
    "tue": "周二",
    "wed": "周三",
    "thu": "周四",
    "fri": "周五",
    "sat": "周六",
    "sun": "周日",
    "holiday": "节假日",
    "makeup": "调休工作日",
}
DayKind = Callable[[date], str]


class ForecastInputError(ValueError):
    """History too short or malformed to forecast from."""


def day_kind_for(holidays: frozenset[date] | set[date], makeup: frozenset[date] | set[date]) -> DayKind:
    """The day-type function from a calendar's 法定节假日 and 调休 workdays."""

    def kind(d: date) -> str:
        if d in holidays:
            return "holiday"
        if d in makeup:
            return "makeup"
        return WEEKDAY_KINDS[d.weekday()]

    return kind


@dataclass
class Model:
    origin: date  # day 0 of the trend line
    intercept: float
    slope: float  # calls a day, per day
    factor: dict[str, float]
    shape: dict[str, list[float]]
    last_day: date  # last day of history
    history_days: int
    kinds_seen: dict[str, int] = field(default_factory=dict)

    def level(self, d: date) -> float:
        t = (d - self.origin).days
        base = self.intercept + self.slope * (self.last_day - self.origin).days
        raw = self.intercept + self.slope * t
        # Damped: the trend may move the level at most ±50 % beyond the end of the history.
        return max(0.0, min(max(raw, 0.5 * base), 1.5 * base)) if base > 0 else max(0.0, raw)

    def _kind(self, kind: str) -> str:
        if kind in self.shape:
            return kind
        if kind == "holiday":
            return "sun" if "sun" in self.shape else "sat"
        return "workday"

    def day(self, d: date, kind: str) -> list[float]:
        k = self._kind(kind)
        total = self.level(d) * self.factor.get(k, 1.0)
        return [total * s for s in self.shape.get(k, [1 / SLOTS] * SLOTS)]


def fit(history: Mapping[date, list[float]], kind: DayKind, *, min_days: int = 14) -> Model:
    """Fit the model on ``history`` (day → 48 half-hour counts)."""
    days = sorted(history)
    if len(days) < min_days:
        raise ForecastInputError(f"历史数据只有 {len(days)} 天，至少需要 {min_days} 天才能预测。")
    for d in days:
        row = history[d]
        if len(row) != SLOTS:
            raise ForecastInputError(f"{d} 的数据应有 {SLOTS} 个半小时，实有 {len(row)} 个。")
        if any(v < 0 for v in row):
            raise ForecastInputError(f"{d} 的来电量有负数。")
    totals = {d: float(sum(history[d])) for d in days}
    if sum(totals.values()) <= 0:
        raise ForecastInputError("历史来电量全为 0，无法预测。")
    kinds = {d: kind(d) for d in days}
    origin = days[0]
    # Shapes: each kind's mean share per half-hour (days with no calls carry no shape).
    shares: dict[str, list[float]] = defaultdict(lambda: [0.0] * SLOTS)
    counts: dict[str, int] = defaultdict(int)
    for d in days:
        if totals[d] <= 0:
            continue
        k = kinds[d]
        counts[k] += 1
        acc = shares[k]
        for i, v in enumerate(history[d]):
            acc[i] += v / totals[d]
    shape = {k: [v / counts[k] for v in acc] for k, acc in shares.items()}
    for k in set(kinds.values()) - set(shape):  # a kind seen only with no calls (a closed day)
        shape[k] = [1 / SLOTS] * SLOTS
    work = [k for k in ("mon", "tue", "wed", "thu", "fri") if k in shape]
    if work:
        shape["workday"] = [sum(shape[k][i] for k in work) / len(work) for i in range(SLOTS)]
    factor = dict.fromkeys(shape, 1.0)
    intercept, slope = sum(totals.values()) / len(days), 0.0
    for _ in range(3):
        # Days of a kind with (almost) no calls carry no information about the level.
        use = [d for d in days if factor.get(kinds[d], 1.0) > 1e-6]
        xs = [(d - origin).days for d in use]
        ys = [totals[d] / factor.get(kinds[d], 1.0) for d in use]
        intercept, slope = _least_squares(xs, ys)
        xs = [(d - origin).days for d in days]
        ratio: dict[str, list[float]] = defaultdict(list)
        for x, d in zip(xs, days, strict=True):
            trend = intercept + slope * x
            if trend > 0:
                ratio[kinds[d]].append(totals[d] / trend)
        factor = {k: sum(v) / len(v) for k, v in ratio.items()}
        if work:
            factor["workday"] = sum(factor[k] for k in work if k in factor) / len(work)
    return Model(
        origin=origin,
        intercept=intercept,
        slope=slope,
        factor=factor,
        shape=shape,
        last_day=days[-1],
        history_days=len(days),
        kinds_seen=dict(counts),
    )


def _least_squares(xs: list[int], ys: list[float]) -> tuple[float, float]:
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return my, 0.0
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return my - slope * mx, slope


def forecast(model: Model, days: list[date], kind: DayKind) -> dict[date, list[float]]:
    """Forecast half-hour volumes for ``days``."""
    return {d: model.day(d, kind(d)) for d in days}


def wape(actual: Mapping[date, list[float]], predicted: Mapping[date, list[float]]) -> float:
    """Σ|actual − forecast| / Σ actual over every half-hour of the days in ``actual``."""
    num = den = 0.0
    for d, row in actual.items():
        pred = predicted[d]
        num += sum(abs(a - p) for a, p in zip(row, pred, strict=True))
        den += sum(row)
    if den <= 0:
        raise ForecastInputError("回测期内没有来电，无法计算 WAPE。")
    return num / den


@dataclass
class Backtest:
    wape: float
    train_days: int
    test_days: list[date]
    actual: dict[date, list[float]]
    predicted: dict[date, list[float]]

    @property
    def daily_wape(self) -> float:
        """WAPE of the day totals (what a day's staffing budget sees; half-hour noise averages out)."""
        num = sum(abs(sum(self.actual[d]) - sum(self.predicted[d])) for d in self.test_days)
        den = sum(sum(self.actual[d]) for d in self.test_days)
        return num / den if den else 0.0

    def daily(self) -> list[tuple[date, float, float]]:
        return [(d, sum(self.actual[d]), sum(self.predicted[d])) for d in self.test_days]


def backtest(history: Mapping[date, list[float]], kind: DayKind, *, holdout: int = 14) -> Backtest:
    """Fit on all but the last ``holdout`` days, forecast them and measure WAPE."""
    if holdout < 1:
        raise ForecastInputError("回测天数至少为 1 天。")
    days = sorted(history)
    if len(days) < holdout + 14:
        raise ForecastInputError(
            f"历史数据只有 {len(days)} 天；回测 {holdout} 天至少需要 {holdout + 14} 天。"
        )
    train = {d: history[d] for d in days[:-holdout]}
    test = {d: list(history[d]) for d in days[-holdout:]}
    model = fit(train, kind)
    predicted = forecast(model, list(test), kind)
    return Backtest(wape(test, predicted), len(train), list(test), test, predicted)


def horizon(start: date, n_days: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(n_days)]
