"""Demo call centre: the seed's 163 seats, their queues, agents, hotlines, IVR flows and a day of calls.

The day of calls is produced by the simulator driving the real engine with this configuration, and
stored through `records_store`, so the records, queue log and callback tasks are what the platform
itself would have written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from hotline.accounts.models import User
from hotline.callcenter.engine.simulate import SimParams, Simulator
from hotline.callcenter.models import (
    Agent,
    AgentSkill,
    BusinessHours,
    CallRecord,
    CentreSettings,
    Hotline,
    IvrFlow,
    Prompt,
    Queue,
    Seat,
)
from hotline.callcenter.selectors import centre_config
from hotline.callcenter.services import records_store

G = Seat.Group
# The seed's floor: seat group → number of seats (163 in all).
SEATS: list[tuple[str, int]] = [
    (G.ANSWER_12345, 84), (G.CALLBACK, 12), (G.SUPPORT, 19), (G.PROVINCE, 4), (G.MULTIMEDIA, 2),
    (G.TALENT, 1), (G.ENTERPRISE, 1), (G.ENGLISH, 1), (G.SWITCHBOARD, 2), (G.H12315, 8), (G.H12319, 2),
    (G.H12328, 3), (G.H12329, 10), (G.H12348, 2), (G.H12393, 10), (G.POLICE, 2),
]  # fmt: skip
# Queues: key, name, overflow to the 12345 pool after N s (双号并行; 0 = none).
QUEUES = [
    ("12345", "12345 综合", 0), ("12315", "12315 市场监管", 20), ("12319", "12319 城建", 20),
    ("12328", "12328 交通运输", 20), ("12329", "12329 住房公积金", 20), ("12348", "12348 法律服务", 0),
    ("12393", "12393 医疗保障", 20), ("110", "110 联动", 0), ("english", "English 外语座席", 0),
    ("switchboard", "政务总机", 0),
]  # fmt: skip
# Which seat group answers which queue (level 1), plus backup skills (level 3) for pooling.
SEAT_SKILLS: dict[str, dict[str, int]] = {
    G.ANSWER_12345: {"12345": 1},
    G.CALLBACK: {"12345": 5},
    G.ENGLISH: {"english": 1, "12345": 3},
    G.SWITCHBOARD: {"switchboard": 1, "12345": 3},
    G.H12315: {"12315": 1, "12345": 3},
    G.H12319: {"12319": 1, "12328": 3, "12348": 3},
    G.H12328: {"12328": 1, "12319": 3, "12348": 3},
    G.H12329: {"12329": 1, "12345": 3},
    G.H12348: {"12348": 1, "12319": 3, "12328": 3},
    G.H12393: {"12393": 1, "12345": 3},
    G.POLICE: {"110": 1, "12345": 3},
}
HOTLINES = [
    ("12345", "12345 政务服务便民热线", "12345"), ("12315", "12315 市场监管投诉举报", "12315"),
    ("12319", "12319 城建服务热线", "12319"), ("12328", "12328 交通运输服务监督", "12328"),
    ("12329", "12329 住房公积金热线", "12329"), ("12348", "12348 公共法律服务热线", "12348"),
    ("12393", "12393 医疗保障服务热线", "12393"), ("110", "110 联动", "110"),
]  # fmt: skip
PROMPTS = [
    (
        "welcome_12345",
        "12345 欢迎语",
        "您好，欢迎致电12345政务服务便民热线。For English service, please press 9.",
    ),
    ("welcome_12348", "12348 欢迎语", "您好，这里是12348公共法律服务热线。"),
    ("menu_12348", "12348 菜单", "法律咨询请按1，English service please press 9。"),
    ("after_hours_12348", "12348 非工作时间", "现在是非工作时间，正在为您转接法律援助服务机构。"),
    ("queue_position", "排队播报", "您前面还有{position}位，预计等待{wait_s}秒，请耐心等候。"),
    ("queue_full", "排队已满", "当前来电较多，我们将尽快给您回电。"),
    ("after_hours", "非工作时间", "现在是非工作时间，我们将在工作时间给您回电。"),
    ("emergency_notice", "应急播报", "当前处于应急状态，请简要说明紧急情况。"),
    ("survey", "满意度评价", "请对本次服务进行评价：满意请按1，基本满意请按2，不满意请按3。"),
    ("survey_thanks", "评价致谢", "感谢您的评价，再见。"),
]
FLOW_12345 = {
    "start": "welcome",
    "nodes": {
        # GB/T 33358: no menu on 12345 — one short pause for the English seat, then straight to a person.
        "welcome": {"type": "menu", "prompt": "welcome_12345", "options": {"9": "english"}, "default": "queue",
                    "timeout_s": 2, "retries": 0},
        "queue": {"type": "queue", "queue": "12345"},
        "english": {"type": "queue", "queue": "english"},
    },
}  # fmt: skip
FLOW_12348 = {
    "start": "welcome",
    "nodes": {
        "welcome": {"type": "play", "prompt": "welcome_12348", "next": "hours"},
        "hours": {"type": "hours", "open": "menu", "closed": "after"},
        "menu": {"type": "menu", "prompt": "menu_12348", "options": {"1": "queue", "9": "english"},
                 "default": "queue", "timeout_s": 5, "retries": 1},
        "queue": {"type": "queue", "queue": "12348"},
        "english": {"type": "queue", "queue": "english"},
        "after": {"type": "play", "prompt": "after_hours_12348", "next": "partner"},
        "partner": {"type": "transfer", "number": "4006012348"},
    },
}  # fmt: skip
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "芳敏静丽强磊洋艳勇军杰娟涛明超霞平刚桂英华玲红燕鹏辉"
# Calls per hour of day, relative (a city's 12345 pattern: a morning peak and an afternoon one).
DAY_PROFILE = [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 12, 9, 11, 14, 14, 12, 9, 6, 5, 4, 3, 2, 1]


@dataclass
class CallcenterDemoSummary:
    seats: int
    agents: int
    queues: int
    hotlines: int
    calls: int
    callbacks: int


def _name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]


def build_configuration() -> None:
    """Seats, queues, agents with skills, prompts, hours, IVR flows and hotlines (idempotent)."""
    for key, name, text in PROMPTS:
        Prompt.objects.get_or_create(key=key, defaults={"name": name, "text": text})
    queues = {}
    for key, name, _ in QUEUES:
        queues[key], _ = Queue.objects.get_or_create(key=key, defaults={"name": name})
    n = 0
    for group, count in SEATS:
        for _ in range(count):
            n += 1
            seat, _ = Seat.objects.get_or_create(
                code=f"S{n:03d}", defaults={"group": group, "extension": f"8{n:03d}"}
            )
            skills = SEAT_SKILLS.get(group)
            if not skills:
                continue  # support, province, multimedia, talent and enterprise seats take no inbound calls
            agent, _ = Agent.objects.get_or_create(code=f"{n:04d}", defaults={"name": _name(n), "seat": seat})
            for key, level in skills.items():
                AgentSkill.objects.get_or_create(agent=agent, queue=queues[key], defaults={"level": level})
    for key, _, after in QUEUES:
        if after and queues[key].overflow_to_id is None:
            queues[key].overflow_to = queues["12345"]
            queues[key].overflow_after_s = after
            queues[key].full_clean()
            queues[key].save()
    legal, _ = BusinessHours.objects.get_or_create(
        name="法律服务工作时间",
        defaults={"windows": [{"days": [0, 1, 2, 3, 4], "start": "08:30", "end": "17:30"}]},
    )
    flows = {}
    for name, flow in (("12345 直接转人工", FLOW_12345), ("12348 法律服务", FLOW_12348)):
        obj = IvrFlow.objects.filter(name=name).first() or IvrFlow(name=name, flow=flow)
        obj.full_clean()
        obj.save()
        flows[name] = obj
    for number, name, queue in HOTLINES:
        if Hotline.objects.filter(number=number).exists():
            continue
        hotline = Hotline(number=number, name=name, queue=queues[queue], survey=number != "110")
        if number == "12345":
            hotline.ivr = flows["12345 直接转人工"]
        if number == "12348":
            hotline.ivr, hotline.hours = flows["12348 法律服务"], legal
            hotline.after_hours_number = "4006012348"
        hotline.full_clean()
        hotline.save()
    settings = CentreSettings.get()
    if not settings.dr_site_number:
        settings.dr_site_number = "057188812345"
        settings.save()
    agent_user = User.objects.filter(username="agent").first()
    if agent_user is not None and not Agent.objects.filter(user=agent_user).exists():
        Agent.objects.filter(code="0001").update(user=agent_user, name=agent_user.display_name or "王芳")


def _survey(call_id: str) -> str | None:
    """Most callers rate the call (1 满意 mostly); some hang up without pressing anything."""
    n = sum(map(ord, call_id)) % 20
    return None if n < 4 else ("3" if n == 4 else "2" if n < 8 else "1")


def build_history(*, day: datetime, seed: int, calls: int = 3000) -> int:
    """One day of 12345 calls through the engine, stored like live traffic. Returns the calls stored."""
    weights = DAY_PROFILE
    peak = max(weights)
    # Staff to the profile, close to Erlang C for 95/30 (about 25 agents for the ~290 calls of a peak hour),
    # so that the busiest minutes do queue and some callers give up.
    staffing = [max(3, round(24 * w / peak)) for w in weights]
    sim = Simulator(
        SimParams(
            calls_per_hour=calls / 24, aht_s=240, agents=max(staffing), patience_s=90, hours=24, seed=seed,
            wrapup_s=15, ring_s=2, interval_s=3600, profile=weights, staffing=staffing,
            start_at=day.timestamp(), hotline="12345",
        ),
        centre_config(),
        keep_log=True,
        digits=lambda call, prompt: _survey(call) if prompt == "survey" else None,
    )  # fmt: skip
    stored = 0
    batch: list = []

    def keep(rec: object) -> None:
        batch.append(rec)

    sim.on_record = keep
    sim.run()
    _, log = sim.engine.drain()
    for i in range(0, len(batch), 2000):
        records_store(records=batch[i : i + 2000], entries=log if i == 0 else ())
        stored += len(batch[i : i + 2000])
    return stored


def work_callbacks(*, seed: int) -> int:
    """The demo's 回访员 calls most missed callers back within a few hours (under a movable clock)."""
    import random

    from hotline.callcenter.models import CallbackTask
    from hotline.callcenter.services import callback_record
    from hotline.core.clock import clock_at

    visitor = User.objects.filter(username="visitor").first()
    if visitor is None:
        return 0
    rnd = random.Random(seed)
    now = timezone.now()
    done = 0
    for task in CallbackTask.objects.filter(status=CallbackTask.Status.PENDING).order_by("missed_at"):
        at = task.missed_at + timedelta(hours=rnd.uniform(0.2, 4))
        if at >= now or rnd.random() < 0.1:
            continue  # recent ones, and a few forgotten ones, stay on the worklist
        outcome = rnd.choices(["reached", "resolved", "no_answer", "busy"], [55, 20, 20, 5])[0]
        with clock_at(at):
            callback_record(task_id=task.pk, by=visitor, outcome=outcome)
        done += 1
    return done


def load_demo(*, seed: int = 12345, history: bool = True) -> CallcenterDemoSummary:
    """Create (or complete) the demo call centre; call history is added only when there is none."""
    with transaction.atomic():
        build_configuration()
    calls = 0
    if history and not CallRecord.objects.exists():
        yesterday = timezone.localdate() - timedelta(days=1)
        start = timezone.make_aware(datetime.combine(yesterday, time(0)))
        with transaction.atomic():
            calls = build_history(day=start, seed=seed)
            work_callbacks(seed=seed)
    from hotline.callcenter.models import CallbackTask

    return CallcenterDemoSummary(
        seats=Seat.objects.count(),
        agents=Agent.objects.count(),
        queues=Queue.objects.count(),
        hotlines=Hotline.objects.count(),
        calls=calls,
        callbacks=CallbackTask.objects.count(),
    )
