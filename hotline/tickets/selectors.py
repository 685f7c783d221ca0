"""Reads with rules: scoped lists, the department inbox, a caller's history."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, overload

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from hotline.accounts.models import Department, User
from hotline.core.errors import NotFound
from hotline.tickets.models import (
    CLOCK_STATUSES,
    OPEN_STATUSES,
    Assignment,
    Attachment,
    ClockPause,
    Ticket,
    TicketEvent,
    TicketRequest,
)
from hotline.tickets.permissions import tickets_visible_to
from hotline.tickets.search import ticket_text_q


def ticket_get(*, user: User, number: str) -> Ticket:
    """One ticket by number, within the user's scope (outside it, the ticket does not exist)."""
    ticket = (
        tickets_visible_to(user)
        .select_related(
            "category",
            "district",
            "street",
            "lead_department",
            "first_department",
            "completing_department",
            "parent",
        )
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise NotFound(f"工单 {number} 不存在或不在您的权限范围内。")
    return ticket


def ticket_list(
    *,
    user: User,
    status: list[str] | None = None,
    department: Department | None = None,
    overdue: bool | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
    text: str = "",
) -> QuerySet[Ticket]:
    """Tickets the user may see, filtered; newest first."""
    qs = tickets_visible_to(user).select_related("category", "lead_department")
    if status:
        qs = qs.filter(status__in=status)
    if department is not None:
        qs = qs.filter(assignments__department_path__startswith=department.path).distinct()
    now = timezone.now()
    if overdue is True:
        qs = qs.filter(status__in=CLOCK_STATUSES, due_at__lt=now)
    elif overdue is False:
        qs = qs.exclude(status__in=CLOCK_STATUSES, due_at__lt=now)
    tz = timezone.get_current_timezone()
    if created_from:
        qs = qs.filter(created_at__gte=datetime.combine(created_from, time.min, tzinfo=tz))
    if created_to:
        qs = qs.filter(created_at__lt=datetime.combine(created_to + timedelta(days=1), time.min, tzinfo=tz))
    text = text.strip()[:100]
    if text:
        qs = qs.filter(ticket_text_q(text))
    return qs.order_by("-created_at", "-id")


# Counting a department's whole history (or a common search term) can touch hundreds of thousands of
# rows: lists count at most this many (+1 to know there are more). Filters narrow it to an exact count.
LIST_COUNT_CAP = 10_000


def count_capped(qs: QuerySet[Any], cap: int | None = None) -> tuple[int, bool]:
    """(rows, exact): the list's size up to `cap` (default LIST_COUNT_CAP), and whether that is all of
    it. Without the list's ordering, so PostgreSQL stops after `cap` matches instead of sorting them all."""
    cap = LIST_COUNT_CAP if cap is None else cap
    counted = qs.order_by()[: cap + 1].count()
    return min(counted, cap), counted <= cap


def department_inbox(*, department: Department) -> QuerySet[Assignment]:
    """Open work held by a department subtree, soonest deadline first (the department desk's list).

    An assignment is active only while its ticket is open (the write path deactivates them when the
    ticket finishes, is merged or goes back to dispatch). The status condition is therefore
    redundant, but it lets PostgreSQL walk the partial index of open tickets by deadline
    (`ticket_open_due_idx`) for the first page. Count with `department_inbox_count`.
    """
    return (
        Assignment.objects.filter(
            active=True, department_path__startswith=department.path, ticket__status__in=OPEN_STATUSES
        )
        .select_related("ticket", "department", "ticket__category")
        .order_by("ticket__due_at", "ticket_id")
    )


def department_inbox_count(*, department: Department) -> int:
    """How many assignments `department_inbox` holds, from the partial index alone (no ticket rows)."""
    return _held_by(department).count()


def tickets_of_caller(*, user: User, phone: str, days: int = 365) -> QuerySet[Ticket]:
    """A caller's earlier tickets (for the agent's screen pop), newest first."""
    since = timezone.now() - timedelta(days=days)
    return tickets_visible_to(user).filter(citizen_phone=phone, created_at__gte=since).order_by("-created_at")


# --- Desks: the lists behind the dispatch, department, visit and supervisor desks ---------------------
# Each list is one query (plus fixed prefetches), so a page's query count does not grow with its rows.

DUE_SOON = timedelta(hours=24)


def _last_event_at(**match: object) -> Subquery:
    return Subquery(
        TicketEvent.objects.filter(ticket=OuterRef("pk"), **match).order_by("-seq").values("at")[:1]
    )


def dispatch_counts(*, user: User) -> dict[str, int]:
    """How many tickets wait in each tab of the dispatch desk (one query)."""
    S = Ticket.Status
    tabs = (S.PENDING_DISPATCH, S.RETURN_PENDING, S.EXTENSION_PENDING, S.REPLIED)
    return (
        tickets_visible_to(user)
        .filter(status__in=tabs)
        .aggregate(
            pending=Count("id", filter=Q(status=S.PENDING_DISPATCH)),
            returns=Count("id", filter=Q(status=S.RETURN_PENDING)),
            extensions=Count("id", filter=Q(status=S.EXTENSION_PENDING)),
            replies=Count("id", filter=Q(status=S.REPLIED)),
        )
    )


def dispatch_pending(*, user: User, channel: str = "") -> QuerySet[Ticket]:
    """Tickets waiting for dispatch, longest waiting first; `queued_at` is when each entered the queue."""
    qs = tickets_visible_to(user).filter(status=Ticket.Status.PENDING_DISPATCH)
    if channel:
        qs = qs.filter(channel=channel)
    return (
        qs.select_related("category", "category__parent", "first_department", "district")
        .annotate(queued_at=Coalesce("status_since", "created_at"))
        .order_by("status_since", "id")
    )


def dispatch_requests(*, user: User, kind: str) -> QuerySet[TicketRequest]:
    """Pending return or extension requests on tickets the user may see, oldest first."""
    status = (
        Ticket.Status.RETURN_PENDING if kind == TicketRequest.Kind.RETURN else Ticket.Status.EXTENSION_PENDING
    )
    return (
        TicketRequest.objects.filter(
            kind=kind,
            state=TicketRequest.State.PENDING,
            ticket__in=tickets_visible_to(user).filter(status=status),
        )
        .select_related("ticket", "ticket__category", "department", "requested_by")
        .prefetch_related(Prefetch("ticket__pauses", queryset=ClockPause.objects.order_by("started_at")))
        .order_by("requested_at", "id")
    )


def extension_preview(ticket: Ticket, days: int, *, now: datetime | None = None) -> datetime | None:
    """The deadline an extension of `days` would give if approved now (uses prefetched pauses)."""
    from hotline.core.calendar import get_calendar
    from hotline.tickets.services.deadlines import compute_due

    if ticket.clock_started_at is None:
        return None
    now = now or timezone.now()
    pauses = [
        (p.started_at, p.ended_at or now)
        for p in ticket.pauses.all()
        if p.started_at >= ticket.clock_started_at
    ]
    return compute_due(
        started_at=ticket.clock_started_at,
        budget=ticket.budget + days,
        unit=ticket.budget_unit,
        pauses=pauses,
        calendar=get_calendar(),
    )


def _lead_replies() -> QuerySet[Assignment]:
    """Active lead assignments that have replied, deepest level first (the reply the centre reviews)."""
    return Assignment.objects.filter(
        active=True, role=Assignment.Role.LEAD, state=Assignment.State.REPLIED
    ).order_by("-level")


def dispatch_replies(*, user: User) -> QuerySet[Ticket]:
    """Department replies waiting for review, oldest reply first, with the reply text and attachments."""
    return (
        tickets_visible_to(user)
        .filter(status=Ticket.Status.REPLIED)
        .select_related("category", "lead_department")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=_lead_replies().select_related("department"),
                to_attr="reply_assignments",
            ),
            Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at")),
        )
        .order_by("status_since", "id")  # entered "replied": the oldest reply first
    )


DEPARTMENT_TABS: dict[str, tuple[str, ...]] = {
    "pending": (Ticket.Status.DISPATCHED,),
    "doing": (Ticket.Status.ACKNOWLEDGED,),
    "requests": (Ticket.Status.EXTENSION_PENDING, Ticket.Status.RETURN_PENDING),
    "replied": (Ticket.Status.REPLIED, Ticket.Status.PENDING_VISIT),
}


def _held_by(department: Department) -> QuerySet[Assignment]:
    return Assignment.objects.filter(active=True, department_path__startswith=department.path)


class TicketPage:
    """Tickets in a fixed order, fetched a page at a time: ids first (index-only), then those rows.

    Quacks like a queryset for Django's Paginator (`count()` and slicing), so a page of a
    department's 20,000 open tickets reads 25 ticket rows, not 20,000.
    """

    def __init__(self, ids: QuerySet[Ticket, int], rows: QuerySet[Ticket], count: int | None = None) -> None:
        self._ids, self._rows, self._count = ids, rows, count

    def count(self) -> int:
        if self._count is None:
            self._count = self._ids.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Ticket]:
        return iter(self[0 : self.count()])

    @overload
    def __getitem__(self, index: int) -> Ticket: ...
    @overload
    def __getitem__(self, index: slice) -> list[Ticket]: ...
    def __getitem__(self, index: int | slice) -> Ticket | list[Ticket]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        ids = list(self._ids[index])
        found = {t.pk: t for t in self._rows.filter(pk__in=ids)}
        return [found[i] for i in ids if i in found]


def department_tickets(
    *, department: Department, tab: str = "", overdue: bool = False, count: int | None = None
) -> TicketPage:
    """Tickets held by the department subtree (active assignments), soonest deadline first.

    Each ticket appears once; `held` lists the subtree's active assignments on it. The open-status
    condition is implied by `active` but lets PostgreSQL walk `ticket_open_due_idx`. Pass `count`
    when the caller already knows it (department_counts).
    """
    held = _held_by(department)
    qs = Ticket.objects.filter(status__in=OPEN_STATUSES).filter(Exists(held.filter(ticket=OuterRef("pk"))))
    if tab in DEPARTMENT_TABS:
        qs = qs.filter(status__in=DEPARTMENT_TABS[tab])
    if overdue:
        qs = qs.filter(status__in=CLOCK_STATUSES, due_at__lt=timezone.now())
    ids = qs.order_by(F("due_at").asc(nulls_last=True), "id").values_list("pk", flat=True)
    rows = Ticket.objects.select_related("category", "lead_department").prefetch_related(
        Prefetch(
            "assignments", queryset=held.select_related("department").order_by("level", "id"), to_attr="held"
        )
    )
    return TicketPage(ids, rows, count)


def department_counts(*, department: Department) -> dict[str, int]:
    """Counts for the department desk's filters (one query, index-only on PostgreSQL)."""
    now = timezone.now()
    qs = Ticket.objects.filter(
        status__in=OPEN_STATUSES, pk__in=_held_by(department).values("ticket_id")
    ).order_by()
    agg = {name: Count("id", filter=Q(status__in=statuses)) for name, statuses in DEPARTMENT_TABS.items()}
    return qs.aggregate(
        all=Count("id"),
        overdue=Count("id", filter=Q(status__in=CLOCK_STATUSES, due_at__lt=now)),
        **agg,
    )


@dataclass
class LoadRow:
    """One line of a department's load: the department itself or one direct sub-department's subtree."""

    department: Department
    own: bool = False
    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    pending_ack: int = 0
    ack_seconds: list[float] = field(default_factory=list)

    @property
    def avg_ack_hours(self) -> float | None:
        return round(sum(self.ack_seconds) / len(self.ack_seconds) / 3600, 1) if self.ack_seconds else None

    @property
    def avg_ack_label(self) -> str:
        """The average time to acknowledge in words: minutes under an hour, else hours."""
        if not self.ack_seconds:
            return "—"
        seconds = sum(self.ack_seconds) / len(self.ack_seconds)
        return f"{round(seconds / 60)} 分钟" if seconds < 3600 else f"{seconds / 3600:.1f} 小时"


def department_load(*, department: Department, days: int = 30) -> tuple[list[LoadRow], LoadRow]:
    """Open work, overdue, due within 24 h and average acknowledge time per direct sub-department (3 queries)."""
    now = timezone.now()
    children = list(Department.objects.filter(parent=department, is_active=True).order_by("path"))
    rows = [LoadRow(department, own=True), *(LoadRow(c) for c in children)]
    total = LoadRow(department)

    def bucket(path: str) -> LoadRow:
        for row in rows[1:]:
            if path.startswith(row.department.path):
                return row
        return rows[0]

    # A ticket passed down (district -> street) counts once, for the deepest unit holding it.
    deepest: dict[int, tuple[str, str, datetime | None, bool]] = {}
    held = (
        department_inbox(department=department)
        .filter(ticket__status__in=CLOCK_STATUSES | {Ticket.Status.REPLIED})
        .values_list("department_path", "ticket_id", "ticket__status", "ticket__due_at", "state")
    )
    for path, ticket_id, status, due_at, state in held:
        if ticket_id not in deepest or len(path) > len(deepest[ticket_id][0]):
            deepest[ticket_id] = (path, status, due_at, state == Assignment.State.PENDING)
    for path, status, due_at, unacknowledged in deepest.values():
        for r in (bucket(path), total):
            r.open += 1
            if status == Ticket.Status.DISPATCHED and unacknowledged:
                r.pending_ack += 1
            if status in CLOCK_STATUSES and due_at is not None:
                if due_at < now:
                    r.overdue += 1
                elif due_at <= now + DUE_SOON:
                    r.due_soon += 1
    acks = Assignment.objects.filter(
        department_path__startswith=department.path,
        acknowledged_at__isnull=False,
        acknowledged_at__gte=now - timedelta(days=days),
    ).values_list("department_path", "assigned_at", "acknowledged_at")
    for path, assigned_at, acknowledged_at in acks:
        if acknowledged_at is None:
            continue
        seconds = max((acknowledged_at - assigned_at).total_seconds(), 0.0)
        bucket(path).ack_seconds.append(seconds)
        total.ack_seconds.append(seconds)
    return rows, total


def visit_worklist(*, user: User) -> QuerySet[Ticket]:
    """Tickets waiting for a callback visit, oldest first, with attempts so far and the department's reply."""
    attempts = (
        TicketEvent.objects.filter(ticket=OuterRef("pk"), action="visit")
        .order_by()
        .values("ticket")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        tickets_visible_to(user)
        .filter(status=Ticket.Status.PENDING_VISIT)
        .select_related("category", "completing_department")
        .annotate(
            waiting_since=Coalesce("status_since", "replied_at", "created_at"),
            attempts=Coalesce(Subquery(attempts), 0),
            last_attempt_at=_last_event_at(action="visit"),
        )
        .prefetch_related(Prefetch("assignments", queryset=_lead_replies(), to_attr="reply_assignments"))
        .order_by("status_since", "id")
    )


def visits_recent(*, user: User, limit: int = 10) -> QuerySet[TicketEvent]:
    """The user's latest recorded visits."""
    return (
        TicketEvent.objects.filter(actor=user, action="visit")
        .select_related("ticket")
        .order_by("-at", "-id")[:limit]
    )


def overview_status_counts(*, user: User, statuses: Iterable[str]) -> dict[str, int]:
    """Tickets in each of the given statuses (one query, by the status index)."""
    rows = (
        tickets_visible_to(user)
        .filter(status__in=list(statuses))
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    )
    return {r["status"]: r["n"] for r in rows}


def overview_by_department(*, user: User) -> list[dict[str, Any]]:
    """Per lead department: open (held or awaiting review), overdue and due within 24 h; busiest first."""
    now = timezone.now()
    clock = Q(status__in=CLOCK_STATUSES)
    rows = (
        tickets_visible_to(user)
        .filter(lead_department__isnull=False, status__in=CLOCK_STATUSES | {Ticket.Status.REPLIED})
        .order_by()
        .values("lead_department", "lead_department__name", "lead_department__code")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=clock & Q(due_at__lt=now)),
            due_soon=Count("id", filter=clock & Q(due_at__gte=now, due_at__lte=now + DUE_SOON)),
        )
        .order_by("-overdue", "-open", "lead_department__name")
    )
    return [
        {
            "id": r["lead_department"],
            "name": r["lead_department__name"],
            "code": r["lead_department__code"],
            "open": r["open"],
            "overdue": r["overdue"],
            "due_soon": r["due_soon"],
        }
        for r in rows
    ]


def tickets_due(*, user: User, overdue: bool) -> QuerySet[Ticket]:
    """Held tickets past their deadline (most overdue first) or due within 24 h (soonest first)."""
    now = timezone.now()
    qs = tickets_visible_to(user).filter(status__in=CLOCK_STATUSES, due_at__isnull=False)
    qs = qs.filter(due_at__lt=now) if overdue else qs.filter(due_at__gte=now, due_at__lte=now + DUE_SOON)
    return qs.select_related("category", "lead_department").order_by("due_at", "id")


def overview_daily(*, user: User, days: int = 30) -> dict[str, list[Any]]:
    """Daily intake and closed counts over the last `days` days (two queries)."""
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    start_day = today - timedelta(days=days - 1)
    since = datetime.combine(start_day, time.min, tzinfo=tz)
    visible = tickets_visible_to(user).order_by()
    intake = dict(
        visible.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    closed = dict(
        visible.filter(closed_at__gte=since)
        .annotate(day=TruncDate("closed_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    labels = [start_day + timedelta(days=i) for i in range(days)]
    return {
        "days": [d.strftime("%m-%d") for d in labels],
        "intake": [intake.get(d, 0) for d in labels],
        "closed": [closed.get(d, 0) for d in labels],
    }
