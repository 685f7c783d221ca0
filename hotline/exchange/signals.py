"""Ticket events out to webhook subscribers, citizens' notices and the province pushes.

Subscriber changes drop the per-process subscriber cache.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hotline.exchange.models import WebhookSubscription
from hotline.tickets.models import TicketEvent


@receiver(post_save, sender=TicketEvent)
def _ticket_event(sender: Any, instance: TicketEvent, created: bool, **kwargs: Any) -> None:
    if created:
        from hotline.exchange.services.notices import ticket_event_noticed
        from hotline.exchange.services.province import ticket_event_pushed
        from hotline.exchange.services.webhooks import ticket_event_published

        ticket_event_published(instance)
        ticket_event_noticed(instance)
        ticket_event_pushed(instance)


@receiver([post_save, post_delete], sender=WebhookSubscription)
def _subscriptions_changed(**kwargs: Any) -> None:
    from hotline.exchange.services.webhooks import subscribers

    subscribers.invalidate()
