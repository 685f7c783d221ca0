"""12345–110 linkage (国办发〔2022〕12号): hand a ticket to 110 or take one from it, with a shared reference,
record three-way calls, and settle disputed ownership by the first-receiver rule (首接负责)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from hotline.accounts.models import Role, User
from hotline.core.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed
from hotline.exchange.models import PoliceCall, PoliceLink
from hotline.tickets.models import FINAL_STATUSES, ExternalRef, Ticket
from hotline.tickets.services import TicketInput, ticket_create

log = logging.getLogger(__name__)

LINK_ROLES = frozenset({Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR})
RULE_ROLES = frozenset({Role.DISPATCHER, Role.SUPERVISOR})
REF_MAX = 50
REASON_MAX = 500
CALL_MAX_SECONDS = 4 * 3600
L = PoliceLink


def _role(by: User, roles: frozenset[str], what: str) -> None:
    if by.role not in roles:
        raise NotAllowed(f"您的角色不能{what}。")


def _text(value: str, name: str, label: str, limit: int, *, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput(f"请填写{label}。", fields={name: "必填"})
    if len(value) > limit:
        raise InvalidInput(f"{label}不能超过 {limit} 字。", fields={name: "过长"})
    return value


def _bind_ref(ticket: Ticket, ref: str) -> None:
    """The 110 reference belongs to one ticket only; binding it twice to the same ticket is harmless."""
    found = ExternalRef.objects.filter(system=ExternalRef.System.POLICE, ref=ref).first()
    if found is not None:
        if found.ticket_id != ticket.pk:
            raise Conflict(f"接警单号 {ref} 已关联其他工单。", fields={"police_ref": "已被使用"})
        return
    try:
        with transaction.atomic():
            ExternalRef.objects.create(ticket=ticket, system=ExternalRef.System.POLICE, ref=ref)
    except IntegrityError as exc:
        raise Conflict(f"接警单号 {ref} 已关联其他工单。", fields={"police_ref": "已被使用"}) from exc


def police_transfer_out(*, ticket: Ticket, by: User, reason: str, police_ref: str = "") -> PoliceLink:
    """Hand a ticket to 110 (警情, or 12345 cannot act); it waits for 110's answer."""
    _role(by, LINK_ROLES, "转 110")
    reason = _text(reason, "reason", "转办理由", REASON_MAX)
    ref = _text(police_ref, "police_ref", "接警单号", REF_MAX, required=False)
    if ticket.status in FINAL_STATUSES:
        raise InvalidTransition(f"工单已{ticket.get_status_display()}，不能再转 110。")
    with transaction.atomic():
        Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
        if PoliceLink.objects.filter(ticket=ticket, state=L.State.PENDING).exists():
            raise Conflict("该工单已转 110，正在等待答复。")
        if ref:
            _bind_ref(ticket, ref)
        try:
            with transaction.atomic():
                link = PoliceLink.objects.create(
                    ticket=ticket, direction=L.Direction.TO_110, police_ref=ref, reason=reason,
                    state=L.State.PENDING, created_by=by,
                )  # fmt: skip
        except IntegrityError as exc:  # a concurrent twin got there first
            raise Conflict("该工单已转 110，正在等待答复。") from exc
    log.info("police: ticket %s to 110 by %s", ticket.number, by.username)
    return link


@dataclass
class PoliceIntake:
    police_ref: str
    content: str
    title: str = ""
    address: str = ""
    citizen_phone: str = ""
    citizen_name: str = ""
    reason: str = "非警务求助，转 12345 办理"


def police_transfer_in(*, data: PoliceIntake, by: User) -> tuple[PoliceLink, bool]:
    """Take a request 110 hands over; the 接警单号 makes a repeated hand-over return the first ticket."""
    _role(by, LINK_ROLES, "登记 110 转入")
    ref = _text(data.police_ref, "police_ref", "接警单号", REF_MAX)
    reason = _text(data.reason, "reason", "转办理由", REASON_MAX)
    content = data.content.strip()
    title = data.title.strip() or f"110 转入：{content[:20]}"
    ticket_data = TicketInput(
        title=title[:200],
        content=content,
        type=Ticket.Type.HELP,
        channel=Ticket.Channel.POLICE,
        hotline=Ticket.Hotline.H110,
        address=data.address.strip(),
        citizen_phone=data.citizen_phone.strip(),
        citizen_name=data.citizen_name.strip(),
        external_refs={ExternalRef.System.POLICE: ref},
    )
    with transaction.atomic():
        ticket, created = ticket_create(data=ticket_data, by=None, submit=True)
        if not created:
            link = PoliceLink.objects.filter(ticket=ticket, direction=L.Direction.FROM_110).first()
            if link is not None:
                return link, False
        link = PoliceLink.objects.create(
            ticket=ticket, direction=L.Direction.FROM_110, police_ref=ref, reason=reason,
            state=L.State.ACCEPTED, owner="12345", created_by=by, answered_at=timezone.now(),
        )  # fmt: skip
    log.info("police: 110 %s became ticket %s", ref, ticket.number)
    return link, True


def police_link_answer(
    *, link: PoliceLink, by: User, accepted: bool, police_ref: str = "", note: str = ""
) -> PoliceLink:
    """Record 110's answer to a hand-over: accepted (110 handles it) or refused."""
    _role(by, LINK_ROLES, "登记 110 答复")
    ref = _text(police_ref, "police_ref", "接警单号", REF_MAX, required=False)
    note = _text(note, "note", "说明", REASON_MAX, required=False)
    with transaction.atomic():
        locked = PoliceLink.objects.select_for_update().select_related("ticket").get(pk=link.pk)
        if locked.direction != L.Direction.TO_110 or locked.state != L.State.PENDING:
            raise InvalidTransition(f"该联动记录{locked.get_state_display()}，不能再登记答复。")
        if accepted and not (ref or locked.police_ref):
            raise InvalidInput("110 接收时请填写接警单号。", fields={"police_ref": "必填"})
        if ref and ref != locked.police_ref:
            _bind_ref(locked.ticket, ref)
            locked.police_ref = ref
        locked.state = L.State.ACCEPTED if accepted else L.State.REFUSED
        locked.owner = "110" if accepted else ""
        locked.ruling_note = note
        locked.answered_at = timezone.now()
        locked.save(update_fields=["police_ref", "state", "owner", "ruling_note", "answered_at"])
    return locked


def police_dispute_rule(*, link: PoliceLink, by: User, note: str = "") -> PoliceLink:
    """Ownership is disputed: the side that received the citizen first handles it (首接负责)."""
    _role(by, RULE_ROLES, "认定首接负责")
    note = _text(note, "note", "说明", REASON_MAX, required=False)
    with transaction.atomic():
        locked = PoliceLink.objects.select_for_update().get(pk=link.pk)
        disputable = (locked.direction == L.Direction.TO_110 and locked.state == L.State.REFUSED) or (
            locked.direction == L.Direction.FROM_110 and locked.state == L.State.ACCEPTED
        )
        if not disputable:
            raise InvalidTransition(
                "只有 110 不予接收的转出记录，或 12345 有异议的 110 转入记录，才能按首接负责认定。"
            )
        first = locked.first_receiver
        locked.state, locked.owner = L.State.RULED, first
        locked.ruling_note = f"双方对管辖有争议，依首接负责原则由 {first} 负责办理。{note}".strip()
        locked.answered_at = locked.answered_at or timezone.now()
        locked.save(update_fields=["state", "owner", "ruling_note", "answered_at"])
    log.info("police: link %s ruled to %s by %s", locked.pk, first, by.username)
    return locked


def police_call_record(
    *,
    link: PoliceLink,
    by: User,
    started_at: datetime,
    duration_s: int,
    police_operator: str = "",
    note: str = "",
) -> PoliceCall:
    """Record a three-way call (citizen, 12345, 110) made for this linkage."""
    _role(by, LINK_ROLES, "登记三方通话")
    errors: dict[str, str] = {}
    if timezone.is_naive(started_at):
        started_at = timezone.make_aware(started_at)
    if started_at > timezone.now() + timedelta(minutes=5):
        errors["started_at"] = "开始时间不能晚于现在。"
    if not 0 < duration_s <= CALL_MAX_SECONDS:
        errors["duration_s"] = f"通话时长应在 1 到 {CALL_MAX_SECONDS} 秒之间。"
    if errors:
        raise InvalidInput("三方通话记录有误。", fields=errors)
    return PoliceCall.objects.create(
        link=link,
        started_at=started_at,
        duration_s=duration_s,
        agent=by,
        police_operator=_text(police_operator, "police_operator", "110 接警员", 50, required=False),
        note=_text(note, "note", "备注", 300, required=False),
    )
