"""REST endpoints of the assist app, mounted under /api/v1/assist: the agent desk's 智能建议 for other systems."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from hotline.accounts.api import ErrorOut
from hotline.accounts.models import Department, Role, User
from hotline.assist import schemas as s
from hotline.assist.duplicates import DUPLICATE_DAYS
from hotline.assist.selectors import near_duplicate_tickets, suggestions_for
from hotline.core.errors import InvalidInput, NotAllowed
from hotline.tickets.models import OPEN_STATUSES, Category
from hotline.tickets.permissions import tickets_visible_to

router = Router(tags=["智能辅助"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut}
# Who takes requests (agent desk) or dispatches them (dispatch desk).
SUGGEST_ROLES = frozenset({Role.AGENT, Role.DISPATCHER, Role.REVIEWER, Role.SUPERVISOR})
SOURCE_LABELS = {"rule": "派单目录", "model": "模型"}


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if user.role not in SUGGEST_ROLES:
        raise NotAllowed("您的角色不能使用派单建议。")
    return user


def _references(payload: s.SuggestIn) -> tuple[Category | None, Department | None]:
    errors: dict[str, str] = {}
    category = district = None
    if payload.category.strip():
        category = Category.objects.filter(code=payload.category.strip(), level=3, is_active=True).first()
        if category is None:
            errors["category"] = "分类编码不存在或不是三级分类"
    if payload.district.strip():
        district = Department.objects.filter(code=payload.district.strip(), is_active=True).first()
        if district is None:
            errors["district"] = "区县编码不存在"
    if errors:
        raise InvalidInput("编码有误：" + "；".join(errors.values()) + "。", fields=errors)
    return category, district


@router.post(
    "/suggest",
    response={200: s.SuggestOut, **ERRORS},
    summary="派单建议（分类、承办单位、110 研判、疑似重复）",
)
def suggest(request: HttpRequest, payload: s.SuggestIn) -> dict[str, Any]:
    """What the agent desk's panel shows: catalogue rule first, then the model; empty lists while no model is active."""
    user = _user(request)
    category, district = _references(payload)
    sug = suggestions_for(title=payload.title, content=payload.content, category=category, district=district)
    since = timezone.now() - timedelta(days=DUPLICATE_DAYS)
    open_tickets = tickets_visible_to(user).filter(status__in=OPEN_STATUSES)
    near = near_duplicate_tickets(
        base=open_tickets,
        content=payload.content or payload.title,
        district=district.code if district else "",
        since=since,
    )
    return {
        "model_version": sug.version or None,
        "categories": [
            {"code": c.category.code, "name": c.category.name, "path": c.path, "confidence": c.probability}
            for c in sug.categories
        ],
        "departments": [
            {
                "code": d.code,
                "name": d.name,
                "confidence": d.probability,
                "source": d.source,
                "source_label": SOURCE_LABELS[d.source],
                "reason": d.reason,
            }
            for d in sug.departments
        ],
        "police": (
            {"level": sug.police.level, "label": sug.police.label, "reasons": sug.police.reasons}
            if sug.police
            else None
        ),
        "duplicates": [
            {
                "number": t.number,
                "title": t.title,
                "status": t.status,
                "status_label": t.get_status_display(),
                "lead_department": t.lead_department.name if t.lead_department else None,
                "created_at": t.created_at,
                "similarity": round(score, 3),
                "reason": f"内容相近 {score:.0%}",
            }
            for t, score in near
        ],
    }
