"""Pure WeChat safe-mode crypto: the documented layout, round trips, and every tampering refused."""

from __future__ import annotations

import base64
import hashlib
import struct

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given
from hypothesis import strategies as st

from hotline.exchange.wechat import crypto
from hotline.exchange.wechat.crypto import WechatError

KEY = crypto.aes_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
APP = "wx1234567890abcdef"


def test_signature_is_sha1_of_the_sorted_parts():
    assert (
        crypto.sha1_signature("tok", "1409304348", "xxxxxx")
        == hashlib.sha1("".join(sorted(["tok", "1409304348", "xxxxxx"])).encode()).hexdigest()
    )
    assert crypto.signature_ok(crypto.sha1_signature("a", "b", "c"), "c", "b", "a")
    assert not crypto.signature_ok("", "a")


def test_layout_follows_the_spec():
    sealed = crypto.encrypt(b"<xml>hi</xml>", key=KEY, app_id=APP, random16=b"R" * 16)
    raw = base64.b64decode(sealed)
    plain = Cipher(algorithms.AES(KEY), modes.CBC(KEY[:16])).decryptor().update(raw)
    assert len(raw) % 32 == 0
    assert plain[:16] == b"R" * 16
    assert struct.unpack(">I", plain[16:20])[0] == len(b"<xml>hi</xml>")
    pad = plain[-1]
    assert plain[20:-pad] == b"<xml>hi</xml>" + APP.encode()


@given(st.binary(max_size=3000))
def test_round_trip(message):
    assert crypto.decrypt(crypto.encrypt(message, key=KEY, app_id=APP), key=KEY, app_id=APP) == message


def test_tampering_is_refused():
    sealed = crypto.encrypt(b"<xml/>", key=KEY, app_id=APP)
    with pytest.raises(WechatError):
        crypto.decrypt(sealed, key=KEY, app_id="wxOTHER")
    with pytest.raises(WechatError):
        crypto.decrypt("%%%not-base64", key=KEY, app_id=APP)
    with pytest.raises(WechatError):
        crypto.decrypt(base64.b64encode(b"x" * 17).decode(), key=KEY, app_id=APP)
    other = crypto.aes_key("ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg")
    with pytest.raises(WechatError):
        crypto.decrypt(sealed, key=other, app_id=APP)


def test_bad_aes_key_is_a_config_error():
    with pytest.raises(WechatError) as exc:
        crypto.aes_key("short")
    assert exc.value.code == "config"


def test_reply_xml_escapes_cdata_end():
    xml = crypto.text_reply_xml(to_user="o", from_user="g", content="a]]>b", created=1)
    assert crypto.parse_xml(xml.encode())["Content"] == "a]]>b"
