"""Reads of the knowledge base: search with the default rules (published, valid today)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from hotline.accounts.models import Department, User
from hotline.core.errors import NotFound
from hotline.knowledge.highlight import highlight, snippet
from hotline.knowledge.index import PROCESS_INDEX
from hotline.knowledge.models import Article, ArticleFlag, Citation, SearchLog
from hotline.knowledge.permissions import articles_visible_to, may_manage, may_view
from hotline.knowledge.richtext import html_text
from hotline.knowledge.search import MAX_QUERY_CHARS, Filters
from hotline.tickets.models import Ticket

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
        rows = Article.objects.filter(pk__in=ids).values_list(
            "pk", "title", "keywords", "synonyms", "tags", "qa", "body"
        )
        return {pk: "\n".join(x for x in (*rest[:-1], html_text(rest[-1])) if x) for pk, *rest in rows}

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
            snippet_html=snippet(html_text(a.body) or a.qa, terms),
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


# --- Management reads -------------------------------------------------------------------------------

VALIDITY = {"valid": "现行有效", "expiring": "30 天内到期", "expired": "已过失效日期", "future": "尚未生效"}


def article_get(*, user: User, pk: int) -> Article:
    """One article the user may see (published, or a manager's own), else NotFound."""
    article = (
        Article.objects.select_related("category", "department", "created_by", "updated_by")
        .filter(pk=pk)
        .first()
    )
    if article is None or not may_view(user, article):
        raise NotFound("文章不存在或您无权查看。")
    return article


def articles_list(
    *,
    user: User,
    q: str = "",
    status: Collection[str] | None = None,
    category: int | None = None,
    department: Department | None = None,
    public: bool | None = None,
    validity: str = "",
    flagged: bool = False,
) -> QuerySet[Article]:
    """The management list: what the user may see, filtered; text matches title, keywords and synonyms."""
    qs = articles_visible_to(user).select_related("category", "department")
    q = " ".join((q or "").split())[:100]
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(keywords__icontains=q) | Q(synonyms__icontains=q) | Q(external_id=q)
        )
    if status:
        qs = qs.filter(status__in=list(status))
    if category:
        qs = qs.filter(category_id=category)
    if department is not None:
        qs = qs.filter(department__path__startswith=department.path)
    if public is not None:
        qs = qs.filter(is_public=public)
    today = timezone.localdate()
    if validity == "valid":
        qs = qs.filter(Q(effective_from__isnull=True) | Q(effective_from__lte=today)).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today)
        )
    elif validity == "expiring":
        qs = qs.filter(expires_on__gte=today, expires_on__lte=today + timedelta(days=30))
    elif validity == "expired":
        qs = qs.filter(expires_on__lt=today)
    elif validity == "future":
        qs = qs.filter(effective_from__gt=today)
    if flagged:
        qs = qs.filter(flags__state=ArticleFlag.State.OPEN).distinct()
    return qs.annotate(
        open_flags=Count("flags", filter=Q(flags__state=ArticleFlag.State.OPEN), distinct=True)
    ).order_by("-updated_at", "-id")


def flags_for(*, user: User, state: str = ArticleFlag.State.OPEN) -> QuerySet[ArticleFlag]:
    """Flags the user handles: the owner department's users see their articles', centre managers all."""
    qs = ArticleFlag.objects.select_related("article", "article__department", "by", "handled_by")
    if not may_manage(user):
        return qs.filter(by=user)
    if user.is_department_user:
        path = user.department.path if user.department else "/nowhere/"
        qs = qs.filter(article__department__path__startswith=path)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-at", "-id")


def articles_expiring(*, user: User, days: int = 30) -> QuerySet[Article]:
    """Published articles the user owns that expire within `days` (the reminder list)."""
    today = timezone.localdate()
    qs = articles_visible_to(user).filter(
        status=Article.Status.PUBLISHED, expires_on__gte=today, expires_on__lte=today + timedelta(days=days)
    )
    if user.is_department_user:
        path = user.department.path if user.department else "/nowhere/"
        qs = qs.filter(department__path__startswith=path)
    return qs.select_related("department").order_by("expires_on", "id")


# --- Citation indicators ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CitationRate:
    cited: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.cited / self.total if self.total else None


def citation_rate(*, start: datetime, end: datetime) -> CitationRate:
    """引用率: tickets created in [start, end) that cite at least one article / all tickets created then."""
    tickets = Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
    total = tickets.count()
    cited = tickets.filter(pk__in=Citation.objects.values("ticket_id")).count()
    return CitationRate(cited=cited, total=total)


def article_use_counts(*, start: datetime, end: datetime, limit: int = 20) -> list[dict[str, Any]]:
    """Articles by how many tickets cited them in the period (most used first)."""
    rows = (
        Citation.objects.filter(at__gte=start, at__lt=end)
        .values("article_id", "article__title", "article__status")
        .annotate(uses=Count("ticket_id", distinct=True))
        .order_by("-uses", "article_id")[:limit]
    )
    return [
        {
            "id": r["article_id"],
            "title": r["article__title"],
            "status": r["article__status"],
            "uses": r["uses"],
        }
        for r in rows
    ]


def article_uses(article: Article) -> int:
    """How many tickets have cited the article, ever."""
    return Citation.objects.filter(article=article).values("ticket_id").distinct().count()


def search_gaps(*, start: datetime, end: datetime, limit: int = 50) -> list[dict[str, Any]]:
    """ "Searched but nothing cited": desk queries no citation followed, most frequent first."""
    rows = (
        SearchLog.objects.filter(at__gte=start, at__lt=end, cited=False)
        .values("normalized")
        .annotate(
            searches=Count("id"),
            agents=Count("by_id", distinct=True),
            last_at=Max("at"),
            best=Max("results"),
        )
        .order_by("-searches", "-last_at")[:limit]
    )
    return list(rows)


def ticket_citations(ticket: Ticket) -> list[Citation]:
    return list(
        Citation.objects.filter(ticket=ticket).select_related("article", "event", "by").order_by("at", "id")
    )
