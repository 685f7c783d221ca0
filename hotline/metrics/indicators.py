"""The seed's quality-standard table (业务运行质量标准) as code: every indicator, its parts and its target.

Each definition here is mirrored, with the same words, in docs/kpi.md. The queries that compute
them live in `hotline.metrics.compute` (centre), `.departments` (成员单位办理质效) and `.calls`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from hotline.core.errors import InvalidInput

RATE = "%"
DAYS = "工作日"
PEOPLE = "%"
COUNT = "次"


@dataclass(frozen=True)
class Indicator:
    """One indicator of the table: what is counted above and below the line, and its seed target."""

    key: str
    name: str
    numerator: str
    denominator: str
    unit: str = RATE
    target: float | None = None
    comparison: str = ">="
    amber_margin: float = 0.02
    # Filters the indicator cannot honour (calls have no department, category or district).
    ignores: tuple[str, ...] = ()
    source: str = "工单"


_CALL_IGNORES = ("department", "category", "district")
_ALL_IGNORES = ("hotline", "department", "category", "district")

# The centre's indicators, in the seed table's order. Targets are the seed's; admins change them
# in 考核目标 (KpiTarget rows, seeded by migration 0002).
CENTRE: tuple[Indicator, ...] = (
    Indicator(
        "answer_rate",
        "接通率",
        "人工接听量",
        "转人工来电量（进入队列的来电，扣除秒挂）",
        target=0.95,
        ignores=_CALL_IGNORES,
        source="话单",
    ),
    Indicator(
        "service_level",
        "30秒接通率",
        "30 秒内人工接听量",
        "转人工来电量（进入队列的来电，扣除秒挂）",
        target=0.95,
        ignores=_CALL_IGNORES,
        source="话单",
    ),
    Indicator(
        "ontime_rate",
        "按时办结率",
        "期内答复且不晚于办结期限的工单数",
        "期内答复的派单工单数 + 期内到期、至期末仍未答复的在办工单数",
        target=1.0,
    ),
    Indicator(
        "satisfaction",
        "综合满意率",
        "期内办结、最终回访结果为满意或基本满意的工单数",
        "期内办结、最终回访结果为满意、基本满意或不满意的工单数",
        target=0.99,
        amber_margin=0.01,
    ),
    Indicator(
        "dispatch_accuracy",
        "派单准确率",
        "期内办结的派单工单中首次派发单位与最终办结单位一致的工单数",
        "期内办结的派单工单数",
        target=0.98,
        amber_margin=0.01,
    ),
    Indicator(
        "callback_rate",
        "漏接回拨率",
        "在回拨时限内首次回拨的漏接回拨任务数",
        "期内产生、已到回拨时限或已回拨的漏接回拨任务数",
        target=1.0,
        ignores=_CALL_IGNORES,
        source="回拨任务",
    ),
    Indicator(
        "visit_coverage",
        "回访覆盖率",
        "期内办结的派单工单中有回访结果（含未联系上）的工单数",
        "期内办结的派单工单数（不含诉求人明确不需回访的）",
        target=1.0,
    ),
    Indicator(
        "handling_days_consultation",
        "平均处理时长（咨询）",
        "咨询类工单受理至提交审核（直接答复的为答复）所经工作日之和",
        "期内提交审核或直接答复的咨询类工单数",
        unit=DAYS,
        target=2.0,
        comparison="<=",
        amber_margin=0.5,
    ),
    Indicator(
        "handling_days_other",
        "平均处理时长（非咨询）",
        "非咨询类工单受理至提交审核（直接答复的为答复）所经工作日之和",
        "期内提交审核或直接答复的非咨询类工单数",
        unit=DAYS,
        target=4.0,
        comparison="<=",
        amber_margin=0.5,
    ),
    Indicator(
        "citation_rate",
        "热线百科信息引用率",
        "期内受理且引用了热线百科的工单数",
        "期内受理的工单数（全部渠道与状态）",
        target=0.80,
        amber_margin=0.05,
    ),
    Indicator(
        "reopen_rate",
        "重办率",
        "期内办结的派单工单中重办过的工单数",
        "期内办结的派单工单数",
        comparison="<=",
    ),
    Indicator(
        "agent_satisfaction",
        "话务坐席接听评价满意率",
        "通话后评价为满意或基本满意的来电数",
        "期内有通话后评价的来电数",
        target=0.99,
        amber_margin=0.01,
        ignores=_CALL_IGNORES,
        source="话单",
    ),
    Indicator(
        "attrition",
        "人员流失率",
        "期末所在月应配置人数 − 实际人数",
        "期末所在月应配置人数（签约岗位）",
        unit=PEOPLE,
        target=0.02,
        comparison="<",
        amber_margin=0.01,
        ignores=_ALL_IGNORES,
        source="人员",
    ),
)

# From quality inspection and service complaints: computed in `hotline.metrics.quality_figures`.
QUALITY: tuple[Indicator, ...] = (
    Indicator(
        "qa_pass_rate",
        "业务解答及工单质量合格率",
        "质检合格样本量（期内完成质检且合格，经申诉仲裁的以仲裁结果为准）",
        "业务质检样本总量（期内完成质检的样本）",
        target=0.98,
        amber_margin=0.01,
        ignores=_ALL_IGNORES,
        source="质检",
    ),
    Indicator(
        "service_complaints",
        "话务服务投诉",
        "期内经核实属实的平台服务投诉次数（人事登记的服务投诉）",
        "计数指标（分母记为 1）；目标为全年上限",
        unit=COUNT,
        target=12,
        comparison="<=",
        amber_margin=0,
        ignores=_ALL_IGNORES,
        source="服务投诉",
    ),
)
CENTRE = CENTRE + QUALITY

# Targets without a computed indicator yet (none left).
PENDING: tuple[Indicator, ...] = ()

# 成员单位办理质效: per department that received the dispatch (the lead, first level).
DEPARTMENT: tuple[Indicator, ...] = (
    Indicator(
        "dept_ack_rate",
        "签收及时率",
        "期内收到的主办派单中在签收时限内签收的数量",
        "期内收到的主办派单中已签收或已过签收时限的数量",
    ),
    Indicator(
        "dept_ontime_rate",
        "按时办结率",
        "期内答复且不晚于办结期限的工单数",
        "期内答复的工单数 + 期内到期、至期末仍未答复的在办工单数",
        target=1.0,
    ),
    Indicator(
        "dept_return_rate",
        "退单率",
        "期内收到的主办派单中被同意退回的数量",
        "期内收到的主办派单数",
        comparison="<=",
    ),
    Indicator(
        "dept_satisfaction",
        "满意率",
        "期内办结、最终回访满意或基本满意的工单数",
        "期内办结、最终回访满意、基本满意或不满意的工单数",
        target=0.99,
        amber_margin=0.01,
    ),
    Indicator(
        "dept_reopen_rate",
        "重办率",
        "期内办结的工单中重办过的工单数",
        "期内由本单位办结的工单数",
        comparison="<=",
    ),
    Indicator(
        "dept_extension_rate",
        "延期率",
        "期内答复的工单中本单位申请延期并获同意的工单数",
        "期内由本单位答复的工单数",
        comparison="<=",
    ),
)

# The ranking's weights (综合得分): higher is better, so the "bad" rates count as 1 − rate.
RANK_WEIGHTS: dict[str, float] = {
    "dept_ack_rate": 0.15,
    "dept_ontime_rate": 0.30,
    "dept_satisfaction": 0.30,
    "dept_return_rate": 0.10,
    "dept_reopen_rate": 0.10,
    "dept_extension_rate": 0.05,
}
LOWER_IS_BETTER = frozenset({"dept_return_rate", "dept_reopen_rate", "dept_extension_rate"})

INDICATORS: dict[str, Indicator] = {i.key: i for i in (*CENTRE, *PENDING, *DEPARTMENT)}


@dataclass(frozen=True)
class Target:
    target: float | None
    comparison: str
    amber_margin: float


def targets() -> dict[str, Target]:
    """Each indicator's target: the admin's row where there is one, else the seed's default."""
    from hotline.metrics.models import KpiTarget

    out = {k: Target(i.target, i.comparison, i.amber_margin) for k, i in INDICATORS.items()}
    for row in KpiTarget.objects.all():
        if row.key in out:
            out[row.key] = Target(row.target, row.comparison, row.amber_margin)
    return out


def status(value: float | None, target: Target) -> str:
    """红黄绿: green meets the target, amber misses it by no more than the margin, red beyond."""
    if value is None or target.target is None:
        return "none"
    t, m = target.target, target.amber_margin
    if target.comparison == ">=":
        return "green" if value >= t else ("amber" if value >= t - m else "red")
    if target.comparison == "<=":
        return "green" if value <= t else ("amber" if value <= t + m else "red")
    return "green" if value < t else ("amber" if value < t + m else "red")


STATUS_LABELS = {"green": "达标", "amber": "临界", "red": "未达标", "none": "—"}


@dataclass
class Figure:
    """One computed indicator: its parts, its value and how it stands against its target."""

    key: str
    name: str
    numerator: float
    denominator: float
    value: float | None
    unit: str
    target: float | None
    comparison: str
    status: str
    numerator_label: str
    denominator_label: str
    note: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def value_display(self) -> str:
        return fmt(self.value, self.unit)

    @property
    def target_display(self) -> str:
        if self.target is None:
            return "—"
        return f"{dict(COMPARISON_SIGNS)[self.comparison]} {fmt(self.target, self.unit)}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


COMPARISON_SIGNS = ((">=", "≥"), ("<=", "≤"), ("<", "<"))


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == DAYS:
        return f"{value:.2f} 个工作日"
    if unit == COUNT:
        return f"{value:.0f} 次"
    return f"{value * 100:.2f}%"


def figure(ind: Indicator, num: float, den: float, tgt: Target, *, note: str = "") -> Figure:
    """An indicator's figure from its parts; the value is None when nothing was counted."""
    value = num / den if den else None
    return Figure(
        key=ind.key,
        name=ind.name,
        numerator=num,
        denominator=den,
        value=value,
        unit=ind.unit,
        target=tgt.target,
        comparison=tgt.comparison,
        status=status(value, tgt),
        numerator_label=ind.numerator,
        denominator_label=ind.denominator,
        note=note,
    )


# --- Period and filters ---------------------------------------------------------------------------

MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class Period:
    """Whole local days [first, last]; `start`/`end` are the aware instants [first 00:00, last+1 00:00)."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise InvalidInput("结束日期不能早于开始日期。", fields={"to": "早于开始日期"})
        if (self.last - self.first).days >= MAX_PERIOD_DAYS:
            raise InvalidInput(
                f"统计期间不能超过 {MAX_PERIOD_DAYS} 天。", fields={"to": f"超过 {MAX_PERIOD_DAYS} 天"}
            )

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    @classmethod
    def parse(cls, first: str, last: str) -> Period:
        """From two YYYY-MM-DD strings, with a Chinese message for each bad one."""
        errors: dict[str, str] = {}
        parsed: list[date] = []
        for name, raw in (("from", first), ("to", last)):
            try:
                parsed.append(date.fromisoformat((raw or "").strip()))
            except ValueError:
                errors[name] = "日期格式应为 YYYY-MM-DD"
        if errors:
            raise InvalidInput("请填写有效的统计期间（YYYY-MM-DD）。", fields=errors)
        return cls(parsed[0], parsed[1])


@dataclass(frozen=True)
class Filters:
    """What the board and `hotline kpi` narrow by: hotline number, department subtree, category subtree, district."""

    hotline: str = ""
    department_id: int | None = None
    department_path: str = ""
    category_id: int | None = None
    district_id: int | None = None
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def active(self) -> tuple[str, ...]:
        names = []
        if self.hotline:
            names.append("hotline")
        if self.department_id:
            names.append("department")
        if self.category_id:
            names.append("category")
        if self.district_id:
            names.append("district")
        return tuple(names)

    def ignored_by(self, ind: Indicator) -> str:
        """A note when the indicator cannot honour an active filter."""
        names = {"hotline": "热线", "department": "单位", "category": "分类", "district": "区县"}
        skipped = [names[n] for n in self.active if n in ind.ignores]
        return f"不按{'、'.join(skipped)}筛选" if skipped else ""


def filters_parse(
    *, hotline: str = "", department: str = "", category: str = "", district: str = ""
) -> Filters:
    """Filters from codes as typed (department/district code, category code); unknown codes are refused in Chinese."""
    from hotline.accounts.models import Department
    from hotline.tickets.models import Category, Ticket

    errors: dict[str, str] = {}
    labels: dict[str, str] = {}
    hotline = (hotline or "").strip()
    if hotline and hotline not in Ticket.Hotline.values:
        errors["hotline"] = "热线号码无效"
    elif hotline:
        labels["hotline"] = hotline
    dept = cat = dist = None
    if (department or "").strip():
        dept = Department.objects.filter(code=department.strip()).first()
        if dept is None:
            errors["department"] = "单位编码不存在"
        else:
            labels["department"] = dept.name
    if (category or "").strip():
        cat = Category.objects.filter(code=category.strip()).first()
        if cat is None:
            errors["category"] = "分类编码不存在"
        else:
            labels["category"] = cat.name
    if (district or "").strip():
        dist = Department.objects.filter(code=district.strip(), kind=Department.Kind.COUNTY).first()
        if dist is None:
            errors["district"] = "区县编码不存在"
        else:
            labels["district"] = dist.name
    if errors:
        raise InvalidInput("筛选条件有误：" + "；".join(errors.values()) + "。", fields=errors)
    return Filters(
        hotline=hotline,
        department_id=dept.pk if dept else None,
        department_path=dept.path if dept else "",
        category_id=cat.pk if cat else None,
        district_id=dist.pk if dist else None,
        labels=labels,
    )
