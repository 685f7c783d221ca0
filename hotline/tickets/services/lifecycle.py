"""Every lifecycle action of 接诉即办, one service each, all through `transition`."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hotline.accounts.models import Department, User
from hotline.core.errors import InvalidInput, InvalidTransition, NotAllowed
from hotline.tickets.models import VISIT_RESULT_LABELS, Assignment, Ticket, TicketRequest
from hotline.tickets.permissions import department_assignment
from hotline.tickets.services._base import ticket_event, ticket_lock, ticket_save, transition
from hotline.tickets.services.deadlines import (
    Policy,
    ack_due,
    clock_pause,
    clock_recompute,
    clock_resume,
    clock_start,
    policy_for,
)

S = Ticket.Status
Result = tuple[str, list[str], dict[str, Any]]
NOTE_MAX = 5000
VISIT_MAX_ATTEMPTS = 3
REOPEN_MAX = 2
EXTENSION_MAX_DAYS = 30


class VisitResult:
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"
    UNREACHABLE = "unreachable"
    LABELS = VISIT_RESULT_LABELS


def _text(value: str, field: str, label: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"请填写{label}。", fields={field: f"请填写{label}"})
    if len(value) > NOTE_MAX:
        raise InvalidInput(f"{label}不能超过 {NOTE_MAX} 个字。", fields={field: "过长"})
    return value


def _department(value: Department | None, field: str) -> Department:
    if value is None or not value.is_active:
        raise InvalidInput("请选择有效的承办单位。", fields={field: "单位无效或已停用"})
    if value.kind == Department.Kind.CENTRE:
        raise InvalidInput("不能派给热线中心内部班组。", fields={field: "不能派给热线中心"})
    return value


def _assign(
    ticket: Ticket,
    department: Department,
    role: str,
    by: User | None,
    *,
    level: int = 1,
    parent: Assignment | None = None,
    policy: Policy | None = None,
) -> Assignment:
    now = timezone.now()
    return Assignment.objects.create(
        ticket=ticket,
        department=department,
        department_path=department.path,
        role=role,
        level=level,
        parent=parent,
        assigned_by=by,
        assigned_at=now,
        ack_due_at=ack_due(ticket, now, policy),
    )


def _withdraw_active(ticket: Ticket, state: str = Assignment.State.WITHDRAWN) -> list[int]:
    ids = list(ticket.assignments.filter(active=True).values_list("id", flat=True))
    Assignment.objects.filter(id__in=ids).update(active=False, state=state)
    return ids


def _dispatch_to(
    ticket: Ticket, by: User | None, lead: Department, assists: list[Department]
) -> tuple[list[str], dict[str, Any]]:
    lead = _department(lead, "lead")
    assists = [_department(d, "assists") for d in assists]
    if lead in assists:
        raise InvalidInput("主办单位不能同时作为协办单位。", fields={"assists": "与主办单位重复"})
    if len({d.pk for d in assists}) != len(assists):
        raise InvalidInput("协办单位重复。", fields={"assists": "重复"})
    policy = policy_for(ticket)  # once per dispatch, not per assignment and clock step
    _assign(ticket, lead, Assignment.Role.LEAD, by, policy=policy)
    for d in assists:
        _assign(ticket, d, Assignment.Role.ASSIST, by, policy=policy)
    now = timezone.now()
    ticket.lead_department = lead
    ticket.dispatched_at = now
    fields = ["lead_department", "dispatched_at"]
    if ticket.first_department_id is None:
        ticket.first_department = lead
        fields.append("first_department")
    fields += clock_start(ticket, now, policy)
    return fields, {"lead": lead.pk, "lead_name": lead.name, "assists": [d.pk for d in assists]}


def ticket_submit(*, ticket: Ticket, by: User | None, version: int | None = None) -> Ticket:
    """Send a draft to the dispatch queue."""
    return transition(
        ticket, by=by, action="submit", version=version, apply=lambda t: (S.PENDING_DISPATCH, [], {})
    )


def ticket_answer(*, ticket: Ticket, by: User, answer: str, version: int | None = None) -> Ticket:
    """Resolve at first contact (直接答复)."""
    text = _text(answer, "answer", "答复内容")

    def apply(t: Ticket) -> Result:
        t.closed_at = timezone.now()
        return S.ANSWERED, ["closed_at"], {"answer": text}

    return transition(ticket, by=by, action="answer", apply=apply, note=text, version=version)


def ticket_dispatch(
    *,
    ticket: Ticket,
    by: User,
    lead: Department,
    assists: list[Department] | None = None,
    note: str = "",
    version: int | None = None,
) -> Ticket:
    """Dispatch to a lead department and optional assisting departments; starts the handling clock."""
    note = _text(note, "note", "派单意见", required=False)

    def apply(t: Ticket) -> Result:
        fields, data = _dispatch_to(t, by, lead, assists or [])
        return S.DISPATCHED, fields, data

    return transition(ticket, by=by, action="dispatch", apply=apply, note=note, version=version)


def ticket_redispatch(
    *,
    ticket: Ticket,
    by: User,
    lead: Department,
    assists: list[Department] | None = None,
    note: str = "",
    version: int | None = None,
) -> Ticket:
    """Move the ticket to another department (改派); the clock restarts for the new department."""
    note = _text(note, "note", "改派理由")

    def apply(t: Ticket) -> Result:
        withdrawn = _withdraw_active(t)
        fields, data = _dispatch_to(t, by, lead, assists or [])
        data["withdrawn"] = withdrawn
        return S.DISPATCHED, fields, data

    return transition(ticket, by=by, action="redispatch", apply=apply, note=note, version=version)


def ticket_acknowledge(*, ticket: Ticket, by: User, version: int | None = None) -> Ticket:
    """The lead department signs for the ticket (签收)."""

    def apply(t: Ticket) -> Result:
        a = department_assignment(by, t, Assignment.Role.LEAD)
        assert a is not None
        now = timezone.now()
        Assignment.objects.filter(pk=a.pk).update(state=Assignment.State.ACKNOWLEDGED, acknowledged_at=now)
        late = bool(a.ack_due_at and now > a.ack_due_at)
        return S.ACKNOWLEDGED, [], {"assignment": a.pk, "late": late}

    return transition(ticket, by=by, action="acknowledge", apply=apply, version=version)


def ticket_subdispatch(
    *, ticket: Ticket, by: User, department: Department, note: str = "", version: int | None = None
) -> Ticket:
    """Pass the work down inside the department's own tree (二次派单), e.g. district to street."""
    note = _text(note, "note", "派单意见", required=False)
    department = _department(department, "department")

    def apply(t: Ticket) -> Result:
        parent = department_assignment(by, t, Assignment.Role.LEAD)
        assert parent is not None
        if department.pk == parent.department_id or not department.path.startswith(parent.department.path):
            raise InvalidInput("只能派给本单位的下级单位。", fields={"department": "不是本单位下级"})
        child = _assign(t, department, Assignment.Role.LEAD, by, level=parent.level + 1, parent=parent)
        Assignment.objects.filter(pk=child.pk).update(state=Assignment.State.ACKNOWLEDGED)
        return (
            S.ACKNOWLEDGED,
            [],
            {"department": department.pk, "department_name": department.name, "parent": parent.pk},
        )

    return transition(ticket, by=by, action="subdispatch", apply=apply, note=note, version=version)


def ticket_assist_reply(*, ticket: Ticket, by: User, reply: str, version: int | None = None) -> Ticket:
    """An assisting department gives its opinion; the ticket's state does not change."""
    text = _text(reply, "reply", "协办意见")

    def apply(t: Ticket) -> Result:
        a = department_assignment(by, t, Assignment.Role.ASSIST)
        assert a is not None
        Assignment.objects.filter(pk=a.pk).update(
            state=Assignment.State.REPLIED, replied_at=timezone.now(), reply=text
        )
        return t.status, [], {"assignment": a.pk}

    return transition(ticket, by=by, action="assist_reply", apply=apply, note=text, version=version)


def ticket_reply(*, ticket: Ticket, by: User, reply: str, version: int | None = None) -> Ticket:
    """The lead department reports the result (办结答复) for review."""
    text = _text(reply, "reply", "办理结果")

    def apply(t: Ticket) -> Result:
        a = department_assignment(by, t, Assignment.Role.LEAD)
        assert a is not None
        now = timezone.now()
        Assignment.objects.filter(
            Q(pk=a.pk) | Q(ticket=t, role=Assignment.Role.LEAD, active=True, level__lt=a.level)
        ).update(state=Assignment.State.REPLIED, replied_at=now, reply=text)
        t.replied_at = now
        t.completing_department_id = t.lead_department_id
        on_time = bool(t.due_at and now <= t.due_at)
        return S.REPLIED, ["replied_at", "completing_department"], {"assignment": a.pk, "on_time": on_time}

    return transition(ticket, by=by, action="reply", apply=apply, note=text, version=version)


def ticket_review(
    *, ticket: Ticket, by: User, approve: bool, note: str = "", version: int | None = None
) -> Ticket:
    """Approve a department's reply (to the visit, or closed when no callback is wanted), or send it back."""
    if approve:
        note = _text(note, "note", "审核意见", required=False)

        def apply_ok(t: Ticket) -> Result:
            if t.no_callback or not t.citizen_phone:
                t.closed_at = timezone.now()
                t.close_reason = "诉求人不需回访" if t.no_callback else "无联系电话，无法回访"
                return S.CLOSED, ["closed_at", "close_reason"], {"approved": True, "visit": False}
            return S.PENDING_VISIT, [], {"approved": True, "visit": True}

        return transition(ticket, by=by, action="review_approve", apply=apply_ok, note=note, version=version)
    note = _text(note, "note", "退回理由")

    def apply_back(t: Ticket) -> Result:
        Assignment.objects.filter(
            ticket=t, role=Assignment.Role.LEAD, active=True, state=Assignment.State.REPLIED
        ).update(state=Assignment.State.ACKNOWLEDGED)
        t.replied_at = None
        return S.ACKNOWLEDGED, ["replied_at"], {"approved": False}

    return transition(ticket, by=by, action="review_reject", apply=apply_back, note=note, version=version)


def _reopen(t: Ticket, by: User | None) -> tuple[list[str], dict[str, Any]]:
    department = t.completing_department or t.lead_department
    if department is None:
        raise InvalidInput("该工单没有办结单位，无法重办。")
    _withdraw_active(t)
    _assign(t, department, Assignment.Role.LEAD, by)
    t.reopen_count += 1
    t.lead_department = department
    t.replied_at = None
    t.closed_at = None
    t.close_reason = ""
    t.visit_result = ""
    fields = ["reopen_count", "lead_department", "replied_at", "closed_at", "close_reason", "visit_result"]
    fields += clock_start(t, timezone.now())
    return fields, {"department": department.pk, "reopen_count": t.reopen_count}


def ticket_visit(
    *, ticket: Ticket, by: User, result: str, note: str = "", version: int | None = None
) -> Ticket:
    """Record the callback visit: satisfied closes; unsatisfied reopens (up to a limit); unreachable retries."""
    if result not in VisitResult.LABELS:
        raise InvalidInput("回访结果无效。", fields={"result": "可选：" + "、".join(VisitResult.LABELS)})
    note = _text(note, "note", "回访记录", required=result == VisitResult.UNSATISFIED)

    def apply(t: Ticket) -> Result:
        data: dict[str, Any] = {"result": result}
        now = timezone.now()
        if result in (VisitResult.SATISFIED, VisitResult.BASICALLY_SATISFIED):
            t.visit_result, t.closed_at = result, now
            return S.CLOSED, ["visit_result", "closed_at"], data
        if result == VisitResult.UNSATISFIED:
            if t.reopen_count >= REOPEN_MAX:
                t.visit_result, t.closed_at, t.close_reason = (
                    result,
                    now,
                    f"不满意，已重办 {t.reopen_count} 次",
                )
                return S.CLOSED, ["visit_result", "closed_at", "close_reason"], data
            fields, more = _reopen(t, by)
            data.update(more, reopened=True)
            return S.DISPATCHED, fields, data
        # Attempts count within this visit round: a reopened ticket's new round starts afresh.
        round_start = t.events.filter(action="review_approve").order_by("-seq").values_list("seq", flat=True)
        attempts = (
            t.events.filter(
                action="visit", data__result=VisitResult.UNREACHABLE, seq__gt=round_start.first() or 0
            ).count()
            + 1
        )
        data["attempt"] = attempts
        if attempts >= VISIT_MAX_ATTEMPTS:
            t.visit_result, t.closed_at = result, now
            t.close_reason = f"回访 {attempts} 次未联系上"
            return S.CLOSED, ["visit_result", "closed_at", "close_reason"], data
        return S.PENDING_VISIT, [], data

    return transition(ticket, by=by, action="visit", apply=apply, note=note, version=version)


def ticket_reopen(*, ticket: Ticket, by: User, reason: str, version: int | None = None) -> Ticket:
    """Send a closed or pending-visit ticket back to its department (重办)."""
    reason = _text(reason, "reason", "重办理由")

    def apply(t: Ticket) -> Result:
        fields, data = _reopen(t, by)
        return S.DISPATCHED, fields, data

    return transition(ticket, by=by, action="reopen", apply=apply, note=reason, version=version)


def ticket_return_request(
    *, ticket: Ticket, by: User, reason: str, legal_basis: str = "", version: int | None = None
) -> Ticket:
    """The lead department asks to hand the ticket back (退单); the clock pauses until decided."""
    reason = _text(reason, "reason", "退单理由")
    legal_basis = _text(legal_basis, "legal_basis", "退单依据", required=False)[:300]

    def apply(t: Ticket) -> Result:
        a = department_assignment(by, t, Assignment.Role.LEAD)
        assert a is not None
        req = TicketRequest.objects.create(
            ticket=t,
            kind=TicketRequest.Kind.RETURN,
            department=a.department,
            reason=reason,
            legal_basis=legal_basis,
            requested_by=by,
            requested_at=timezone.now(),
        )
        t.resume_status = t.status
        fields = ["resume_status", *clock_pause(t, req.requested_at, "return")]
        return S.RETURN_PENDING, fields, {"request": req.pk}

    return transition(ticket, by=by, action="return_request", apply=apply, note=reason, version=version)


def _pending_request(t: Ticket, kind: str) -> TicketRequest:
    req = t.requests.filter(kind=kind, state=TicketRequest.State.PENDING).first()
    if req is None:
        raise InvalidTransition("没有待审核的申请。")
    return req


def _decide(req: TicketRequest, by: User, approve: bool, note: str) -> None:
    req.state = TicketRequest.State.APPROVED if approve else TicketRequest.State.REJECTED
    req.decided_by, req.decided_at, req.decision_note = by, timezone.now(), note
    req.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])


def ticket_return_decide(
    *, ticket: Ticket, by: User, approve: bool, note: str = "", version: int | None = None
) -> Ticket:
    """Approve a return (back to the dispatch queue) or reject it (back to the department, clock resumes)."""
    note = _text(note, "note", "审核意见", required=not approve)

    def apply(t: Ticket) -> Result:
        req = _pending_request(t, TicketRequest.Kind.RETURN)
        _decide(req, by, approve, note)
        now = timezone.now()
        if approve:
            resumed = clock_resume(t, now)
            withdrawn = _withdraw_active(t, Assignment.State.RETURNED)
            t.return_count += 1
            t.lead_department = None
            t.resume_status = ""
            fields = [*resumed, "return_count", "lead_department", "resume_status"]
            return S.PENDING_DISPATCH, fields, {"request": req.pk, "approved": True, "withdrawn": withdrawn}
        back = t.resume_status or S.DISPATCHED
        t.resume_status = ""
        return back, ["resume_status", *clock_resume(t, now)], {"request": req.pk, "approved": False}

    action = "return_approve" if approve else "return_reject"
    return transition(ticket, by=by, action=action, apply=apply, note=note, version=version)


def ticket_extension_request(
    *, ticket: Ticket, by: User, days: int, reason: str, version: int | None = None
) -> Ticket:
    """The lead department asks for more working days (延期); the clock pauses until decided."""
    reason = _text(reason, "reason", "延期理由")
    if not isinstance(days, int) or not 1 <= days <= EXTENSION_MAX_DAYS:
        raise InvalidInput(f"延期天数应为 1–{EXTENSION_MAX_DAYS} 个工作日。", fields={"days": "超出范围"})

    def apply(t: Ticket) -> Result:
        if t.budget_unit != "days":
            raise InvalidInput("按工作小时计时的紧急工单不能申请延期。", fields={"days": "紧急工单不可延期"})
        a = department_assignment(by, t, Assignment.Role.LEAD)
        assert a is not None
        req = TicketRequest.objects.create(
            ticket=t,
            kind=TicketRequest.Kind.EXTENSION,
            department=a.department,
            reason=reason,
            days=days,
            requested_by=by,
            requested_at=timezone.now(),
        )
        return (
            S.EXTENSION_PENDING,
            clock_pause(t, req.requested_at, "extension"),
            {"request": req.pk, "days": days},
        )

    return transition(ticket, by=by, action="extension_request", apply=apply, note=reason, version=version)


def ticket_extension_decide(
    *, ticket: Ticket, by: User, approve: bool, note: str = "", version: int | None = None
) -> Ticket:
    """Approve (the deadline moves by the days asked) or reject an extension; the clock resumes."""
    note = _text(note, "note", "审核意见", required=not approve)

    def apply(t: Ticket) -> Result:
        req = _pending_request(t, TicketRequest.Kind.EXTENSION)
        _decide(req, by, approve, note)
        old_due = t.due_at
        fields: list[str] = []
        if approve:
            t.budget += req.days
            fields.append("budget")
        fields += clock_resume(t, timezone.now())
        data = {
            "request": req.pk,
            "approved": approve,
            "days": req.days if approve else 0,
            "old_due_at": old_due.isoformat() if old_due else None,
            "due_at": t.due_at.isoformat() if t.due_at else None,
        }
        return S.ACKNOWLEDGED, fields, data

    action = "extension_approve" if approve else "extension_reject"
    return transition(ticket, by=by, action=action, apply=apply, note=note, version=version)


def ticket_urge(
    *,
    ticket: Ticket | int,
    by: User | None,
    note: str = "",
    automatic: bool = False,
    version: int | None = None,
) -> Ticket:
    """Press the department (催办); periodic jobs urge overdue tickets automatically."""
    note = _text(note, "note", "催办意见", required=False)

    def apply(t: Ticket) -> Result:
        t.urge_count += 1
        return t.status, ["urge_count"], {"automatic": automatic, "count": t.urge_count}

    return transition(ticket, by=by, action="urge", apply=apply, note=note, version=version)


def ticket_supervise(
    *, ticket: Ticket, by: User, on: bool = True, note: str = "", version: int | None = None
) -> Ticket:
    """Set or clear the supervision flag (督办)."""
    note = _text(note, "note", "督办意见", required=on)

    def apply(t: Ticket) -> Result:
        t.supervised = on
        return t.status, ["supervised"], {"on": on}

    return transition(ticket, by=by, action="supervise", apply=apply, note=note, version=version)


def ticket_merge(
    *, ticket: Ticket, by: User, parent: Ticket, note: str = "", version: int | None = None
) -> Ticket:
    """Merge a duplicate into a parent ticket (并单); its active assignments are withdrawn, undo restores them."""
    note = _text(note, "note", "并单说明", required=False)
    if parent.pk == ticket.pk:
        raise InvalidInput("不能并入自身。", fields={"parent": "不能并入自身"})

    def apply(t: Ticket) -> Result:
        target = Ticket.objects.get(pk=parent.pk)
        if target.status in (S.MERGED, S.INVALID, S.ARCHIVED) or target.parent_id:
            raise InvalidInput(
                "目标工单已并单、无效或已归档，不能并入。", fields={"parent": "目标工单状态不允许"}
            )
        if by.is_department_user:
            raise NotAllowed("承办单位不能并单。")
        # Each assignment's own state (an acknowledged sub-dispatch, an assist's reply) is kept for unmerge.
        states = {str(pk): st for pk, st in t.assignments.filter(active=True).values_list("id", "state")}
        withdrawn = _withdraw_active(t)
        t.parent = target
        t.resume_status = t.status
        return (
            S.MERGED,
            ["parent", "resume_status"],
            {
                "parent": target.pk,
                "parent_number": target.number,
                "withdrawn": withdrawn,
                "withdrawn_states": states,
            },
        )

    return transition(ticket, by=by, action="merge", apply=apply, note=note, version=version)


def ticket_link(*, ticket: Ticket, by: User, other: Ticket, note: str = "") -> Ticket:
    """Mark two tickets as related (关联), e.g. the same caller or place; neither changes state."""
    note = _text(note, "note", "关联说明", required=False)
    if other.pk == ticket.pk:
        raise InvalidInput("不能关联自身。", fields={"other": "不能关联自身"})
    if by.is_department_user:
        raise NotAllowed("承办单位不能关联工单。")
    with transaction.atomic():
        locked = ticket_lock(ticket)
        if locked.related.filter(pk=other.pk).exists():
            return locked
        locked.related.add(other)
        ticket_save(locked, [])
        ticket_event(
            locked,
            action="link",
            by=by,
            from_status=locked.status,
            note=note,
            data={"other": other.pk, "other_number": other.number},
        )
    return locked


def ticket_unmerge(*, ticket: Ticket, by: User, note: str = "", version: int | None = None) -> Ticket:
    """Undo a merge: the ticket returns to its earlier state and assignments."""
    note = _text(note, "note", "撤销理由", required=False)

    def apply(t: Ticket) -> Result:
        merge_event = t.events.filter(action="merge").order_by("-seq").first()
        restored = merge_event.data.get("withdrawn", []) if merge_event else []
        Assignment.objects.filter(id__in=restored).update(active=True, state=Assignment.State.PENDING)
        back = t.resume_status or S.PENDING_DISPATCH
        if back == S.ACKNOWLEDGED:
            Assignment.objects.filter(id__in=restored, acknowledged_at__isnull=False).update(
                state=Assignment.State.ACKNOWLEDGED
            )
        for pk, state in (merge_event.data.get("withdrawn_states", {}) if merge_event else {}).items():
            Assignment.objects.filter(pk=int(pk), id__in=restored).update(state=state)
        parent_number = t.parent.number if t.parent else ""
        t.parent = None
        t.resume_status = ""
        fields = ["parent", "resume_status"]
        if back in (S.DISPATCHED, S.ACKNOWLEDGED):
            fields += clock_recompute(t)
        return back, fields, {"parent_number": parent_number, "restored": restored}

    return transition(ticket, by=by, action="unmerge", apply=apply, note=note, version=version)


def ticket_invalidate(*, ticket: Ticket, by: User, reason: str, version: int | None = None) -> Ticket:
    """Close as invalid (harassment, test call, silent call) with a reason."""
    reason = _text(reason, "reason", "无效原因")

    def apply(t: Ticket) -> Result:
        t.close_reason, t.closed_at = reason[:200], timezone.now()
        return S.INVALID, ["close_reason", "closed_at"], {}

    return transition(ticket, by=by, action="invalidate", apply=apply, note=reason, version=version)


def ticket_archive(*, ticket: Ticket | int, by: User | None, version: int | None = None) -> Ticket:
    """Archive a finished ticket."""
    return transition(ticket, by=by, action="archive", apply=lambda t: (S.ARCHIVED, [], {}), version=version)
