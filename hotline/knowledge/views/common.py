"""Shared by the knowledge pages: role checks and parsing the article form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, QueryDict
from django.http.response import HttpResponseBase

from hotline.accounts.models import Department
from hotline.knowledge.permissions import may_manage
from hotline.tickets.models import Category


def manager_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed in, and a role that manages the knowledge base (403 page otherwise)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not may_manage(request.user):  # type: ignore[arg-type]
            raise PermissionDenied("您的角色不能管理热线百科。")
        return view(request, *args, **kwargs)

    return wrapped


def parse_article_form(post: QueryDict) -> tuple[dict[str, Any], dict[str, str]]:
    """The edit form as service fields, and the field errors (Chinese) of what could not be read."""
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {
        "title": post.get("title", ""),
        "body": post.get("body", ""),
        "keywords": post.get("keywords", ""),
        "synonyms": post.get("synonyms", ""),
        "tags": post.get("tags", ""),
        "is_public": post.get("is_public") == "on",
    }
    questions, answers = post.getlist("qa_q"), post.getlist("qa_a")
    fields["qa_pairs"] = [{"q": q, "a": a} for q, a in zip(questions, answers, strict=False)]
    for name in ("effective_from", "expires_on"):
        raw = post.get(name, "").strip()
        try:
            fields[name] = date.fromisoformat(raw) if raw else None
        except ValueError:
            errors[name] = "日期格式应为 年-月-日"
    raw_cat = post.get("category", "").strip()
    fields["category"] = Category.objects.filter(pk=int(raw_cat)).first() if raw_cat.isdecimal() else None
    if raw_cat and fields["category"] is None:
        errors["category"] = "请选择有效的分类"
    code = post.get("department", "").strip()
    fields["department"] = Department.objects.filter(code=code, is_active=True).first() if code else None
    if code and fields["department"] is None:
        errors["department"] = "请选择有效的单位"
    return fields, errors
