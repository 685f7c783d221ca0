"""The switchboard page (政务总机) for agents: search the directory, transfer, log; import for supervisors."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from hotline.accounts.models import Role, User
from hotline.core.errors import ServiceError
from hotline.core.masking import mask_phone
from hotline.exchange.models import Office, SwitchboardTransfer
from hotline.exchange.selectors import offices_search, transfers_recent
from hotline.exchange.services.switchboard import (
    COLUMNS,
    IMPORT_ROLES,
    TRANSFER_ROLES,
    offices_import,
    transfer_record,
)
from hotline.tickets.views.common import role_required

PAGE_ROLES = (*TRANSFER_ROLES, Role.ADMIN)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _context(request: HttpRequest, q: str, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    transfers = list(transfers_recent())
    for t in transfers:
        t.caller_shown = mask_phone(t.caller_phone)  # type: ignore[attr-defined]
    return {
        "q": q,
        "offices": offices_search(q),
        "transfers": transfers,
        "outcomes": SwitchboardTransfer.Outcome.choices,
        "can_transfer": user.role in TRANSFER_ROLES,
        "can_import": user.role in IMPORT_ROLES,
        "total": Office.objects.filter(is_active=True).count(),
        "kept": {},
        "errors": {},
        "open_id": None,
        **extra,
    }


@role_required(*PAGE_ROLES)
def directory(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:50]
    return render(request, "exchange/switchboard.html", _context(request, q))


@role_required(*PAGE_ROLES)
def search(request: HttpRequest) -> HttpResponse:
    """The result rows alone, for the live search box (htmx)."""
    q = request.GET.get("q", "")[:50]
    ctx = _context(request, q)
    return render(request, "exchange/partials/offices.html", ctx)


@require_POST
@role_required(*PAGE_ROLES)
def transfer(request: HttpRequest) -> HttpResponse:
    post = request.POST
    q = post.get("q", "")[:50]
    raw_id = post.get("office", "")
    office = Office.objects.filter(pk=int(raw_id)).first() if raw_id.isdecimal() else None
    try:
        record = transfer_record(
            office=office,
            by=_user(request),
            outcome=post.get("outcome", ""),
            caller_phone=post.get("caller_phone", ""),
            ticket_number=post.get("ticket", ""),
            note=post.get("note", ""),
        )
    except ServiceError as exc:
        ctx = _context(
            request,
            q,
            kept=post.dict(),
            errors=exc.fields or {"office": exc.message},
            form_error=exc.message,
            open_id=office.pk if office else None,
        )
        return render(request, "exchange/switchboard.html", ctx, status=400)
    messages.success(
        request, f"已记录：转接 {record.office}（{record.number}），{record.get_outcome_display()}。"
    )
    return redirect(f"/switchboard/?{urlencode({'q': q})}" if q else "/switchboard/")


@require_http_methods(["GET", "POST"])
@role_required(*IMPORT_ROLES)
def import_offices(request: HttpRequest) -> HttpResponse:
    ctx: dict[str, Any] = {"columns": list(COLUMNS), "errors": {}, "form_error": ""}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            ctx.update(form_error="请选择要上传的 xlsx 文件。")
            return render(request, "exchange/import.html", ctx, status=400)
        try:
            result = offices_import(stream=upload, size=upload.size or 0, by=_user(request))
        except ServiceError as exc:
            ctx.update(form_error=exc.message, errors=exc.fields, filename=upload.name)
            return render(request, "exchange/import.html", ctx, status=400)
        messages.success(
            request,
            f"导入完成：共 {result.rows} 行，新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}。",
        )
        return redirect("/switchboard/")
    return render(request, "exchange/import.html", ctx)


@role_required(*IMPORT_ROLES)
def import_template(request: HttpRequest) -> HttpResponse:
    """An empty sheet with the expected headings and one example row."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "政务总机"
    sheet.append(list(COLUMNS))
    sheet.append(
        [
            "办公室",
            "市市场监督管理局",
            "0571-85171234",
            "8001",
            "工作日 8:30-17:30",
            "解放路 1 号",
            "综合协调",
            "",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="switchboard-template.xlsx"'
    return response
