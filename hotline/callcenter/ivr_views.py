"""IVR flow editor for admins: a flow as a table of nodes (one row each), checked on save.

The rows become the flow's JSON (`engine/ivr.py`); `IvrFlow.clean()` refuses dead ends, missing
prompts, silent loops, unknown or unstaffed queues, with every reason in Chinese. A refused flow is
shown again exactly as typed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from hotline.accounts.models import Role
from hotline.callcenter.models import Hotline, IvrFlow, Prompt, Queue
from hotline.tickets.views.common import role_required

EDIT_ROLES = (Role.ADMIN, Role.SUPERVISOR)
KIND_LABELS = [
    ("play", "播放提示音"),
    ("menu", "按键菜单"),
    ("hours", "工作时间判断"),
    ("queue", "转人工队列"),
    ("transfer", "转外线号码"),
    ("hangup", "播放后挂机"),
]
NODE_ID = re.compile(r"^[A-Za-z0-9_\-]{1,30}$")
OPTION = re.compile(r"^\s*([0-9*#])\s*[=:：]\s*([A-Za-z0-9_\-]{1,30})\s*$")
EXTRA_ROWS = 3


class FlowForm(forms.Form):
    name = forms.CharField(label="流程名称", max_length=60)
    start = forms.CharField(label="起始节点", max_length=30)


class NodeForm(forms.Form):
    node_id = forms.CharField(label="节点", max_length=30, required=False)
    type = forms.ChoiceField(label="类型", choices=[("", "—"), *KIND_LABELS], required=False)
    prompt = forms.ChoiceField(label="提示音", required=False)
    next = forms.CharField(label="下一步 / 默认 / 工作时间内", max_length=30, required=False)
    closed = forms.CharField(label="非工作时间", max_length=30, required=False)
    options = forms.CharField(label="按键（如 1=english, 9=staff）", max_length=200, required=False)
    queue = forms.ChoiceField(label="队列", required=False)
    number = forms.CharField(label="外线号码", max_length=30, required=False)
    timeout_s = forms.IntegerField(label="等待按键（秒）", min_value=1, max_value=30, required=False)
    retries = forms.IntegerField(label="重试次数", min_value=0, max_value=5, required=False)
    self_service = forms.BooleanField(label="自助完成（不计漏接）", required=False)

    def __init__(self, *args: Any, prompts: list[tuple[str, str]], queues: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.fields["prompt"].choices = [("", "—"), *prompts]  # type: ignore[attr-defined]
        self.fields["queue"].choices = [("", "—"), *queues]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        nid, kind = data.get("node_id", "").strip(), data.get("type", "")
        if not nid and not kind:
            return data  # an empty row
        if not nid or not NODE_ID.match(nid):
            self.add_error("node_id", "节点名只能用字母、数字、下划线或短横线（最多 30 个）。")
        if not kind:
            self.add_error("type", "请选择节点类型。")
        raw = data.get("options", "").strip()
        if raw:
            for part in re.split(r"[,，;；\s]+(?=[0-9*#]\s*[=:：])", raw):
                if not OPTION.match(part):
                    self.add_error("options", f"按键“{part[:20]}”格式应为 按键=节点，如 1=english。")
                    break
        return data

    def node(self) -> tuple[str, dict[str, Any]] | None:
        """The row as a flow node (None for an empty row)."""
        d = self.cleaned_data
        nid, kind = d.get("node_id", "").strip(), d.get("type", "")
        if not nid:
            return None
        node: dict[str, Any] = {"type": kind}
        if d.get("prompt"):
            node["prompt"] = d["prompt"]
        nxt = d.get("next", "").strip()
        if kind == "play" and nxt:
            node["next"] = nxt
        elif kind == "menu":
            node["options"] = {
                m.group(1): m.group(2)
                for part in re.split(r"[,，;；\s]+(?=[0-9*#]\s*[=:：])", d.get("options", "").strip())
                if (m := OPTION.match(part))
            }
            if nxt:
                node["default"] = nxt
            node["timeout_s"] = d.get("timeout_s") or 5
            node["retries"] = d.get("retries") if d.get("retries") is not None else 1
        elif kind == "hours":
            if nxt:
                node["open"] = nxt
            if d.get("closed", "").strip():
                node["closed"] = d["closed"].strip()
        elif kind == "queue" and d.get("queue"):
            node["queue"] = d["queue"]
        elif kind == "transfer" and d.get("number", "").strip():
            node["number"] = d["number"].strip()
        elif kind == "hangup" and d.get("self_service"):
            node["missed"] = False
        return nid, node


def rows_of(flow: dict[str, Any]) -> list[dict[str, Any]]:
    """A stored flow as the editor's rows (start node first)."""
    nodes = flow.get("nodes") or {}
    order = sorted(nodes, key=lambda n: (n != flow.get("start"), list(nodes).index(n)))
    rows = []
    for nid in order:
        n = nodes[nid] if isinstance(nodes[nid], dict) else {}
        kind = n.get("type", "")
        rows.append({
            "node_id": nid, "type": kind, "prompt": n.get("prompt", ""),
            "next": n.get("next") or n.get("default") or n.get("open") or "",
            "closed": n.get("closed", ""),
            "options": ", ".join(f"{k}={v}" for k, v in (n.get("options") or {}).items()),
            "queue": n.get("queue", ""), "number": n.get("number", ""),
            "timeout_s": n.get("timeout_s"), "retries": n.get("retries"),
            "self_service": kind == "hangup" and n.get("missed") is False,
        })  # fmt: skip
    return rows


NodeFormSet = formset_factory(NodeForm, extra=0, max_num=60, validate_max=True)


def _choices() -> dict[str, list[tuple[str, str]]]:
    return {
        "prompts": [(p.key, f"{p.key} · {p.name}") for p in Prompt.objects.order_by("key")],
        "queues": [
            (q.key, f"{q.key} · {q.name}") for q in Queue.objects.filter(is_active=True).order_by("key")
        ],
    }


@role_required(*EDIT_ROLES)
@require_GET
def ivr_list(request: HttpRequest) -> HttpResponse:
    flows = list(IvrFlow.objects.order_by("name"))
    used: dict[int, list[str]] = {}
    for number, fid in Hotline.objects.filter(ivr__isnull=False).values_list("number", "ivr_id"):
        used.setdefault(fid, []).append(number)
    return render(
        request,
        "callcenter/ivr_list.html",
        {"flows": [(f, used.get(f.pk, []), len(f.flow.get("nodes") or {})) for f in flows]},
    )


@role_required(*EDIT_ROLES)
def ivr_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Edit (or create) a flow; saving is refused with every reason when the flow is unsound."""
    flow = IvrFlow.objects.filter(pk=pk).first() if pk is not None else IvrFlow(flow={})
    if flow is None:
        return render(request, "callcenter/ivr_edit.html", {"missing": True}, status=404)
    choices = _choices()
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        head = FlowForm(request.POST)
        rows = NodeFormSet(request.POST, form_kwargs=choices)
        if request.POST.get("more"):
            # More empty rows: re-render what was typed, with three blank rows added (nothing saved).
            data = request.POST.copy()
            total = int(data.get("form-TOTAL_FORMS", "0") or 0)
            data["form-TOTAL_FORMS"] = str(min(total + EXTRA_ROWS, 60))
            rows = NodeFormSet(data, form_kwargs=choices)
            rows.errors  # noqa: B018 - bind the forms so their typed values show
            return _page(request, flow, head, rows, [], 200)
        if head.is_valid() and rows.is_valid():
            nodes: dict[str, Any] = {}
            for form in rows.forms:
                made = form.node()
                if made is None:
                    continue
                nid, node = made
                if nid in nodes:
                    errors.append(f"节点名“{nid}”重复，请改名。")
                nodes[nid] = node
            flow.name = head.cleaned_data["name"].strip()
            flow.flow = {"start": head.cleaned_data["start"].strip(), "nodes": nodes}
            if not errors:
                try:
                    flow.full_clean()
                except ValidationError as exc:
                    errors.extend(_messages(exc))
            if not errors:
                flow.save()
                messages.success(request, f"IVR 流程“{flow.name}”已保存，新来电即按此流程执行。")
                return redirect("callcenter:ivr_edit", pk=flow.pk)
        else:
            errors.append("请按提示修改标红的内容。")
        status = 400
    else:
        head = FlowForm(initial={"name": flow.name, "start": flow.flow.get("start", "") if flow.flow else ""})
        initial = rows_of(flow.flow or {})
        rows = NodeFormSet(initial=initial + [{}] * EXTRA_ROWS, form_kwargs=choices)
    return _page(request, flow, head, rows, errors, status)


def _messages(exc: ValidationError) -> list[str]:
    out: list[str] = []
    for field, msgs in exc.message_dict.items():
        label = {"name": "流程名称", "flow": ""}.get(field, field)
        out.extend(f"{label}：{m}" if label else m for m in msgs)
    return out


def _page(
    request: HttpRequest, flow: IvrFlow, head: FlowForm, rows: Any, errors: list[str], status: int
) -> HttpResponse:
    hotlines = list(Hotline.objects.filter(ivr=flow).values_list("number", flat=True)) if flow.pk else []
    return render(
        request,
        "callcenter/ivr_edit.html",
        {
            "flow": flow, "head": head, "rows": rows, "errors": errors, "kinds": KIND_LABELS,
            "hotlines": hotlines, "json": json.dumps(flow.flow or {}, ensure_ascii=False, indent=2),
        },
        status=status,
    )  # fmt: skip
