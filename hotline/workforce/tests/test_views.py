"""HR desk pages: status, template, one effect; refusals keep the entered data and say why."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from hotline.workforce.models import OnboardingExam, Roster, Staff
from hotline.workforce.services import posts_ensure, shifts_ensure

TODAY = timezone.localdate()
NEXT_MONTH = (TODAY.replace(day=1) + timedelta(days=32)).replace(day=1)


@pytest.fixture
def hr(client, city):
    shifts_ensure()
    posts_ensure()
    client.force_login(city.hr)
    return client


def _register(client, no="V001", **extra):
    data = {
        "employee_no": no, "name": "测试员", "post": "agent", "hire_date": TODAY.isoformat(),
        "education": "college", "mandarin": "2a", "typing_cpm": "72", "night_ok": "1", **extra,
    }  # fmt: skip
    return client.post("/workforce/", data)


def test_staff_page_lists_and_registers(hr):
    assert hr.get("/workforce/").status_code == 200
    response = _register(hr)
    staff = Staff.objects.get(employee_no="V001")
    assert response.status_code == 302 and response["Location"] == f"/workforce/staff/{staff.pk}/"
    page = hr.get("/workforce/?q=测试")
    assert "测试员" in page.content.decode() and "未上岗" in page.content.decode()


def test_bad_registration_keeps_the_form_and_explains(hr):
    response = _register(hr, name="", typing_cpm="快", hire_date="明天")
    body = response.content.decode()
    assert response.status_code == 400
    assert "入职日期格式应为 年-月-日" in body
    assert 'value="V001"' in body  # what was typed is still there
    assert not Staff.objects.exists()


def test_other_roles_cannot_open_the_hr_desk(client, city):
    client.force_login(city.agent)
    assert client.get("/workforce/").status_code == 403
    assert client.get("/workforce/rosters/").status_code == 403


def test_exam_recorded_by_hr_and_approved_by_supervisor(hr, client, city):
    _register(hr)
    staff = Staff.objects.get()
    url = f"/workforce/staff/{staff.pk}/"
    assert hr.post(url, {"action": "exam", "taken_on": TODAY.isoformat(), "score": "88"}).status_code == 302
    exam = OnboardingExam.objects.get()
    refused = hr.post(url, {"action": "approve", "exam": exam.pk})
    assert refused.status_code == 400 and "须由主管审核确认" in refused.content.decode()
    client.force_login(city.supervisor)
    assert client.post(url, {"action": "approve", "exam": exam.pk}).status_code == 302
    assert "已审核上岗" in client.get(url).content.decode()


def test_bad_exam_score_is_explained(hr):
    _register(hr)
    staff = Staff.objects.get()
    response = hr.post(
        f"/workforce/staff/{staff.pk}/", {"action": "exam", "taken_on": TODAY.isoformat(), "score": "abc"}
    )
    assert response.status_code == 400 and "成绩应为数字" in response.content.decode()


def test_staffing_page_with_the_erlang_calculator(hr):
    response = hr.get("/workforce/staffing/?calls=100&aht=180&target=0.95&answer=30")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<strong>15</strong>" in body and "95.57%" in body and "172" in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("calls=100&aht=180&target=1&answer=0", "无法达到"),
        ("calls=abc&aht=180", "请输入数字"),
        ("month=2026-13", "月份格式"),
    ],
)
def test_staffing_page_bad_input(hr, query, message):
    response = hr.get(f"/workforce/staffing/?{query}")
    assert response.status_code == 400 and message in response.content.decode()


def test_roster_is_generated_shown_exported_and_published(hr, city, settings):
    settings.WORKFORCE_ROSTER_TIME_LIMIT_S = 3
    for i in range(6):
        _register(hr, no=f"W{i:03d}")
    for staff in Staff.objects.all():
        OnboardingExam.objects.create(
            staff=staff, taken_on=TODAY, score=90, approved_by=city.supervisor, approved_at=timezone.now()
        )
    response = hr.post("/workforce/rosters/", {"month": NEXT_MONTH.strftime("%Y-%m")})
    roster = Roster.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/workforce/rosters/{roster.pk}/"
    assert roster.outcome == "short"  # six people cannot cover 63 + 7
    page = hr.get(f"/workforce/rosters/{roster.pk}/").content.decode()
    assert "未满足的时段" in page and "具备 12345 技能的在岗人员只有 6 人" in page
    assert "排班日历" in page
    xlsx = hr.get(f"/workforce/rosters/{roster.pk}/xlsx/")
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws.cell(row=1, column=1).value == "工号" and ws.max_row == 7
    assert hr.post(f"/workforce/rosters/{roster.pk}/").status_code == 302
    assert Roster.objects.get().status == "published"


def test_roster_request_with_a_bad_month(hr):
    response = hr.post("/workforce/rosters/", {"month": "十二月"})
    assert response.status_code == 400 and "月份格式应为" in response.content.decode()
    assert not Roster.objects.exists()


def test_missing_roster_and_staff_are_404(hr):
    assert hr.get("/workforce/rosters/999/").status_code == 404
    assert hr.get("/workforce/staff/999/").status_code == 404
