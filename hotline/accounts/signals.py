"""Forget cached tokens everywhere when a token or a user changes (revoked, deactivated, deleted)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hotline.accounts.models import ApiToken, User


@receiver([post_save, post_delete], sender=ApiToken)
@receiver([post_save, post_delete], sender=User)
def _tokens_changed(sender: object, update_fields: frozenset[str] | None = None, **kwargs: object) -> None:
    if sender is ApiToken and update_fields == frozenset({"last_used_at"}):
        return
    if sender is User and update_fields == frozenset({"last_login"}):
        return  # signing in changes nothing a token depends on
    from hotline.accounts.tokens import recent

    recent.invalidate()
