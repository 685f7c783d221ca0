"""质检台, the inspection page, my results and disputes, calibration."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from hotline.quality import services as svc
from hotline.quality.models import Dispute, QualityCheck
from hotline.quality.tests.helpers import agent_for, call, full, plan, rubric

pytestmark = pytest.mark.django_db


def _check(city) -> QualityCheck:
    agent_for(city.agent, "A1")
    c = call("A1", talk_s=300)
    return QualityCheck.objects.create(
        plan=plan("random"), rubric=rubric(), key=f"call:{c.pk}", call=c, agent=city.agent, agent_code="A1"
    )


def _form(less: dict[str, int] | None = None) -> dict[str, str]:
    return {f"item_{k}": str(v) for k, v in full(rubric(), **(less or {})).items()}


def test_desk_and_sample_button(client, city):
    agent_for(city.agent, "A1")
    for _ in range(10):
        call("A1")
    client.force_login(city.qa)
    assert client.get(reverse("quality:desk")).status_code == 200
    today = timezone.localdate().isoformat()
    r = client.post(reverse("quality:sample"), {"plan": plan("random").pk, "from": today, "to": today})
    assert r.status_code == 302 and QualityCheck.objects.count() == 1
    r = client.post(reverse("quality:sample"), {"plan": "", "from": "2025-13-01", "to": today})
    assert r.status_code == 400 and "请选择抽检方案" in r.content.decode()
    r = client.post(reverse("quality:sample"), {"plan": plan("random").pk, "from": "bad", "to": today})
    assert r.status_code == 400 and "日期" in r.content.decode() and 'value="bad"' in r.content.decode()


def test_desk_refuses_agents(client, city):
    client.force_login(city.agent)
    assert client.get(reverse("quality:desk")).status_code == 403


def test_inspection_page_scores_and_keeps_input_on_error(client, city):
    check = _check(city)
    client.force_login(city.qa)
    url = reverse("quality:inspect", args=[check.pk])
    r = client.get(url)
    assert r.status_code == 200 and check.call.call_id in r.content.decode()
    bad = _form()
    item = rubric().items.get(name="派单准确")
    bad[f"item_{item.pk}"] = "50"
    bad["comment"] = "开头语规范"
    r = client.post(url, bad)
    assert r.status_code == 400 and "派单准确" in r.content.decode() and "开头语规范" in r.content.decode()
    assert 'value="50"' in r.content.decode()
    r = client.post(url, {**_form({"派单准确": 0}), "version": check.version})
    assert r.status_code == 302
    check.refresh_from_db()
    assert (check.score, check.passed) == (80.0, False)


def test_agent_sees_own_results_and_disputes(client, city):
    check = _check(city)
    svc.qa_inspect(check=check, by=city.qa, points=full(rubric(), 派单准确=0))
    client.force_login(city.agent)
    r = client.get(reverse("quality:mine"))
    assert r.status_code == 200 and "不合格" in r.content.decode()
    r = client.post(reverse("quality:mine"), {"check": check.pk, "reason": ""})
    assert r.status_code == 400 and "申诉理由" in r.content.decode()
    r = client.post(reverse("quality:mine"), {"check": check.pk, "reason": "按派单目录派的"})
    assert r.status_code == 302 and Dispute.objects.filter(check_item=check, status="open").exists()
    # Someone else's result is not theirs to dispute, and not listed.
    client.force_login(city.dispatcher)
    assert str(check.pk) not in client.get(reverse("quality:mine")).content.decode().split("qa-")[-1][:5]
    r = client.post(reverse("quality:mine"), {"check": check.pk, "reason": "x"})
    assert r.status_code == 403


def test_supervisor_arbitrates_on_the_inspection_page(client, city):
    check = _check(city)
    svc.qa_inspect(check=check, by=city.qa, points=full(rubric(), 派单准确=0))
    d = svc.qa_dispute(check=check, by=city.agent, reason="按目录派单")
    client.force_login(city.supervisor)
    r = client.post(reverse("quality:arbitrate", args=[d.pk]), {"uphold": "1", "decision": ""})
    assert r.status_code == 400
    r = client.post(reverse("quality:arbitrate", args=[d.pk]), {"uphold": "1", "decision": "成立", **_form()})
    assert r.status_code == 302
    check.refresh_from_db()
    assert check.passed and check.status == "arbitrated"


def test_calibration_page_hides_others_until_scored(client, city):
    check = _check(city)
    svc.qa_inspect(check=check, by=city.qa, points=full(rubric()))
    client.force_login(city.qa)
    r = client.post(reverse("quality:calibration_new", args=[check.pk]), {"name": "校准一"})
    url = r["Location"]
    assert "提交自己的评分后" in client.get(url).content.decode()
    assert client.post(url, _form({"服务态度": 5})).status_code == 302
    assert "极差" in client.get(url).content.decode()
