"""Demand: half-hour call history from the database, the forecast, and staffing per interval.

History per hotline and day = queued inbound calls from call records (``callcenter.CallRecord``,
read only); days without call records fall back to ``CallVolumeDay`` (imported history, or the
demo's synthetic weeks).  The forecast (``forecast.py``) turns it into calls per half-hour; Erlang C
with shrinkage turns calls into agents to schedule; the roster solver takes those as its
per-interval requirement per queue.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Case, Count, IntegerField, Value, When
from django.db.models.functions import ExtractHour, TruncDate

from hotline.core.erlang import ErlangInputError, agents_for_target
from hotline.core.errors import InvalidInput
from hotline.workforce import forecast as fc
from hotline.workforce.models import CallVolumeDay

HISTORY_DAYS = 84  # twelve weeks are plenty for a weekday × time-of-day profile and a trend
# Roster queues fed by hotlines: 12345 on its own; the merged hotlines answered by one pool.
QUEUE_HOTLINES: dict[str, list[str]] = {
    "12345": ["12345"],
    "merged": ["12315", "12319", "12328", "12329", "12348", "12393"],
}
DEFAULT_AHT_S = 240.0


def day_kind() -> fc.DayKind:
    """Day types from the working-day calendar (法定节假日, 调休 workdays, weekdays)."""
    from hotline.core.calendar import get_calendar

    cal = get_calendar()
    return fc.day_kind_for(cal.holidays, cal.extra_workdays)


def history(hotlines: list[str], *, end: date, days: int = HISTORY_DAYS) -> dict[date, list[float]]:
    """Half-hour counts of queued inbound calls for ``hotlines`` (summed) over the ``days`` before ``end``."""
    from hotline.callcenter.models import CallRecord

    start = end - timedelta(days=days)
    out: dict[date, list[float]] = {}
    rows = (
        CallRecord.objects.filter(
            hotline__in=hotlines,
            direction="in",
            arrived_at__date__gte=start,
            arrived_at__date__lt=end,
        )
        .exclude(queue="")
        .annotate(
            d=TruncDate("arrived_at"),
            h=ExtractHour("arrived_at"),
            half=Case(
                When(arrived_at__minute__gte=30, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
        )
        .values_list("d", "h", "half")
        .annotate(n=Count("id"))
    )
    for d, h, half, n in rows:
        out.setdefault(d, [0.0] * fc.SLOTS)[h * 2 + half] += n
    imported: dict[date, list[float]] = defaultdict(lambda: [0.0] * fc.SLOTS)
    for d, counts in CallVolumeDay.objects.filter(
        hotline__in=hotlines, day__gte=start, day__lt=end
    ).values_list("day", "counts"):
        if d in out or not isinstance(counts, list) or len(counts) != fc.SLOTS:
            continue
        row = imported[d]
        for i, v in enumerate(counts):
            row[i] += max(0.0, float(v))
    out.update(imported)
    return dict(sorted(out.items()))


@dataclass
class IntervalNeed:
    calls: float
    agents: int
    scheduled: int


@dataclass
class DemandPlan:
    hotlines: list[str]
    history: dict[date, list[float]]
    model: fc.Model | None
    backtest: fc.Backtest | None
    days: list[date]
    calls: dict[date, list[float]] = field(default_factory=dict)
    needs: dict[date, list[IntervalNeed]] = field(default_factory=dict)
    message: str = ""  # why there is no forecast, in Chinese

    @property
    def ok(self) -> bool:
        return self.model is not None


@dataclass
class StaffingParams:
    aht_s: float = DEFAULT_AHT_S
    target: float = 0.95
    answer_s: float = 30.0
    shrinkage: float = 0.2


def plan(
    hotlines: list[str],
    days: list[date],
    *,
    params: StaffingParams | None = None,
    today: date,
    holdout: int = 14,
) -> DemandPlan:
    """Forecast ``days`` for the pooled ``hotlines`` and the agents each half-hour needs."""
    params = params or StaffingParams()
    hist = history(hotlines, end=today)
    kind = day_kind()
    result = DemandPlan(hotlines, hist, None, None, days)
    try:
        result.model = fc.fit(hist, kind)
    except fc.ForecastInputError as exc:
        result.message = f"{'、'.join(hotlines)}：{exc}（请导入历史话务量，或待系统积累通话记录后再预测）"
        return result
    try:
        result.backtest = fc.backtest(hist, kind, holdout=holdout)
    except fc.ForecastInputError:
        result.backtest = None
    result.calls = fc.forecast(result.model, days, kind)
    cache: dict[int, tuple[int, int]] = {}
    for d, row in result.calls.items():
        needs = []
        for calls in row:
            key = round(calls)
            if key not in cache:
                cache[key] = _staff(key, params)
            agents, scheduled = cache[key]
            needs.append(IntervalNeed(calls, agents, scheduled))
        result.needs[d] = needs
    return result


def _staff(calls: int, p: StaffingParams) -> tuple[int, int]:
    try:
        s = agents_for_target(calls, 1800, p.aht_s, p.target, p.answer_s, shrinkage=p.shrinkage)
    except ErlangInputError as exc:
        raise InvalidInput(exc.message, fields={exc.field or "calls": exc.message}) from None
    return s.agents, s.scheduled


def check_params(p: StaffingParams) -> None:
    """Refuse impossible staffing parameters before anything is forecast."""
    _staff(100, p)


def month_requirement_from_forecast(
    days: list[date], *, today: date, params: StaffingParams | None = None
) -> tuple[dict[str, list[int]], list[str]]:
    """Per-slot scheduled agents per roster queue from the forecast; notes say which queues fell back."""
    out: dict[str, list[int]] = {}
    notes: list[str] = []
    for queue, hotlines in QUEUE_HOTLINES.items():
        p = plan(hotlines, days, params=params, today=today)
        if not p.ok:
            notes.append(p.message)
            continue
        out[queue] = [n.scheduled for d in days for n in p.needs[d]]
        wape = f"，回测 WAPE {p.backtest.wape:.1%}" if p.backtest else ""
        notes.append(f"{queue} 需求来自话务预测（历史 {p.model.history_days if p.model else 0} 天{wape}）")
    return out, notes


def pooled_agents(calls: list[list[float]], p: StaffingParams) -> tuple[int, int]:
    """Σ over half-hours of agents when each stream is staffed alone, and when all are pooled."""
    separate = pooled = 0
    for i in range(fc.SLOTS):
        separate += sum(_staff(round(row[i]), p)[0] for row in calls)
        pooled += _staff(round(sum(row[i] for row in calls)), p)[0]
    return separate, pooled
