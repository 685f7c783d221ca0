"""Local HTTP servers that play the far side: WeChat's API and a generic SMS gateway (real HTTP on 127.0.0.1)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class _Server:
    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class WechatApi(_Server):
    """Plays api.weixin.qq.com: /cgi-bin/token and /cgi-bin/message/template/send.

    `errors` is a list of errcodes answered (in order) to template sends before succeeding.
    """

    def __init__(self, app_id: str, secret: str) -> None:
        self.app_id, self.secret = app_id, secret
        self.tokens_issued = 0
        self.sent: list[dict[str, Any]] = []
        self.errors: list[int] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, body: dict[str, Any]) -> None:
                raw = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:  # noqa: N802
                url = urlsplit(self.path)
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path != "/cgi-bin/token":
                    self._json({"errcode": 404, "errmsg": "not found"})
                elif q.get("appid") != api.app_id or q.get("secret") != api.secret:
                    self._json({"errcode": 40013, "errmsg": "invalid appid"})
                else:
                    api.tokens_issued += 1
                    self._json({"access_token": f"TOKEN{api.tokens_issued}", "expires_in": 7200})

            def do_POST(self) -> None:  # noqa: N802
                url = urlsplit(self.path)
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                if url.path != "/cgi-bin/message/template/send":
                    self._json({"errcode": 404, "errmsg": "not found"})
                elif q.get("access_token") != f"TOKEN{api.tokens_issued}":
                    self._json({"errcode": 40001, "errmsg": "invalid credential"})
                elif api.errors:
                    self._json({"errcode": api.errors.pop(0), "errmsg": "error"})
                else:
                    api.sent.append(body)
                    self._json({"errcode": 0, "errmsg": "ok", "msgid": 1000 + len(api.sent)})

        super().__init__(Handler)


class SmsGateway(_Server):
    """A generic SMS gateway: records signed POSTs, answers with the status it is told to."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        gw = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                gw.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                raw = json.dumps({"id": f"sms-{len(gw.received)}"}).encode()
                self.send_response(gw.status)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        super().__init__(Handler)

    def messages(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.received]
