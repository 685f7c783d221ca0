"""The one table of allowed moves: which action, from which states, to which states, by which roles.

Services consult it before every change; the API and the desks use it to show only the actions a
user may take. Department roles are further limited to tickets whose relevant assignment lies in
their department subtree (see `tickets.permissions`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hotline.accounts.models import Role
from hotline.tickets.models import Ticket

S = Ticket.Status
SYSTEM = "system"  # periodic jobs and integrations acting on their own
CITIZEN = "citizen"  # the public portal, acting for a citizen who proved the ticket's query code


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    targets: frozenset[str]
    roles: frozenset[str]
    label: str
    # Which assignment a department user must hold: "lead", "assist" or "" (centre roles only).
    department: str = ""


def _m(
    sources: Iterable[str], targets: Iterable[str], roles: Iterable[str], label: str, department: str = ""
) -> Move:
    return Move(frozenset(sources), frozenset(targets), frozenset(roles), label, department)


INTAKE = {Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR}
CENTRE_DECIDE = {Role.DISPATCHER, Role.REVIEWER, Role.SUPERVISOR}
DEPT = {Role.DEPT_HANDLER, Role.DEPT_MANAGER}
HELD = {S.DISPATCHED, S.ACKNOWLEDGED, S.RETURN_PENDING, S.EXTENSION_PENDING}
BEFORE_REPLY = {S.DRAFT, S.PENDING_DISPATCH, S.DISPATCHED, S.ACKNOWLEDGED}

TRANSITIONS: dict[str, Move] = {
    "submit": _m({S.DRAFT}, {S.PENDING_DISPATCH}, INTAKE | {SYSTEM}, "提交待派"),
    "answer": _m({S.DRAFT, S.PENDING_DISPATCH}, {S.ANSWERED}, INTAKE, "直接答复"),
    "dispatch": _m({S.DRAFT, S.PENDING_DISPATCH}, {S.DISPATCHED}, INTAKE, "派单"),
    "redispatch": _m({S.DISPATCHED, S.ACKNOWLEDGED}, {S.DISPATCHED}, CENTRE_DECIDE, "改派"),
    "acknowledge": _m({S.DISPATCHED}, {S.ACKNOWLEDGED}, DEPT, "签收", "lead"),
    "subdispatch": _m({S.ACKNOWLEDGED}, {S.ACKNOWLEDGED}, DEPT, "二次派单", "lead"),
    "assist_reply": _m(HELD, HELD, DEPT, "协办意见", "assist"),
    "reply": _m({S.ACKNOWLEDGED}, {S.REPLIED}, DEPT, "办结答复", "lead"),
    "return_request": _m({S.DISPATCHED, S.ACKNOWLEDGED}, {S.RETURN_PENDING}, DEPT, "申请退单", "lead"),
    "return_approve": _m({S.RETURN_PENDING}, {S.PENDING_DISPATCH}, CENTRE_DECIDE, "同意退单"),
    "return_reject": _m({S.RETURN_PENDING}, {S.DISPATCHED, S.ACKNOWLEDGED}, CENTRE_DECIDE, "驳回退单"),
    "extension_request": _m({S.ACKNOWLEDGED}, {S.EXTENSION_PENDING}, DEPT, "申请延期", "lead"),
    "extension_approve": _m({S.EXTENSION_PENDING}, {S.ACKNOWLEDGED}, CENTRE_DECIDE, "同意延期"),
    "extension_reject": _m({S.EXTENSION_PENDING}, {S.ACKNOWLEDGED}, CENTRE_DECIDE, "驳回延期"),
    "review_approve": _m(
        {S.REPLIED}, {S.PENDING_VISIT, S.CLOSED}, {Role.REVIEWER, Role.SUPERVISOR}, "审核通过"
    ),
    "review_reject": _m({S.REPLIED}, {S.ACKNOWLEDGED}, {Role.REVIEWER, Role.SUPERVISOR}, "审核退回"),
    "visit": _m(
        {S.PENDING_VISIT},
        {S.CLOSED, S.DISPATCHED, S.PENDING_VISIT},
        {Role.VISIT_AGENT, Role.SUPERVISOR},
        "回访",
    ),
    "reopen": _m({S.PENDING_VISIT, S.CLOSED}, {S.DISPATCHED}, {Role.VISIT_AGENT, Role.SUPERVISOR}, "重办"),
    "urge": _m(HELD | {S.REPLIED}, HELD | {S.REPLIED}, {Role.DISPATCHER, Role.SUPERVISOR, SYSTEM}, "催办"),
    "supervise": _m(
        HELD | {S.REPLIED, S.PENDING_DISPATCH},
        HELD | {S.REPLIED, S.PENDING_DISPATCH},
        {Role.SUPERVISOR},
        "督办",
    ),
    "merge": _m(BEFORE_REPLY, {S.MERGED}, INTAKE, "并单"),
    "unmerge": _m({S.MERGED}, BEFORE_REPLY, {Role.DISPATCHER, Role.SUPERVISOR}, "撤销并单"),
    "invalidate": _m({S.DRAFT, S.PENDING_DISPATCH}, {S.INVALID}, INTAKE, "无效件"),
    "rate": _m({S.CLOSED, S.ANSWERED}, {S.CLOSED, S.ANSWERED}, {CITIZEN}, "市民评价"),
    "archive": _m(
        {S.CLOSED, S.ANSWERED, S.INVALID}, {S.ARCHIVED}, {Role.SUPERVISOR, Role.ADMIN, SYSTEM}, "归档"
    ),
}

# States reached only through these actions; replaying events must give the stored state.
ACTIONS = tuple(TRANSITIONS)


def move_for(action: str) -> Move:
    return TRANSITIONS[action]
