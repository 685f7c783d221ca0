"""The agent desk's side of the switchboard and the 110 linkage: transfer the caller on the line to an
office of the directory (政务总机), or bring 110 into a three-way call, through the call centre's
softphone (the engine and its adapter), and write it down in the switchboard log or against the
ticket's 110 linkage record."""

from __future__ import annotations

import logging
import re

from django.db import transaction

from hotline.accounts.models import User
from hotline.callcenter.models import Agent, CallRecord, CallTicketLink, QueueLogEntry, SoftphoneAction
from hotline.callcenter.selectors import call_ani
from hotline.callcenter.services import softphone_request
from hotline.core.errors import InvalidInput, NotFound, ServiceError
from hotline.exchange.models import Office, PoliceCall, PoliceLink, SwitchboardTransfer
from hotline.exchange.services.police import police_call_record, police_transfer_out
from hotline.exchange.services.switchboard import transfer_record
from hotline.tickets.models import Ticket

log = logging.getLogger(__name__)

POLICE_NUMBER = "110"
POLICE_REASON = "来电涉及警情，话务员发起三方通话转 110"


def _ticket_of(call_id: str) -> Ticket | None:
    link = (
        CallTicketLink.objects.filter(call_id=call_id).select_related("ticket").order_by("at", "id").first()
    )
    return link.ticket if link else None


def desk_switchboard_transfer(*, user: User, call_id: str, office_id: str) -> SwitchboardTransfer:
    """Transfer the current call to a directory office through the softphone, and log it (总机转接记录)."""
    if not call_id:
        raise InvalidInput("当前没有通话，无法转接。", fields={"call_id": "必填"})
    office = Office.objects.filter(pk=int(office_id)).first() if str(office_id).isdecimal() else None
    if office is None or not office.is_active:
        raise NotFound("请从搜索结果中选择要转接的单位。", fields={"office": "不存在"})
    number = re.sub(r"[^0-9]", "", office.phone)
    target = f"tel:{number},{office.extension}" if office.extension else f"tel:{number}"
    ticket = _ticket_of(call_id)
    with transaction.atomic():
        # The softphone request first: it refuses a user without an agent number before anything is logged.
        softphone_request(user=user, action="transfer", call_id=call_id, target=target)
        transfer = transfer_record(
            office=office,
            by=user,
            outcome=SwitchboardTransfer.Outcome.CONNECTED,
            caller_phone=call_ani(call_id),
            ticket_number=ticket.number if ticket else "",
            note=f"软电话转接（呼叫 {call_id[:64]}）",
        )
    return transfer


def desk_police_three_way(*, user: User, call_id: str) -> tuple[SoftphoneAction, PoliceLink | None]:
    """Bring 110 into the current call. With a ticket already taken on the call its 110 linkage is
    opened now; otherwise when the ticket is linked. The three-way call itself is recorded against
    the linkage when the call's record is stored (its start and length come from the switch)."""
    action = softphone_request(user=user, action="three_way", call_id=call_id, target=POLICE_NUMBER)
    ticket = _ticket_of(call_id)
    link = _police_link(ticket, user) if ticket is not None else None
    return action, link


def _police_link(ticket: Ticket, user: User) -> PoliceLink | None:
    link = (
        PoliceLink.objects.filter(ticket=ticket, direction=PoliceLink.Direction.TO_110)
        .order_by("-created_at")
        .first()
    )
    if link is not None:
        return link
    try:
        with transaction.atomic():
            return police_transfer_out(ticket=ticket, by=user, reason=POLICE_REASON)
    except ServiceError as exc:
        log.warning("110 three-way on ticket %s: no linkage (%s)", ticket.number, exc.message)
        return None


def police_calls_from_records(*, call_ids: list[str]) -> int:
    """Stored calls that had 110 as a third party and a ticket: record the three-way call against the
    ticket's 110 linkage (opened if need be), once per call."""
    calls = list(
        CallRecord.objects.filter(call_id__in=call_ids, ticket__isnull=False).select_related("ticket")
    )
    made = 0
    for call in calls:
        if POLICE_NUMBER not in (call.parties or []):
            continue
        marker = f"呼叫 {call.call_id}"
        if PoliceCall.objects.filter(link__ticket=call.ticket, note__contains=marker).exists():
            continue
        agent = Agent.objects.filter(code=call.agent_code).select_related("user").first()
        if agent is None or agent.user is None:
            log.info(
                "110 three-way on %s: agent %s has no account, not recorded", call.call_id, call.agent_code
            )
            continue
        assert call.ticket is not None
        link = _police_link(call.ticket, agent.user)
        if link is None:
            continue
        started = (
            (
                QueueLogEntry.objects.filter(
                    call_id=call.call_id, event="THREEWAY", data__party=POLICE_NUMBER
                )
                .order_by("at")
                .values_list("at", flat=True)
                .first()
            )
            or call.answered_at
            or call.arrived_at
        )
        seconds = max(1, round((call.ended_at - started).total_seconds()))
        try:
            police_call_record(
                link=link, by=agent.user, started_at=started, duration_s=seconds,
                note=f"软电话三方通话（{marker}）",
            )  # fmt: skip
        except ServiceError as exc:
            log.warning("110 three-way on %s not recorded: %s", call.call_id, exc.message)
            continue
        made += 1
    return made
