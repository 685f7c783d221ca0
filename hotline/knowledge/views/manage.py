"""热线百科 management pages: list with filters, article page, edit, diff, workflow, import/export, flags, stats."""

from __future__ import annotations

import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hotline.accounts.models import Department, Role, User
from hotline.core.errors import InvalidInput, NotFound, ServiceError
from hotline.knowledge import services as svc
from hotline.knowledge.diff import version_diff
from hotline.knowledge.exports import articles_csv, articles_xlsx
from hotline.knowledge.importers import ImportFormatError
from hotline.knowledge.models import Article, ArticleAttachment, ArticleFlag
from hotline.knowledge.permissions import allowed_actions, may_edit, may_manage, may_view
from hotline.knowledge.selectors import (
    VALIDITY,
    article_get,
    article_use_counts,
    article_uses,
    articles_expiring,
    articles_list,
    citation_rate,
    flags_for,
    search_gaps,
)
from hotline.knowledge.services.imports import IMPORT_ROLES
from hotline.knowledge.views.common import manager_required, parse_article_form
from hotline.knowledge.workflow import EDITORS, REVIEWERS, TRANSITIONS
from hotline.tickets.models import Category

STATS_ROLES = frozenset({*EDITORS, *REVIEWERS, Role.ADMIN, Role.ANALYST})
IMPORT_EXTENSIONS = (".csv", ".xlsx", ".docx")
IMPORT_MAX_BYTES = 20 * 1024 * 1024


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _filters(request: HttpRequest) -> dict[str, Any]:
    g = request.GET
    dept = Department.objects.filter(code=g.get("department", "")).first() if g.get("department") else None
    cat = g.get("category", "")
    return {
        "q": g.get("q", ""),
        "status": [s for s in g.getlist("status") if s in Article.Status.values] or None,
        "category": int(cat) if cat.isdecimal() else None,
        "department": dept,
        "public": {"1": True, "0": False}.get(g.get("public", "")),
        "validity": g.get("validity", "") if g.get("validity", "") in VALIDITY else "",
        "flagged": g.get("flagged") == "1",
    }


def _choices() -> dict[str, Any]:
    return {
        "statuses": Article.Status.choices,
        "validities": VALIDITY.items(),
        "categories": Category.objects.filter(is_active=True).order_by("code"),
        "departments": Department.objects.filter(is_active=True).exclude(kind=Department.Kind.CENTRE),
    }


def _nav(user: User) -> dict[str, Any]:
    return {
        "open_flags": flags_for(user=user).count() if may_manage(user) else 0,
        "may_create": user.role in EDITORS | REVIEWERS,
        "may_import": user.role in IMPORT_ROLES,
    }


@manager_required
def kb_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    page = Paginator(articles_list(user=user, **_filters(request)), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/list.html",
        {
            "page": page,
            "g": request.GET,
            "expiring": list(articles_expiring(user=user, days=30)[:10]),
            **_nav(user),
            **_choices(),
        },
    )


def _detail_context(request: HttpRequest, article: Article) -> dict[str, Any]:
    user = _user(request)
    actions = allowed_actions(user, article)
    return {
        "article": article,
        "manage": may_manage(user),
        "actions": [(a, TRANSITIONS[a]) for a in actions],
        "may_edit": may_edit(user, article),
        "versions": list(article.versions.select_related("by")[:30]),
        "events": list(article.events.select_related("by").order_by("-at", "-id")[:50]),
        "attachments": list(article.attachments.all()),
        "flags": list(article.flags.select_related("by", "handled_by")[:20]),
        "flag_kinds": ArticleFlag.Kind.choices,
        "uses": article_uses(article),
        "today": timezone.localdate(),
    }


@login_required
def kb_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One article: content for everybody who may see it; history and actions for managers."""
    try:
        article = article_get(user=_user(request), pk=pk)
    except NotFound as exc:
        return render(request, "knowledge/not_found.html", {"message": exc.message}, status=404)
    return render(request, "knowledge/detail.html", _detail_context(request, article))


def _form_values(article: Article | None, post: Any = None) -> dict[str, Any]:
    if post is not None:
        pairs = [{"q": q, "a": a} for q, a in zip(post.getlist("qa_q"), post.getlist("qa_a"), strict=False)]
        return {
            **{k: post.get(k, "") for k in post},
            "is_public": post.get("is_public") == "on",
            "pairs": pairs,
        }
    if article is None:
        return {"pairs": []}
    return {
        "title": article.title,
        "body": article.body,
        "keywords": article.keywords,
        "synonyms": article.synonyms,
        "tags": article.tags,
        "category": str(article.category_id or ""),
        "department": article.department.code if article.department else "",
        "effective_from": article.effective_from.isoformat() if article.effective_from else "",
        "expires_on": article.expires_on.isoformat() if article.expires_on else "",
        "is_public": article.is_public,
        "version": article.version,
        "pairs": list(article.qa_pairs or []),
    }


@manager_required
def kb_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """New article (GET/POST without pk) or edit one; errors keep everything typed."""
    user = _user(request)
    article = None
    if pk is not None:
        try:
            article = article_get(user=user, pk=pk)
        except NotFound as exc:
            return render(request, "knowledge/not_found.html", {"message": exc.message}, status=404)
        if not may_edit(user, article):
            messages.warning(request, f"文章当前为“{article.get_status_display()}”，您不能直接修改。")
            return redirect("knowledge:detail", pk=article.pk)
    elif user.role not in EDITORS | REVIEWERS:
        raise PermissionDenied("您的角色不能编写百科文章。")
    ctx: dict[str, Any] = {"article": article, **_choices()}
    if request.method == "POST":
        fields, errors = parse_article_form(request.POST)
        note = request.POST.get("change_note", "").strip()[:200]
        if not errors:
            try:
                if article is None:
                    article = svc.article_create(by=user, note=note, **fields)
                else:
                    version = request.POST.get("version", "")
                    article = svc.article_update(
                        article=article,
                        by=user,
                        note=note,
                        version=int(version) if version.isdecimal() else None,
                        **fields,
                    )
            except ServiceError as exc:
                errors.update(exc.fields)
                ctx["form_error"] = exc.message
            else:
                messages.success(request, "已保存。")
                return redirect("knowledge:detail", pk=article.pk)
        ctx.update(errors=errors, v=_form_values(article, request.POST))
        ctx.setdefault("form_error", "内容有误，请按提示修改（已填写的内容都保留着）。")
        return render(request, "knowledge/edit.html", ctx, status=400)
    ctx["v"] = _form_values(article)
    if user.is_department_user and article is None and user.department:
        ctx["v"]["department"] = user.department.code
    return render(request, "knowledge/edit.html", ctx)


@manager_required
@require_POST
def kb_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _user(request)
    try:
        article = article_get(user=user, pk=pk)
    except NotFound as exc:
        return render(request, "knowledge/not_found.html", {"message": exc.message}, status=404)
    version = request.POST.get("version", "")
    try:
        svc.article_act(
            article=article,
            by=user,
            action=action,
            note=request.POST.get("note", ""),
            version=int(version) if version.isdecimal() else None,
        )
    except ServiceError as exc:
        if exc.http_status == 409:
            messages.warning(request, f"{exc.message}（已刷新为最新状态）")
            return redirect("knowledge:detail", pk=pk)
        article.refresh_from_db()
        ctx = _detail_context(request, article)
        ctx.update(form_action=action, form_error=exc.message, posted=request.POST)
        return render(request, "knowledge/detail.html", ctx, status=exc.http_status)
    messages.success(request, f"已{TRANSITIONS[action].label}。")
    return redirect("knowledge:detail", pk=pk)


@manager_required
def kb_diff(request: HttpRequest, pk: int) -> HttpResponse:
    """Two versions side by side as one marked-up diff (default: the latest against the one before)."""
    try:
        article = article_get(user=_user(request), pk=pk)
    except NotFound as exc:
        return render(request, "knowledge/not_found.html", {"message": exc.message}, status=404)
    versions = list(article.versions.select_related("by"))
    if not versions:
        raise Http404
    by_number = {v.number: v for v in versions}

    def pick(name: str, default: int) -> int:
        raw = request.GET.get(name, "")
        return int(raw) if raw.isdecimal() and int(raw) in by_number else default

    new = by_number[pick("b", versions[0].number)]
    old_default = max((n for n in by_number if n < new.number), default=new.number)
    old = by_number[pick("a", old_default)]
    diffs = version_diff(old.data, new.data) if old.number != new.number else []
    return render(
        request,
        "knowledge/diff.html",
        {"article": article, "versions": versions, "old": old, "new": new, "diffs": diffs},
    )


@manager_required
@require_POST
def kb_attach(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        article = article_get(user=user, pk=pk)
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput("请选择要上传的文件。", fields={"file": "请选择文件"})
        svc.article_attach(
            article=article,
            by=user,
            name=upload.name or "",
            stream=upload,  # type: ignore[arg-type]
            size=upload.size or 0,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "附件已上传。")
    return redirect("knowledge:detail", pk=pk)


@manager_required
@require_POST
def kb_detach(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = ArticleAttachment.objects.select_related("article").filter(pk=pk).first()
    if attachment is None or not may_view(_user(request), attachment.article):
        raise Http404
    try:
        svc.article_detach(attachment=attachment, by=_user(request))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("knowledge:detail", pk=attachment.article_id)


@login_required
def kb_attachment(request: HttpRequest, pk: int) -> FileResponse:
    attachment = ArticleAttachment.objects.select_related("article").filter(pk=pk).first()
    if attachment is None or not may_view(_user(request), attachment.article):
        raise Http404
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@manager_required
def kb_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV, xlsx or docx; rows become drafts (or update drafts with the same id)."""
    user = _user(request)
    if user.role not in IMPORT_ROLES:
        raise PermissionDenied("您的角色不能批量导入。")
    ctx: dict[str, Any] = _nav(user)
    if request.method == "POST":
        upload = request.FILES.get("file")
        suffix = Path(upload.name or "").suffix.lower() if upload else ""
        if upload is None:
            ctx["form_error"] = "请选择要导入的文件。"
        elif suffix not in IMPORT_EXTENSIONS:
            ctx["form_error"] = f"不支持的文件类型“{suffix or '无扩展名'}”：请上传 .csv、.xlsx 或 .docx。"
        elif (upload.size or 0) > IMPORT_MAX_BYTES:
            ctx["form_error"] = "文件超过 20 MB，请拆分后导入。"
        else:
            with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
                for chunk in upload.chunks():
                    tmp.write(chunk)
                tmp.flush()
                try:
                    ctx["result"] = svc.articles_import_file(path=tmp.name, by=user, kind=suffix[1:])
                except ImportFormatError as exc:
                    ctx["form_error"] = str(exc).replace(tmp.name, upload.name or "文件")
                except ServiceError as exc:
                    ctx["form_error"] = exc.message
            ctx["filename"] = upload.name
        return render(request, "knowledge/import.html", ctx, status=400 if "form_error" in ctx else 200)
    return render(request, "knowledge/import.html", ctx)


@manager_required
def kb_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered list as CSV (default) or xlsx, in the columns the importer reads."""
    qs = articles_list(user=_user(request), **_filters(request)).select_related("category", "department")
    stamp = timezone.localdate().strftime("%Y%m%d")
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            articles_xlsx(qs[:50_000].iterator(chunk_size=500)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="kb-{stamp}.xlsx"'
        return response
    stream = StreamingHttpResponse(
        articles_csv(qs.iterator(chunk_size=500)), content_type="text/csv; charset=utf-8"
    )
    stream["Content-Disposition"] = f'attachment; filename="kb-{stamp}.csv"'
    return stream


@manager_required
def kb_flags(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", ArticleFlag.State.OPEN)
    if state not in ArticleFlag.State.values and state != "all":
        state = ArticleFlag.State.OPEN
    flags = flags_for(user=_user(request), state="" if state == "all" else state)
    page = Paginator(flags, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/flags.html",
        {"page": page, "state": state, "states": ArticleFlag.State.choices, **_nav(_user(request))},
    )


@manager_required
@require_POST
def kb_flag_handle(request: HttpRequest, pk: int) -> HttpResponse:
    flag = ArticleFlag.objects.filter(pk=pk).first()
    if flag is None:
        raise Http404
    try:
        svc.flag_handle(
            flag=flag,
            by=_user(request),
            state=request.POST.get("state", ""),
            reply=request.POST.get("reply", ""),
        )
    except ServiceError as exc:
        messages.error(request, f"{exc.message}（处理意见：{request.POST.get('reply', '')[:200] or '空'}）")
    else:
        messages.success(request, "反馈已处理。")
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else "knowledge:flags")


def _day(value: str, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


@login_required
def kb_stats(request: HttpRequest) -> HttpResponse:
    """引用率, per-article use counts and the "searched but nothing cited" report for a period."""
    if _user(request).role not in STATS_ROLES | {Role.SUPERVISOR}:
        raise PermissionDenied("您的角色不能查看百科统计。")
    today = timezone.localdate()
    start_day = _day(request.GET.get("from", ""), today - timedelta(days=29))
    end_day = _day(request.GET.get("to", ""), today)
    bad = start_day > end_day
    if bad:
        start_day, end_day = end_day, start_day
    tz = timezone.get_current_timezone()
    start = datetime.combine(start_day, time.min, tzinfo=tz)
    end = datetime.combine(end_day + timedelta(days=1), time.min, tzinfo=tz)
    rate = citation_rate(start=start, end=end)
    return render(
        request,
        "knowledge/stats.html",
        {
            "start": start_day,
            "end": end_day,
            "swapped": bad,
            "rate": rate,
            "rate_pct": f"{rate.rate * 100:.1f}%" if rate.rate is not None else "—",
            **_nav(_user(request)),
            "uses": article_use_counts(start=start, end=end, limit=20),
            "gaps": search_gaps(start=start, end=end, limit=50),
        },
    )
