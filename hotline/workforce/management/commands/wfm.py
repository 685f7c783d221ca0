"""`hotline wfm`: workforce tools on the command line (staffing with Erlang C or A)."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.core.erlang import ErlangInputError, agents_for_target


def _fmt_asa(value: float) -> str:
    return "inf" if math.isinf(value) else f"{value:.1f}"


class Command(BaseCommand):
    help = "排班与人力：按 Erlang C（或给出耐心时长时按 Erlang A）计算所需座席数。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        st = sub.add_parser(
            "staffing",
            help="Agents needed for a service-level target in one interval (Erlang C; Erlang A with --patience-s).",
        )
        st.add_argument("--calls", type=float, required=True, help="calls offered in the interval")
        st.add_argument("--interval-s", type=float, default=1800.0, help="interval length, seconds (1800)")
        st.add_argument("--aht-s", type=float, required=True, help="average handling time, seconds")
        st.add_argument("--target", type=float, default=0.95, help="service level target, 0..1 (0.95)")
        st.add_argument("--answer-s", type=float, default=30.0, help="answer-time threshold, seconds (30)")
        st.add_argument("--patience-s", type=float, default=None, help="mean caller patience → Erlang A")
        st.add_argument("--shrinkage", type=float, default=0.0, help="share of paid time off the phones")
        st.add_argument("--max-occupancy", type=float, default=1.0, help="occupancy cap, 0..1 (1.0)")

        fc = sub.add_parser("forecast", help="Half-hour call forecast for a hotline, with a backtest (WAPE).")
        fc.add_argument(
            "--hotline", default="12345", help="hotline number, or 'merged' for the merged hotlines"
        )
        fc.add_argument("--backtest", type=int, default=14, help="days held out for the backtest (14)")
        fc.add_argument("--days", type=int, default=7, help="days to forecast after today (7)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "forecast":
            self._forecast(opts)
        else:
            self._staffing(opts)

    def _forecast(self, opts: dict[str, Any]) -> None:
        from django.utils import timezone

        from hotline.workforce import demand, forecast

        if not 1 <= opts["backtest"] <= 60:
            raise CommandError("回测天数应在 1–60 之间。")
        if not 1 <= opts["days"] <= 62:
            raise CommandError("预测天数应在 1–62 之间。")
        hotlines = demand.QUEUE_HOTLINES.get(opts["hotline"], [opts["hotline"]])
        today = timezone.localdate()
        hist = demand.history(hotlines, end=today)
        kind = demand.day_kind()
        try:
            bt = forecast.backtest(hist, kind, holdout=opts["backtest"])
            model = forecast.fit(hist, kind)
        except forecast.ForecastInputError as exc:
            raise CommandError(f"{'、'.join(hotlines)}：{exc}") from exc
        self.stdout.write(f"热线 {'、'.join(hotlines)}；历史 {len(hist)} 天（{min(hist)} 至 {max(hist)}）")
        for day, actual, pred in bt.daily():
            label = forecast.KIND_LABELS.get(kind(day), "")
            self.stdout.write(f"  回测 {day} {label:<5} 实际 {actual:8.0f}  预测 {pred:8.0f}")
        days = forecast.horizon(today + timedelta(days=1), opts["days"])
        for day, row in forecast.forecast(model, days, kind).items():
            label = forecast.KIND_LABELS.get(kind(day), "")
            self.stdout.write(f"  预测 {day} {label:<5} {sum(row):8.0f}  峰值半小时 {max(row):6.0f}")
        self.stdout.write(
            f"wape={bt.wape:.4f} daily_wape={bt.daily_wape:.4f} train_days={bt.train_days} test_days={len(bt.test_days)}"
        )

    def _staffing(self, opts: dict[str, Any]) -> None:
        if opts["calls"] <= 0:
            raise CommandError(f"来电量必须大于 0（收到 {opts['calls']:g}）。")
        try:
            result = agents_for_target(
                opts["calls"],
                opts["interval_s"],
                opts["aht_s"],
                opts["target"],
                opts["answer_s"],
                patience_s=opts["patience_s"],
                shrinkage=opts["shrinkage"],
                max_occupancy=opts["max_occupancy"],
            )
        except ErlangInputError as exc:
            raise CommandError(exc.message) from exc
        m = result.metrics
        model = (
            "Erlang C" if result.model == "erlang_c" else f"Erlang A（平均耐心 {opts['patience_s']:g} 秒）"
        )
        self.stdout.write(
            f"模型 {model}；话务量 {result.traffic_erlangs:.2f} Erl；"
            f"目标 {opts['target']:.0%} 在 {opts['answer_s']:g} 秒内接通"
        )
        self.stdout.write(
            f"所需在线座席 {result.agents}；达到服务水平 {m.sl:.2%}，平均应答等待 {_fmt_asa(m.asa_s)} 秒，"
            f"需排队概率 {m.p_wait:.1%}，占用率 {m.occupancy:.1%}"
            + (f"，放弃率 {m.abandon:.2%}" if result.model == "erlang_a" else "")
        )
        extra = ""
        if result.model == "erlang_a":
            extra += f" abandon={m.abandon:.4f}"
        if opts["shrinkage"] > 0:
            self.stdout.write(f"计入缺勤率 {opts['shrinkage']:.0%} 后应排班 {result.scheduled} 人")
            extra += f" scheduled={result.scheduled}"
        self.stdout.write(
            f"agents={result.agents} sl={m.sl:.4f} asa_s={_fmt_asa(m.asa_s)} occupancy={m.occupancy:.3f}{extra}"
        )
