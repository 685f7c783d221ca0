"""The real `georeport` client (PyPI) against a live server: services, definitions, a POSTed request read back."""

from __future__ import annotations

import pytest
import requests
from georeport import GeoReport

from hotline.exchange.tests.helpers import good_post
from hotline.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def root(live_server, settings):
    settings.OPEN311_JURISDICTION = "hz12345.gov.cn"
    return f"{live_server.url}/open311/v2"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_lists_services_and_reads_back_a_posted_request(root, catalogue, fmt):
    client = GeoReport(root, jurisdiction="hz12345.gov.cn", api_key=catalogue.raw_key, output_format=fmt)
    services = client.get_service_list()
    assert [s["service_code"] for s in services] == ["010101", "010102"]
    assert services[0]["service_name"] == "路灯不亮"
    definition = client.get_service_definition("010101")
    assert definition["service_code"] == "010101"

    # georeport has no POST: send one per spec (form-encoded, api_key, jurisdiction_id), as any client would.
    posted = requests.post(
        f"{root}/requests.{fmt}",
        data=good_post(catalogue.raw_key, jurisdiction_id="hz12345.gov.cn"),
        timeout=10,
    )
    posted.raise_for_status()
    number = Ticket.objects.get(channel=Ticket.Channel.OPEN311).number
    assert number in posted.text

    one = client.get_service_request(number)
    assert one["service_request_id"] == number
    assert one["service_code"] == "010101" and one["status"] == "open"
    assert one["address"] == "幸福路 12 号"
    found = client.get_service_requests(service_request_id=number)
    row = found[0] if isinstance(found, list) else found  # xmltodict gives a dict for a single element
    assert row["service_request_id"] == number
    listed = client.get_service_requests(service_code="010101", status="open")
    rows = listed if isinstance(listed, list) else [listed]
    assert [r["service_request_id"] for r in rows] == [number]


def test_georeport_sees_http_errors(root, catalogue):
    client = GeoReport(root, jurisdiction="elsewhere.gov.cn")
    with pytest.raises(requests.HTTPError) as info:
        client.get_service_list()
    assert info.value.response.status_code == 404
    assert info.value.response.json()[0]["code"] == "404"
