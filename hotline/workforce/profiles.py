"""Shift templates and per-interval requirements of the demo floor; pure Python, no Django.

The contract states head-counts per day (weekdays 63 on day shifts + 7 on nights, weekends
28 + 7).  With the three 8-hour day shifts below — 白班 08:00–16:00, 中班 12:00–20:00 and the split
两头班 08:00–12:00 + 16:00–20:00 — every day person covers two of the three 4-hour blocks
08–12, 12–16, 16–20, so a day head-count H becomes block needs r1 + r2 + r3 = 2H (the morning
block a little heavier); the night head-count is needed 20:00–08:00.  A roster from the forecast
also gets the templates drawn for the calls' curve (``FORECAST_ONLY``, stored with
``ShiftTemplate.forecast_only``).
"""

from __future__ import annotations

from datetime import date, timedelta

from hotline.workforce.roster import SLOTS_PER_DAY, Shift

# The contract's templates: three 8-hour day shifts over the 08–12 / 12–16 / 16–20 blocks and one night.
CONTRACT_SHIFTS = [
    Shift("D", "白班", ((8 * 60, 16 * 60),)),
    Shift("M", "中班", ((12 * 60, 20 * 60),)),
    Shift("S", "两头班", ((8 * 60, 12 * 60), (16 * 60, 20 * 60))),
    Shift("N", "夜班", ((20 * 60, 32 * 60),), night=True),
]
# A forecast follows the calls: a ramp from 05:00, busy 08:00–17:00, a tail to 22:00, a few people
# overnight.  Staggered 8-hour starts (06, 07, 08, 12, 14) follow the ramp and the tail; the 8-hour
# 大夜班 22:00–06:00 covers the quiet small hours without carrying the evening's head-count through
# them; the contract's 12-hour 夜班 stays (three of them and two day shifts make a 44-hour week, so
# a small pool such as 归并热线 gives more hours).
FORECAST_ONLY = [
    Shift("E1", "早一班", ((6 * 60, 14 * 60),)),
    Shift("E", "早班", ((7 * 60, 15 * 60),)),
    Shift("L", "晚班", ((14 * 60, 22 * 60),)),
    Shift("NL", "大夜班", ((22 * 60, 30 * 60),), night=True),
]
FORECAST_SHIFTS = [*CONTRACT_SHIFTS, *FORECAST_ONLY]  # every demo template
SHIFT_SETS = {"contract": CONTRACT_SHIFTS, "forecast": FORECAST_SHIFTS}
OFFICE_SHIFT = Shift("A", "行政班", ((8 * 60 + 30, 12 * 60), (13 * 60 + 30, 17 * 60 + 30)))

# Queues the roster covers, with the contract's head-counts: (day, night) on working / rest days.
DEMO_QUEUES: dict[str, dict[str, tuple[int, int]]] = {
    "12345": {"workday": (63, 7), "restday": (28, 7)},
    "visit": {"workday": (6, 0), "restday": (0, 0)},
    "merged": {"workday": (12, 3), "restday": (8, 3)},
}
QUEUE_LABELS = {"12345": "12345 接听", "visit": "回访", "merged": "归并热线"}

NIGHT_EARLY_SLOTS = 16  # 00:00–08:00 belongs to the night shift that started the evening before


def headcount_profile(day: int, night: int) -> list[int]:
    """48 half-hour needs for a day with ``day`` people on day shifts and ``night`` on nights."""
    if day < 0 or night < 0:
        raise ValueError("人数不能为负数。")
    r1 = round(0.73 * day)  # morning block: 36.5 % of the 2H block-cover
    r2 = (2 * day - r1) // 2
    r3 = 2 * day - r1 - r2
    need = [night] * 16 + [r1] * 8 + [r2] * 8 + [r3] * 8 + [night] * 8
    assert len(need) == SLOTS_PER_DAY
    return need


def month_requirement(
    days: list[date], rest_days: set[date] | frozenset[date], queues: dict[str, dict[str, tuple[int, int]]]
) -> dict[str, list[int]]:
    """Per-slot needs per queue over ``days``; the small hours follow the previous evening's kind."""
    out: dict[str, list[int]] = {}
    for q, counts in queues.items():
        need: list[int] = []
        for day in days:
            today = headcount_profile(*counts["restday" if day in rest_days else "workday"])
            before = day - timedelta(days=1)
            early = headcount_profile(*counts["restday" if before in rest_days else "workday"])
            need.extend(early[:NIGHT_EARLY_SLOTS] + today[NIGHT_EARLY_SLOTS:])
        out[q] = need
    return out


def month_days(month: date) -> list[date]:
    first = month.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return [first + timedelta(days=i) for i in range((nxt - first).days)]
