"""A ticket taken on a call is linked to the call's record in either order, with its survey and
recordings; the ticket page shows its calls and the call page its ticket."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.callcenter.engine.records import CallRecord as EngineRecord
from hotline.callcenter.engine.records import Disposition
from hotline.callcenter.models import CallRecord, CallTicketLink, Recording
from hotline.callcenter.selectors import ticket_calls
from hotline.callcenter.services import call_ticket_link, recording_register, records_store
from hotline.core.errors import InvalidInput, NotFound
from hotline.core.models import AuditLog
from hotline.metrics.calls import call_parts
from hotline.tickets.tests.factories import PASSWORD, make_ticket

pytestmark = pytest.mark.django_db


def _answered(call_id: str, *, survey: str = "", agent: str = "0001") -> EngineRecord:
    t = timezone.now().timestamp() - 600
    return EngineRecord(
        call_id, "12345", "13912345678", t, ended_at=t + 200, disposition=Disposition.ANSWERED,
        queue="12345", answered_queue="12345", queued_at=t + 2, answered_at=t + 10, agent_id=agent,
        wait_s=8, talk_s=185, survey=survey, release_side="agent", agents=[agent],
    )  # fmt: skip


def test_record_stored_after_the_ticket_gets_linked_and_storing_again_changes_nothing(city, centre):
    ticket = make_ticket(by=city.agent)
    call_ticket_link(call_id="c-after", ticket=ticket, by=city.agent)
    assert not CallRecord.objects.exists()
    records_store(records=[_answered("c-after", survey="1")])
    records_store(records=[_answered("c-after", survey="1")])  # a retried batch
    call = CallRecord.objects.get()
    assert call.ticket == ticket and call.survey == "1"
    assert [c.call_id for c in ticket_calls(ticket)] == ["c-after"]


def test_record_stored_before_the_ticket_gets_linked_with_its_recording(city, centre):
    records_store(records=[_answered("c-before", survey="3")])
    rec = recording_register(
        call_id="c-before", path="2026/11/c-before.wav", started_at=timezone.now(), duration_s=185
    )
    assert rec.ticket is None
    ticket = make_ticket(by=city.agent)
    call_ticket_link(call_id="c-before", ticket=ticket, by=city.agent)
    call_ticket_link(call_id="c-before", ticket=ticket, by=city.agent)  # twice: one link
    assert CallTicketLink.objects.count() == 1
    assert CallRecord.objects.get().ticket == ticket
    rec.refresh_from_db()
    assert rec.ticket == ticket
    # The survey now reaches the ticket (and, per call, 坐席接听评价满意率 counts it).
    assert ticket.calls.get().get_survey_display() == "不满意"


def test_a_second_ticket_on_the_same_call_keeps_the_first_on_the_record_and_lists_the_call(city, centre):
    first, second = make_ticket(by=city.agent), make_ticket(by=city.agent, title="另一诉求")
    call_ticket_link(call_id="c-two", ticket=first)
    call_ticket_link(call_id="c-two", ticket=second)
    records_store(records=[_answered("c-two")])
    assert CallRecord.objects.get().ticket == first
    assert [c.call_id for c in ticket_calls(second)] == ["c-two"]


def test_bad_call_ids_and_recordings_are_refused_in_chinese(city, centre):
    ticket = make_ticket(by=city.agent)
    with pytest.raises(InvalidInput, match="来电编号无效"):
        call_ticket_link(call_id="a b/../c", ticket=ticket)
    with pytest.raises(NotFound):
        recording_register(call_id="nope", path="x.wav", started_at=timezone.now(), duration_s=3)
    records_store(records=[_answered("c-rec")])
    with pytest.raises(InvalidInput) as exc:
        recording_register(call_id="c-rec", path="../../etc/passwd", started_at=timezone.now(), duration_s=-1)
    assert set(exc.value.fields) == {"path", "duration_s"}


def test_survey_of_a_linked_call_counts_in_agent_satisfaction(city, centre):
    from hotline.metrics.indicators import Filters, Period

    records_store(records=[_answered("s1", survey="1"), _answered("s2", survey="3"), _answered("s3")])
    today = timezone.localdate()
    parts = call_parts(Period(today - timedelta(days=1), today + timedelta(days=1)), Filters())
    assert parts["agent_satisfaction"] == (1, 2)


def test_ticket_page_shows_calls_with_recording_link_or_no_recording(
    client, city, centre, settings, tmp_path
):
    settings.CALL_RECORDINGS_DIR = str(tmp_path)
    ticket = make_ticket(by=city.agent)
    records_store(records=[_answered("p1", survey="2"), _answered("p2")])
    call_ticket_link(call_id="p1", ticket=ticket)
    call_ticket_link(call_id="p2", ticket=ticket)
    audio = b"RIFF....WAVEfmt "
    (tmp_path / "p1.wav").write_bytes(audio)
    with_file = recording_register(
        call_id="p1", path="p1.wav", started_at=timezone.now(), duration_s=185,
        size_bytes=len(audio), sha256=hashlib.sha256(audio).hexdigest(),
    )  # fmt: skip
    client.login(username="agent", password=PASSWORD)
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "来电记录" in page and "王芳（0001）" in page and "基本满意" in page
    assert f"/callcenter/recordings/{with_file.pk}/" in page and "无录音" in page  # p2 has none
    r = client.get(f"/callcenter/recordings/{with_file.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == audio
    assert AuditLog.objects.filter(action="recording.play", object_id="p1", actor=city.agent).count() == 1
    # The call page shows its ticket.
    call_page = client.get("/callcenter/calls/p1/").content.decode()
    assert ticket.number in call_page and "基本满意" in call_page
    assert client.get("/callcenter/calls/missing/").status_code == 404
    # A recording whose file is gone is "无录音", not a 500.
    gone = Recording.objects.create(
        call=CallRecord.objects.get(call_id="p2"), path="gone.wav", started_at=timezone.now(), duration_s=3
    )
    assert client.get(f"/callcenter/recordings/{gone.pk}/").status_code == 404


def test_department_users_do_not_see_calls_or_recordings(client, city, centre):
    ticket = make_ticket(by=city.agent, submit=True)
    from hotline.tickets.services import ticket_dispatch

    ticket = ticket_dispatch(ticket=ticket, by=city.dispatcher, lead=city.bureau)
    records_store(records=[_answered("d1")])
    call_ticket_link(call_id="d1", ticket=ticket)
    client.login(username="cgj", password=PASSWORD)
    page = client.get(f"/tickets/{ticket.number}/")
    assert page.status_code == 200 and "来电记录" not in page.content.decode()
    assert client.get("/callcenter/calls/d1/").status_code == 403
