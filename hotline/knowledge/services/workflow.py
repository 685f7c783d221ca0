"""Workflow actions on an article, automatic expiry and the reminders before it; one audit event each."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from hotline.accounts.models import Role, User
from hotline.core.errors import InvalidInput, InvalidTransition, NotAllowed
from hotline.knowledge.models import Article
from hotline.knowledge.permissions import owns
from hotline.knowledge.services._base import article_lock, bump, changed, event_add, notify
from hotline.knowledge.workflow import SYSTEM, TRANSITIONS


def _remind_days() -> int:
    return int(getattr(settings, "KB_EXPIRY_REMIND_DAYS", 14))


def article_act(
    *, article: Article | int, by: User | None, action: str, note: str = "", version: int | None = None
) -> Article:
    """Take one workflow action: lock, check the table (role, state, ownership), save, audit, reindex."""
    move = TRANSITIONS.get(action)
    if move is None:
        raise InvalidInput("未知操作。", fields={"action": "未知操作"})
    note = (note or "").strip()[:2000]
    with transaction.atomic():
        locked = article_lock(article, version=version)
        role = by.role if by is not None else SYSTEM
        if role not in move.roles:
            raise NotAllowed(f"您的角色无权执行“{move.label}”。")
        if not owns(by, locked):
            raise NotAllowed("只能处理本单位的文章。")
        if locked.status not in move.sources:
            raise InvalidTransition(
                f"文章当前状态为“{locked.get_status_display()}”，不能执行“{move.label}”。"
            )
        if move.needs_note and not note:
            raise InvalidInput(f"请填写{move.label}的原因。", fields={"note": "请填写原因"})
        _check_content(locked, action)
        from_status = locked.status
        locked.status = move.target
        bump(locked, by)
        locked.save(update_fields=["status", "version", "updated_at", "updated_by"])
        event_add(locked, action=action, by=by, from_status=from_status, note=note)
        changed([locked.pk])
    return locked


def _check_content(article: Article, action: str) -> None:
    if action in ("submit", "publish") and not (article.body.strip() or article.qa.strip()):
        raise InvalidInput("正文和问答不能都为空。", fields={"body": "请填写正文或问答"})
    if action == "publish" and article.expires_on and article.expires_on < timezone.localdate():
        raise InvalidInput(
            "失效日期已过，不能发布；请先修改失效日期。", fields={"expires_on": "失效日期已过"}
        )


def article_submit(*, article: Article, by: User, note: str = "", version: int | None = None) -> Article:
    """提交审核 (department or data annotator)."""
    return article_act(article=article, by=by, action="submit", note=note, version=version)


def article_review(*, article: Article, by: User, note: str = "", version: int | None = None) -> Article:
    """审核通过."""
    return article_act(article=article, by=by, action="review", note=note, version=version)


def article_return(*, article: Article, by: User, note: str, version: int | None = None) -> Article:
    """退回修改 (a reason is required)."""
    return article_act(article=article, by=by, action="return", note=note, version=version)


def article_publish(*, article: Article, by: User, note: str = "", version: int | None = None) -> Article:
    """发布: agents find it from now on."""
    return article_act(article=article, by=by, action="publish", note=note, version=version)


def article_withdraw(*, article: Article, by: User, note: str, version: int | None = None) -> Article:
    """撤回 a published article (a reason is required)."""
    return article_act(article=article, by=by, action="withdraw", note=note, version=version)


def article_revise(*, article: Article, by: User, note: str = "", version: int | None = None) -> Article:
    """重新修订: back to a draft, to edit and review again."""
    return article_act(article=article, by=by, action="revise", note=note, version=version)


def _department_users(article: Article) -> list[User]:
    if article.department_id is None:
        return []
    return list(User.objects.filter(is_active=True, department_id=article.department_id))


def articles_expire_due(*, today: date | None = None) -> dict[str, int]:
    """Expire published articles past their expiry date; remind owners of those expiring soon. Idempotent."""
    today = today or timezone.localdate()
    expired = reminded = 0
    due = Article.objects.filter(status=Article.Status.PUBLISHED, expires_on__lt=today)
    for pk in list(due.values_list("pk", flat=True)):
        try:
            article_act(article=pk, by=None, action="expire", note=f"失效日期已过（{today:%Y-%m-%d}）")
            expired += 1
        except (InvalidTransition, InvalidInput):
            continue  # moved meanwhile by somebody else: nothing to do
    horizon = today + timedelta(days=_remind_days())
    soon = Article.objects.filter(
        status=Article.Status.PUBLISHED, expires_on__gte=today, expires_on__lte=horizon
    ).filter(Q(expiry_reminded_for__isnull=True) | ~Q(expiry_reminded_for=F("expires_on")))
    for pk in list(soon.values_list("pk", flat=True)):
        if _remind(pk, today):
            reminded += 1
    return {"expired": expired, "reminded": reminded}


def _remind(pk: int, today: date) -> bool:
    with transaction.atomic():
        locked = article_lock(pk)
        # Re-checked under the lock: two runners, or a run twice, send one reminder per expiry date.
        if (
            locked.status != Article.Status.PUBLISHED
            or locked.expires_on is None
            or locked.expiry_reminded_for == locked.expires_on
        ):
            return False
        locked.expiry_reminded_for = locked.expires_on
        locked.save(update_fields=["expiry_reminded_for"])
        days = (locked.expires_on - today).days
        note = f"将于 {locked.expires_on:%Y-%m-%d} 失效（还有 {days} 天），请确认是否续期或修订。"
        event_add(locked, action="remind", by=None, note=note)
        recipients = _department_users(locked) or list(
            User.objects.filter(is_active=True, role=Role.ANNOTATOR)
        )
        notify(recipients, f"【热线百科】文章即将到期：{locked.title}", f"《{locked.title}》{note}")
    return True
