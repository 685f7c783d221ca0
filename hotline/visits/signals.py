"""Visit tasks follow the ticket: a task when a review is approved, and visits/reopens taken elsewhere.

A change of the visit policy drops its per-process cache.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hotline.tickets.models import TicketEvent
from hotline.visits.models import VisitPolicy, policy_cache


@receiver(post_save, sender=TicketEvent)
def _ticket_event(sender: Any, instance: TicketEvent, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    if instance.action == "review_approve":
        from hotline.visits.services import visit_task_open

        # Inside the review's own transaction: the task exists exactly when the review does.
        visit_task_open(ticket=instance.ticket, at=instance.at)
    elif instance.action in ("visit", "reopen"):
        from hotline.visits.services import visit_task_sync

        visit_task_sync(instance)


@receiver([post_save, post_delete], sender=VisitPolicy)
def _policy_changed(**kwargs: Any) -> None:
    policy_cache.invalidate()
