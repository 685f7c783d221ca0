"""Writing articles: create, edit (each edit a numbered version), delete, attachments."""

from __future__ import annotations

from datetime import date
from typing import IO, Any

from django.core.files import File
from django.db import transaction

from hotline.accounts.models import Department, User
from hotline.core.errors import InvalidInput, InvalidTransition, NotAllowed
from hotline.knowledge.models import Article, ArticleAttachment, split_terms
from hotline.knowledge.permissions import may_edit, owns
from hotline.knowledge.richtext import qa_clean, qa_parse, qa_text, sanitize
from hotline.knowledge.services._base import (
    article_lock,
    bump,
    changed,
    event_add,
    validate,
    version_add,
)
from hotline.knowledge.workflow import EDITORS, REVIEWERS
from hotline.tickets.services.intake import upload_check

EDITABLE_FIELDS = (
    "title",
    "body",
    "keywords",
    "synonyms",
    "tags",
    "qa",
    "qa_pairs",
    "category",
    "department",
    "effective_from",
    "expires_on",
    "is_public",
)


def prepare_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Normalise editable input: sanitised body, trimmed terms, Q&A pairs and their text kept in step."""
    out = dict(fields)
    if "title" in out:
        out["title"] = " ".join(str(out["title"] or "").split())
        if not out["title"]:
            raise InvalidInput("请填写标题。", fields={"title": "标题不能为空"})
        if len(out["title"]) > 300:
            raise InvalidInput("标题过长。", fields={"title": "标题不超过 300 字"})
    if "body" in out:
        out["body"] = sanitize(str(out["body"] or ""))
    for name in ("keywords", "synonyms", "tags"):
        if name in out:
            out[name] = " ".join(split_terms(str(out[name] or "")))
    if "qa_pairs" in out:
        pairs = qa_clean(out["qa_pairs"] or [])
        out["qa_pairs"], out["qa"] = pairs, qa_text(pairs)
    elif "qa" in out:
        pairs = qa_parse(str(out["qa"] or ""))
        out["qa_pairs"] = pairs
        out["qa"] = qa_text(pairs) if pairs else str(out["qa"] or "").strip()
    for name in ("effective_from", "expires_on"):
        if name in out and out[name] is not None and not isinstance(out[name], date):
            raise InvalidInput("日期格式应为 YYYY-MM-DD。", fields={name: "日期格式应为 YYYY-MM-DD"})
    return out


def _check_department(by: User | None, department: Department | None) -> None:
    if by is None or not by.is_department_user:
        return
    if department is None or by.department is None or not department.path.startswith(by.department.path):
        raise NotAllowed("只能为本单位（或下属单位）编写文章。", fields={"department": "只能选择本单位"})


@transaction.atomic
def article_create(
    *, title: str, body: str = "", by: User | None = None, note: str = "", **fields: Any
) -> Article:
    """Create an article: a draft, unless a system import (`by=None`) gives another `status`."""
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"external_id", "status"}
    if unknown:
        raise TypeError(f"unknown article fields: {', '.join(sorted(unknown))}")
    if by is not None:
        if by.role not in EDITORS | REVIEWERS:
            raise NotAllowed("您的角色不能编写百科文章。")
        if fields.get("status", Article.Status.DRAFT) != Article.Status.DRAFT:
            raise NotAllowed("新文章须先保存为草稿，再提交审核。")
        if by.is_department_user and fields.get("department") is None:
            fields["department"] = by.department
        _check_department(by, fields.get("department"))
    values = prepare_fields({"title": title, "body": body, **fields})
    article = Article(created_by=by, updated_by=by, **values)
    validate(article)
    article.save()
    version_add(article, by=by, note=note or "创建")
    event_add(article, action="create", by=by, note=note)
    changed([article.pk])
    return article


@transaction.atomic
def article_update(
    *, article: Article, by: User | None = None, version: int | None = None, note: str = "", **fields: Any
) -> Article:
    """Change an article's content; a real change becomes the next version, searchable at once everywhere."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown article fields: {', '.join(sorted(unknown))}")
    locked = article_lock(article, version=version)
    if by is not None and not may_edit(by, locked):
        if not owns(by, locked):
            raise NotAllowed("只能修改本单位的文章。")
        raise InvalidTransition(
            f"文章当前状态为“{locked.get_status_display()}”，您不能直接修改；已发布的文章请先“重新修订”。"
        )
    if "department" in fields:
        _check_department(by, fields["department"])
    values = prepare_fields(fields)
    names = [n for n, v in values.items() if getattr(locked, n) != v]
    if not names:
        return locked
    for name in names:
        setattr(locked, name, values[name])
    bump(locked, by)
    validate(locked)
    locked.save(update_fields=[*names, "version", "updated_at", "updated_by"])
    version_add(locked, by=by, note=note)
    event_add(locked, action="edit", by=by, note=note, data={"fields": sorted(names)})
    changed([locked.pk])
    return locked


@transaction.atomic
def article_delete(*, article: Article, by: User | None = None) -> None:
    """Delete a draft outright (published ones are withdrawn instead; cited ones are kept)."""
    locked = article_lock(article)
    if by is not None and (not may_edit(by, locked) or locked.status != Article.Status.DRAFT):
        raise NotAllowed("只能删除自己可编辑的草稿；已发布的文章请撤回。")
    if locked.citations.exists():
        raise InvalidTransition("文章已被工单引用，不能删除，请改为撤回。")
    pk = locked.pk
    locked.delete()
    changed([pk])


def article_attach(
    *, article: Article, by: User | None, name: str, stream: IO[bytes], size: int
) -> ArticleAttachment:
    """Attach a file (size limit, bytes must match the extension); the attachment list is versioned."""
    upload = upload_check(name=name, stream=stream, size=size)
    safe_name, ext, expected = upload.name, upload.ext, upload.content_type
    with transaction.atomic():
        locked = article_lock(article)
        if by is not None and not may_edit(by, locked):
            raise NotAllowed("当前状态下您不能修改这篇文章的附件。")
        attachment = ArticleAttachment(
            article=locked,
            name=safe_name,
            size=size,
            content_type=expected,
            sha256=upload.sha256,
            uploaded_by=by,
        )
        attachment.file.save(f"{upload.sha256[:16]}.{ext}", File(stream), save=False)
        attachment.save()
        bump(locked, by)
        locked.save(update_fields=["version", "updated_at", "updated_by"])
        version_add(locked, by=by, note=f"上传附件 {safe_name}")
        event_add(locked, action="attach", by=by, data={"name": safe_name, "size": size})
    return attachment


@transaction.atomic
def article_detach(*, attachment: ArticleAttachment, by: User | None) -> None:
    """Remove an attachment (the versions keep its name)."""
    locked = article_lock(attachment.article_id)
    if by is not None and not may_edit(by, locked):
        raise NotAllowed("当前状态下您不能修改这篇文章的附件。")
    name = attachment.name
    attachment.file.delete(save=False)
    attachment.delete()
    bump(locked, by)
    locked.save(update_fields=["version", "updated_at", "updated_by"])
    version_add(locked, by=by, note=f"删除附件 {name}")
    event_add(locked, action="detach", by=by, data={"name": name})
