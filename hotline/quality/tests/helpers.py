"""Calls answered by an agent, and the default rubric's points."""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta
from itertools import count

from django.utils import timezone

from hotline.accounts.models import User
from hotline.callcenter.models import Agent, CallRecord
from hotline.quality.models import Rubric, SamplingPlan

_ids = count(1)


def agent_for(user: User, code: str) -> Agent:
    return Agent.objects.get_or_create(code=code, defaults={"name": str(user), "user": user})[0]


def call(code: str, at: datetime | None = None, talk_s: float = 120, ticket=None) -> CallRecord:
    at = at or timezone.now()
    return CallRecord.objects.create(
        call_id=f"qa-{next(_ids)}", hotline="12345", ani="13900000000", arrived_at=at, queued_at=at,
        answered_at=at + timedelta(seconds=5), ended_at=at + timedelta(seconds=5 + talk_s), agent_code=code,
        talk_s=talk_s, disposition="answered", ticket=ticket,
    )  # fmt: skip


def defaults() -> None:
    """The rubric and plans migration 0002 seeds (transactional browser tests flush seeded rows)."""
    from django.apps import apps

    module = importlib.import_module("hotline.quality.migrations.0002_default_rubric_and_plans")
    module.forwards(apps, None)


def rubric() -> Rubric:
    defaults()
    return Rubric.objects.get(name="话务与工单质检标准")


def plan(kind: str) -> SamplingPlan:
    defaults()
    return SamplingPlan.objects.get(kind=kind)


def full(r: Rubric, **less: int) -> dict[int, int]:
    """Every item at its weight, except the named ones (by item name) set to the given points."""
    return {i.pk: less.get(i.name, i.weight) for i in r.items.all()}
