"""Pure: WeChat official-account message signatures, the AES (safe) mode, and the message XML.

Per WeChat's 消息加解密 spec: `signature = sha1(sorted(token, timestamp, nonce))`; in safe mode
`msg_signature = sha1(sorted(token, timestamp, nonce, Encrypt))`, and Encrypt is base64 of
AES-256-CBC(key = b64decode(EncodingAESKey + "="), iv = key[:16]) over
`random(16) + len(msg) as 4 bytes big-endian + msg + appid`, padded PKCS#7 to a 32-byte block.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

BLOCK = 32


class WechatError(Exception):
    """Input WeChat would never send: a bad signature, undecryptable or malformed payload."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()  # noqa: S324 (WeChat's spec)


def signature_ok(given: str, *parts: str) -> bool:
    return bool(given) and hmac.compare_digest(sha1_signature(*parts), given.lower())


def aes_key(encoding_aes_key: str) -> bytes:
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise WechatError("config", "EncodingAESKey 无效。") from exc
    if len(encoding_aes_key) != 43 or len(key) != 32:
        raise WechatError("config", "EncodingAESKey 应为 43 个字符。")
    return key


def encrypt(plain: bytes, *, key: bytes, app_id: str, random16: bytes | None = None) -> str:
    body = (random16 or os.urandom(16)) + struct.pack(">I", len(plain)) + plain + app_id.encode()
    pad = BLOCK - len(body) % BLOCK
    body += bytes([pad]) * pad
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(body) + enc.finalize()).decode()


def decrypt(encrypted: str, *, key: bytes, app_id: str) -> bytes:
    """The message inside `Encrypt`; refuses bad padding, a wrong length or another account's appid."""
    try:
        raw = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise WechatError("bad_encrypt", "Encrypt 不是有效的 base64。") from exc
    if not raw or len(raw) % 16:
        raise WechatError("bad_encrypt", "Encrypt 长度无效。")
    dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    body = dec.update(raw) + dec.finalize()
    pad = body[-1]
    if not 1 <= pad <= BLOCK or body[-pad:] != bytes([pad]) * pad:
        raise WechatError("bad_encrypt", "解密失败（填充无效）。")
    body = body[:-pad]
    if len(body) < 20:
        raise WechatError("bad_encrypt", "解密失败（内容过短）。")
    (size,) = struct.unpack(">I", body[16:20])
    msg, tail = body[20 : 20 + size], body[20 + size :]
    if len(msg) != size or not hmac.compare_digest(tail, app_id.encode()):
        raise WechatError("bad_encrypt", "解密失败（appid 不符或长度无效）。")
    return msg


def parse_xml(raw: bytes) -> dict[str, str]:
    """A flat `<xml>` message as {tag: text}; DTDs, entities and nested structures are refused."""
    try:
        root = SafeET.fromstring(raw, forbid_dtd=True)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
        raise WechatError("malformed_xml", f"XML 无法解析：{type(exc).__name__}") from exc
    if root.tag != "xml":
        raise WechatError("malformed_xml", "根元素应为 <xml>。")
    out: dict[str, str] = {}
    for child in root:
        if len(child):
            continue  # e.g. ScanCodeInfo; we read no nested fields
        out[child.tag] = (child.text or "").strip()
    return out


def _cdata(tag: str, value: str) -> str:
    return f"<{tag}><![CDATA[{value.replace(']]>', ']]]]><![CDATA[>')}]]></{tag}>"


def text_reply_xml(*, to_user: str, from_user: str, content: str, created: int) -> str:
    return (
        "<xml>"
        + _cdata("ToUserName", to_user)
        + _cdata("FromUserName", from_user)
        + f"<CreateTime>{created}</CreateTime>"
        + _cdata("MsgType", "text")
        + _cdata("Content", content)
        + "</xml>"
    )


def encrypted_reply_xml(*, encrypt_b64: str, signature: str, timestamp: str, nonce: str) -> str:
    return (
        "<xml>"
        + _cdata("Encrypt", encrypt_b64)
        + f"<MsgSignature>{signature}</MsgSignature>"
        + f"<TimeStamp>{timestamp}</TimeStamp>"
        + _cdata("Nonce", nonce)
        + "</xml>"
    )


def message_xml(fields: dict[str, str]) -> str:
    """A message as WeChat would send it (used by tests and the simulator)."""
    parts = [f"<{k}>{v}</{k}>" if k in ("CreateTime", "MsgId") else _cdata(k, v) for k, v in fields.items()]
    return "<xml>" + "".join(parts) + "</xml>"
