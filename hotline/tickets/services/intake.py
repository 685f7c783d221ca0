"""Intake: creating tickets (idempotently), ticket numbers, attachments."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import PurePath
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from hotline.accounts.models import Department, User
from hotline.core.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed
from hotline.tickets.models import Attachment, Category, ExternalRef, IdempotencyKey, NumberSequence, Ticket
from hotline.tickets.permissions import actor_role, ticket_visible_to
from hotline.tickets.services._base import ticket_event, ticket_lock, ticket_save
from hotline.tickets.workflow import INTAKE, SYSTEM

TITLE_MAX = 200
CONTENT_MAX = 10_000
ADDRESS_MAX = 300

# Extension -> the content type the file's bytes must show. Nothing executable, no archives.
ALLOWED_ATTACHMENTS = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "bmp": "image/bmp",
    "heic": "image/heic",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "mp3": "audio/mpeg",
    "wav": "audio/x-wav",
    "amr": "audio/amr",
    "m4a": "audio/mp4",
    "mp4": "video/mp4",
}


@dataclass
class TicketInput:
    """What intake collects; validated by `ticket_create`."""

    title: str
    content: str
    type: str = Ticket.Type.CONSULTATION
    channel: str = Ticket.Channel.PHONE
    hotline: str = Ticket.Hotline.H12345
    urgency: str = Ticket.Urgency.NORMAL
    category: Category | None = None
    address: str = ""
    district: Department | None = None
    street: Department | None = None
    latitude: Any = None
    longitude: Any = None
    citizen_name: str = ""
    citizen_phone: str = ""
    citizen_id_number: str = ""
    confidential: bool = False
    anonymous: bool = False
    no_callback: bool = False
    external_refs: dict[str, str] = field(default_factory=dict)
    # Keyed hash of the portal's query code (intake.codes); the code itself is never stored.
    query_code_hash: str = ""


def _validate(data: TicketInput) -> None:
    errors: dict[str, str] = {}
    title, content = data.title.strip(), data.content.strip()
    if not title:
        errors["title"] = "请填写标题。"
    elif len(title) > TITLE_MAX:
        errors["title"] = f"标题不能超过 {TITLE_MAX} 个字。"
    if not content:
        errors["content"] = "请填写诉求内容。"
    elif len(content) > CONTENT_MAX:
        errors["content"] = f"诉求内容不能超过 {CONTENT_MAX} 个字（当前 {len(content)} 个字）。"
    if len(data.address) > ADDRESS_MAX:
        errors["address"] = f"地址不能超过 {ADDRESS_MAX} 个字。"
    for name, choices in (
        ("type", Ticket.Type),
        ("channel", Ticket.Channel),
        ("hotline", Ticket.Hotline),
        ("urgency", Ticket.Urgency),
    ):
        if getattr(data, name) not in choices.values:
            errors[name] = "取值无效，可选：" + "、".join(f"{c.value}（{c.label}）" for c in choices)
    phone = data.citizen_phone.strip()
    if phone and (not phone.replace("-", "").isdecimal() or not 3 <= len(phone) <= 20):
        errors["citizen_phone"] = "联系电话只能包含数字和“-”，长度 3–20 位。"
    idn = data.citizen_id_number.strip()
    if idn and (len(idn) not in (15, 18) or not idn[:-1].isdecimal()):
        errors["citizen_id_number"] = "身份证号应为 15 或 18 位。"
    if data.category is not None and not data.category.is_active:
        errors["category"] = "该分类已停用。"
    if data.latitude is not None and not -90 <= float(data.latitude) <= 90:
        errors["latitude"] = "纬度应在 -90 到 90 之间。"
    if data.longitude is not None and not -180 <= float(data.longitude) <= 180:
        errors["longitude"] = "经度应在 -180 到 180 之间。"
    for system in data.external_refs:
        if system not in ExternalRef.System.values:
            errors["external_refs"] = f"未知的外部系统：{system}。"
    if errors:
        raise InvalidInput("提交的内容有误，请按提示修改。", fields=errors)


def ticket_number_next(day: date) -> str:
    """Next human-readable number for the day: YYYYMMDD + 5 digits (readable back over the phone).

    One statement in the common case (UPDATE … RETURNING, on PostgreSQL and SQLite ≥ 3.35); the
    row lock it takes is held to commit, so numbers have no gaps and no duplicates.
    """
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    last, day_col = connection.ops.quote_name("last"), connection.ops.quote_name("day")
    sql = f"UPDATE {table} SET {last} = {last} + 1 WHERE {day_col} = %s RETURNING {last}"  # noqa: S608
    for _ in range(3):
        with connection.cursor() as cursor:
            cursor.execute(sql, [day])
            row = cursor.fetchone()
        if row is not None:
            return f"{day:%Y%m%d}{row[0]:05d}"
        try:
            with transaction.atomic():
                NumberSequence.objects.create(day=day, last=1)
            return f"{day:%Y%m%d}{1:05d}"
        except IntegrityError:
            continue
    raise Conflict("工单编号分配繁忙，请重试。")


def _request_hash(data: TicketInput, status: str) -> str:
    # Every field counts: a reused key with a different urgency, citizen or district must not
    # silently return the first ticket as if the second request had been taken in.
    values = {f.name: getattr(data, f.name) for f in fields(data)}
    values = {k: (v.pk if isinstance(v, Model) else v) for k, v in values.items()}
    payload = json.dumps({**values, "status": status}, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def ticket_create(
    *, data: TicketInput, by: User | None, submit: bool = False, idempotency_key: str = ""
) -> tuple[Ticket, bool]:
    """Take a request in as a draft (or straight to pending dispatch); returns (ticket, created)."""
    role = actor_role(by)
    if role not in INTAKE | {SYSTEM}:
        raise NotAllowed("您的角色无权受理工单。")
    _validate(data)
    status = Ticket.Status.PENDING_DISPATCH if submit else Ticket.Status.DRAFT
    req_hash = _request_hash(data, status)
    if len(idempotency_key) > 128:
        raise InvalidInput("Idempotency-Key 不能超过 128 个字符。", fields={"Idempotency-Key": "过长"})
    # No look-up first: the unique (user, key) row decides, so a first request costs no extra query
    # and a retry rolls back its insert and returns the first ticket below.
    for system, ref in data.external_refs.items():
        hit = ExternalRef.objects.filter(system=system, ref=ref).select_related("ticket").first()
        if hit is not None:
            return hit.ticket, False
    try:
        with transaction.atomic():
            ticket = _insert(data, by, status)
            if idempotency_key and by is not None:
                IdempotencyKey.objects.create(
                    key=idempotency_key, user=by, request_hash=req_hash, ticket=ticket
                )
            # The day's counter is taken last: its row lock serialises every intake until commit,
            # so it is held for two statements, not for the whole insert.
            ticket.number = ticket_number_next(timezone.localdate(ticket.created_at))
            Ticket.objects.filter(pk=ticket.pk).update(number=ticket.number)
    except IntegrityError:
        # A retry (or a concurrent twin) with the same key or external reference; return its ticket.
        if idempotency_key:
            existing = _idempotent_replay(by, idempotency_key, req_hash)
            if existing is not None:
                return existing, False
        for system, ref in data.external_refs.items():
            hit = ExternalRef.objects.filter(system=system, ref=ref).select_related("ticket").first()
            if hit is not None:
                return hit.ticket, False
        raise
    return ticket, True


def _idempotent_replay(by: User | None, key: str, req_hash: str) -> Ticket | None:
    if by is None:
        return None
    row = IdempotencyKey.objects.filter(user=by, key=key).select_related("ticket").first()
    if row is None:
        return None
    if row.request_hash != req_hash:
        raise InvalidInput(
            "该 Idempotency-Key 已用于另一份不同的请求。",
            code="idempotency_key_reused",
            fields={"Idempotency-Key": "已被使用"},
        )
    return row.ticket


def _insert(data: TicketInput, by: User | None, status: str) -> Ticket:
    now = timezone.now()
    ticket = Ticket(
        number=f"~{uuid.uuid4().hex[:19]}",  # unique placeholder until the day's number is taken
        status=status,
        version=1,
        channel=data.channel,
        hotline=data.hotline,
        type=data.type,
        category=data.category,
        urgency=data.urgency,
        title=data.title.strip(),
        content=data.content.strip(),
        address=data.address.strip(),
        district=data.district,
        street=data.street,
        latitude=data.latitude,
        longitude=data.longitude,
        citizen_name=data.citizen_name.strip(),
        citizen_phone=data.citizen_phone.strip(),
        citizen_id_number=data.citizen_id_number.strip(),
        confidential=data.confidential,
        anonymous=data.anonymous,
        no_callback=data.no_callback,
        query_code_hash=data.query_code_hash,
        created_at=now,
        status_since=now,
        created_by=by,
    )
    ticket.save(force_insert=True)
    for system, ref in data.external_refs.items():
        ExternalRef.objects.create(ticket=ticket, system=system, ref=ref)
    ticket_event(ticket, action="create", by=by, from_status="", data={"channel": data.channel})
    return ticket


@dataclass(frozen=True)
class Upload:
    name: str  # the file's own name, without any path
    ext: str
    content_type: str
    sha256: str


def upload_check(*, name: str, stream: IO[bytes], size: int) -> Upload:
    """Check an uploaded file (not empty, within the size limit, an allowed type whose bytes match
    its extension) and hash it; raises InvalidInput with a Chinese message for the `file` field."""
    safe_name = PurePath(name.replace("\\", "/")).name.strip()[:200]
    ext = safe_name.rsplit(".", 1)[-1].lower() if "." in safe_name else ""
    if size <= 0:
        raise InvalidInput("文件为空。", fields={"file": "文件为空"})
    if size > settings.ATTACHMENT_MAX_BYTES:
        limit_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise InvalidInput(
            f"文件超过 {limit_mb} MB 上限。", code="too_large", fields={"file": f"超过 {limit_mb} MB"}
        )
    expected = ALLOWED_ATTACHMENTS.get(ext)
    if expected is None:
        allowed = "、".join(sorted(set(ALLOWED_ATTACHMENTS)))
        raise InvalidInput(
            f"不支持的文件类型“{ext or '无扩展名'}”，允许：{allowed}。", fields={"file": "类型不支持"}
        )
    head = stream.read(8192)
    stream.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime != expected:
        raise InvalidInput(
            f"文件内容与扩展名 .{ext} 不符，已拒绝。",
            code="disguised_file",
            fields={"file": "内容与扩展名不符"},
        )
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1 << 16), b""):
        digest.update(chunk)
    stream.seek(0)
    return Upload(safe_name, ext, expected, digest.hexdigest())


def attachment_add(*, ticket: Ticket, by: User, name: str, stream: IO[bytes], size: int) -> Attachment:
    """Attach a file after checking its size and that its bytes match its extension."""
    if by.is_department_user and not ticket_visible_to(by, ticket):
        raise NotAllowed("无权为该工单上传附件。")
    if ticket.status in {Ticket.Status.ARCHIVED, Ticket.Status.MERGED}:
        raise InvalidTransition("已归档或已并单的工单不能再上传附件。")
    upload = upload_check(name=name, stream=stream, size=size)
    safe_name, ext, expected = upload.name, upload.ext, upload.content_type
    with transaction.atomic():
        locked = ticket_lock(ticket)
        attachment = Attachment(
            ticket=locked,
            name=safe_name,
            size=size,
            content_type=expected,
            sha256=upload.sha256,
            uploaded_by=by,
        )
        attachment.file.save(f"{upload.sha256[:16]}.{ext}", File(stream), save=False)
        ticket_save(locked, [])
        event = ticket_event(
            locked, action="attach", by=by, from_status=locked.status, data={"name": safe_name, "size": size}
        )
        attachment.event = event
        attachment.save()
    return attachment
