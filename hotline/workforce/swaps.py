"""Shift swaps (换班): two people exchange what they work on one day of a roster.

An agent (or HR for them) asks; a supervisor or HR approves.  Both at asking and at approval the
new schedules are re-checked: skills, the on-boarding gate, night eligibility, approved leave and
the labour rules the roster was solved with — a refusal names the rule it would break.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from hotline.accounts.models import User
from hotline.core.errors import InvalidInput, NotAllowed
from hotline.workforce.models import LeaveRequest, Roster, RosterEntry, ShiftSwap, Staff
from hotline.workforce.roster import Shift
from hotline.workforce.rules import person_violations, rules_from
from hotline.workforce.services import HR_ROLES, _audit

SWAP_APPROVERS = HR_ROLES


def _shift(entry: RosterEntry) -> Shift:
    t = entry.shift
    return Shift(t.code, t.name, tuple((int(a), int(b)) for a, b in t.segments), night=t.night)


def swap_problems(*, roster: Roster, day: date, a: Staff, b: Staff) -> list[str]:
    """Why exchanging a's and b's shifts on ``day`` is not allowed (empty: allowed)."""
    from hotline.workforce.selectors import staff_cleared_ids

    entries = {
        (e.staff_id, e.day): e
        for e in RosterEntry.objects.filter(roster=roster, staff__in=[a, b]).select_related("shift")
    }
    ea, eb = entries.get((a.pk, day)), entries.get((b.pk, day))
    if ea is None and eb is None:
        return [f"{a.name} 和 {b.name} 在 {day:%m月%d日} 都没有排班，无需换班。"]
    if ea and eb and ea.shift_id == eb.shift_id and ea.queue == eb.queue:
        return [f"{a.name} 和 {b.name} 在 {day:%m月%d日} 的班次相同，无需换班。"]
    cleared = staff_cleared_ids()
    rules = rules_from(roster.rules)
    problems: list[str] = []
    for who, gets in ((a, eb), (b, ea)):
        if gets is None:
            continue
        if not who.employed_on(day):
            problems.append(f"{who.name} 在 {day:%m月%d日} 不在职。")
        if LeaveRequest.objects.filter(
            staff=who, state=LeaveRequest.State.APPROVED, start__lte=day, end__gte=day
        ).exists():
            problems.append(f"{who.name} 在 {day:%m月%d日} 已批准请假，违反「已批准的请假」。")
        if gets.queue:
            if gets.queue not in who.queues or not who.post.live_seat:
                problems.append(f"{who.name} 没有「{gets.queue}」队列的技能，不能顶 {gets.shift.name}。")
            elif who.pk not in cleared:
                problems.append(f"{who.name} 尚未通过上岗考核审核，不能上线接听。")
        if gets.shift.night and not who.night_ok:
            problems.append(f"{who.name} 不可上夜班。")
    for who, gets in ((a, eb), (b, ea)):
        mine = [(d, _shift(e)) for (pid, d), e in entries.items() if pid == who.pk]
        # A rule already broken before the swap (a hand-edited roster) is not this swap's fault.
        before = {key for key, _ in person_violations(who.name, mine, rules)}
        after = [(d, s) for d, s in mine if d != day] + ([(day, _shift(gets))] if gets else [])
        problems.extend(m for key, m in person_violations(who.name, after, rules) if key not in before)
    return problems


def swap_request(
    *, roster: Roster, day: date, requester: Staff, counterpart: Staff, reason: str, by: User
) -> ShiftSwap:
    """Ask to exchange shifts with a colleague on one day (换班申请)."""
    if by.role not in HR_ROLES and requester.user_id != by.pk:
        raise NotAllowed("只能为本人申请换班。")
    if roster.outcome not in ("ok", "short"):
        raise InvalidInput("该排班尚未计算完成，不能换班。", code="invalid_transition")
    if not roster.month <= day or (day.year, day.month) != (roster.month.year, roster.month.month):
        raise InvalidInput("换班日期须在该排班的月份内。", fields={"day": "换班日期须在该排班的月份内"})
    if day < timezone.localdate():
        raise InvalidInput("不能为已过去的日期换班。", fields={"day": "不能为已过去的日期换班"})
    if requester.pk == counterpart.pk:
        raise InvalidInput("请选择另一位同事。", fields={"counterpart": "请选择另一位同事"})
    if ShiftSwap.objects.filter(
        roster=roster, day=day, state=ShiftSwap.State.PENDING, requester__in=[requester, counterpart]
    ).exists():
        raise InvalidInput("当天已有待审批的换班申请。", code="conflict")
    problems = swap_problems(roster=roster, day=day, a=requester, b=counterpart)
    if problems:
        raise InvalidInput("不能换班：" + "；".join(problems), code="swap_breaks_rules")
    swap = ShiftSwap.objects.create(
        roster=roster,
        day=day,
        requester=requester,
        counterpart=counterpart,
        reason=reason.strip()[:200],
        created_by=by,
    )
    _audit(by, "swap_request", swap, day=day.isoformat(), counterpart=counterpart.employee_no)
    return swap


def swap_decide(*, swap: ShiftSwap, approve: bool, by: User, note: str = "") -> ShiftSwap:
    """Approve (the roster is updated) or reject a pending swap (审批换班); the rules are checked again."""
    if by.role not in SWAP_APPROVERS:
        raise NotAllowed("您的角色不能审批换班（须由主管或人事审批）。")
    with transaction.atomic():
        swap = (
            ShiftSwap.objects.select_for_update()
            .select_related("roster", "requester__post", "counterpart__post")
            .get(pk=swap.pk)
        )
        if swap.state != ShiftSwap.State.PENDING:
            raise InvalidInput(
                f"该换班申请{swap.get_state_display()}，不能再次审批。", code="invalid_transition"
            )
        swap.decided_by = by
        swap.decided_at = timezone.now()
        if not approve:
            swap.state = ShiftSwap.State.REJECTED
            swap.refusal = note.strip()[:300] or "审批未通过"
            swap.save(update_fields=["state", "refusal", "decided_by", "decided_at"])
            return swap
        problems = swap_problems(roster=swap.roster, day=swap.day, a=swap.requester, b=swap.counterpart)
        if problems:
            raise InvalidInput("排班已变化，现在不能换班：" + "；".join(problems), code="swap_breaks_rules")
        entries = list(
            RosterEntry.objects.select_for_update().filter(
                roster=swap.roster, day=swap.day, staff__in=[swap.requester, swap.counterpart]
            )
        )
        for e in entries:
            e.staff_id = swap.counterpart.pk if e.staff_id == swap.requester.pk else swap.requester.pk
        # Two steps, so the one-shift-a-day constraint never sees both rows on one person.
        RosterEntry.objects.filter(pk__in=[e.pk for e in entries]).delete()
        for e in entries:
            e.pk = None
        RosterEntry.objects.bulk_create(entries)
        swap.state = ShiftSwap.State.APPROVED
        swap.save(update_fields=["state", "decided_by", "decided_at"])
    _audit(by, "swap_approve", swap, day=swap.day.isoformat())
    return swap


def swap_cancel(*, swap: ShiftSwap, by: User) -> ShiftSwap:
    """The requester withdraws a pending swap."""
    if swap.requester.user_id != by.pk and by.role not in HR_ROLES:
        raise NotAllowed("只能撤回本人的换班申请。")
    with transaction.atomic():
        swap = ShiftSwap.objects.select_for_update().get(pk=swap.pk)
        if swap.state != ShiftSwap.State.PENDING:
            raise InvalidInput(f"该换班申请{swap.get_state_display()}，不能撤回。", code="invalid_transition")
        swap.state = ShiftSwap.State.CANCELLED
        swap.save(update_fields=["state"])
    return swap


def roster_for(day: date) -> Roster | None:
    """The roster that governs ``day``: the month's published one, else its latest solved draft."""
    month = day.replace(day=1)
    qs = Roster.objects.filter(month=month, outcome__in=["ok", "short"])
    return qs.filter(status=Roster.Status.PUBLISHED).first() or qs.order_by("-created_at").first()
