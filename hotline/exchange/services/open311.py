"""Open311 writes: a POSTed service request becomes a ticket waiting for dispatch, exactly once."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from hotline.core.errors import InvalidInput, NotAllowed, NotFound
from hotline.exchange.models import Open311Key, Open311Submission
from hotline.exchange.selectors import open311_service
from hotline.tickets.models import Category, ExternalRef, Ticket
from hotline.tickets.services import TicketInput, ticket_create

log = logging.getLogger(__name__)

DESCRIPTION_MAX = 4000  # the spec's limit
TITLE_WORDS = 20
# Our ticket fields -> the Open311 parameter a client sent them in, for error messages.
FIELD_PARAMS = {
    "content": "description",
    "title": "description",
    "address": "address_string",
    "latitude": "lat",
    "longitude": "long",
    "citizen_phone": "phone",
    "citizen_name": "first_name",
}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}$")
_LIMITS = {
    "email": 254,
    "device_id": 100,
    "account_id": 100,
    "first_name": 30,
    "last_name": 30,
    "phone": 30,
    "address_string": 300,
    "address_id": 100,
    "media_url": 500,
}


@dataclass
class Open311Post:
    """The parameters of POST /requests, as strings; attributes as {code: [values]}."""

    service_code: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    description: str = ""
    media_url: str = ""
    attributes: dict[str, list[str]] = field(default_factory=dict)


def open311_key_authenticate(raw: str) -> Open311Key:
    """The active key for `api_key`, or NotAllowed (403)."""
    key = Open311Key.lookup(raw.strip())
    if key is None:
        raise NotAllowed(
            "api_key 缺失、无效或已停用，不能提交服务请求。请向 12345 热线中心申请接入密钥。",
            code="403",
            fields={"api_key": "无效"},
        )
    now = timezone.now()
    if not key.last_used_at or (now - key.last_used_at).total_seconds() > 60:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def _coordinate(value: str, name: str, limit: int, errors: dict[str, str]) -> Decimal | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        errors[name] = f"{name} 应为 WGS84 十进制度数。"
        return None
    if not number.is_finite() or not -limit <= number <= limit:
        errors[name] = f"{name} 应在 -{limit} 到 {limit} 之间。"
        return None
    return number.quantize(Decimal("0.000001"))


def _check(post: Open311Post) -> tuple[Decimal | None, Decimal | None, str]:
    """Every 400-class problem at once; returns the coordinates and the ticket type."""
    errors: dict[str, str] = {}
    for name, limit in _LIMITS.items():
        if len(getattr(post, name)) > limit:
            errors[name] = f"{name} 不能超过 {limit} 个字符。"
    if len(post.description) > DESCRIPTION_MAX:
        errors["description"] = (
            f"description 不能超过 {DESCRIPTION_MAX} 个字符（收到 {len(post.description)} 个）。"
        )
    if post.email and not _EMAIL.match(post.email):
        errors["email"] = "email 格式无效。"
    lat = lon = None
    if bool(post.lat) != bool(post.long):
        errors["lat" if not post.lat else "long"] = "lat 和 long 须同时提供。"
    elif post.lat:
        lat = _coordinate(post.lat, "lat", 90, errors)
        lon = _coordinate(post.long, "long", 180, errors)
    if not (post.lat or post.long or post.address_string or post.address_id):
        errors["address_string"] = "须提供位置：lat 与 long，或 address_string，或 address_id。"
    kind = Ticket.Type.HELP.value
    chosen = post.attributes.get("type", [])
    if len(chosen) > 1:
        errors["attribute[type]"] = "attribute[type] 只能取一个值。"
    elif chosen and chosen[0] not in Ticket.Type.values:
        errors["attribute[type]"] = "attribute[type] 取值无效，可选：" + "、".join(Ticket.Type.values) + "。"
    elif chosen:
        kind = chosen[0]
    if errors:
        raise InvalidInput("服务请求内容有误。", code="400", fields=errors)
    return lat, lon, kind


def _name(post: Open311Post) -> str:
    first, last = post.first_name.strip(), post.last_name.strip()
    if _CJK.search(first + last):
        return f"{last}{first}"
    return " ".join(p for p in (first, last) if p)


def _fingerprint(key: Open311Key, post: Open311Post, idempotency_key: str) -> str:
    # A repeated delivery carries the same fields (or the same Idempotency-Key): one ticket.
    basis = idempotency_key or json.dumps(asdict(post), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{key.pk}|{basis}".encode()).hexdigest()[:40]


def open311_request_create(
    *, key: Open311Key, post: Open311Post, idempotency_key: str = ""
) -> tuple[Open311Submission, bool]:
    """Create the ticket (channel open311, pending dispatch) or return the one a duplicate delivery made."""
    service = open311_service(post.service_code) if post.service_code else None
    if not post.service_code:
        raise InvalidInput("缺少 service_code。", code="400", fields={"service_code": "必填"})
    if service is None:
        raise NotFound(
            f"service_code {post.service_code} 不存在或已停用。",
            code="404",
            fields={"service_code": "不存在"},
        )
    if len(idempotency_key) > 128:
        raise InvalidInput(
            "Idempotency-Key 不能超过 128 个字符。", code="400", fields={"Idempotency-Key": "过长"}
        )
    lat, lon, kind = _check(post)
    token = _fingerprint(key, post, idempotency_key)
    found = Open311Submission.objects.filter(token=token).select_related("ticket").first()
    if found is not None:
        return found, False
    description = post.description.strip()
    words = re.sub(r"\s+", " ", description)
    head = words[:TITLE_WORDS] + ("…" if len(words) > TITLE_WORDS else "")
    content = description or f"（未填写描述）{service.description}"
    if post.media_url:
        content += f"\n图片/附件链接：{post.media_url.strip()}"
    phone = post.phone.strip().replace(" ", "")
    data = TicketInput(
        title=f"{service.name}：{head}" if head else service.name,
        content=content,
        type=kind,
        channel=Ticket.Channel.OPEN311,
        category=Category.objects.get(pk=service.category_id),
        address=post.address_string.strip(),
        latitude=lat,
        longitude=lon,
        citizen_name=_name(post),
        citizen_phone=phone,
        no_callback=not phone,
        external_refs={ExternalRef.System.OPEN311: token},
    )
    try:
        with transaction.atomic():
            ticket, created = ticket_create(data=data, by=None, submit=True)
            if not created:
                return Open311Submission.objects.get(ticket=ticket), False
            submission = Open311Submission.objects.create(
                key=key,
                ticket=ticket,
                token=token,
                email=post.email.strip(),
                device_id=post.device_id.strip(),
                account_id=post.account_id.strip(),
                media_url=post.media_url.strip(),
                address_id=post.address_id.strip(),
                attributes=post.attributes,
            )
    except InvalidInput as exc:
        fields = {FIELD_PARAMS.get(k, k): v for k, v in exc.fields.items()}
        raise InvalidInput(exc.message, code="400", fields=fields) from exc
    log.info("open311: %s created ticket %s for key %s", service.code, ticket.number, key.prefix)
    return submission, True
