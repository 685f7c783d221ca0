"""The provincial exchange over real HTTP to the local simulator: pull, push acceptance/status/replies through
the outbox (retries, backoff, idempotency, order), reconciliation, and the simulator's refusals."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from hotline.exchange.models import ExchangeCursor, ProvinceOutbox
from hotline.exchange.province import signing
from hotline.exchange.province.client import ProvinceError, call
from hotline.exchange.province.sim import ProvinceState, serve
from hotline.exchange.services.province import (
    province_deliver,
    province_pull,
    province_reconcile,
    province_retry_due,
)
from hotline.tickets import services as svc
from hotline.tickets.models import ExternalRef, Ticket

pytestmark = pytest.mark.django_db
SECRET = "province-test-secret"


class Sim:
    def __init__(self) -> None:
        self.state = ProvinceState(app_id="city-test", secret=SECRET)
        self.server = serve(self.state, "127.0.0.1", 0)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def control(self, path: str, body: dict) -> dict:
        request = urllib.request.Request(self.base + path, data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())

    def ticket(self, pid: str) -> dict:
        return self.state.tickets[pid]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sim(settings):
    s = Sim()
    settings.PROVINCE_ENABLED = True
    settings.PROVINCE_BASE_URL = s.base
    settings.PROVINCE_APP_ID = "city-test"
    settings.PROVINCE_SECRET = SECRET
    yield s
    s.close()


def _pull(capture) -> list[str]:
    with capture(execute=True):
        return province_pull().created


def test_pull_makes_tickets_once_and_pushes_acceptance(sim, django_capture_on_commit_callbacks):
    sim.state.seed(3)
    created = _pull(django_capture_on_commit_callbacks)
    assert len(created) == 3
    for ticket in Ticket.objects.all():
        assert ticket.channel == Ticket.Channel.PROVINCE and ticket.status == Ticket.Status.PENDING_DISPATCH
        pid = ExternalRef.objects.get(ticket=ticket, system="province").ref
        assert sim.ticket(pid)["city_number"] == ticket.number and sim.ticket(pid)["status"] == "accepted"
    assert ProvinceOutbox.objects.filter(status="delivered", kind="accept").count() == 3
    # Pulling again, even from the start of the feed, never makes a second ticket.
    assert _pull(django_capture_on_commit_callbacks) == []
    ExchangeCursor.objects.all().update(value="0")
    assert _pull(django_capture_on_commit_callbacks) == []
    assert Ticket.objects.count() == 3 and ProvinceOutbox.objects.count() == 3


def test_feed_is_walked_page_by_page(sim, django_capture_on_commit_callbacks, monkeypatch):
    from hotline.exchange.services import province

    monkeypatch.setattr(province, "PAGE", 2)
    sim.state.seed(5)
    assert len(_pull(django_capture_on_commit_callbacks)) == 5
    assert ExchangeCursor.objects.get().value == "5"


def test_a_bad_provincial_ticket_is_skipped_not_half_created(sim, django_capture_on_commit_callbacks):
    sim.control("/sim/tickets", {"title": "空内容", "content": ""})
    sim.control(
        "/sim/tickets", {"title": "正常", "content": "小区垃圾无人清运，已经三天了。", "type": "投诉"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = province_pull()
    assert len(result.created) == 1 and len(result.rejected) == 1 and "诉求内容为空" in result.rejected[0]
    assert Ticket.objects.get().type == Ticket.Type.COMPLAINT


def test_status_and_reply_reach_the_province(sim, city, django_capture_on_commit_callbacks):
    """Done-when: a provincial ticket becomes a ticket and its status updates reach the province."""
    sim.state.seed(1)
    _pull(django_capture_on_commit_callbacks)
    ticket = Ticket.objects.get()
    pid = ExternalRef.objects.get(ticket=ticket).ref
    u = city.users
    with django_capture_on_commit_callbacks(execute=True):
        svc.ticket_dispatch(ticket=ticket, lead=city.bureau, by=u["dispatcher"])
    with django_capture_on_commit_callbacks(execute=True):
        svc.ticket_acknowledge(ticket=ticket, by=u["bureau_handler"])
    with django_capture_on_commit_callbacks(execute=True):
        svc.ticket_reply(ticket=ticket, by=u["bureau_handler"], reply="已协调施工方修复路面。")
    there = sim.ticket(pid)
    assert there["status"] == Ticket.Status.REPLIED and there["status_label"] == "待审核"
    assert there["replies"] == [
        {"reply": "已协调施工方修复路面。", "department": city.bureau.name, "at": there["replies"][0]["at"]}
    ]
    actions = [h["action"] for h in there["history"]]
    assert actions == ["accept", "status", "status", "status", "reply"]
    assert province_reconcile() == []


def test_failures_back_off_keep_order_and_deliver(sim, city, settings, django_capture_on_commit_callbacks):
    sim.state.seed(1)
    settings.PROVINCE_ENABLED = False
    _pull(django_capture_on_commit_callbacks)
    settings.PROVINCE_ENABLED = True
    sim.control("/sim/fail", {"count": 1, "status": 503})
    province_deliver(ProvinceOutbox.objects.get().pk)
    accept = ProvinceOutbox.objects.get()
    assert accept.status == "pending" and accept.attempts == 1 and accept.last_status_code == 503
    assert accept.next_attempt_at > timezone.now() + timedelta(seconds=20)
    ticket = Ticket.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        svc.ticket_dispatch(ticket=ticket, lead=city.bureau, by=city.users["dispatcher"])
    status = ProvinceOutbox.objects.get(kind="status")
    assert status.status == "pending" and status.attempts == 0  # waits behind the acceptance
    ProvinceOutbox.objects.update(next_attempt_at=timezone.now())
    assert province_retry_due() >= 1
    assert set(ProvinceOutbox.objects.values_list("status", flat=True)) == {"delivered"}
    pid = accept.province_id
    assert [h["action"] for h in sim.ticket(pid)["history"]] == ["accept", "status"]


def test_a_repeated_push_is_applied_once(sim, django_capture_on_commit_callbacks):
    sim.state.seed(1)
    _pull(django_capture_on_commit_callbacks)
    row = ProvinceOutbox.objects.get()
    body = row.payload
    again = call(
        "POST", f"/api/v1/tickets/{row.province_id}/accept", body=body, idempotency_key=row.idempotency_key
    )
    assert again["ok"] is True
    assert len(sim.ticket(row.province_id)["history"]) == 1
    with pytest.raises(ProvinceError) as exc:
        call(
            "POST",
            f"/api/v1/tickets/{row.province_id}/accept",
            body={"number": "X"},
            idempotency_key=row.idempotency_key,
        )
    assert exc.value.status == 422 and exc.value.permanent


def test_unknown_province_ticket_gives_up_at_once(sim, city):
    ticket = svc.ticket_create(
        data=svc.TicketInput(
            title="t", content="内容", channel="province", external_refs={"province": "NOPE"}
        ),
        by=None,
        submit=True,
    )[0]
    row = ProvinceOutbox.objects.create(
        ticket=ticket, province_id="NOPE", kind="status", payload={"status": "x"}, idempotency_key="k-nope"
    )
    province_deliver(row.pk)
    row.refresh_from_db()
    assert row.status == "gave_up" and row.last_status_code == 404


def test_pushes_wait_while_the_exchange_is_disabled(sim, settings, django_capture_on_commit_callbacks):
    sim.state.seed(1)
    settings.PROVINCE_ENABLED = False
    with django_capture_on_commit_callbacks(execute=True):
        province_pull()
    row = ProvinceOutbox.objects.get()
    assert row.status == "pending" and row.attempts == 0


def test_reconciliation_reports_mismatches(sim, city, settings, django_capture_on_commit_callbacks, capsys):
    sim.state.seed(2)
    _pull(django_capture_on_commit_callbacks)
    sim.control("/sim/tickets", {"title": "新件", "content": "新的省工单内容。"})  # not pulled yet
    ticket = Ticket.objects.order_by("pk").first()
    settings.PROVINCE_ENABLED = False  # the status push stays in the outbox
    with django_capture_on_commit_callbacks(execute=True):
        svc.ticket_dispatch(ticket=ticket, lead=city.bureau, by=city.users["dispatcher"])
    settings.PROVINCE_ENABLED = True
    kinds = sorted(m.kind for m in province_reconcile())
    assert kinds == ["missing_here", "status_differs"]
    with pytest.raises(SystemExit) as exit_:
        call_command("exchange", "province-reconcile")
    assert exit_.value.code == 1 and "状态不一致" in capsys.readouterr().out


# --- the simulator refuses what a real province would --------------------------------------------


def _raw(sim: Sim, method: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict]:
    request = urllib.request.Request(sim.base + path, data=body or None, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_simulator_refuses_bad_signature_stale_and_replayed_requests(sim):
    path = "/api/v1/tickets?after=0&limit=5"
    head = signing.headers("city-test", SECRET, "GET", path, b"", now=int(time.time()))
    assert _raw(sim, "GET", path, b"", head)[0] == 200
    assert _raw(sim, "GET", path, b"", head) == (
        401,
        {"code": "replayed", "message": "重复的 X-Nonce（重放请求）"},
    )
    stale = signing.headers("city-test", SECRET, "GET", path, b"", now=int(time.time()) - 3600)
    assert _raw(sim, "GET", path, b"", stale)[1]["code"] == "stale_timestamp"
    forged = signing.headers("city-test", "wrong-secret", "GET", path, b"", now=int(time.time()))
    assert _raw(sim, "GET", path, b"", forged)[1]["code"] == "bad_signature"


def test_simulator_refuses_malformed_and_oversized_bodies(sim):
    sim.state.seed(1)
    pid = next(iter(sim.state.tickets))
    path = f"/api/v1/tickets/{pid}/accept"
    bad = b"{not json"
    head = signing.headers("city-test", SECRET, "POST", path, bad, now=int(time.time())) | {
        "Idempotency-Key": "a"
    }
    assert _raw(sim, "POST", path, bad, head)[1]["code"] == "malformed_json"
    big = b"{" + b" " * (1024 * 1024 + 10) + b"}"
    status, body = _raw(sim, "POST", path, big, {"Content-Type": "application/json"})
    assert status == 413 and body["code"] == "body_too_large"
    ok = b'{"number":"1"}'
    head = signing.headers("city-test", SECRET, "POST", path, ok, now=int(time.time()))
    assert _raw(sim, "POST", path, ok, head)[1]["code"] == "idempotency_key_required"


def test_wrong_secret_on_our_side_is_a_clear_error(sim, settings):
    settings.PROVINCE_SECRET = "not-the-secret"
    with pytest.raises(ProvinceError) as exc:
        province_pull()
    assert exc.value.status == 401 and not Ticket.objects.exists()


def test_unreachable_province_is_a_clear_error(settings):
    settings.PROVINCE_BASE_URL = "http://127.0.0.1:9"
    with pytest.raises(ProvinceError) as exc:
        province_pull()
    assert exc.value.status is None and "Error" in exc.value.message


def test_malformed_feed_is_refused(settings):
    from http.server import BaseHTTPRequestHandler

    from hotline.exchange.tests.mocks import _Server

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>not json</html>")

    server = _Server(Handler)
    settings.PROVINCE_BASE_URL = server.base
    try:
        with pytest.raises(ProvinceError) as exc:
            province_pull()
        assert "JSON" in exc.value.message
    finally:
        server.close()
