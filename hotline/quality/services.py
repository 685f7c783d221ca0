"""Every write of quality inspection: sampling, scoring, disputes and arbitration, calibration."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from hotline.accounts.models import Role, User
from hotline.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hotline.quality.models import (
    CalibrationScore,
    CalibrationSession,
    CheckScore,
    Dispute,
    QualityCheck,
    Rubric,
    RubricItem,
    SamplingPlan,
)
from hotline.quality.sampling import Candidate, default_seed, draw

C = QualityCheck.Status
K = SamplingPlan.Kind
INSPECTORS = (Role.QA_INSPECTOR, Role.SUPERVISOR)
TEXT_MAX = 2000
MAX_PERIOD_DAYS = 93


# --- Scoring -------------------------------------------------------------------------------------


def rubric_score(items: list[RubricItem], points: Mapping[int, int], pass_score: int) -> tuple[float, bool]:
    """百分制 score = Σ points / Σ weights × 100; passes at the pass line unless a critical item got 0."""
    total = sum(i.weight for i in items)
    got = sum(points[i.pk] for i in items)
    score = round(got * 100 / total, 1) if total else 0.0
    vetoed = any(i.critical and points[i.pk] == 0 for i in items)
    return score, score >= pass_score and not vetoed


def points_parse(rubric: Rubric, raw: Mapping[str, str]) -> dict[int, int]:
    """Every item's points from form fields `item_<id>`; each must be a whole number 0…weight."""
    items = list(rubric.items.all())
    if not items:
        raise InvalidInput("该评分表没有评分项，请先在系统管理中配置。")
    out: dict[int, int] = {}
    errors: dict[str, str] = {}
    for i in items:
        value = str(raw.get(f"item_{i.pk}", "")).strip()
        if not value.isdecimal() or not 0 <= int(value) <= i.weight:
            errors[f"item_{i.pk}"] = f"“{i.name}”请填 0–{i.weight} 的整数"
        else:
            out[i.pk] = int(value)
    if errors:
        raise InvalidInput("评分有误：" + "；".join(errors.values()) + "。", fields=errors)
    return out


def _text(value: str, field: str, label: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"请填写{label}。", fields={field: f"请填写{label}"})
    if len(value) > TEXT_MAX:
        raise InvalidInput(f"{label}不能超过 {TEXT_MAX} 个字。", fields={field: "过长"})
    return value


def _lock(check: QualityCheck | int, version: int | None = None) -> QualityCheck:
    pk = check.pk if isinstance(check, QualityCheck) else check
    try:
        locked = QualityCheck.objects.select_for_update().select_related("rubric").get(pk=pk)
    except QualityCheck.DoesNotExist:
        raise NotFound("质检记录不存在。") from None
    if version is not None and locked.version != version:
        raise Conflict("该质检已被他人修改，请刷新后查看。")
    return locked


def _save(check: QualityCheck, fields: list[str]) -> None:
    old = check.version
    check.version = old + 1
    values = {f: getattr(check, f) for f in fields}
    if QualityCheck.objects.filter(pk=check.pk, version=old).update(version=check.version, **values) != 1:
        raise Conflict("该质检已被他人修改，请刷新后查看。")


def _store_points(check: QualityCheck, points: Mapping[int, int], notes: Mapping[int, str]) -> None:
    CheckScore.objects.filter(check_item=check).delete()
    CheckScore.objects.bulk_create(
        CheckScore(check_item=check, item_id=k, points=v, note=(notes.get(k) or "")[:200])
        for k, v in points.items()
    )


def qa_inspect(
    *,
    check: QualityCheck | int,
    by: User,
    points: Mapping[int, int],
    notes: Mapping[int, str] | None = None,
    comment: str = "",
    version: int | None = None,
) -> QualityCheck:
    """Score a sampled item against its rubric (a re-score is allowed until the agent disputes it)."""
    if by.role not in INSPECTORS:
        raise NotAllowed("只有质检员或主管可以评分。")
    comment = _text(comment, "comment", "质检评语", required=False)
    with transaction.atomic():
        check = _lock(check, version)
        if check.status in (C.DISPUTED, C.ARBITRATED):
            raise Conflict(f"该质检{check.get_status_display()}，不能再改分。", code="invalid_transition")
        if check.agent_id is not None and check.agent_id == by.pk:
            raise NotAllowed("不能给自己的话务质检评分。")
        items = list(check.rubric.items.all())
        if set(points) != {i.pk for i in items}:
            raise InvalidInput("请为每个评分项打分。", fields={"points": "评分项不完整"})
        check.score, check.passed = rubric_score(items, points, check.rubric.pass_score)
        check.status, check.inspector, check.inspected_at, check.comment = C.DONE, by, timezone.now(), comment
        _save(check, ["score", "passed", "status", "inspector", "inspected_at", "comment"])
        _store_points(check, points, notes or {})
    return check


# --- Disputes and arbitration --------------------------------------------------------------------


def qa_dispute(*, check: QualityCheck | int, by: User, reason: str) -> Dispute:
    """The inspected agent appeals a finished inspection once, with a reason."""
    reason = _text(reason, "reason", "申诉理由", required=True)
    with transaction.atomic():
        check = _lock(check)
        if check.agent_id != by.pk:
            raise NotAllowed("只能对自己的质检结果申诉。")
        if check.status == C.PENDING:
            raise Conflict("该记录尚未质检，不能申诉。", code="invalid_transition")
        if check.status == C.DISPUTED:
            raise Conflict("该质检已在申诉中，请等待主管仲裁。", code="invalid_transition")
        if check.status == C.ARBITRATED:
            raise Conflict("该质检已仲裁，不能再次申诉。", code="invalid_transition")
        check.status = C.DISPUTED
        _save(check, ["status"])
        try:
            with transaction.atomic():
                return Dispute.objects.create(
                    check_item=check, raised_by=by, reason=reason, score_before=check.score
                )
        except IntegrityError:
            raise Conflict("该质检已在申诉中。") from None


def qa_arbitrate(
    *,
    dispute: Dispute | int,
    by: User,
    uphold: bool,
    decision: str,
    points: Mapping[int, int] | None = None,
) -> Dispute:
    """A supervisor decides a dispute: upheld re-scores the item with the given points; rejected keeps it."""
    if by.role != Role.SUPERVISOR:
        raise NotAllowed("只有主管可以仲裁申诉。")
    decision = _text(decision, "decision", "仲裁意见", required=True)
    with transaction.atomic():
        pk = dispute.pk if isinstance(dispute, Dispute) else dispute
        row = Dispute.objects.select_for_update().filter(pk=pk).first()
        if row is None:
            raise NotFound("申诉不存在。")
        if row.status != Dispute.Status.OPEN:
            raise Conflict("该申诉已仲裁。", code="invalid_transition")
        check = _lock(row.check_item_id)
        if uphold:
            items = list(check.rubric.items.all())
            if points is None or set(points) != {i.pk for i in items}:
                raise InvalidInput("申诉成立时请重新为每个评分项打分。", fields={"points": "评分项不完整"})
            check.score, check.passed = rubric_score(items, points, check.rubric.pass_score)
            old = {s.item_id: s.note for s in check.scores.all()}
            _store_points(check, points, old)
        check.status = C.ARBITRATED
        _save(check, ["score", "passed", "status"])
        row.status = Dispute.Status.UPHELD if uphold else Dispute.Status.REJECTED
        row.decided_by, row.decided_at, row.decision, row.score_after = (
            by,
            timezone.now(),
            decision,
            check.score,
        )
        row.save(update_fields=["status", "decided_by", "decided_at", "decision", "score_after"])
    return row


# --- Sampling ------------------------------------------------------------------------------------


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    if last < first:
        raise InvalidInput("结束日期不能早于开始日期。", fields={"to": "早于开始日期"})
    if (last - first).days >= MAX_PERIOD_DAYS:
        raise InvalidInput(f"抽检期间不能超过 {MAX_PERIOD_DAYS} 天。", fields={"to": "期间过长"})
    start = timezone.make_aware(datetime.combine(first, time.min))
    return start, timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))


def _agents_by_code() -> dict[str, int | None]:
    from hotline.callcenter.models import Agent

    return dict(Agent.objects.values_list("code", "user_id"))


def _hire_dates() -> dict[int, date]:
    """User id -> the day the person started: workforce's hire date where registered, else the account's."""
    out = {pk: joined.date() for pk, joined in User.objects.values_list("pk", "date_joined")}
    try:
        from hotline.workforce.models import Staff

        out.update(dict(Staff.objects.filter(user__isnull=False).values_list("user_id", "hire_date")))
    except (ImportError, LookupError):  # pragma: no cover - workforce is optional for QA
        pass
    return out


def candidates(plan: SamplingPlan, first: date, last: date) -> list[Candidate]:
    """The population a plan draws from in [first, last]: answered calls, or tickets for the ticket-based plans."""
    from hotline.callcenter.models import CallRecord
    from hotline.tickets.models import Ticket, TicketEvent

    start, end = _bounds(first, last)
    codes = _agents_by_code()
    if plan.kind in (K.RANDOM, K.LONG_CALLS, K.NEW_AGENTS):
        return _call_candidates(plan, start, end, codes)
    tickets = Ticket.objects.filter(created_by__isnull=False)
    if plan.kind == K.COMPLAINTS:
        tickets = tickets.filter(type=Ticket.Type.COMPLAINT, created_at__gte=start, created_at__lt=end)
        reason = "投诉类工单"
    else:
        reopened = TicketEvent.objects.filter(at__gte=start, at__lt=end).filter(
            Q(action="reopen") | Q(action="visit", data__reopened=True)
        )
        tickets = tickets.filter(pk__in=reopened.values("ticket_id"))
        reason = "重办工单"
    first_call = dict(
        CallRecord.objects.filter(ticket__in=tickets).order_by("-arrived_at").values_list("ticket_id", "pk")
    )
    call_agent = dict(CallRecord.objects.filter(pk__in=first_call.values()).values_list("pk", "agent_code"))
    out = []
    for pk, user_id in tickets.values_list("pk", "created_by_id"):
        call_id = first_call.get(pk)
        code = call_agent.get(call_id, "") if call_id else ""
        out.append(Candidate(f"ticket:{pk}", call_id, pk, code, user_id, reason))
    return out


def _call_candidates(
    plan: SamplingPlan, start: datetime, end: datetime, codes: dict[str, int | None]
) -> list[Candidate]:
    """Answered calls of [start, end): all, the long ones, or those taken within an agent's first N days.

    Filtered in SQL; Python only wraps the rows (a city's month is ~100 k calls).
    """
    from hotline.callcenter.models import CallRecord

    calls = CallRecord.objects.filter(answered_at__gte=start, answered_at__lt=end).exclude(agent_code="")
    started: dict[str, date] = {}
    if plan.kind == K.LONG_CALLS:
        calls = calls.filter(talk_s__gte=plan.long_call_s)
    elif plan.kind == K.NEW_AGENTS:
        hired = _hire_dates()
        oldest = timezone.localtime(start).date() - timedelta(days=plan.new_agent_days)
        started = {c: hired[u] for c, u in codes.items() if u in hired and hired[u] >= oldest}
        window = Q(pk__in=[])
        for code, day in started.items():
            until = timezone.make_aware(
                datetime.combine(day + timedelta(days=plan.new_agent_days + 1), time.min)
            )
            window |= Q(agent_code=code, answered_at__lt=until)
        calls = calls.filter(window)
    label = plan.get_kind_display()
    out = []
    for pk, ticket_id, code, talk in calls.values_list("pk", "ticket_id", "agent_code", "talk_s").iterator(
        2000
    ):
        if plan.kind == K.LONG_CALLS:
            reason = f"长通话 {int(talk // 60)} 分钟"
        elif plan.kind == K.NEW_AGENTS:
            reason = f"新员工（{started[code]:%Y-%m-%d} 入职）"
        else:
            reason = label
        out.append(Candidate(f"call:{pk}", pk, ticket_id, code, codes.get(code), reason))
    return out


def qa_sample(
    *, plan: SamplingPlan, first: date, last: date, seed: int | None = None
) -> tuple[list[QualityCheck], int]:
    """Draw the plan's items for the period (idempotent: an item already drawn by the plan is not drawn again).

    Returns (new items, population size).
    """
    if not plan.is_active:
        raise InvalidInput(f"抽检方案“{plan.name}”已停用。")
    pool = candidates(plan, first, last)
    share = float(plan.share) if plan.kind == K.RANDOM else None
    picked = draw(
        pool,
        share=share,
        max_items=plan.max_items,
        seed=seed if seed is not None else default_seed(plan.pk, first, last),
    )
    existing = set(
        QualityCheck.objects.filter(plan=plan, key__in=[c.key for c in picked]).values_list("key", flat=True)
    )
    new = [
        QualityCheck(
            plan=plan,
            rubric=plan.rubric,
            key=c.key,
            call_id=c.call_id,
            ticket_id=c.ticket_id,
            agent_id=c.agent_id,
            agent_code=c.agent_code,
            reason=c.reason,
        )  # fmt: skip
        for c in picked
        if c.key not in existing
    ]
    QualityCheck.objects.bulk_create(new, ignore_conflicts=True)
    return new, len(pool)


# --- Calibration ---------------------------------------------------------------------------------


def calibration_start(*, check: QualityCheck | int, by: User, name: str) -> CalibrationSession:
    if by.role not in INSPECTORS:
        raise NotAllowed("只有质检员或主管可以发起校准。")
    name = _text(name, "name", "校准会名称", required=True)[:60]
    pk = check.pk if isinstance(check, QualityCheck) else check
    if not QualityCheck.objects.filter(pk=pk).exists():
        raise NotFound("质检记录不存在。")
    return CalibrationSession.objects.create(name=name, check_item_id=pk, created_by=by)


def calibration_score(
    *, session: CalibrationSession, by: User, points: Mapping[int, int]
) -> CalibrationScore:
    """One inspector's independent score of the session's item (once each)."""
    if by.role not in INSPECTORS:
        raise NotAllowed("只有质检员或主管可以参加校准。")
    rubric = session.check_item.rubric
    items = list(rubric.items.all())
    if set(points) != {i.pk for i in items}:
        raise InvalidInput("请为每个评分项打分。", fields={"points": "评分项不完整"})
    score, passed = rubric_score(items, points, rubric.pass_score)
    try:
        with transaction.atomic():
            return CalibrationScore.objects.create(
                session=session,
                inspector=by,
                points={str(k): v for k, v in points.items()},
                score=score,
                passed=passed,
            )
    except IntegrityError:
        raise Conflict("您已在本次校准中评过分。") from None
