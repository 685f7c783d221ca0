"""API: POST /api/v1/assist/suggest gives what the agent desk's panel shows, to the roles that take or dispatch."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hotline.accounts.services import token_issue
from hotline.assist.models import DispatchRule
from hotline.assist.services import dispatch_model_train
from hotline.metrics.tests.test_api import api_error
from hotline.metrics.tests.test_views import client_for
from hotline.tickets.models import Ticket
from hotline.tickets.tests.drive import drive

pytestmark = pytest.mark.django_db
URL = "/api/v1/assist/suggest"
AIR = {"title": "化工厂排放废气", "content": "晚上气味刺鼻，附近居民头晕"}
NOISE = "幸福路工地每天夜里十二点还在打桩，噪音太大根本没法睡觉"


def _post(c: Client, body: object) -> Any:
    return c.post(URL, json.dumps(body), content_type="application/json")


@pytest.fixture
def trained(data_dir, history):  # type: ignore[no-untyped-def]
    dispatch_model_train(seed=1)
    return history


def test_without_a_model_the_lists_are_empty_not_an_error(city, data_dir) -> None:
    r = _post(client_for(city.agent), AIR)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body == {
        "model_version": None,
        "categories": [],
        "departments": [],
        "police": None,
        "duplicates": [],
    }


def test_model_gives_category_and_department_top3_with_confidence_and_version(city, trained) -> None:
    body = _post(client_for(city.dispatcher), AIR).json()
    assert body["model_version"]
    assert [c["code"] for c in body["categories"]][0] == "Z1-hbj" and len(body["categories"]) == 3
    assert body["categories"][0]["path"] == "综合 › 综合类 › 分类hbj"
    depts = body["departments"]
    assert [d["code"] for d in depts][0] == "hbj" and len(depts) == 3
    assert all(d["source"] == "model" and d["source_label"] == "模型" for d in depts)
    confidences = [d["confidence"] for d in depts]
    assert confidences == sorted(confidences, reverse=True) and 0 < confidences[0] <= 1


def test_catalogue_rule_comes_first_without_a_confidence(city, trained) -> None:
    cats, depts = trained["categories"], trained["departments"]
    DispatchRule.objects.create(category=cats["hbj"], department=depts["zjj"], district=city.district)
    body = _post(client_for(city.agent), {**AIR, "category": "Z1-hbj", "district": "DCQ"}).json()
    first = body["departments"][0]
    assert (first["code"], first["source"], first["confidence"]) == ("zjj", "rule", None)
    assert first["source_label"] == "派单目录" and "东城区" in first["reason"]
    assert body["departments"][1]["code"] == "hbj"


def test_police_matters_are_flagged_with_the_reasons(city, data_dir) -> None:
    body = _post(
        client_for(city.agent), {"title": "有人打架", "content": "楼下现在有人持刀打架，已经有人流血"}
    ).json()
    assert body["police"]["level"] == "police" and body["police"]["label"] == "建议转 110"
    assert any(r.startswith("人身伤害") for r in body["police"]["reasons"])


def test_near_duplicate_open_tickets_are_listed_with_the_reason(city, data_dir) -> None:
    old = drive(city, Ticket.Status.DISPATCHED, content=NOISE)
    closed = drive(city, Ticket.Status.CLOSED, content=NOISE)
    body = _post(
        client_for(city.supervisor),
        {"title": "工地噪音", "content": "幸福路的工地夜里十二点还在打桩，噪音很大没法睡觉"},
    ).json()
    assert [d["number"] for d in body["duplicates"]] == [old.number]
    dup = body["duplicates"][0]
    assert dup["reason"].startswith("内容相近") and 0.5 < dup["similarity"] <= 1
    assert dup["status"] == "dispatched" and closed.number not in json.dumps(body)


@pytest.mark.parametrize("role", ["agent", "dispatcher", "reviewer", "supervisor"])
def test_roles_that_take_or_dispatch_may_ask(city, data_dir, role) -> None:
    assert _post(client_for(getattr(city, role)), AIR).status_code == 200


@pytest.mark.parametrize("role", ["visitor", "qa", "analyst", "hr", "bureau_handler", "street_handler"])
def test_other_roles_are_refused(city, data_dir, role) -> None:
    api_error(_post(client_for(getattr(city, role)), AIR), 403, "forbidden")


def test_a_machine_token_of_a_dispatcher_may_ask_and_none_is_401(city, data_dir) -> None:
    _, raw = token_issue(user=city.dispatcher, name="省平台")
    c = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert _post(c, AIR).status_code == 200
    api_error(_post(Client(), AIR), 401, "unauthorized")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**AIR, "category": "NOPE"}, "category"),
        ({**AIR, "category": "Z1"}, "category"),  # a second-level category: the catalogue is by leaf
        ({**AIR, "district": "NOPE"}, "district"),
        ({"title": "长" * 201}, "title"),
        ({"title": "x", "content": "长" * 5001}, "content"),
        ({"title": ["not", "text"]}, "title"),
    ],
)
def test_bad_input_is_a_structured_error(city, trained, body, field) -> None:
    err = api_error(_post(client_for(city.agent), body), 400)
    assert field in {e["field"] for e in err["errors"]}


def test_malformed_json_is_a_structured_error(city, data_dir) -> None:
    r = client_for(city.agent).post(URL, "{title:", content_type="application/json")
    api_error(r, 400)
