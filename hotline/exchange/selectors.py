"""Reads with rules: the Open311 catalogue and public requests, the switchboard directory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from hotline.exchange.directory import initials, query_kind
from hotline.exchange.models import Office, Open311Submission, PoliceCall, PoliceLink, SwitchboardTransfer
from hotline.exchange.open311.params import RequestQuery
from hotline.tickets.models import Category, Ticket, TicketEvent

S = Ticket.Status
# Open311 has two states. A ticket whose reply was approved (待回访) is finished for the citizen.
CLOSED_STATUSES = (S.ANSWERED, S.PENDING_VISIT, S.CLOSED, S.MERGED, S.ARCHIVED)
# Never published: unfinished intake, rejected requests, and anything the citizen asked to keep private.
HIDDEN_STATUSES = (S.DRAFT, S.INVALID)


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    description: str
    group: str
    keywords: str
    category_id: int


def open311_services() -> list[Service]:
    """Active leaf categories (no active children, every ancestor active), in code order."""
    rows = list(Category.objects.only("id", "name", "code", "parent_id", "is_active", "pinyin_initials"))
    by_id = {c.pk: c for c in rows}
    has_active_child = {c.parent_id for c in rows if c.is_active and c.parent_id}
    out = []
    for c in rows:
        if not c.is_active or c.pk in has_active_child:
            continue
        path = [c]
        while path[-1].parent_id and path[-1].parent_id in by_id:
            path.append(by_id[path[-1].parent_id])
        if not all(p.is_active for p in path):
            continue
        names = [p.name for p in reversed(path)]
        out.append(
            Service(
                code=c.code,
                name=c.name,
                description=" / ".join(names),
                group=names[0],
                keywords=",".join(dict.fromkeys([*names, c.pinyin_initials])),
                category_id=c.pk,
            )
        )
    out.sort(key=lambda s: s.code)
    return out


def open311_service(code: str) -> Service | None:
    return next((s for s in open311_services() if s.code == code), None)


def _public() -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(confidential=False, category__isnull=False)
        .exclude(status__in=HIDDEN_STATUSES)
        .select_related("category", "lead_department", "open311")
    )


def open311_requests(query: RequestQuery) -> list[Ticket]:
    """Public tickets matching the query, newest first, one page (at most 1,000)."""
    qs = _public()
    if query.ids:
        qs = qs.filter(number__in=query.ids)
    else:
        qs = qs.filter(created_at__gte=query.start, created_at__lte=query.end)
        if query.codes:
            qs = qs.filter(category__code__in=query.codes)
        if query.statuses == ("open",):
            qs = qs.exclude(status__in=CLOSED_STATUSES)
        elif query.statuses == ("closed",):
            qs = qs.filter(status__in=CLOSED_STATUSES)
    qs = qs.order_by("-created_at", "-id")
    return list(qs[query.offset : query.offset + query.page_size])


def open311_request(number: str) -> Ticket | None:
    return _public().filter(number=number).first()


def open311_token(token: str) -> Open311Submission | None:
    return Open311Submission.objects.select_related("ticket").filter(token=token).first()


# --- The switchboard directory ------------------------------------------------------------------------

SEARCH_LIMIT = 50


def offices_search(q: str, *, limit: int = SEARCH_LIMIT) -> list[Office]:
    """Active offices matching a name, pinyin initials ("sjj" finds 市市场监管局) or a phone number."""
    qs = Office.objects.filter(is_active=True).select_related("department")
    q = q.strip()[:50]
    kind = query_kind(q)
    if kind == "digits":
        digits = q.replace("-", "").replace(" ", "")
        qs = qs.filter(Q(phone__contains=digits) | Q(phone__contains=q) | Q(extension=digits))
    elif kind == "initials":
        qs = qs.filter(pinyin_initials__contains=q.lower())
    elif kind == "name":
        cond = Q(name__icontains=q) | Q(unit__icontains=q) | Q(duties__icontains=q)
        code = initials(q)
        if code and code != q.lower():
            cond |= Q(pinyin_initials__contains=code)
        qs = qs.filter(cond)
    found = list(qs.order_by("unit", "name")[: limit * 4 if kind != "empty" else limit])
    if kind == "initials":
        # Offices whose own name starts with the initials come before matches inside the unit's name.
        low = q.lower()
        found.sort(key=lambda o: (not o.pinyin_initials.startswith(low), len(o.pinyin_initials)))
    elif kind == "name":
        found.sort(key=lambda o: (q not in o.name, not o.name.startswith(q), len(o.name)))
    return found[:limit]


def transfers_recent(*, limit: int = 30) -> QuerySet[SwitchboardTransfer]:
    return SwitchboardTransfer.objects.select_related("office", "by", "ticket").order_by("-at")[:limit]


# --- 110 linkage ------------------------------------------------------------------------------------


def police_volume(*, start: datetime, end: datetime) -> dict[str, Any]:
    """Linkage volume in [start, end): links by direction and state, who owns them, three-way calls."""
    links = PoliceLink.objects.filter(created_at__gte=start, created_at__lt=end)
    by_direction: dict[str, dict[str, int]] = {
        d: dict.fromkeys(PoliceLink.State.values, 0) | {"total": 0} for d in PoliceLink.Direction.values
    }
    for row in links.values("direction", "state").annotate(n=Count("id")):
        by_direction[row["direction"]][row["state"]] = row["n"]
        by_direction[row["direction"]]["total"] += row["n"]
    owners = dict.fromkeys(("12345", "110"), 0)
    for row in links.exclude(owner="").values("owner").annotate(n=Count("id")):
        owners[row["owner"]] = row["n"]
    calls = PoliceCall.objects.filter(link__in=links).aggregate(n=Count("id"), seconds=Sum("duration_s"))
    return {
        "start": start,
        "end": end,
        "to_110": by_direction[PoliceLink.Direction.TO_110],
        "from_110": by_direction[PoliceLink.Direction.FROM_110],
        "ruled": links.filter(state=PoliceLink.State.RULED).count(),
        "owners": owners,
        "calls": calls["n"] or 0,
        "call_seconds": calls["seconds"] or 0,
    }


# mySociety's extended states (lower case on read) for our statuses; plain v2 clients see open/closed.
EXTENDED_STATUS: dict[str, str] = {
    S.DRAFT: "open",
    S.PENDING_DISPATCH: "open",
    S.DISPATCHED: "investigating",
    S.ACKNOWLEDGED: "in_progress",
    S.RETURN_PENDING: "internal_referral",
    S.EXTENSION_PENDING: "action_scheduled",
    S.REPLIED: "in_progress",
    S.PENDING_VISIT: "fixed",
    S.CLOSED: "fixed",
    S.ANSWERED: "fixed",
    S.ARCHIVED: "closed",
    S.MERGED: "duplicate",
    S.INVALID: "not_councils_responsibility",
}


def open311_updates(*, start: datetime, end: datetime, limit: int = 1000) -> list[TicketEvent]:
    """Status changes of published tickets in [start, end], oldest first (mySociety servicerequestupdates)."""
    return list(
        TicketEvent.objects.filter(
            at__gte=start,
            at__lte=end,
            ticket__confidential=False,
            ticket__category__isnull=False,
        )
        .exclude(ticket__status__in=HIDDEN_STATUSES)
        .exclude(to_status="")
        .select_related("ticket")
        .order_by("at", "id")[:limit]
    )
