"""The IVR flow editor: unsound flows are refused with Chinese reasons and the typed rows kept; a sound
flow is saved and the engine runs it."""

from __future__ import annotations

import pytest

from hotline.callcenter.engine import events as ev
from hotline.callcenter.engine.acd import Engine
from hotline.callcenter.engine.commands import CollectDigits, Enqueue, Play
from hotline.callcenter.ivr_views import rows_of
from hotline.callcenter.models import Hotline, IvrFlow, Prompt
from hotline.callcenter.selectors import centre_config
from hotline.tickets.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
NEW = "/callcenter/ivr/new/"
FIELDS = ("node_id", "type", "prompt", "next", "closed", "options", "queue", "number", "timeout_s", "retries")


def _post(name: str, start: str, rows: list[dict[str, str]], **extra: str) -> dict[str, str]:
    data = {"name": name, "start": start, "form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": "0",
            "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "60", **extra}  # fmt: skip
    for i, row in enumerate(rows):
        for f in FIELDS:
            data[f"form-{i}-{f}"] = row.get(f, "")
        if row.get("self_service"):
            data[f"form-{i}-self_service"] = "on"
    return data


GOOD = [
    {"node_id": "welcome", "type": "play", "prompt": "welcome", "next": "menu"},
    {"node_id": "menu", "type": "menu", "prompt": "menu", "options": "9=market, 0=staff", "next": "staff",
     "timeout_s": "3", "retries": "1"},
    {"node_id": "staff", "type": "queue", "queue": "12345"},
    {"node_id": "market", "type": "queue", "queue": "12315"},
    {"node_id": "", "type": ""},  # an empty row is skipped
]  # fmt: skip


@pytest.fixture
def admin_client(client, city):
    client.login(username="admin", password=PASSWORD)
    return client


def test_only_admins_and_supervisors_edit_flows(client, city, centre):
    client.login(username="agent", password=PASSWORD)
    assert client.get(NEW).status_code == 403
    client.login(username="supervisor", password=PASSWORD)
    assert client.get(NEW).status_code == 200


@pytest.mark.parametrize(
    ("rows", "start", "reason"),
    [
        # A menu with nowhere to go on timeout: a dead end.
        ([{"node_id": "m", "type": "menu", "prompt": "menu", "options": "1=q"},
          {"node_id": "q", "type": "queue", "queue": "12345"}], "m", "缺少超时或按错键后的默认去向"),
        # A prompt nobody recorded.
        ([{"node_id": "w", "type": "play", "prompt": "", "next": "q"},
          {"node_id": "q", "type": "queue", "queue": "12345"}], "w", "缺少提示音"),
        # Two plays pointing at each other never wait for a key.
        ([{"node_id": "a", "type": "play", "prompt": "welcome", "next": "b"},
          {"node_id": "b", "type": "play", "prompt": "welcome", "next": "a"},
          {"node_id": "m", "type": "menu", "prompt": "menu", "options": "1=q", "next": "a"},
          {"node_id": "q", "type": "queue", "queue": "12345"}], "m", "构成不等待按键的循环"),
        # A link to a node that does not exist.
        ([{"node_id": "w", "type": "play", "prompt": "welcome", "next": "nowhere"}], "w", "“nowhere”不存在"),
        # Two rows with one name.
        ([{"node_id": "q", "type": "queue", "queue": "12345"},
          {"node_id": "q", "type": "queue", "queue": "12315"}], "q", "重复"),
        # A bad menu option.
        ([{"node_id": "m", "type": "menu", "prompt": "menu", "options": "one to staff", "next": "q"},
          {"node_id": "q", "type": "queue", "queue": "12345"}], "m", "格式应为 按键=节点"),
    ],
)  # fmt: skip
def test_unsound_flows_are_refused_with_a_reason_and_the_rows_kept(admin_client, centre, rows, start, reason):
    r = admin_client.post(NEW, _post("坏流程", start, rows))
    page = r.content.decode()
    assert r.status_code == 400 and reason in page and "未保存" in page
    assert 'value="坏流程"' in page and f'value="{rows[0]["node_id"]}"' in page
    assert not IvrFlow.objects.exists()


def test_a_queue_nobody_answers_is_refused(admin_client, centre):
    from hotline.callcenter.models import Queue

    Queue.objects.create(key="empty", name="无人队列")
    r = admin_client.post(NEW, _post("空队列", "q", [{"node_id": "q", "type": "queue", "queue": "empty"}]))
    assert r.status_code == 400 and "没有任何座席具备该技能" in r.content.decode()


def test_a_sound_flow_is_saved_and_the_engine_runs_it(admin_client, centre):
    Prompt.objects.get_or_create(key="survey_thanks", defaults={"name": "谢谢"})
    r = admin_client.post(NEW, _post("12345 英语分流", "welcome", GOOD))
    assert r.status_code == 302
    flow = IvrFlow.objects.get()
    assert flow.flow == {
        "start": "welcome",
        "nodes": {
            "welcome": {"type": "play", "prompt": "welcome", "next": "menu"},
            "menu": {"type": "menu", "prompt": "menu", "options": {"9": "market", "0": "staff"},
                     "default": "staff", "timeout_s": 3, "retries": 1},
            "staff": {"type": "queue", "queue": "12345"},
            "market": {"type": "queue", "queue": "12315"},
        },
    }  # fmt: skip
    # The editor shows it back row for row; a no-change save keeps it identical.
    page = admin_client.get(f"/callcenter/ivr/{flow.pk}/").content.decode()
    # (PostgreSQL's jsonb keeps keys in its own order.)
    assert 'value="9=market, 0=staff"' in page or 'value="0=staff, 9=market"' in page
    assert rows_of(flow.flow)[0]["node_id"] == "welcome"
    Hotline.objects.filter(number="12345").update(ivr=flow)
    engine = Engine(centre_config())
    engine.handle(ev.AgentSignedIn(0, "0002", ready=True))
    out = engine.handle(ev.CallArrived(1, "c1", "12345", "13900000000"))
    assert Play("c1", "welcome") in out and any(
        isinstance(c, CollectDigits) and c.prompt == "menu" for c in out
    )
    out = engine.handle(ev.DigitsCollected(2, "c1", "9"))
    assert Enqueue("c1", "12315") in out  # key 9 → the 12315 queue, as edited


def test_more_rows_keeps_what_was_typed_and_saves_nothing(admin_client, centre):
    r = admin_client.post(NEW, _post("草稿", "welcome", GOOD[:2], more="1"))
    page = r.content.decode()
    assert r.status_code == 200 and not IvrFlow.objects.exists()
    assert page.count('name="form-') >= 5 * len(FIELDS) and 'value="9=market, 0=staff"' in page


def test_the_flow_list_shows_which_hotlines_use_each_flow(admin_client, centre):
    admin_client.post(NEW, _post("12345 英语分流", "welcome", GOOD))
    Hotline.objects.filter(number="12345").update(ivr=IvrFlow.objects.get())
    page = admin_client.get("/callcenter/ivr/").content.decode()
    assert "12345 英语分流" in page and "12345" in page
