"""Attendance (考勤): clock-in/out from call-centre sign-in, manual entry, and the monthly sheet.

Phone posts: a rostered shift's clock-in is the agent's first state change out of 未签入 within
two hours before the shift start and the shift's end; the clock-out is their last 签出 up to four
hours after the shift end (the agent state log in ``callcenter.QueueLogEntry``, read only).  The
agent is found through the linked login account, else by the same 工号.  Non-phone posts (and
corrections) are entered by hand; a manual record is never overwritten by the sync.

Each rostered day is classified: 正常, 迟到 (clock-in after start + grace), 早退 (clock-out before
end − grace), 缺勤 (no clock-in by the end of the day), 请假 (approved leave), 未到 (still to come).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hotline.accounts.models import User
from hotline.core.errors import InvalidInput
from hotline.workforce.models import AttendanceRecord, LeaveRequest, Roster, RosterEntry, Staff
from hotline.workforce.profiles import month_days
from hotline.workforce.services import HR_ROLES, _audit, _require
from hotline.workforce.swaps import roster_for

EARLY_WINDOW = timedelta(hours=2)
LATE_WINDOW = timedelta(hours=4)
DEFAULT_GRACE_MIN = 5


def _at(day: date, minute: int) -> datetime:
    """An aware datetime ``minute`` minutes after local midnight of ``day`` (past 1440: the next day)."""
    return timezone.make_aware(datetime.combine(day, time(0)) + timedelta(minutes=minute))


def agent_codes(staff: list[Staff]) -> dict[int, str]:
    """Staff id → call-centre 工号: through the login account, else the same employee number."""
    from hotline.callcenter.models import Agent

    by_user = dict(Agent.objects.filter(user__isnull=False).values_list("user_id", "code"))
    codes = set(Agent.objects.values_list("code", flat=True))
    out: dict[int, str] = {}
    for s in staff:
        if s.user_id and s.user_id in by_user:
            out[s.pk] = by_user[s.user_id]
        elif s.employee_no in codes:
            out[s.pk] = s.employee_no
    return out


def attendance_sync(*, month: date, now: datetime | None = None) -> int:
    """Derive phone posts' clock-in/out for a month from sign-in/out (idempotent); returns rows written."""
    from hotline.callcenter.models import QueueLogEntry

    roster = roster_for(month)
    if roster is None:
        return 0
    now = now or timezone.now()
    entries = list(
        RosterEntry.objects.filter(roster=roster, staff__post__live_seat=True)
        .exclude(queue="")
        .select_related("shift", "staff")
    )
    codes = agent_codes(list({e.staff_id: e.staff for e in entries}.values()))
    if not codes:
        return 0
    days = month_days(roster.month)
    start, end = _at(days[0], 0) - EARLY_WINDOW, _at(days[-1], 36 * 60) + LATE_WINDOW
    changes: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for code, at, data in (
        QueueLogEntry.objects.filter(
            event="STATE", agent_code__in=set(codes.values()), at__gte=start, at__lt=end
        )
        .order_by("at", "id")
        .values_list("agent_code", "at", "data")
    ):
        changes[code].append((at, str((data or {}).get("state", ""))))
    stamps = {code: [at for at, _ in events] for code, events in changes.items()}
    manual = set(
        AttendanceRecord.objects.filter(day__in=days, source=AttendanceRecord.Source.MANUAL).values_list(
            "staff_id", "day"
        )
    )
    written = 0
    with transaction.atomic():
        for e in entries:
            agent = codes.get(e.staff_id)
            if agent is None or (e.staff_id, e.day) in manual:
                continue
            segs = e.shift.segments
            s_start, s_end = _at(e.day, int(segs[0][0])), _at(e.day, int(segs[-1][1]))
            if s_start - EARLY_WINDOW > now:
                continue
            times, events = stamps.get(agent, []), changes.get(agent, [])
            lo, mid = bisect_left(times, s_start - EARLY_WINDOW), bisect_left(times, s_end)
            clock_in = next((at for at, st in events[lo:mid] if st != "signed_out"), None)
            clock_out = None
            if clock_in is not None:
                hi = bisect_right(times, s_end + LATE_WINDOW)
                outs = [at for at, st in events[lo:hi] if at > clock_in and st == "signed_out"]
                clock_out = outs[-1] if outs else None
            if clock_in is None:
                AttendanceRecord.objects.filter(
                    staff_id=e.staff_id, day=e.day, source=AttendanceRecord.Source.PHONE
                ).delete()
                continue
            AttendanceRecord.objects.update_or_create(
                staff_id=e.staff_id,
                day=e.day,
                defaults={
                    "clock_in": clock_in,
                    "clock_out": clock_out,
                    "source": AttendanceRecord.Source.PHONE,
                },
            )
            written += 1
    return written


def _time(value: str | time | None, label: str, field_name: str) -> time | None:
    if value is None or value == "":
        return None
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"{label}格式应为 时:分，例如 08:05。", fields={field_name: f"{label}格式应为 时:分"}
        ) from None


def attendance_record(
    *, staff: Staff, day: date, clock_in: str | time | None, clock_out: str | time | None, note: str, by: User
) -> AttendanceRecord:
    """Enter or correct a day's attendance by hand (手工考勤); a clock-out before the clock-in is the next day."""
    _require(by, HR_ROLES, "登记考勤")
    t_in = _time(clock_in, "上班时间", "clock_in")
    t_out = _time(clock_out, "下班时间", "clock_out")
    if t_in is None and t_out is None:
        raise InvalidInput("请至少填写上班或下班时间。", fields={"clock_in": "请填写上班时间"})
    if day > timezone.localdate():
        raise InvalidInput("不能登记未来日期的考勤。", fields={"day": "不能登记未来日期的考勤"})
    if not staff.employed_on(day):
        raise InvalidInput(f"{staff.name} 在 {day} 不在职。", fields={"day": "该日期不在职"})
    at_in = timezone.make_aware(datetime.combine(day, t_in)) if t_in else None
    at_out = None
    if t_out is not None:
        at_out = timezone.make_aware(datetime.combine(day, t_out))
        if at_in is not None and at_out <= at_in:
            at_out += timedelta(days=1)  # a night shift ends the next morning
    record, _ = AttendanceRecord.objects.update_or_create(
        staff=staff,
        day=day,
        defaults={
            "clock_in": at_in,
            "clock_out": at_out,
            "source": AttendanceRecord.Source.MANUAL,
            "note": note.strip()[:200],
            "entered_by": by,
        },
    )
    _audit(by, "attendance_record", record, staff=staff.employee_no, day=day.isoformat())
    return record


# --- the monthly sheet --------------------------------------------------------------------------------


@dataclass
class DayCell:
    status: str  # ok, late, early, absent, leave, rest, future, extra (worked without a shift), off (not employed)
    label: str
    shift: str = ""
    late_min: int = 0
    night: bool = False
    holiday: bool = False
    worked_h: float = 0.0


@dataclass
class AttendanceRow:
    staff: Staff
    cells: list[DayCell]
    shifts: int = 0
    attended: int = 0
    late: int = 0
    late_min: int = 0
    early: int = 0
    absent: int = 0
    leave_days: int = 0
    nights: int = 0
    worked_h: float = 0.0
    holiday_h: float = 0.0
    restday_h: float = 0.0

    @property
    def rate(self) -> float | None:
        """Attendance rate: attended ÷ (rostered shifts that have happened, minus leave)."""
        due = self.attended + self.absent
        return self.attended / due if due else None


@dataclass
class AttendanceSheet:
    month: date
    days: list[date]
    roster: Roster | None
    rows: list[AttendanceRow] = field(default_factory=list)
    holidays: frozenset[date] = frozenset()
    rest_days: frozenset[date] = frozenset()


STATUS_LABELS = {
    "ok": "√",
    "late": "迟",
    "early": "早",
    "absent": "缺",
    "leave": "假",
    "rest": "休",
    "future": "·",
    "extra": "加",
    "off": "",
}


def attendance_month(
    month: date, *, today: date | None = None, grace_min: int = DEFAULT_GRACE_MIN
) -> AttendanceSheet:
    """Every person's month: rostered shift, clock-in/out, lateness, absence, leave, hours on holidays."""
    from hotline.core.calendar import get_calendar

    today = today or timezone.localdate()
    days = month_days(month)
    first, last = days[0], days[-1]
    cal = get_calendar()
    holidays = frozenset(d for d in days if d in cal.holidays)
    rest = frozenset(d for d in days if not cal.is_workday(d))
    roster = roster_for(first)
    sheet = AttendanceSheet(first, days, roster, holidays=holidays, rest_days=rest)
    staff = list(
        Staff.objects.select_related("post")
        .filter(hire_date__lte=last)
        .filter(Q(leave_date__isnull=True) | Q(leave_date__gt=first))
        .order_by("post__sort", "employee_no")
    )
    shifts: dict[tuple[int, date], RosterEntry] = {}
    if roster is not None:
        for e in RosterEntry.objects.filter(roster=roster).select_related("shift"):
            shifts[e.staff_id, e.day] = e
    records = {(r.staff_id, r.day): r for r in AttendanceRecord.objects.filter(day__gte=first, day__lte=last)}
    leave: set[tuple[int, date]] = set()
    for lr in LeaveRequest.objects.filter(state=LeaveRequest.State.APPROVED, start__lte=last, end__gte=first):
        d = max(lr.start, first)
        while d <= min(lr.end, last):
            leave.add((lr.staff_id, d))
            d += timedelta(days=1)
    for s in staff:
        row = AttendanceRow(s, [])
        for d in days:
            cell = _cell(
                s, d, shifts.get((s.pk, d)), records.get((s.pk, d)), (s.pk, d) in leave, today, grace_min
            )
            cell.holiday = d in holidays
            row.cells.append(cell)
            _tally(row, cell, d, holidays, rest)
        sheet.rows.append(row)
    return sheet


def _cell(
    s: Staff,
    d: date,
    entry: RosterEntry | None,
    rec: AttendanceRecord | None,
    on_leave: bool,
    today: date,
    grace: int,
) -> DayCell:
    if not s.employed_on(d):
        return DayCell("off", "")
    if on_leave:
        return DayCell("leave", "假")
    if entry is None:
        if rec is not None and rec.clock_in is not None:
            hours = _hours(rec)
            return DayCell("extra", "加", worked_h=hours)
        return DayCell("rest", "休")
    segs = entry.shift.segments
    start, end = _at(d, int(segs[0][0])), _at(d, int(segs[-1][1]))
    minutes = sum(int(b) - int(a) for a, b in segs)
    base = DayCell("ok", "√", shift=entry.shift.name, night=entry.shift.night)
    if rec is None or rec.clock_in is None:
        if d >= today:
            base.status, base.label = "future", "·"
        else:
            base.status, base.label = "absent", "缺"
        return base
    base.worked_h = minutes / 60
    late = int((rec.clock_in - start).total_seconds() // 60)
    if late > grace:
        base.status, base.label, base.late_min = "late", f"迟{late}", late
    elif rec.clock_out is not None and rec.clock_out < end - timedelta(minutes=grace):
        base.status, base.label = "early", "早"
    return base


def _hours(rec: AttendanceRecord) -> float:
    if rec.clock_in is None or rec.clock_out is None:
        return 0.0
    return round((rec.clock_out - rec.clock_in).total_seconds() / 3600, 1)


def _tally(
    row: AttendanceRow, cell: DayCell, d: date, holidays: frozenset[date], rest: frozenset[date]
) -> None:
    if cell.shift:
        row.shifts += 1
    if cell.status in ("ok", "late", "early"):
        row.attended += 1
        row.nights += int(cell.night)
    row.late += cell.status == "late"
    row.late_min += cell.late_min
    row.early += cell.status == "early"
    row.absent += cell.status == "absent"
    row.leave_days += cell.status == "leave"
    if cell.worked_h:
        row.worked_h += cell.worked_h
        if d in holidays:
            row.holiday_h += cell.worked_h
        elif d in rest:
            row.restday_h += cell.worked_h
