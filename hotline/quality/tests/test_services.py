"""Sampling, scoring, disputes and arbitration, calibration, agent_scores."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.core.errors import Conflict, InvalidInput, NotAllowed
from hotline.quality import selectors as sel
from hotline.quality import services as svc
from hotline.quality.models import QualityCheck, SamplingPlan
from hotline.quality.sampling import Candidate, draw
from hotline.quality.tests.helpers import agent_for, call, full, plan, rubric
from hotline.tickets.models import Ticket
from hotline.tickets.tests.drive import drive
from hotline.tickets.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = Ticket.Status


def _pool(n: int) -> list[Candidate]:
    return [Candidate(f"call:{i}", i, None, "A1", None, "随机") for i in range(n)]


def test_draw_is_deterministic_with_a_seed_and_independent_of_order():
    pool = _pool(500)
    a = draw(pool, share=0.02, max_items=100, seed=7)
    b = draw(list(reversed(pool)), share=0.02, max_items=100, seed=7)
    c = draw(pool, share=0.02, max_items=100, seed=8)
    assert a == b and len(a) == 10 and a != c


def test_draw_rounds_up_and_caps():
    assert len(draw(_pool(30), share=0.02, max_items=100, seed=1)) == 1
    assert len(draw(_pool(300), share=0.5, max_items=20, seed=1)) == 20
    assert len(draw(_pool(7), share=None, max_items=20, seed=1)) == 7  # targeted: all
    assert draw([], share=0.5, max_items=5, seed=1) == []


def test_rubric_score_pass_line_and_critical_item():
    r = rubric()
    items = list(r.items.all())
    assert svc.rubric_score(items, full(r), r.pass_score) == (100.0, True)
    # 派单准确 20 → 5: 85 points, exactly the pass line.
    assert svc.rubric_score(items, full(r, 派单准确=5), r.pass_score) == (85.0, True)
    assert svc.rubric_score(items, full(r, 派单准确=4), r.pass_score) == (84.0, False)
    # A critical item at 0 fails even above the line.
    assert svc.rubric_score(items, full(r, 记录准确=0), 70) == (75.0, False)


def test_points_parse_refuses_out_of_range_with_item_names():
    r = rubric()
    raw = {f"item_{i.pk}": str(i.weight) for i in r.items.all()}
    first = r.items.first()
    raw[f"item_{first.pk}"] = "99"
    with pytest.raises(InvalidInput, match=first.name):
        svc.points_parse(r, raw)
    raw[f"item_{first.pk}"] = "abc"
    with pytest.raises(InvalidInput) as e:
        svc.points_parse(r, raw)
    assert f"item_{first.pk}" in e.value.fields


def test_random_plan_samples_answered_calls_once_per_period(city):
    agent_for(city.agent, "A1")
    for _ in range(60):
        call("A1")
    call("")  # nobody answered: not in the population
    today = timezone.localdate()
    p = plan("random")  # 2 %
    new, population = svc.qa_sample(plan=p, first=today, last=today, seed=3)
    assert population == 60 and len(new) == 2
    assert all(c.agent_id == city.agent.pk for c in new)
    again, _ = svc.qa_sample(plan=p, first=today, last=today, seed=3)
    assert again == [] and QualityCheck.objects.count() == 2


def test_targeted_plans(city):
    agent_for(city.agent, "A1")
    long = call("A1", talk_s=900)
    call("A1", talk_s=60)
    complaint = drive(city, S.DISPATCHED, type=Ticket.Type.COMPLAINT)
    drive(city, S.DISPATCHED, type=Ticket.Type.CONSULTATION)
    t = drive(city, S.PENDING_VISIT)
    from hotline.tickets import services as tsvc

    reopened = tsvc.ticket_visit(ticket=t, by=city.visitor, result="unsatisfied", note="没修好")
    today = timezone.localdate()
    keys = lambda kind: {c.key for c in svc.qa_sample(plan=plan(kind), first=today, last=today)[0]}  # noqa: E731
    assert keys("long_calls") == {f"call:{long.pk}"}
    assert keys("complaints") == {f"ticket:{complaint.pk}"}
    assert keys("reopened") == {f"ticket:{reopened.pk}"}
    # New agents: the agent joined today; a veteran's calls are left out.
    veteran = UserFactory(username="old")
    veteran.date_joined = timezone.now() - timedelta(days=400)
    veteran.save()
    agent_for(veteran, "V1")
    call("V1")
    picked = svc.qa_sample(plan=plan("new_agents"), first=today, last=today)[0]
    assert {c.agent_code for c in picked} == {"A1"}


def _inspected(city, less: dict[str, int] | None = None) -> QualityCheck:
    agent_for(city.agent, "A1")
    c = call("A1")
    check = QualityCheck.objects.create(
        plan=plan("random"), rubric=rubric(), key=f"call:{c.pk}", call=c, agent=city.agent, agent_code="A1"
    )
    return svc.qa_inspect(check=check, by=city.qa, points=full(rubric(), **(less or {})), comment="")


def test_dispute_upheld_changes_the_pass_rate_and_agent_scores(city):
    today = timezone.localdate()
    good = _inspected(city)
    bad = _inspected(city, {"派单准确": 0})
    assert (bad.score, bad.passed) == (80.0, False)
    assert sel.pass_parts(today, today) == (1, 2)
    assert sel.agent_scores(today, today)[city.agent.pk] == sel.AgentQa(2, 1, 90.0)
    d = svc.qa_dispute(check=bad, by=city.agent, reason="派单单位是按派单目录选的")
    with pytest.raises(Conflict):
        svc.qa_dispute(check=bad, by=city.agent, reason="再申诉")
    with pytest.raises(NotAllowed):
        svc.qa_arbitrate(dispute=d, by=city.qa, uphold=True, decision="x", points=full(rubric()))
    svc.qa_arbitrate(
        dispute=d, by=city.supervisor, uphold=True, decision="派单目录如此，不扣分", points=full(rubric())
    )
    bad.refresh_from_db()
    assert bad.status == QualityCheck.Status.ARBITRATED and bad.passed
    assert sel.pass_parts(today, today) == (2, 2)
    assert sel.agent_scores(today, today)[city.agent.pk] == sel.AgentQa(2, 2, 100.0)
    assert good.passed


def test_rejected_dispute_keeps_the_score_and_cannot_be_repeated(city):
    bad = _inspected(city, {"服务态度": 0})
    d = svc.qa_dispute(check=bad, by=city.agent, reason="市民先辱骂")
    svc.qa_arbitrate(dispute=d, by=city.supervisor, uphold=False, decision="录音显示语气生硬")
    bad.refresh_from_db()
    assert bad.score == 85.0 and bad.status == QualityCheck.Status.ARBITRATED
    with pytest.raises(Conflict, match="已仲裁"):
        svc.qa_dispute(check=bad, by=city.agent, reason="再来")


def test_only_the_inspected_agent_may_dispute_and_needs_a_reason(city):
    check = _inspected(city)
    with pytest.raises(NotAllowed):
        svc.qa_dispute(check=check, by=city.dispatcher, reason="不是我的")
    with pytest.raises(InvalidInput):
        svc.qa_dispute(check=check, by=city.agent, reason="  ")


def test_inspector_cannot_score_own_call(city):
    agent_for(city.qa, "Q1")
    c = call("Q1")
    check = QualityCheck.objects.create(
        plan=plan("random"), rubric=rubric(), key="call:x", call=c, agent=city.qa
    )
    with pytest.raises(NotAllowed):
        svc.qa_inspect(check=check, by=city.qa, points=full(rubric()))


def test_calibration_spread(city):
    check = _inspected(city)
    other = UserFactory(username="qa2", role="qa_inspector", department=city.centre)
    s = svc.calibration_start(check=check, by=city.qa, name="十一月校准")
    svc.calibration_score(session=s, by=city.qa, points=full(rubric()))
    svc.calibration_score(session=s, by=other, points=full(rubric(), 派单准确=0, 服务态度=5))
    svc.calibration_score(session=s, by=city.supervisor, points=full(rubric(), 派单准确=10))
    with pytest.raises(Conflict):
        svc.calibration_score(session=s, by=city.qa, points=full(rubric()))
    spread = sel.calibration_spread(s)
    assert (spread.low, spread.high, spread.spread) == (70.0, 100.0, 30.0)
    assert spread.agreement == pytest.approx(2 / 3)


def test_inactive_plan_and_bad_period_are_refused(city):
    p = plan("random")
    today = timezone.localdate()
    with pytest.raises(InvalidInput, match="不能早于"):
        svc.qa_sample(plan=p, first=today, last=today - timedelta(days=1))
    SamplingPlan.objects.filter(pk=p.pk).update(is_active=False)
    p.refresh_from_db()
    with pytest.raises(InvalidInput, match="停用"):
        svc.qa_sample(plan=p, first=today, last=today)


def test_qa_sample_command(city):
    from io import StringIO

    from django.core.management import CommandError, call_command

    agent_for(city.agent, "A1")
    for _ in range(5):
        call("A1", talk_s=700)
    today = timezone.localdate().isoformat()
    out = StringIO()
    call_command(
        "qa", "sample", "--from", today, "--to", today, "--plan", "长通话（10 分钟以上）", stdout=out
    )
    assert "可抽 5 条，新抽取 5 条" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("qa", "sample", "--from", "2025-02-30", "--to", today)
    with pytest.raises(CommandError, match="没有启用"):
        call_command("qa", "sample", "--from", today, "--to", today, "--plan", "不存在")
    out = StringIO()
    call_command("qa", "rate", "--from", today, "--to", today, stdout=out)
    assert "没有完成的质检" in out.getvalue()
