"""质检台 (QA desk), the inspection page, the agent's own results and disputes, calibration."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from hotline.accounts.models import Role, User
from hotline.core.errors import InvalidInput, ServiceError
from hotline.quality import selectors as sel
from hotline.quality import services as svc
from hotline.quality.models import CalibrationSession, Dispute, QualityCheck, SamplingPlan
from hotline.tickets.views.common import role_required

DESK_ROLES = (Role.QA_INSPECTOR, Role.SUPERVISOR)
C = QualityCheck.Status


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _period(request: HttpRequest) -> tuple[date, date, dict[str, str]]:
    today = date.today()
    raw_from = request.GET.get("from") or request.POST.get("from") or today.replace(day=1).isoformat()
    raw_to = request.GET.get("to") or request.POST.get("to") or today.isoformat()
    errors: dict[str, str] = {}
    try:
        first = date.fromisoformat(raw_from.strip())
    except ValueError:
        first, errors["from"] = today.replace(day=1), "日期格式应为 YYYY-MM-DD"
    try:
        last = date.fromisoformat(raw_to.strip())
    except ValueError:
        last, errors["to"] = today, "日期格式应为 YYYY-MM-DD"
    if not errors and last < first:
        errors["to"] = "结束日期不能早于开始日期"
    return first, last, errors


def _desk(
    request: HttpRequest, *, error: str = "", status: int = 200, kept: dict[str, str] | None = None
) -> HttpResponse:
    first, last, errors = _period(request)
    if errors:
        error = error or "日期有误：" + "；".join(errors.values()) + "。"
        status = 400 if status == 200 else status
        first, last = date.today().replace(day=1), date.today()
    show = request.GET.get("show", "pending")
    qs = QualityCheck.objects.select_related("plan", "agent", "ticket", "call", "inspector")
    qs = qs.filter(status=C.PENDING) if show == "pending" else qs.exclude(status=C.PENDING)
    page = Paginator(
        qs.order_by("-sampled_at", "-id") if show == "pending" else qs.order_by("-inspected_at"), 25
    )
    ok, n = sel.pass_parts(first, last)
    ctx: dict[str, Any] = {
        "first": first, "last": last, "show": show, "error": error, "kept": kept or {},
        "page": page.get_page(request.GET.get("page")),
        "plans": SamplingPlan.objects.filter(is_active=True).select_related("rubric"),
        "pass_ok": ok, "pass_n": n, "pass_rate": ok / n if n else None, "target": sel.PASS_TARGET,
        "by_agent": sel.pass_rate_by_agent(first, last),
        "by_month": sel.pass_rate_by_month(first.replace(month=1, day=1), last),
        "disputes": Dispute.objects.filter(status=Dispute.Status.OPEN).select_related("check_item", "raised_by"),
        "sessions": CalibrationSession.objects.order_by("-created_at")[:8],
        "pending_count": QualityCheck.objects.filter(status=C.PENDING).count(),
        "from_value": (kept or {}).get("from") or first.isoformat(),
        "to_value": (kept or {}).get("to") or last.isoformat(),
    }  # fmt: skip
    return render(request, "quality/desk.html", ctx, status=status)


@role_required(*DESK_ROLES)
def desk(request: HttpRequest) -> HttpResponse:
    return _desk(request)


@require_POST
@role_required(*DESK_ROLES)
def sample(request: HttpRequest) -> HttpResponse:
    """The "抽取" button: draw a plan's items for the period."""
    kept = {k: request.POST.get(k, "") for k in ("plan", "from", "to")}
    first, last, errors = _period(request)
    plan = (
        SamplingPlan.objects.filter(pk=request.POST.get("plan") or 0).first()
        if kept["plan"].isdecimal()
        else None
    )
    if plan is None:
        return _desk(request, error="请选择抽检方案。", status=400, kept=kept)
    if errors:
        return _desk(request, error="日期有误：" + "；".join(errors.values()) + "。", status=400, kept=kept)
    try:
        new, population = svc.qa_sample(plan=plan, first=first, last=last)
    except ServiceError as exc:
        return _desk(request, error=exc.message, status=exc.http_status, kept=kept)
    messages.success(
        request, f"“{plan.name}”：{first}–{last} 共 {population} 条可抽，新抽取 {len(new)} 条待质检。"
    )
    return redirect(f"{reverse('quality:desk')}?from={first}&to={last}")


def _check_context(check: QualityCheck) -> dict[str, Any]:
    from hotline.callcenter.models import Recording

    recordings = []
    if check.call_id:
        recordings = list(Recording.objects.filter(call_id=check.call_id))
    elif check.ticket_id:
        recordings = list(Recording.objects.filter(ticket_id=check.ticket_id))
    scores = {s.item_id: s for s in check.scores.all()}
    items = [(i, scores.get(i.pk)) for i in check.rubric.items.all()]
    return {"check": check, "items": items, "recordings": recordings,
            "reply": check.ticket.assignments.filter(replied_at__isnull=False).order_by("-replied_at").first() if check.ticket else None,
            "dispute": check.disputes.order_by("-raised_at").first()}  # fmt: skip


def _get_check(pk: int) -> QualityCheck:
    return get_object_or_404(
        QualityCheck.objects.select_related(
            "plan", "rubric", "agent", "ticket", "ticket__category", "call", "inspector"
        ),
        pk=pk,
    )


@role_required(*DESK_ROLES)
def inspect(request: HttpRequest, pk: int) -> HttpResponse:
    """The call and the ticket side by side with the rubric form (and the arbitration form when disputed)."""
    check = _get_check(pk)
    ctx = _check_context(check)
    status = 200
    if request.method == "POST":
        raw = request.POST
        try:
            points = svc.points_parse(check.rubric, raw)
            notes = {i.pk: raw.get(f"note_{i.pk}", "") for i in check.rubric.items.all()}
            version = int(raw["version"]) if raw.get("version", "").isdecimal() else None
            svc.qa_inspect(check=check, by=_user(request), points=points, notes=notes,
                           comment=raw.get("comment", ""), version=version)  # fmt: skip
        except ServiceError as exc:
            ctx.update(error=exc.message, field_errors=exc.fields, kept=raw)
            status = exc.http_status
        else:
            check.refresh_from_db()
            messages.success(request, f"已评分：{check.score:g} 分，{'合格' if check.passed else '不合格'}。")
            nxt = (
                QualityCheck.objects.filter(status=C.PENDING)
                .exclude(pk=pk)
                .order_by("-sampled_at", "-id")
                .first()
            )
            return (
                redirect("quality:inspect", nxt.pk)
                if nxt and raw.get("and_next")
                else redirect("quality:inspect", pk)
            )
    return render(request, "quality/inspect.html", ctx, status=status)


@require_POST
@role_required(Role.SUPERVISOR)
def arbitrate(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = get_object_or_404(Dispute, pk=pk)
    raw = request.POST
    uphold = raw.get("uphold") == "1"
    check = _get_check(dispute.check_item_id)
    try:
        points = svc.points_parse(check.rubric, raw) if uphold else None
        svc.qa_arbitrate(
            dispute=dispute, by=_user(request), uphold=uphold, decision=raw.get("decision", ""), points=points
        )
    except ServiceError as exc:
        ctx = _check_context(check)
        ctx.update(arb_error=exc.message, kept=raw)
        return render(request, "quality/inspect.html", ctx, status=exc.http_status)
    messages.success(request, "已仲裁。")
    return redirect("quality:inspect", check.pk)


@role_required()  # any signed-in user: everyone sees only their own results
def mine(request: HttpRequest) -> HttpResponse:
    """The agent's own inspection results, with a dispute form on each finished one."""
    user = _user(request)
    errors: dict[int, str] = {}
    kept: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        raw = request.POST.get("check", "")
        reason = request.POST.get("reason", "")
        try:
            if not raw.isdecimal():
                raise InvalidInput("请选择要申诉的质检。")
            svc.qa_dispute(check=int(raw), by=user, reason=reason)
        except ServiceError as exc:
            key = int(raw) if raw.isdecimal() else 0
            errors[key], kept[key], status = exc.message, reason, exc.http_status
        else:
            messages.success(request, "申诉已提交，等待主管仲裁。")
            return redirect("quality:mine")
    rows: list[Any] = list(
        QualityCheck.objects.filter(agent=user, status__in=QualityCheck.FINISHED)
        .select_related("ticket", "call", "rubric")
        .prefetch_related("scores__item", "disputes")
        .order_by("-inspected_at")[:100]
    )
    for r in rows:
        r.error, r.kept = errors.get(r.pk, ""), kept.get(r.pk, "")
    ok = sum(1 for r in rows if r.passed)
    ctx = {"rows": rows, "ok": ok, "n": len(rows), "target": sel.PASS_TARGET}
    return render(request, "quality/mine.html", ctx, status=status)


@require_POST
@role_required(*DESK_ROLES)
def calibration_new(request: HttpRequest, pk: int) -> HttpResponse:
    check = _get_check(pk)
    try:
        session = svc.calibration_start(
            check=check, by=_user(request), name=request.POST.get("name", "") or f"校准：质检 {pk}"
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("quality:inspect", pk)
    return redirect("quality:calibration", session.pk)


@role_required(*DESK_ROLES)
def calibration(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(CalibrationSession.objects.select_related("check_item__rubric"), pk=pk)
    user = _user(request)
    ctx: dict[str, Any] = {
        "session": session,
        "items": [(i, None) for i in session.check_item.rubric.items.all()],
    }
    status = 200
    if request.method == "POST":
        try:
            points = svc.points_parse(session.check_item.rubric, request.POST)
            svc.calibration_score(session=session, by=user, points=points)
        except ServiceError as exc:
            ctx.update(error=exc.message, kept=request.POST)
            status = exc.http_status
        else:
            messages.success(request, "已提交校准评分。")
            return redirect("quality:calibration", pk)
    ctx["spread"] = sel.calibration_spread(session)
    ctx["scored"] = session.scores.filter(inspector=user).exists()
    return render(request, "quality/calibration.html", ctx, status=status)
