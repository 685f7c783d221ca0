"""Open311 GeoReport v2, read side: discovery, services, definitions, requests, tokens, errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.exchange.tests.helpers import BASE, js, xml
from hotline.tickets.models import Ticket
from hotline.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_discovery_lists_the_endpoint_in_both_formats(client, catalogue):
    data = js(client.get(f"{BASE}/discovery.json"))
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    (ep,) = data["endpoints"]
    assert ep["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert ep["url"].endswith("/open311/v2/")
    assert ep["type"] == "production"
    assert ep["formats"] == ["text/xml", "application/json"]
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]
    assert root.findtext("key_service")


def test_services_are_active_leaf_categories_as_a_bare_array(client, catalogue):
    data = js(client.get(f"{BASE}/services.json"))
    assert isinstance(data, list)
    assert [s["service_code"] for s in data] == ["010101", "010102"]  # no parents, nothing inactive
    first = data[0]
    assert first == {
        "service_code": "010101",
        "service_name": "路灯不亮",
        "description": "城乡建设 / 市政设施 / 路灯不亮",
        "metadata": True,
        "type": "realtime",
        "keywords": first["keywords"],
        "group": "城乡建设",
    }
    assert "ldbl" in first["keywords"]


def test_services_xml_uses_text_booleans(client, catalogue):
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    services = root.findall("service")
    assert [s.findtext("service_code") for s in services] == ["010101", "010102"]
    assert services[0].findtext("metadata") == "true"
    assert services[0].findtext("type") == "realtime"


def test_service_definition_lists_attributes(client, catalogue):
    data = js(client.get(f"{BASE}/services/010101.json"))
    assert data["service_code"] == "010101"
    attrs = {a["code"]: a for a in data["attributes"]}
    assert attrs["type"]["datatype"] == "singlevaluelist"
    assert attrs["type"]["required"] is False
    assert {"key": "complaint", "name": "投诉"} in attrs["type"]["values"]
    assert attrs["notice"]["variable"] is False
    assert sorted(a["order"] for a in data["attributes"]) == [1, 2]
    root = xml(client.get(f"{BASE}/services/010101.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("attributes/attribute/variable") == "true"
    assert root.find("attributes/attribute/values/value/key").text == "consultation"


@pytest.mark.parametrize("code", ["999999", "010103", "0201", "01"])
def test_unknown_or_inactive_service_definition_is_404(client, catalogue, code):
    r = client.get(f"{BASE}/services/{code}.json")
    assert r.status_code == 404
    (err,) = js(r)
    assert err["code"] == "404" and code in err["description"]
    r = client.get(f"{BASE}/services/{code}.xml")
    assert r.status_code == 404
    root = xml(r)
    assert root.tag == "errors" and root.findtext("error/code") == "404"


def test_wrong_jurisdiction_is_404_and_the_right_one_works(client, catalogue, settings):
    settings.OPEN311_JURISDICTION = "hz12345.gov.cn"
    r = client.get(f"{BASE}/services.json", {"jurisdiction_id": "other.gov.cn"})
    assert r.status_code == 404 and js(r)[0]["code"] == "404"
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": "hz12345.gov.cn"}).status_code == 200
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": ""}).status_code == 200  # empty = absent


def test_unknown_path_and_format_are_spec_404s(client, catalogue):
    r = client.get(f"{BASE}/servcies.json")
    assert r.status_code == 404 and js(r)[0]["code"] == "404"
    r = client.get(f"{BASE}/services.html")
    assert r.status_code == 404 and xml(r).findtext("error/code") == "404"


def test_unsupported_method_is_400(client, catalogue):
    r = client.put(f"{BASE}/services.json")
    assert r.status_code == 400 and js(r)[0]["code"] == "400"


# --- Requests ----------------------------------------------------------------------------------------


@pytest.fixture
def tickets(city, catalogue):
    a = make_ticket(
        by=city.agent,
        submit=True,
        category=catalogue.streetlight,
        title="路灯",
        content="路灯坏了，电话 13912345678",
    )
    b = make_ticket(by=city.agent, submit=True, category=catalogue.pothole, title="坑", content="路面有坑")
    hidden = make_ticket(by=city.agent, submit=True, category=catalogue.pothole, confidential=True)
    draft = make_ticket(by=city.agent, category=catalogue.pothole)
    no_category = make_ticket(by=city.agent, submit=True)
    Ticket.objects.filter(pk=b.pk).update(status=Ticket.Status.CLOSED, closed_at=timezone.now())
    old = make_ticket(by=city.agent, submit=True, category=catalogue.pothole)
    Ticket.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=120))
    return {"a": a, "b": b, "hidden": hidden, "draft": draft, "none": no_category, "old": old}


def test_requests_list_is_public_recent_and_newest_first(client, tickets):
    data = js(client.get(f"{BASE}/requests.json"))
    assert [r["service_request_id"] for r in data] == [tickets["b"].number, tickets["a"].number]
    row = data[1]
    assert row["status"] == "open" and row["status_notes"] == "待派单"
    assert row["service_code"] == "010101" and row["service_name"] == "路灯不亮"
    assert row["description"] == "路灯坏了，电话 139******78"  # phone numbers never published
    assert row["requested_datetime"].endswith("+08:00")
    assert {"address", "address_id", "zipcode", "lat", "long", "media_url", "expected_datetime"} <= set(row)
    assert data[0]["status"] == "closed"


def test_requests_filters(client, tickets):
    a, b = tickets["a"].number, tickets["b"].number

    def ids(**params):
        r = client.get(f"{BASE}/requests.json", params)
        assert r.status_code == 200, r.content
        return [x["service_request_id"] for x in js(r)]

    assert ids(status="open") == [a]
    assert ids(status="closed") == [b]
    assert ids(status="open,closed") == [b, a]
    assert ids(service_code="010102") == [b]
    assert ids(service_code="010101,010102") == [b, a]
    assert ids(service_code="", status="") == [b, a]  # empty parameters are absent ones
    # service_request_id overrides every other filter, even the 90-day window, but never shows hidden tickets
    old, hidden = tickets["old"].number, tickets["hidden"].number
    assert ids(service_request_id=f"{old},{a},{hidden}", status="closed") == [a, old]
    now = timezone.now()
    assert ids(
        start_date=(now - timedelta(days=130)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        end_date=(now - timedelta(days=50)).isoformat(),
    ) == [old]
    assert ids(end_date=(now - timedelta(days=100)).date().isoformat()) == [old]
    assert ids(start_date=(now - timedelta(days=1)).isoformat()) == [b, a]


def test_requests_pagination_extension(client, tickets):
    first = js(client.get(f"{BASE}/requests.json", {"page_size": 1}))
    second = js(client.get(f"{BASE}/requests.json", {"page_size": 1, "page": 2}))
    third = js(client.get(f"{BASE}/requests.json", {"page_size": 1, "page": 3}))
    assert [r["service_request_id"] for r in first + second] == [tickets["b"].number, tickets["a"].number]
    assert third == []


@pytest.mark.parametrize(
    "params,field",
    [
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 天"),
        ({"start_date": "2026-02-01", "end_date": "2026-01-01"}, "早于"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-13-45"}, "end_date"),
        ({"status": "pending"}, "status"),
        ({"page": "0"}, "page"),
        ({"page_size": "-5"}, "page_size"),
        ({"page": "abc"}, "page"),
    ],
)
def test_bad_request_parameters_are_400_in_both_formats(client, tickets, params, field):
    r = client.get(f"{BASE}/requests.json", params)
    assert r.status_code == 400
    errors = js(r)
    assert errors and all(set(e) == {"code", "description"} for e in errors)
    assert errors[0]["code"] == "400" and field in errors[0]["description"]
    r = client.get(f"{BASE}/requests.xml", params)
    assert r.status_code == 400 and xml(r).findtext("error/code") == "400"


def test_requests_xml_shape(client, tickets):
    root = xml(client.get(f"{BASE}/requests.xml"))
    assert root.tag == "service_requests"
    reqs = root.findall("request")
    assert len(reqs) == 2 and reqs[1].findtext("service_request_id") == tickets["a"].number
    assert reqs[1].findtext("lat") == ""  # absent values are empty elements


def test_single_request_in_both_url_forms(client, tickets):
    number = tickets["a"].number
    for path in (f"{BASE}/requests/{number}.json", f"{BASE}/request/{number}.json"):
        data = js(client.get(path))
        assert isinstance(data, list) and len(data) == 1 and data[0]["service_request_id"] == number
    root = xml(client.get(f"{BASE}/request/{number}.xml"))
    assert root.findtext("request/service_request_id") == number


@pytest.mark.parametrize("which", ["hidden", "draft", "none"])
def test_unpublished_requests_are_404(client, tickets, which):
    r = client.get(f"{BASE}/requests/{tickets[which].number}.json")
    assert r.status_code == 404 and js(r)[0]["code"] == "404"
    assert client.get(f"{BASE}/requests/2099010100001.xml").status_code == 404


def test_requests_list_has_a_bounded_query_count(client, city, catalogue, django_assert_max_num_queries):
    for i in range(15):
        make_ticket(by=city.agent, submit=True, category=catalogue.streetlight, title=f"路灯{i}")
    with django_assert_max_num_queries(3):
        data = js(client.get(f"{BASE}/requests.json"))
    assert len(data) == 15


def test_requests_default_to_at_most_1000(client, city, catalogue):
    now = timezone.now()
    Ticket.objects.bulk_create(
        Ticket(
            number=f"20990101{i:05d}",
            status=Ticket.Status.PENDING_DISPATCH,
            title="路灯",
            content="路灯不亮",
            category=catalogue.streetlight,
            channel=Ticket.Channel.OPEN311,
            created_at=now - timedelta(seconds=i),
        )
        for i in range(1005)
    )
    data = js(client.get(f"{BASE}/requests.json"))
    assert len(data) == 1000 and data[0]["service_request_id"] == "2099010100000"
    rest = js(client.get(f"{BASE}/requests.json", {"page": 2, "page_size": 1000}))
    assert len(rest) == 5
    assert len(js(client.get(f"{BASE}/requests.json", {"page_size": 5000}))) == 1000  # capped


def test_service_request_updates_extension(client, city, tickets):
    from hotline.tickets import services as svc

    svc.ticket_dispatch(ticket=tickets["a"], lead=city.bureau, by=city.dispatcher)
    now = timezone.now()
    params = {
        "start_date": (now - timedelta(hours=1)).isoformat(),
        "end_date": (now + timedelta(minutes=1)).isoformat(),
    }
    data = js(client.get(f"{BASE}/servicerequestupdates.json", params))
    mine = [u for u in data if u["service_request_id"] == tickets["a"].number]
    assert [u["status"] for u in mine] == ["open", "investigating"]
    assert mine[-1]["description"] == "派单" and mine[-1]["update_id"].isdigit()
    numbers = {u["service_request_id"] for u in data}
    assert tickets["hidden"].number not in numbers and tickets["draft"].number not in numbers
    root = xml(client.get(f"{BASE}/servicerequestupdates.xml"))  # default: the last 24 hours
    assert root.tag == "service_request_updates" and root.find("request_update/update_id") is not None
    r = client.get(f"{BASE}/servicerequestupdates.json", {"start_date": params["start_date"]})
    assert r.status_code == 400 and js(r)[0]["code"] == "400"
