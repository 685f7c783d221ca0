"""Desk views (being built)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def department_desk(request: HttpRequest) -> HttpResponse:
    return redirect("tickets:search")


def department_overview(request: HttpRequest) -> HttpResponse:
    return redirect("tickets:search")
