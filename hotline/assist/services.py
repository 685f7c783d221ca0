"""Writes of the assist app: training dispatch models from closed tickets and storing them as versioned files."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from sklearn.model_selection import train_test_split

from hotline.assist.classifier import DispatchClassifier, Metrics
from hotline.tickets.models import Ticket

MODEL_PREFIX = "dispatch-"
# Done tickets whose completing department is final: returns and redispatches before it are corrections.
TRAINING_STATUSES = (Ticket.Status.PENDING_VISIT, Ticket.Status.CLOSED, Ticket.Status.ARCHIVED)
HOLDOUT_FRACTION = 0.2
HOLDOUT_MIN_TICKETS = 50


class TrainingError(Exception):
    """Not enough usable tickets to train a model."""


@dataclass(frozen=True)
class TrainResult:
    version: str
    path: Path
    tickets: int
    labels: int
    train_seconds: float
    holdout: Metrics | None


def models_dir() -> Path:
    return Path(settings.DATA_DIR) / "models"


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


def dispatch_model_train(*, seed: int = 0, min_tickets: int = 20, limit: int | None = None) -> TrainResult:
    """Train a dispatch model on done tickets, measure it on a held-out fifth, save it as a new version."""
    texts, labels = training_rows(limit=limit)
    counts = Counter(labels)
    if len(texts) < min_tickets or len(counts) < 2:
        raise TrainingError(
            f"可用于训练的已办结工单不足：{len(texts)} 张、{len(counts)} 个办结单位"
            f"（至少需要 {min_tickets} 张、2 个单位）。"
        )
    holdout = None
    if len(texts) >= HOLDOUT_MIN_TICKETS:
        stratify = labels if min(counts.values()) >= 2 else None
        tr_x, te_x, tr_y, te_y = train_test_split(
            texts, labels, test_size=HOLDOUT_FRACTION, random_state=seed, stratify=stratify
        )
        if len(set(tr_y)) >= 2:
            holdout = DispatchClassifier().fit(tr_x, tr_y, seed=seed).evaluate(te_x, te_y)

    started = time.perf_counter()
    model = DispatchClassifier().fit(texts, labels, seed=seed)
    seconds = time.perf_counter() - started

    version = timezone.now().strftime("%Y%m%d-%H%M%S")
    path = models_dir() / f"{MODEL_PREFIX}{version}.joblib"
    n = 1
    while path.exists():  # two trainings in one second
        n += 1
        path = models_dir() / f"{MODEL_PREFIX}{version}-{n}.joblib"
    model.save(path)
    version = path.stem.removeprefix(MODEL_PREFIX)
    meta = {
        "version": version,
        "tickets": len(texts),
        "labels": sorted(counts),
        "seed": seed,
        "train_seconds": round(seconds, 1),
        "holdout": asdict(holdout) if holdout else None,
        "created_at": timezone.now().isoformat(),
    }
    path.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return TrainResult(
        version=version,
        path=path,
        tickets=len(texts),
        labels=len(counts),
        train_seconds=seconds,
        holdout=holdout,
    )
