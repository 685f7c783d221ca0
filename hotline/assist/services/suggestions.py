"""Recording what was suggested and what the desk chose, and dispatching with a suggestion in one step."""

from __future__ import annotations

from django.db import transaction

from hotline.accounts.models import Department, User
from hotline.assist.models import SuggestionLog
from hotline.tickets import services as ticket_services
from hotline.tickets.models import Ticket


def suggestion_record(
    *,
    ticket: Ticket,
    desk: str,
    chosen: Department,
    by: User | None,
    version: str = "",
    source: str = "",
    codes: list[str] | None = None,
) -> SuggestionLog | None:
    """Log the suggestions shown for `ticket` and the department chosen; nothing when none was shown."""
    codes = [c for c in (codes or []) if c][:3]
    if not codes:
        return None
    if desk not in SuggestionLog.Desk.values:
        desk = SuggestionLog.Desk.DISPATCH
    return SuggestionLog.objects.create(
        ticket=ticket,
        desk=desk,
        model_version=version[:40],
        source=source if source in ("rule", "model") else "",
        suggested=codes,
        top1=codes[0],
        chosen=chosen,
        outcome=SuggestionLog.Outcome.ACCEPTED
        if chosen.code == codes[0]
        else SuggestionLog.Outcome.OVERRIDDEN,
        in_top3=chosen.code in codes,
        by=by,
    )


def ticket_dispatch_suggested(
    *,
    ticket: Ticket,
    by: User,
    lead: Department,
    note: str = "",
    version: int | None = None,
    shown: tuple[str, str, list[str]] = ("", "", []),
    desk: str = SuggestionLog.Desk.DISPATCH,
) -> Ticket:
    """Dispatch (the tickets write path) and log the suggestion it followed or overrode, in one transaction."""
    with transaction.atomic():
        ticket = ticket_services.ticket_dispatch(ticket=ticket, by=by, lead=lead, note=note, version=version)
        model_version, source, codes = shown
        suggestion_record(
            ticket=ticket, desk=desk, chosen=lead, by=by, version=model_version, source=source, codes=codes
        )
    return ticket
