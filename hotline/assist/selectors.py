"""Reads of the assist app: the current dispatch model and its suggestions."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from hotline.assist.classifier import DispatchClassifier
from hotline.assist.services import MODEL_PREFIX, models_dir, ticket_text

log = logging.getLogger(__name__)

_lock = threading.Lock()
_cached: tuple[Path, float, DispatchClassifier] | None = None


def model_latest_path() -> Path | None:
    """The newest saved dispatch model file (versions sort by their timestamp names), if any."""
    folder = models_dir()
    if not folder.is_dir():
        return None
    paths = sorted(folder.glob(f"{MODEL_PREFIX}*.joblib"))
    return paths[-1] if paths else None


def model_latest() -> DispatchClassifier | None:
    """The newest dispatch model, loaded once per process and reloaded when a newer file appears."""
    global _cached
    path = model_latest_path()
    if path is None:
        return None
    mtime = path.stat().st_mtime
    with _lock:
        if _cached and _cached[0] == path and _cached[1] == mtime:
            return _cached[2]
        try:
            model = DispatchClassifier.load(path)
        except Exception:  # a broken file must not break intake: no suggestions instead
            log.exception("dispatch model %s could not be loaded", path)
            return None
        _cached = (path, mtime, model)
        return model


def dispatch_suggestions(*, title: str, content: str = "", k: int = 3) -> list[tuple[str, float]]:
    """Up to `k` (department code, probability) for a request; empty while no model has been trained."""
    model = model_latest()
    if model is None:
        return []
    return model.predict_top(ticket_text(title, content), k=k)
