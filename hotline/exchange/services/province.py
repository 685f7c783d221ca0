"""The provincial platform exchange: pull its new tickets, push acceptance/status/replies, reconcile."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hotline.core.errors import ServiceError
from hotline.exchange import conf
from hotline.exchange.models import ExchangeCursor, ProvinceOutbox
from hotline.exchange.province.client import ProvinceError, call
from hotline.exchange.services.outbox import retry_due
from hotline.exchange.webhook_signing import backoff_seconds
from hotline.tickets.models import ExternalRef, Ticket, TicketEvent
from hotline.tickets.services import TicketInput, ticket_create

log = logging.getLogger(__name__)

FEED = "province-feed"
PAGE = 100
MAX_PAGES = 50
MAX_ATTEMPTS = 10
LEASE = timedelta(seconds=60)
DUE_BATCH = 200
TYPES = {label: value for value, label in Ticket.Type.choices}


@dataclass
class PullResult:
    created: list[str] = field(default_factory=list)  # our ticket numbers
    seen: int = 0
    rejected: list[str] = field(default_factory=list)  # "province id: why"
    cursor: str = ""


def _cursor() -> ExchangeCursor:
    row, _ = ExchangeCursor.objects.get_or_create(name=FEED, defaults={"value": "0"})
    return row


def _outbox_add(ticket: Ticket, province_id: str, kind: str, payload: dict[str, Any], key: str) -> None:
    row, created = ProvinceOutbox.objects.get_or_create(
        idempotency_key=key,
        defaults={"ticket": ticket, "province_id": province_id, "kind": kind, "payload": payload},
    )
    if created:
        from hotline.exchange.tasks import province_deliver_task

        transaction.on_commit(lambda: province_deliver_task(row.pk))


def _ticket_input(item: dict[str, Any]) -> TicketInput:
    pid = str(item.get("id", "")).strip()
    title, content = str(item.get("title", "")).strip(), str(item.get("content", "")).strip()
    if not pid or len(pid) > 100:
        raise ServiceError("缺少或无效的省平台工单号", code="invalid")
    if not content:
        raise ServiceError("诉求内容为空", code="invalid")
    phone = str(item.get("citizen_phone", "")).strip()
    return TicketInput(
        title=(title or content[:20])[:200],
        content=content,
        type=TYPES.get(str(item.get("type", "")), Ticket.Type.OTHER),
        channel=Ticket.Channel.PROVINCE,
        address=str(item.get("address", "")).strip()[:300],
        citizen_name=str(item.get("citizen_name", "")).strip()[:60],
        citizen_phone=phone[:30],
        no_callback=not phone,
        external_refs={ExternalRef.System.PROVINCE: pid},
    )


def province_ticket_take(item: dict[str, Any]) -> tuple[Ticket, bool]:
    """One provincial ticket in (pending dispatch, channel 省平台) and its acceptance queued; once per id."""
    data = _ticket_input(item)
    pid = data.external_refs[ExternalRef.System.PROVINCE]
    with transaction.atomic():
        ticket, created = ticket_create(data=data, by=None, submit=True)
        ticket.refresh_from_db(fields=["number"])
        payload = {"number": ticket.number, "accepted_at": timezone.localtime(ticket.created_at).isoformat()}
        _outbox_add(ticket, pid, ProvinceOutbox.Kind.ACCEPT, payload, f"accept:{pid}")
    return ticket, created


def province_pull(*, max_pages: int = MAX_PAGES) -> PullResult:
    """Read the province's feed from where we got to; every new ticket becomes ours (idempotent)."""
    result = PullResult()
    cursor = _cursor()
    after = int(cursor.value or 0)
    for _ in range(max_pages):
        page = call("GET", "/api/v1/tickets", query={"after": after, "limit": PAGE})
        items = page.get("tickets")
        if not isinstance(items, list):
            raise ProvinceError("省平台工单列表格式无效")
        for item in items:
            result.seen += 1
            if not isinstance(item, dict):
                result.rejected.append("?: 不是对象")
                continue
            try:
                ticket, created = province_ticket_take(item)
            except ServiceError as exc:
                log.warning("province: ticket %s rejected: %s", item.get("id"), exc.message)
                result.rejected.append(f"{item.get('id', '?')}: {exc.message}")
                continue
            if created:
                result.created.append(ticket.number)
        after = int(page.get("next") or after)
        ExchangeCursor.objects.filter(pk=cursor.pk).update(value=str(after), updated_at=timezone.now())
        if not page.get("more"):
            break
    result.cursor = str(after)
    if result.created:
        log.info("province: pulled %s new tickets (cursor %s)", len(result.created), after)
    return result


def province_ticket_event(event_id: int) -> None:
    """After a change of a provincial ticket commits: queue its status (and reply) push, once per event."""
    event = TicketEvent.objects.select_related("ticket").filter(pk=event_id).first()
    if event is None or event.action == "create":
        return
    ticket = event.ticket
    ref = ExternalRef.objects.filter(ticket=ticket, system=ExternalRef.System.PROVINCE).first()
    if ref is None:
        return
    at = timezone.localtime(event.at).isoformat()
    with transaction.atomic():
        if event.from_status != event.to_status:
            payload = {"status": event.to_status, "label": Ticket.Status(event.to_status).label, "at": at}
            _outbox_add(ticket, ref.ref, ProvinceOutbox.Kind.STATUS, payload, f"status:{ref.ref}:{event.seq}")
        if event.action in ("reply", "answer") and event.note:
            department = ticket.lead_department.name if ticket.lead_department else "12345热线"
            payload = {"reply": event.note, "department": department, "at": at}
            _outbox_add(ticket, ref.ref, ProvinceOutbox.Kind.REPLY, payload, f"reply:{ref.ref}:{event.seq}")


def ticket_event_pushed(event: TicketEvent) -> None:
    """From the TicketEvent signal: only provincial tickets cost anything."""
    if event.ticket.channel != Ticket.Channel.PROVINCE or event.action == "create":
        return
    pk = event.pk
    transaction.on_commit(lambda: province_ticket_event(pk))


def province_deliver(row_id: int) -> ProvinceOutbox | None:
    """One attempt of a due push, in order per ticket; claimed by compare-and-swap, never sent twice at once."""
    now = timezone.now()
    row = ProvinceOutbox.objects.filter(pk=row_id).first()
    if row is None or row.status != ProvinceOutbox.Status.PENDING or row.next_attempt_at > now:
        return row
    if not conf.get_bool("PROVINCE_ENABLED"):
        return row
    earlier = ProvinceOutbox.objects.filter(
        ticket_id=row.ticket_id, status=ProvinceOutbox.Status.PENDING, pk__lt=row.pk
    ).exists()
    if earlier:
        return row  # the province must see acceptance before status; the retry sweep comes back
    claimed = ProvinceOutbox.objects.filter(
        pk=row.pk, status=ProvinceOutbox.Status.PENDING, attempts=row.attempts, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    if claimed != 1:
        return row
    row.attempts += 1
    try:
        call(
            "POST",
            f"/api/v1/tickets/{row.province_id}/{row.kind}",
            body=row.payload,
            idempotency_key=row.idempotency_key,
        )
    except ProvinceError as exc:
        row.last_status_code, row.last_error = exc.status, exc.message[:300]
        if exc.permanent or row.attempts >= MAX_ATTEMPTS:
            row.status = ProvinceOutbox.Status.GAVE_UP
            log.warning(
                "province push %s (%s %s) gave up: %s", row.pk, row.kind, row.province_id, exc.message
            )
        else:
            wait = backoff_seconds(row.attempts)
            row.next_attempt_at = timezone.now() + timedelta(seconds=wait)
            log.info("province push %s failed (%s); retry in %s s", row.pk, exc.message, wait)
            from hotline.exchange.tasks import province_deliver_task

            pk = row.pk
            transaction.on_commit(lambda: province_deliver_task.schedule((pk,), delay=wait))
    else:
        row.status, row.delivered_at, row.last_status_code, row.last_error = (
            ProvinceOutbox.Status.DELIVERED, timezone.now(), 200, "",
        )  # fmt: skip
    row.save(update_fields=["status", "delivered_at", "last_status_code", "last_error", "next_attempt_at"])
    if row.status == ProvinceOutbox.Status.DELIVERED:
        following = (
            ProvinceOutbox.objects.filter(
                ticket_id=row.ticket_id, status=ProvinceOutbox.Status.PENDING, pk__gt=row.pk
            )
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
        if following:
            province_deliver(following)
    return row


def province_retry_due(*, limit: int = DUE_BATCH) -> int:
    """Try every pending push whose time has come, oldest first (the periodic sweep)."""
    return retry_due(ProvinceOutbox, province_deliver, limit=limit)


def province_redeliver(*, row: ProvinceOutbox) -> ProvinceOutbox | None:
    """An admin's "retry now": back to pending with attempts counted afresh (same Idempotency-Key)."""
    ProvinceOutbox.objects.filter(pk=row.pk).update(
        status=ProvinceOutbox.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    return province_deliver(row.pk)


@dataclass(frozen=True)
class Mismatch:
    kind: str
    province_id: str
    number: str
    here: str
    there: str

    @property
    def label(self) -> str:
        return KINDS.get(self.kind, self.kind)


KINDS = {
    "missing_here": "省平台有、本地没有（未拉取）",
    "missing_there": "本地有省平台编号、省平台查无此单",
    "not_accepted": "省平台未记录受理编号",
    "number_differs": "受理编号不一致",
    "status_differs": "状态不一致",
}


def province_reconcile(*, max_pages: int = MAX_PAGES) -> list[Mismatch]:
    """Compare every provincial ticket on both sides; pending pushes are reported with their mismatch."""
    remote: dict[str, dict[str, Any]] = {}
    after = 0
    for _ in range(max_pages):
        page = call("GET", "/api/v1/tickets", query={"after": after, "limit": 200})
        for item in page.get("tickets") or []:
            if isinstance(item, dict) and item.get("id"):
                remote[str(item["id"])] = item
        after = int(page.get("next") or after)
        if not page.get("more"):
            break
    local = {
        r.ref: r.ticket
        for r in ExternalRef.objects.filter(system=ExternalRef.System.PROVINCE).select_related("ticket")
    }
    out: list[Mismatch] = []
    for pid, item in remote.items():
        ticket = local.get(pid)
        if ticket is None:
            out.append(
                Mismatch("missing_here", pid, "", "", str(item.get("status_label") or item.get("status")))
            )
            continue
        there_number = str(item.get("city_number") or "")
        if not there_number:
            out.append(Mismatch("not_accepted", pid, ticket.number, ticket.number, "未受理"))
        elif there_number != ticket.number:
            out.append(Mismatch("number_differs", pid, ticket.number, ticket.number, there_number))
        elif str(item.get("status")) not in (ticket.status, "accepted" if ticket.status == Ticket.Status.PENDING_DISPATCH else ""):  # fmt: skip
            out.append(
                Mismatch("status_differs", pid, ticket.number, ticket.get_status_display(), str(item.get("status_label") or item.get("status")))
            )  # fmt: skip
    for pid, ticket in local.items():
        if pid not in remote:
            out.append(Mismatch("missing_there", pid, ticket.number, ticket.get_status_display(), ""))
    return sorted(out, key=lambda m: (m.kind, m.province_id))
