"""Signing in: API tokens, structured 401s, and the shared lock-out after repeated failures."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from hotline.accounts.models import ApiToken, Role
from hotline.core.models import AuditLog
from hotline.tickets.tests.factories import PASSWORD, UserFactory

TOKEN_URL = "/api/v1/auth/token"
ME_URL = "/api/v1/me"
LOGIN_URL = "/accounts/login/"


@pytest.fixture(autouse=True)
def _clean_login_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def agent(db):
    return UserFactory(username="agent7", role=Role.AGENT)


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _token(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        TOKEN_URL,
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def _assert_error(r, status: int, code: str) -> dict:
    assert r.status_code == status, r.content
    body = r.json()
    assert body["code"] == code
    assert _chinese(body["message"]), body
    assert body["errors"] == []
    return body


def test_good_password_issues_a_bearer_token_that_authenticates(client, agent):
    r = _token(client, "agent7", PASSWORD)

    assert r.status_code == 200
    body = r.json()
    assert body["token"].startswith("hl_")
    assert body["user"] == {
        "id": agent.pk,
        "username": "agent7",
        "name": str(agent),
        "role": "agent",
        "role_label": "话务员",
        "department": None,
    }
    token = ApiToken.objects.get(user=agent)
    assert token.key_hash != body["token"]  # only the hash is stored
    assert token.expires_at > timezone.now() + timedelta(days=29)
    me = client.get(ME_URL, headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json()["username"] == "agent7"
    assert AuditLog.objects.filter(action="login", actor=agent).count() == 1


def test_wrong_password_is_401_bad_credentials_and_issues_no_token(client, agent):
    r = _token(client, "agent7", "not-the-password-1")

    _assert_error(r, 401, "bad_credentials")
    assert not ApiToken.objects.exists()
    assert AuditLog.objects.filter(action="login_failed", object_id="agent7").count() == 1


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client, agent):
    known = _token(client, "agent7", "wrong-password-1").json()
    unknown = _token(client, "nobody", "wrong-password-1").json()

    assert known == unknown


@pytest.mark.parametrize("body", [{}, {"username": "agent7"}, {"username": 5, "password": []}])
def test_token_request_with_missing_or_mistyped_fields_is_400(client, agent, body):
    r = client.post(TOKEN_URL, body, content_type="application/json")

    assert r.status_code == 400
    assert r.json()["code"] == "invalid"
    assert all(_chinese(e["message"]) for e in r.json()["errors"])


def test_api_locks_after_max_failures_even_for_the_right_password(client, agent, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        _assert_error(_token(client, "agent7", "wrong-password-1"), 401, "bad_credentials")

    r = _token(client, "agent7", PASSWORD)

    body = _assert_error(r, 429, "login_locked")
    minutes = settings.LOGIN_LOCKOUT_SECONDS // 60
    assert f"{minutes} 分钟" in body["message"]
    assert re.search(r"\d+ 分钟", body["message"])
    assert not ApiToken.objects.exists()


def test_lock_out_is_per_username_from_any_address(client, agent, settings):
    for i in range(settings.LOGIN_MAX_FAILURES):
        _token(client, "agent7", "wrong-password-1", address=f"10.0.1.{i}")

    _assert_error(_token(client, "agent7", PASSWORD, address="10.9.9.9"), 429, "login_locked")


def test_lock_out_is_per_address_against_password_spraying(client, agent, settings):
    UserFactory(username="other7")
    for i in range(settings.LOGIN_MAX_FAILURES):
        _token(client, f"sprayed{i}", "wrong-password-1", address="10.0.2.2")

    _assert_error(_token(client, "agent7", PASSWORD, address="10.0.2.2"), 429, "login_locked")
    assert _token(client, "other7", PASSWORD, address="10.0.2.3").status_code == 200


def test_fewer_failures_than_the_limit_do_not_lock(client, agent, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES - 1):
        _token(client, "agent7", "wrong-password-1")

    assert _token(client, "agent7", PASSWORD).status_code == 200


def test_web_login_page_shows_the_lock_out_with_429(client, agent, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        r = client.post(LOGIN_URL, {"username": "agent7", "password": "wrong-password-1"})
        assert r.status_code == 401
        assert "用户名或密码错误" in r.content.decode()

    r = client.post(LOGIN_URL, {"username": "agent7", "password": PASSWORD})

    assert r.status_code == 429
    page = r.content.decode()
    assert "锁定" in page
    assert re.search(r"请 \d+ 分钟后再试", page)
    assert "_auth_user_id" not in client.session


def test_web_and_api_share_one_failure_counter(client, agent, settings):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post(LOGIN_URL, {"username": "agent7", "password": "wrong-password-1"}, REMOTE_ADDR="10.0.3.3")

    _assert_error(_token(client, "agent7", PASSWORD, address="10.0.3.4"), 429, "login_locked")


def test_web_login_with_the_right_password_signs_in(client, agent):
    r = client.post(LOGIN_URL, {"username": "agent7", "password": PASSWORD})

    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(agent.pk)


def _me(client, header: str | None):
    headers = {"Authorization": header} if header is not None else {}
    return client.get(ME_URL, headers=headers)


@pytest.mark.parametrize(
    "header", [None, "Bearer ", "Bearer hl_not-a-real-token", "Token abc", "hl_no-scheme", "Bearer a b"]
)
def test_missing_or_invalid_token_is_401_structured(client, agent, header):
    _assert_error(_me(client, header), 401, "unauthorized")


def test_expired_token_is_401(client, agent):
    token, raw = ApiToken.issue(user=agent, expires_at=timezone.now() - timedelta(seconds=1))

    _assert_error(_me(client, f"Bearer {raw}"), 401, "unauthorized")


def test_revoked_token_is_401(client, agent):
    raw = _token(client, "agent7", PASSWORD).json()["token"]
    assert _me(client, f"Bearer {raw}").status_code == 200  # now cached in this process

    token = ApiToken.objects.get(user=agent)
    token.revoked = True
    token.save()

    _assert_error(_me(client, f"Bearer {raw}"), 401, "unauthorized")


def test_token_revoked_behind_the_cache_stops_within_its_age(client, agent, monkeypatch):
    from hotline.accounts.tokens import TOKEN_CACHE_SECONDS
    from hotline.core import refcache

    raw = _token(client, "agent7", PASSWORD).json()["token"]
    assert _me(client, f"Bearer {raw}").status_code == 200
    ApiToken.objects.filter(user=agent).update(revoked=True)  # no signal: the cache still has it
    assert _me(client, f"Bearer {raw}").status_code == 200

    later = refcache.time.monotonic() + TOKEN_CACHE_SECONDS + 1
    monkeypatch.setattr(refcache.time, "monotonic", lambda: later)
    _assert_error(_me(client, f"Bearer {raw}"), 401, "unauthorized")


def test_token_of_a_deactivated_user_is_401(client, agent):
    raw = _token(client, "agent7", PASSWORD).json()["token"]
    agent.is_active = False
    agent.save(update_fields=["is_active"])

    _assert_error(_me(client, f"Bearer {raw}"), 401, "unauthorized")


def test_token_use_is_recorded_at_most_once_a_minute(client, agent):
    raw = _token(client, "agent7", PASSWORD).json()["token"]
    _me(client, f"Bearer {raw}")
    first = ApiToken.objects.get(user=agent).last_used_at
    assert first is not None

    _me(client, f"Bearer {raw}")

    assert ApiToken.objects.get(user=agent).last_used_at == first


def test_schema_and_token_endpoint_need_no_token(client, agent):
    assert client.get("/api/v1/schema").status_code == 200
    assert _token(client, "agent7", PASSWORD).status_code == 200
