"""The 专报's narrative, filled in from the month's figures; the analyst edits it on the report page."""

from __future__ import annotations

from typing import Any

from hotline.metrics.indicators import DAYS, fmt

# (key, heading) in the order of the 专报.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("overview", "一、总体情况"),
    ("indicators", "二、考核指标完成情况"),
    ("issues", "三、主要诉求"),
    ("departments", "四、成员单位办理情况"),
    ("changes", "五、与上月相比"),
    ("hotspots", "六、热点问题"),
)
SECTION_KEYS = tuple(k for k, _ in SECTIONS)
MAX_SECTION_CHARS = 5000


def _pct(n: float, d: float) -> str:
    return f"{n / d * 100:.1f}%" if d else "—"


def _change(now: float, before: float) -> str:
    if not before:
        return "上月无数据"
    diff = (now - before) / before * 100
    return f"环比{'增长' if diff >= 0 else '下降'} {abs(diff):.1f}%"


def _delta(f: dict[str, Any], before: float | None) -> str:
    """The change of an indicator against last month: percentage points for rates, working days for times."""
    if f["value"] is None or before is None:
        return ""
    diff = f["value"] - before
    if abs(diff) < 1e-9:
        return "持平"
    if f["unit"] == DAYS:
        return f"{'增加' if diff >= 0 else '减少'} {abs(diff):.2f} 个工作日"
    if f["unit"] != "%":
        return f"{'增加' if diff >= 0 else '减少'} {abs(diff):g} {f['unit']}"
    return f"{'上升' if diff >= 0 else '下降'} {abs(diff) * 100:.2f} 个百分点"


def _overview(d: dict[str, Any]) -> str:
    intake = d["intake"]
    prev = d["previous"].get("intake") or 0
    mix = d["mix"]
    channels = "、".join(f"{k} {v} 件" for k, v in list(mix["channel"].items())[:4])
    types = "、".join(f"{k} {v} 件（{_pct(v, intake)}）" for k, v in list(mix["type"].items())[:5])
    ind = {f["key"]: f for f in d["indicators"]}
    calls = ind.get("answer_rate")
    text = f"{d['month'][:4]} 年 {int(d['month'][5:])} 月，热线共受理群众诉求 {intake} 件，{_change(intake, prev)}。"
    if channels:
        text += f"按渠道分：{channels}。"
    if types:
        text += f"按类型分：{types}。"
    if calls and calls["denominator"]:
        text += (
            f"转人工来电 {int(calls['denominator'])} 个，人工接听 {int(calls['numerator'])} 个，"
            f"接通率 {fmt(calls['value'], calls['unit'])}。"
        )
    return text


def _indicators(d: dict[str, Any]) -> str:
    met = [f for f in d["indicators"] if f["status"] == "green"]
    missed = [f for f in d["indicators"] if f["status"] in ("amber", "red")]
    text = f"本月考核的 {len(d['indicators'])} 项指标中，{len(met)} 项达标"
    if met:
        text += "（" + "、".join(f"{f['name']} {fmt(f['value'], f['unit'])}" for f in met) + "）"
    text += "。"
    if missed:
        text += "未达标或临界的有：" + "；".join(
            f"{f['name']} {fmt(f['value'], f['unit'])}（目标 {_target(f)}）" for f in missed
        )
        text += "。"
    for p in d.get("pending", []):
        text += f"{p['name']}{p['reason']}。"
    return text


def _target(f: dict[str, Any]) -> str:
    sign = {">=": "≥", "<=": "≤", "<": "<"}.get(f["comparison"], "")
    return f"{sign} {fmt(f['target'], f['unit'])}" if f["target"] is not None else "未设"


def _issues(d: dict[str, Any]) -> str:
    cats = d["categories"][:5]
    intake = d["intake"]
    if not cats:
        return "本月无诉求。"
    text = (
        "诉求量居前的分类："
        + "、".join(f"{c['name']} {c['intake']} 件（{_pct(c['intake'], intake)}）" for c in cats)
        + "。"
    )
    dists = d["districts"][:3]
    if dists:
        text += "诉求量较多的区县：" + "、".join(f"{c['name']} {c['intake']} 件" for c in dists) + "。"
    low = [c for c in d["categories"] if c["satisfaction"] is not None and c["rated"] >= 10]
    if low:
        worst = min(low, key=lambda c: c["satisfaction"])
        text += f"满意率最低的分类为{worst['name']}（{worst['satisfaction'] * 100:.1f}%）。"
    return text


def _departments(d: dict[str, Any]) -> str:
    ranked = [r for r in d["departments"] if r["rank"] is not None]
    if not ranked:
        return "本月无成员单位办理数据。"
    text = f"参与排名的成员单位 {len(ranked)} 家。综合得分前三：" + "、".join(
        f"{r['department']}（{r['score']:.2f} 分）" for r in ranked[:3]
    )
    text += "。"
    if len(ranked) > 3:
        text += "后三：" + "、".join(f"{r['department']}（{r['score']:.2f} 分）" for r in ranked[-3:]) + "。"
    red = []
    for r in ranked:
        bad = [i["name"] for i in r["indicators"] if i["status"] == "red"]
        if bad:
            red.append(f"{r['department']}（{'、'.join(bad)}）")
    if red:
        text += "有指标未达标的单位：" + "；".join(red[:8]) + "。"
    return text


def _changes(d: dict[str, Any]) -> str:
    before = d["previous"]["indicators"]
    moves = [(f, _delta(f, before.get(f["key"]))) for f in d["indicators"]]
    moves = [(f, m) for f, m in moves if m]
    if not moves:
        return f"上月（{d['previous']['month']}）无可比数据。"
    return f"与上月（{d['previous']['month']}）相比：" + "；".join(f"{f['name']}{m}" for f, m in moves) + "。"


def _hotspots(d: dict[str, Any]) -> str:
    clusters = d["hotspots"]["clusters"][:5]
    alerts = d["hotspots"]["alerts"]
    if not clusters:
        text = "本月未出现集中的热点诉求。"
    else:
        text = "本月集中反映的问题：" + "；".join(
            f"{h['label']} {h['count']} 件（上月同期 {h['previous']} 件）" for h in clusters
        )
        text += "。"
    if alerts:
        text += f"本月共发出热点预警 {len(alerts)} 次。"
    return text


def narrative_auto(data: dict[str, Any]) -> dict[str, str]:
    """Each section's text from the snapshot (what regeneration refreshes unless the analyst edited it)."""
    return {
        "overview": _overview(data),
        "indicators": _indicators(data),
        "issues": _issues(data),
        "departments": _departments(data),
        "changes": _changes(data),
        "hotspots": _hotspots(data),
    }
