"""Exchange settings: read from Django settings when the lead has put them there, else the environment.

Every value is read when used (not at import), so tests override them with the `settings` fixture and an
installation configures them with environment variables documented in `docs/exchange.md`.
"""

from __future__ import annotations

import os

from django.conf import settings

DEFAULTS: dict[str, str] = {
    # WeChat official account (公众号). No token = the webhook answers 503 (not configured).
    "WECHAT_TOKEN": "",
    "WECHAT_APP_ID": "",
    "WECHAT_APP_SECRET": "",
    "WECHAT_AES_KEY": "",  # EncodingAESKey, 43 characters; needed for the encrypted (safe) mode
    "WECHAT_API_BASE": "https://api.weixin.qq.com",
    "WECHAT_TEMPLATE_STATUS": "",  # template id of the 工单进度通知 message
    "WECHAT_MAX_BODY": str(64 * 1024),
    "WECHAT_TOLERANCE_SECONDS": "300",
    # Provincial platform (省"民声智慧听"一体化平台). Defaults point at the local simulator.
    "PROVINCE_ENABLED": "0",
    "PROVINCE_BASE_URL": "http://127.0.0.1:8731",
    "PROVINCE_APP_ID": "hotline-city",
    "PROVINCE_SECRET": "province-simulator-secret",
    "PROVINCE_TIMEOUT_SECONDS": "10",
    # Citizen notices: "console" (log only) or "http" (a generic SMS gateway, signed JSON POST).
    "SMS_GATEWAY": "console",
    "SMS_HTTP_URL": "",
    "SMS_HTTP_KEY": "",
    "SMS_SIGN_NAME": "12345热线",
    "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
}


def get(name: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, DEFAULTS[name])
    return str(value)


def get_int(name: str) -> int:
    try:
        return int(get(name))
    except ValueError:
        return int(DEFAULTS[name])


def get_bool(name: str) -> bool:
    return get(name).strip().lower() in ("1", "true", "yes", "on")
