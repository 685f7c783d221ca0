"""Structured errors for every response under /api/, including the ones Django makes itself."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

_MESSAGES = {
    404: ("not_found", "接口不存在，请对照 /api/v1/schema 检查路径。"),
    405: ("method_not_allowed", "该接口不支持此请求方法。"),
}


class ApiErrorsMiddleware:
    """An unknown path or a wrong method under /api/ answers JSON `{code, message, errors}`, not HTML.

    Errors the API raises itself are already JSON and pass through untouched.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        known = _MESSAGES.get(response.status_code)
        if (
            known is None
            or not request.path.startswith("/api/")
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        code, message = known
        out = JsonResponse({"code": code, "message": message, "errors": []}, status=response.status_code)
        if response.has_header("Allow"):
            out["Allow"] = response["Allow"]
        return out
