"""The WeChat official-account message webhook (服务器配置 URL): verification, messages, passive replies."""

from __future__ import annotations

import logging
import secrets
import time

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from hotline.core.errors import ServiceError
from hotline.exchange import conf
from hotline.exchange.services.wechat import wechat_message_handle
from hotline.exchange.wechat import crypto
from hotline.exchange.wechat.crypto import WechatError

log = logging.getLogger(__name__)


def _refuse(request: HttpRequest, status: int, code: str, message: str) -> JsonResponse:
    log.warning(
        "wechat refused %s %s from %s: %s %s (%s)",
        request.method,
        request.path,
        request.META.get("REMOTE_ADDR", ""),
        status,
        code,
        message,
    )
    return JsonResponse(
        {"code": code, "message": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _body(request: HttpRequest, limit: int) -> bytes | None:
    """At most `limit` bytes of body, or None when it is longer (declared or actual)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    raw = request.read(limit + 1)
    return None if len(raw) > limit else raw


@csrf_exempt
def webhook(request: HttpRequest) -> HttpResponse:
    token = conf.get("WECHAT_TOKEN")
    if not token:
        return _refuse(request, 503, "not_configured", "微信公众号接入未配置（WECHAT_TOKEN）。")
    if request.method not in ("GET", "POST"):
        return _refuse(request, 405, "method_not_allowed", "只支持 GET（验证）和 POST（消息）。")
    q = request.GET
    stamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
    if not stamp.isdecimal() or not nonce or len(nonce) > 64:
        return _refuse(request, 400, "bad_request", "缺少或无效的 timestamp / nonce。")
    if abs(time.time() - int(stamp)) > conf.get_int("WECHAT_TOLERANCE_SECONDS"):
        return _refuse(request, 403, "stale_timestamp", "timestamp 超出允许范围（过期或重放的请求）。")
    if not crypto.signature_ok(q.get("signature", ""), token, stamp, nonce):
        return _refuse(request, 403, "bad_signature", "signature 校验失败。")
    if request.method == "GET":
        return HttpResponse(q.get("echostr", ""), content_type="text/plain; charset=utf-8")
    limit = conf.get_int("WECHAT_MAX_BODY")
    raw = _body(request, limit)
    if raw is None:
        return _refuse(request, 413, "body_too_large", f"消息体超过 {limit} 字节。")
    encrypted = q.get("encrypt_type", "raw") == "aes"
    try:
        outer = crypto.parse_xml(raw)
        msg = outer
        if encrypted:
            key = crypto.aes_key(conf.get("WECHAT_AES_KEY"))
            sealed = outer.get("Encrypt", "")
            if not sealed:
                raise WechatError("malformed_xml", "安全模式消息缺少 Encrypt。")
            if not crypto.signature_ok(q.get("msg_signature", ""), token, stamp, nonce, sealed):
                return _refuse(request, 403, "bad_signature", "msg_signature 校验失败。")
            msg = crypto.parse_xml(crypto.decrypt(sealed, key=key, app_id=conf.get("WECHAT_APP_ID")))
        reply = wechat_message_handle(msg)
    except WechatError as exc:
        status = 503 if exc.code == "config" else 400
        return _refuse(request, status, exc.code, exc.message)
    except ServiceError as exc:
        return _refuse(request, exc.http_status, exc.code, exc.message)
    if not reply:
        return HttpResponse("success", content_type="text/plain; charset=utf-8")
    now = int(time.time())
    xml = crypto.text_reply_xml(
        to_user=msg.get("FromUserName", ""), from_user=msg.get("ToUserName", ""), content=reply, created=now
    )
    if encrypted:
        sealed = crypto.encrypt(xml.encode(), key=key, app_id=conf.get("WECHAT_APP_ID"))
        out_nonce = secrets.token_hex(8)
        xml = crypto.encrypted_reply_xml(
            encrypt_b64=sealed,
            signature=crypto.sha1_signature(token, str(now), out_nonce, sealed),
            timestamp=str(now),
            nonce=out_nonce,
        )
    return HttpResponse(xml, content_type="application/xml; charset=utf-8")
