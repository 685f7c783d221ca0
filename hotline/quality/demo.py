"""Demo data for this app; called by `hotline demo` after tickets and calls exist.

The rubric and the plans come from migration 0002. This draws the random plan over the demo's calls
and tickets, scores a handful, files one dispute and one calibration session.
"""

from __future__ import annotations

import contextlib
import random
from datetime import timedelta

from django.utils import timezone

from hotline.accounts.models import User
from hotline.core.errors import ServiceError
from hotline.quality import services as svc
from hotline.quality.models import CalibrationSession, QualityCheck, SamplingPlan


def load_demo(*, seed: int = 12345) -> None:
    qa = User.objects.filter(username="qa").first()
    supervisor = User.objects.filter(username="supervisor").first()
    if qa is None or QualityCheck.objects.exists():
        return
    today = timezone.localdate()
    first = today - timedelta(days=30)
    r = random.Random(seed)
    drawn: list[QualityCheck] = []
    for kind in (SamplingPlan.Kind.RANDOM, SamplingPlan.Kind.REOPENED, SamplingPlan.Kind.COMPLAINTS):
        plan = SamplingPlan.objects.filter(kind=kind, is_active=True).first()
        if plan is None:
            continue
        if kind != SamplingPlan.Kind.RANDOM:
            plan.max_items = 4  # keep the demo small
        new, _ = svc.qa_sample(plan=plan, first=first, last=today, seed=seed)
        drawn += new
    checks = list(QualityCheck.objects.filter(pk__in=[c.pk for c in drawn if c.pk]).select_related("rubric"))
    if not checks:
        checks = list(QualityCheck.objects.select_related("rubric").order_by("pk"))
    # Inspect agent-linked items first, so the demo agent has results to see and dispute.
    checks.sort(key=lambda c: (c.agent_id is None, c.pk))
    done: list[QualityCheck] = []
    for n, check in enumerate(checks[:8]):
        items = list(check.rubric.items.all())
        points = {i.pk: i.weight for i in items}
        if n == 0 or r.random() < 0.3:  # a few lose points somewhere
            item = r.choice(items)
            points[item.pk] = 0 if n == 0 else r.choice([0, item.weight // 2])
        try:
            done.append(svc.qa_inspect(check=check, by=qa, points=points, notes={}, comment="演示评分"))
        except ServiceError:
            continue
    failed = next((c for c in done if not c.passed and c.agent_id), None)
    if failed is not None and failed.agent_id is not None:
        agent = User.objects.get(pk=failed.agent_id)
        with contextlib.suppress(ServiceError):
            svc.qa_dispute(check=failed, by=agent, reason="该项按热线百科最新条目答复，请复核录音。")
    if done and supervisor is not None and not CalibrationSession.objects.exists():
        session = svc.calibration_start(check=done[0], by=qa, name="本月校准会")
        items = list(done[0].rubric.items.all())
        svc.calibration_score(session=session, by=qa, points={i.pk: i.weight for i in items})
        svc.calibration_score(
            session=session,
            by=supervisor,
            points={i.pk: (i.weight if n else i.weight - 5) for n, i in enumerate(items)},
        )
