"""Desk views (being built)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def agent_desk(request: HttpRequest) -> HttpResponse:
    return redirect("tickets:search")
