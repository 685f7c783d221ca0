"""Drop per-process caches of ticket reference data whenever their tables change."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hotline.accounts.models import Department
from hotline.tickets.models import Category, DeadlinePolicy


@receiver([post_save, post_delete], sender=DeadlinePolicy)
def _policies_changed(**kwargs: object) -> None:
    from hotline.tickets.services.deadlines import policies

    policies.invalidate()


@receiver([post_save, post_delete], sender=Department)
def _departments_changed(**kwargs: object) -> None:
    from hotline.tickets.reference import departments

    departments.invalidate()


@receiver([post_save, post_delete], sender=Category)
def _categories_changed(**kwargs: object) -> None:
    from hotline.tickets.reference import categories

    categories.invalidate()
