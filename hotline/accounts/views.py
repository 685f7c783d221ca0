"""Sign-in and sign-out pages."""

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from hotline.accounts.services import user_authenticate
from hotline.core.errors import ServiceError


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")[:64]


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    error = ""
    username = ""
    if request.method == "POST":
        username = request.POST.get("username", "")
        try:
            user = user_authenticate(
                username=username, password=request.POST.get("password", ""), address=client_address(request)
            )
        except ServiceError as exc:
            error = exc.message
        else:
            login(request, user)
            target = request.POST.get("next") or request.GET.get("next") or "/"
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/"
            return redirect(target)
    status = 429 if "锁定" in error else (401 if error else 200)
    return render(
        request,
        "accounts/login.html",
        {"error": error, "username": username, "next": request.GET.get("next", "")},
        status=status,
    )


@require_http_methods(["POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


def keepalive(request: HttpRequest) -> HttpResponse:
    """Extends the session (every request does); 401 once it has expired."""
    if not request.user.is_authenticated:
        return JsonResponse({"code": "unauthorized", "message": "会话已过期，请重新登录。"}, status=401)
    return JsonResponse({"ok": True})
