"""`hotline qa sample --from YYYY-MM-DD --to YYYY-MM-DD [--plan NAME|ID] [--seed N]`: draw inspection items;
`hotline qa rate --from … --to …`: the pass rate, per agent."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.core.errors import ServiceError
from hotline.quality import selectors as sel
from hotline.quality.models import SamplingPlan
from hotline.quality.services import qa_sample


def _day(raw: str, name: str) -> date:
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        raise CommandError(f"--{name} 日期格式应为 YYYY-MM-DD（收到：{raw!r}）。") from None


class Command(BaseCommand):
    help = "质检：按抽检方案抽取样本（sample），或统计合格率（rate）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name in ("sample", "rate"):
            p = sub.add_parser(name)
            p.add_argument("--from", dest="first", required=True)
            p.add_argument("--to", dest="last", required=True)
            if name == "sample":
                p.add_argument("--plan", default="", help="方案名称或编号（默认：全部启用的方案）")
                p.add_argument("--seed", type=int, default=None, help="随机种子（默认由方案和期间决定）")

    def handle(self, *args: Any, **opts: Any) -> None:
        first, last = _day(opts["first"], "from"), _day(opts["last"], "to")
        if opts["action"] == "rate":
            ok, n = sel.pass_parts(first, last)
            self.stdout.write(
                f"业务解答及工单质量合格率 {first}–{last}：{ok}/{n} = {ok / n:.2%}"
                if n
                else "期间内没有完成的质检。"
            )
            for r in sel.pass_rate_by_agent(first, last):
                self.stdout.write(
                    f"  {r['agent']}\t质检 {r['inspected']}\t合格 {r['passed']}\t{r['rate']:.1%}\t均分 {r['mean']}"
                )
            return
        plans = SamplingPlan.objects.filter(is_active=True).select_related("rubric").order_by("pk")
        key = opts["plan"].strip()
        if key:
            plans = plans.filter(pk=int(key)) if key.isdecimal() else plans.filter(name=key)
            if not plans.exists():
                raise CommandError(f"没有启用的抽检方案“{key}”。")
        for plan in plans:
            try:
                new, population = qa_sample(plan=plan, first=first, last=last, seed=opts["seed"])
            except ServiceError as exc:
                raise CommandError(exc.message) from None
            self.stdout.write(f"{plan.name}：可抽 {population} 条，新抽取 {len(new)} 条")
