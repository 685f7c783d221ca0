"""A local simulator of the provincial platform's exchange endpoint (stdlib only, no Django).

`hotline exchange province-sim --port 8731 [--state FILE] [--seed N]` runs it; tests start it in a thread.
It checks signatures, timestamps, nonces and Idempotency-Keys exactly as the city expects the province to,
and keeps its tickets in memory (or in a JSON file with `--state`).

Signed API (see `signing.py`):
  GET  /api/v1/tickets?after=SEQ&limit=N   the feed, oldest first: {"tickets": [...], "next": SEQ, "more": bool}
  GET  /api/v1/tickets/{id}                one ticket with the city's acceptance, status and replies
  POST /api/v1/tickets/{id}/accept         {"number", "accepted_at"}       (Idempotency-Key required)
  POST /api/v1/tickets/{id}/status         {"status", "label", "at"}
  POST /api/v1/tickets/{id}/reply          {"reply", "department", "at"}
Control (unsigned, for tests and demos): POST /sim/tickets (new ticket), POST /sim/fail {"count","status"}
(answer the next N signed calls with that status), GET /sim/state.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from hotline.exchange.province import signing

BODY_MAX = 1024 * 1024
FEED_MAX = 200
CST = timezone(timedelta(hours=8))
SAMPLES = [
    ("小区门口道路塌陷", "投诉", "某某区幸福路 88 号小区门口道路塌陷一个大坑，夜间有安全隐患，请尽快修复。"),
    ("咨询新生儿医保办理", "咨询", "孩子刚出生，想咨询新生儿医保在哪里办理、需要带什么材料。"),
    ("夜间施工噪音扰民", "投诉", "解放路地铁站附近工地每天夜里十二点后还在施工，噪音很大，影响休息。"),
    ("建议增设公交站点", "建议", "建议在新城大道与学府路交叉口增设一个公交站，附近居民出行很不方便。"),
    ("农民工工资被拖欠", "求助", "在某建筑工地务工三个月，工资一直未结清，老板联系不上，请帮忙协调。"),
]


class ProvinceState:
    """The simulator's tickets, idempotency records and seen nonces; persisted when given a path."""

    def __init__(self, *, app_id: str, secret: str, path: Path | None = None) -> None:
        self.app_id, self.secret, self.path = app_id, secret, path
        self.lock = threading.Lock()
        self.tickets: dict[str, dict[str, Any]] = {}
        self.seq = 0
        self.idem: dict[str, dict[str, Any]] = {}
        self.nonces: dict[str, int] = {}
        self.fail: list[int] = []
        if path and path.exists():
            saved = json.loads(path.read_text("utf-8"))
            self.tickets, self.seq, self.idem = saved["tickets"], saved["seq"], saved["idem"]

    def save(self) -> None:
        if self.path:
            tmp = self.path.with_suffix(".tmp")
            data = {"tickets": self.tickets, "seq": self.seq, "idem": self.idem}
            tmp.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
            tmp.replace(self.path)

    def add(self, fields: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self.seq += 1
            now = datetime.now(CST)
            pid = str(fields.get("id") or f"SJ{now:%Y%m%d}{self.seq:06d}")
            ticket = {
                "id": pid,
                "seq": self.seq,
                "title": str(fields.get("title", "")),
                "content": str(fields.get("content", "")),
                "type": str(fields.get("type", "求助")),
                "citizen_name": str(fields.get("citizen_name", "")),
                "citizen_phone": str(fields.get("citizen_phone", "")),
                "address": str(fields.get("address", "")),
                "created_at": now.isoformat(timespec="seconds"),
                "due_at": (now + timedelta(days=5)).isoformat(timespec="seconds"),
                "city_number": "",
                "accepted_at": "",
                "status": "new",
                "status_label": "待受理",
                "replies": [],
                "history": [],
            }
            self.tickets[pid] = ticket
            self.save()
            return ticket

    def seed(self, count: int) -> None:
        for i in range(count):
            title, kind, content = SAMPLES[i % len(SAMPLES)]
            self.add({"title": title, "type": kind, "content": content, "citizen_name": "王女士",
                      "citizen_phone": f"1380000{i:04d}"})  # fmt: skip


def _reply(handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any], extra: dict[str, str] | None = None) -> None:  # fmt: skip
    raw = json.dumps(body, ensure_ascii=False).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json; charset=utf-8")
    handler.send_header("Content-Length", str(len(raw)))
    for k, v in (extra or {}).items():
        handler.send_header(k, v)
    handler.end_headers()
    handler.wfile.write(raw)


def _error(handler: BaseHTTPRequestHandler, status: int, code: str, message: str) -> None:
    _reply(handler, status, {"code": code, "message": message})


def make_handler(state: ProvinceState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "ProvinceSim/1"

        def log_message(self, fmt: str, *args: Any) -> None:
            pass

        def _body(self) -> bytes | None:
            size = int(self.headers.get("Content-Length") or 0)
            if size > BODY_MAX:
                if size <= 8 * BODY_MAX:  # drain it, so the client reads our answer instead of a reset
                    for start in range(0, size, 65536):
                        self.rfile.read(min(65536, size - start))
                self.close_connection = True
                _error(self, 413, "body_too_large", "请求体过大")
                return None
            return self.rfile.read(size) if size else b""

        def _checked(self, body: bytes) -> bool:
            given = {k.lower(): v for k, v in self.headers.items()}
            if given.get("x-app-id") != state.app_id:
                _error(self, 401, "unknown_app", "未知的 X-App-Id")
                return False
            now = int(time.time())
            problem = signing.verify(state.secret, self.command, self.path, given, body, now=now)
            if problem:
                _error(self, 401, problem, "签名无效或请求已过期")
                return False
            with state.lock:
                for n, t in list(state.nonces.items()):
                    if now - t > signing.TOLERANCE_SECONDS:
                        del state.nonces[n]
                if given["x-nonce"] in state.nonces:
                    _error(self, 401, "replayed", "重复的 X-Nonce（重放请求）")
                    return False
                state.nonces[given["x-nonce"]] = now
                if state.fail:
                    status = state.fail.pop(0)
                    _error(self, status, "unavailable", "模拟故障")
                    return False
            return True

        def do_GET(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            if url.path == "/sim/state":
                with state.lock:
                    _reply(self, 200, {"tickets": list(state.tickets.values()), "seq": state.seq})
                return
            if not self._checked(b""):
                return
            parts = url.path.strip("/").split("/")
            if url.path == "/api/v1/tickets":
                q = parse_qs(url.query)
                try:
                    after = int(q.get("after", ["0"])[0])
                    limit = min(max(int(q.get("limit", ["50"])[0]), 1), FEED_MAX)
                except ValueError:
                    _error(self, 400, "bad_query", "after/limit 应为整数")
                    return
                with state.lock:
                    rows = sorted(
                        (t for t in state.tickets.values() if t["seq"] > after), key=lambda t: t["seq"]
                    )
                page = rows[:limit]
                nxt = page[-1]["seq"] if page else after
                _reply(self, 200, {"tickets": page, "next": nxt, "more": len(rows) > limit})
                return
            if len(parts) == 4 and parts[:3] == ["api", "v1", "tickets"]:
                ticket = state.tickets.get(parts[3])
                if ticket is None:
                    _error(self, 404, "not_found", "省平台无此工单")
                else:
                    _reply(self, 200, ticket)
                return
            _error(self, 404, "not_found", "无此接口")

        def do_POST(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            body = self._body()
            if body is None:
                return
            try:
                data = json.loads(body or b"{}")
                if not isinstance(data, dict):
                    raise ValueError
            except ValueError:
                _error(self, 400, "malformed_json", "请求体不是 JSON 对象")
                return
            if url.path == "/sim/tickets":
                _reply(self, 201, state.add(data))
                return
            if url.path == "/sim/fail":
                with state.lock:
                    state.fail = [int(data.get("status", 503))] * int(data.get("count", 1))
                _reply(self, 200, {"ok": True})
                return
            if not self._checked(body):
                return
            parts = url.path.strip("/").split("/")
            if (
                len(parts) != 5
                or parts[:3] != ["api", "v1", "tickets"]
                or parts[4] not in ("accept", "status", "reply")
            ):
                _error(self, 404, "not_found", "无此接口")
                return
            key = self.headers.get("Idempotency-Key", "")
            if not key or len(key) > 200:
                _error(self, 400, "idempotency_key_required", "推送须带 Idempotency-Key")
                return
            digest = hashlib.sha256(body).hexdigest()
            with state.lock:
                seen = state.idem.get(key)
                if seen is not None:
                    if seen["digest"] != digest:
                        _error(self, 422, "idempotency_key_reused", "该 Idempotency-Key 已用于不同的内容")
                    else:
                        _reply(self, seen["status"], seen["body"], {"Idempotent-Replayed": "true"})
                    return
                status, answer = self._apply(parts[3], parts[4], data)
                if status < 500:
                    state.idem[key] = {"digest": digest, "status": status, "body": answer}
                state.save()
            _reply(self, status, answer)

        def _apply(self, pid: str, action: str, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
            ticket = state.tickets.get(pid)
            if ticket is None:
                return 404, {"code": "not_found", "message": "省平台无此工单"}
            stamp = datetime.now(CST).isoformat(timespec="seconds")
            if action == "accept":
                number = str(data.get("number", ""))
                if not number:
                    return 400, {"code": "invalid", "message": "缺少 number"}
                if ticket["city_number"] and ticket["city_number"] != number:
                    return 409, {"code": "already_accepted", "message": "该工单已由另一编号受理"}
                ticket.update(city_number=number, accepted_at=stamp, status="accepted", status_label="已受理")
            elif action == "status":
                if not data.get("status"):
                    return 400, {"code": "invalid", "message": "缺少 status"}
                ticket.update(status=str(data["status"]), status_label=str(data.get("label", "")))
            else:
                if not data.get("reply"):
                    return 400, {"code": "invalid", "message": "缺少 reply"}
                ticket["replies"].append({"reply": str(data["reply"]), "department": str(data.get("department", "")), "at": stamp})  # fmt: skip
            ticket["history"].append({"action": action, "at": stamp, "data": data})
            return 200, {"ok": True, "ticket": pid}

    return Handler


def serve(state: ProvinceState, host: str = "127.0.0.1", port: int = 8731) -> ThreadingHTTPServer:
    """A running server (in a background thread); call `.shutdown()` to stop it."""
    server = ThreadingHTTPServer((host, port), make_handler(state))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
