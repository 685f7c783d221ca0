"""Reads of the assist app: the active models, the dispatch catalogue, suggestions and their measured accuracy."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet

from hotline.accounts.models import Department
from hotline.assist.duplicates import THRESHOLD as DUPLICATE_THRESHOLD
from hotline.assist.duplicates import near_duplicates, places, shingles
from hotline.assist.duplicates import score as duplicate_score
from hotline.assist.models import DispatchRule, ModelVersion, SuggestionLog
from hotline.assist.services.training import ticket_text
from hotline.assist.triage import NONE, Triage, triage
from hotline.tickets.models import Category, Ticket

if TYPE_CHECKING:
    from hotline.assist.classifier import DispatchClassifier

log = logging.getLogger(__name__)

# A predicted category is used to look up the catalogue only when the model is this sure of it.
CATEGORY_RULE_MIN = 0.6

_lock = threading.Lock()
_cache: dict[str, tuple[float, DispatchClassifier]] = {}


def _load(path: str) -> DispatchClassifier | None:
    """The model in `path`, loaded once per process and reloaded when the file changes; None if unusable."""
    if not path:
        return None
    try:
        mtime = Path(path).stat().st_mtime
    except OSError:
        return None
    with _lock:
        hit = _cache.get(path)
        if hit and hit[0] == mtime:
            return hit[1]
        try:
            # The ML stack (numpy, scipy, scikit-learn) loads with the first model, not at start-up.
            from hotline.assist.classifier import DispatchClassifier

            model = DispatchClassifier.load(path)
        except Exception:  # a broken file must not break intake: no suggestions instead
            log.exception("assist model %s could not be loaded", path)
            return None
        # Keep the active pair only: a rollback loads the older files again, once.
        _cache.clear() if len(_cache) >= 4 else None
        _cache[path] = (mtime, model)
        return model


def model_active() -> ModelVersion | None:
    return ModelVersion.objects.filter(active=True).first()


def models_active() -> tuple[ModelVersion | None, DispatchClassifier | None, DispatchClassifier | None]:
    """(version row, department model, category model) of the active version; Nones while there is none."""
    row = model_active()
    if row is None:
        return None, None, None
    return row, _load(row.path), _load(row.category_path)


def model_latest_path() -> Path | None:
    """The active department model's file, if any."""
    row = model_active()
    return Path(row.path) if row else None


def dispatch_suggestions(*, title: str, content: str = "", k: int = 3) -> list[tuple[str, float]]:
    """Up to `k` (department code, probability) from the model; empty while no model is active."""
    _, model, _ = models_active()
    if model is None:
        return []
    return model.predict_top(ticket_text(title, content), k=k)


RuleIndex = dict[tuple[int, int | None], DispatchRule]


def rules_index(category_ids: set[int]) -> RuleIndex:
    """Active catalogue rules of these categories, by (category id, district id or None): one query."""
    if not category_ids:
        return {}
    rules = DispatchRule.objects.filter(
        category_id__in=category_ids, is_active=True, department__is_active=True
    ).select_related("category", "department", "district")
    return {(r.category_id, r.district_id): r for r in rules}


def rule_for(
    *, category: Category | None, district: Department | None, index: RuleIndex | None = None
) -> DispatchRule | None:
    """The catalogue rule for a category: the district's own rule first, then the city-wide one."""
    if category is None:
        return None
    index = index if index is not None else rules_index({category.pk})
    own = index.get((category.pk, district.pk)) if district is not None else None
    return own or index.get((category.pk, None))


def _pct(p: float | None) -> str:
    """A confidence as the desks show it: whole percent, and "<1%" rather than a misleading 0%."""
    if p is None:
        return ""
    return "<1%" if p < 0.005 else f"{p:.0%}"


@dataclass
class DeptSuggestion:
    code: str
    name: str
    probability: float | None  # None for a catalogue rule
    source: str  # rule | model
    reason: str = ""

    @property
    def pct(self) -> str:
        return _pct(self.probability)


@dataclass
class CategorySuggestion:
    category: Category
    probability: float
    path: str = ""

    @property
    def pct(self) -> str:
        return _pct(self.probability)


@dataclass
class Suggestions:
    version: str = ""
    departments: list[DeptSuggestion] = field(default_factory=list)
    categories: list[CategorySuggestion] = field(default_factory=list)
    police: Triage | None = None  # 110 triage: rules plus the model's first department

    @property
    def codes(self) -> list[str]:
        return [d.code for d in self.departments]

    @property
    def shown(self) -> str:
        """What the desk form posts back so the choice can be logged: `version|source|code,code,code`."""
        source = self.departments[0].source if self.departments else ""
        return f"{self.version}|{source}|{','.join(self.codes)}"


def _category_path(c: Category) -> str:
    names, p = [c.name], c.parent
    while p is not None:
        names.insert(0, p.name)
        p = p.parent
    return " › ".join(names)


def suggestions_many(
    items: Sequence[tuple[str, Category | None, Department | None]],
    *,
    k: int = 3,
    with_categories: bool = True,
) -> list[Suggestions]:
    """Suggestions for many (text, category, district): catalogue rules first, then the model's top-k.

    One model call for all texts (the dispatch desk asks for a page of 25 at once).
    """
    row, model, cat_model = models_active()
    version = row.version if row else ""
    texts = [text for text, _, _ in items]
    ranked = model.predict_top_many(texts, k + 1) if model is not None and texts else [[] for _ in texts]
    cat_ranked: list[list[tuple[str, float]]] = [[] for _ in texts]
    if cat_model is not None and texts and with_categories:
        cat_ranked = cat_model.predict_top_many(texts, k)
    codes = {c for top in ranked for c, _ in top}
    names = dict(Department.objects.filter(code__in=codes, is_active=True).values_list("code", "name"))
    cat_codes = {c for top in cat_ranked for c, _ in top}
    cats = {
        c.code: c
        for c in Category.objects.filter(code__in=cat_codes, is_active=True).select_related(
            "parent", "parent__parent"
        )
    }
    wanted = {c.pk for _, c, _ in items if c is not None} | {c.pk for c in cats.values()}
    index = rules_index(wanted)
    out = []
    for (text, category, district), top, cat_top in zip(items, ranked, cat_ranked, strict=True):
        s = Suggestions(version=version)
        if text.strip():
            s.categories = [
                CategorySuggestion(cats[c], p, _category_path(cats[c])) for c, p in cat_top if c in cats
            ][:k]
        rule_category, why = category, ""
        if rule_category is None and s.categories and s.categories[0].probability >= CATEGORY_RULE_MIN:
            rule_category, why = s.categories[0].category, "（按建议分类）"
        rule = rule_for(category=rule_category, district=district, index=index)
        if rule is not None:
            where = rule.district.name if rule.district else "全市"
            s.departments.append(
                DeptSuggestion(
                    rule.department.code,
                    rule.department.name,
                    None,
                    "rule",
                    f"派单目录：{rule.category.name}（{where}）{why}"
                    + (f" · {rule.note}" if rule.note else ""),
                )
            )
        if text.strip():
            for code, p in top:
                if code in names and code not in s.codes:
                    s.departments.append(DeptSuggestion(code, names[code], p, "model", "历史办结工单"))
        s.departments = s.departments[:k]
        if text.strip():
            first_model = next((d.name for d in s.departments if d.source == "model"), "")
            flag = triage(text, model_department=first_model)
            s.police = flag if flag.level != NONE else None
        out.append(s)
    return out


def suggestions_for(
    *,
    title: str,
    content: str,
    category: Category | None = None,
    district: Department | None = None,
    k: int = 3,
) -> Suggestions:
    """Category and department suggestions for one request as it is being typed."""
    return suggestions_many([(ticket_text(title, content), category, district)], k=k)[0]


def parse_shown(raw: str) -> tuple[str, str, list[str]]:
    """(version, source, codes) from a desk form's `assist_shown` field; empty parts when absent or garbled."""
    parts = (raw or "").split("|")
    if len(parts) != 3:
        return "", "", []
    codes = [c.strip() for c in parts[2].split(",") if c.strip()][:3]
    return parts[0][:40], parts[1][:10], codes


def suggestion_stats(*, since: Any = None) -> dict[str, Any]:
    """Accept rate per desk and source, and how often the first suggestion was the final completing department."""
    qs = SuggestionLog.objects.all()
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    rows = []
    for r in (
        qs.values("desk", "source")
        .annotate(
            n=Count("id"),
            accepted=Count("id", filter=Q(outcome=SuggestionLog.Outcome.ACCEPTED)),
            top3=Count("id", filter=Q(in_top3=True)),
        )
        .order_by("desk", "source")
    ):
        r["accept_rate"] = r["accepted"] / r["n"] if r["n"] else 0.0
        r["top3_rate"] = r["top3"] / r["n"] if r["n"] else 0.0
        r["desk_label"] = dict(SuggestionLog.Desk.choices).get(r["desk"], r["desk"])
        r["source_label"] = {"rule": "派单目录", "model": "模型"}.get(r["source"], "—")
        rows.append(r)
    finished = qs.filter(ticket__completing_department__isnull=False)
    n_final = finished.count()
    # The first suggestion equals the department that finally completed the ticket: the real accuracy.
    right = finished.filter(top1=F("ticket__completing_department__code")).count() if n_final else 0
    chosen_right = finished.filter(chosen=F("ticket__completing_department")).count() if n_final else 0
    return {
        "rows": rows,
        "total": qs.count(),
        "final_n": n_final,
        "final_suggested": right / n_final if n_final else None,
        "final_chosen": chosen_right / n_final if n_final else None,
    }


# Near-duplicate candidates: the most recent open tickets (of the district, when known) are compared.
DUPLICATE_CANDIDATES = 400


def _recent(qs: QuerySet[Ticket], since: datetime | None) -> list[Ticket]:
    """The newest DUPLICATE_CANDIDATES tickets of `qs`, then only those created since `since`.

    The date is applied here, not in SQL: "open and created in the last 30 days" misleads
    PostgreSQL's estimate (recent tickets are the open ones) into reading every recent open ticket
    and sorting them (150 ms at 1 M tickets), while the newest open tickets by the created_at index
    take 3 ms. The result is the same: the newest N, cut at the date.
    """
    rows = list(
        qs.select_related("lead_department")
        .only(
            "pk",
            "number",
            "title",
            "content",
            "status",
            "lead_department__name",
            "created_at",
            "citizen_phone",
            "address",
        )
        .order_by("-created_at")[:DUPLICATE_CANDIDATES]
    )
    return [t for t in rows if since is None or t.created_at >= since]


def near_duplicate_tickets(
    *,
    base: QuerySet[Ticket],
    content: str,
    district: str = "",
    limit: int = 8,
    since: datetime | None = None,
) -> list[tuple[Ticket, float]]:
    """Tickets of `base` (created since `since`) whose request text nearly duplicates `content`, most similar first."""
    if len((content or "").strip()) < 8:
        return []
    qs = base
    if district:
        qs = qs.filter(Q(district__code=district) | Q(district__isnull=True))
    candidates = _recent(qs, since)
    by_pk = {t.pk: t for t in candidates}
    matches = near_duplicates(content, ((t.pk, t.content) for t in candidates), limit=limit)
    return [(by_pk[m.key], m.score) for m in matches if m.key in by_pk]  # type: ignore[index]


def duplicate_hints_many(
    *, base: QuerySet[Ticket], tickets: Sequence[Ticket], per_ticket: int = 3, since: datetime | None = None
) -> dict[int, list[tuple[Ticket, list[str]]]]:
    """For each ticket, other tickets of `base` from the same caller, at the same address or with near-duplicate text.

    One candidate query for the whole page; each candidate's shingles are computed once.
    """
    if not tickets:
        return {}
    candidates = _recent(base, since)
    signs = [(c, shingles(c.content), places(c.content)) for c in candidates]
    out: dict[int, list[tuple[Ticket, list[str]]]] = {}
    for t in tickets:
        own, own_places = shingles(t.content), places(t.content)
        phone, address = (t.citizen_phone or "").strip(), (t.address or "").strip().lower()
        found: list[tuple[float, Ticket, list[str]]] = []
        for c, sign, sign_places in signs:
            if c.pk == t.pk:
                continue
            why = []
            if phone and c.citizen_phone == phone:
                why.append("同号码")
            if len(address) >= 4 and c.address.strip().lower() == address:
                why.append("同地址")
            score = duplicate_score(own, own_places, sign, sign_places) if len(own) >= 4 else 0.0
            if score >= DUPLICATE_THRESHOLD:
                why.append(f"内容相近 {score:.0%}")
            if why:
                found.append((score + len(why), c, why))
        found.sort(key=lambda f: -f[0])
        out[t.pk] = [(c, why) for _, c, why in found[:per_ticket]]
    return out
