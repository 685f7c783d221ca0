"""The department inbox holds open work only; finished tickets stay visible as history."""

from hotline.tickets import services as svc
from hotline.tickets.permissions import tickets_visible_to
from hotline.tickets.selectors import department_inbox
from hotline.tickets.tests.factories import make_ticket


def test_closed_ticket_leaves_the_inbox_but_stays_visible(city):
    t = make_ticket(by=city.agent)
    t = svc.ticket_dispatch(ticket=t, by=city.agent, lead=city.district)
    t = svc.ticket_acknowledge(ticket=t, by=city.district_handler)
    t = svc.ticket_reply(ticket=t, by=city.district_handler, reply="已处理。")
    assert department_inbox(department=city.district).filter(ticket=t).exists()
    t = svc.ticket_review(ticket=t, by=city.reviewer, approve=True)
    t = svc.ticket_visit(ticket=t, by=city.visitor, result="satisfied")
    assert not department_inbox(department=city.district).filter(ticket=t).exists()
    assert not t.assignments.filter(active=True).exists()
    assert tickets_visible_to(city.district_handler).filter(pk=t.pk).exists()


def test_reopened_ticket_returns_to_the_inbox(city):
    t = make_ticket(by=city.agent)
    t = svc.ticket_dispatch(ticket=t, by=city.agent, lead=city.bureau)
    t = svc.ticket_acknowledge(ticket=t, by=city.bureau_handler)
    t = svc.ticket_reply(ticket=t, by=city.bureau_handler, reply="已处理。")
    t = svc.ticket_review(ticket=t, by=city.reviewer, approve=True)
    t = svc.ticket_visit(ticket=t, by=city.visitor, result="satisfied")
    t = svc.ticket_reopen(ticket=t, by=city.supervisor, reason="市民再次来电，问题复发")
    assert department_inbox(department=city.bureau).filter(ticket=t, active=True).count() == 1
