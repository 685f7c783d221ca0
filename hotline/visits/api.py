"""REST endpoints of the visit app, mounted under /api/v1/visits: the 回访台 worklist and its call outcomes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router

from hotline.accounts.api import ErrorOut
from hotline.accounts.models import User
from hotline.core.errors import NotAllowed
from hotline.core.masking import mask_name, mask_phone
from hotline.tickets.models import Assignment
from hotline.tickets.views.visit import PAGE_SIZE, VISIT_ROLES
from hotline.visits import schemas as s
from hotline.visits.models import VisitTask
from hotline.visits.selectors import visit_worklist
from hotline.visits.services import visit_attempt_record

router = Router(tags=["回访"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if user.role not in VISIT_ROLES:
        raise NotAllowed("您的角色不能使用回访台。")
    return user


def _visit_out(task: VisitTask) -> dict[str, Any]:
    t = task.ticket
    replies = getattr(t, "replies", None)
    if replies is None:  # a single task fresh from the service, not from the worklist's prefetch
        replies = list(
            t.assignments.filter(role=Assignment.Role.LEAD, replied_at__isnull=False).order_by("-replied_at")[
                :1
            ]
        )
    return {
        "id": task.pk,
        "number": t.number,
        "title": t.title,
        "round": task.round,
        "status": task.status,
        "status_label": task.get_status_display(),
        "due_at": task.due_at,
        "overdue": task.is_overdue,
        "phone_attempts": task.phone_attempts,
        "last_attempt_at": task.last_attempt_at,
        "online_result": task.online_result,
        # Masked as on the desk: the full number is one audited call away (GET /tickets/{number}/citizen).
        "citizen_name": "匿名" if t.anonymous else mask_name(t.citizen_name),
        "citizen_phone": mask_phone(t.citizen_phone),
        "anonymous": t.anonymous,
        "department": t.completing_department.name if t.completing_department else None,
        "reply": replies[0].reply if replies else "",
        "version": task.version,
    }


@router.get("", response={200: s.VisitPage, **ERRORS}, summary="回访任务列表（回访台）")
def visits(request: HttpRequest, q: Query[s.VisitQuery]) -> dict[str, Any]:
    """Open visits, overdue first, then by deadline; citizens masked."""
    _user(request)
    qs = visit_worklist()
    if q.status:
        qs = qs.filter(status=q.status)
    if q.overdue is not None:
        now = timezone.now()
        qs = qs.filter(due_at__lt=now) if q.overdue else qs.exclude(due_at__lt=now)
    start = (q.page - 1) * PAGE_SIZE
    rows = list(qs[start : start + PAGE_SIZE])
    return {
        "count": qs.count(),
        "page": q.page,
        "page_size": PAGE_SIZE,
        "results": [_visit_out(task) for task in rows],
    }


@router.post("/{task_id}/attempts", response={200: s.VisitOut, **ERRORS}, summary="登记一次回访电话的结果")
def attempt(request: HttpRequest, task_id: int, payload: s.AttemptIn) -> dict[str, Any]:
    """Reached with the result finishes the visit (不满意 reopens the ticket); a failed call counts toward the rule."""
    user = _user(request)
    task = visit_attempt_record(
        task=task_id,
        by=user,
        outcome=payload.outcome,
        result=payload.result,
        note=payload.note,
        version=payload.version,
        base_url=request.build_absolute_uri("/"),
    )
    return _visit_out(task)
