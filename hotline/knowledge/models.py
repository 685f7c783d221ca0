"""热线百科: the knowledge-base articles agents answer from, and the change log the search index follows."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from hotline.accounts.models import Department


class Article(models.Model):
    """One knowledge-base article (政策、办事指南、常见问答)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "待审核"
        REVIEWED = "reviewed", "已审核"
        PUBLISHED = "published", "已发布"
        WITHDRAWN = "withdrawn", "已撤回"
        EXPIRED = "expired", "已失效"

    external_id = models.CharField("外部编号", max_length=64, unique=True, null=True, blank=True)
    title = models.CharField("标题", max_length=300)
    # Sanitised HTML (services clean it on every save); plain text comes in as escaped paragraphs.
    body = models.TextField("正文", blank=True)
    keywords = models.CharField("关键词", max_length=500, blank=True, help_text="以空格或逗号分隔")
    synonyms = models.CharField(
        "同义词",
        max_length=500,
        blank=True,
        help_text="市民的其他说法，以空格或逗号分隔，检索时与关键词同等对待",
    )
    tags = models.CharField("标签", max_length=300, blank=True, help_text="以空格或逗号分隔")
    # The question-answer pairs [{"q": …, "a": …}]; `qa` is their text, which the search index reads.
    qa_pairs = models.JSONField("问答对", default=list, blank=True)
    qa = models.TextField("常见问答", blank=True, help_text="问：…… 答：……")
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name="诉求分类",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    department = models.ForeignKey(
        Department,
        verbose_name="责任单位",
        help_text="负责本条内容准确性的单位，到期提醒和纠错反馈发给它",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    effective_from = models.DateField("生效日期", null=True, blank=True)
    expires_on = models.DateField("失效日期", null=True, blank=True)
    is_public = models.BooleanField("对市民公开", default=False)
    # The expiry date a reminder was sent for: one reminder per date, a new date gets a new one.
    expiry_reminded_for = models.DateField("已提醒的失效日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="最后修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Bumped by every save through the services: a search index skips a change it already has.
    version = models.PositiveIntegerField("版本", default=1)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = "热线百科文章"
        verbose_name_plural = "热线百科文章"
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(expires_on__gte=F("effective_from")),
                name="article_expiry_after_effective",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def tag_list(self) -> list[str]:
        return split_terms(self.tags)

    def is_valid_on(self, day: Any) -> bool:
        """Published and in force on `day`."""
        return (
            self.is_published
            and (self.effective_from is None or self.effective_from <= day)
            and (self.expires_on is None or self.expires_on >= day)
        )


def split_terms(text: str) -> list[str]:
    """Words of a keywords/tags field (spaces, commas, 、 or ; between them), without repeats."""
    import re

    seen: dict[str, None] = {}
    for part in re.split(r"[\s,，、;；]+", text or ""):
        if part:
            seen.setdefault(part, None)
    return list(seen)


class ArticleChange(models.Model):
    """Append-only: one row per article write. Every process's search index replays the rows it lacks."""

    # No foreign key: a deleted article must still be announced so indexes drop it.
    article_id = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "百科变更记录"
        verbose_name_plural = "百科变更记录"


class _AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("记录只能追加，不能删除。")


class ArticleVersion(_AppendOnly):
    """A snapshot of an article's content after one edit: the diff between two is what changed."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    data = models.JSONField("内容快照")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField("修改说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "百科文章版本"
        verbose_name_plural = "百科文章版本"
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_version_number_unique")
        ]


class ArticleEvent(_AppendOnly):
    """The article's audit trail: every edit and workflow action, with who, when and from/to state."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_role = models.CharField(max_length=20, blank=True)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "百科操作记录"
        verbose_name_plural = "百科操作记录"
        ordering = ["article", "at", "id"]

    @property
    def action_label(self) -> str:
        from hotline.knowledge.workflow import EVENT_LABELS

        return EVENT_LABELS.get(self.action, self.action)

    @property
    def to_label(self) -> str:
        return Article.Status(self.to_status).label if self.to_status in Article.Status.values else ""


def _attachment_path(instance: ArticleAttachment, filename: str) -> str:
    return f"knowledge/{timezone.now():%Y/%m}/{instance.article_id}/{filename}"


class ArticleAttachment(models.Model):
    """A file attached to an article (a form, a policy document), checked by content like ticket files."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path)
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "百科附件"
        verbose_name_plural = "百科附件"
        ordering = ["uploaded_at", "id"]


class ArticleFlag(models.Model):
    """An agent's report that an article is wrong or out of date; the owner or an annotator handles it."""

    class Kind(models.TextChoices):
        WRONG = "wrong", "内容有误"
        OUTDATED = "outdated", "内容过时"
        MISSING = "missing", "内容不全"
        OTHER = "other", "其他问题"

    class State(models.TextChoices):
        OPEN = "open", "待处理"
        FIXED = "fixed", "已修正"
        DISMISSED = "dismissed", "不采纳"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField("问题类型", max_length=20, choices=Kind.choices)
    note = models.TextField("说明", blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="反馈人",
    )
    at = models.DateTimeField("反馈时间", default=timezone.now, db_index=True)
    article_version = models.PositiveIntegerField("反馈时的版本", default=0)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.OPEN, db_index=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField("处理意见", blank=True)

    class Meta:
        verbose_name = "百科纠错反馈"
        verbose_name_plural = "百科纠错反馈"
        ordering = ["-at", "-id"]


class Citation(models.Model):
    """An article an agent cited when answering or dispatching: tied to the ticket and to that event."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="citations")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="citations")
    event = models.ForeignKey("tickets.TicketEvent", on_delete=models.CASCADE, related_name="citations")
    # The content version cited, so a later edit does not hide what the agent relied on.
    article_version = models.PositiveIntegerField("引用时的版本")
    kind = models.CharField("用于", max_length=30)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "百科引用"
        verbose_name_plural = "百科引用"
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "article"], name="citation_event_article_unique")
        ]


class SearchLog(models.Model):
    """A search from the agent desk's panel; `cited` turns true when the form it served cited an article."""

    query = models.CharField(max_length=300)
    # Lower-cased with runs of spaces collapsed: what the content-gap report groups by.
    normalized = models.CharField(max_length=100, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    results = models.PositiveIntegerField(default=0)
    top_article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The intake form's idempotency key: ties the searches to the ticket that form created.
    form_key = models.CharField(max_length=128, blank=True, db_index=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cited = models.BooleanField(default=False)

    class Meta:
        verbose_name = "百科检索记录"
        verbose_name_plural = "百科检索记录"
