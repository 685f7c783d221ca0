"""Shared by the desks: role checks, parsing an action form and calling its one service."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.datastructures import MultiValueDict

from hotline.accounts.models import Department, User
from hotline.core.errors import InvalidInput
from hotline.tickets import services as svc
from hotline.tickets.models import Ticket
from hotline.tickets.selectors import ticket_get
from hotline.tickets.workflow import TRANSITIONS


def role_required(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Signed in, and one of these roles (403 page otherwise)."""

    def deco(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if roles and request.user.role not in roles:  # type: ignore[union-attr]
                raise PermissionDenied("您的角色不能使用此页面。")
            return view(request, *args, **kwargs)

        return wrapped

    return deco


def _dept(code: str, field: str) -> Department:
    dept = Department.objects.filter(code=code.strip(), is_active=True).first() if code.strip() else None
    if dept is None:
        raise InvalidInput("请选择有效的单位。", fields={field: "请选择有效的单位"})
    return dept


def _int(value: str, field: str, label: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{label}应为整数。", fields={field: f"{label}应为整数"}) from None


def _version(post: QueryDict) -> int | None:
    raw = post.get("version", "")
    return int(raw) if raw.isdecimal() else None


def perform_action(
    user: User, ticket: Ticket, action: str, post: QueryDict, files: MultiValueDict | None = None
) -> Ticket:
    """Parse one action's form fields and call its service; raises ServiceError on refusal."""
    if action not in TRANSITIONS:
        raise InvalidInput("未知操作。")
    v = _version(post)
    note = post.get("note", "")
    if action == "submit":
        return svc.ticket_submit(ticket=ticket, by=user, version=v)
    if action == "answer":
        return svc.ticket_answer(ticket=ticket, by=user, answer=post.get("answer", ""), version=v)
    if action in ("dispatch", "redispatch"):
        lead = _dept(post.get("lead", ""), "lead")
        assists = [_dept(c, "assists") for c in post.getlist("assists") if c.strip() and c != lead.code]
        fn = svc.ticket_dispatch if action == "dispatch" else svc.ticket_redispatch
        return fn(ticket=ticket, by=user, lead=lead, assists=assists, note=note, version=v)
    if action == "acknowledge":
        return svc.ticket_acknowledge(ticket=ticket, by=user, version=v)
    if action == "subdispatch":
        dept = _dept(post.get("department", ""), "department")
        return svc.ticket_subdispatch(ticket=ticket, by=user, department=dept, note=note, version=v)
    if action == "assist_reply":
        return svc.ticket_assist_reply(ticket=ticket, by=user, reply=post.get("reply", ""), version=v)
    if action == "reply":
        # One transaction: a refused attachment must not leave the reply committed without it.
        with transaction.atomic():
            ticket = svc.ticket_reply(ticket=ticket, by=user, reply=post.get("reply", ""), version=v)
            for f in (files or MultiValueDict()).getlist("attachments"):
                svc.attachment_add(ticket=ticket, by=user, name=f.name or "", stream=f.file, size=f.size or 0)
        return ticket
    if action in ("review_approve", "review_reject"):
        return svc.ticket_review(
            ticket=ticket, by=user, approve=action == "review_approve", note=note, version=v
        )
    if action == "visit":
        return svc.ticket_visit(ticket=ticket, by=user, result=post.get("result", ""), note=note, version=v)
    if action == "reopen":
        return svc.ticket_reopen(ticket=ticket, by=user, reason=post.get("reason", ""), version=v)
    if action == "return_request":
        return svc.ticket_return_request(
            ticket=ticket,
            by=user,
            reason=post.get("reason", ""),
            legal_basis=post.get("legal_basis", ""),
            version=v,
        )
    if action in ("return_approve", "return_reject"):
        return svc.ticket_return_decide(
            ticket=ticket, by=user, approve=action == "return_approve", note=note, version=v
        )
    if action == "extension_request":
        days = _int(post.get("days", ""), "days", "延期天数")
        return svc.ticket_extension_request(
            ticket=ticket, by=user, days=days, reason=post.get("reason", ""), version=v
        )
    if action in ("extension_approve", "extension_reject"):
        return svc.ticket_extension_decide(
            ticket=ticket, by=user, approve=action == "extension_approve", note=note, version=v
        )
    if action == "urge":
        return svc.ticket_urge(ticket=ticket, by=user, note=note, version=v)
    if action == "supervise":
        return svc.ticket_supervise(
            ticket=ticket, by=user, on=post.get("on", "1") == "1", note=note, version=v
        )
    if action == "merge":
        parent = ticket_get(user=user, number=post.get("parent", "").strip())
        return svc.ticket_merge(ticket=ticket, by=user, parent=parent, note=note, version=v)
    if action == "unmerge":
        return svc.ticket_unmerge(ticket=ticket, by=user, note=note, version=v)
    if action == "invalidate":
        return svc.ticket_invalidate(ticket=ticket, by=user, reason=post.get("reason", ""), version=v)
    if action == "archive":
        return svc.ticket_archive(ticket=ticket, by=user, version=v)
    raise InvalidInput("未知操作。")
