"""Hotspots of a period from the database, and the daily early warning (record each spike once per day).

One implementation serves the 热点 page, the board panel, the daily warning and the monthly report. The
two windows are read once as bare keys (id, category, district, street, address: no text, no dates), so
the engine's place rule runs once per distinct address; a (category, place) group too small to hold a
hotspot is never read further. The groups that can are read as an even sample of at most `TOPIC_CAP`
texts (`PREVIOUS_CAP` of the window before) and split into topics by the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from hotline.accounts.models import Department
from hotline.assist.hotspots import (
    PREVIOUS_CAP,
    TOPIC_CAP,
    UNCLASSIFIED,
    Group,
    Hotspot,
    Item,
    even_sample,
    group_topics,
    hotspot_order,
    place_of,
    spikes,
)
from hotline.assist.models import HotspotAlert
from hotline.tickets.models import Category, Ticket

WINDOW = timedelta(days=7)
# Tickets without a category classified per window by the category model (the newest).
UNCLASSIFIED_MAX = 2_000
_FIELDS = ("id", "number", "created_at", "title", "content", "district__name", "street__name", "address")
Key = tuple[int, int | None, int | None, int | None, str]  # id, category, district, street, address


@dataclass
class _Ids:
    """A (category, place) group's ticket ids per window (sorted, ids are the order of creation)."""

    group: Group
    current: list[int] = field(default_factory=list)
    previous: list[int] = field(default_factory=list)


def _submitted(start: datetime, end: datetime) -> QuerySet[Ticket]:
    return Ticket.objects.exclude(status=Ticket.Status.DRAFT).filter(
        created_at__gte=start, created_at__lt=end
    )


def _keys(start: datetime, end: datetime) -> list[Key]:
    rows = _submitted(start, end).values_list("id", "category_id", "district_id", "street_id", "address")
    return list(rows.iterator(chunk_size=5000))


def _item(row: tuple, topic: str, suggested: bool = False) -> Item:
    _, number, created_at, title, content, district, street, address = row
    return Item(
        number=number, created_at=created_at, topic=topic, district=district or "", street=street or "",
        address=address or "", text=f"{title}\n{content}".strip(), suggested=suggested,
    )  # fmt: skip


def _suggested(ids: list[int]) -> dict[int, Item]:
    """Tickets without a category under the category model's first suggestion when it is sure enough
    (the catalogue's 按建议分类 bar), else under 未分类."""
    from hotline.assist.selectors import CATEGORY_RULE_MIN, models_active

    if not ids:
        return {}
    rows = list(Ticket.objects.filter(id__in=ids).values_list(*_FIELDS))
    _, _, model = models_active()
    tops = model.predict_top_many([f"{r[3]}\n{r[4]}".strip() for r in rows], 1) if model and rows else []
    names = dict(Category.objects.filter(code__in={t[0][0] for t in tops if t}).values_list("code", "name"))
    out = {}
    for i, row in enumerate(rows):
        code, p = tops[i][0] if i < len(tops) and tops[i] else ("", 0.0)
        sure = p >= CATEGORY_RULE_MIN and code in names
        out[row[0]] = _item(row, names[code] if sure else UNCLASSIFIED, suggested=sure)
    return out


def _groups(start: datetime, end: datetime) -> tuple[dict[tuple[str, str], _Ids], dict[int, Item]]:
    """Every (category, place) group of the period and the one before with its ids; and the tickets
    without a category, already read and classified."""
    windows = (_keys(start, end), _keys(start - (end - start), start))
    cats = dict(Category.objects.filter(id__in={k[1] for w in windows for k in w}).values_list("id", "name"))
    named = {x for w in windows for k in w for x in k[2:4] if x is not None}
    depts: dict[int | None, str] = dict(Department.objects.filter(id__in=named).values_list("id", "name"))
    loose = [sorted((k[0] for k in w if k[1] is None), reverse=True)[:UNCLASSIFIED_MAX] for w in windows]
    ready = _suggested(loose[0] + loose[1])
    places: dict[tuple[int | None, int | None, str], str] = {}
    groups: dict[tuple[str, str], _Ids] = {}
    for w, keys in enumerate(windows):
        for pk, cat, district, street, address in keys:
            if cat is None and pk not in ready:
                continue  # beyond UNCLASSIFIED_MAX
            where = (district, street, address or "")
            if where not in places:
                item = Item("", start, "", depts.get(district, ""), depts.get(street, ""), address or "")
                places[where] = place_of(item)
            topic = cats[cat] if cat is not None else ready[pk].topic
            g = groups.get((topic, places[where]))
            if g is None:
                g = groups[(topic, places[where])] = _Ids(Group(topic=topic, place=places[where]))
            (g.current if w == 0 else g.previous).append(pk)
    for g in groups.values():
        g.group.count, g.group.count_previous = len(g.current), len(g.previous)
    return groups, ready


def _read(g: _Ids, ready: dict[int, Item]) -> Group:
    """The group with an even sample of its texts per window (one query)."""
    current, previous = (
        even_sample(sorted(g.current), TOPIC_CAP),
        even_sample(sorted(g.previous), PREVIOUS_CAP),
    )
    missing = [pk for pk in current + previous if pk not in ready]
    rows = {r[0]: r for r in Ticket.objects.filter(id__in=missing).values_list(*_FIELDS)} if missing else {}

    def get(pk: int) -> Item:
        return ready[pk] if pk in ready else _item(rows[pk], g.group.topic)

    g.group.current, g.group.previous = [get(pk) for pk in current], [get(pk) for pk in previous]
    return g.group


def hotspots_period(
    start: datetime, end: datetime, *, min_count: int = 3, limit: int | None = None
) -> list[Hotspot]:
    """Topics of tickets created in [start, end) with at least `min_count` tickets, ranked by volume then
    growth over the equally long period before (a month's report: start = the 1st, end = the next 1st).
    With `limit`, groups are split largest first and splitting stops once no smaller group can enter the top."""
    if end <= start:
        return []
    groups, ready = _groups(start, end)
    candidates = sorted(
        (g for g in groups.values() if g.group.count >= min_count),
        key=lambda g: (-g.group.count, g.group.topic, g.group.place),
    )
    out: list[Hotspot] = []
    for g in candidates:
        if limit is not None and len(out) >= limit:
            out.sort(key=hotspot_order)
            if out[limit - 1].count > g.group.count:
                break  # every later group is smaller than the last of the top `limit`
        out += group_topics(_read(g, ready), min_count=min_count)
    out.sort(key=hotspot_order)
    return out[:limit] if limit is not None else out


def hotspots_current(
    *, now: datetime | None = None, min_count: int = 3, limit: int | None = None
) -> list[Hotspot]:
    """Topics of the last 7 days ranked by volume and growth."""
    now = now or timezone.now()
    return hotspots_period(now - WINDOW, now, min_count=min_count, limit=limit)


def hotspots_detect(
    *, now: datetime | None = None, min_count: int = 5, growth: float = 2.0
) -> list[HotspotAlert]:
    """Record today's spiking topics (HotspotAlert); running it again the same day adds nothing."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    created = []
    for h in spikes(hotspots_current(now=now, min_count=min_count), min_count=min_count, growth=growth):
        alert, is_new = HotspotAlert.objects.get_or_create(
            day=day,
            key=h.key[:200],
            defaults={
                "label": h.label[:200],
                "place": h.place[:200],
                "count": h.count,
                "previous": h.previous,
                "growth": round(h.growth, 2),
                "numbers": h.numbers[:50],
            },
        )
        if is_new:
            created.append(alert)
    return created
