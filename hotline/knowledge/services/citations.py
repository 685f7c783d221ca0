"""Citations: the articles an agent relied on for an answer or a dispatch, and the desk's search log."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Max

from hotline.accounts.models import User
from hotline.core.errors import InvalidInput
from hotline.knowledge.models import Article, ArticleVersion, Citation, SearchLog
from hotline.tickets.models import Ticket, TicketEvent

MAX_CITATIONS = 10
CITING_ACTIONS = ("answer", "dispatch")


def normalize_query(query: str) -> str:
    return re.sub(r"\s+", " ", (query or "").strip().lower())[:100]


def search_log(
    *, query: str, by: User | None, results: int, top: Article | None, form_key: str = ""
) -> SearchLog | None:
    """Record one search from the desk panel (empty queries are not searches)."""
    norm = normalize_query(query)
    if not norm:
        return None
    return SearchLog.objects.create(
        query=query.strip()[:300],
        normalized=norm,
        by=by,
        results=results,
        top_article=top,
        form_key=form_key[:128],
    )


@transaction.atomic
def citations_record(
    *, ticket: Ticket, event: TicketEvent, articles: Sequence[Article], by: User | None, form_key: str = ""
) -> list[Citation]:
    """Store the cited articles on the ticket and its answer/dispatch event; close the form's searches."""
    if event.ticket_id != ticket.pk or event.action not in CITING_ACTIONS:
        raise InvalidInput("只能在直接答复或派单时引用百科文章。")
    unique = list({a.pk: a for a in articles}.values())
    if len(unique) > MAX_CITATIONS:
        raise InvalidInput(
            f"一次最多引用 {MAX_CITATIONS} 篇文章。", fields={"cites": f"最多 {MAX_CITATIONS} 篇"}
        )
    fresh = Article.objects.in_bulk([a.pk for a in unique])
    for a in unique:
        current = fresh.get(a.pk)
        if current is None or current.status != Article.Status.PUBLISHED:
            raise InvalidInput(
                f"《{a.title}》已不在发布状态，不能引用，请重新选择。", fields={"cites": "含未发布文章"}
            )
    numbers = dict(
        ArticleVersion.objects.filter(article_id__in=fresh)
        .values("article_id")
        .annotate(m=Max("number"))
        .values_list("article_id", "m")
    )
    rows = Citation.objects.bulk_create(
        [
            Citation(
                article_id=a.pk,
                ticket=ticket,
                event=event,
                article_version=numbers.get(a.pk, 0),
                kind=event.action,
                by=by,
                at=event.at,
            )
            for a in unique
        ]
    )
    if form_key:
        SearchLog.objects.filter(form_key=form_key, ticket__isnull=True).update(
            ticket=ticket, cited=bool(unique)
        )
    return rows
