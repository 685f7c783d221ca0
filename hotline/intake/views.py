"""市民门户: public pages to submit a request, track it by number and query code, and rate the result.

Nothing here needs an account. Spam is held off without the internet: a signed arithmetic question
and per-address limits in the cache. A ticket's details show only after its code was given in this
browser session; a wrong code and an unknown number get the same answer, and guesses are throttled.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from hotline.accounts.models import Department
from hotline.core.errors import ServiceError
from hotline.core.masking import mask_name, mask_phone
from hotline.intake.challenge import (
    ChallengeError,
    challenge_check,
    challenge_claim,
    challenge_new,
    challenge_release,
    challenge_remember,
    challenge_result,
)
from hotline.intake.codes import code_display
from hotline.intake.selectors import final_answer, public_status, public_timeline, ticket_by_code
from hotline.intake.services import CONTENT_MAX, Submission, portal_submit, submission_errors
from hotline.intake.throttle import throttle_count, throttle_hit
from hotline.tickets.models import VISIT_RESULT_LABELS_RATED, Ticket
from hotline.tickets.services import ticket_rate

SESSION_KEY = "portal_tickets"
SESSION_MAX = 20
WRONG_CODE = "工单编号或查询码不正确，请核对后重试。"


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def _districts() -> list[Department]:
    return list(
        Department.objects.filter(
            is_active=True, kind__in=[Department.Kind.COUNTY, Department.Kind.ZONE]
        ).order_by("code")
    )


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/landing.html")


def _submit_context(post: QueryDict | None, token: str = "", question: str = "") -> dict[str, Any]:
    if not token:
        ch = challenge_new()
        token, question = ch.token, ch.question
    return {
        "v": post or QueryDict(),
        "types": Ticket.Type.choices,
        "districts": _districts(),
        "challenge_token": token,
        "challenge_question": question,
        "content_max": CONTENT_MAX,
    }


def _submission(post: QueryDict) -> Submission:
    code = post.get("district", "").strip()
    district = next((d for d in _districts() if d.code == code), None) if code else None
    return Submission(
        type=post.get("type", ""),
        content=post.get("content", "")[: CONTENT_MAX * 2],
        address=post.get("address", ""),
        district=district,
        name=post.get("name", ""),
        phone=post.get("phone", ""),
        anonymous=post.get("anonymous") == "on",
    )


@never_cache
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """The request form; on success the ticket number and the query code (shown this once)."""
    if request.method == "GET":
        return render(request, "intake/submit.html", _submit_context(None))
    post = request.POST
    addr = _address(request)
    window = _limit("PORTAL_SUBMIT_WINDOW", 3600)
    if throttle_count(f"submit:{addr}") >= _limit("PORTAL_SUBMIT_LIMIT", 10):
        ctx = _submit_context(post)
        ctx["form_error"] = "提交过于频繁，请一小时后再试；紧急事项请直接拨打 12345。"
        return render(request, "intake/submit.html", ctx, status=429)
    errors: dict[str, str] = {}
    token, question = post.get("challenge_token", ""), post.get("challenge_question", "")[:20]
    nonce = ""
    if post.get("website"):  # a field people never see; bots fill it
        errors["challenge"] = "验证未通过，请重新回答验证题。"
    else:
        try:
            nonce = challenge_check(token, post.get("challenge_answer", ""))
        except ChallengeError as exc:
            errors["challenge"] = exc.message
    if errors:
        throttle_hit(f"submit:{addr}", window)
        token = question = ""  # a new question
    submission = _submission(post)
    errors.update(submission_errors(submission))
    if not errors:
        if not challenge_claim(nonce):
            number = challenge_result(nonce)
            ctx = {"duplicate": True, "number": number}
            return render(request, "intake/submitted.html", ctx, status=409)
        try:
            ticket, code = portal_submit(submission)
        except ServiceError as exc:
            challenge_release(nonce)
            errors.update(exc.fields or {"content": exc.message})
        else:
            challenge_remember(nonce, ticket.number)
            throttle_hit(f"submit:{addr}", window)
            _grant(request, ticket.number)
            return render(request, "intake/submitted.html", {"ticket": ticket, "code": code_display(code)})
    ctx = _submit_context(post, token, question)
    ctx.update(errors=errors, form_error="提交的内容有误，请按提示修改（已填写的内容都保留着）。")
    return render(request, "intake/submit.html", ctx, status=400)


def _granted(request: HttpRequest) -> list[str]:
    return list(request.session.get(SESSION_KEY, []))


def _grant(request: HttpRequest, number: str) -> None:
    numbers = [n for n in _granted(request) if n != number]
    request.session[SESSION_KEY] = [*numbers, number][-SESSION_MAX:]


@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Number + code; the same refusal for a wrong code and an unknown number; guesses are throttled."""
    if request.method == "GET":
        return render(request, "intake/track.html", {"number": request.GET.get("number", "")[:20]})
    number = request.POST.get("number", "").strip()[:40]
    code = request.POST.get("code", "")[:40]
    addr = _address(request)
    limit, window = _limit("PORTAL_TRACK_LIMIT", 10), _limit("PORTAL_TRACK_WINDOW", 900)
    ctx: dict[str, Any] = {"number": number}
    if not number or not code.strip():
        ctx["form_error"] = "请填写工单编号和查询码。"
        return render(request, "intake/track.html", ctx, status=400)
    key_n = "".join(ch for ch in number if ch.isdecimal())
    if throttle_count(f"track:a:{addr}") >= limit or throttle_count(f"track:n:{key_n}") >= limit:
        ctx["form_error"] = f"查询失败次数过多，请 {window // 60} 分钟后再试。"
        return render(request, "intake/track.html", ctx, status=429)
    ticket = ticket_by_code(number=number, code=code)
    if ticket is None:
        throttle_hit(f"track:a:{addr}", window)
        throttle_hit(f"track:n:{key_n}", window)
        ctx["form_error"] = WRONG_CODE
        return render(request, "intake/track.html", ctx, status=400)
    _grant(request, ticket.number)
    return redirect("intake:ticket", number=ticket.number)


def _ticket_for(request: HttpRequest, number: str) -> Ticket | None:
    if number not in _granted(request):
        return None
    return Ticket.objects.select_related("category", "district", "parent").filter(number=number).first()


def _detail_context(ticket: Ticket) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "status": public_status(ticket),
        "timeline": public_timeline(ticket),
        "answer": final_answer(ticket),
        "name": "匿名" if ticket.anonymous else mask_name(ticket.citizen_name),
        "phone": mask_phone(ticket.citizen_phone),
        "ratings": VISIT_RESULT_LABELS_RATED,
        "rating_label": dict(VISIT_RESULT_LABELS_RATED).get(ticket.citizen_rating, ""),
    }


@never_cache
def ticket_page(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket_for(request, number)
    if ticket is None:
        return redirect(f"/portal/track/?number={''.join(ch for ch in number if ch.isdecimal())[:20]}")
    return render(request, "intake/ticket.html", _detail_context(ticket))


@never_cache
@require_POST
def rate(request: HttpRequest, number: str) -> HttpResponse:
    """Once, after closure: 满意 / 基本满意 / 不满意 and a comment."""
    ticket = _ticket_for(request, number)
    if ticket is None:
        return redirect(f"/portal/track/?number={''.join(ch for ch in number if ch.isdecimal())[:20]}")
    error, errors = "", {}
    if ticket.citizen_rated_at is not None:
        error = "该工单已评价过，每张工单只能评价一次。"
    elif not ticket.is_rateable:
        error = "工单办结后才能评价。"
    else:
        try:
            ticket_rate(
                ticket=ticket, rating=request.POST.get("rating", ""), comment=request.POST.get("comment", "")
            )
        except ServiceError as exc:
            error, errors = exc.message, exc.fields
        else:
            return redirect("intake:ticket", number=ticket.number)
    ticket.refresh_from_db()
    ctx = _detail_context(ticket)
    ctx.update(rate_error=error, errors=errors, v=request.POST)
    return render(request, "intake/ticket.html", ctx, status=400)


@require_POST
def forget(request: HttpRequest, number: str) -> HttpResponse:
    """Stop showing this ticket in this browser (a shared phone)."""
    request.session[SESSION_KEY] = [n for n in _granted(request) if n != number]
    return redirect("intake:landing")
