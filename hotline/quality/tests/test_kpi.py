"""业务解答及工单质量合格率 and 话务服务投诉 in the KPI engine, on constructed data with known answers."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from hotline.metrics.compute import centre_figures
from hotline.metrics.indicators import Period
from hotline.quality import services as svc
from hotline.quality.models import QualityCheck
from hotline.quality.tests.helpers import agent_for, call, full, plan, rubric

pytestmark = pytest.mark.django_db
FIRST, LAST = date(2025, 10, 1), date(2025, 10, 31)


def fig(key: str, period: Period):
    return next(f for f in centre_figures(period) if f.key == key)


def inspected(city, day: date, less: dict[str, int] | None = None) -> QualityCheck:
    c = call("A1")
    check = QualityCheck.objects.create(
        plan=plan("random"), rubric=rubric(), key=f"call:{c.pk}", call=c, agent=city.agent, agent_code="A1"
    )
    check = svc.qa_inspect(check=check, by=city.qa, points=full(rubric(), **(less or {})))
    QualityCheck.objects.filter(pk=check.pk).update(
        inspected_at=timezone.make_aware(datetime.combine(day, time(10)))
    )
    return check


def test_qa_pass_rate_counts_finished_inspections_of_the_period_after_arbitration(city):
    agent_for(city.agent, "A1")
    inspected(city, date(2025, 10, 3))
    inspected(city, date(2025, 10, 31))
    failed = inspected(city, date(2025, 10, 15), {"政策解答正确": 0})  # critical item: fails
    inspected(city, date(2025, 11, 1), {"政策解答正确": 0})  # after the period
    QualityCheck.objects.create(plan=plan("random"), rubric=rubric(), key="call:pending", agent=city.agent)
    period = Period(FIRST, LAST)
    f = fig("qa_pass_rate", period)
    assert (f.numerator, f.denominator, f.status) == (2, 3, "red")
    assert f.value == pytest.approx(2 / 3)
    # The agent's dispute is upheld: the same item now passes, and the rate follows.
    d = svc.qa_dispute(check=failed, by=city.agent, reason="答复依据 2025 年新政策")
    svc.qa_arbitrate(dispute=d, by=city.supervisor, uphold=True, decision="政策已更新", points=full(rubric()))
    QualityCheck.objects.filter(pk=failed.pk).update(
        inspected_at=timezone.make_aware(datetime(2025, 10, 15, 10))
    )
    f = fig("qa_pass_rate", period)
    assert (f.numerator, f.denominator, f.value, f.status) == (3, 3, 1.0, "green")


def test_qa_pass_rate_without_inspections_is_grey(city):
    f = fig("qa_pass_rate", Period(FIRST, LAST))
    assert (f.numerator, f.denominator, f.value, f.status) == (0, 0, None, "none")


def test_service_complaints_count_upheld_complaints_dated_in_the_period(city):
    from hotline.workforce.models import Post, ServiceComplaint, Staff

    post = Post.objects.create(code="qa-agent", name="话务员", group=Post.Group.HOTLINE)
    staff = Staff.objects.create(employee_no="Q001", name="李四", post=post, hire_date=date(2024, 1, 1))
    for day, upheld in ((date(2025, 10, 2), True), (date(2025, 10, 30), True), (date(2025, 10, 9), False),
                        (date(2025, 9, 30), True)):  # fmt: skip
        ServiceComplaint.objects.create(staff=staff, day=day, summary="接听态度生硬", upheld=upheld)
    f = fig("service_complaints", Period(FIRST, LAST))
    assert (f.numerator, f.denominator, f.value, f.target, f.status) == (2, 1, 2, 12, "green")
    assert f.value_display == "2 次"
    for i in range(11):
        ServiceComplaint.objects.create(staff=staff, day=date(2025, 10, 20), summary=f"投诉{i}", upheld=True)
    f = fig("service_complaints", Period(FIRST, LAST))
    assert (f.value, f.status) == (13, "red")


def test_complaint_target_is_seeded_and_set_as_a_whole_number(db):
    from hotline.core.errors import InvalidInput
    from hotline.metrics.indicators import targets
    from hotline.metrics.services import kpi_target_set

    assert targets()["service_complaints"].target == 12
    kpi_target_set(key="service_complaints", target=10, comparison="<=", amber_margin=2, by=None)
    assert targets()["service_complaints"].target == 10
    with pytest.raises(InvalidInput, match="整数"):
        kpi_target_set(key="service_complaints", target=0.5, comparison="<=", amber_margin=0, by=None)
