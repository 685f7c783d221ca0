"""The adapter to WeChat's servers: access_token (cached, shared by every process) and template messages.

Only this module talks to WeChat; tests point `WECHAT_API_BASE` at a local server that plays the API.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.core.cache import cache

from hotline.exchange import conf

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5.0
# errcodes that mean "the token is stale": fetch a new one and try once more.
TOKEN_ERRORS = {40001, 40014, 42001}
# errcodes that no retry will fix (the follower left, the openid or template is wrong).
PERMANENT_ERRORS = {40003, 40037, 43004, 43101}


class GatewayError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


def _call(url: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 (the configured API base)
        url, data=data, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            raw = response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        raise GatewayError(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise GatewayError(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"[:300]) from exc
    try:
        answer = json.loads(raw)
    except ValueError as exc:
        raise GatewayError("微信接口返回的不是 JSON") from exc
    if not isinstance(answer, dict):
        raise GatewayError("微信接口返回格式无效")
    return answer


def _token_key() -> str:
    return f"wechat-access-token:{conf.get('WECHAT_APP_ID')}"


def access_token(*, fresh: bool = False) -> str:
    """The account's access_token, from the shared cache until 5 minutes before it expires."""
    if not fresh:
        cached = cache.get(_token_key())
        if cached:
            return str(cached)
    query = urllib.parse.urlencode(
        {
            "grant_type": "client_credential",
            "appid": conf.get("WECHAT_APP_ID"),
            "secret": conf.get("WECHAT_APP_SECRET"),
        }
    )
    answer = _call(f"{conf.get('WECHAT_API_BASE').rstrip('/')}/cgi-bin/token?{query}")
    token = answer.get("access_token")
    if not token:
        raise GatewayError(
            f"获取 access_token 失败：{answer.get('errcode')} {answer.get('errmsg', '')}"[:300]
        )
    expires = int(answer.get("expires_in") or 7200)
    cache.set(_token_key(), token, max(expires - 300, 60))
    return str(token)


def template_send(*, openid: str, template_id: str, url: str, data: dict[str, str]) -> str:
    """Send one template message; returns WeChat's msgid. Raises GatewayError (permanent or not)."""
    body = {
        "touser": openid,
        "template_id": template_id,
        "url": url,
        "data": {k: {"value": v} for k, v in data.items()},
    }
    base = conf.get("WECHAT_API_BASE").rstrip("/")
    for fresh in (False, True):
        token = urllib.parse.quote(access_token(fresh=fresh))
        answer = _call(f"{base}/cgi-bin/message/template/send?access_token={token}", body)
        code = int(answer.get("errcode") or 0)
        if code == 0:
            return str(answer.get("msgid", ""))
        if code in TOKEN_ERRORS and not fresh:
            log.info("wechat access_token rejected (%s); fetching a new one", code)
            continue
        raise GatewayError(
            f"微信模板消息失败：{code} {answer.get('errmsg', '')}"[:300], permanent=code in PERMANENT_ERRORS
        )
    raise GatewayError("微信 access_token 无效")
