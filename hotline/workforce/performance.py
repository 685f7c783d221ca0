"""Monthly scorecards (绩效) and pay details (薪酬明细) from data.

Components, each scored 0–100 (None when there is nothing to score, and its weight then drops out):

- 接听量 calls answered: 100 × min(1, own ÷ the mean of everyone who answered calls that month);
- 平均处理时长 AHT = (talk incl. hold + after-call work) ÷ answered: 100 × min(1, mean AHT ÷ own);
- 质检 QA: mean inspection score (``quality.selectors.agent_scores``);
- 满意度 satisfaction: share of rated calls rated 满意 or 基本满意 (the post-call survey);
- 出勤 attendance: 100 − 5 per late arrival − 10 per early leave − 20 per absence (floor 0);
- 服务投诉 complaints: 100 − 25 per upheld complaint (floor 0).

Score = Σ weight × component ÷ Σ weight over the components present (weights: ``PayRule``).

Pay (``PayRule`` of the person's post, else the default row, else the model defaults): base; performance
= performance_max × score ÷ 100; night allowance per night shift worked; overtime on 法定节假日 =
hours × hourly rate × holiday_multiplier (×3 by default; hourly = base ÷ monthly_work_days ÷ 8); on
other rest days × restday_multiplier (0 by default: in shift work a rest-day shift is part of the
roster); absence deducts a day's pay (base ÷ monthly_work_days) per absent shift.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from hotline.workforce.attendance import AttendanceRow, agent_codes, attendance_month
from hotline.workforce.models import PayRule, ServiceComplaint

CENT = Decimal("0.01")
COMPONENTS = (
    ("calls", "接听量"),
    ("aht", "平均处理时长"),
    ("qa", "质检"),
    ("satisfaction", "满意度"),
    ("attendance", "出勤"),
    ("complaints", "服务投诉"),
)


@dataclass
class CallFigures:
    answered: int = 0
    talk_s: float = 0.0
    acw_s: float = 0.0
    rated: int = 0
    satisfied: int = 0  # 满意 + 基本满意

    @property
    def aht_s(self) -> float | None:
        return (self.talk_s + self.acw_s) / self.answered if self.answered else None

    @property
    def acw_avg_s(self) -> float | None:
        return self.acw_s / self.answered if self.answered else None


def score_components(
    *,
    calls: CallFigures | None,
    peer_calls: float | None,
    peer_aht: float | None,
    qa_mean: float | None,
    late: int,
    early: int,
    absent: int,
    shifts_due: int,
    complaints: int,
) -> dict[str, float | None]:
    """Each component 0–100, or None when there is nothing to score (pure)."""
    out: dict[str, float | None] = dict.fromkeys(k for k, _ in COMPONENTS)
    if calls is not None and peer_calls:
        out["calls"] = 100 * min(1.0, calls.answered / peer_calls)
    if calls is not None and calls.aht_s and peer_aht:
        out["aht"] = 100 * min(1.0, peer_aht / calls.aht_s)
    out["qa"] = qa_mean
    if calls is not None and calls.rated:
        out["satisfaction"] = 100 * calls.satisfied / calls.rated
    if shifts_due:
        out["attendance"] = max(0.0, 100 - 5 * late - 10 * early - 20 * absent)
    out["complaints"] = max(0.0, 100 - 25 * complaints)
    return out


def weighted_score(components: dict[str, float | None], weights: dict[str, int]) -> float:
    """Σ w × c ÷ Σ w over the components present (pure)."""
    present = [
        (weights.get(k, 0), v) for k, v in components.items() if v is not None and weights.get(k, 0) > 0
    ]
    total = sum(w for w, _ in present)
    return sum(w * v for w, v in present) / total if total else 0.0


def _money(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class PayLine:
    base: Decimal
    performance: Decimal
    night: Decimal
    holiday_ot: Decimal
    restday_ot: Decimal
    absence: Decimal

    @property
    def total(self) -> Decimal:
        return self.base + self.performance + self.night + self.holiday_ot + self.restday_ot - self.absence


def pay_for(
    rule: PayRule, *, score: float, nights: int, holiday_h: float, restday_h: float, absent: int
) -> PayLine:
    """One person's month of pay under ``rule`` (pure arithmetic on the rule's fields)."""
    # A rule saved around the admin's validation must not divide by zero: fall back to 21.75 days.
    work_days = (
        rule.monthly_work_days if rule.monthly_work_days and rule.monthly_work_days > 0 else Decimal("21.75")
    )
    day_pay = rule.base_monthly / work_days
    hourly = day_pay / 8
    return PayLine(
        base=_money(rule.base_monthly),
        performance=_money(rule.performance_max * Decimal(f"{score:.4f}") / 100),
        night=_money(rule.night_allowance * nights),
        holiday_ot=_money(hourly * Decimal(f"{holiday_h:.2f}") * rule.holiday_multiplier),
        restday_ot=_money(hourly * Decimal(f"{restday_h:.2f}") * rule.restday_multiplier),
        absence=_money(day_pay * absent),
    )


@dataclass
class Scorecard:
    attendance: AttendanceRow
    calls: CallFigures | None
    qa_inspected: int
    qa_mean: float | None
    complaints: int
    components: dict[str, float | None]
    score: float
    pay: PayLine
    rule: PayRule

    @property
    def staff(self):  # type: ignore[no-untyped-def]
        return self.attendance.staff


@dataclass
class ScoreReport:
    month: date
    cards: list[Scorecard] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    peer_calls: float | None = None
    peer_aht: float | None = None


def rules_by_post() -> tuple[PayRule, dict[int, PayRule]]:
    default = PayRule.objects.filter(post__isnull=True).first() or PayRule()
    return default, {r.post_id: r for r in PayRule.objects.filter(post__isnull=False) if r.post_id}


def weights_of(rule: PayRule) -> dict[str, int]:
    return {
        "calls": rule.w_calls,
        "aht": rule.w_aht,
        "qa": rule.w_qa,
        "satisfaction": rule.w_satisfaction,
        "attendance": rule.w_attendance,
        "complaints": rule.w_complaints,
    }


def call_figures(codes: set[str], first: date, last: date) -> dict[str, CallFigures]:
    """Answered calls, talk, after-call work and survey results per agent code in [first, last]."""
    from hotline.callcenter.kpis import state_seconds
    from hotline.callcenter.models import CallRecord, QueueLogEntry

    start = timezone.make_aware(datetime.combine(first, time(0)))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time(0)))
    out: dict[str, CallFigures] = defaultdict(CallFigures)
    rows = (
        CallRecord.objects.filter(arrived_at__gte=start, arrived_at__lt=end, agent_code__in=codes)
        .exclude(answered_at__isnull=True)
        .values("agent_code")
        .annotate(
            n=Count("id"),
            talk=Sum("talk_s"),
            rated=Count("id", filter=Q(survey__in=["1", "2", "3"])),
            good=Count("id", filter=Q(survey__in=["1", "2"])),
        )
    )
    for r in rows:
        f = out[r["agent_code"]]
        f.answered, f.talk_s, f.rated, f.satisfied = r["n"], float(r["talk"] or 0), r["rated"], r["good"]
    streams: dict[str, list[tuple[str, float, str]]] = defaultdict(list)
    for code, at, data in (
        QueueLogEntry.objects.filter(event="STATE", agent_code__in=codes, at__gte=start, at__lt=end)
        .order_by("at", "id")
        .values_list("agent_code", "at", "data")
    ):
        streams[code].append((code, at.timestamp(), str((data or {}).get("state", ""))))
    stop = min(end, timezone.now()).timestamp()
    for code, changes in streams.items():
        out[code].acw_s = state_seconds(changes, start=start.timestamp(), end=stop).get("acw", 0.0)
    return dict(out)


def scorecards(month: date, *, today: date | None = None) -> ScoreReport:
    """Everyone's scorecard and pay line for ``month``."""
    from hotline.quality.selectors import agent_scores

    sheet = attendance_month(month, today=today)
    first, last = sheet.days[0], sheet.days[-1]
    report = ScoreReport(sheet.month)
    staff = [r.staff for r in sheet.rows]
    codes = agent_codes(staff)
    figures = call_figures(set(codes.values()), first, last) if codes else {}
    answering = [f for f in figures.values() if f.answered]
    if answering:
        report.peer_calls = sum(f.answered for f in answering) / len(answering)
        ahts = [f.aht_s for f in answering if f.aht_s]
        report.peer_aht = sum(ahts) / len(ahts) if ahts else None
    else:
        report.notes.append("本月没有话单：接听量、处理时长和满意度不计分。")
    qa = agent_scores(first, last) or {}
    if not qa:
        report.notes.append("本月没有完成的质检：质检项不计分，权重按其余各项分摊。")
    complaints: dict[int, int] = defaultdict(int)
    for sid in ServiceComplaint.objects.filter(day__gte=first, day__lte=last, upheld=True).values_list(
        "staff_id", flat=True
    ):
        complaints[sid] += 1
    report.notes.append("服务投诉按人事登记的属实投诉计（系统无自动来源，未登记即为 0）。")
    default, per_post = rules_by_post()
    for row in sheet.rows:
        s = row.staff
        fig = figures.get(codes.get(s.pk, ""), None) if s.post.live_seat else None
        q = qa.get(s.user_id) if s.user_id else None
        rule = per_post.get(s.post_id, default)
        comps = score_components(
            calls=fig,
            peer_calls=report.peer_calls,
            peer_aht=report.peer_aht,
            qa_mean=q.mean_score if q else None,
            late=row.late,
            early=row.early,
            absent=row.absent,
            shifts_due=row.attended + row.absent,
            complaints=complaints[s.pk],
        )
        score = weighted_score(comps, weights_of(rule))
        pay = pay_for(
            rule,
            score=score,
            nights=row.nights,
            holiday_h=row.holiday_h,
            restday_h=row.restday_h,
            absent=row.absent,
        )
        report.cards.append(
            Scorecard(
                row,
                fig,
                q.inspected if q else 0,
                q.mean_score if q else None,
                complaints[s.pk],
                comps,
                score,
                pay,
                rule,
            )
        )
    return report
