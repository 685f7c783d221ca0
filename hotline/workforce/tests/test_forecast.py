"""The forecast engine on constructed series whose answer is known."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from hotline.workforce import forecast as fc

START = date(2025, 9, 1)  # a Monday
SHAPE_WORK = [max(0.2, 10 - abs(i - 20) * 0.6) for i in range(fc.SLOTS)]  # one daytime peak
SHAPE_REST = [max(0.2, 6 - abs(i - 28) * 0.4) for i in range(fc.SLOTS)]  # later, flatter
FACTOR = {"mon": 1.2, "tue": 1.0, "wed": 1.0, "thu": 1.0, "fri": 0.9, "sat": 0.5, "sun": 0.45, "holiday": 0.3}
# Two holidays and one 调休 workday (a Sunday worked) in the window.
HOLIDAYS = {date(2025, 10, 1), date(2025, 10, 2), date(2025, 11, 5)}
MAKEUP = {date(2025, 10, 12)}
KIND = fc.day_kind_for(HOLIDAYS, MAKEUP)


def series(days: int, *, trend: float = 3.0, noise: random.Random | None = None) -> dict[date, list[float]]:
    out = {}
    for t in range(days):
        d = START + timedelta(days=t)
        k = KIND(d)
        f = FACTOR.get(k, 1.0)  # makeup days behave like an ordinary working day
        shape = SHAPE_REST if k in ("sat", "sun", "holiday") else SHAPE_WORK
        total = (2000 + trend * t) * f
        row = [total * s / sum(shape) for s in shape]
        if noise is not None:
            row = [max(0.0, noise.gauss(v, v**0.5)) for v in row]
        out[d] = row
    return out


def test_noiseless_series_is_forecast_almost_exactly():
    hist = series(84)
    bt = fc.backtest(hist, KIND, holdout=14)
    assert bt.wape < 0.02
    assert bt.train_days == 70 and len(bt.test_days) == 14


def test_poisson_noise_gives_the_noise_floor_not_more():
    rnd = random.Random(7)
    hist = series(84, noise=rnd)
    bt = fc.backtest(hist, KIND, holdout=14)
    # Half-hour counts of ~5–60 calls: Poisson noise alone is ~10 % WAPE; the model adds little.
    assert 0.05 < bt.wape < 0.16


def test_trend_is_recovered():
    model = fc.fit(series(84, trend=5.0), KIND)
    tue1, tue2 = date(2025, 11, 25), date(2025, 12, 2)  # two Tuesdays after the history
    out = fc.forecast(model, [tue1, tue2], KIND)
    # The series adds 5 calls a day on a day whose factor is 1.0: 35 more a week later.
    assert sum(out[tue2]) - sum(out[tue1]) == pytest.approx(35, rel=0.05)
    assert sum(out[tue1]) == pytest.approx(2000 + 5 * (tue1 - START).days, rel=0.01)


def test_holiday_in_the_horizon_is_forecast_as_a_holiday():
    hist = series(84)  # 2025-09-01 .. 2025-11-23, holidays inside
    model = fc.fit({d: v for d, v in hist.items() if d < date(2025, 11, 1)}, KIND)
    out = fc.forecast(
        model, [date(2025, 11, 4), date(2025, 11, 5)], KIND
    )  # Tuesday, then a holiday Wednesday
    assert sum(out[date(2025, 11, 5)]) == pytest.approx(sum(out[date(2025, 11, 4)]) * 0.3, rel=0.05)
    peak_slot = max(range(fc.SLOTS), key=lambda i: out[date(2025, 11, 5)][i])
    assert peak_slot == 28  # the rest-day profile, not the working-day one


def test_makeup_workday_is_forecast_like_a_workday_not_a_sunday():
    hist = {d: v for d, v in series(84).items() if d != date(2025, 10, 12)}  # never seen a 调休 day
    model = fc.fit(hist, KIND)
    sunday, makeup = date(2025, 11, 16), date(2025, 11, 16)
    kinds = fc.day_kind_for(HOLIDAYS, {makeup})
    worked = sum(fc.forecast(model, [makeup], kinds)[makeup])
    rest = sum(fc.forecast(model, [sunday], KIND)[sunday])
    assert worked > 1.8 * rest


def test_wape_definition():
    actual = {START: [10.0] * 24 + [0.0] * 24}
    predicted = {START: [12.0] * 24 + [1.0] * 24}
    assert fc.wape(actual, predicted) == pytest.approx((24 * 2 + 24 * 1) / 240)


@pytest.mark.parametrize(
    ("hist", "message"),
    [
        ({START + timedelta(days=i): [1.0] * 48 for i in range(5)}, "至少需要 14 天"),
        ({START + timedelta(days=i): [-1.0] * 48 for i in range(20)}, "负数"),
        ({START + timedelta(days=i): [0.0] * 48 for i in range(20)}, "全为 0"),
        ({START + timedelta(days=i): [1.0] * 47 for i in range(20)}, "48 个半小时"),
    ],
)
def test_bad_history_is_refused_with_a_reason(hist, message):
    with pytest.raises(fc.ForecastInputError, match=message):
        fc.fit(hist, KIND)


def test_backtest_needs_enough_days():
    with pytest.raises(fc.ForecastInputError, match="至少需要"):
        fc.backtest(series(20), KIND, holdout=14)
    with pytest.raises(fc.ForecastInputError, match="至少为 1 天"):
        fc.backtest(series(40), KIND, holdout=0)


def test_a_line_closed_at_weekends_is_forecast_closed():
    hist = {d: (v if d.weekday() < 5 else [0.0] * fc.SLOTS) for d, v in series(42).items()}
    model = fc.fit(hist, KIND)
    sat, mon = date(2025, 10, 18), date(2025, 10, 20)
    out = fc.forecast(model, [sat, mon], KIND)
    assert sum(out[sat]) == 0 and sum(out[mon]) > 1000
