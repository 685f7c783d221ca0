"""E-mail intake: an .eml becomes a ticket once per Message-ID; bad files are refused and create nothing."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from django.core.management import CommandError, call_command

from hotline.core.errors import InvalidInput
from hotline.exchange.models import EmailIntake
from hotline.exchange.services.email import email_ticket_create
from hotline.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _eml(
    *,
    subject="反映小区噪音问题",
    body="夜间施工噪音扰民，联系电话 13912345678。",
    html=False,
    mid="<a1@mail.example>",
) -> bytes:
    msg = EmailMessage()
    msg["From"] = "张三 <zhang@example.com>"
    msg["To"] = "12345@hotline.gov.cn"
    msg["Subject"] = subject
    if mid:
        msg["Message-ID"] = mid
    if html:
        msg.set_content("<p>路灯<b>不亮</b>&amp;很黑</p><script>alert(1)</script>", subtype="html")
    else:
        msg.set_content(body)
    msg.add_attachment(b"\x89PNG....", maintype="image", subtype="png", filename="现场.png")
    return bytes(msg)


def test_email_becomes_a_ticket_once():
    ticket, created = email_ticket_create(raw=_eml())
    assert (
        created and ticket.channel == Ticket.Channel.EMAIL and ticket.status == Ticket.Status.PENDING_DISPATCH
    )
    assert ticket.title == "反映小区噪音问题" and ticket.citizen_name == "张三"
    assert ticket.citizen_phone == "13912345678" and not ticket.no_callback
    assert "现场.png" in ticket.content and "zhang@example.com" in ticket.content
    again, created_again = email_ticket_create(raw=_eml())
    assert again.pk == ticket.pk and not created_again
    assert Ticket.objects.count() == 1 and EmailIntake.objects.count() == 1


def test_html_only_mail_is_reduced_to_text():
    ticket, _ = email_ticket_create(raw=_eml(html=True, mid="<h1@x>"))
    assert "路灯不亮&很黑" in ticket.content and "<" not in ticket.content.split("来信")[0]
    assert ticket.no_callback  # no phone number in the mail


def test_without_message_id_the_content_hash_dedupes():
    raw = _eml(mid="")
    assert email_ticket_create(raw=raw)[1] and not email_ticket_create(raw=raw)[1]


@pytest.mark.parametrize(
    "raw",
    [b"this is not an e-mail at all", b"From: nobody\r\nSubject: x\r\n\r\nbody"],
)
def test_not_an_email_is_refused(raw):
    with pytest.raises(InvalidInput):
        email_ticket_create(raw=raw)
    assert not Ticket.objects.exists()


def test_oversized_mail_is_refused():
    with pytest.raises(InvalidInput):
        email_ticket_create(raw=b"x" * (10 * 1024 * 1024 + 1))


def test_command_reports_each_file(tmp_path, capsys):
    good, bad = tmp_path / "good.eml", tmp_path / "bad.eml"
    good.write_bytes(_eml())
    bad.write_bytes(b"garbage")
    with pytest.raises(CommandError):
        call_command("exchange", "ingest-email", str(good), str(bad), str(tmp_path / "missing.eml"))
    out, err = capsys.readouterr()
    assert "新建工单" in out and "发件人" in err and "无法读取" in err
    assert Ticket.objects.count() == 1
