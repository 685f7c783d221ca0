"""The 热线百科 panel on the agent desk: search with highlights, the chosen citations, flag an article."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from hotline.accounts.models import User
from hotline.core.errors import NotFound, ServiceError
from hotline.knowledge import services as svc
from hotline.knowledge.models import Article, ArticleFlag
from hotline.knowledge.search import MAX_QUERY_CHARS
from hotline.knowledge.selectors import article_get, articles_search

PANEL_RESULTS = 8
MAX_INPUT = 10_000  # longer input is refused before any work, with a message


def parse_ids(raw: str, limit: int = 20) -> list[int]:
    """ "3,5,x,5" → [3, 5]: the article ids of a comma list, in order, without junk or repeats."""
    out: list[int] = []
    for part in raw.split(","):
        part = part.strip()
        if part.isdecimal() and len(part) < 12 and int(part) not in out:
            out.append(int(part))
    return out[:limit]


@login_required
@require_GET
def desk_search(request: HttpRequest) -> HttpResponse:
    """Search results for the panel (htmx); each search is logged against the intake form's key."""
    user: User = request.user  # type: ignore[assignment]
    raw = request.GET.get("kb_q", "")
    cited = parse_ids(request.GET.get("cites", ""))
    if len(raw) > MAX_INPUT:
        ctx = {"message": f"输入过长（{len(raw)} 字），请只输入问题的关键内容。", "results": [], "q": ""}
        return render(request, "tickets/partials/kb_results.html", ctx)
    results = articles_search(query=raw, limit=PANEL_RESULTS)
    if results.query:
        svc.search_log(
            query=results.query[:MAX_QUERY_CHARS],
            by=user,
            results=len(results.results),
            top=results.results[0].article if results.results else None,
            form_key=request.GET.get("idem", ""),
        )
    return render(
        request,
        "tickets/partials/kb_results.html",
        {"results": results.results, "message": results.message, "q": results.query, "cited": cited},
    )


@login_required
@require_GET
def desk_cited(request: HttpRequest) -> HttpResponse:
    """The chips of the articles chosen for citation (after a pick, a restored draft or an error)."""
    ids = parse_ids(request.GET.get("cites", ""))
    found = Article.objects.in_bulk(ids)
    articles = [found[i] for i in ids if i in found]
    return render(request, "tickets/partials/kb_cited.html", {"articles": articles})


@login_required
@require_POST
def desk_flag(request: HttpRequest, pk: int) -> HttpResponse:
    """纠错 from the desk: the form comes back with a confirmation, or with the error and the text kept."""
    user: User = request.user  # type: ignore[assignment]
    ctx: dict[str, object] = {"kinds": ArticleFlag.Kind.choices, "v": request.POST}
    try:
        article = article_get(user=user, pk=pk)
        ctx["article"] = article
        svc.article_flag(
            article=article, by=user, kind=request.POST.get("kind", ""), note=request.POST.get("note", "")
        )
    except NotFound as exc:
        return HttpResponse(f'<p class="form-error" role="alert">{exc.message}</p>', status=404)
    except ServiceError as exc:
        ctx.update(error=exc.message, errors=exc.fields)
        return render(request, "tickets/partials/kb_flag.html", ctx, status=400)
    ctx["sent"] = True
    return render(request, "tickets/partials/kb_flag.html", ctx)


@login_required
@require_GET
def desk_flag_form(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        article = article_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    except NotFound as exc:
        return HttpResponse(f'<p class="form-error" role="alert">{exc.message}</p>', status=404)
    return render(
        request,
        "tickets/partials/kb_flag.html",
        {"article": article, "kinds": ArticleFlag.Kind.choices, "v": {}},
    )
