"""Storing engine output: records and queue log in batches, idempotently; callbacks exactly once per
caller per day; callback outcomes; the demo day of calls."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest
from django.db import connection

from hotline.callcenter.engine import events as ev
from hotline.callcenter.engine.acd import Engine
from hotline.callcenter.models import CallbackTask, CallRecord, QueueLogEntry
from hotline.callcenter.selectors import callbacks_worklist, centre_config
from hotline.callcenter.services import callback_record, records_store
from hotline.core.errors import Conflict, InvalidInput, InvalidTransition
from hotline.core.workdays import SHANGHAI

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI).timestamp()


def run(engine: Engine, *events: ev.Event):
    for e in events:
        engine.handle(e)
    return engine.drain()


def test_records_and_queue_log_are_stored_and_a_retry_adds_nothing(centre):
    engine = Engine(centre_config())
    records, log = run(
        engine,
        ev.AgentSignedIn(T0, "0001", ready=True),
        ev.CallArrived(T0 + 1, "c1", "12345", "13800000001"),
        ev.CallAnswered(T0 + 3, "c1", "0001"),
        ev.CallHeld(T0 + 10, "c1"),
        ev.CallHeld(T0 + 20, "c1", False),
        ev.CallEnded(T0 + 100, "c1", "agent"),
        ev.DigitsCollected(T0 + 103, "c1", "1"),
    )
    result = records_store(records=records, entries=log)
    assert (result.calls, result.callbacks) == (1, 0)
    call = CallRecord.objects.get(call_id="c1")
    assert (call.wait_s, call.talk_s, call.hold_s, call.agent_code, call.survey) == (2, 97, 10, "0001", "1")
    assert call.arrived_at.timestamp() == T0 + 1 and call.disposition == "answered" and not call.missed
    events = list(QueueLogEntry.objects.exclude(event="STATE").order_by("id").values_list("event", flat=True))
    assert events == ["ENTERQUEUE", "CONNECT", "COMPLETEAGENT"]
    records_store(records=records)
    assert CallRecord.objects.count() == 1


def test_missed_calls_become_one_callback_per_caller_per_day(centre):
    engine = Engine(centre_config())
    records, log = run(
        engine,
        ev.CallArrived(T0, "m1", "12345", "13900000001"),
        ev.CallAbandoned(T0 + 40, "m1"),
        ev.CallArrived(T0 + 60, "m2", "12345", "13900000001"),  # the same caller again
        ev.CallAbandoned(T0 + 70, "m2"),
        ev.CallArrived(T0 + 80, "m3", "12315", "02988886666"),
        ev.CallEnded(T0 + 85, "m3"),
        ev.CallArrived(T0 + 90, "hidden", "12345", "anonymous"),  # withheld: nobody to call
        ev.CallAbandoned(T0 + 95, "hidden"),
        ev.CallArrived(T0 + 86400, "m4", "12345", "13900000001"),  # next day: a new task
        ev.CallAbandoned(T0 + 86410, "m4"),
    )
    assert records_store(records=records, entries=log).callbacks == 3
    assert records_store(records=records).callbacks == 0  # stored again: still exactly once
    tasks = {(t.phone, t.day.isoformat()): t for t in CallbackTask.objects.all()}
    assert set(tasks) == {
        ("13900000001", "2026-03-02"),
        ("02988886666", "2026-03-02"),
        ("13900000001", "2026-03-03"),
    }
    first = tasks[("13900000001", "2026-03-02")]
    assert first.first_call.call_id == "m1" and first.reason == "abandoned_queue"
    assert (first.due_at - first.missed_at).total_seconds() == 24 * 3600
    worklist = {t.phone + str(t.day): t.missed_count for t in callbacks_worklist()}
    assert worklist["139000000012026-03-02"] == 2


def test_a_later_answered_call_closes_the_open_callback(centre):
    engine = Engine(centre_config())
    records, _ = run(
        engine,
        ev.CallArrived(T0, "m1", "12345", "13900000002"),
        ev.CallAbandoned(T0 + 5, "m1"),
        ev.AgentSignedIn(T0 + 100, "0001", ready=True),
        ev.CallArrived(T0 + 200, "ok", "12345", "13900000002"),
        ev.CallAnswered(T0 + 201, "ok", "0001"),
        ev.CallEnded(T0 + 300, "ok"),
    )
    records_store(records=records[:1])
    records_store(records=records[1:])
    task = CallbackTask.objects.get()
    assert task.status == CallbackTask.Status.DONE and task.outcome == CallbackTask.Outcome.CALLED_AGAIN


def _task(centre, phone="13900000003") -> CallbackTask:
    engine = Engine(centre_config())
    records, _ = run(
        engine, ev.CallArrived(T0, "x" + phone, "12345", phone), ev.CallAbandoned(T0 + 9, "x" + phone)
    )
    records_store(records=records)
    return CallbackTask.objects.get(phone=phone)


def test_callback_outcomes_retry_then_fail_after_three_attempts(centre, city):
    task = _task(centre)
    task = callback_record(task_id=task.pk, by=city.visitor, outcome="no_answer")
    assert task.status == "pending" and task.attempts == 1
    task = callback_record(task_id=task.pk, by=city.visitor, outcome="busy", version=task.version)
    with pytest.raises(Conflict):
        callback_record(task_id=task.pk, by=city.visitor, outcome="busy", version=1)
    task = callback_record(task_id=task.pk, by=city.visitor, outcome="no_answer", note="三次未接通")
    assert task.status == "failed" and task.attempts == 3 and task.done_by == city.visitor
    with pytest.raises(InvalidTransition, match="多次未接通"):
        callback_record(task_id=task.pk, by=city.visitor, outcome="reached")


def test_callback_reached_closes_and_bad_outcome_is_refused(centre, city):
    task = _task(centre)
    with pytest.raises(InvalidInput, match="请选择回拨结果"):
        callback_record(task_id=task.pk, by=city.visitor, outcome="maybe")
    with pytest.raises(InvalidInput):
        callback_record(task_id=task.pk, by=city.visitor, outcome="called_again")
    task = callback_record(task_id=task.pk, by=city.visitor, outcome="reached", note="已受理")
    assert task.status == "done" and task.done_at is not None
    assert CallbackTask.objects.get().note == "已受理"


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_writers_storing_the_same_missed_calls_create_one_callback(centre):
    engine = Engine(centre_config())
    records, _ = run(
        engine,
        ev.CallArrived(T0, "r1", "12345", "13700000001"),
        ev.CallAbandoned(T0 + 9, "r1"),
        ev.CallArrived(T0 + 20, "r2", "12345", "13700000001"),
        ev.CallAbandoned(T0 + 29, "r2"),
    )
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def store(batch):
        try:
            barrier.wait(timeout=10)
            records_store(records=batch)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=store, args=([records[0]],)),
        threading.Thread(target=store, args=([records[1]],)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert errors == []
    assert CallbackTask.objects.count() == 1 and CallRecord.objects.count() == 2


def test_demo_day_of_calls_is_stored_with_callbacks(city):
    from hotline.callcenter.demo import load_demo

    summary = load_demo(seed=7)
    assert 2500 < summary.calls < 3500
    assert CallRecord.objects.count() == summary.calls
    assert CallRecord.objects.filter(disposition="answered").count() > 0.8 * summary.calls
    assert CallRecord.objects.exclude(survey="").exists()
    missed_callers = CallRecord.objects.filter(missed=True).values("ani").distinct().count()
    assert summary.callbacks == CallbackTask.objects.count() > 0
    assert summary.callbacks <= missed_callers
    assert QueueLogEntry.objects.filter(event="STATE").exists()
    worked = CallbackTask.objects.exclude(first_attempt_at=None)
    assert worked.exists() and all(
        t.first_attempt_at < t.due_at for t in worked
    )  # the demo's 回访员 was on time
    assert load_demo(seed=7).calls == 0  # history is added once


def test_short_abandons_do_not_become_callbacks(centre):
    engine = Engine(centre_config())
    records, _ = run(
        engine,
        ev.CallArrived(T0, "s1", "12345", "13600000001"),
        ev.CallAbandoned(T0 + 3, "s1"),  # 秒挂 (< 5 s)
        ev.CallArrived(T0 + 10, "s2", "12345", "13600000002"),
        ev.CallAbandoned(T0 + 16, "s2"),
    )
    assert records_store(records=records).callbacks == 1
    assert CallbackTask.objects.get().phone == "13600000002"
