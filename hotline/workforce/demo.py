"""Demo workforce: the contract's 172 staff (+5 on-site managers) in named posts, exams, leave, a roster.

Called from ``hotline.core.demo``; idempotent (nothing is added once staff exist).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from hotline.accounts.models import User
from hotline.workforce.models import LeaveRequest, OnboardingExam, Qualification, Staff, TrainingRecord
from hotline.workforce.services import posts_ensure, shifts_ensure

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉婷雪琳晨宇欣怡佳慧"


def load_demo(seed: int = 172) -> int:
    """Create the demo staff once; returns how many were created."""
    posts = posts_ensure()
    shifts_ensure()
    load_volume_demo()
    from hotline.workforce.models import PayRule

    if not PayRule.objects.filter(post__isnull=True).exists():
        PayRule.objects.create()  # the default pay rule, edited in the admin
    if Staff.objects.exists():
        return 0
    rnd = random.Random(seed)
    today = timezone.localdate()
    users = {
        u.username: u for u in User.objects.filter(username__in=["agent", "hr", "supervisor", "analyst"])
    }
    approver = users.get("supervisor")
    recorder = users.get("hr")
    link = {"agent": "agent", "hr": "hr", "supervisor": "supervisor", "analyst": "analyst"}
    made = 0
    with transaction.atomic():
        for post in posts.values():
            for i in range(post.contract_headcount):
                made += 1
                name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice([1, 2])))
                hire = today - timedelta(days=rnd.randint(30, 6 * 365))
                new_hire = post.code == "agent" and i < 3  # three new agents still waiting for approval
                if new_hire:
                    hire = today - timedelta(days=rnd.randint(3, 12))
                user = users.pop(link[post.code], None) if post.code in link and i == 0 else None
                staff = Staff.objects.create(
                    employee_no=f"HL{made:04d}",
                    name=name,
                    post=post,
                    user=user,
                    hire_date=hire,
                    education=rnd.choice(["college", "college", "bachelor", "bachelor", "master"]),
                    mandarin=rnd.choice(["2b", "2a", "2a", "1b"]),
                    typing_cpm=rnd.randint(60, 110),
                    queues=list(post.queues),
                    night_ok=post.live_seat and rnd.random() < (0.3 if post.code == "visit" else 0.65),
                )
                Qualification.objects.create(
                    staff=staff,
                    kind=Qualification.Kind.MANDARIN,
                    detail=staff.get_mandarin_display(),
                    issued_on=hire - timedelta(days=rnd.randint(100, 900)),
                    expires_on=None,
                )
                TrainingRecord.objects.create(
                    staff=staff, course="岗前培训：政策法规与服务规范", started_on=hire, hours=Decimal("40")
                )
                if post.live_seat:
                    exam = OnboardingExam.objects.create(
                        staff=staff,
                        taken_on=min(today, hire + timedelta(days=7)),
                        score=Decimal(rnd.randint(82, 98)),
                        recorded_by=recorder,
                    )
                    if not new_hire:
                        exam.approved_by = approver
                        exam.approved_at = timezone.now()
                        exam.save(update_fields=["approved_by", "approved_at"])
                if post.live_seat and rnd.random() < 0.08:
                    start = _next_month(today) + timedelta(days=rnd.randint(0, 25))
                    LeaveRequest.objects.create(
                        staff=staff,
                        kind=rnd.choice(["annual", "personal", "sick"]),
                        start=start,
                        end=start + timedelta(days=rnd.randint(0, 2)),
                        reason="家中有事",
                        state=LeaveRequest.State.APPROVED,
                        decided_by=recorder,
                        decided_at=timezone.now(),
                    )
        # Two people left this month for their own reasons (the attrition figure is not zero).
        for staff in Staff.objects.filter(post__code="agent").order_by("-employee_no")[:2]:
            staff.leave_date = today.replace(day=1) + timedelta(days=2)
            staff.voluntary_leave = True
            if staff.leave_date <= staff.hire_date:
                staff.hire_date = staff.leave_date - timedelta(days=200)
            staff.save(update_fields=["leave_date", "voluntary_leave", "hire_date"])
    return made


# Relative day volume by kind (a city's 12345: Monday heaviest, weekends and holidays light).
DEMO_DAY_FACTOR = {"mon": 1.15, "tue": 1.0, "wed": 1.0, "thu": 0.98, "fri": 0.95, "sat": 0.6, "sun": 0.55,
                   "holiday": 0.45, "makeup": 0.9}  # fmt: skip
# Calls per day on an ordinary Tuesday: 12345, then each merged hotline.
DEMO_VOLUMES = {"12345": 2600, "12315": 260, "12319": 90, "12328": 60, "12329": 80, "12348": 70, "12393": 110}


def load_volume_demo(*, weeks: int = 8, seed: int = 345) -> int:
    """Synthetic half-hour call history for the forecast (idempotent: only when there is none)."""
    from hotline.callcenter.demo import DAY_PROFILE
    from hotline.workforce.demand import day_kind
    from hotline.workforce.models import CallVolumeDay

    if CallVolumeDay.objects.exists():
        return 0
    rnd = random.Random(seed)
    kind = day_kind()
    today = timezone.localdate()
    halves = [w / 2 for w in DAY_PROFILE for _ in range(2)]
    total = sum(halves)
    rows = []
    for back in range(weeks * 7, 0, -1):
        day = today - timedelta(days=back)
        trend = 1 + 0.002 * (weeks * 7 - back)  # volumes creep up ~6 % a month
        for hotline, base in DEMO_VOLUMES.items():
            mean = base * trend * DEMO_DAY_FACTOR[kind(day)]
            counts = [max(0, round(rnd.gauss(mean * h / total, (mean * h / total) ** 0.5))) for h in halves]
            rows.append(CallVolumeDay(hotline=hotline, day=day, counts=counts, source="demo"))
    CallVolumeDay.objects.bulk_create(rows)
    return len(rows)


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)
