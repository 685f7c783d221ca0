"""The REST API under /api/v1/: one NinjaAPI, structured errors, token or session auth."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from hotline.accounts.api import router as accounts_router
from hotline.accounts.tokens import token_user
from hotline.callcenter.api import router as callcenter_router
from hotline.core.errors import ServiceError
from hotline.knowledge.api import router as knowledge_router
from hotline.tickets.api import router as tickets_router
from hotline.workforce.api import router as workforce_router

log = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> object:
        user = token_user(token)
        if user is None:
            return None
        request.user = user
        return user


api = NinjaAPI(
    title="Hotline 12345 API",
    version="1.0.0",
    description=(
        "工单全生命周期接口（接诉即办）。先 `POST /api/v1/auth/token` 取得令牌，之后以 "
        "`Authorization: Bearer <token>` 调用。错误统一为 `{code, message, errors[]}`。"
    ),
    openapi_url="/schema",
    docs_url="/docs",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


def _error(
    request: HttpRequest, status: int, code: str, message: str, errors: list[dict[str, str]] | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "errors": errors or []}, status=status
    )


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.http_status)


_PYDANTIC_MESSAGES = {
    "missing": "必填",
    "string_type": "应为字符串",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "bool_parsing": "应为布尔值",
    "bool_type": "应为布尔值",
    "float_parsing": "应为数字",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "string_too_long": "过长",
    "list_type": "应为数组",
    "model_attributes_type": "应为对象",
    "json_invalid": "不是合法的 JSON",
    "literal_error": "取值无效",
    "enum": "取值无效",
    "greater_than_equal": "过小",
    "less_than_equal": "过大",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "float_type": "应为数字",
    "int_from_float": "应为整数",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "string_too_short": "过短",
    "too_long": "项目过多",
}
# Where ninja found a parameter: the first element of an error's `loc`, never a field name.
_LOCATIONS = ("body", "query", "path", "form", "file", "header", "cookie")


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", [])]
        # Drop the location and the body's parameter name only: an upload's field is itself called "file".
        if loc[:1] and loc[0] in _LOCATIONS:
            loc = loc[1:]
        if loc[:1] == ["payload"]:
            loc = loc[1:]
        kind = str(err.get("type", ""))
        errors.append(
            {
                "field": ".".join(loc) or "body",
                "message": _PYDANTIC_MESSAGES.get(kind, str(err.get("msg", "无效"))),
            }
        )
    return _error(request, 400, "invalid", "请求内容有误，请按字段提示修改。", errors)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthorized", "未登录或令牌无效，请先通过 /api/v1/auth/token 取得令牌。")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja raises a bare 400 (English text) when it cannot parse the body, e.g. malformed JSON.
    if exc.status_code == 400:
        return _error(
            request,
            400,
            "invalid",
            "请求体无法解析，请发送合法的 JSON。",
            [{"field": "body", "message": "不是合法的 JSON"}],
        )
    return _error(request, exc.status_code, "error", str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "请求的对象不存在。")


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, "too_large", "请求体过大。附件请单独上传，单个文件不超过上限。")


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("unexpected API error on %s", request.path)
    return _error(request, 500, "server_error", "服务器内部错误，已记录，请稍后重试。")


api.add_router("/", accounts_router)
api.add_router("/", tickets_router)
api.add_router("/kb", knowledge_router)
api.add_router("/callcenter", callcenter_router)
api.add_router("/wfm", workforce_router)
api.add_router("/police", "hotline.exchange.api.router")  # 110 linkage
api.add_router("/metrics", "hotline.metrics.api.router")
api.add_router("/assist", "hotline.assist.api.router")
api.add_router("/visits", "hotline.visits.api.router")
api.add_router("/quality", "hotline.quality.api.router")
