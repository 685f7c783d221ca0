"""Who may see and act on a ticket. One rule serves lists, detail, search, exports and actions."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from hotline.accounts.models import User
from hotline.tickets.models import Assignment, Ticket
from hotline.tickets.workflow import SYSTEM, TRANSITIONS


def actor_role(user: User | None) -> str:
    return SYSTEM if user is None else user.role


def tickets_visible_to(user: User, qs: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    """Tickets the user may see: centre staff see all; department users see tickets assigned to their subtree."""
    qs = qs if qs is not None else Ticket.objects.all()
    if not user.is_active:
        return qs.none()
    if not user.is_department_user:
        return qs
    if user.department is None:
        return qs.none()
    held = Assignment.objects.filter(ticket=OuterRef("pk"), department_path__startswith=user.department.path)
    return qs.filter(Exists(held))


def ticket_visible_to(user: User, ticket: Ticket) -> bool:
    return tickets_visible_to(user, Ticket.objects.filter(pk=ticket.pk)).exists()


def department_assignment(user: User, ticket: Ticket, role: str) -> Assignment | None:
    """The active assignment of the given role that the user's department subtree holds on the ticket."""
    if user.department is None:
        return None
    # Remembered on the instance for one action (check, then apply); services lock a fresh instance
    # per action, so a memo never outlives the state it was read from.
    memo: dict[tuple[int, str, int], Assignment | None] = ticket.__dict__.setdefault("_held_memo", {})
    key = (user.pk, role, ticket.version)
    if key not in memo:
        memo[key] = (
            ticket.assignments.filter(
                active=True, role=role, department_path__startswith=user.department.path
            )
            .order_by("-level", "-assigned_at")
            .first()
        )
    return memo[key]


def may_act(user: User | None, ticket: Ticket, action: str) -> bool:
    """True if the transition table lets this user take this action on the ticket now."""
    move = TRANSITIONS.get(action)
    if move is None or ticket.status not in move.sources:
        return False
    role = actor_role(user)
    if role not in move.roles:
        return False
    if user is not None and user.is_department_user:
        return bool(move.department) and department_assignment(user, ticket, move.department) is not None
    return True


def may_see_citizen(user: User, ticket: Ticket) -> bool:
    """Centre roles that work with citizens may unmask; departments unless the citizen asked for confidentiality."""
    if user.may_unmask:
        return True
    return user.is_department_user and not ticket.confidential


def allowed_actions(user: User, ticket: Ticket) -> list[str]:
    return [a for a in TRANSITIONS if may_act(user, ticket, a)]


def open_for_department(user: User) -> Q:
    """Filter for a department inbox: active assignments in the user's subtree."""
    assert user.department is not None
    return Q(assignments__active=True, assignments__department_path__startswith=user.department.path)
