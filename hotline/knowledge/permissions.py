"""Who may see and change which articles: the one rule the services, pages and API all ask."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from hotline.accounts.models import User
from hotline.knowledge.models import Article
from hotline.knowledge.workflow import EDITABLE_BY, MANAGERS, TRANSITIONS


def may_manage(user: User | None) -> bool:
    """May use the knowledge-management pages (drafts, review, flags)."""
    return user is not None and user.is_authenticated and user.role in MANAGERS


def owns(user: User | None, article: Article) -> bool:
    """Department users own the articles of their department subtree; centre roles act on all."""
    if user is None or not user.is_department_user:
        return True
    if article.department_id is None or user.department is None:
        return False
    dept = article.department
    return dept is not None and dept.path.startswith(user.department.path)


def articles_visible_to(user: User) -> QuerySet[Article]:
    """Published articles for everybody; all states for managers (department users: their own)."""
    qs = Article.objects.all()
    if not may_manage(user):
        return qs.filter(status=Article.Status.PUBLISHED)
    if user.is_department_user:
        path = user.department.path if user.department else "/nowhere/"
        return qs.filter(Q(status=Article.Status.PUBLISHED) | Q(department__path__startswith=path))
    return qs


def may_view(user: User, article: Article) -> bool:
    return article.status == Article.Status.PUBLISHED or (may_manage(user) and owns(user, article))


def may_edit(user: User | None, article: Article) -> bool:
    if user is None:
        return True
    return user.role in EDITABLE_BY.get(article.status, frozenset()) and owns(user, article)


def may_act(user: User | None, article: Article, action: str) -> bool:
    move = TRANSITIONS.get(action)
    if move is None or article.status not in move.sources:
        return False
    if user is None:
        return "system" in move.roles
    return user.role in move.roles and owns(user, article)


def allowed_actions(user: User, article: Article) -> list[str]:
    return [a for a in TRANSITIONS if a != "expire" and may_act(user, article, a)]
