"""热线百科: the knowledge-base articles agents answer from, and the change log the search index follows."""

from __future__ import annotations

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

    external_id = models.CharField("外部编号", max_length=64, unique=True, null=True, blank=True)
    title = models.CharField("标题", max_length=300)
    body = models.TextField("正文", blank=True)
    keywords = models.CharField("关键词", max_length=500, blank=True, help_text="以空格或逗号分隔")
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


class ArticleChange(models.Model):
    """Append-only: one row per article write. Every process's search index replays the rows it lacks."""

    # No foreign key: a deleted article must still be announced so indexes drop it.
    article_id = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "百科变更记录"
        verbose_name_plural = "百科变更记录"
