"""Small helpers for the QA templates."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def field(data: Any, name: str) -> str:
    """A kept form value by name (QueryDict or dict); empty when absent."""
    try:
        return str(data.get(name, "") or "")
    except AttributeError:
        return ""


@register.simple_tag
def item_field(data: Any, prefix: str, pk: int) -> str:
    try:
        return str(data.get(f"{prefix}_{pk}", "") or "")
    except AttributeError:
        return ""
