"""The adapter to the provincial platform: signed JSON over HTTP(S), with structured failures."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode, urlsplit

from hotline.exchange import conf
from hotline.exchange.province import signing

MAX_ANSWER = 4 * 1024 * 1024


class ProvinceError(Exception):
    """The province did not take the request; `permanent` when repeating it cannot help."""

    def __init__(self, message: str, *, status: int | None = None, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.permanent = permanent


def call(
    method: str,
    path: str,
    *,
    query: dict[str, Any] | None = None,
    body: dict[str, Any] | None = None,
    idempotency_key: str = "",
) -> dict[str, Any]:
    """One signed request to `PROVINCE_BASE_URL + path`; the answer's JSON object."""
    base = conf.get("PROVINCE_BASE_URL").rstrip("/")
    url = base + path + (f"?{urlencode(query)}" if query else "")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ProvinceError("PROVINCE_BASE_URL 须为 http(s) 地址", permanent=True)
    signed_path = parts.path + (f"?{parts.query}" if parts.query else "")
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode() if body is not None else b""
    head = signing.headers(
        conf.get("PROVINCE_APP_ID"),
        conf.get("PROVINCE_SECRET"),
        method,
        signed_path,
        raw,
        now=int(time.time()),
    )
    head["Content-Type"] = "application/json; charset=utf-8"
    if idempotency_key:
        head["Idempotency-Key"] = idempotency_key
    request = urllib.request.Request(url, data=raw or None, headers=head, method=method)  # noqa: S310
    timeout = conf.get_int("PROVINCE_TIMEOUT_SECONDS")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
            answer = response.read(MAX_ANSWER + 1)
    except urllib.error.HTTPError as exc:
        detail = exc.read(2000).decode("utf-8", "replace")
        permanent = exc.code in (400, 404, 422)
        raise ProvinceError(f"HTTP {exc.code} {detail}"[:300], status=exc.code, permanent=permanent) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ProvinceError(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"[:300]) from exc
    if len(answer) > MAX_ANSWER:
        raise ProvinceError("省平台返回内容过大")
    try:
        data = json.loads(answer or b"{}")
    except ValueError as exc:
        raise ProvinceError("省平台返回的不是 JSON") from exc
    if not isinstance(data, dict):
        raise ProvinceError("省平台返回格式无效")
    return data
