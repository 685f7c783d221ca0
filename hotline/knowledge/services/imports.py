"""Bulk import of articles (CSV, xlsx, docx rows), upserting by article id, in bounded transactions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from hotline.accounts.models import Department, Role, User
from hotline.core.errors import NotAllowed
from hotline.knowledge.importers import derived_id, read_rows
from hotline.knowledge.models import Article, ArticleAttachment, ArticleEvent, ArticleVersion, split_terms
from hotline.knowledge.richtext import qa_parse, qa_text, sanitize
from hotline.knowledge.services._base import changed, snapshot
from hotline.tickets.models import Category

IMPORT_ROLES = frozenset({Role.ANNOTATOR, Role.REVIEWER, Role.SUPERVISOR, Role.ADMIN})
_TRUE = {"1", "是", "true", "yes", "y", "公开", "对外公开"}
_FALSE = {"0", "否", "false", "no", "n", "内部", "不公开", ""}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    # (row number, message) for rows skipped or imported with a warning; the first 200 are kept.
    problems: list[tuple[int, str]] = field(default_factory=list)

    def note(self, row: int, message: str) -> None:
        if len(self.problems) < 200:
            self.problems.append((row, message))


def _date(value: str) -> date | None:
    value = value.strip().replace("/", "-").replace(".", "-")
    if not value:
        return None
    return date.fromisoformat(value[:10])


class _Lookups:
    """Categories and departments by code or name, looked up once per import."""

    def __init__(self) -> None:
        self._cats: dict[str, Category | None] = {}
        self._depts: dict[str, Department | None] = {}

    def category(self, key: str) -> Category | None:
        if key not in self._cats:
            self._cats[key] = Category.objects.filter(Q(code=key) | Q(name=key)).order_by("-level").first()
        return self._cats[key]

    def department(self, key: str) -> Department | None:
        if key not in self._depts:
            self._depts[key] = Department.objects.filter(Q(code=key) | Q(name=key)).first()
        return self._depts[key]


def _values(row: dict[str, str], n: int, lookups: _Lookups, result: ImportResult) -> dict[str, Any] | None:
    """A row as model values (only the columns it has), or None when it cannot be imported."""
    title = " ".join((row.get("title") or "").split())[:300]
    body = row.get("body") or ""
    if not (title or body.strip()):
        result.note(n, "标题和正文都为空，已跳过")
        return None
    values: dict[str, Any] = {"title": title or " ".join(body.split())[:60]}
    if "body" in row:
        values["body"] = sanitize(body)
    for name, limit in (("keywords", 500), ("synonyms", 500), ("tags", 300)):
        if name in row:
            values[name] = " ".join(split_terms(row[name]))[:limit]
    if "qa" in row:
        pairs = qa_parse(row["qa"])
        values["qa_pairs"] = pairs
        values["qa"] = qa_text(pairs) if pairs else row["qa"].strip()
    try:
        for name in ("effective_from", "expires_on"):
            if name in row:
                values[name] = _date(row[name])
    except ValueError:
        result.note(n, "日期格式应为 YYYY-MM-DD，已跳过")
        return None
    if (
        values.get("effective_from")
        and values.get("expires_on")
        and values["expires_on"] < values["effective_from"]
    ):
        result.note(n, "失效日期早于生效日期，已跳过")
        return None
    if "is_public" in row:
        flag = row["is_public"].strip().lower()
        if flag not in _TRUE | _FALSE:
            result.note(n, f"“公开”列应填 是/否，“{row['is_public']}”按否处理")
        values["is_public"] = flag in _TRUE
    for name, finder, label in (
        ("category", lookups.category, "分类"),
        ("department", lookups.department, "责任单位"),
    ):
        key = (row.get(name) or "").strip()
        if key:
            found = finder(key)
            if found is None:
                result.note(n, f"{label}“{key}”不存在，已留空")
            values[name] = found
    return values


def articles_import_rows(
    rows: Iterable[dict[str, str]],
    *,
    status: str = Article.Status.PUBLISHED,
    by: User | None = None,
    source: str = "",
    batch: int = 2000,
    derive_ids: bool = True,
) -> ImportResult:
    """Upsert articles by article id; rows without one get an id derived from the title, or with
    `derive_ids=False` (CSV, where the id column is the contract) are skipped."""
    if by is not None and by.role not in IMPORT_ROLES:
        raise NotAllowed("您的角色不能批量导入百科文章。")
    if by is not None:
        status = Article.Status.DRAFT  # people's imports are reviewed like any other edit
    result = ImportResult()
    lookups = _Lookups()
    numbered = enumerate(rows, start=2)  # row 1 is the header
    while chunk := list(islice(numbered, batch)):
        _import_chunk(chunk, status, by, source, lookups, result, derive_ids)
    return result


@transaction.atomic
def _import_chunk(
    rows: list[tuple[int, dict[str, str]]],
    status: str,
    by: User | None,
    source: str,
    lookups: _Lookups,
    result: ImportResult,
    derive_ids: bool,
) -> None:
    # One transaction per chunk: memory stays flat for a large file, and a file that breaks half-way
    # can be fixed and imported again (rows are upserted by id).
    wanted: dict[str, dict[str, Any]] = {}
    for n, row in rows:
        if not derive_ids and not (row.get("article_id") or "").strip():
            result.note(n, "缺少 article_id，已跳过")
            result.skipped += 1
            continue
        values = _values(row, n, lookups, result)
        if values is None:
            result.skipped += 1
            continue
        key = (row.get("article_id") or "").strip()[:64] or derived_id(values["title"])
        wanted[key] = values
    existing = {
        str(a.external_id): a
        for a in Article.objects.select_for_update(of=("self",))
        .select_related("category", "department")
        .filter(external_id__in=wanted)
    }
    now = timezone.now()
    new = [
        Article(
            external_id=key,
            status=status,
            created_at=now,
            updated_at=now,
            created_by=by,
            updated_by=by,
            **values,
        )
        for key, values in wanted.items()
        if key not in existing
    ]
    Article.objects.bulk_create(new, batch_size=500)
    fields: set[str] = set()
    touched = []
    for key, article in existing.items():
        for name, value in wanted[key].items():
            setattr(article, name, value)
            fields.add(name)
        article.status = status
        article.version += 1
        article.updated_at = now
        article.updated_by = by
        touched.append(article)
    if touched:
        names = sorted(fields | {"status", "version", "updated_at", "updated_by"})
        Article.objects.bulk_update(touched, names, batch_size=500)
    saved = list(Article.objects.filter(external_id__in=wanted).select_related("category", "department"))
    last = dict(
        ArticleVersion.objects.filter(article__in=[a.pk for a in touched])
        .values("article_id")
        .annotate(m=Max("number"))
        .values_list("article_id", "m")
    )
    files: dict[int, list[str]] = {}
    for pk, name in ArticleAttachment.objects.filter(article__in=[a.pk for a in touched]).values_list(
        "article_id", "name"
    ):
        files.setdefault(pk, []).append(name)
    note = f"批量导入{('：' + source) if source else ''}"[:200]
    ArticleVersion.objects.bulk_create(
        [
            ArticleVersion(
                article=a,
                number=last.get(a.pk, 0) + 1,
                data=snapshot(a, attachments=files.get(a.pk, [])),
                by=by,
                at=now,
                note=note,
            )
            for a in saved
        ],
        batch_size=500,
    )
    ArticleEvent.objects.bulk_create(
        [ArticleEvent(article=a, action="import", at=now, by=by, actor_role=by.role if by else "system",
                      to_status=a.status, note=note) for a in saved],
        batch_size=500,
    )  # fmt: skip
    changed(a.pk for a in saved)
    result.created += len(new)
    result.updated += len(touched)


def articles_import_file(
    *,
    path: str | Path,
    status: str = Article.Status.PUBLISHED,
    by: User | None = None,
    kind: str | None = None,
) -> ImportResult:
    """Import a .csv, .xlsx or .docx file (see `importers` for the columns)."""
    kind = (kind or Path(path).suffix.lstrip(".")).lower()
    return articles_import_rows(
        read_rows(path, kind=kind), status=status, by=by, source=Path(path).name, derive_ids=kind != "csv"
    )


def articles_import_csv(
    *, path: str | Path, status: str = Article.Status.PUBLISHED, batch: int = 2000
) -> ImportResult:
    """Load articles from a CSV (article_id, title, body; other columns optional), upserting by article_id."""
    rows = read_rows(path, kind="csv")
    return articles_import_rows(rows, status=status, source=Path(path).name, batch=batch, derive_ids=False)
