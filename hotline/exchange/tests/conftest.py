"""Exchange fixtures: a small category tree (services) and an Open311 key."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hotline.exchange.models import Open311Key
from hotline.tickets.models import Category
from hotline.tickets.tests.conftest import city  # noqa: F401


@dataclass
class Catalogue:
    streetlight: Category
    pothole: Category
    retired: Category
    hidden_leaf: Category
    key: Open311Key
    raw_key: str


@pytest.fixture
def catalogue(db) -> Catalogue:
    urban = Category.objects.create(name="城乡建设", code="01")
    roads = Category.objects.create(name="市政设施", code="0101", parent=urban)
    streetlight = Category.objects.create(name="路灯不亮", code="010101", parent=roads)
    pothole = Category.objects.create(name="道路破损", code="010102", parent=roads)
    retired = Category.objects.create(name="已停用分类", code="010103", parent=roads, is_active=False)
    old = Category.objects.create(name="旧分类", code="02", is_active=False)
    hidden_leaf = Category.objects.create(name="旧分类下的叶子", code="0201", parent=old)
    key = Open311Key(name="市民 App")
    raw = key.set_new_key()
    key.save()
    return Catalogue(streetlight, pothole, retired, hidden_leaf, key, raw)
