"""The ticket lock builds its query once and the Ticket straight from the row: it must load exactly
what the ORM loads (values, types, deferred columns) and refuse what the ORM refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import F
from django.db.transaction import TransactionManagementError

from hotline.core.errors import Conflict, NotFound
from hotline.tickets.models import Ticket
from hotline.tickets.services._base import ticket_lock, ticket_save
from hotline.tickets.tests.drive import drive

pytestmark = pytest.mark.django_db
S = Ticket.Status


def test_locked_ticket_is_the_row_the_orm_loads(city):
    t = drive(city, S.ACKNOWLEDGED)
    Ticket.objects.filter(pk=t.pk).update(
        latitude=Decimal("39.904200"), longitude=Decimal("116.407400"), supervised=True
    )
    expected = Ticket.objects.get(pk=t.pk)

    with transaction.atomic():
        locked = ticket_lock(t)

    assert locked.get_deferred_fields() == expected.get_deferred_fields() == {"search_grams"}
    assert locked._state.db == expected._state.db and not locked._state.adding
    for f in Ticket._meta.concrete_fields:
        if f.attname in expected.get_deferred_fields():
            continue
        got, want = getattr(locked, f.attname), getattr(expected, f.attname)
        assert (got, type(got)) == (want, type(want)), f.attname
    assert locked.due_at is not None and locked.due_at.tzinfo is not None  # converted, not a string
    assert locked.latitude == Decimal("39.904200") and locked.supervised is True
    assert locked.lead_department == city.district  # relations load on access as usual


def test_lock_by_id_and_by_object_agree(city):
    t = drive(city, S.PENDING_DISPATCH)
    with transaction.atomic():
        assert ticket_lock(t.pk).version == ticket_lock(t).version == t.version


def test_lock_of_a_missing_or_unsaved_ticket_is_not_found(city):
    with transaction.atomic(), pytest.raises(NotFound):
        ticket_lock(987654321)
    with transaction.atomic(), pytest.raises(NotFound):
        ticket_lock(Ticket())


def test_lock_with_a_stale_version_is_a_conflict(city):
    t = drive(city, S.PENDING_DISPATCH)
    with transaction.atomic(), pytest.raises(Conflict):
        ticket_lock(t, version=t.version - 1)


@pytest.mark.django_db(transaction=True)
def test_lock_outside_a_transaction_is_refused_where_rows_lock(city):
    from django.db import connection

    t = drive(city, S.PENDING_DISPATCH)
    if not connection.features.has_select_for_update:
        assert ticket_lock(t).pk == t.pk  # SQLite: no row locks; the version check serialises
        return
    with pytest.raises(TransactionManagementError):
        ticket_lock(t)


def test_save_writes_the_named_fields_and_moves_the_version(city):
    t = drive(city, S.PENDING_DISPATCH)
    with transaction.atomic():
        locked = ticket_lock(t)
        locked.urge_count = 4
        locked.latitude = Decimal("39.904200")
        locked.lead_department = city.bureau
        locked.address = "不保存"  # not named
        ticket_save(locked, ["urge_count", "latitude", "lead_department"])

    row = Ticket.objects.get(pk=t.pk)
    assert (row.urge_count, row.latitude, row.lead_department_id) == (4, Decimal("39.904200"), city.bureau.pk)
    assert row.version == t.version + 1 and row.updated_at == locked.updated_at
    assert row.address == t.address


def test_save_of_an_expression_goes_through_the_orm(city):
    t = drive(city, S.PENDING_DISPATCH)
    with transaction.atomic():
        locked = ticket_lock(t)
        locked.urge_count = F("urge_count") + 2
        ticket_save(locked, ["urge_count"])
    assert Ticket.objects.get(pk=t.pk).urge_count == t.urge_count + 2


def test_save_over_a_newer_version_is_a_conflict(city):
    t = drive(city, S.PENDING_DISPATCH)
    with transaction.atomic():
        stale = ticket_lock(t)
    Ticket.objects.filter(pk=t.pk).update(version=t.version + 1)
    with transaction.atomic(), pytest.raises(Conflict):
        ticket_save(stale, ["status"])
    assert Ticket.objects.get(pk=t.pk).version == t.version + 1


def test_event_is_inserted_with_its_signals_and_a_taken_seq_is_refused(city):
    from django.db import IntegrityError
    from django.db.models.signals import post_save, pre_save

    from hotline.tickets.models import TicketEvent
    from hotline.tickets.services._base import ticket_event

    t = drive(city, S.PENDING_DISPATCH)
    heard: list[tuple[str, object, object]] = []

    def pre(sender, instance, **kw):
        heard.append(("pre", instance.pk, kw["raw"]))

    def post(sender, instance, created, **kw):
        heard.append(("post", instance.pk, created))

    pre_save.connect(pre, sender=TicketEvent)
    post_save.connect(post, sender=TicketEvent)
    try:
        with transaction.atomic():
            locked = ticket_lock(t)
            locked.version += 1
            event = ticket_event(
                locked, action="urge", by=city.dispatcher, from_status=t.status, data={"n": [1, "二"]}
            )
    finally:
        pre_save.disconnect(pre, sender=TicketEvent)
        post_save.disconnect(post, sender=TicketEvent)

    assert event.pk is not None and not event._state.adding
    assert heard == [("pre", None, False), ("post", event.pk, True)]
    row = TicketEvent.objects.get(pk=event.pk)
    assert (row.seq, row.action, row.actor_id, row.actor_department_id) == (
        t.version + 1,
        "urge",
        city.dispatcher.pk,
        city.dispatcher.department_id,
    )
    assert row.data == {"n": [1, "二"]} and row.at == event.at
    with pytest.raises(IntegrityError), transaction.atomic():
        ticket_event(locked, action="urge", by=city.dispatcher, from_status=t.status)
