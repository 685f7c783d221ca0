"""Rules added for speed that must not change what people see: per-process caches drop on change,
and the write path stamps when a ticket entered its status."""

from __future__ import annotations

import pytest

from hotline.accounts.models import Department
from hotline.tickets import services as svc
from hotline.tickets.models import DeadlinePolicy, Ticket
from hotline.tickets.reference import department_by_code
from hotline.tickets.services.deadlines import policy_for
from hotline.tickets.tests.drive import drive

pytestmark = pytest.mark.django_db
S = Ticket.Status


def test_status_since_moves_with_the_status_and_only_then(city):
    t = drive(city, S.PENDING_DISPATCH)
    queued = t.status_since
    assert queued is not None

    t = svc.ticket_dispatch(ticket=t, by=city.dispatcher, lead=city.bureau)
    assert t.status == S.DISPATCHED and t.status_since > queued

    dispatched = t.status_since
    t = svc.ticket_urge(ticket=t, by=city.dispatcher, note="请尽快签收")
    t.refresh_from_db()
    assert t.status == S.DISPATCHED and t.status_since == dispatched  # an urge does not move it


def test_a_new_deadline_policy_applies_to_the_next_dispatch_in_this_process(city):
    t = drive(city, S.PENDING_DISPATCH, type=Ticket.Type.COMPLAINT)
    before = policy_for(t)  # loads the per-process policy cache
    DeadlinePolicy.objects.create(type=Ticket.Type.COMPLAINT, urgency="", budget=before.budget + 3)

    assert policy_for(t).budget == before.budget + 3


def test_a_renamed_or_deactivated_department_is_seen_at_once(city):
    assert department_by_code(city.bureau.code).name == city.bureau.name  # loads the cache
    city.bureau.name = "市城市管理综合执法局"
    city.bureau.is_active = False
    city.bureau.save()

    cached = department_by_code(city.bureau.code)
    assert cached.name == "市城市管理综合执法局" and not cached.is_active


def test_a_change_in_another_process_is_seen_within_the_version_check_interval(city, monkeypatch):
    from django.core.cache import cache

    from hotline.core import refcache
    from hotline.tickets import reference

    def _name(code: str) -> str:
        found = department_by_code(code)
        assert found is not None
        return found.name

    clock = [refcache.time.monotonic()]
    monkeypatch.setattr(refcache.time, "monotonic", lambda: clock[0])
    assert _name(city.bureau.code) == city.bureau.name  # loads the cache
    # Another process renames it: the row changes and the shared version moves, this process's copy stays.
    Department.objects.filter(pk=city.bureau.pk).update(name="市城市管理综合执法局")
    cache.set(reference.departments._key, cache.get(reference.departments._key, 0) + 1, None)

    clock[0] += refcache.VERSION_CHECK_SECONDS / 2
    assert _name(city.bureau.code) == city.bureau.name  # the version was read just now
    clock[0] += refcache.VERSION_CHECK_SECONDS
    assert _name(city.bureau.code) == "市城市管理综合执法局"
