"""纠错反馈: an agent flags an article as wrong or outdated; the owner department or an annotator handles it."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from hotline.accounts.models import Role, User
from hotline.core.errors import InvalidInput, InvalidTransition, NotAllowed, NotFound
from hotline.knowledge.models import Article, ArticleFlag
from hotline.knowledge.permissions import may_manage, may_view, owns
from hotline.knowledge.services._base import event_add, notify


def flag_recipients(article: Article) -> list[User]:
    """The owner department's users and every data annotator."""
    users = User.objects.filter(is_active=True, role=Role.ANNOTATOR)
    if article.department_id is not None:
        users = users | User.objects.filter(is_active=True, department_id=article.department_id)
    return list(users.distinct())


def article_flag(*, article: Article, by: User, kind: str, note: str = "") -> ArticleFlag:
    """Report a problem with an article (kind: wrong/outdated/missing/other)."""
    if kind not in ArticleFlag.Kind.values:
        raise InvalidInput("请选择问题类型。", fields={"kind": "请选择问题类型"})
    note = (note or "").strip()[:2000]
    if kind == ArticleFlag.Kind.OTHER and not note:
        raise InvalidInput("选择“其他问题”时请写明问题。", fields={"note": "请写明问题"})
    if not may_view(by, article):
        raise NotFound("文章不存在。")
    with transaction.atomic():
        number = article.versions.aggregate(m=Max("number"))["m"] or 0
        flag = ArticleFlag.objects.create(
            article=article, kind=kind, note=note, by=by, article_version=number
        )
        event_add(article, action="flag", by=by, note=note, data={"flag": flag.pk, "kind": kind})
        notify(
            flag_recipients(article),
            f"【热线百科】纠错反馈：{article.title}",
            f"{by}反馈《{article.title}》{flag.get_kind_display()}：{note or '（无说明）'}",
        )
    return flag


def flag_handle(*, flag: ArticleFlag, by: User, state: str, reply: str = "") -> ArticleFlag:
    """Close a flag as fixed or dismissed (dismissing needs a reason)."""
    if state not in (ArticleFlag.State.FIXED, ArticleFlag.State.DISMISSED):
        raise InvalidInput("请选择处理结果。", fields={"state": "请选择处理结果"})
    reply = (reply or "").strip()[:2000]
    if state == ArticleFlag.State.DISMISSED and not reply:
        raise InvalidInput("不采纳时请写明理由。", fields={"reply": "请写明理由"})
    with transaction.atomic():
        locked = (
            ArticleFlag.objects.select_for_update(of=("self",))
            .select_related("article", "article__department")
            .get(pk=flag.pk)
        )
        if not may_manage(by) or not owns(by, locked.article):
            raise NotAllowed("您不能处理这条反馈。")
        if locked.state != ArticleFlag.State.OPEN:
            raise InvalidTransition("这条反馈已处理过。")
        locked.state, locked.reply, locked.handled_by, locked.handled_at = state, reply, by, timezone.now()
        locked.save(update_fields=["state", "reply", "handled_by", "handled_at"])
        event_add(
            locked.article, action="flag_handled", by=by, note=reply, data={"flag": locked.pk, "state": state}
        )
    return locked
