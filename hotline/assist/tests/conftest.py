"""Fixtures of the assist tests: the tickets app's small city, a private data folder, trained history."""

from __future__ import annotations

import pytest

from hotline.accounts.models import Department
from hotline.tickets.models import Category, Ticket
from hotline.tickets.tests.conftest import city  # noqa: F401  (the shared fixture)

from .fixtures import MESSAGES, labelled


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


@pytest.fixture
def history(db) -> dict[str, object]:
    """100 closed tickets of five bureaus, each with a category named after its bureau's topic."""
    departments = {
        code: Department.objects.create(name=f"单位{code}", code=code, kind=Department.Kind.CITY_BUREAU)
        for code in MESSAGES
    }
    top = Category.objects.create(name="综合", code="Z", level=1)
    mid = Category.objects.create(name="综合类", code="Z1", level=2, parent=top)
    categories = {
        code: Category.objects.create(name=f"分类{code}", code=f"Z1-{code}", level=3, parent=mid)
        for code in MESSAGES
    }
    tickets = []
    for i, (text, label) in enumerate(zip(*labelled(), strict=True)):
        title, _, content = text.partition("，")
        tickets.append(
            Ticket(
                number=f"T{i:05d}",
                title=title[:200],
                content=content or title,
                status=Ticket.Status.CLOSED,
                category=categories[label],
                completing_department=departments[label],
            )
        )
    Ticket.objects.bulk_create(tickets)
    return {"departments": departments, "categories": categories}
