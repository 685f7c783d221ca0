"""KPI definitions on constructed call logs with answers worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from hotline.callcenter.engine import events as ev
from hotline.callcenter.engine.acd import Engine
from hotline.callcenter.kpis import CallbackRow, CallRow, compute_kpis, state_seconds
from hotline.callcenter.models import CallbackTask, CentreSettings
from hotline.callcenter.selectors import centre_config, kpis_between
from hotline.callcenter.services import callback_record, records_store
from hotline.core.workdays import SHANGHAI

# Ten calls that asked for a person, one IVR-only call:
#   answered in 10, 20, 30, 31, 90 s (talk 100, 200, 300, 400, 500 s);
#   abandoned after 2 and 4 s (秒挂 with S = 5), 5 s (not 秒挂: S is exclusive), 60 s; abandoned while ringing after 40 s.
LOG = [
    CallRow(True, "answered", 10, 100), CallRow(True, "answered", 20, 200), CallRow(True, "answered", 30, 300),
    CallRow(True, "answered", 31, 400), CallRow(True, "answered", 90, 500),
    CallRow(True, "abandoned_queue", 2), CallRow(True, "abandoned_queue", 4), CallRow(True, "abandoned_queue", 5),
    CallRow(True, "abandoned_queue", 60), CallRow(True, "abandoned_ringing", 40),
    CallRow(False, "ivr_completed"),
]  # fmt: skip


def test_answer_rate_service_level_abandon_rate_asa_aht_with_short_abandons_excluded():
    k = compute_kpis(
        LOG, state_seconds={"busy": 1500, "acw": 500, "ready": 1000, "ringing": 0, "not_ready": 999}
    )
    assert (k.offered, k.answered, k.abandoned, k.short_abandons, k.answered_in_time) == (10, 5, 3, 2, 3)
    assert k.answer_rate == pytest.approx(5 / 8)  # 10 offered − 2 秒挂
    assert k.service_level == pytest.approx(3 / 8)  # 10, 20 and 30 s are within 30 s; 31 s is not
    assert k.abandon_rate == pytest.approx(3 / 8)
    assert k.asa_s == pytest.approx((10 + 20 + 30 + 31 + 90) / 5)
    assert k.aht_s == pytest.approx((1500 + 500) / 5)  # talk + after-call work, per answered call
    assert k.occupancy == pytest.approx(2000 / 3000)  # not-ready time is neither handling nor idle


def test_short_abandon_threshold_is_a_parameter():
    k = compute_kpis(LOG, short_abandon_s=0)
    assert k.answer_rate == pytest.approx(5 / 10) and k.abandon_rate == pytest.approx(5 / 10)
    assert k.aht_s == pytest.approx(1500 / 5) and k.occupancy is None
    k = compute_kpis(LOG, short_abandon_s=61, answer_s=31)
    assert k.short_abandons == 5 and k.service_level == pytest.approx(4 / 5)


def test_empty_period_has_no_rates_rather_than_a_division_error():
    k = compute_kpis([])
    assert k.offered == 0 and k.answer_rate is None and k.service_level is None and k.callback_rate is None


def test_callback_rate_counts_tasks_attempted_by_their_deadline():
    tasks = [
        CallbackRow(due_at=100, first_attempt_at=50),  # on time
        CallbackRow(due_at=100, first_attempt_at=100),  # on time (at the deadline)
        CallbackRow(due_at=100, first_attempt_at=150),  # late
        CallbackRow(due_at=100),  # overdue, never tried
        CallbackRow(due_at=500),  # not yet due: not counted
    ]
    k = compute_kpis([], callbacks=tasks, now=200)
    assert (k.callbacks_due, k.callbacks_on_time) == (4, 2) and k.callback_rate == 0.5


def test_state_seconds_clips_to_the_period_and_uses_the_state_before_it():
    changes = [
        ("a", 50, "ready"),
        ("b", 60, "busy"),
        ("a", 120, "busy"),
        ("a", 180, "acw"),
        ("b", 250, "ready"),
    ]
    got = state_seconds(changes, start=100, end=200, before={"b": "ready"})
    # a: ready 100–120, busy 120–180, acw 180–200; b: its change to busy at 60 counts from 100 → busy 100–200.
    assert got == {"ready": 20, "busy": 60 + 100, "acw": 20}


@pytest.mark.django_db
def test_kpis_between_reads_stored_calls_agent_states_and_callbacks(centre, city):
    day = datetime(2026, 3, 2, tzinfo=SHANGHAI)
    t0 = day.timestamp() + 9 * 3600
    engine = Engine(centre_config())
    for e in (
        ev.AgentSignedIn(t0, "0001", ready=True),
        ev.CallArrived(t0 + 100, "c1", "12345", "13800000001"),
        ev.CallAnswered(t0 + 110, "c1", "0001"),  # waited 10 s
        ev.CallArrived(t0 + 120, "c2", "12345", "13800000002"),
        ev.CallAbandoned(t0 + 122, "c2"),  # 秒挂
        ev.CallArrived(t0 + 130, "c3", "12345", "13800000003"),
        ev.CallAbandoned(t0 + 190, "c3"),  # abandoned after 60 s → callback
        ev.CallEnded(t0 + 310, "c1"),  # talked 200 s, then 15 s after-call work (the queue's default)
        ev.Tick(t0 + 325),
    ):
        engine.handle(e)
    records, log = engine.drain()
    records_store(records=records, entries=log)
    task = CallbackTask.objects.get()
    callback_record(task_id=task.pk, by=city.visitor, outcome="reached")
    CallbackTask.objects.filter(pk=task.pk).update(first_attempt_at=task.missed_at + timedelta(hours=1))
    k = kpis_between(day, day + timedelta(days=1), now=datetime.fromtimestamp(t0 + 1000, tz=SHANGHAI))
    assert (k.offered, k.answered, k.short_abandons, k.abandoned) == (3, 1, 1, 1)
    assert k.service_level == 0.5 and k.asa_s == 10 and k.aht_s == 215
    # The agent: ready 9:00:00–9:01:40 and 9:05:25–(now = 9:16:40); ringing 10 s, busy 200 s, wrap-up 15 s.
    assert k.occupancy == pytest.approx(225 / (225 + 100 + 675))
    assert (k.callbacks_due, k.callbacks_on_time, k.callback_rate) == (1, 1, 1.0)
    CentreSettings.objects.filter(pk=1).update(short_abandon_s=0)
    assert kpis_between(day, day + timedelta(days=1)).answer_rate == pytest.approx(1 / 3)
    assert kpis_between(day, day + timedelta(days=1), queue="12315").offered == 0
