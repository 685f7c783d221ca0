"""API: tokens, the current user, departments."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from hotline.accounts.models import Department
from hotline.accounts.services import token_issue, user_authenticate

router = Router(tags=["accounts"])


class TokenIn(Schema):
    username: str
    password: str


class UserOut(Schema):
    id: int
    username: str
    name: str
    role: str
    role_label: str
    department: str | None


class TokenOut(Schema):
    token: str
    expires_at: datetime | None
    user: UserOut


class ErrorOut(Schema):
    code: str
    message: str
    errors: list[dict[str, str]]


class DepartmentOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None


def user_out(user: object) -> dict[str, object]:
    return {
        "id": user.pk,  # type: ignore[attr-defined]
        "username": user.username,  # type: ignore[attr-defined]
        "name": str(user),
        "role": user.role,  # type: ignore[attr-defined]
        "role_label": user.get_role_display(),  # type: ignore[attr-defined]
        "department": user.department.code if user.department else None,  # type: ignore[attr-defined]
    }


@router.post(
    "/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 429: ErrorOut}, summary="取得 API 令牌"
)
def auth_token(request: HttpRequest, payload: TokenIn) -> dict[str, object]:
    """Exchange a username and password for a bearer token (throttled like the sign-in page)."""
    user = user_authenticate(
        username=payload.username, password=payload.password, address=request.META.get("REMOTE_ADDR", "")
    )
    token, raw = token_issue(user=user)
    return {"token": raw, "expires_at": token.expires_at, "user": user_out(user)}


@router.get("/me", response=UserOut, summary="当前用户")
def me(request: HttpRequest) -> dict[str, object]:
    return user_out(request.user)


@router.get("/departments", response=list[DepartmentOut], summary="承办单位目录")
def departments(request: HttpRequest, kind: str | None = None) -> list[dict[str, object]]:
    qs = Department.objects.filter(is_active=True).select_related("parent")
    if kind:
        qs = qs.filter(kind=kind)
    return [
        {"code": d.code, "name": d.name, "kind": d.kind, "parent": d.parent.code if d.parent else None}
        for d in qs
    ]
