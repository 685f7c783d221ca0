"""The single write path for a ticket's state: lock, check the table, save, append an event, side effects after commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from hotline.accounts.models import User
from hotline.core.errors import Conflict, InvalidTransition, NotAllowed, NotFound
from hotline.tickets.models import DONE_STATUSES, Assignment, Ticket, TicketEvent
from hotline.tickets.permissions import actor_role, department_assignment, ticket_visible_to
from hotline.tickets.workflow import TRANSITIONS

# Fields every transition may touch besides the ones it names.
_ALWAYS = ("status", "version", "updated_at")
# Field name -> column attribute (`lead_department` -> `lead_department_id`).
_ATTNAME = {f.name: f.attname for f in Ticket._meta.concrete_fields}


def ticket_lock(ticket: Ticket | int, *, version: int | None = None) -> Ticket:
    """Reload the ticket under a row lock (PostgreSQL), checking the caller's version if given."""
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    try:
        locked = Ticket.objects.select_for_update().get(pk=pk)
    except Ticket.DoesNotExist:
        raise NotFound("工单不存在。") from None
    if version is not None and locked.version != version:
        raise Conflict("工单已被他人处理，请刷新后查看最新状态。", code="conflict")
    return locked


def check_move(ticket: Ticket, by: User | None, action: str, *, role: str | None = None) -> None:
    """Raise unless the transition table lets `by` take `action` on the ticket in its current state."""
    move = TRANSITIONS[action]
    role = role or actor_role(by)
    held = None
    if by is not None and by.is_department_user:
        held = department_assignment(by, ticket, move.department) if move.department else None
        # An active assignment in the user's subtree already proves the ticket is in scope.
        if held is None and not ticket_visible_to(by, ticket):
            raise NotFound("工单不存在。")
    if role not in move.roles:
        raise NotAllowed(f"您的角色无权执行“{move.label}”。")
    if ticket.status not in move.sources:
        raise InvalidTransition(
            f"工单当前状态为“{ticket.get_status_display()}”，不能执行“{move.label}”。",
        )
    if by is not None and by.is_department_user and held is None:
        raise NotAllowed(
            f"本单位不是该工单的{'主办' if move.department != 'assist' else '协办'}单位，不能执行“{move.label}”。"
        )


def ticket_event(
    ticket: Ticket,
    *,
    action: str,
    by: User | None,
    from_status: str,
    note: str = "",
    data: dict[str, Any] | None = None,
    role: str | None = None,
) -> TicketEvent:
    """Append an event numbered by the ticket's version (so two writers can never both append)."""
    return TicketEvent.objects.create(
        ticket=ticket,
        seq=ticket.version,
        action=action,
        at=timezone.now(),
        actor=by,
        actor_role=role or actor_role(by),
        actor_department_id=by.department_id if by is not None else None,
        from_status=from_status,
        to_status=ticket.status,
        note=note,
        data=data or {},
    )


def ticket_save(ticket: Ticket, fields: tuple[str, ...] | list[str]) -> None:
    """Save named fields with a compare-and-swap on the version, which also serialises SQLite writers."""
    old_version = ticket.version
    ticket.version = old_version + 1
    ticket.updated_at = timezone.now()
    names = set(fields) | set(_ALWAYS)
    # Foreign keys are saved by id, read without loading the related row.
    values = {_ATTNAME[n]: getattr(ticket, _ATTNAME[n]) for n in names}
    values.pop("version")
    updated = Ticket.objects.filter(pk=ticket.pk, version=old_version).update(
        version=ticket.version, **values
    )
    if updated != 1:
        raise Conflict("工单已被他人处理，请刷新后查看最新状态。")


def transition(
    ticket: Ticket | int,
    *,
    by: User | None,
    action: str,
    apply: Callable[[Ticket], tuple[str, list[str], dict[str, Any]]],
    note: str = "",
    version: int | None = None,
    after_commit: Callable[[Ticket], None] | None = None,
    role: str | None = None,
) -> Ticket:
    """Run one action: `apply` mutates the locked ticket and returns (new status, changed fields, event data).

    `role` names a pseudo-role (workflow.CITIZEN) for an actor without an account; only with `by=None`.

    The ticket row is always locked first, before `apply` touches assignments or requests: every
    writer takes its locks in the same order, so two actions on one ticket never deadlock. (Using
    the caller's copy optimistically and locking at the final compare-and-swap saved one statement
    an action but let a reply and a redispatch deadlock on PostgreSQL.)
    """
    if role is not None and by is not None:
        raise ValueError("role is only for actors without an account")
    with transaction.atomic():
        current = ticket_lock(ticket, version=version)
        check_move(current, by, action, role=role)
        from_status = current.status
        to_status, fields, data = apply(current)
        if to_status not in TRANSITIONS[action].targets:
            raise InvalidTransition(
                f"“{TRANSITIONS[action].label}”不能使工单进入“{Ticket.Status(to_status).label}”。"
            )
        if to_status != from_status:
            current.status_since = timezone.now()
            fields = [*fields, "status_since"]
        current.status = to_status
        ticket_save(current, fields)
        if to_status in DONE_STATUSES and from_status not in DONE_STATUSES:
            # Finished work leaves every department's inbox; the rows stay as history (and scope).
            Assignment.objects.filter(ticket=current, active=True).update(active=False)
        ticket_event(current, action=action, by=by, from_status=from_status, note=note, data=data, role=role)
        if after_commit is not None:
            transaction.on_commit(lambda: after_commit(current))
    return current
