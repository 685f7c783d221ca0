"""SMS gateway adapters, chosen by `SMS_GATEWAY`: `console` logs the message, `http` POSTs it signed.

The generic HTTP gateway gets `POST SMS_HTTP_URL` with a JSON body `{"phone","text","sign","ref"}` and
`X-Hotline-Signature: t=<unix>,v1=<hex HMAC-SHA256(SMS_HTTP_KEY, "<t>." + body)>` (the webhook scheme);
a 2xx answer, optionally `{"id": "..."}`, means accepted.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request

from hotline.exchange import conf
from hotline.exchange.webhook_signing import signature_header
from hotline.exchange.wechat.api import GatewayError

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0


def sms_send(*, phone: str, text: str, ref: str) -> str:
    """Hand one SMS to the configured gateway; returns the gateway's id. Raises GatewayError."""
    kind = conf.get("SMS_GATEWAY")
    sign = conf.get("SMS_SIGN_NAME")
    if kind == "console":
        log.info("SMS (console gateway) to %s: 【%s】%s", phone, sign, text)
        return f"console-{ref}"
    if kind != "http":
        raise GatewayError(f"未知的短信网关：{kind}", permanent=True)
    url = conf.get("SMS_HTTP_URL")
    if not url.startswith(("http://", "https://")):
        raise GatewayError("SMS_HTTP_URL 未配置", permanent=True)
    body = json.dumps({"phone": phone, "text": text, "sign": sign, "ref": ref}, ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Hotline-Signature": signature_header(conf.get("SMS_HTTP_KEY"), int(time.time()), body),
    }
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            raw = response.read(8192)
    except urllib.error.HTTPError as exc:
        raise GatewayError(f"HTTP {exc.code}", permanent=exc.code in (400, 401, 403, 422)) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise GatewayError(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"[:300]) from exc
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        answer = {}
    return str(answer.get("id", "")) if isinstance(answer, dict) else ""
