"""Open311 GeoReport v2 at /open311/v2/: discovery, services, requests, tokens, in XML and JSON.

Plain Django views: the spec fixes the wire format (form-encoded POSTs, a format suffix, bare JSON
arrays, `[{code, description}]` errors with 400/403/404), which a JSON API framework would fight.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from hotline.core.errors import ServiceError
from hotline.exchange import selectors as sel
from hotline.exchange.open311.params import attributes_from, request_query, scrub
from hotline.exchange.open311.render import error_rows, render
from hotline.exchange.services.open311 import Open311Post, open311_key_authenticate, open311_request_create
from hotline.tickets.models import Ticket

log = logging.getLogger(__name__)

SPEC = "http://wiki.open311.org/GeoReport_v2"
MAX_BODY = 64 * 1024  # a service request is a few form fields; media travel as media_url
POST_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def jurisdiction() -> str:
    return str(getattr(settings, "OPEN311_JURISDICTION", "12345.hotline.local"))


class Open311Error(Exception):
    def __init__(self, status: int, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors)
        self.status = status
        self.errors = errors


def _respond(fmt: str, root: str, item: str | None, payload: Any, status: int = 200) -> HttpResponse:
    body, content_type = render(fmt, root, item, payload)
    return HttpResponse(body, content_type=content_type, status=status)


def _error(request: HttpRequest, fmt: str, status: int, errors: list[tuple[str, str]]) -> HttpResponse:
    log.warning(
        "open311 %s %s -> %s %s", request.method, request.path, status, "; ".join(d for _, d in errors)[:300]
    )
    return _respond(fmt, "errors", "error", error_rows(errors), status)


def _from_service_error(exc: ServiceError) -> Open311Error:
    status = exc.http_status if exc.http_status in (400, 403, 404) else 400
    code = str(status)
    errors = [(code, f"{name}: {message}") for name, message in exc.fields.items()] or [(code, exc.message)]
    return Open311Error(status, errors)


def _param(request: HttpRequest, name: str) -> str:
    """A parameter from the body or the query string (old clients put api_key in the URL)."""
    value = request.POST.get(name) if request.method == "POST" else None
    return (value if value else request.GET.get(name, "")).strip()


def _check_jurisdiction(request: HttpRequest) -> None:
    given = _param(request, "jurisdiction_id")
    if given and given != jurisdiction():
        raise Open311Error(
            404, [("404", f"jurisdiction_id {given[:100]} 不存在；本平台为 {jurisdiction()}。")]
        )


def endpoint(
    *methods: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Method check, jurisdiction check, and every refusal as a spec error in the request's format."""

    def deco(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        def wrapped(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    raise Open311Error(
                        400, [("400", f"不支持 {request.method} 方法；可用：{'、'.join(methods)}。")]
                    )
                _check_jurisdiction(request)
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return _error(request, fmt, exc.status, exc.errors)
            except ServiceError as exc:
                err = _from_service_error(exc)
                return _error(request, fmt, err.status, err.errors)
            except RequestDataTooBig:
                return _error(request, fmt, 400, [("413", "请求体过大。")])
            except (MultiPartParserError, SuspiciousOperation) as exc:
                return _error(request, fmt, 400, [("400", f"请求体无法解析：{type(exc).__name__}。")])

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return deco


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _changeset() -> str:
    # When this endpoint's description last changed; bump it when discovery's content changes.
    return "2026-11-29T00:00:00+08:00"


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Where the endpoint is, what it speaks, whom to ask for a key."""
    base = request.build_absolute_uri("/open311/v2/")
    payload = {
        "changeset": _changeset(),
        "contact": str(getattr(settings, "OPEN311_CONTACT", "12345 政务服务便民热线中心")),
        "key_service": str(
            getattr(
                settings,
                "OPEN311_KEY_SERVICE",
                "提交服务请求需要 api_key，请向 12345 热线中心系统管理员申请。",
            )
        ),
        "endpoints": [
            {
                "specification": SPEC,
                "url": base,
                "changeset": _changeset(),
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return _respond(fmt, "discovery", None, payload)


def _service_row(s: sel.Service) -> dict[str, Any]:
    return {
        "service_code": s.code,
        "service_name": s.name,
        "description": s.description,
        "metadata": True,
        "type": "realtime",
        "keywords": s.keywords,
        "group": s.group,
    }


@endpoint("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    """The services: active leaf categories of the admin's classification tree."""
    return _respond(fmt, "services", "service", [_service_row(s) for s in sel.open311_services()])


@endpoint("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """The attributes a client may send for one service."""
    service = sel.open311_service(code)
    if service is None:
        raise Open311Error(404, [("404", f"service_code {code[:60]} 不存在或已停用。")])
    attributes = [
        {
            "variable": True,
            "code": "type",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "诉求类型，不填按“求助”受理",
            "order": 1,
            "description": "诉求类型",
            "values": [{"key": v, "name": label} for v, label in Ticket.Type.choices],
        },
        {
            "variable": False,
            "code": "notice",
            "datatype": "text",
            "required": False,
            "datatype_description": "",
            "order": 2,
            "description": f"{service.description}：提交后进入 12345 热线派单流程，由承办单位在办理时限内答复。",
        },
    ]
    return _respond(fmt, "service_definition", None, {"service_code": service.code, "attributes": attributes})


def _request_row(t: Ticket) -> dict[str, Any]:
    closed = t.status in sel.CLOSED_STATUSES
    sub = getattr(t, "open311", None)  # the Open311 submission, when the ticket came that way
    category = t.category
    return {
        "service_request_id": t.number,
        "status": "closed" if closed else "open",
        "status_notes": t.get_status_display(),
        "service_name": category.name if category else "",
        "service_code": category.code if category else "",
        "description": scrub(t.content),
        "agency_responsible": t.lead_department.name if t.lead_department else "",
        "service_notice": "",
        "requested_datetime": _iso(t.created_at),
        "updated_datetime": _iso((t.closed_at or t.updated_at) if closed else t.updated_at),
        "expected_datetime": _iso(t.due_at),
        "address": t.address,
        "address_id": sub.address_id if sub else "",
        "zipcode": "",
        "lat": float(t.latitude) if t.latitude is not None else None,
        "long": float(t.longitude) if t.longitude is not None else None,
        "media_url": sub.media_url if sub else "",
    }


def _requests_list(request: HttpRequest, fmt: str) -> HttpResponse:
    query = request_query(request.GET, now=timezone.now(), tz=timezone.get_current_timezone())
    rows = [_request_row(t) for t in sel.open311_requests(query)]
    return _respond(fmt, "service_requests", "request", rows)


def _post_data(request: HttpRequest) -> Open311Post:
    content_type = request.content_type or ""
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > MAX_BODY:
        raise Open311Error(400, [("413", f"请求体过大（{length} 字节，上限 {MAX_BODY} 字节）。")])
    if length and content_type not in POST_TYPES:
        raise Open311Error(
            400,
            [
                (
                    "400",
                    f"POST 正文须为 application/x-www-form-urlencoded（收到 {content_type[:60] or '未声明'}）。",
                )
            ],
        )
    form: QueryDict = request.POST
    names = [f for f in Open311Post.__dataclass_fields__ if f != "attributes"]
    values = {name: (form.get(name) or request.GET.get(name) or "").strip() for name in names}
    return Open311Post(**values, attributes=attributes_from(form.lists()))


@endpoint("GET", "POST")
def requests_(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: search requests (90 days / 1,000 at most, page + page_size). POST: create one (api_key)."""
    if request.method == "GET":
        return _requests_list(request, fmt)
    post = _post_data(request)
    key = open311_key_authenticate(_param(request, "api_key"))
    submission, created = open311_request_create(
        key=key, post=post, idempotency_key=request.headers.get("Idempotency-Key", "").strip()
    )
    notice = "已受理，工单进入派单流程。" if created else "重复提交：已返回此前受理的工单。"
    row = {
        "service_request_id": submission.ticket.number,
        "service_notice": notice,
        "account_id": post.account_id,
    }
    response = _respond(fmt, "service_requests", "request", [row])
    response["X-Open311-Token"] = submission.token
    return response


@endpoint("GET")
def updates(request: HttpRequest, fmt: str) -> HttpResponse:
    """mySociety extension: status changes in a window (start_date and end_date, both or neither; 90 days max)."""
    get = request.GET
    if bool((get.get("start_date") or "").strip()) != bool((get.get("end_date") or "").strip()):
        raise Open311Error(400, [("400", "start_date 与 end_date 须同时提供或都不提供。")])
    window = {k: get.get(k, "") for k in ("start_date", "end_date")}
    if not window["start_date"]:
        now = timezone.now()
        window = {"start_date": (now - timedelta(days=1)).isoformat(), "end_date": now.isoformat()}
    query = request_query(window, now=timezone.now(), tz=timezone.get_current_timezone())
    assert query.start is not None and query.end is not None
    rows = [
        {
            "update_id": str(e.pk),
            "service_request_id": e.ticket.number,
            "status": sel.EXTENDED_STATUS.get(e.to_status, "open"),
            "updated_datetime": _iso(e.at),
            "description": e.action_label,
            "media_url": "",
        }
        for e in sel.open311_updates(start=query.start, end=query.end)
    ]
    return _respond(fmt, "service_request_updates", "request_update", rows)


@endpoint("GET")
def request_detail(request: HttpRequest, rid: str, fmt: str) -> HttpResponse:
    """One request, as a list of one (also served at the singular /request/{id})."""
    ticket = sel.open311_request(rid)
    if ticket is None:
        raise Open311Error(404, [("404", f"service_request_id {rid[:40]} 不存在。")])
    return _respond(fmt, "service_requests", "request", [_request_row(ticket)])


@endpoint("GET")
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    """The service_request_id a token stands for."""
    submission = sel.open311_token(token)
    if submission is None:
        raise Open311Error(404, [("404", f"token {token[:60]} 不存在。")])
    row = {"service_request_id": submission.ticket.number, "token": submission.token}
    return _respond(fmt, "service_requests", "request", [row])


@csrf_exempt
def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    """Anything else under /open311/v2/: a spec 404 (JSON when the path asks for it)."""
    fmt = "json" if rest.endswith(".json") else "xml"
    return _error(
        request,
        fmt,
        404,
        [("404", f"没有这个 Open311 资源：/open311/v2/{rest[:80]}。可用格式 .xml 与 .json。")],
    )
