"""The daily hotspot early warning: record each spiking cluster once per day."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from hotline.assist.hotspots import Hotspot, Item, hotspots_rank, spikes
from hotline.assist.models import HotspotAlert
from hotline.tickets.models import Ticket

WINDOW = timedelta(days=7)
# Bounds the daily scan: a city takes ~3,000 contacts a day, so two weeks stay well below this.
SCAN_MAX = 200_000


def hotspot_items(*, now: datetime, window: timedelta = WINDOW) -> list[Item]:
    """Submitted tickets of the last two windows, as the engine reads them."""
    rows = (
        Ticket.objects.exclude(status=Ticket.Status.DRAFT)
        .filter(created_at__gte=now - 2 * window, created_at__lte=now)
        .order_by("-created_at")
        .values_list("number", "created_at", "category__name", "district__name", "street__name", "address")
    )[:SCAN_MAX]
    return [
        Item(number=n, created_at=c, topic=cat or "", district=d or "", street=s or "", address=a or "")
        for n, c, cat, d, s, a in rows.iterator(chunk_size=5000)
    ]


def hotspots_current(*, now: datetime | None = None, min_count: int = 3) -> list[Hotspot]:
    """Clusters of the last 7 days ranked by volume and growth."""
    now = now or timezone.now()
    return hotspots_rank(hotspot_items(now=now), now=now, window=WINDOW, min_count=min_count)


def hotspots_period(start: datetime, end: datetime, *, min_count: int = 3) -> list[Hotspot]:
    """Clusters of tickets created in [start, end), ranked by volume then growth over the equally long
    period before (a month's report: start = the 1st, end = the next month's 1st)."""
    if end <= start:
        return []
    window = end - start
    # The engine counts up to and including `now`; a ticket at exactly `end` belongs to the next period.
    items = [it for it in hotspot_items(now=end, window=window) if it.created_at < end]
    return hotspots_rank(items, now=end, window=window, min_count=min_count)


def hotspots_detect(
    *, now: datetime | None = None, min_count: int = 5, growth: float = 2.0
) -> list[HotspotAlert]:
    """Record today's spiking clusters (HotspotAlert); running it again the same day adds nothing."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    created = []
    for h in spikes(hotspots_current(now=now), min_count=min_count, growth=growth):
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
