"""E-mail intake without IMAP: an .eml file (saved by the mail system or forwarded) becomes a ticket, once."""

from __future__ import annotations

import hashlib
import html
import logging
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr

import nh3
from django.db import IntegrityError, transaction

from hotline.core.errors import InvalidInput
from hotline.exchange.models import EmailIntake
from hotline.tickets.models import Ticket
from hotline.tickets.services import TicketInput, ticket_create

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
BODY_MAX = 9000
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, UnicodeDecodeError) as exc:
        raise InvalidInput("邮件正文的字符编码无法识别。", fields={"body": "编码无效"}) from exc
    if part.get_content_subtype() == "html":
        text = html.unescape(nh3.clean(text, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", str(text)).strip()


def email_ticket_create(*, raw: bytes) -> tuple[Ticket, bool]:
    """Parse the message and create a ticket waiting for dispatch (channel 邮件); the same Message-ID again
    returns the first ticket."""
    if len(raw) > MAX_BYTES:
        raise InvalidInput(f"邮件超过 {MAX_BYTES // 1024 // 1024} MB。", fields={"file": "过大"})
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    name, address = parseaddr(str(msg.get("From", "")))
    subject = str(msg.get("Subject", "")).strip()
    if not address or "@" not in address:
        raise InvalidInput("不是有效的邮件：缺少发件人（From）。", fields={"From": "缺少"})
    body = _body(msg)
    if not body and not subject:
        raise InvalidInput("邮件没有主题也没有正文。", fields={"body": "为空"})
    if len(body) > BODY_MAX:
        body = body[:BODY_MAX] + "\n（邮件正文过长，已截断）"
    attached = [p.get_filename() for p in msg.iter_attachments() if p.get_filename()]
    if attached:
        body += "\n附件（见原邮件）：" + "、".join(str(a) for a in attached)
    message_id = str(msg.get("Message-ID", "")).strip()[:250] or "sha256:" + hashlib.sha256(raw).hexdigest()
    found = EmailIntake.objects.filter(message_id=message_id).select_related("ticket").first()
    if found is not None:
        return found.ticket, False
    phone = _PHONE.search(body)
    data = TicketInput(
        title=(subject or body[:20])[:200],
        content=f"{body}\n\n来信：{name} <{address}>" if name else f"{body}\n\n来信：{address}",
        type=Ticket.Type.HELP,
        channel=Ticket.Channel.EMAIL,
        citizen_name=name.strip()[:60],
        citizen_phone=phone.group(1) if phone else "",
        no_callback=phone is None,
    )
    try:
        with transaction.atomic():
            ticket, _ = ticket_create(data=data, by=None, submit=True)
            # The unique Message-ID decides between concurrent twins; the loser's ticket rolls back.
            EmailIntake.objects.create(
                message_id=message_id, sender=address[:254], subject=subject[:300], ticket=ticket
            )
    except IntegrityError:
        twin = EmailIntake.objects.filter(message_id=message_id).select_related("ticket").first()
        if twin is None:
            raise
        return twin.ticket, False
    log.info("email: %s from %s became ticket %s", message_id, address, ticket.number)
    return ticket, True
