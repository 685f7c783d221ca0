"""Build requests the way WeChat's servers send them: signed query, plaintext or safe-mode XML."""

from __future__ import annotations

import time
from typing import Any

from hotline.exchange.wechat import crypto

TOKEN = "hotline-test-token"
APP_ID = "wx1234567890abcdef"
APP_SECRET = "wechat-test-secret"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
URL = "/wechat/callback/"
ACCOUNT = "gh_12345hotline"


def signed_query(*, stamp: int | None = None, nonce: str = "n0nce", token: str = TOKEN) -> dict[str, str]:
    ts = str(int(time.time()) if stamp is None else stamp)
    return {"timestamp": ts, "nonce": nonce, "signature": crypto.sha1_signature(token, ts, nonce)}


def text_xml(content: str, *, openid: str = "oCitizen001", msg_id: str = "7000000001") -> str:
    return crypto.message_xml(
        {
            "ToUserName": ACCOUNT,
            "FromUserName": openid,
            "CreateTime": str(int(time.time())),
            "MsgType": "text",
            "Content": content,
            "MsgId": msg_id,
        }
    )


def post_plain(client: Any, xml: str | bytes, **query: str) -> Any:
    q = signed_query() | query
    qs = "&".join(f"{k}={v}" for k, v in q.items())
    body = xml.encode() if isinstance(xml, str) else xml
    return client.post(f"{URL}?{qs}", data=body, content_type="text/xml")


def post_encrypted(
    client: Any, xml: str, *, app_id: str = APP_ID, compatible: bool = False, bad_sig: bool = False
) -> Any:
    key = crypto.aes_key(AES_KEY)
    sealed = crypto.encrypt(xml.encode(), key=key, app_id=app_id)
    q = signed_query()
    msg_sig = crypto.sha1_signature(TOKEN, q["timestamp"], q["nonce"], sealed)
    if bad_sig:
        msg_sig = "0" * 40
    q |= {"encrypt_type": "aes", "msg_signature": msg_sig, "openid": "x"}
    outer = (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{sealed}]]></Encrypt></xml>"
    )
    if compatible:  # compatible mode: the plaintext fields travel beside Encrypt
        outer = xml[:-6] + f"<Encrypt><![CDATA[{sealed}]]></Encrypt></xml>"
    qs = "&".join(f"{k}={v}" for k, v in q.items())
    return client.post(f"{URL}?{qs}", data=outer.encode(), content_type="text/xml")


def reply_text(response: Any, *, encrypted: bool = False) -> str:
    msg = crypto.parse_xml(response.content)
    if encrypted:
        assert msg["MsgSignature"] == crypto.sha1_signature(
            TOKEN, msg["TimeStamp"], msg["Nonce"], msg["Encrypt"]
        )
        msg = crypto.parse_xml(crypto.decrypt(msg["Encrypt"], key=crypto.aes_key(AES_KEY), app_id=APP_ID))
    assert msg["MsgType"] == "text"
    return msg["Content"]
