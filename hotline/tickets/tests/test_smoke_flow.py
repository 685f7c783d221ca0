from hotline.tickets import services as svc
from hotline.tickets.models import Ticket
from hotline.tickets.tests.factories import make_ticket


def test_ticket_goes_from_intake_to_archive(city):
    t = make_ticket(by=city.agent)
    t = svc.ticket_dispatch(ticket=t, by=city.agent, lead=city.district)
    assert t.status == Ticket.Status.DISPATCHED and t.due_at is not None
    t = svc.ticket_acknowledge(ticket=t, by=city.district_handler)
    t = svc.ticket_subdispatch(ticket=t, by=city.district_handler, department=city.street)
    t = svc.ticket_reply(ticket=t, by=city.street_handler, reply="已修复路灯。")
    t = svc.ticket_review(ticket=t, by=city.reviewer, approve=True)
    assert t.status == Ticket.Status.PENDING_VISIT
    t = svc.ticket_visit(ticket=t, by=city.visitor, result="satisfied")
    assert t.status == Ticket.Status.CLOSED
    t = svc.ticket_archive(ticket=t, by=city.supervisor)
    assert t.status == Ticket.Status.ARCHIVED
    assert [e.to_status for e in t.events.order_by("seq")][-1] == Ticket.Status.ARCHIVED
    assert list(t.events.order_by("seq").values_list("seq", flat=True)) == list(range(1, t.version + 1))
