"""Shared by the knowledge services: the change log, row locks, audit events and version snapshots."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from hotline.accounts.models import User
from hotline.core.errors import Conflict, InvalidInput, NotFound
from hotline.knowledge.models import Article, ArticleChange, ArticleEvent, ArticleVersion


def changed(article_ids: Iterable[int]) -> None:
    """Announce changed articles to every process's search index (same transaction as the change)."""
    now = timezone.now()
    ArticleChange.objects.bulk_create([ArticleChange(article_id=i, created_at=now) for i in article_ids])


def article_lock(article: Article | int, *, version: int | None = None) -> Article:
    """Reload under a row lock, checking the caller's version (a stale page) if given."""
    pk = article.pk if isinstance(article, Article) else article
    try:
        locked = (
            Article.objects.select_for_update(of=("self",))
            .select_related("department", "category")
            .get(pk=pk)
        )
    except Article.DoesNotExist:
        raise NotFound("文章不存在。") from None
    if version is not None and locked.version != version:
        raise Conflict("文章已被他人修改，请刷新后查看最新内容。")
    return locked


def validate(article: Article) -> None:
    """Model validation as a structured, Chinese refusal."""
    try:
        article.full_clean(exclude=["category", "department", "created_by", "updated_by"])
    except ValidationError as exc:
        fields = {k: "；".join(str(m) for m in v) for k, v in exc.message_dict.items()}
        if "__all__" in fields:
            fields["expires_on"] = "失效日期不能早于生效日期"
            fields.pop("__all__")
        raise InvalidInput("文章内容有误，请按提示修改。", fields=fields) from None


def bump(article: Article, by: User | None) -> None:
    article.version += 1
    article.updated_at = timezone.now()
    if by is not None:
        article.updated_by = by


def event_add(
    article: Article,
    *,
    action: str,
    by: User | None,
    from_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> ArticleEvent:
    return ArticleEvent.objects.create(
        article=article,
        action=action,
        by=by,
        actor_role=by.role if by is not None else "system",
        from_status=from_status or article.status,
        to_status=article.status,
        note=note,
        data=data or {},
    )


_QUERY = object()


def snapshot(article: Article, *, attachments: Any = _QUERY) -> dict[str, Any]:
    """The content of an article as stored in a version (names, not ids: readable years later).

    `attachments=None` skips the attachment lookup (bulk imports of articles that have none).
    """
    if attachments is _QUERY:
        attachments = (
            list(article.attachments.order_by("id").values_list("name", flat=True)) if article.pk else []
        )
    return {
        "title": article.title,
        "body": article.body,
        "keywords": article.keywords,
        "synonyms": article.synonyms,
        "tags": article.tags,
        "qa_pairs": list(article.qa_pairs or []),
        "category": article.category.name if article.category_id and article.category else "",
        "category_id": article.category_id,
        "department": article.department.name if article.department_id and article.department else "",
        "department_id": article.department_id,
        "effective_from": article.effective_from.isoformat() if article.effective_from else "",
        "expires_on": article.expires_on.isoformat() if article.expires_on else "",
        "is_public": article.is_public,
        "attachments": list(attachments or []),
    }


def version_add(article: Article, *, by: User | None, note: str = "") -> ArticleVersion:
    """Append the article's current content as its next numbered version (call under the row lock)."""
    last = article.versions.aggregate(m=Max("number"))["m"] or 0
    return ArticleVersion.objects.create(
        article=article, number=last + 1, data=snapshot(article), by=by, note=note[:200]
    )


def notify(users: Iterable[User], subject: str, message: str) -> None:
    """Mail the users who have an address, after commit (console mail by default; never blocks a write)."""
    to = sorted({u.email for u in users if u.email})
    if not to:
        return
    transaction.on_commit(lambda: send_mail(subject, message, None, to, fail_silently=True))
