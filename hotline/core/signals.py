"""Drop the cached working-day calendar whenever its tables change."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hotline.core.models import CalendarDay, CalendarRule, CalendarYear


@receiver([post_save, post_delete], sender=CalendarDay)
@receiver([post_save, post_delete], sender=CalendarYear)
@receiver([post_save, post_delete], sender=CalendarRule)
def _calendar_changed(**kwargs: object) -> None:
    from hotline.core.calendar import calendar_invalidate

    calendar_invalidate()
