"""Labour rules on one person's shifts (pure): used to re-check a roster after a shift swap.

The same rules as the solver (``roster.Rules``); each violation names its rule with the label the
solver's diagnosis uses (「班次间休息不少于 11 小时」 …), so a refused swap says which rule it breaks.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from hotline.workforce.roster import DAY_MIN, Rules, Shift


def person_violations(
    name: str, items: list[tuple[date, Shift]], rules: Rules, *, night_ok: bool = True
) -> list[tuple[str, str]]:
    """(rule key, Chinese message) for every labour rule ``items`` (day, shift) break."""
    out: list[tuple[str, str]] = []
    items = sorted(items, key=lambda t: t[0])
    days = [d for d, _ in items]
    if len(set(days)) != len(days):
        out.append(("one_a_day", f"{name} 同一天有两个班次"))
    for (d1, s1), (d2, s2) in zip(items, items[1:], strict=False):
        gap = (d2 - d1).days * DAY_MIN + s2.start - s1.end
        if gap < rules.min_rest_h * 60:
            out.append(
                (
                    "rest",
                    f"{name} {d1:%m-%d}→{d2:%m-%d} 仅休息 {gap / 60:g} 小时，违反「{rules.label('rest')}」",
                )
            )
    run, prev = 0, None
    for d in days:
        run = run + 1 if prev is not None and (d - prev).days == 1 else 1
        prev = d
        if run == rules.max_consecutive_days + 1:
            out.append(
                (
                    "consecutive",
                    f"{name} 截至 {d:%m-%d} 连续工作 {run} 天，违反「{rules.label('consecutive')}」",
                )
            )
    nights = sum(1 for _, s in items if s.night)
    if nights and not night_ok:
        out.append(("night_ok", f"{name} 不可上夜班"))
    if nights > rules.max_nights:
        out.append(("nights", f"{name} 本月夜班 {nights} 个，违反「{rules.label('nights')}」"))
    weeks: dict[tuple[int, int], int] = defaultdict(int)
    for d, s in items:
        iso = d.isocalendar()
        weeks[iso[0], iso[1]] += s.minutes
    for (_, wk), mins in sorted(weeks.items()):
        if mins > rules.max_week_hours * 60:
            out.append(
                (
                    "week_hours",
                    f"{name} 第 {wk} 周工时 {mins / 60:g} 小时，违反「{rules.label('week_hours')}」",
                )
            )
    return out


def rules_from(stored: dict[str, object]) -> Rules:
    """The rules a roster was solved with (``Roster.rules``); defaults for anything missing."""
    base = Rules()
    kwargs: dict[str, object] = {}
    for key in ("min_rest_h", "max_consecutive_days", "max_nights", "max_week_hours"):
        if key in stored:
            kwargs[key] = type(getattr(base, key))(stored[key])  # type: ignore[call-arg]
    return Rules(**kwargs)  # type: ignore[arg-type]
