"""受理台 and the call centre: the screen pop's call id rides in the intake form and links the ticket to
the call's record, whether the record is stored before or after the submit."""

import pytest

from hotline.callcenter.engine.records import CallRecord as EngineRecord
from hotline.callcenter.engine.records import Disposition
from hotline.callcenter.models import CallRecord, CallTicketLink
from hotline.callcenter.services import records_store
from hotline.tickets.models import Ticket
from hotline.tickets.tests.factories import PASSWORD
from hotline.tickets.tests.test_agent_desk_views import URL, _post, leaf  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client, city):
    client.login(username="agent", password=PASSWORD)
    return client


def _record(call_id: str) -> EngineRecord:
    return EngineRecord(
        call_id, "12345", "13812345678", 1_780_000_000.0, ended_at=1_780_000_200.0,
        disposition=Disposition.ANSWERED, queue="12345", answered_queue="12345", agent_id="0001",
        answered_at=1_780_000_010.0, talk_s=190, survey="2",
    )  # fmt: skip


def test_screen_pop_url_puts_the_call_id_in_a_hidden_field(agent_client):
    page = agent_client.get(URL + "?citizen_phone=13812345678&call_id=F1780-7").content.decode()
    assert 'name="call_id" value="F1780-7"' in page and "关联来电 F1780-7" in page
    # An edited URL with a malformed id is ignored, never an error.
    page = agent_client.get(URL + "?call_id=%3Cscript%3E").content.decode()
    assert 'name="call_id" value=""' in page and "关联来电" not in page


def test_submit_links_the_ticket_to_a_call_stored_later(agent_client, city, leaf):  # noqa: F811
    r = agent_client.post(URL, _post(leaf, city, call_id="F1780-7"))
    assert r.status_code == 302
    ticket = Ticket.objects.get()
    assert CallTicketLink.objects.get().ticket == ticket
    records_store(records=[_record("F1780-7")])
    call = CallRecord.objects.get()
    assert call.ticket == ticket and call.get_survey_display() == "基本满意"


def test_submit_links_a_call_stored_before_and_a_replay_adds_nothing(agent_client, city, leaf):  # noqa: F811
    records_store(records=[_record("F1780-8")])
    agent_client.post(URL, _post(leaf, city, call_id="F1780-8"))
    agent_client.post(URL, _post(leaf, city, call_id="F1780-8"))  # double submit, same key
    assert Ticket.objects.count() == 1 and CallTicketLink.objects.count() == 1
    assert CallRecord.objects.get().ticket == Ticket.objects.get()


def test_a_bad_call_id_does_not_block_intake(agent_client, city, leaf):  # noqa: F811
    r = agent_client.post(URL, _post(leaf, city, call_id="x" * 200))
    assert r.status_code == 302 and Ticket.objects.count() == 1
    assert not CallTicketLink.objects.exists()
