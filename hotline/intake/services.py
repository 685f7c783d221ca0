"""Portal writes: a citizen's submission becomes a ticket waiting for dispatch, with a query code."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotline.accounts.models import Department
from hotline.core.errors import InvalidInput
from hotline.intake.codes import code_hash, code_new
from hotline.tickets.models import Ticket
from hotline.tickets.services import TicketInput, ticket_create

CONTENT_MAX = 2000
ADDRESS_MAX = 200
NAME_MAX = 30
TITLE_WORDS = 20
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{7,8})$")


@dataclass
class Submission:
    type: str
    content: str
    address: str = ""
    district: Department | None = None
    name: str = ""
    phone: str = ""
    anonymous: bool = False


def submission_errors(s: Submission) -> dict[str, str]:
    """Every problem with a submission, per field, in plain Chinese."""
    e: dict[str, str] = {}
    if s.type not in Ticket.Type.values:
        e["type"] = "请选择诉求类型。"
    content = s.content.strip()
    if not content:
        e["content"] = "请填写诉求内容。"
    elif len(content) < 5:
        e["content"] = "诉求内容太短，请写清楚发生了什么、在哪里。"
    elif len(content) > CONTENT_MAX:
        e["content"] = f"诉求内容不能超过 {CONTENT_MAX} 个字（当前 {len(content)} 个字）。"
    if len(s.address.strip()) > ADDRESS_MAX:
        e["address"] = f"地址不能超过 {ADDRESS_MAX} 个字。"
    name, phone = s.name.strip(), s.phone.strip().replace(" ", "")
    if len(name) > NAME_MAX:
        e["name"] = f"姓名不能超过 {NAME_MAX} 个字。"
    elif not s.anonymous and not name:
        e["name"] = "请填写联系人姓名，或勾选“匿名反映”。"
    if phone and not PHONE_RE.match(phone):
        e["phone"] = "请填写正确的手机号（11 位）或固定电话（如 0571-12345678）。"
    elif not phone and not s.anonymous:
        e["phone"] = "请填写联系电话，以便承办单位联系和回访。"
    return e


def portal_submit(s: Submission) -> tuple[Ticket, str]:
    """Create the ticket (channel web, waiting for dispatch); returns it and the query code, shown once."""
    errors = submission_errors(s)
    if errors:
        raise InvalidInput("提交的内容有误，请按提示修改。", fields=errors)
    content = s.content.strip()
    words = re.sub(r"\s+", " ", content)
    head = words[:TITLE_WORDS] + ("…" if len(words) > TITLE_WORDS else "")
    phone = s.phone.strip().replace(" ", "")
    code = code_new()
    data = TicketInput(
        title=f"{Ticket.Type(s.type).label}：{head}",
        content=content,
        type=s.type,
        channel=Ticket.Channel.WEB,
        address=s.address.strip(),
        district=s.district,
        citizen_name="" if s.anonymous else s.name.strip(),
        citizen_phone=phone,
        anonymous=s.anonymous,
        no_callback=not phone,
        query_code_hash=code_hash(code),
    )
    ticket, _ = ticket_create(data=data, by=None, submit=True)
    return ticket, code
