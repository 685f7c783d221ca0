"""Writes to the knowledge base. Every write appends an ArticleChange in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from hotline.knowledge.csvfiles import iter_csv
from hotline.knowledge.models import Article, ArticleChange

EDITABLE_FIELDS = (
    "title",
    "body",
    "keywords",
    "qa",
    "category",
    "department",
    "status",
    "effective_from",
    "expires_on",
    "is_public",
)

_CSV_FIELDS = ("title", "body", "keywords", "qa")


def _changed(article_ids: Iterable[int]) -> None:
    now = timezone.now()
    ArticleChange.objects.bulk_create([ArticleChange(article_id=i, created_at=now) for i in article_ids])


@transaction.atomic
def article_create(*, title: str, body: str = "", **fields: Any) -> Article:
    """Create an article (a draft unless `status` says otherwise)."""
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"external_id"}
    if unknown:
        raise TypeError(f"unknown article fields: {', '.join(sorted(unknown))}")
    article = Article(title=title, body=body, **fields)
    article.full_clean(exclude=["category", "department"])
    article.save()
    _changed([article.pk])
    return article


@transaction.atomic
def article_update(*, article: Article, **fields: Any) -> Article:
    """Change an article's fields; the new text is searchable on the next search in any process."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown article fields: {', '.join(sorted(unknown))}")
    locked = Article.objects.select_for_update().get(pk=article.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.full_clean(exclude=["category", "department"])
    locked.save(update_fields=[*fields, "version", "updated_at"])
    _changed([locked.pk])
    return locked


@transaction.atomic
def article_delete(*, article: Article) -> None:
    """Delete an article outright (withdrawing it keeps the history; prefer that)."""
    pk = article.pk
    article.delete()
    _changed([pk])


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    skipped: int


def articles_import_csv(
    *, path: str | Path, status: str = Article.Status.PUBLISHED, batch: int = 2000
) -> ImportResult:
    """Load articles from a CSV (article_id, title, body; keywords, qa optional), upserting by article_id."""
    created = updated = skipped = 0
    # Streamed in chunks, one transaction each: memory stays flat for a large file, and a file that
    # breaks half-way can be fixed and imported again (rows are upserted by article_id).
    rows = iter_csv(path, ("article_id", "title", "body"))
    while chunk := list(islice(rows, batch)):
        c, u, s = _import_chunk(chunk, status)
        created, updated, skipped = created + c, updated + u, skipped + s
    return ImportResult(created, updated, skipped)


@transaction.atomic
def _import_chunk(rows: list[dict[str, str]], status: str) -> tuple[int, int, int]:
    wanted: dict[str, dict[str, str]] = {}
    skipped = 0
    for row in rows:
        key = row["article_id"].strip()[:64]
        title = " ".join(row["title"].split())[:300]
        if not key or not (title or row["body"].strip()):
            skipped += 1
            continue
        wanted[key] = {
            "title": title or row["body"].strip()[:60],
            "body": row["body"],
            "keywords": row.get("keywords", "")[:500],
            "qa": row.get("qa", ""),
        }
    existing = {
        str(a.external_id): a for a in Article.objects.select_for_update().filter(external_id__in=wanted)
    }
    now = timezone.now()
    new = [
        Article(external_id=key, status=status, created_at=now, updated_at=now, **values)
        for key, values in wanted.items()
        if key not in existing
    ]
    Article.objects.bulk_create(new, batch_size=500)
    changed = []
    for key, article in existing.items():
        for name, value in wanted[key].items():
            setattr(article, name, value)
        article.status = status
        article.version += 1
        article.updated_at = now
        changed.append(article)
    Article.objects.bulk_update(changed, [*_CSV_FIELDS, "status", "version", "updated_at"], batch_size=500)
    ids = Article.objects.filter(external_id__in=wanted).values_list("id", flat=True)
    _changed(ids)
    return len(new), len(changed), skipped
