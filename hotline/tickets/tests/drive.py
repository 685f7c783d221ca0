"""Bring a ticket into any state through the services, as the people at the desks would."""

from __future__ import annotations

from typing import Any

from hotline.accounts.models import Department, User
from hotline.tickets import services as svc
from hotline.tickets.models import Ticket
from hotline.tickets.tests.factories import make_ticket

S = Ticket.Status

# Department code -> the city fixture's handler for it.
HANDLERS = {
    "CGJ": "bureau_handler",
    "SJJ": "other_handler",
    "DCQ": "district_handler",
    "DCQ-DH": "street_handler",
    "DCQ-XH": "other_street_handler",
}


def handler_of(city: Any, department: Department) -> User:
    """The city's department handler working in `department`."""
    return city.users[HANDLERS[department.code]]


def drive(
    city: Any,
    state: str,
    *,
    lead: Department | None = None,
    assists: list[Department] | None = None,
    **fields: Any,
) -> Ticket:
    """A fresh ticket in `state`; dispatched work goes to `lead` (default: the district) with `assists`."""
    lead = lead or city.district
    handler = handler_of(city, lead)
    if state == S.DRAFT:
        return make_ticket(by=city.agent, **fields)
    if state == S.PENDING_DISPATCH:
        return make_ticket(by=city.agent, submit=True, **fields)
    if state == S.ANSWERED:
        return svc.ticket_answer(ticket=drive(city, S.DRAFT, **fields), by=city.agent, answer="已当场答复。")
    if state == S.INVALID:
        return svc.ticket_invalidate(ticket=drive(city, S.DRAFT, **fields), by=city.agent, reason="骚扰电话")
    if state == S.MERGED:
        parent = make_ticket(by=city.agent, submit=True, title="同一路灯的首次来电")
        child = drive(city, S.PENDING_DISPATCH, **fields)
        return svc.ticket_merge(ticket=child, by=city.dispatcher, parent=parent)
    if state == S.DISPATCHED:
        t = drive(city, S.PENDING_DISPATCH, **fields)
        return svc.ticket_dispatch(ticket=t, by=city.dispatcher, lead=lead, assists=assists or [])
    previous = {
        S.ACKNOWLEDGED: S.DISPATCHED,
        S.RETURN_PENDING: S.ACKNOWLEDGED,
        S.EXTENSION_PENDING: S.ACKNOWLEDGED,
        S.REPLIED: S.ACKNOWLEDGED,
        S.PENDING_VISIT: S.REPLIED,
        S.CLOSED: S.PENDING_VISIT,
        S.ARCHIVED: S.CLOSED,
    }[S(state)]
    t = drive(city, previous, lead=lead, assists=assists, **fields)
    step = {
        S.ACKNOWLEDGED: lambda: svc.ticket_acknowledge(ticket=t, by=handler),
        S.RETURN_PENDING: lambda: svc.ticket_return_request(ticket=t, by=handler, reason="不属本单位职责"),
        S.EXTENSION_PENDING: lambda: svc.ticket_extension_request(
            ticket=t, by=handler, days=2, reason="需协调施工队"
        ),
        S.REPLIED: lambda: svc.ticket_reply(ticket=t, by=handler, reply="已处理完毕。"),
        S.PENDING_VISIT: lambda: svc.ticket_review(ticket=t, by=city.reviewer, approve=True),
        S.CLOSED: lambda: svc.ticket_visit(ticket=t, by=city.visitor, result="satisfied"),
        S.ARCHIVED: lambda: svc.ticket_archive(ticket=t, by=city.supervisor),
    }[S(state)]
    t = step()
    assert t.status == state
    return t


def event_actions(ticket: Ticket) -> list[str]:
    return list(ticket.events.order_by("seq").values_list("action", flat=True))


def assert_events_gapless(ticket: Ticket) -> None:
    """Event seqs are exactly 1..version and the last event's to_status is the stored status."""
    ticket.refresh_from_db()
    rows = list(ticket.events.order_by("seq").values_list("seq", "to_status"))
    assert [seq for seq, _ in rows] == list(range(1, ticket.version + 1))
    assert rows[-1][1] == ticket.status
