"""Concurrent deliveries and hand-overs (PostgreSQL): one Open311 ticket, one pending 110 link."""

from __future__ import annotations

from hotline.exchange.models import Open311Key, Open311Submission
from hotline.exchange.services.open311 import Open311Post, open311_request_create
from hotline.tickets.models import Category, Ticket
from hotline.tickets.tests.test_concurrency import postgres_only, race


@postgres_only
def test_concurrent_duplicate_posts_make_one_ticket():
    Category.objects.create(name="路灯不亮", code="010101")
    key = Open311Key(name="app")
    key.set_new_key()
    key.save()
    post = Open311Post(service_code="010101", address_string="幸福路 12 号", description="路灯不亮")

    def deliver():
        return open311_request_create(key=key, post=post)

    results = race(deliver, deliver, deliver, deliver)
    assert all(isinstance(r, tuple) for r in results), results
    assert len({r[0].ticket_id for r in results}) == 1
    assert sum(1 for r in results if r[1]) == 1
    assert Ticket.objects.count() == 1 and Open311Submission.objects.count() == 1


@postgres_only
def test_concurrent_hand_overs_to_110_leave_one_pending_link():
    from hotline.accounts.models import Role
    from hotline.core.errors import Conflict
    from hotline.exchange.models import PoliceLink
    from hotline.exchange.services.police import police_transfer_out
    from hotline.tickets.tests.factories import UserFactory, make_ticket

    agent = UserFactory(role=Role.AGENT)
    ticket = make_ticket(by=agent, submit=True)

    def hand_over():
        return police_transfer_out(ticket=ticket, by=agent, reason="警情")

    results = race(hand_over, hand_over, hand_over)
    assert sum(isinstance(r, PoliceLink) for r in results) == 1
    assert all(isinstance(r, (PoliceLink, Conflict)) for r in results), results
    assert PoliceLink.objects.filter(ticket=ticket).count() == 1
