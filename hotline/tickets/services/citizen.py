"""Reading a citizen's full record is allowed to some roles and always audited."""

from __future__ import annotations

from hotline.accounts.models import User
from hotline.core.errors import NotAllowed
from hotline.core.models import AuditLog
from hotline.tickets.models import Ticket
from hotline.tickets.permissions import may_see_citizen


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
