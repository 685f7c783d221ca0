"""`hotline callcenter simulate`: run the ACD engine on simulated traffic and print the figures."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.callcenter.engine.simulate import SimParams, Simulator

MAX_CALLS = 20_000_000  # a bound on one run (about 17 years of the city's traffic)


class Command(BaseCommand):
    help = "呼叫中心：模拟话务（simulate）。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sim = sub.add_parser(
            "simulate",
            help="离散事件模拟：泊松来电、指数处理时长和耐心时长，经真实 ACD 引擎排队分配。",
        )
        sim.add_argument("--calls-per-hour", type=float, required=True, help="每小时来电量")
        sim.add_argument("--aht", type=float, required=True, help="平均处理时长（秒）")
        sim.add_argument("--agents", type=int, required=True, help="座席数")
        sim.add_argument("--patience", type=float, default=0.0, help="平均耐心时长（秒），0 表示不放弃")
        sim.add_argument("--hours", type=float, default=1.0, help="模拟时长（小时）")
        sim.add_argument("--seed", type=int, default=12345)
        sim.add_argument("--wrapup", type=float, default=0.0, help="其中话后处理时长（秒）")
        sim.add_argument("--answer-s", type=float, default=30.0, help="服务水平时限（秒）")
        floor = sub.add_parser(
            "floor",
            help="演示话务现场：按真实时间运行引擎，模拟来电和座席，发布实时监控数据，执行软电话操作。",
        )
        floor.add_argument("--minutes", type=float, default=60.0, help="运行时长（分钟，最长 24 小时）")
        floor.add_argument("--calls-per-hour", type=float, default=600.0, help="每小时来电量")
        floor.add_argument("--agents", type=int, default=30, help="模拟座席数（已绑定账号的话务员由人操作）")
        floor.add_argument("--aht", type=float, default=120.0, help="模拟座席平均通话时长（秒）")
        floor.add_argument("--seed", type=int, default=12345)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "floor":
            self._floor(opts)
            return
        params = self._params(opts)
        result = Simulator(params).run()
        self.stdout.write(
            f"模拟 {params.hours:g} 小时：每小时 {params.calls_per_hour:g} 通，平均处理 {params.aht_s:g} 秒，"
            f"{params.agents} 个座席，平均耐心 {params.patience_s:g} 秒（0 为不放弃），随机种子 {params.seed}。"
        )
        self.stdout.write(
            f"呼入 {result.offered}，接通 {result.answered}，放弃 {result.abandoned}，"
            f"{params.answer_s:g} 秒接通率 {result.sl:.2%}，平均应答 {result.asa_s:.1f} 秒。"
        )
        self.stdout.write(result.line())

    def _floor(self, opts: dict[str, Any]) -> None:
        from hotline.callcenter.floor import floor_run
        from hotline.callcenter.models import Hotline

        minutes, cph, agents = opts["minutes"], opts["calls_per_hour"], opts["agents"]
        if not 0 < minutes <= 24 * 60:
            raise CommandError("--minutes 必须在 0 到 1440 之间。")
        if not 0 < cph <= 100_000:
            raise CommandError("--calls-per-hour 必须在 0 到 100000 之间。")
        if not 1 <= agents <= 1000 or not opts["aht"] > 0:
            raise CommandError("--agents 必须在 1 到 1000 之间，--aht 必须大于 0。")
        if not Hotline.objects.filter(is_active=True).exists():
            raise CommandError("还没有配置热线号码：请先运行 hotline demo，或在系统管理中配置。")
        self.stdout.write(
            f"演示话务现场运行 {minutes:g} 分钟：每小时 {cph:g} 通来电，{agents} 个模拟座席。按 Ctrl+C 结束。"
        )
        try:
            floor = floor_run(
                seconds=minutes * 60, calls_per_hour=cph, staffed=agents, seed=opts["seed"], aht_s=opts["aht"]
            )
        except KeyboardInterrupt:
            self.stdout.write("已停止。")
            return
        snap = floor.engine.snapshot()
        self.stdout.write(
            f"结束：共 {floor.n} 通来电，在线呼叫 {snap['calls']}，异常事件 {floor.engine.anomaly_count}。"
        )

    def _params(self, opts: dict[str, Any]) -> SimParams:
        cph, aht, agents = opts["calls_per_hour"], opts["aht"], opts["agents"]
        patience, hours, wrapup = opts["patience"], opts["hours"], opts["wrapup"]
        if not cph > 0:
            raise CommandError("--calls-per-hour 必须大于 0。")
        if not aht > 0:
            raise CommandError("--aht 必须大于 0（秒）。")
        if agents < 1 or agents > 10_000:
            raise CommandError("--agents 必须在 1 到 10000 之间。")
        if not patience >= 0:
            raise CommandError("--patience 不能为负数（0 表示不放弃）。")
        if not hours > 0:
            raise CommandError("--hours 必须大于 0。")
        if not 0 <= wrapup < aht:
            raise CommandError("--wrapup 必须不小于 0 且小于 --aht。")
        if cph * hours > MAX_CALLS:
            raise CommandError(f"来电总量 {cph * hours:.0f} 超过单次模拟上限 {MAX_CALLS}，请缩短 --hours。")
        return SimParams(
            calls_per_hour=cph, aht_s=aht, agents=agents, patience_s=patience, hours=hours,
            seed=opts["seed"], wrapup_s=wrapup, answer_s=opts["answer_s"],
        )  # fmt: skip
