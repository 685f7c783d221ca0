"""Departments and categories by code, cached per process (see core.refcache).

API clients name a district, a street, a category or a department on almost every request; these
tables are small and change rarely. tickets.signals drops the cache on every change.
"""

from __future__ import annotations

import copy

from hotline.accounts.models import Department
from hotline.core.refcache import RefCache
from hotline.tickets.models import Category


def _departments() -> dict[str, Department]:
    return {d.code: d for d in Department.objects.all()}


def _categories() -> dict[str, Category]:
    return {c.code: c for c in Category.objects.all()}


departments: RefCache[dict[str, Department]] = RefCache("departments", _departments)
categories: RefCache[dict[str, Category]] = RefCache("categories", _categories)


def department_by_code(code: str) -> Department | None:
    found = departments.get().get(code)
    return copy.copy(found)  # callers may set attributes; the cached row stays as loaded


def category_by_code(code: str) -> Category | None:
    found = categories.get().get(code)
    return copy.copy(found)
