"""REST endpoints of the workforce app, mounted under /api/v1/wfm."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from hotline.accounts.api import ErrorOut
from hotline.accounts.models import User
from hotline.core.erlang import ErlangInputError, agents_for_target
from hotline.core.errors import InvalidInput, NotAllowed, NotFound
from hotline.workforce import schemas as s
from hotline.workforce import services as svc
from hotline.workforce.models import OnboardingExam, Roster, Staff
from hotline.workforce.selectors import staff_cleared_ids, staff_list

router = Router(tags=["排班与人力"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _hr(request: HttpRequest) -> User:
    user = _user(request)
    if user.role not in svc.HR_ROLES:
        raise NotAllowed("您的角色不能查看人员信息。")
    return user


def _staff_out(staff: Staff, cleared: set[int]) -> dict[str, Any]:
    return {
        "id": staff.pk,
        "employee_no": staff.employee_no,
        "name": staff.name,
        "post": staff.post.code,
        "post_name": staff.post.name,
        "hire_date": staff.hire_date,
        "leave_date": staff.leave_date,
        "queues": staff.queues,
        "night_ok": staff.night_ok,
        "cleared": staff.pk in cleared,
    }


def _exam_out(exam: OnboardingExam) -> dict[str, Any]:
    return {
        "id": exam.pk,
        "staff_id": exam.staff_id,
        "taken_on": exam.taken_on,
        "score": float(exam.score),
        "pass_mark": float(exam.pass_mark),
        "passed": exam.passed,
        "approved": exam.approved_at is not None,
    }


def _roster_out(r: Roster) -> dict[str, Any]:
    return {
        "id": r.pk,
        "month": r.month,
        "status": r.status,
        "outcome": r.outcome,
        "required_hours": float(r.required_hours),
        "rostered_hours": float(r.rostered_hours),
        "short_hours": float(r.short_hours),
        "wall_s": r.wall_s,
        "messages": r.messages,
        "notes": r.notes,
    }


@router.get("/erlang", response={200: s.ErlangOut, **ERRORS}, summary="座席测算（Erlang C / A）")
def erlang(request: HttpRequest, q: Query[s.ErlangQuery]) -> dict[str, Any]:
    try:
        result = agents_for_target(
            q.calls,
            q.interval_s,
            q.aht_s,
            q.target,
            q.answer_s,
            patience_s=q.patience_s,
            shrinkage=q.shrinkage,
        )
    except ErlangInputError as exc:
        raise InvalidInput(exc.message, fields={exc.field or "body": exc.message}) from None
    m = result.metrics
    return {
        "agents": result.agents,
        "scheduled": result.scheduled,
        "traffic_erlangs": result.traffic_erlangs,
        "model": result.model,
        "sl": m.sl,
        "asa_s": None if math.isinf(m.asa_s) else m.asa_s,
        "occupancy": m.occupancy,
        "p_wait": m.p_wait,
        "abandon": m.abandon,
    }


@router.get("/staff", response={200: list[s.StaffOut], **ERRORS}, summary="在职人员")
def staff_index(request: HttpRequest, q: str = "", post: str = "") -> list[dict[str, Any]]:
    _hr(request)
    cleared = staff_cleared_ids()
    return [_staff_out(x, cleared) for x in staff_list(q=q, post=post)[:1000]]


@router.post("/staff", response={201: s.StaffOut, **ERRORS}, summary="登记人员")
def staff_create(request: HttpRequest, payload: s.StaffIn) -> Status[dict[str, Any]]:
    staff = svc.staff_register(data=svc.StaffInput(**payload.dict()), by=_user(request))
    return Status(201, _staff_out(staff, set()))


def _staff(pk: int) -> Staff:
    staff = Staff.objects.select_related("post").filter(pk=pk).first()
    if staff is None:
        raise NotFound("人员不存在。")
    return staff


@router.post("/staff/{staff_id}/exams", response={201: s.ExamOut, **ERRORS}, summary="登记上岗考核成绩")
def exam_create(request: HttpRequest, staff_id: int, payload: s.ExamIn) -> Status[dict[str, Any]]:
    exam = svc.exam_record(
        staff=_staff(staff_id),
        taken_on=payload.taken_on,
        score=payload.score,
        pass_mark=payload.pass_mark,
        by=_user(request),
    )
    return Status(201, _exam_out(exam))


@router.post("/exams/{exam_id}/approve", response={200: s.ExamOut, **ERRORS}, summary="审核确认上岗")
def exam_approve(request: HttpRequest, exam_id: int) -> dict[str, Any]:
    exam = OnboardingExam.objects.filter(pk=exam_id).first()
    if exam is None:
        raise NotFound("考核记录不存在。")
    return _exam_out(svc.exam_approve(exam=exam, by=_user(request)))


@router.post("/rosters", response={202: s.RosterOut, **ERRORS}, summary="生成月排班（后台求解）")
def roster_create(request: HttpRequest, payload: s.RosterIn) -> Status[dict[str, Any]]:
    try:
        month = datetime.strptime(payload.month, "%Y-%m").date()
    except ValueError:
        raise InvalidInput("月份无效。", fields={"month": "月份格式应为 YYYY-MM"}) from None
    roster = svc.roster_request(month=month, by=_user(request))
    from hotline.workforce.tasks import roster_solve_task

    roster_solve_task(roster.pk)
    roster.refresh_from_db()
    return Status(202, _roster_out(roster))


@router.get("/rosters/{roster_id}", response={200: s.RosterOut, **ERRORS}, summary="排班结果")
def roster_detail(request: HttpRequest, roster_id: int) -> dict[str, Any]:
    _hr(request)
    roster = Roster.objects.filter(pk=roster_id).first()
    if roster is None:
        raise NotFound("排班表不存在。")
    return _roster_out(roster)
