"""Reads of the knowledge base: search with the default rules (published, valid today)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from hotline.knowledge.highlight import highlight, snippet
from hotline.knowledge.index import PROCESS_INDEX
from hotline.knowledge.models import Article
from hotline.knowledge.search import MAX_QUERY_CHARS, Filters

MAX_LIMIT = 50


@dataclass(frozen=True)
class ArticleResult:
    article: Article
    score: float
    title_html: str
    snippet_html: str


@dataclass(frozen=True)
class SearchResults:
    query: str
    results: list[ArticleResult]
    # A note for the person searching (empty query, query cut short); "" when there is nothing to say.
    message: str = ""


def articles_search(
    *,
    query: str,
    limit: int = 10,
    categories: Collection[int] | None = None,
    departments: Collection[int] | None = None,
    valid_on: date | None = None,
    include_unpublished: bool = False,
    include_expired: bool = False,
    public_only: bool = False,
) -> SearchResults:
    """Search the knowledge base. By default only published articles in force today are returned."""
    query = (query or "").strip()
    if not query:
        return SearchResults(query="", results=[], message="请输入要查找的问题或关键词。")
    limit = max(1, min(int(limit), MAX_LIMIT))
    filters = Filters(
        categories=categories,
        departments=departments,
        valid_on=None if include_expired else (valid_on or timezone.localdate()),
        include_unpublished=include_unpublished,
        public_only=public_only,
    )

    def texts(ids: list[Any]) -> dict[Any, str]:
        rows = Article.objects.filter(pk__in=ids).values_list("pk", "title", "keywords", "qa", "body")
        return {pk: "\n".join(x for x in rest if x) for pk, *rest in rows}

    with PROCESS_INDEX.lock:
        engine = PROCESS_INDEX.current()
        hits = engine.search(query, limit=limit, filters=filters, texts=texts)
        terms = engine.query_terms(query)
    articles = Article.objects.select_related("department", "category").in_bulk([h.id for h in hits])
    results = [
        ArticleResult(
            article=a,
            score=h.score,
            title_html=highlight(a.title, terms),
            snippet_html=snippet(a.body or a.qa, terms),
        )
        for h in hits
        if (a := articles.get(h.id)) is not None
    ]
    message = ""
    if terms.truncated:
        message = f"问题过长，已按前 {MAX_QUERY_CHARS} 个字查找。"
    elif terms.empty:
        message = "没有可查找的文字，请换个说法。"
    elif not results:
        message = "没有找到相关的百科文章。"
    return SearchResults(query=query, results=results, message=message)
