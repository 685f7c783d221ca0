"""The one table of allowed moves for an article: action, from which states, to which, by which roles.

草稿 → 待审核 (a department or a data annotator submits) → 已审核 → 已发布 → 已撤回; a published article
whose expiry date has passed becomes 已失效 (the periodic job). Department users act only on
articles their department (or a department under it) owns; the services and pages both ask here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hotline.accounts.models import DEPARTMENT_ROLES, Role
from hotline.knowledge.models import Article

S = Article.Status
SYSTEM = "system"


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    label: str
    needs_note: bool = False


def _m(
    sources: Iterable[str], target: str, roles: Iterable[str], label: str, needs_note: bool = False
) -> Move:
    return Move(frozenset(sources), target, frozenset(roles), label, needs_note)


# Who writes content: data annotators, the owner department, and the centre's supervisor.
EDITORS: frozenset[str] = frozenset({Role.ANNOTATOR, *DEPARTMENT_ROLES, Role.SUPERVISOR})
REVIEWERS: frozenset[str] = frozenset({Role.REVIEWER, Role.SUPERVISOR})
# Who may read drafts and the management pages.
MANAGERS = EDITORS | REVIEWERS | {Role.ADMIN}

TRANSITIONS: dict[str, Move] = {
    "submit": _m({S.DRAFT}, S.SUBMITTED, EDITORS, "提交审核"),
    "review": _m({S.SUBMITTED}, S.REVIEWED, REVIEWERS, "审核通过"),
    "return": _m({S.SUBMITTED, S.REVIEWED}, S.DRAFT, REVIEWERS, "退回修改", needs_note=True),
    "publish": _m({S.REVIEWED}, S.PUBLISHED, REVIEWERS, "发布"),
    "withdraw": _m({S.PUBLISHED}, S.WITHDRAWN, EDITORS | REVIEWERS, "撤回", needs_note=True),
    "expire": _m({S.PUBLISHED}, S.EXPIRED, {SYSTEM}, "到期失效"),
    "revise": _m({S.PUBLISHED, S.WITHDRAWN, S.EXPIRED}, S.DRAFT, EDITORS | REVIEWERS, "重新修订"),
}

# Content may be edited in these states: by editors in a draft, by reviewers also during review.
EDITABLE_BY: dict[str, frozenset[str]] = {
    S.DRAFT: EDITORS | REVIEWERS,
    S.SUBMITTED: REVIEWERS,
    S.REVIEWED: REVIEWERS,
}

EVENT_LABELS = {
    **{action: move.label for action, move in TRANSITIONS.items()},
    "create": "创建",
    "edit": "修改内容",
    "import": "批量导入",
    "attach": "上传附件",
    "detach": "删除附件",
    "remind": "到期提醒",
    "flag": "纠错反馈",
    "flag_handled": "处理反馈",
}
