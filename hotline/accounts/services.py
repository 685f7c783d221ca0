"""Sign-in with throttling, and API tokens."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import authenticate
from django.utils import timezone

from hotline.accounts.models import ApiToken, User
from hotline.accounts.throttle import login_failed, login_locked_seconds, login_succeeded
from hotline.core.errors import ServiceError
from hotline.core.models import AuditLog

TOKEN_DAYS = 30


class LoginLocked(ServiceError):
    code = "login_locked"
    http_status = 429


class BadCredentials(ServiceError):
    code = "bad_credentials"
    http_status = 401


def user_authenticate(*, username: str, password: str, address: str) -> User:
    """Check a username and password, counting failures and refusing while locked out."""
    username = (username or "").strip()[:150]
    locked = login_locked_seconds(username=username, address=address)
    if locked:
        minutes = max(1, (locked + 59) // 60)
        raise LoginLocked(f"登录失败次数过多，账号已临时锁定，请 {minutes} 分钟后再试。")
    user = authenticate(username=username, password=password or "")
    if user is None:
        login_failed(username=username, address=address)
        AuditLog.objects.create(
            action="login_failed", object_type="user", object_id=username, address=address
        )
        raise BadCredentials("用户名或密码错误。")
    login_succeeded(username=username, address=address)
    AuditLog.objects.create(
        actor=user, action="login", object_type="user", object_id=str(user.pk), address=address
    )
    return user  # type: ignore[return-value]


def token_issue(*, user: User, name: str = "api") -> tuple[ApiToken, str]:
    """A new bearer token for the user, valid for TOKEN_DAYS days."""
    return ApiToken.issue(user=user, name=name, expires_at=timezone.now() + timedelta(days=TOKEN_DAYS))
