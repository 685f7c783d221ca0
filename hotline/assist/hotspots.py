"""Hotspots (热点): recent tickets grouped by topic and place, ranked by volume and growth (a pure engine).

A cluster is (topic, place): topic is the ticket's category, place the road, estate or village named in
its address (within its district), else its street or district. One construction site's night noise
becomes "噪声扰民 · 东城区 幸福路"; a spike is a cluster whose recent count reaches `min_count` and is
at least `growth` times the previous window's (smoothed by one, so a brand-new cluster of 5 counts as 6×).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

PLACE_PATTERN = _PLACE = re.compile(
    r"([\u4e00-\u9fa5]{1,10}?(?:大道|大街|路|街|巷|弄|小区|花园|苑|村|社区|广场|市场|公园|工地))"
)
_DISTRICT_PREFIX = re.compile(r"^.*?(?:省|市)?[\u4e00-\u9fa5]{1,6}?(?:区|县)")


@dataclass(frozen=True)
class Item:
    number: str
    created_at: datetime
    topic: str  # category name, or "" when unclassified
    district: str = ""
    street: str = ""
    address: str = ""


@dataclass
class Hotspot:
    key: str
    topic: str
    place: str
    count: int = 0
    previous: int = 0
    numbers: list[str] = field(default_factory=list)

    @property
    def growth(self) -> float:
        return (self.count + 1) / (self.previous + 1)

    @property
    def label(self) -> str:
        return f"{self.topic} · {self.place}" if self.place else self.topic


def place_of(item: Item) -> str:
    """The narrowest place the ticket names: a road or estate in its address, else its street or district."""
    address = unicodedata.normalize("NFKC", item.address or "").replace(" ", "")
    address = _DISTRICT_PREFIX.sub("", address, count=1) if item.district else address
    m = _PLACE.search(address)
    if m:
        return f"{item.district} {m.group(1)}".strip()
    return item.street or item.district


def hotspots_rank(
    items: Iterable[Item],
    *,
    now: datetime,
    window: timedelta = timedelta(days=7),
    min_count: int = 3,
) -> list[Hotspot]:
    """Clusters with at least `min_count` tickets in the last `window`, by count then growth."""
    start, prev_start = now - window, now - 2 * window
    clusters: dict[str, Hotspot] = {}
    counts_prev: dict[str, int] = defaultdict(int)
    for it in items:
        if not it.topic or it.created_at < prev_start or it.created_at > now:
            continue
        place = place_of(it)
        key = f"{it.topic}|{place}"
        if it.created_at >= start:
            h = clusters.setdefault(key, Hotspot(key=key, topic=it.topic, place=place))
            h.count += 1
            h.numbers.append(it.number)
        else:
            counts_prev[key] += 1
    out = [h for h in clusters.values() if h.count >= min_count]
    for h in out:
        h.previous = counts_prev.get(h.key, 0)
    out.sort(key=lambda h: (-h.count, -h.growth, h.key))
    return out


def spikes(hotspots: Iterable[Hotspot], *, min_count: int = 5, growth: float = 2.0) -> list[Hotspot]:
    """The hotspots that warrant an early warning."""
    return [h for h in hotspots if h.count >= min_count and h.growth >= growth]
