"""Open311 POST /requests and tokens: a ticket exactly once, and every bad input refused cleanly."""

from __future__ import annotations

import logging

import pytest

from hotline.exchange.models import Open311Submission
from hotline.exchange.tests.helpers import BASE, good_post, js, xml
from hotline.tickets.models import ExternalRef, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def _post(client, data, fmt="json", **kw):
    return client.post(f"{BASE}/requests.{fmt}", data, **kw)


def _nothing_created():
    assert Ticket.objects.count() == 0
    assert Open311Submission.objects.count() == 0
    assert ExternalRef.objects.count() == 0
    assert TicketEvent.objects.count() == 0


def test_post_creates_a_ticket_waiting_for_dispatch(client, catalogue):
    r = _post(client, good_post(catalogue.raw_key, **{"attribute[type]": "complaint"}))
    assert r.status_code == 200, r.content
    (row,) = js(r)
    assert set(row) == {"service_request_id", "service_notice", "account_id"}  # an id, never a token too
    ticket = Ticket.objects.get(number=row["service_request_id"])
    assert ticket.channel == Ticket.Channel.OPEN311
    assert ticket.status == Ticket.Status.PENDING_DISPATCH
    assert ticket.category == catalogue.streetlight
    assert ticket.type == Ticket.Type.COMPLAINT
    assert ticket.title.startswith("路灯不亮：小区门口路灯")
    assert ticket.citizen_name == "张三" and ticket.citizen_phone == "13912345678"
    assert str(ticket.latitude) == "30.274085" and ticket.address == "幸福路 12 号"
    sub = ticket.open311
    assert sub.key == catalogue.key and sub.email == "zhang@example.com" and sub.device_id == "dev-1"
    assert sub.attributes == {"type": ["complaint"]}
    assert ExternalRef.objects.get(ticket=ticket).system == "open311"
    assert r["X-Open311-Token"] == sub.token
    catalogue.key.refresh_from_db()
    assert catalogue.key.last_used_at is not None


def test_post_xml_and_read_back(client, catalogue):
    r = _post(client, good_post(catalogue.raw_key), fmt="xml")
    assert r.status_code == 200
    number = xml(r).findtext("request/service_request_id")
    (row,) = js(client.get(f"{BASE}/requests/{number}.json"))
    assert row["status"] == "open" and row["service_code"] == "010101" and row["lat"] == 30.274085


def test_duplicate_delivery_returns_the_first_ticket(client, catalogue):
    first = js(_post(client, good_post(catalogue.raw_key)))[0]
    again = _post(client, good_post(catalogue.raw_key))
    assert js(again)[0]["service_request_id"] == first["service_request_id"]
    assert "重复" in js(again)[0]["service_notice"]
    assert Ticket.objects.count() == 1 and Open311Submission.objects.count() == 1


def test_idempotency_key_makes_a_retry_with_changed_fields_the_same_request(client, catalogue):
    one = _post(client, good_post(catalogue.raw_key), HTTP_IDEMPOTENCY_KEY="app-42")
    two = _post(client, good_post(catalogue.raw_key, description="改了描述"), HTTP_IDEMPOTENCY_KEY="app-42")
    assert js(one)[0]["service_request_id"] == js(two)[0]["service_request_id"]
    three = _post(client, good_post(catalogue.raw_key), HTTP_IDEMPOTENCY_KEY="app-43")
    assert js(three)[0]["service_request_id"] != js(one)[0]["service_request_id"]
    assert Ticket.objects.count() == 2


def test_multivaluelist_attributes_and_query_string_key(client, catalogue):
    data = good_post("", **{"attribute[tags][]": ["夜间", "安全"]})
    del data["api_key"]
    r = client.post(f"{BASE}/requests.json?api_key={catalogue.raw_key}&jurisdiction_id=", data)
    assert r.status_code == 200, r.content
    assert Open311Submission.objects.get().attributes == {"tags": ["夜间", "安全"]}


def test_multipart_post_is_accepted(client, catalogue):
    r = client.post(f"{BASE}/requests.json", good_post(catalogue.raw_key))  # the test client sends multipart
    assert r.status_code == 200
    r = client.post(
        f"{BASE}/requests.json",
        f"api_key={catalogue.raw_key}&service_code=010102&address_string=%E5%B9%B8%E7%A6%8F%E8%B7%AF",
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 200, r.content
    assert Ticket.objects.filter(category=catalogue.pothole).exists()


def test_token_resolves_to_the_request(client, catalogue):
    r = _post(client, good_post(catalogue.raw_key))
    token = r["X-Open311-Token"]
    (row,) = js(client.get(f"{BASE}/tokens/{token}.json"))
    assert row == {"service_request_id": js(r)[0]["service_request_id"], "token": token}
    assert xml(client.get(f"{BASE}/tokens/{token}.xml")).findtext("request/token") == token
    missing = client.get(f"{BASE}/tokens/nope.json")
    assert missing.status_code == 404 and js(missing)[0]["code"] == "404"


@pytest.mark.parametrize("key", [None, "", "o311_wrong", "x" * 500])
def test_missing_or_wrong_api_key_is_403(client, catalogue, key):
    data = good_post(catalogue.raw_key)
    if key is None:
        del data["api_key"]
    else:
        data["api_key"] = key
    r = _post(client, data)
    assert r.status_code == 403
    (err,) = js(r)
    assert err["code"] == "403" and "api_key" in err["description"]
    r = _post(client, data, fmt="xml")
    assert r.status_code == 403 and xml(r).findtext("error/code") == "403"
    _nothing_created()


def test_inactive_key_is_403(client, catalogue):
    catalogue.key.is_active = False
    catalogue.key.save()
    assert _post(client, good_post(catalogue.raw_key)).status_code == 403
    _nothing_created()


@pytest.mark.parametrize("code", ["999999", "010103", "0201", "0101"])
def test_unknown_inactive_or_non_leaf_service_is_404(client, catalogue, code):
    r = _post(client, good_post(catalogue.raw_key, service_code=code))
    assert r.status_code == 404 and js(r)[0]["code"] == "404"
    _nothing_created()


@pytest.mark.parametrize(
    "change,param",
    [
        ({"service_code": ""}, "service_code"),
        ({"lat": "", "long": "", "address_string": ""}, "address_string"),
        ({"long": ""}, "long"),
        ({"lat": "abc"}, "lat"),
        ({"lat": "91"}, "lat"),
        ({"long": "NaN"}, "long"),
        ({"description": "长" * 4001}, "description"),
        ({"attribute[type]": "rumour"}, "attribute[type]"),
        ({"phone": "call-me-maybe"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"first_name": "名" * 31}, "first_name"),
        ({"media_url": "http://x/" + "a" * 600}, "media_url"),
    ],
)
def test_bad_fields_are_400_naming_the_parameter(client, catalogue, change, param):
    r = _post(client, good_post(catalogue.raw_key, **change))
    assert r.status_code == 400, r.content
    errors = js(r)
    assert all(e["code"] == "400" for e in errors)
    assert any(e["description"].startswith(f"{param}:") for e in errors), errors
    _nothing_created()


def test_several_errors_come_back_at_once(client, catalogue):
    r = _post(client, good_post(catalogue.raw_key, lat="abc", email="bad", description="长" * 4001))
    assert r.status_code == 400
    assert {e["description"].split(":")[0] for e in js(r)} == {"lat", "email", "description"}


def test_json_body_is_refused(client, catalogue):
    r = client.post(f"{BASE}/requests.json", '{"service_code": "010101"', content_type="application/json")
    assert r.status_code == 400 and "x-www-form-urlencoded" in js(r)[0]["description"]
    _nothing_created()


def test_oversized_body_is_refused(client, catalogue):
    r = client.post(
        f"{BASE}/requests.json",
        f"api_key={catalogue.raw_key}&service_code=010101&description=" + "a" * 70_000,
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 400 and js(r)[0]["code"] == "413"
    _nothing_created()


def test_malformed_multipart_is_refused(client, catalogue):
    r = client.post(
        f"{BASE}/requests.xml",
        b'--XX\r\nContent-Disposition: form-data; name="api_key"\r\n\r\nbroken',
        content_type="multipart/form-data",  # no boundary
    )
    assert r.status_code == 400 and xml(r).findtext("error/code") == "400"
    _nothing_created()


def test_wrong_jurisdiction_on_post_is_404(client, catalogue, settings):
    settings.OPEN311_JURISDICTION = "hz12345.gov.cn"
    r = _post(client, good_post(catalogue.raw_key, jurisdiction_id="sh12345.gov.cn"))
    assert r.status_code == 404
    _nothing_created()
    assert _post(client, good_post(catalogue.raw_key, jurisdiction_id="hz12345.gov.cn")).status_code == 200


def test_refusals_are_logged(client, catalogue, caplog):
    with caplog.at_level(logging.WARNING, logger="hotline.exchange.views.open311"):
        _post(client, good_post("o311_wrong"))
    assert any(
        "403" in rec.getMessage() and "/open311/v2/requests.json" in rec.getMessage()
        for rec in caplog.records
    )
