"""The signed-in landing page sends each role to its desk."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from hotline.core.context import home_url


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect(home_url(request.user.role))  # type: ignore[union-attr]
