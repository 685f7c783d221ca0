"""The provincial platform page (省平台对接): the outbox, a pull now, and the reconciliation report."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from hotline.accounts.models import Role
from hotline.exchange import conf
from hotline.exchange.models import ExchangeCursor, ProvinceOutbox
from hotline.exchange.province.client import ProvinceError
from hotline.exchange.services import province as svc
from hotline.tickets.views.common import role_required

PAGE_ROLES = (Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN)


def _context(**extra: Any) -> dict[str, Any]:
    counts = dict(ProvinceOutbox.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {
        "enabled": conf.get_bool("PROVINCE_ENABLED"),
        "base_url": conf.get("PROVINCE_BASE_URL"),
        "cursor": ExchangeCursor.objects.filter(name=svc.FEED).first(),
        "counts": [(label, counts.get(value, 0), value) for value, label in ProvinceOutbox.Status.choices],
        "rows": list(ProvinceOutbox.objects.select_related("ticket").order_by("-created_at")[:50]),
        "mismatches": None,
        "error": "",
        **extra,
    }


@role_required(*PAGE_ROLES)
def desk(request: HttpRequest) -> HttpResponse:
    return render(request, "exchange/province.html", _context())


@role_required(*PAGE_ROLES)
@require_POST
def pull(request: HttpRequest) -> HttpResponse:
    try:
        result = svc.province_pull()
    except ProvinceError as exc:
        return render(
            request, "exchange/province.html", _context(error=f"拉取失败：{exc.message}"), status=502
        )
    note = f"拉取完成：读到 {result.seen} 件，新建 {len(result.created)} 件工单。"
    if result.rejected:
        note += f" 未能接收 {len(result.rejected)} 件：" + "；".join(result.rejected[:5])
    messages.success(request, note)
    return redirect("exchange:province")


@role_required(*PAGE_ROLES)
def reconcile(request: HttpRequest) -> HttpResponse:
    try:
        found = svc.province_reconcile()
    except ProvinceError as exc:
        return render(
            request, "exchange/province.html", _context(error=f"对账失败：{exc.message}"), status=502
        )
    return render(request, "exchange/province.html", _context(mismatches=found))


@role_required(*PAGE_ROLES)
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(ProvinceOutbox, pk=pk)
    done = svc.province_redeliver(row=row)
    if done is not None and done.status == ProvinceOutbox.Status.DELIVERED:
        messages.success(request, f"已重新推送：{row.get_kind_display()} {row.province_id}")
    else:
        messages.warning(request, f"仍未送达：{done.last_error if done else ''}（将按退避时间继续重试）")
    return redirect("exchange:province")
