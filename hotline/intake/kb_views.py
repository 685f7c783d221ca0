"""市民门户 · 政策问答: published public articles of the 热线百科, searchable, readable on a phone.

No account needed. Only articles that are published, marked public and in force today are shown;
anything else is "not found", the same answer as a number that never existed.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hotline.knowledge.models import Article
from hotline.knowledge.selectors import articles_search

MAX_INPUT = 10_000
PAGE = 20


def public_articles() -> QuerySet[Article]:
    today = timezone.localdate()
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED, is_public=True)
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=today))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    )


def kb_index(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("q", "")
    ctx: dict[str, object] = {"q": raw[:300]}
    if len(raw) > MAX_INPUT:
        ctx["message"] = "输入的内容过长，请只写问题的关键内容，例如“公积金 租房提取”。"
    elif raw.strip():
        results = articles_search(query=raw, limit=20, public_only=True)
        ctx.update(results=results.results, message=results.message, searched=True)
    else:
        qs = public_articles().order_by("-updated_at", "-id").only("id", "title", "body", "updated_at")
        ctx["page"] = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(request, "intake/kb_index.html", ctx)


def kb_article(request: HttpRequest, pk: int) -> HttpResponse:
    article = public_articles().select_related("department").filter(pk=pk).first()
    if article is None:
        return render(request, "intake/kb_missing.html", status=404)
    return render(request, "intake/kb_article.html", {"article": article})
