"""Visit desk actions (a call's outcome, a survey link, dialling) and the citizens' survey page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from hotline.accounts.models import User
from hotline.core.errors import ServiceError
from hotline.core.masking import mask_phone
from hotline.tickets.models import VISIT_RESULT_LABELS
from hotline.tickets.views.common import role_required
from hotline.tickets.views.visit import VISIT_ROLES, visit_desk_page
from hotline.visits.models import VisitTask
from hotline.visits.services import (
    SurveyError,
    survey_answer,
    survey_find,
    visit_attempt_record,
    visit_dial,
    visit_link_send,
)


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdecimal() else None


def _back(request: HttpRequest) -> HttpResponse:
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect("tickets:visit_desk")


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


@require_POST
@role_required(*VISIT_ROLES)
def attempt(request: HttpRequest, pk: int) -> HttpResponse:
    """One call's outcome from a worklist row: "reached:<result>" or a failure (no_answer, busy, ...)."""
    user: User = request.user  # type: ignore[assignment]
    choice = request.POST.get("choice", "")
    outcome, _, result = choice.partition(":")
    note = request.POST.get("note", "")
    try:
        task = visit_attempt_record(
            task=pk, by=user, outcome=outcome, result=result, note=note, version=_version(request),
            base_url=request.build_absolute_uri("/"),
        )  # fmt: skip
    except ServiceError as exc:
        kept = {pk: {"choice": choice, "note": note}}
        return visit_desk_page(request, errors={pk: exc.message}, kept=kept, status=exc.http_status)
    number = task.ticket.number
    if task.status == VisitTask.Status.DONE:
        tail = "，已退回承办单位重办" if task.reopened else "，工单已办结"
        messages.success(request, f"已回访：{number}（{VISIT_RESULT_LABELS.get(task.result, '')}{tail}）。")
    elif task.status == VisitTask.Status.AWAITING:
        messages.success(request, f"{number} 电话 {task.phone_attempts} 次未接通，已发送回访链接。")
    else:
        messages.success(request, f"{number} 已登记未接通（第 {task.phone_attempts} 次）。")
    return _back(request)


@require_POST
@role_required(*VISIT_ROLES)
def link(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        visit_link_send(task=pk, by=user, version=_version(request), base_url=request.build_absolute_uri("/"))
    except ServiceError as exc:
        return visit_desk_page(request, errors={pk: exc.message}, status=exc.http_status)
    messages.success(request, "已发送回访链接。")
    return _back(request)


@require_POST
@role_required(*VISIT_ROLES)
def dial(request: HttpRequest, pk: int) -> HttpResponse:
    """The number for the tel: link; each look is audited."""
    user: User = request.user  # type: ignore[assignment]
    try:
        phone = visit_dial(task=pk, by=user, address=_address(request))
    except ServiceError as exc:
        return JsonResponse(exc.as_dict(), status=exc.http_status)
    tel = "".join(ch for ch in phone if ch.isdecimal() or ch == "+")
    return JsonResponse({"tel": tel, "display": mask_phone(phone)})


RATED = [(k, v) for k, v in VISIT_RESULT_LABELS.items() if k != "unreachable"]


def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The citizen's one-time survey (public, phone-first): shows the ticket's title and takes one answer."""
    ctx: dict[str, object] = {"results": RATED, "token": token}
    try:
        link_row = survey_find(token)
    except SurveyError as exc:
        ctx["closed"] = exc.message
        ctx["code"] = exc.code
        return render(request, "visits/survey.html", ctx, status=404 if exc.code == "invalid" else 410)
    ctx["ticket"] = link_row.task.ticket
    ctx["link"] = link_row
    if request.method == "POST":
        result = request.POST.get("result", "")
        comment = request.POST.get("comment", "")
        try:
            survey_answer(token=token, result=result, comment=comment)
        except SurveyError as exc:
            ctx["closed"] = exc.message
            ctx["code"] = exc.code
            return render(request, "visits/survey.html", ctx, status=410)
        except ServiceError as exc:
            ctx.update(error=exc.message, kept={"result": result, "comment": comment})
            return render(request, "visits/survey.html", ctx, status=400)
        ctx["thanks"] = VISIT_RESULT_LABELS[result]
    return render(request, "visits/survey.html", ctx)
