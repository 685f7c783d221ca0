"""The citizen's side of a ticket: reading the full record (some roles, always audited), the citizen's rating."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from hotline.accounts.models import User
from hotline.core.errors import InvalidInput, InvalidTransition, NotAllowed
from hotline.core.models import AuditLog
from hotline.tickets.models import VISIT_RESULT_LABELS_RATED, Ticket
from hotline.tickets.permissions import may_see_citizen
from hotline.tickets.services._base import transition
from hotline.tickets.workflow import CITIZEN

RATING_COMMENT_MAX = 500


def citizen_unmask(*, ticket: Ticket, by: User, address: str = "") -> dict[str, object]:
    """The citizen's unmasked name, phone and ID number, written to the audit log."""
    if not may_see_citizen(by, ticket):
        raise NotAllowed("您的角色无权查看诉求人完整信息。")
    AuditLog.objects.create(
        actor=by, action="citizen_unmask", object_type="ticket", object_id=ticket.number, address=address[:64]
    )
    return {
        "name": ticket.citizen_name,
        "phone": ticket.citizen_phone,
        "id_number": ticket.citizen_id_number,
        "confidential": ticket.confidential,
        "anonymous": ticket.anonymous,
        "no_callback": ticket.no_callback,
        "masked": False,
    }


def ticket_rate(*, ticket: Ticket | int, rating: str, comment: str = "") -> Ticket:
    """The citizen rates a finished ticket once (满意/基本满意/不满意), through the portal."""
    labels = dict(VISIT_RESULT_LABELS_RATED)
    if rating not in labels:
        raise InvalidInput("请选择评价：满意、基本满意或不满意。", fields={"rating": "请选择评价"})
    comment = (comment or "").strip()
    if len(comment) > RATING_COMMENT_MAX:
        raise InvalidInput(
            f"评价意见不能超过 {RATING_COMMENT_MAX} 个字（当前 {len(comment)} 个字）。",
            fields={"comment": f"不能超过 {RATING_COMMENT_MAX} 个字"},
        )

    def apply(t: Ticket) -> tuple[str, list[str], dict[str, Any]]:
        if t.citizen_rated_at is not None:
            raise InvalidTransition("该工单已评价过，每张工单只能评价一次。", code="already_rated")
        t.citizen_rating, t.citizen_rating_comment, t.citizen_rated_at = rating, comment, timezone.now()
        return t.status, ["citizen_rating", "citizen_rating_comment", "citizen_rated_at"], {"rating": rating}

    return transition(ticket, by=None, role=CITIZEN, action="rate", apply=apply, note=comment)
