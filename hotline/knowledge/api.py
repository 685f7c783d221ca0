"""API: 热线百科 search, article CRUD and workflow actions within the caller's role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from hotline.accounts.api import ErrorOut
from hotline.accounts.models import Department, User
from hotline.core.errors import InvalidInput
from hotline.knowledge import schemas as s
from hotline.knowledge import services as svc
from hotline.knowledge.models import Article
from hotline.knowledge.permissions import allowed_actions, may_manage
from hotline.knowledge.selectors import article_get, articles_list, articles_search
from hotline.tickets.models import Category

router = Router(tags=["knowledge"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
MAX_INPUT = 10_000


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _out(user: User, a: Article) -> dict[str, Any]:
    return {
        "id": a.pk,
        "external_id": a.external_id,
        "title": a.title,
        "status": a.status,
        "status_label": a.get_status_display(),
        "body": a.body,
        "keywords": a.keywords,
        "synonyms": a.synonyms,
        "tags": a.tags,
        "qa_pairs": a.qa_pairs or [],
        "category": a.category_id,
        "department": a.department.code if a.department_id and a.department else None,
        "effective_from": a.effective_from,
        "expires_on": a.expires_on,
        "is_public": a.is_public,
        "version": a.version,
        "updated_at": a.updated_at,
        "actions": allowed_actions(user, a),
    }


def _department(code: str | None) -> Department | None:
    if not code:
        return None
    dept = Department.objects.filter(code=code).first()
    if dept is None:
        raise InvalidInput(f"单位编码 {code} 不存在。", fields={"department": "单位不存在"})
    return dept


def _category(pk: int | None) -> Category | None:
    if pk is None:
        return None
    cat = Category.objects.filter(pk=pk).first()
    if cat is None:
        raise InvalidInput(f"分类 {pk} 不存在。", fields={"category": "分类不存在"})
    return cat


@router.get(
    "/search", response={200: s.SearchOut, **ERRORS}, summary="检索（默认只含已发布、在有效期内的文章）"
)
def search(request: HttpRequest, query: Query[s.SearchQuery]) -> dict[str, Any]:
    if len(query.q) > MAX_INPUT:
        raise InvalidInput(
            f"检索内容过长（{len(query.q)} 字），请不超过 {MAX_INPUT} 字。", fields={"q": "过长"}
        )
    dept = _department(query.department)
    departments = None
    if dept is not None:
        departments = list(Department.objects.filter(path__startswith=dept.path).values_list("pk", flat=True))
    results = articles_search(
        query=query.q,
        limit=query.limit,
        categories=[query.category] if query.category else None,
        departments=departments,
        include_expired=query.include_expired,
    )
    return {
        "query": results.query,
        "message": results.message,
        "results": [
            {
                "id": r.article.pk,
                "title": r.article.title,
                "snippet": r.snippet_html,
                "score": round(r.score, 4),
                "url": f"/kb/{r.article.pk}/",
            }
            for r in results.results
        ],
    }


@router.get("/articles", response={200: s.ArticlePage, **ERRORS}, summary="文章列表（按权限）")
def articles(request: HttpRequest, filters: Query[s.ListQuery]) -> dict[str, Any]:
    user = _user(request)
    if filters.status and filters.status not in Article.Status.values:
        raise InvalidInput(f"未知状态：{filters.status}。", fields={"status": "取值无效"})
    qs = articles_list(user=user, q=filters.q, status=[filters.status] if filters.status else None)
    start = (filters.page - 1) * filters.page_size
    rows = list(qs[start : start + filters.page_size])
    return {
        "count": qs.count(),
        "page": filters.page,
        "page_size": filters.page_size,
        "results": [_out(user, a) for a in rows],
    }


@router.post("/articles", response={201: s.ArticleOut, **ERRORS}, summary="新建文章（草稿）")
def article_create(request: HttpRequest, payload: s.ArticleIn) -> Status[dict[str, Any]]:
    user = _user(request)
    data = payload.dict()
    note = data.pop("note")
    data["department"] = _department(payload.department)
    data["category"] = _category(payload.category)
    if data["department"] is None:
        data.pop("department")
    article = svc.article_create(by=user, note=note, **data)
    return Status(201, _out(user, article))


@router.get("/articles/{pk}", response={200: s.ArticleOut, **ERRORS}, summary="文章详情")
def article_detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return _out(_user(request), article_get(user=_user(request), pk=pk))


@router.patch("/articles/{pk}", response={200: s.ArticleOut, **ERRORS}, summary="修改文章（只改传入的字段）")
def article_update(request: HttpRequest, pk: int, payload: s.ArticlePatch) -> dict[str, Any]:
    user = _user(request)
    article = article_get(user=user, pk=pk)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version", None)
    note = data.pop("note", "")
    if "department" in data:
        data["department"] = _department(data["department"])
    if "category" in data:
        data["category"] = _category(data["category"])
    for name in ("title", "body", "keywords", "synonyms", "tags", "qa_pairs", "is_public"):
        if name in data and data[name] is None:
            raise InvalidInput("字段不能为 null。", fields={name: "不能为 null"})
    article = svc.article_update(article=article, by=user, version=version, note=note, **data)
    return _out(user, article)


@router.delete("/articles/{pk}", response={204: None, **ERRORS}, summary="删除草稿")
def article_delete(request: HttpRequest, pk: int) -> Status[None]:
    svc.article_delete(article=article_get(user=_user(request), pk=pk), by=_user(request))
    return Status(204, None)


@router.post(
    "/articles/{pk}/actions/{action}",
    response={200: s.ArticleOut, **ERRORS},
    summary="流程操作：submit / review / return / publish / withdraw / revise",
)
def article_action(request: HttpRequest, pk: int, action: str, payload: s.ActionIn) -> dict[str, Any]:
    user = _user(request)
    if not may_manage(user):
        article_get(user=user, pk=pk)  # 404 for what the user cannot see at all
    article = svc.article_act(
        article=article_get(user=user, pk=pk),
        by=user,
        action=action,
        note=payload.note,
        version=payload.version,
    )
    return _out(user, article)


@router.post("/articles/{pk}/flags", response={201: s.FlagOut, **ERRORS}, summary="纠错反馈")
def article_flag(request: HttpRequest, pk: int, payload: s.FlagIn) -> Status[dict[str, Any]]:
    user = _user(request)
    flag = svc.article_flag(
        article=article_get(user=user, pk=pk), by=user, kind=payload.kind, note=payload.note
    )
    return Status(
        201,
        {
            "id": flag.pk,
            "article": pk,
            "kind": flag.kind,
            "note": flag.note,
            "state": flag.state,
            "at": flag.at,
        },
    )
