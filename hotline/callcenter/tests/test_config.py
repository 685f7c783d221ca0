"""Configuration refused on save with a clear Chinese message: overflow loops, queues nobody answers,
unsound IVR flows, bad hours and emergency settings; the demo floor's 163 seats."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hotline.callcenter.demo import SEATS, load_demo
from hotline.callcenter.engine.ivr import validate_flow
from hotline.callcenter.models import (
    Agent,
    AgentSkill,
    BusinessHours,
    CentreSettings,
    Hotline,
    IvrFlow,
    Queue,
    Seat,
)
from hotline.callcenter.selectors import centre_config

pytestmark = pytest.mark.django_db


def messages(exc: ValidationError) -> str:
    return " ".join(str(m) for msgs in exc.message_dict.values() for m in msgs)


def test_overflow_loop_is_refused(centre):
    pool, market = centre["pool"], centre["market"]
    market.overflow_to, market.overflow_after_s = pool, 20
    market.full_clean()
    market.save()
    pool.overflow_to = market
    with pytest.raises(ValidationError) as exc:
        pool.full_clean()
    assert "溢出设置形成循环：12345 → 12315 → 12345" in messages(exc.value)
    pool.overflow_to = pool
    with pytest.raises(ValidationError, match="循环"):
        pool.full_clean()


def test_overflow_to_a_queue_nobody_answers_is_refused(centre):
    empty = Queue.objects.create(key="empty", name="空队列")
    centre["market"].overflow_to = empty
    with pytest.raises(ValidationError) as exc:
        centre["market"].full_clean()
    assert "没有任何座席" in messages(exc.value)


def test_overflow_wait_without_a_target_is_refused(centre):
    centre["pool"].overflow_after_s = 30
    with pytest.raises(ValidationError, match="没有选择溢出到的队列"):
        centre["pool"].full_clean()


def test_hotline_to_a_queue_with_no_agents_is_refused(centre):
    empty = Queue.objects.create(key="12319", name="12319 城建")
    hotline = Hotline(number="12319", name="12319", queue=empty)
    with pytest.raises(ValidationError) as exc:
        hotline.full_clean()
    assert "没有任何座席具备该技能" in messages(exc.value)
    AgentSkill.objects.create(agent=centre["a1"], queue=empty)
    hotline.full_clean()  # now someone can answer
    centre["a1"].is_active = False
    centre["a1"].save()
    with pytest.raises(ValidationError):
        hotline.full_clean()


@pytest.mark.parametrize(
    ("flow", "expected"),
    [
        ({}, "nodes"),
        ({"start": "x", "nodes": {"a": {"type": "queue", "queue": "12345"}}}, "起始节点“x”不存在"),
        ({"start": "a", "nodes": {"a": {"type": "play", "prompt": "welcome"}}}, "没有下一步（死路）"),
        ({"start": "a", "nodes": {"a": {"type": "play", "prompt": "nope", "next": "q"},
                                  "q": {"type": "queue", "queue": "12345"}}}, "提示音“nope”不存在"),
        ({"start": "a", "nodes": {"a": {"type": "play", "next": "q"}, "q": {"type": "queue", "queue": "12345"}}},
         "缺少提示音"),
        ({"start": "a", "nodes": {"a": {"type": "menu", "prompt": "menu", "options": {"1": "q"}},
                                  "q": {"type": "queue", "queue": "12345"}}}, "缺少超时或按错键后的默认去向"),
        ({"start": "a", "nodes": {"a": {"type": "play", "prompt": "welcome", "next": "b"},
                                  "b": {"type": "play", "prompt": "welcome", "next": "a"}}}, "不等待按键的循环"),
        ({"start": "a", "nodes": {"a": {"type": "queue", "queue": "12345"}, "b": {"type": "hangup"}}}, "无法到达"),
        ({"start": "a", "nodes": {"a": {"type": "queue", "queue": "nosuch"}}}, "队列“nosuch”不存在"),
        ({"start": "a", "nodes": {"a": {"type": "menu", "prompt": "menu", "options": {"1": "gone"}, "default": "q"},
                                  "q": {"type": "queue", "queue": "12345"}}}, "下一步“gone”不存在"),
        ({"start": "a", "nodes": {"a": {"type": "dance"}}}, "类型“dance”未知"),
    ],
)  # fmt: skip
def test_unsound_ivr_flows_are_refused_with_the_reason(centre, flow, expected):
    with pytest.raises(ValidationError) as exc:
        IvrFlow(name="坏流程", flow=flow).full_clean()
    assert expected in messages(exc.value)


def test_ivr_flow_to_a_queue_nobody_answers_is_refused(centre):
    Queue.objects.create(key="english", name="English")
    flow = {"start": "a", "nodes": {"a": {"type": "queue", "queue": "english"}}}
    with pytest.raises(ValidationError, match="没有任何座席具备该技能"):
        IvrFlow(name="英语", flow=flow).full_clean()


def test_a_sound_flow_is_accepted(centre):
    flow = {
        "start": "w",
        "nodes": {
            "w": {"type": "play", "prompt": "welcome", "next": "h"},
            "h": {"type": "hours", "open": "m", "closed": "out"},
            "m": {"type": "menu", "prompt": "menu", "options": {"1": "q", "0": "m"}, "default": "q"},
            "q": {"type": "queue", "queue": "12315"},
            "out": {"type": "transfer", "number": "4006012348"},
        },
    }
    IvrFlow(name="好流程", flow=flow).full_clean()
    assert validate_flow(flow) == []


@pytest.mark.parametrize(
    ("windows", "expected"),
    [
        ([], "至少填写一个时段"),
        ([{"days": [7], "start": "08:00", "end": "17:00"}], "0（周一）到 6（周日）"),
        ([{"days": [0], "start": "8点", "end": "17:00"}], "HH:MM"),
        ([{"days": [0], "start": "18:00", "end": "09:00"}], "结束时间必须晚于开始时间"),
    ],
)
def test_bad_business_hours_are_refused(windows, expected):
    with pytest.raises(ValidationError, match=expected):
        BusinessHours(name="x", windows=windows).full_clean()


def test_emergency_settings_need_30_lines_and_a_dr_number():
    s = CentreSettings.get()
    s.emergency_lines = 20
    s.emergency_mode = True
    with pytest.raises(ValidationError) as exc:
        s.full_clean()
    text = messages(exc.value)
    assert "不得少于 30 条" in text and "灾备中心号码" in text


def test_centre_config_carries_the_admin_tables_to_the_engine(centre):
    centre["market"].overflow_to, centre["market"].overflow_after_s = centre["pool"], 20
    centre["market"].save()
    cfg = centre_config()
    queues = {q.key: q for q in cfg.queues}
    assert queues["12315"].overflow_to == "12345" and queues["12315"].overflow_after_s == 20
    agents = {a.agent_id: a.skills for a in cfg.agents}
    assert agents == {"0001": {"12345": 1}, "0002": {"12315": 1, "12345": 3}}
    assert {h.number: h.queue for h in cfg.hotlines} == {"12345": "12345", "12315": "12315"}


def test_demo_floor_has_the_seeds_163_seats_and_loads_twice_without_duplicates(city):
    summary = load_demo(history=False)
    assert summary.seats == 163 == sum(n for _, n in SEATS)
    counts = {g: Seat.objects.filter(group=g).count() for g, _ in SEATS}
    assert counts[Seat.Group.ANSWER_12345] == 84 and counts[Seat.Group.H12329] == 10
    assert counts[Seat.Group.CALLBACK] == 12 and counts[Seat.Group.POLICE] == 2
    assert Agent.objects.filter(skills__queue__key="12345", skills__level=1).count() == 84
    assert Agent.objects.get(user=city.agent).code == "0001"
    again = load_demo(history=False)
    assert (again.seats, again.agents, again.hotlines) == (163, summary.agents, 8)
    cfg = centre_config()
    h12348 = next(h for h in cfg.hotlines if h.number == "12348")
    assert h12348.hours is not None and h12348.ivr is not None
    q12315 = next(q for q in cfg.queues if q.key == "12315")
    assert q12315.overflow_to == "12345" and q12315.overflow_after_s == 20
