"""Open311 input, pure: the GET /requests window and filters, POST attributes, text scrubbing.

Every function here raises `hotline.core.errors.InvalidInput` with the offending parameter named,
which the views turn into spec errors. An empty parameter is treated exactly like an absent one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils.dateparse import parse_date, parse_datetime

from hotline.core.errors import InvalidInput

WINDOW = timedelta(days=90)
MAX_RESULTS = 1000
MAX_IDS = 1000
STATUSES = ("open", "closed")
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,100})\](\[\])?$")


@dataclass(frozen=True)
class RequestQuery:
    """What GET /requests asks for, after applying the spec's defaults and limits."""

    ids: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    page: int = 1
    page_size: int = MAX_RESULTS

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def _csv(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in value.split(",") if p.strip()))


def parse_w3c(value: str, name: str, tz: tzinfo, *, end_of_day: bool = False) -> datetime:
    """A W3C date-time (`2010-01-01T00:00:00Z`, an offset, or a bare date); naive means local time."""
    text = value.strip().replace(" ", "+", 1) if "T" in value and " " in value else value.strip()
    parsed = None
    if "T" in text:  # parse_datetime would also take a bare date, as midnight
        try:
            parsed = parse_datetime(text)
        except ValueError:
            parsed = None
    if parsed is None:
        try:
            day: date | None = parse_date(text)
        except ValueError:
            day = None
        if day is None:
            raise InvalidInput(
                f"{name} 不是合法的 W3C 日期时间，应形如 2026-01-01T00:00:00Z 或 2026-01-01T08:00:00+08:00。",
                fields={name: "格式无效"},
            )
        parsed = datetime.combine(day, time.max if end_of_day else time.min)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def _positive(value: str, name: str, maximum: int) -> int:
    if not value.strip().isdecimal() or int(value) < 1:
        raise InvalidInput(f"{name} 应为正整数。", fields={name: "应为正整数"})
    return min(int(value), maximum)


def request_query(params: Mapping[str, str], *, now: datetime, tz: tzinfo) -> RequestQuery:
    """The filters of GET /requests; service_request_id overrides every other filter."""
    get = {
        k: (params.get(k) or "").strip()
        for k in (
            "service_request_id",
            "service_code",
            "status",
            "start_date",
            "end_date",
            "page",
            "page_size",
        )
    }
    page = _positive(get["page"], "page", 10**6) if get["page"] else 1
    page_size = _positive(get["page_size"], "page_size", MAX_RESULTS) if get["page_size"] else MAX_RESULTS
    if get["service_request_id"]:
        ids = _csv(get["service_request_id"])
        if len(ids) > MAX_IDS:
            raise InvalidInput(
                f"一次最多查询 {MAX_IDS} 个 service_request_id。", fields={"service_request_id": "过多"}
            )
        return RequestQuery(ids=ids, page=page, page_size=page_size)
    statuses = _csv(get["status"])
    bad = [s for s in statuses if s not in STATUSES]
    if bad:
        raise InvalidInput(
            f"status 只能是 open 或 closed（收到 {', '.join(bad)}）。", fields={"status": "取值无效"}
        )
    start = parse_w3c(get["start_date"], "start_date", tz) if get["start_date"] else None
    end = parse_w3c(get["end_date"], "end_date", tz, end_of_day=True) if get["end_date"] else None
    if start is None and end is None:
        end = now
    if start is None:
        assert end is not None
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if end < start:
        raise InvalidInput("end_date 早于 start_date。", fields={"end_date": "早于 start_date"})
    if end - start > WINDOW:
        raise InvalidInput("start_date 到 end_date 不能超过 90 天。", fields={"end_date": "跨度超过 90 天"})
    return RequestQuery(
        codes=_csv(get["service_code"]),
        statuses=statuses,
        start=start,
        end=end,
        page=page,
        page_size=page_size,
    )


def attributes_from(items: Iterable[tuple[str, list[str]]]) -> dict[str, list[str]]:
    """`attribute[CODE]=v` and repeated `attribute[CODE][]=v` form fields as {CODE: [values]}."""
    out: dict[str, list[str]] = {}
    for key, values in items:
        m = _ATTRIBUTE.match(key)
        if m is None:
            continue
        kept = [v.strip() for v in values if v.strip()]
        if kept:
            out.setdefault(m.group(1), []).extend(kept)
    return out


_LONG_NUMBER = re.compile(r"\d{6,}[\dXx]?")


def scrub(text: str) -> str:
    """Mask long digit runs (phone and ID numbers) in text published to anyone: 13912345678 -> 139******78."""
    return _LONG_NUMBER.sub(lambda m: m[0][:3] + "*" * (len(m[0]) - 5) + m[0][-2:], text)
