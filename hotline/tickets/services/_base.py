"""The single write path for a ticket's state: lock, check the table, save, append an event, side effects after commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.base import DEFERRED
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery
from django.db.transaction import TransactionManagementError
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
# Column attribute -> field, for the fast save; fields with their own SQL placeholder keep the ORM path.
_FIELD = {f.attname: f for f in Ticket._meta.concrete_fields if not hasattr(f, "get_placeholder")}
_EVENT_FAST = not any(hasattr(f, "get_placeholder") for f in TicketEvent._meta.local_concrete_fields)


class _LockQuery:
    """The ticket lock's SELECT … FOR UPDATE, compiled once per connection.

    Every action starts with it, and building the 50-column query through the ORM each time was
    about a third of an action's Python time. The statement, the columns, the value converters
    (SQLite's dates, JSON) and the object built are the ORM's own (`Ticket.objects`, so the same
    columns are deferred); only the building is done once.
    """

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        compiler = Ticket.objects.select_for_update().filter(pk=0).query.get_compiler(connection=connection)
        self.sql, params = compiler.as_sql()
        if list(params) != [0]:
            raise RuntimeError(f"unexpected lock query parameters: {params!r}")
        columns = [col for col, _sql, _alias in compiler.select]
        self.converters = [
            (pos, convs, expr) for pos, (convs, expr) in compiler.get_converters(columns).items()
        ]
        # Where each selected column goes among the model's fields; the others stay deferred.
        fields = self.attnames = [f.attname for f in Ticket._meta.concrete_fields]
        self.slots = [fields.index(col.target.attname) for col in columns]
        self.template: list[Any] = [DEFERRED] * len(fields)

    def fetch(self, connection: BaseDatabaseWrapper, pk: int) -> Ticket | None:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, (pk,))
            row = cursor.fetchone()
        if row is None:
            return None
        values = self.template.copy()
        for slot, value in zip(self.slots, row, strict=True):
            values[slot] = value
        for pos, convs, expr in self.converters:
            value = values[self.slots[pos]]
            for convert in convs:
                value = convert(value, expr, connection)
            values[self.slots[pos]] = value
        return Ticket.from_db(connection.alias, self.attnames, values)


_lock_queries: WeakKeyDictionary[BaseDatabaseWrapper, _LockQuery] = WeakKeyDictionary()


def ticket_lock(ticket: Ticket | int, *, version: int | None = None) -> Ticket:
    """Reload the ticket under a row lock (PostgreSQL), checking the caller's version if given."""
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    if pk is None:
        raise NotFound("工单不存在。")
    connection = connections[router.db_for_write(Ticket)]
    features = connection.features
    if features.has_select_for_update and features.supports_transactions and connection.get_autocommit():
        raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
    query = _lock_queries.get(connection)
    if query is None:
        query = _lock_queries[connection] = _LockQuery(connection)
    locked = query.fetch(connection, int(pk))
    if locked is None:
        raise NotFound("工单不存在。")
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


class _EventInsert:
    """The event's INSERT … RETURNING id as the ORM compiles it, compiled once per connection."""

    def __init__(self, connection: BaseDatabaseWrapper, sample: TicketEvent) -> None:
        meta = TicketEvent._meta
        self.fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
        query = InsertQuery(TicketEvent)
        query.insert_values(self.fields, [sample])
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = meta.db_returning_fields
        [(self.sql, _params)] = compiler.as_sql()
        self.returning_params = compiler.returning_params

    def insert(self, connection: BaseDatabaseWrapper, event: TicketEvent) -> None:
        params = [f.get_db_prep_save(f.pre_save(event, True), connection=connection) for f in self.fields]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            (event.pk,) = connection.ops.fetch_returned_insert_columns(cursor, self.returning_params)


_event_inserts: WeakKeyDictionary[BaseDatabaseWrapper, _EventInsert] = WeakKeyDictionary()


def _event_save(event: TicketEvent) -> None:
    """`event.save()` (the same statement and signals) without compiling the INSERT on every action.

    The signals carry the hooks (notices, webhooks, visit tasks, province pushes); a backend that
    cannot return the id from the INSERT, or a field with its own placeholder, takes `save()`.
    """
    connection = connections[router.db_for_write(TicketEvent)]
    if not _EVENT_FAST or not connection.features.can_return_columns_from_insert:
        event.save()
        return
    insert = _event_inserts.get(connection)
    if insert is None:
        insert = _event_inserts[connection] = _EventInsert(connection, event)
    using = connection.alias
    pre_save.send(sender=TicketEvent, instance=event, raw=False, using=using, update_fields=None)
    with transaction.mark_for_rollback_on_error(using=using):
        insert.insert(connection, event)
    event._state.adding = False
    event._state.db = using
    post_save.send(
        sender=TicketEvent, instance=event, created=True, update_fields=None, raw=False, using=using
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
    event = TicketEvent(
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
    _event_save(event)
    return event


_update_sql: dict[tuple[str, tuple[str, ...]], str] = {}


def _update_statement(connection: BaseDatabaseWrapper, attnames: tuple[str, ...]) -> str:
    """UPDATE of the named columns guarded by id and version, built once per set of columns."""
    key = (connection.alias, attnames)
    sql = _update_sql.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        table, pk, version = Ticket._meta.db_table, _FIELD["id"].column, _FIELD["version"].column
        columns = ", ".join(f"{qn(_FIELD[a].column)} = %s" for a in attnames)
        # Names from the model's own metadata, quoted by the backend; every value is a parameter.
        sql = _update_sql[key] = (
            f"UPDATE {qn(table)} SET {columns} WHERE {qn(pk)} = %s AND {qn(version)} = %s"  # noqa: S608
        )
    return sql


def ticket_save(ticket: Ticket, fields: tuple[str, ...] | list[str]) -> None:
    """Save named fields with a compare-and-swap on the version, which also serialises SQLite writers."""
    old_version = ticket.version
    ticket.version = old_version + 1
    ticket.updated_at = timezone.now()
    # Foreign keys are saved by id, read without loading the related row.
    attnames = tuple(sorted({_ATTNAME[n] for n in fields} | set(_ALWAYS)))
    values = [getattr(ticket, a) for a in attnames]
    if any(a not in _FIELD for a in attnames) or any(
        hasattr(v, "resolve_expression") or hasattr(v, "prepare_database_save") for v in values
    ):
        updated = Ticket.objects.filter(pk=ticket.pk, version=old_version).update(
            **dict(zip(attnames, values, strict=True))
        )
    else:
        # The ORM's update, without rebuilding the statement each action (every action saves).
        connection = connections[router.db_for_write(Ticket)]
        params = [
            _FIELD[a].get_db_prep_save(v, connection=connection)
            for a, v in zip(attnames, values, strict=True)
        ]
        with transaction.mark_for_rollback_on_error(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(_update_statement(connection, attnames), [*params, ticket.pk, old_version])
            updated = cursor.rowcount
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
