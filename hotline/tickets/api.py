"""API: tickets within the caller's scope, and every lifecycle action as its own endpoint."""

from __future__ import annotations

from typing import IO, Any, cast

from django.http import FileResponse, HttpRequest
from ninja import File, Header, Query, Router, Status
from ninja.files import UploadedFile

from hotline.accounts.api import ErrorOut
from hotline.accounts.models import Department, User
from hotline.core.errors import InvalidInput, NotFound
from hotline.core.masking import mask_id_number, mask_name, mask_phone
from hotline.tickets import schemas as s
from hotline.tickets import services as svc
from hotline.tickets.models import Attachment, Category, Ticket
from hotline.tickets.permissions import allowed_actions
from hotline.tickets.reference import category_by_code, department_by_code
from hotline.tickets.selectors import count_capped, ticket_get, ticket_list
from hotline.tickets.services.citizen import citizen_unmask

router = Router(tags=["tickets"])
# Declared so the OpenAPI document shows it; the service checks its length.
IDEMPOTENCY_KEY = Header(
    "",
    alias="Idempotency-Key",
    description="重试同一请求时带相同的键（≤ 128 字符）：不会重复建单，返回第一次建的工单（200）。",
)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _dept(code: str | None, field: str) -> Department | None:
    return _dept_required(code, field) if code else None


def _dept_required(code: str | None, field: str) -> Department:
    if not code:
        raise InvalidInput("请选择单位。", fields={field: "必填"})
    dept = department_by_code(code)
    if dept is None:
        raise InvalidInput(f"单位编码 {code} 不存在。", fields={field: "单位不存在"})
    return dept


def _citizen(ticket: Ticket, *, unmasked: bool) -> dict[str, Any]:
    return {
        "name": ticket.citizen_name if unmasked else mask_name(ticket.citizen_name),
        "phone": ticket.citizen_phone if unmasked else mask_phone(ticket.citizen_phone),
        "id_number": ticket.citizen_id_number if unmasked else mask_id_number(ticket.citizen_id_number),
        "confidential": ticket.confidential,
        "anonymous": ticket.anonymous,
        "no_callback": ticket.no_callback,
        "masked": not unmasked,
    }


def _list_row(t: Ticket) -> dict[str, Any]:
    return {
        "number": t.number,
        "status": t.status,
        "status_label": t.get_status_display(),
        "type": t.type,
        "channel": t.channel,
        "urgency": t.urgency,
        "title": t.title,
        "category": t.category.code if t.category else None,
        "lead_department": t.lead_department.code if t.lead_department else None,
        "created_at": t.created_at,
        "due_at": t.due_at,
        "overdue": t.is_overdue,
        "version": t.version,
    }


def _detail(user: User, t: Ticket, *, new: bool = False) -> dict[str, Any]:
    """The full ticket; `new` = just created here, so it has no children, links, assignments or pauses."""
    row = _list_row(t)
    row.update(
        hotline=t.hotline,
        content=t.content,
        address=t.address,
        district=t.district.code if t.district else None,
        street=t.street.code if t.street else None,
        latitude=t.latitude,
        longitude=t.longitude,
        citizen=_citizen(t, unmasked=False),
        supervised=t.supervised,
        urge_count=t.urge_count,
        reopen_count=t.reopen_count,
        return_count=t.return_count,
        first_department=t.first_department.code if t.first_department else None,
        completing_department=t.completing_department.code if t.completing_department else None,
        dispatched_at=t.dispatched_at,
        replied_at=t.replied_at,
        closed_at=t.closed_at,
        clock_started_at=t.clock_started_at,
        budget=t.budget,
        budget_unit=t.budget_unit,
        warn_at=t.warn_at,
        paused=t.paused_since is not None,
        visit_result=t.visit_result,
        close_reason=t.close_reason,
        parent=t.parent.number if t.parent else None,
        merged_children=[] if new else list(t.merged_children.values_list("number", flat=True)),
        related=[] if new else list(t.related.values_list("number", flat=True)),
        assignments=[
            {
                "department": a.department.code,
                "department_name": a.department.name,
                "role": a.role,
                "level": a.level,
                "state": a.state,
                "active": a.active,
                "assigned_at": a.assigned_at,
                "ack_due_at": a.ack_due_at,
                "acknowledged_at": a.acknowledged_at,
                "replied_at": a.replied_at,
                "reply": a.reply,
            }
            for a in ([] if new else t.assignments.select_related("department").order_by("assigned_at", "id"))
        ],
        pauses=[] if new else list(t.pauses.values("started_at", "ended_at", "reason")),
        allowed_actions=allowed_actions(user, t),
    )
    return row


@router.get("/categories", response=list[s.CategoryOut], summary="诉求分类")
def categories(request: HttpRequest) -> list[dict[str, Any]]:
    qs = Category.objects.filter(is_active=True).select_related("parent")
    return [
        {
            "code": c.code,
            "name": c.name,
            "level": c.level,
            "parent": c.parent.code if c.parent else None,
            "pinyin_initials": c.pinyin_initials,
        }
        for c in qs
    ]


@router.post("/tickets", response={200: s.TicketOut, 201: s.TicketOut, **ERRORS}, summary="受理：新建工单")
def ticket_create(
    request: HttpRequest,
    payload: s.TicketCreateIn,
    idempotency_key: str = IDEMPOTENCY_KEY,
) -> Status[dict[str, Any]]:
    """Create a ticket. Send an `Idempotency-Key` header: a retry with the same key returns the first ticket (200)."""
    category = None
    if payload.category:
        category = category_by_code(payload.category)
        if category is None:
            raise InvalidInput(f"分类编码 {payload.category} 不存在。", fields={"category": "分类不存在"})
    citizen = payload.citizen or s.CitizenIn()
    data = svc.TicketInput(
        title=payload.title,
        content=payload.content,
        type=payload.type,
        channel=payload.channel,
        hotline=payload.hotline,
        urgency=payload.urgency,
        category=category,
        address=payload.address,
        district=_dept(payload.district, "district"),
        street=_dept(payload.street, "street"),
        latitude=payload.latitude,
        longitude=payload.longitude,
        citizen_name=citizen.name,
        citizen_phone=citizen.phone,
        citizen_id_number=citizen.id_number,
        confidential=citizen.confidential,
        anonymous=citizen.anonymous,
        no_callback=citizen.no_callback,
        external_refs=payload.external_refs,
    )
    ticket, created = svc.ticket_create(
        data=data,
        by=_user(request),
        submit=payload.submit,
        idempotency_key=idempotency_key.strip(),
    )
    return Status(201 if created else 200, _detail(_user(request), ticket, new=created))


@router.get("/tickets", response={200: s.TicketPage, **ERRORS}, summary="工单列表（按权限范围）")
def tickets(request: HttpRequest, filters: Query[s.ListQuery]) -> dict[str, Any]:
    user = _user(request)
    if filters.status:
        bad = [x for x in filters.status if x not in Ticket.Status.values]
        if bad:
            raise InvalidInput(f"未知状态：{'、'.join(bad)}。", fields={"status": "取值无效"})
    qs = ticket_list(
        user=user,
        status=filters.status,
        department=_dept(filters.department, "department"),
        overdue=filters.overdue,
        created_from=filters.created_from,
        created_to=filters.created_to,
        text=filters.q,
    )
    start = (filters.page - 1) * filters.page_size
    rows = list(qs[start : start + filters.page_size])
    count, exact = count_capped(qs)
    return {
        "count": count,
        "count_exact": exact,
        "page": filters.page,
        "page_size": filters.page_size,
        "results": [_list_row(t) for t in rows],
    }


@router.get("/tickets/{number}", response={200: s.TicketOut, **ERRORS}, summary="工单详情")
def ticket_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    return _detail(_user(request), ticket_get(user=_user(request), number=number))


@router.get(
    "/tickets/{number}/events", response={200: list[s.EventOut], **ERRORS}, summary="工单事件（只增不改）"
)
def ticket_events(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    ticket = ticket_get(user=_user(request), number=number)
    return [
        {
            "seq": e.seq,
            "action": e.action,
            "at": e.at,
            "actor": str(e.actor) if e.actor else None,
            "actor_role": e.actor_role,
            "actor_department": e.actor_department.code if e.actor_department else None,
            "from_status": e.from_status,
            "to_status": e.to_status,
            "note": e.note,
            "data": e.data,
        }
        for e in ticket.events.select_related("actor", "actor_department").order_by("seq")
    ]


@router.get(
    "/tickets/{number}/citizen", response={200: s.CitizenOut, **ERRORS}, summary="诉求人完整信息（审计）"
)
def ticket_citizen(request: HttpRequest, number: str) -> dict[str, Any]:
    """The citizen's unmasked details, for roles that may see them; every call is written to the audit log."""
    user = _user(request)
    ticket = ticket_get(user=user, number=number)
    return citizen_unmask(ticket=ticket, by=user, address=request.META.get("REMOTE_ADDR", ""))


@router.post("/tickets/{number}/attachments", response={201: s.AttachmentOut, **ERRORS}, summary="上传附件")
def ticket_attach(request: HttpRequest, number: str, file: File[UploadedFile]) -> Status[Attachment]:
    user = _user(request)
    ticket = ticket_get(user=user, number=number)
    att = svc.attachment_add(
        ticket=ticket,
        by=user,
        name=file.name or "",
        stream=cast(IO[bytes], file.file),
        size=file.size or 0,
    )
    return Status(201, att)


# The file itself is not a schema, so its 200 is declared by hand for generated clients.
_FILE_200 = {
    "200": {
        "description": "附件文件（Content-Type 为上传时识别出的类型）",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get(
    "/tickets/{number}/attachments/{attachment_id}",
    response={**ERRORS},
    summary="下载附件",
    openapi_extra={"responses": _FILE_200},
)
def ticket_attachment_download(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    ticket = ticket_get(user=_user(request), number=number)
    att = ticket.attachments.filter(pk=attachment_id).first()
    if att is None:
        raise NotFound("附件不存在。")
    return FileResponse(
        att.file.open("rb"), as_attachment=True, filename=att.name, content_type=att.content_type
    )


# Every lifecycle action is its own endpoint; each parses input and calls one service.


def _act(request: HttpRequest, number: str) -> tuple[User, Ticket]:
    user = _user(request)
    return user, ticket_get(user=user, number=number)


def _done(user: User, ticket: Ticket) -> dict[str, Any]:
    fresh = Ticket.objects.select_related(
        "category",
        "district",
        "street",
        "lead_department",
        "first_department",
        "completing_department",
        "parent",
    ).get(pk=ticket.pk)
    return _detail(user, fresh)


ACTION = {200: s.TicketOut, **ERRORS}


@router.post("/tickets/{number}/submit", response=ACTION, summary="提交待派")
def act_submit(request: HttpRequest, number: str, payload: s.VersionIn) -> dict[str, Any]:
    user, t = _act(request, number)
    return _done(user, svc.ticket_submit(ticket=t, by=user, version=payload.version))


@router.post("/tickets/{number}/answer", response=ACTION, summary="直接答复（办结于首次接触）")
def act_answer(request: HttpRequest, number: str, payload: s.AnswerIn) -> dict[str, Any]:
    user, t = _act(request, number)
    return _done(user, svc.ticket_answer(ticket=t, by=user, answer=payload.answer, version=payload.version))


@router.post("/tickets/{number}/dispatch", response=ACTION, summary="派单（主办 + 协办）")
def act_dispatch(request: HttpRequest, number: str, payload: s.DispatchIn) -> dict[str, Any]:
    user, t = _act(request, number)
    lead = _dept_required(payload.lead, "lead")
    assists = [d for code in payload.assists if (d := _dept(code, "assists")) is not None]
    return _done(
        user,
        svc.ticket_dispatch(
            ticket=t,
            by=user,
            lead=lead,
            assists=assists,
            note=payload.note,
            version=payload.version,
        ),
    )


@router.post("/tickets/{number}/redispatch", response=ACTION, summary="改派")
def act_redispatch(request: HttpRequest, number: str, payload: s.DispatchIn) -> dict[str, Any]:
    user, t = _act(request, number)
    lead = _dept_required(payload.lead, "lead")
    assists = [d for code in payload.assists if (d := _dept(code, "assists")) is not None]
    return _done(
        user,
        svc.ticket_redispatch(
            ticket=t,
            by=user,
            lead=lead,
            assists=assists,
            note=payload.note,
            version=payload.version,
        ),
    )


@router.post("/tickets/{number}/acknowledge", response=ACTION, summary="签收")
def act_acknowledge(request: HttpRequest, number: str, payload: s.VersionIn) -> dict[str, Any]:
    user, t = _act(request, number)
    return _done(user, svc.ticket_acknowledge(ticket=t, by=user, version=payload.version))


@router.post("/tickets/{number}/subdispatch", response=ACTION, summary="二次派单（本单位下级）")
def act_subdispatch(request: HttpRequest, number: str, payload: s.SubdispatchIn) -> dict[str, Any]:
    user, t = _act(request, number)
    dept = _dept_required(payload.department, "department")
    return _done(
        user,
        svc.ticket_subdispatch(
            ticket=t,
            by=user,
            department=dept,
            note=payload.note,
            version=payload.version,
        ),
    )


@router.post("/tickets/{number}/assist-reply", response=ACTION, summary="协办意见")
def act_assist_reply(request: HttpRequest, number: str, payload: s.ReplyIn) -> dict[str, Any]:
    user, t = _act(request, number)
    return _done(
        user, svc.ticket_assist_reply(ticket=t, by=user, reply=payload.reply, version=payload.version)
    )


@router.post("/tickets/{number}/reply", response=ACTION, summary="办结答复")
def act_reply(request: HttpRequest, number: str, payload: s.ReplyIn) -> dict[str, Any]:
    user, t = _act(request, number)
    return _done(user, svc.ticket_reply(ticket=t, by=user, reply=payload.reply, version=payload.version))


@router.post("/tickets/{number}/review", response=ACTION, summary="审核（通过 / 退回）")
def act_review(request: HttpRequest, number: str, payload: s.DecisionIn) -> dict[str, Any]:
    user, t = _act(request, number)
    return _done(
        user,
        svc.ticket_review(
            ticket=t, by=user, approve=payload.approve, note=payload.note, version=payload.version
        ),
    )


@router.post("/tickets/{number}/visit", response=ACTION, summary="回访结果")
def act_visit(request: HttpRequest, number: str, payload: s.VisitIn) -> dict[str, Any]:
    user, t = _act(request, number)
    return _done(
        user,
        svc.ticket_visit(
            ticket=t, by=user, result=payload.result, note=payload.note, version=payload.version
        ),
    )


@router.post("/tickets/{number}/reopen", response=ACTION, summary="重办")
def act_reopen(request: HttpRequest, number: str, payload: s.ReasonIn) -> dict[str, Any]:
    user, t = _act(request, number)
    return _done(user, svc.ticket_reopen(ticket=t, by=user, reason=payload.reason, version=payload.version))


@router.post("/tickets/{number}/return-request", response=ACTION, summary="申请退单")
def act_return_request(request: HttpRequest, number: str, payload: s.ReturnRequestIn) -> dict[str, Any]:
    user, t = _act(request, number)
    return _done(
        user,
        svc.ticket_return_request(
            ticket=t, by=user, reason=payload.reason, legal_basis=payload.legal_basis, version=payload.version
        ),
    )


@router.post("/tickets/{number}/return-decision", response=ACTION, summary="退单审核（同意 / 驳回）")
def act_return_decision(request: HttpRequest, number: str, payload: s.DecisionIn) -> dict[str, Any]:
    user, t = _act(request, number)
    return _done(
        user,
        svc.ticket_return_decide(
            ticket=t, by=user, approve=payload.approve, note=payload.note, version=payload.version
        ),
    )


@router.post("/tickets/{number}/extension-request", response=ACTION, summary="申请延期")
def act_extension_request(request: HttpRequest, number: str, payload: s.ExtensionRequestIn) -> dict[str, Any]:
    user, t = _act(request, number)
    return _done(
        user,
        svc.ticket_extension_request(
            ticket=t, by=user, days=payload.days, reason=payload.reason, version=payload.version
        ),
    )


@router.post("/tickets/{number}/extension-decision", response=ACTION, summary="延期审核（同意 / 驳回）")
def act_extension_decision(request: HttpRequest, number: str, payload: s.DecisionIn) -> dict[str, Any]:
    user, t = _act(request, number)
    return _done(
        user,
        svc.ticket_extension_decide(
            ticket=t, by=user, approve=payload.approve, note=payload.note, version=payload.version
        ),
    )


@router.post("/tickets/{number}/urge", response=ACTION, summary="催办")
def act_urge(request: HttpRequest, number: str, payload: s.NoteIn) -> dict[str, Any]:
    user, t = _act(request, number)
    return _done(user, svc.ticket_urge(ticket=t, by=user, note=payload.note, version=payload.version))


@router.post("/tickets/{number}/supervise", response=ACTION, summary="督办（设置 / 取消）")
def act_supervise(request: HttpRequest, number: str, payload: s.SuperviseIn) -> dict[str, Any]:
    user, t = _act(request, number)
    return _done(
        user,
        svc.ticket_supervise(ticket=t, by=user, on=payload.on, note=payload.note, version=payload.version),
    )


@router.post("/tickets/{number}/merge", response=ACTION, summary="并单（并入主工单）")
def act_merge(request: HttpRequest, number: str, payload: s.MergeIn) -> dict[str, Any]:
    user, t = _act(request, number)
    parent = ticket_get(user=user, number=payload.parent)
    return _done(
        user, svc.ticket_merge(ticket=t, by=user, parent=parent, note=payload.note, version=payload.version)
    )


@router.post("/tickets/{number}/unmerge", response=ACTION, summary="撤销并单")
def act_unmerge(request: HttpRequest, number: str, payload: s.NoteIn) -> dict[str, Any]:
    user, t = _act(request, number)
    return _done(user, svc.ticket_unmerge(ticket=t, by=user, note=payload.note, version=payload.version))


@router.post("/tickets/{number}/invalidate", response=ACTION, summary="无效件（骚扰、测试等）")
def act_invalidate(request: HttpRequest, number: str, payload: s.ReasonIn) -> dict[str, Any]:
    user, t = _act(request, number)
    return _done(
        user, svc.ticket_invalidate(ticket=t, by=user, reason=payload.reason, version=payload.version)
    )


@router.post("/tickets/{number}/archive", response=ACTION, summary="归档")
def act_archive(request: HttpRequest, number: str, payload: s.VersionIn) -> dict[str, Any]:
    user, t = _act(request, number)
    return _done(user, svc.ticket_archive(ticket=t, by=user, version=payload.version))
