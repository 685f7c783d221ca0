"""Helpers for API tests: a bearer-token client per role, and a snapshot of what a refused request must not change."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from hotline.accounts.models import User
from hotline.tickets import services as svc
from hotline.tickets.models import Assignment, Attachment, Ticket, TicketEvent, TicketRequest
from hotline.tickets.tests.factories import PASSWORD, make_ticket

API = "/api/v1"


class ApiClient:
    """Calls /api/v1 as a given user, with a token obtained from POST /auth/token (one per user)."""

    def __init__(self) -> None:
        self.client = Client()
        self.tokens: dict[str, str] = {}

    def token(self, user: User) -> str:
        if user.username not in self.tokens:
            r = self.client.post(
                f"{API}/auth/token",
                {"username": user.username, "password": PASSWORD},
                content_type="application/json",
            )
            assert r.status_code == 200, r.content
            self.tokens[user.username] = r.json()["token"]
        return self.tokens[user.username]

    def _auth(self, user: User | None, headers: dict[str, str] | None) -> dict[str, str]:
        out = dict(headers or {})
        if user is not None:
            out["Authorization"] = f"Bearer {self.token(user)}"
        return out

    def get(self, path: str, user: User | None = None, **kw: Any) -> Any:
        headers = self._auth(user, kw.pop("headers", None))
        return self.client.get(_url(path), headers=headers, **kw)

    def post(
        self,
        path: str,
        data: Any = None,
        user: User | None = None,
        headers: dict[str, str] | None = None,
        raw: str | bytes | None = None,
    ) -> Any:
        body = raw if raw is not None else json.dumps(data if data is not None else {})
        return self.client.post(
            _url(path), body, content_type="application/json", headers=self._auth(user, headers)
        )

    def upload(self, path: str, files: dict[str, Any], user: User) -> Any:
        return self.client.post(_url(path), files, headers=self._auth(user, None))


def _url(path: str) -> str:
    return path if path.startswith(("/api/", "/healthz", "/accounts/")) else f"{API}{path}"


@pytest.fixture(name="api")
def api_fixture(city: Any) -> ApiClient:
    """Test modules import this as `api_fixture` and ask for `api`."""
    return ApiClient()


@pytest.fixture(autouse=True)
def _clean_login_counters() -> Any:
    """Login failures are counted in the cache (per username and address); no test may inherit another's."""
    cache.clear()
    yield
    cache.clear()


def create_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "小区路灯不亮",
        "content": "幸福路 12 号小区门口路灯连续三晚不亮，请维修。",
        "type": "help",
        "citizen": {"name": "张三", "phone": "13912345678"},
    }
    body.update(overrides)
    return body


def assert_error(r: Any, status: int, code: str) -> dict[str, Any]:
    """A structured error: {code, message (Chinese), errors[]} with the given status."""
    assert r.status_code == status, (r.status_code, r.content.decode()[:500])
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) >= {"code", "message", "errors"}, body
    assert body["code"] == code, body
    assert isinstance(body["errors"], list)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body["message"]
    return body


@dataclass(frozen=True)
class Snapshot:
    tickets: int
    events: int
    assignments: int
    requests: int
    attachments: int
    rows: tuple[tuple[str, str, int, Any], ...]


def snapshot() -> Snapshot:
    """Everything a refused request must leave as it was."""
    return Snapshot(
        tickets=Ticket.objects.count(),
        events=TicketEvent.objects.count(),
        assignments=Assignment.objects.filter(active=True).count(),
        requests=TicketRequest.objects.count(),
        attachments=Attachment.objects.count(),
        rows=tuple(Ticket.objects.order_by("pk").values_list("number", "status", "version", "due_at")),
    )


@contextmanager
def unchanged() -> Iterator[None]:
    """Assert that the block (a refused request) changed no ticket, event, assignment or request."""
    before = snapshot()
    yield
    assert snapshot() == before


def png_bytes(width: int = 1, height: int = 1) -> bytes:
    """A small but real PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def dispatched_ticket(city: Any, *, lead: Any = None, **fields: Any) -> Ticket:
    """A ticket an agent took in and dispatched (to the district unless told otherwise)."""
    t = make_ticket(by=city.agent, submit=True, **fields)
    return svc.ticket_dispatch(ticket=t, by=city.dispatcher, lead=lead or city.district)
