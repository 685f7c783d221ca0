"""Portal reads: finding a ticket by number and code, and what the public may see of its history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hotline.intake.codes import code_check, code_normalize
from hotline.tickets.models import VISIT_RESULT_LABELS, Ticket, TicketEvent

S = Ticket.Status
PUBLIC_STATUS: dict[str, str] = {
    S.DRAFT: "已受理，等待派单",
    S.PENDING_DISPATCH: "已受理，等待派单",
    S.DISPATCHED: "办理中",
    S.ACKNOWLEDGED: "办理中",
    S.RETURN_PENDING: "办理中",
    S.EXTENSION_PENDING: "办理中",
    S.REPLIED: "办理中（答复审核中）",
    S.PENDING_VISIT: "已答复，待回访",
    S.CLOSED: "已办结",
    S.ANSWERED: "已办结",
    S.ARCHIVED: "已办结",
    S.MERGED: "已与相同诉求合并办理",
    S.INVALID: "已关闭",
}


@dataclass(frozen=True)
class PublicStep:
    at: datetime
    label: str
    text: str = ""


def ticket_by_code(*, number: str, code: str) -> Ticket | None:
    """The ticket if the number exists and the code is its code; the same work and answer otherwise."""
    number = "".join(ch for ch in (number or "") if ch.isdecimal())[:20]
    ticket = Ticket.objects.filter(number=number).exclude(query_code_hash="").first() if number else None
    ok = code_check(ticket.query_code_hash if ticket else "", code_normalize(code))
    return ticket if ticket is not None and ok else None


def public_status(ticket: Ticket) -> str:
    return PUBLIC_STATUS.get(ticket.status, "办理中")


def _label(e: TicketEvent) -> str:
    d = e.data or {}
    labels = {
        "create": "诉求已受理",
        "submit": "已提交，等待派单",
        "dispatch": f"已转交承办单位：{d.get('lead_name', '')}".rstrip("："),
        "redispatch": f"已改派承办单位：{d.get('lead_name', '')}".rstrip("："),
        "acknowledge": "承办单位已签收，正在办理",
        "subdispatch": f"已转交 {d.get('department_name', '下级单位')} 办理",
        "return_approve": "重新确定承办单位",
        "extension_approve": f"办理期限延长 {d.get('days', '')} 个工作日" if d.get("approved") else "",
        "reply": "承办单位已答复",
        "review_approve": "答复已审核",
        "review_reject": "答复需补充，承办单位继续办理",
        "visit": "已回访：" + VISIT_RESULT_LABELS.get(str(d.get("result", "")), ""),
        "reopen": "重新办理",
        "urge": "热线已催办承办单位",
        "supervise": "已列入督办" if d.get("on") else "",
        "merge": "与相同诉求合并办理",
        "unmerge": "撤销合并，继续办理",
        "invalidate": "已关闭",
        "answer": "已答复",
        "archive": "已归档",
        "rate": "您已评价",
    }
    return labels.get(e.action, "")


def public_timeline(ticket: Ticket) -> list[PublicStep]:
    """Status changes and replies the citizen may see: no staff names, no internal notes.

    A department's reply text is shown once the centre approved it (a reply sent back is not final).
    """
    events = list(ticket.events.order_by("seq"))
    approved_replies: set[int] = set()
    pending_reply: TicketEvent | None = None
    for e in events:
        if e.action == "reply":
            pending_reply = e
        elif e.action == "review_approve" and pending_reply is not None:
            approved_replies.add(pending_reply.pk)
            pending_reply = None
        elif e.action == "review_reject":
            pending_reply = None
    steps = []
    for e in events:
        label = _label(e)
        if not label:
            continue
        text = ""
        if e.action == "answer" or (e.action == "reply" and e.pk in approved_replies):
            text = e.note
        steps.append(PublicStep(at=e.at, label=label, text=text))
    return steps


def final_answer(ticket: Ticket) -> str:
    """The answer the citizen got: the direct answer, or the last approved department reply."""
    replies = [s for s in public_timeline(ticket) if s.text]
    return replies[-1].text if replies else ""
