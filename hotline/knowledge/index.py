"""The per-process search index: built from the database on first use, kept current from ArticleChange.

Every process (web worker, job worker) holds its own `SearchIndex`. Before each search it reads the
change rows it has not seen (one indexed query) and re-indexes those articles, so an edit made by
any process on any machine is searchable by the next search everywhere. Ids are allocated before
commit, so a slow transaction can commit a lower id after a higher one was already read: the ids
skipped over are remembered and looked up by id on each sync until they appear or 30 seconds pass.
The article's `version` makes a replay idempotent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from django.db.models import Max

from hotline.knowledge.models import Article, ArticleChange
from hotline.knowledge.richtext import html_text
from hotline.knowledge.search import Document, SearchIndex

# How long a missing change id is looked for (longer than any write transaction).
REPLAY_WINDOW = timedelta(seconds=30)
# How far back a rebuild looks for change ids still missing.
GAP_LOOKBACK = 1000
# Past this many changed articles a full rebuild is cheaper than one-by-one updates.
REBUILD_ABOVE = 5000

_FIELDS = (
    "id",
    "title",
    "body",
    "keywords",
    "synonyms",
    "tags",
    "qa",
    "category_id",
    "department_id",
    "status",
    "is_public",
    "effective_from",
    "expires_on",
    "version",
)


def article_document(row: dict[str, Any]) -> Document:
    """An article row (values() of `_FIELDS`) as an engine document."""
    return Document(
        id=row["id"],
        title=row["title"],
        body=html_text(row["body"]),
        # Synonyms and tags are words people use for the article: they weigh like keywords.
        keywords=" ".join(x for x in (row["keywords"], row["synonyms"], row["tags"]) if x),
        qa=row["qa"],
        category=row["category_id"],
        department=row["department_id"],
        published=row["status"] == Article.Status.PUBLISHED,
        public=row["is_public"],
        effective=row["effective_from"],
        expiry=row["expires_on"],
        version=row["version"],
    )


def _documents(queryset: Any, chunk: int = 2000) -> Iterator[Document]:
    for row in queryset.values(*_FIELDS).iterator(chunk_size=chunk):
        yield article_document(row)


class ProcessIndex:
    """The index of this process, and the position in the change log it has reached."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.engine: SearchIndex | None = None
        self.last_change = 0
        # Change ids below `last_change` not seen yet (a transaction still open, or rolled back),
        # with when each was first missed; looked up on every sync until seen or too old.
        self.gaps: dict[int, float] = {}

    def reset(self) -> None:
        with self.lock:
            self.engine = None
            self.last_change = 0
            self.gaps = {}

    def current(self) -> SearchIndex:
        """The index, brought up to date with every committed article change. Call under `lock`."""
        if self.engine is None:
            self.rebuild()
        else:
            self.sync()
        assert self.engine is not None
        return self.engine

    def rebuild(self) -> None:
        # Read the log position first: a change committed while we load is replayed by the next sync.
        last = ArticleChange.objects.aggregate(m=Max("id"))["m"] or 0
        lately = set(ArticleChange.objects.filter(id__gt=last - GAP_LOOKBACK).values_list("id", flat=True))
        now = time.monotonic()
        self.gaps = {i: now for i in range(max(1, last - GAP_LOOKBACK + 1), last + 1) if i not in lately}
        self.last_change = last
        engine = SearchIndex()
        engine.add_many(_documents(Article.objects.order_by("id")))
        self.engine = engine

    def sync(self) -> None:
        assert self.engine is not None
        changes = ArticleChange.objects.values_list("id", "article_id")
        rows = list(changes.filter(id__gt=self.last_change))
        now = time.monotonic()
        if self.gaps:
            self.gaps = {i: t for i, t in self.gaps.items() if now - t < REPLAY_WINDOW.total_seconds()}
            rows += changes.filter(id__in=list(self.gaps))
        if not rows:
            return
        seen = {r[0] for r in rows}
        top = max(seen)
        for i in range(self.last_change + 1, top):
            if i not in seen:
                self.gaps[i] = now
        for i in seen:
            self.gaps.pop(i, None)
        self.last_change = max(self.last_change, top)
        article_ids = {r[1] for r in rows}
        if len(article_ids) > REBUILD_ABOVE:
            self.rebuild()
            return
        self.apply(article_ids)

    def apply(self, article_ids: Iterable[int]) -> None:
        assert self.engine is not None
        wanted = set(article_ids)
        found = set()
        for doc in _documents(Article.objects.filter(id__in=wanted)):
            found.add(doc.id)
            if self.engine.version(doc.id) != doc.version:
                self.engine.add(doc)
        for gone in wanted - found:
            self.engine.remove(gone)


PROCESS_INDEX = ProcessIndex()


def search_index_reset() -> None:
    """Forget this process's index (tests; after restoring a backup). The next search rebuilds it."""
    PROCESS_INDEX.reset()
