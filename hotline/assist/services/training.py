"""Training dispatch models from done tickets, recording each as a version, and choosing the active one."""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from hotline.assist.models import ModelVersion
from hotline.core.errors import InvalidInput, NotFound
from hotline.tickets.models import Ticket

if TYPE_CHECKING:  # the ML stack (numpy, scipy, scikit-learn) loads when a model is trained or used
    from hotline.assist.classifier import DispatchClassifier, Metrics

MODEL_PREFIX = "dispatch-"
CATEGORY_PREFIX = "category-"
# Done tickets whose completing department is final: returns and redispatches before it are corrections.
TRAINING_STATUSES = (Ticket.Status.PENDING_VISIT, Ticket.Status.CLOSED, Ticket.Status.ARCHIVED)
HOLDOUT_FRACTION = 0.2
HOLDOUT_MIN_TICKETS = 50
# From this many tickets on, the hold-out model (trained on 80 %) is the one saved.
# The category model learns from the newest tickets only: a city has hundreds of categories, and a
# one-vs-rest SVM costs one pass per class.
CATEGORY_MAX = 30_000
REUSE_HOLDOUT_MODEL_MIN = 20_000
# A scheduled model replaces the active one unless its hold-out macro-F1 is worse by more than this.
RETRAIN_TOLERANCE = 0.02

Progress = Callable[[str], None]


class TrainingError(InvalidInput):
    """Not enough usable tickets to train a model."""

    code = "not_enough_data"


@dataclass(frozen=True)
class TrainResult:
    version: str
    path: Path
    tickets: int
    labels: int
    train_seconds: float
    holdout: Metrics | None
    categories: int = 0
    active: bool = False


def models_dir() -> Path:
    return Path(settings.DATA_DIR) / "models"


def retrain_days() -> int:
    """Days between scheduled retrainings: settings.ASSIST_RETRAIN_DAYS or HOTLINE_ASSIST_RETRAIN_DAYS (7)."""
    value = getattr(settings, "ASSIST_RETRAIN_DAYS", None) or os.environ.get(
        "HOTLINE_ASSIST_RETRAIN_DAYS", "7"
    )
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 7


def ticket_text(title: str, content: str) -> str:
    """The text a dispatch model reads for a ticket: title, then content."""
    return f"{title}\n{content}".strip()


def training_rows(*, limit: int | None = None) -> tuple[list[str], list[str]]:
    """(texts, department codes) of done tickets that have a completing department, newest first."""
    rows = (
        Ticket.objects.filter(status__in=TRAINING_STATUSES, completing_department__isnull=False)
        .order_by("-closed_at", "-id")
        .values_list("title", "content", "completing_department__code")
    )
    if limit:
        rows = rows[:limit]
    texts, labels = [], []
    for title, content, code in rows.iterator(chunk_size=2000):
        texts.append(ticket_text(title, content))
        labels.append(code)
    return texts, labels


def category_rows(*, limit: int | None = None) -> tuple[list[str], list[str]]:
    """(texts, category codes) of every submitted ticket that has a category (set at intake, checked since)."""
    rows = (
        Ticket.objects.exclude(status=Ticket.Status.DRAFT)
        .filter(category__isnull=False)
        .order_by("-created_at", "-id")
        .values_list("title", "content", "category__code")
    )
    if limit:
        rows = rows[:limit]
    texts, labels = [], []
    for title, content, code in rows.iterator(chunk_size=2000):
        texts.append(ticket_text(title, content))
        labels.append(code)
    return texts, labels


def data_fingerprint() -> dict[str, object]:
    """How much training data there is now; a scheduled run with the same fingerprint has nothing to learn."""
    done = Ticket.objects.filter(status__in=TRAINING_STATUSES, completing_department__isnull=False)
    agg = done.aggregate(last=Max("closed_at"), last_id=Max("id"))
    last = agg["last"]
    return {
        "done": done.count(),
        "last_closed": last.isoformat() if last else "",
        "last_id": agg["last_id"] or 0,
    }


def _holdout(
    texts: list[str], labels: list[str], seed: int, progress: Progress
) -> tuple[Metrics | None, DispatchClassifier | None]:
    """Metrics of a model trained on 80 % and tested on the rest, and that model."""
    counts = Counter(labels)
    if len(texts) < HOLDOUT_MIN_TICKETS:
        progress(f"工单少于 {HOLDOUT_MIN_TICKETS} 张，跳过留出评测")
        return None, None
    stratify = labels if min(counts.values()) >= 2 else None
    from sklearn.model_selection import train_test_split

    from hotline.assist.classifier import DispatchClassifier

    tr_x, te_x, tr_y, te_y = train_test_split(
        texts, labels, test_size=HOLDOUT_FRACTION, random_state=seed, stratify=stratify
    )
    if len(set(tr_y)) < 2:
        return None, None
    progress(f"留出评测：在 {len(tr_x)} 张上训练，在 {len(te_x)} 张上评测…")
    model = DispatchClassifier().fit(tr_x, tr_y, seed=seed)
    metrics = model.evaluate(te_x, te_y)
    progress(
        f"留出评测：accuracy={metrics.accuracy:.3f} macro_f1={metrics.macro_f1:.3f} top3={metrics.top3:.3f}"
    )
    return metrics, model


def _new_version() -> str:
    base = timezone.now().strftime("%Y%m%d-%H%M%S")
    version, n = base, 1
    while (
        ModelVersion.objects.filter(version=version).exists()
        or (models_dir() / f"{MODEL_PREFIX}{version}.joblib").exists()
    ):
        n += 1
        version = f"{base}-{n}"
    return version


def dispatch_model_train(
    *,
    seed: int = 0,
    min_tickets: int = 20,
    limit: int | None = None,
    activate: bool | None = True,
    trigger: str = "manual",
    progress: Progress | None = None,
) -> TrainResult:
    """Train department and category models on the database, measure on a hold-out fifth, record a version.

    `activate`: True makes the new version active, False leaves the active one, None activates it unless
    its hold-out macro-F1 is worse than the active version's by more than RETRAIN_TOLERANCE.
    """
    say = progress or (lambda _msg: None)
    from hotline.assist.classifier import DispatchClassifier

    say("读取已办结工单…")
    fingerprint = data_fingerprint()
    texts, labels = training_rows(limit=limit)
    counts = Counter(labels)
    if len(texts) < min_tickets or len(counts) < 2:
        raise TrainingError(
            f"可用于训练的已办结工单不足：{len(texts)} 张、{len(counts)} 个办结单位"
            f"（至少需要 {min_tickets} 张、2 个单位）。"
        )
    say(f"{len(texts)} 张工单，{len(counts)} 个办结单位")
    started = time.perf_counter()
    holdout, holdout_model = _holdout(texts, labels, seed, say)
    if holdout_model is not None and len(texts) >= REUSE_HOLDOUT_MODEL_MIN:
        # At this size 80 % teaches as much as 100 %, and the recorded figures then describe exactly
        # the model that serves; a second fit would double the training time (3 minutes at 100 k).
        model = holdout_model
        say(f"工单已足够多（≥ {REUSE_HOLDOUT_MODEL_MIN}），直接使用经留出评测的模型")
    else:
        say(f"在全部 {len(texts)} 张工单上训练派单模型…")
        model = DispatchClassifier().fit(texts, labels, seed=seed)
    seconds = time.perf_counter() - started
    say(f"派单模型训练完成，用时 {seconds:.1f} 秒")

    cat_texts, cat_labels = category_rows(limit=min(limit or CATEGORY_MAX, CATEGORY_MAX))
    cat_model = None
    if len(cat_texts) >= min_tickets and len(set(cat_labels)) >= 2:
        say(f"训练分类模型：{len(cat_texts)} 张工单，{len(set(cat_labels))} 个分类…")
        cat_model = DispatchClassifier().fit(cat_texts, cat_labels, seed=seed)
    else:
        say("已分类的工单不足，本版本不含分类建议")

    version = _new_version()
    path = model.save(models_dir() / f"{MODEL_PREFIX}{version}.joblib")
    cat_path = cat_model.save(models_dir() / f"{CATEGORY_PREFIX}{version}.joblib") if cat_model else None
    say(f"已保存 {path}")
    record = ModelVersion.objects.create(
        version=version,
        training_size=len(texts),
        labels=len(counts),
        path=str(path),
        category_path=str(cat_path or ""),
        trigger=trigger,
        metrics={
            "holdout": asdict(holdout) if holdout else None,
            "train_seconds": round(seconds, 1),
            "seed": seed,
            "categories": len(set(cat_labels)) if cat_model else 0,
            "fingerprint": fingerprint,
        },
    )
    if activate is None:
        current = ModelVersion.objects.filter(active=True).first()
        old, new = (current.metric("macro_f1") if current else None), record.metric("macro_f1")
        activate = current is None or old is None or (new is not None and new >= old - RETRAIN_TOLERANCE)
        if not activate:
            say(f"新版本留出 macro-F1 {new} 低于启用版本 {old} 超过 {RETRAIN_TOLERANCE}，未启用")
    if activate:
        dispatch_model_activate(version=version)
        say(f"已启用版本 {version}")
    return TrainResult(
        version=version,
        path=path,
        tickets=len(texts),
        labels=len(counts),
        train_seconds=seconds,
        holdout=holdout,
        categories=len(set(cat_labels)) if cat_model else 0,
        active=bool(activate),
    )


@transaction.atomic
def dispatch_model_activate(*, version: str) -> ModelVersion:
    """Make `version` the model every process suggests with (rollback = activate an older version)."""
    # Lock every version row: two activations at once must not leave two active (the constraint refuses).
    rows = list(ModelVersion.objects.select_for_update().order_by("id"))
    target = next((r for r in rows if r.version == version), None)
    if target is None:
        raise NotFound(f"没有版本为 {version} 的模型。", fields={"version": "不存在"})
    if not Path(target.path).is_file():
        raise InvalidInput(f"模型 {version} 的文件已不存在，不能启用。", fields={"version": "文件缺失"})
    if target.active:
        return target
    ModelVersion.objects.filter(active=True).update(active=False)
    target.active = True
    target.activated_at = timezone.now()
    target.save(update_fields=["active", "activated_at"])
    return target


def dispatch_model_retrain_due(
    *, now: datetime | None = None, progress: Progress | None = None
) -> TrainResult | None:
    """Scheduled retraining: train when the last version is older than retrain_days() and data changed.

    Running it twice (or on two workers after one finished) trains once: the second run sees a fresh
    version, or the same data fingerprint.
    """
    current_time = now or timezone.now()
    last = ModelVersion.objects.order_by("-trained_at", "-id").first()
    if last is not None:
        if last.trained_at > current_time - timedelta(days=retrain_days()):
            return None
        if (last.metrics or {}).get("fingerprint") == data_fingerprint():
            return None
    try:
        return dispatch_model_train(activate=None, trigger="schedule", progress=progress)
    except TrainingError:
        return None
