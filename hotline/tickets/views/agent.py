"""话务员受理台: the intake form for a phone call, built for keyboard-only speed.

The form posts once: the ticket is created (idempotently, by the form's key) and answered or dispatched in
the same transaction, so a refused dispatch never leaves a half-made ticket and a double submit never
makes two. Small htmx endpoints feed the caller history, the similar-ticket hint and the pickers.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST

from hotline.accounts.models import Department, Role, User
from hotline.assist.duplicates import DUPLICATE_DAYS
from hotline.assist.selectors import near_duplicate_tickets as assist_near_duplicates
from hotline.assist.selectors import parse_shown
from hotline.assist.services import suggestion_record
from hotline.callcenter.services import call_ticket_link
from hotline.core.errors import InvalidInput, NotFound, ServiceError
from hotline.knowledge.models import Article
from hotline.knowledge.services import citations_record
from hotline.knowledge.views.desk import parse_ids
from hotline.tickets import services as svc
from hotline.tickets.models import OPEN_STATUSES, Category, Ticket
from hotline.tickets.permissions import may_act, tickets_visible_to
from hotline.tickets.selectors import ticket_get, tickets_of_caller
from hotline.tickets.views.common import role_required

DESK_ROLES = (Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR)
PICK_LIMIT = 12
TITLE_WORDS = 20
# The confirmation after a submit travels in the redirect's URL, not in the session: the desk's
# background requests (caller history, similar tickets, 百科, suggestions) save the session too, and
# one finishing after the submit would overwrite it, losing the confirmation.
DONE_PARAM = "done"
DRAFT_KEY = "agent-intake"
# (value, label, key pressed while the type group has focus)
TYPES = [(v, label, str(i)) for i, (v, label) in enumerate(Ticket.Type.choices, 1)]


_desk = role_required(*DESK_ROLES)


# --- Reads -----------------------------------------------------------------------------------------


def similar_open(
    *,
    user: User,
    phone: str,
    address: str,
    content: str = "",
    district: str = "",
    exclude: Ticket | None = None,
) -> list[tuple[Ticket, list[str]]]:
    """Open tickets from the last 30 days with the same phone, the same address or near-duplicate text."""
    phone, address = phone.strip(), address.strip()
    match = Q()
    if phone:
        match |= Q(citizen_phone=phone)
    if len(address) >= 4:
        match |= Q(address__iexact=address)
    since = timezone.now() - timedelta(days=DUPLICATE_DAYS)
    base = tickets_visible_to(user).filter(status__in=OPEN_STATUSES, created_at__gte=since)
    if exclude is not None:
        base = base.exclude(pk=exclude.pk).exclude(pk__in=exclude.related.values("pk"))
    found: dict[int, tuple[Ticket, list[str]]] = {}
    if match:
        for t in base.filter(match).select_related("lead_department").order_by("-created_at")[:8]:
            why = []
            if phone and t.citizen_phone == phone:
                why.append("同号码")
            if address and t.address.strip().lower() == address.lower():
                why.append("同地址")
            found[t.pk] = (t, why)
    open_tickets = tickets_visible_to(user).filter(status__in=OPEN_STATUSES)
    if exclude is not None:
        open_tickets = open_tickets.exclude(pk=exclude.pk).exclude(pk__in=exclude.related.values("pk"))
    near = assist_near_duplicates(base=open_tickets, content=content, district=district, since=since)
    for t, score in near:
        row = found.setdefault(t.pk, (t, []))
        row[1].append(f"内容相近 {score:.0%}")
    return list(found.values())[:8]


def category_matches(q: str) -> QuerySet[Category]:
    """Active level-3 categories whose name, code, parent or pinyin initials match."""
    q = q.strip()[:30]
    qs = Category.objects.filter(level=3, is_active=True).select_related("parent", "parent__parent")
    if not q:
        return qs.none()
    low = q.lower()
    return qs.filter(
        Q(name__icontains=q)
        | Q(pinyin_initials__icontains=low)
        | Q(code__startswith=q)
        | Q(parent__name__icontains=q)
    ).order_by("code")[:PICK_LIMIT]


def category_path(c: Category) -> str:
    names = [c.name]
    p = c.parent
    while p is not None:
        names.insert(0, p.name)
        p = p.parent
    return " › ".join(names)


@lru_cache(maxsize=4096)
def _initials(name: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()


def dispatchable() -> QuerySet[Department]:
    return Department.objects.filter(is_active=True).exclude(kind=Department.Kind.CENTRE)


def department_matches(q: str) -> list[Department]:
    """Departments a ticket may go to, by name, code or pinyin initials (a city has a few hundred)."""
    q = q.strip()[:30]
    if not q:
        return []
    low = q.lower()
    hits = [
        d
        for d in dispatchable().select_related("parent").order_by("path")
        if q in d.name or low in _initials(d.name) or d.code.lower().startswith(low)
    ]
    # Names that start with the query first, then the rest in tree order.
    hits.sort(key=lambda d: 0 if d.name.startswith(q) or _initials(d.name).startswith(low) else 1)
    return hits[:PICK_LIMIT]


def districts() -> QuerySet[Department]:
    return Department.objects.filter(
        is_active=True, kind__in=[Department.Kind.COUNTY, Department.Kind.ZONE]
    ).order_by("code")


def streets_of(district: Department | None) -> QuerySet[Department]:
    if district is None:
        return Department.objects.none()
    return Department.objects.filter(
        is_active=True, kind=Department.Kind.STREET, path__startswith=district.path
    ).order_by("code")


# --- Parsing the intake form -----------------------------------------------------------------------


@dataclass
class Intake:
    data: svc.TicketInput | None = None
    disposition: str = ""
    lead: Department | None = None
    assists: list[Department] = field(default_factory=list)
    note: str = ""
    answer: str = ""
    # 热线百科 articles cited for this answer or dispatch (ids, in the order chosen).
    cites: list[int] = field(default_factory=list)
    # The 智能建议 shown when the form was posted (version, source, department codes), to log the choice.
    shown: tuple[str, str, list[str]] = ("", "", [])
    errors: dict[str, str] = field(default_factory=dict)
    # The call the ticket is taken on (from the softphone's screen pop): linked to its call record.
    call_id: str = ""


def suggest_title(category: Category | None, type_value: str, content: str) -> str:
    """Category (or type) plus the request's first words: good enough for lists when the agent leaves it empty."""
    words = re.sub(r"\s+", " ", content).strip()
    head = words[:TITLE_WORDS] + ("…" if len(words) > TITLE_WORDS else "")
    label = category.name if category else dict(Ticket.Type.choices).get(type_value, "")
    return f"{label}：{head}" if label else head


def _active_dept(code: str) -> Department | None:
    code = code.strip()
    return dispatchable().filter(code=code).first() if code else None


def parse_intake(post: QueryDict) -> Intake:
    """Read the form into a TicketInput and a disposition, collecting every field error (in Chinese)."""
    out = Intake()
    e = out.errors
    phone = post.get("citizen_phone", "").strip()
    if not phone:
        e["citizen_phone"] = "请填写来电号码。"
    type_value = post.get("type", "")
    if type_value not in Ticket.Type.values:
        e["type"] = "请选择诉求类型。"
    urgency = post.get("urgency", Ticket.Urgency.NORMAL)
    if urgency not in Ticket.Urgency.values:
        e["urgency"] = "请选择紧急程度。"
    category = None
    raw_cat = post.get("category", "").strip()
    if raw_cat.isdecimal():
        category = Category.objects.filter(pk=int(raw_cat), level=3, is_active=True).first()
    if category is None:
        e["category"] = "请从列表中选择三级诉求分类（可输入名称或拼音首字母搜索）。"
    district = None
    if post.get("district", "").strip():
        district = districts().filter(code=post.get("district", "").strip()).first()
        if district is None:
            e["district"] = "请选择有效的区县。"
    street = None
    if post.get("street", "").strip():
        street = streets_of(district).filter(code=post.get("street", "").strip()).first()
        if street is None:
            e["street"] = "街道不属于所选区县，请重新选择。"
    content = post.get("content", "")
    title = post.get("title", "").strip() or suggest_title(category, type_value, content)
    # Two submit buttons with their own names: the draft autosave stores a button's value under its
    # name, so one shared name ("disposition") would be restored onto both buttons.
    out.disposition = post.get("disposition", "") or (
        "dispatch" if post.get("do_dispatch") else "answer" if post.get("do_answer") else ""
    )
    if out.disposition == "dispatch":
        out.lead = _active_dept(post.get("lead", ""))
        if out.lead is None:
            e["lead"] = "请从列表中选择主办单位。"
        for code in [c for c in post.get("assists", "").split(",") if c.strip()]:
            dept = _active_dept(code)
            if dept is None:
                e["assists"] = "协办单位无效，请重新选择。"
            elif dept != out.lead and dept not in out.assists:
                out.assists.append(dept)
        out.note = post.get("note", "")
    elif out.disposition == "answer":
        out.answer = post.get("answer", "").strip()
        if not out.answer:
            e["answer"] = "直接答复时请填写答复内容。"
    else:
        e["disposition"] = "请选择“派单”或“直接答复”。"
    out.call_id = clean_call_id(post.get("call_id", ""))
    out.cites = parse_ids(post.get("cites", ""))
    out.shown = parse_shown(post.get("assist_shown", ""))
    out.data = svc.TicketInput(
        title=title,
        content=content,
        type=type_value if type_value in Ticket.Type.values else Ticket.Type.OTHER,
        channel=Ticket.Channel.PHONE,
        urgency=urgency if urgency in Ticket.Urgency.values else Ticket.Urgency.NORMAL,
        category=category,
        address=post.get("address", ""),
        district=district,
        street=street,
        citizen_name=post.get("citizen_name", "")[:60],
        citizen_phone=phone,
        confidential=post.get("confidential") == "on",
        no_callback=post.get("no_callback") == "on",
    )
    return out


def clean_call_id(raw: str) -> str:
    """The screen pop's call id, or "" when it is not one (a stale or edited URL never blocks intake)."""
    from hotline.callcenter.services import CALL_ID

    raw = raw.strip()
    return raw if CALL_ID.match(raw) else ""


def cited_articles(ids: list[int]) -> list[Article]:
    found = Article.objects.in_bulk(ids)
    return [found[i] for i in ids if i in found]


def intake_commit(*, user: User, intake: Intake, key: str) -> Ticket:
    """Create the ticket and answer or dispatch it, with its citations, in one transaction.

    A replayed key returns the first ticket. A refused citation rolls back the whole intake, so the
    agent gets the form back with everything kept rather than a ticket without its sources.
    """
    assert intake.data is not None
    with transaction.atomic():
        ticket, created = svc.ticket_create(data=intake.data, by=user, idempotency_key=key)
        if not created:
            return ticket
        if intake.disposition == "answer":
            ticket = svc.ticket_answer(ticket=ticket, by=user, answer=intake.answer)
        else:
            assert intake.lead is not None
            ticket = svc.ticket_dispatch(
                ticket=ticket, by=user, lead=intake.lead, assists=intake.assists, note=intake.note
            )
            version, source, codes = intake.shown
            suggestion_record(
                ticket=ticket,
                desk="agent",
                chosen=intake.lead,
                by=user,
                version=version,
                source=source,
                codes=codes,
            )
        articles = cited_articles(intake.cites)
        if len(articles) != len(intake.cites):
            raise InvalidInput("引用的百科文章已被删除，请重新选择。", fields={"cites": "含已删除的文章"})
        # The answer/dispatch event is the ticket's latest: the service appended it in this transaction.
        event = ticket.events.order_by("-seq").first()
        assert event is not None
        citations_record(ticket=ticket, event=event, articles=articles, by=user, form_key=key)
        if intake.call_id:
            call_ticket_link(call_id=intake.call_id, ticket=ticket, by=user)
        return ticket


# --- Views -----------------------------------------------------------------------------------------


def _form_context(post: QueryDict | None = None) -> dict[str, Any]:
    post = post or QueryDict()
    district = districts().filter(code=post.get("district", "")).first() if post.get("district") else None
    return {
        "types": TYPES,
        "urgencies": Ticket.Urgency.choices,
        "districts": districts(),
        "streets": streets_of(district),
        "dept_names": {d.code: d.name for d in dispatchable().only("code", "name")},
        "idem": post.get("idem") or secrets.token_urlsafe(24),
        "draft_key": DRAFT_KEY,
        "v": post,
        "cited_articles": cited_articles(parse_ids(post.get("cites", ""))),
    }


def _confirmation(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    user: User = request.user  # type: ignore[assignment]
    return {
        "done": ticket,
        "done_similar": similar_open(
            user=user,
            phone=ticket.citizen_phone,
            address=ticket.address,
            content=ticket.content,
            district=ticket.district.code if ticket.district else "",
            exclude=ticket,
        ),
        "done_related": list(ticket.related.all()),
        "may_merge": may_act(user, ticket, "merge"),
    }


def _done_redirect(ticket: Ticket) -> HttpResponse:
    return redirect(f"{reverse('tickets:agent_desk')}?{DONE_PARAM}={ticket.number}")


@_desk
def agent_desk(request: HttpRequest) -> HttpResponse:
    """The intake form (GET), and its submission (POST): create, then answer or dispatch."""
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        intake = parse_intake(request.POST)
        ctx = _form_context(request.POST)
        key = request.POST.get("idem", "").strip()[:128]
        if not intake.errors:
            try:
                ticket = intake_commit(user=user, intake=intake, key=key)
            except ServiceError as exc:
                intake.errors.update(exc.fields)
                ctx["form_error"] = exc.message
            else:
                return _done_redirect(ticket)
        ctx.setdefault("form_error", "提交的内容有误，请按提示修改（已填写的内容都保留着）。")
        ctx.update(errors=intake.errors, server_filled=True)
        return render(request, "tickets/agent.html", ctx, status=400)
    # The screen pop opens the desk with ?citizen_phone=…&call_id=…: the call id rides in a hidden field.
    initial = QueryDict(mutable=True)
    initial["call_id"] = clean_call_id(request.GET.get("call_id", ""))
    ctx = _form_context(initial)
    number = request.GET.get(DONE_PARAM, "").strip()[:30]
    if number:
        try:
            ctx.update(_confirmation(request, ticket_get(user=user, number=number)))
            ctx["server_filled"] = True  # a fresh form: the saved draft is the ticket just created
        except NotFound:
            pass
    return render(request, "tickets/agent.html", ctx)


@_desk
@require_GET
def agent_caller(request: HttpRequest) -> HttpResponse:
    """Screen pop: the caller's tickets of the last year, open ones first."""
    phone = request.GET.get("citizen_phone", "").strip()[:30]
    tickets: list[Ticket] = []
    if phone:
        qs = tickets_of_caller(user=request.user, phone=phone).select_related("lead_department")  # type: ignore[arg-type]
        tickets = sorted(qs[:30], key=lambda t: (not t.is_open, -t.created_at.timestamp()))
    return render(
        request,
        "tickets/partials/agent_caller.html",
        {
            "phone": phone,
            "tickets": tickets[:10],
            "total": len(tickets),
            "open_count": sum(1 for t in tickets if t.is_open),
        },
    )


@_desk
@require_GET
def agent_similar(request: HttpRequest) -> HttpResponse:
    """The hint above the disposition: similar open tickets by phone, address or near-duplicate text."""
    rows = similar_open(
        user=request.user,  # type: ignore[arg-type]
        phone=request.GET.get("citizen_phone", "")[:30],
        address=request.GET.get("address", "")[:300],
        content=request.GET.get("content", "")[:5000],
        district=request.GET.get("district", "")[:40],
    )
    return render(request, "tickets/partials/agent_similar.html", {"rows": rows})


@_desk
@require_GET
def agent_categories(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("category_q", "")
    options = [(c.pk, c.name, category_path(c)) for c in category_matches(q)]
    return render(request, "tickets/partials/agent_options.html", {"options": options, "q": q.strip()})


@_desk
@require_GET
def agent_departments(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("lead_q") or request.GET.get("assist_q") or ""
    options = [
        (d.code, d.name, f"{d.parent.name} › {d.name}" if d.parent else d.name) for d in department_matches(q)
    ]
    return render(request, "tickets/partials/agent_options.html", {"options": options, "q": q.strip()})


@_desk
@require_GET
def agent_streets(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("district", "").strip()
    district = districts().filter(code=code).first() if code else None
    return render(
        request,
        "tickets/partials/agent_streets.html",
        {"streets": streets_of(district), "v": request.GET, "district": district},
    )


@_desk
@require_POST
def agent_relate(request: HttpRequest, number: str) -> HttpResponse:
    """After creation: link the new ticket to a similar one, or merge it into that one."""
    user: User = request.user  # type: ignore[assignment]
    how = request.POST.get("how", "")
    error = ""
    try:
        ticket = ticket_get(user=user, number=number)
        other = ticket_get(user=user, number=request.POST.get("other", "").strip())
        if how == "merge":
            ticket = svc.ticket_merge(ticket=ticket, by=user, parent=other, note="受理时发现重复诉求")
        elif how == "link":
            ticket = svc.ticket_link(ticket=ticket, by=user, other=other, note="受理时发现相似诉求")
        else:
            error = "未知操作。"
    except NotFound as exc:
        return HttpResponse(format_html('<p class="form-error" role="alert">{}</p>', exc.message), status=404)
    except ServiceError as exc:
        error = exc.message
    ticket.refresh_from_db()
    ctx = _confirmation(request, ticket)
    ctx["relate_error"] = error
    if not request.headers.get("HX-Request"):
        return _done_redirect(ticket)
    return render(request, "tickets/partials/agent_done.html", ctx, status=400 if error else 200)
