"""The retry sweep the three outboxes share (citizen notices, province pushes, webhook deliveries)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils import timezone


def retry_due(model: type[models.Model], deliver: Callable[[int], Any], *, limit: int) -> int:
    """Try every pending row whose time has come, oldest first; the periodic safety net for lost
    schedules. `model` has `status` (with a PENDING choice) and `next_attempt_at`."""
    pending = model.Status.PENDING  # type: ignore[attr-defined]
    due = list(
        model._default_manager.filter(status=pending, next_attempt_at__lte=timezone.now())
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        deliver(pk)
    return len(due)
