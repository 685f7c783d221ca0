"""The desks' assist panels, dispatch with logging, duplicates, and the assist pages."""

from __future__ import annotations

import pytest

from hotline.assist.classifier import DispatchClassifier
from hotline.assist.models import DispatchRule, HotspotAlert, ModelVersion, SuggestionLog
from hotline.tickets.models import Ticket
from hotline.tickets.tests.drive import drive
from hotline.tickets.tests.factories import PASSWORD, CategoryFactory

from .fixtures import labelled

S = Ticket.Status
CODES = {"jtj": "CGJ", "hbj": "SJJ", "rsj": "DCQ", "jyj": "DCQ-DH", "zjj": "DCQ-XH"}
AIR = "化工厂晚上偷偷排放废气，气味刺鼻，附近居民头晕。"


@pytest.fixture
def model(data_dir, city):
    """A department model over the city's departments, registered as the active version."""
    texts, labels = labelled()
    clf = DispatchClassifier().fit(texts, [CODES[label] for label in labels], seed=3)
    path = clf.save(data_dir / "models" / "dispatch-test.joblib")
    return ModelVersion.objects.create(version="test-1", path=str(path), active=True, training_size=100)


@pytest.fixture
def leaf(db):
    top = CategoryFactory(name="生态环境", code="05")
    mid = CategoryFactory(name="大气污染", code="0501", parent=top)
    return CategoryFactory(name="工业废气", code="050101", parent=mid)


def login(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


def test_agent_panel_without_a_model_says_so_without_errors(client, city, data_dir):
    r = login(client, "agent").get("/assist/suggest/", {"content": AIR})
    assert r.status_code == 200
    assert "尚未训练派单模型" in r.content.decode()


def test_agent_panel_suggests_top3_departments_with_confidence(client, city, model):
    body = login(client, "agent").get("/assist/suggest/", {"title": "", "content": AIR}).content.decode()
    assert body.count("data-assist-lead=") == 3
    assert body.split("data-assist-lead=")[1].startswith('"SJJ"')  # the air-pollution bureau first
    assert 'data-shortcut="Alt+Shift+1"' in body and "%" in body
    assert 'name="assist_shown" form="intake" value="test-1|model|SJJ,' in body


def test_agent_panel_puts_the_catalogue_rule_first(client, city, model, leaf):
    DispatchRule.objects.create(category=leaf, department=city.bureau)
    body = (
        login(client, "agent").get("/assist/suggest/", {"content": AIR, "category": leaf.pk}).content.decode()
    )
    assert body.index('data-assist-lead="CGJ"') < body.index('data-assist-lead="SJJ"')
    assert "派单目录" in body


def test_agent_panel_refuses_department_users(client, city, model):
    assert login(client, "cgj").get("/assist/suggest/", {"content": AIR}).status_code == 403


def _intake(city, leaf, **over):
    data = {
        "idem": "k-assist",
        "citizen_phone": "13812345678",
        "type": "complaint",
        "category": str(leaf.pk),
        "urgency": "normal",
        "title": "",
        "content": AIR,
        "disposition": "dispatch",
        "lead": city.other_bureau.code,
        "assist_shown": "test-1|model|SJJ,CGJ,DCQ",
    }
    data.update(over)
    return data


def test_agent_dispatch_logs_an_accepted_suggestion(client, city, model, leaf):
    r = login(client, "agent").post("/desk/agent/", _intake(city, leaf))
    assert r.status_code == 302
    log = SuggestionLog.objects.get()
    assert log.desk == "agent" and log.outcome == "accepted" and log.model_version == "test-1"
    assert log.ticket.lead_department == city.other_bureau


def test_agent_dispatch_logs_an_override(client, city, model, leaf):
    login(client, "agent").post("/desk/agent/", _intake(city, leaf, lead=city.district.code))
    log = SuggestionLog.objects.get()
    assert log.outcome == "overridden" and log.in_top3 and log.chosen == city.district


def test_agent_answer_logs_nothing(client, city, model, leaf):
    login(client, "agent").post("/desk/agent/", _intake(city, leaf, disposition="answer", answer="已解答"))
    assert not SuggestionLog.objects.exists()


def test_agent_similar_hint_finds_near_duplicate_text(client, city):
    old = drive(
        city,
        S.DISPATCHED,
        content="幸福路工地每天夜里十二点还在打桩，噪音太大根本没法睡觉",
        citizen_phone="13900000001",
    )
    body = (
        login(client, "agent")
        .get(
            "/desk/agent/similar/",
            {
                "citizen_phone": "13700000009",
                "address": "",
                "content": "幸福路的工地夜里十二点还在打桩，噪音很大没法睡觉",
            },
        )
        .content.decode()
    )
    assert old.number in body and "内容相近" in body


def test_agent_similar_hint_ignores_unrelated_text(client, city):
    drive(city, S.DISPATCHED, content="公司拖欠三个月工资，老板联系不上", citizen_phone="13900000001")
    body = (
        login(client, "agent")
        .get(
            "/desk/agent/similar/", {"citizen_phone": "13700000009", "content": "幸福路工地夜里打桩噪音太大"}
        )
        .content.decode()
    )
    assert "内容相近" not in body


def test_dispatch_desk_shows_the_suggestion_and_one_click_accept_dispatches_and_logs(client, city, model):
    t = drive(city, S.PENDING_DISPATCH, title="工厂废气", content=AIR)
    c = login(client, "dispatcher")
    body = c.get("/desk/dispatch/").content.decode()
    assert f"/assist/dispatch/{t.number}/" in body and "采用 " in body
    r = c.post(
        f"/assist/dispatch/{t.number}/",
        {
            "lead": "SJJ",
            "version": t.version,
            "assist_shown": "test-1|model|SJJ,CGJ,DCQ",
            "next": "/desk/dispatch/",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/desk/dispatch/"
    t.refresh_from_db()
    assert t.status == S.DISPATCHED and t.lead_department == city.other_bureau
    log = SuggestionLog.objects.get()
    assert log.desk == "dispatch" and log.outcome == "accepted"


def test_dispatch_desk_override_through_the_row_form_is_logged(client, city, model):
    t = drive(city, S.PENDING_DISPATCH, content=AIR)
    login(client, "dispatcher").post(
        f"/assist/dispatch/{t.number}/",
        {"lead": "DCQ", "version": t.version, "assist_shown": "test-1|model|SJJ,CGJ"},
    )
    assert SuggestionLog.objects.get().outcome == "overridden"


def test_dispatch_refusal_keeps_the_ticket_and_logs_nothing(client, city, model):
    t = drive(city, S.PENDING_DISPATCH, content=AIR)
    c = login(client, "dispatcher")
    r = c.post(
        f"/assist/dispatch/{t.number}/", {"lead": "NOPE", "assist_shown": "test-1|model|SJJ"}, follow=True
    )
    assert "请选择派往的承办单位" in r.content.decode()
    r = c.post(f"/assist/dispatch/{t.number}/", {"lead": "SJJ", "version": t.version + 5}, follow=True)
    assert "派单未成功" in r.content.decode()
    t.refresh_from_db()
    assert t.status == S.PENDING_DISPATCH and not SuggestionLog.objects.exists()


def test_dispatch_desk_without_a_model_keeps_the_plain_form(client, city, data_dir):
    t = drive(city, S.PENDING_DISPATCH, content=AIR)
    body = login(client, "dispatcher").get("/desk/dispatch/").content.decode()
    assert f"/tickets/{t.number}/act/dispatch/" in body and "/assist/dispatch/" not in body


def test_dispatch_desk_flags_duplicates_and_lists_them_with_merge(client, city, data_dir):
    first = drive(
        city,
        S.PENDING_DISPATCH,
        content="幸福路工地每天夜里十二点还在打桩，噪音太大根本没法睡觉",
        citizen_phone="13900000001",
    )
    second = drive(
        city,
        S.PENDING_DISPATCH,
        content="幸福路的工地夜里十二点还在打桩，噪音很大没法睡觉",
        citizen_phone="13900000002",
    )
    c = login(client, "dispatcher")
    body = c.get("/desk/dispatch/").content.decode()
    assert "疑似重复 1 张" in body
    part = c.get(f"/assist/duplicates/{second.number}/", {"next": "/desk/dispatch/"}).content.decode()
    assert first.number in part and "内容相近" in part and f"/tickets/{second.number}/act/merge/" in part


def test_duplicates_of_an_invisible_ticket_is_a_404(client, city, data_dir):
    assert login(client, "dispatcher").get("/assist/duplicates/NOPE/").status_code == 404


def test_stats_page_shows_versions_and_rates_to_supervisors_only(client, city, model):
    t = drive(city, S.PENDING_DISPATCH, content=AIR)
    SuggestionLog.objects.create(
        ticket=t,
        desk="dispatch",
        suggested=["SJJ"],
        top1="SJJ",
        chosen=city.other_bureau,
        outcome="accepted",
        in_top3=True,
        source="model",
    )
    body = login(client, "supervisor").get("/assist/").content.decode()
    assert "test-1" in body and "采纳与改选" in body and "100%" in body
    client.logout()
    assert login(client, "agent").get("/assist/").status_code == 403


def test_hotspot_pages_render_for_analysts(client, city, data_dir):
    HotspotAlert.objects.create(
        day="2026-01-05", key="k", label="噪声 · 东城区 幸福路", count=6, previous=1, growth=3.5
    )
    c = login(client, "analyst")
    assert "噪声 · 东城区 幸福路" in c.get("/assist/hotspots/").content.decode()
    assert c.get("/assist/hotspots/panel/").status_code == 200
    assert "assist/hotspots/panel" in login(client, "supervisor").get("/desk/supervisor/").content.decode()


def test_dispatch_desk_queries_do_not_grow_with_rows_or_rules(
    client, city, model, leaf, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    DispatchRule.objects.create(category=leaf, department=city.bureau)
    drive(city, S.PENDING_DISPATCH, content=AIR, category=leaf)
    c = login(client, "dispatcher")
    with CaptureQueriesContext(connection) as few:
        c.get("/desk/dispatch/")
    for i in range(6):
        drive(
            city, S.PENDING_DISPATCH, content=f"第{i}件：{AIR}", category=leaf, citizen_phone=f"1370000000{i}"
        )
    with CaptureQueriesContext(connection) as many:
        c.get("/desk/dispatch/")
    assert len(many) == len(few)
