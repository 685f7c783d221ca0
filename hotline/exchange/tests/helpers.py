"""Small helpers for Open311 tests: parse bodies, build a good POST."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

BASE = "/open311/v2"


def xml(response: Any) -> ET.Element:
    body = response.content.decode("utf-8")
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>'), body[:80]
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return ET.fromstring(response.content)


def js(response: Any) -> Any:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def good_post(raw_key: str, **extra: Any) -> dict[str, Any]:
    data = {
        "api_key": raw_key,
        "service_code": "010101",
        "lat": "30.274085",
        "long": "120.155070",
        "address_string": "幸福路 12 号",
        "description": "小区门口路灯连续三晚不亮，晚上很黑，请尽快维修。",
        "first_name": "三",
        "last_name": "张",
        "phone": "13912345678",
        "email": "zhang@example.com",
        "device_id": "dev-1",
    }
    data.update(extra)
    return data
