"""`hotline assist`: dispatch-suggestion models.

    hotline assist train [--seed N] [--no-activate]       # from done tickets in the database, a new version
    hotline assist models                                 # versions with their hold-out figures
    hotline assist activate VERSION                       # make a version active (rollback)
    hotline assist retrain-due                            # what the weekly job runs (idempotent)
    hotline assist hotspots [--alert]                     # current hotspots; --alert records spikes
    hotline assist evaluate --train A.csv --test B.csv    # fresh model on A, measured on B
    hotline assist evaluate --train A.csv --cv 5          # stratified 5-fold cross-validation of A

CSV files have the columns `text,label` (UTF-8, a BOM is fine). The last line of `evaluate` is
always `accuracy=… macro_f1=… top3=… train_s=… p95_ms=…`.
"""

from __future__ import annotations

import csv
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from sklearn.model_selection import StratifiedKFold

from hotline.assist.classifier import DispatchClassifier, Metrics, iter_pairs, metrics_compute

REQUIRED_COLUMNS = ("text", "label")


def read_pairs(path: str) -> tuple[list[str], list[str]]:
    """(texts, labels) from a `text,label` CSV, or a CommandError that says what is wrong."""
    csv.field_size_limit(sys.maxsize)
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            columns = [c.strip() for c in reader.fieldnames or []]
            missing = [c for c in REQUIRED_COLUMNS if c not in columns]
            if missing:
                raise CommandError(
                    f"{path}: 缺少列 {', '.join(missing)}（需要 text,label 两列，现有列：{', '.join(columns) or '无'}）"
                )
            reader.fieldnames = columns
            texts, labels = iter_pairs(reader)
    except FileNotFoundError:
        raise CommandError(f"{path}: 文件不存在") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: 不是 UTF-8 编码的 CSV 文件") from None
    except csv.Error as exc:
        raise CommandError(f"{path}: CSV 格式错误：{exc}") from None
    if not texts:
        raise CommandError(f"{path}: 没有同时含 text 和 label 的数据行")
    return texts, labels


def p95(values: Sequence[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


class Command(BaseCommand):
    help = "派单建议模型：train 用已办结工单训练新版本；evaluate 用 text,label CSV 训练并评测。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="从数据库中已办结工单训练并保存新版本模型")
        train.add_argument("--seed", type=int, default=0)
        train.add_argument("--min-tickets", type=int, default=20)
        train.add_argument("--limit", type=int, default=None, help="只用最新的 N 张工单")
        train.add_argument("--no-activate", action="store_true", help="只登记新版本，不启用")
        sub.add_parser("models", help="列出模型版本及其留出评测指标")
        activate = sub.add_parser("activate", help="启用指定版本（回滚）")
        activate.add_argument("version")
        sub.add_parser("retrain-due", help="按计划重训（到期且有新数据时才训练）")
        hot = sub.add_parser("hotspots", help="近 7 天热点；--alert 记录激增预警")
        hot.add_argument("--alert", action="store_true")
        evaluate = sub.add_parser(
            "evaluate", help="在 TRAIN 上训练新模型，在 TEST 上评测（或 --cv K 交叉验证）"
        )
        evaluate.add_argument("--train", required=True, help="训练集 CSV（text,label）")
        evaluate.add_argument("--test", help="测试集 CSV（text,label）")
        evaluate.add_argument("--cv", type=int, default=0, help="对 --train 做 K 折分层交叉验证")
        evaluate.add_argument("--seed", type=int, default=0)

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action == "train":
            self.train(opts)
        elif action == "models":
            self.models()
        elif action == "activate":
            self.activate(opts["version"])
        elif action == "retrain-due":
            self.retrain_due()
        elif action == "hotspots":
            self.hotspots(opts["alert"])
        else:
            self.evaluate(opts)

    def progress(self, message: str) -> None:
        self.stderr.write(f"[{time.strftime('%H:%M:%S')}] {message}")
        self.stderr.flush()

    def models(self) -> None:
        from hotline.assist.models import ModelVersion

        rows = list(ModelVersion.objects.all()[:50])
        if not rows:
            self.stdout.write("还没有模型版本：先运行 hotline assist train。")
        for r in rows:
            f1, top3 = r.metric("macro_f1"), r.metric("top3")
            figures = (
                f"macro_f1={f1:.3f} top3={top3:.3f}" if f1 is not None and top3 is not None else "无留出评测"
            )
            mark = "*" if r.active else " "
            self.stdout.write(
                f"{mark} {r.version}  {r.trained_at:%Y-%m-%d %H:%M}  {r.training_size} 张  {r.labels} 个单位  {figures}  {r.trigger}"
            )

    def activate(self, version: str) -> None:
        from hotline.assist.services import dispatch_model_activate
        from hotline.core.errors import ServiceError

        try:
            row = dispatch_model_activate(version=version)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"已启用模型版本 {row.version}")

    def retrain_due(self) -> None:
        from hotline.assist.services import dispatch_model_retrain_due

        result = dispatch_model_retrain_due(progress=self.progress)
        if result is None:
            self.stdout.write("未到重训时间或没有新的已办结工单，未训练。")
        else:
            self.stdout.write(f"新版本 {result.version}{'，已启用' if result.active else '，未启用'}")

    def hotspots(self, alert: bool) -> None:
        from hotline.assist.services import hotspots_current, hotspots_detect

        for h in hotspots_current()[:20]:
            self.stdout.write(f"{h.count:4d}  前期 {h.previous:3d}  ×{h.growth:.1f}  {h.label}")
        if alert:
            created = hotspots_detect()
            self.stdout.write(f"新增热点预警 {len(created)} 条")

    # --- train ---------------------------------------------------------------------------------

    def train(self, opts: dict[str, Any]) -> None:
        from hotline.assist.services import TrainingError, dispatch_model_train

        try:
            result = dispatch_model_train(
                seed=opts["seed"],
                min_tickets=opts["min_tickets"],
                limit=opts["limit"],
                activate=not opts["no_activate"],
                progress=self.progress,
            )
        except TrainingError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"模型 {result.version}：{result.tickets} 张工单，{result.labels} 个办结单位，"
            f"训练 {result.train_seconds:.1f} 秒，已保存到 {result.path}"
        )
        if result.holdout:
            self.stdout.write(f"留出 20% 评测：{self.figures(result.holdout)}")
        self.stdout.write("已启用" if result.active else "未启用（hotline assist activate 版本号 可启用）")

    # --- evaluate ------------------------------------------------------------------------------

    def evaluate(self, opts: dict[str, Any]) -> None:
        seed = opts["seed"]
        texts, labels = read_pairs(opts["train"])
        if opts["cv"]:
            if opts["test"]:
                raise CommandError("--cv 与 --test 只能选一个")
            self.cross_validate(texts, labels, folds=opts["cv"], seed=seed)
            return
        if not opts["test"]:
            raise CommandError("需要 --test TEST.csv，或 --cv K 对训练集做交叉验证")
        test_texts, test_labels = read_pairs(opts["test"])
        self.stdout.write(f"训练集 {len(texts)} 条、{len(set(labels))} 个标签；测试集 {len(test_texts)} 条")
        model, seconds = self.fit(texts, labels, seed)
        metrics, latencies = self.measure(model, test_texts, test_labels)
        self.report(metrics, seconds, latencies, per_label=(test_labels, model, test_texts))

    def cross_validate(self, texts: list[str], labels: list[str], *, folds: int, seed: int) -> None:
        counts = {label: labels.count(label) for label in set(labels)}
        if folds < 2:
            raise CommandError("--cv 至少为 2")
        if min(counts.values()) < folds:
            rare = ", ".join(sorted(label for label, n in counts.items() if n < folds))
            raise CommandError(f"标签 {rare} 的样本少于 {folds} 条，无法做 {folds} 折交叉验证")
        self.stdout.write(f"{len(texts)} 条、{len(counts)} 个标签，{folds} 折分层交叉验证（seed={seed}）")
        results: list[Metrics] = []
        train_times: list[float] = []
        all_latencies: list[float] = []
        splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
        for i, (tr, te) in enumerate(splitter.split(texts, labels), start=1):
            model, seconds = self.fit([texts[j] for j in tr], [labels[j] for j in tr], seed)
            metrics, latencies = self.measure(model, [texts[j] for j in te], [labels[j] for j in te])
            self.stdout.write(f"  第 {i} 折：{self.figures(metrics)} train_s={seconds:.1f}")
            results.append(metrics)
            train_times.append(seconds)
            all_latencies.extend(latencies)
        mean = Metrics(
            accuracy=statistics.fmean(m.accuracy for m in results),
            macro_f1=statistics.fmean(m.macro_f1 for m in results),
            top3=statistics.fmean(m.top3 for m in results),
            n=sum(m.n for m in results),
        )
        self.report(mean, statistics.fmean(train_times), all_latencies)

    def fit(self, texts: list[str], labels: list[str], seed: int) -> tuple[DispatchClassifier, float]:
        if len(set(labels)) < 2:
            raise CommandError("训练集至少需要 2 个不同的标签")
        started = time.perf_counter()
        model = DispatchClassifier().fit(texts, labels, seed=seed)
        return model, time.perf_counter() - started

    def measure(
        self, model: DispatchClassifier, texts: list[str], labels: list[str]
    ) -> tuple[Metrics, list[float]]:
        """Metrics of one-at-a-time suggestions (as the agent desk asks), with each one's latency in ms."""
        ranked: list[list[str]] = []
        latencies: list[float] = []
        for text in texts:
            started = time.perf_counter()
            top = model.predict_top(text, k=3)
            latencies.append((time.perf_counter() - started) * 1000)
            ranked.append([label for label, _ in top])
        return metrics_compute(labels, ranked), latencies

    @staticmethod
    def figures(m: Metrics) -> str:
        return f"accuracy={m.accuracy:.3f} macro_f1={m.macro_f1:.3f} top3={m.top3:.3f}"

    def report(
        self,
        metrics: Metrics,
        train_seconds: float,
        latencies: list[float],
        per_label: tuple[list[str], DispatchClassifier, list[str]] | None = None,
    ) -> None:
        if per_label:
            from sklearn.metrics import classification_report

            labels, model, texts = per_label
            predicted = [top[0][0] if top else "" for top in model.predict_top_many(texts, 1)]
            self.stdout.write(classification_report(labels, predicted, digits=3, zero_division=0))
        self.stdout.write(f"准确率 accuracy        {metrics.accuracy:.3f}")
        self.stdout.write(f"宏平均 F1 macro-F1     {metrics.macro_f1:.3f}")
        self.stdout.write(f"前三命中 top-3         {metrics.top3:.3f}")
        self.stdout.write(f"训练耗时 train         {train_seconds:.1f} s")
        self.stdout.write(f"预测 p95               {p95(latencies):.1f} ms（{len(latencies)} 次单条预测）")
        self.stdout.write(f"{self.figures(metrics)} train_s={train_seconds:.1f} p95_ms={p95(latencies):.1f}")
