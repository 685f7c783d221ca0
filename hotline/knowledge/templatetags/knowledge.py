"""Template tags for pages outside the knowledge app (the ticket page's citations section)."""

from __future__ import annotations

from typing import Any

from django import template

from hotline.knowledge.selectors import ticket_citations as _ticket_citations
from hotline.tickets.models import Ticket

register = template.Library()


@register.inclusion_tag("tickets/partials/kb_citations.html")
def ticket_citations(ticket: Ticket) -> dict[str, Any]:
    """The 热线百科 articles cited on the ticket, with the event each was cited for."""
    return {"citations": _ticket_citations(ticket)}
