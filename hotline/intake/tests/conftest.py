import pytest

from hotline.tickets.tests.conftest import city  # noqa: F401


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttle counters and used challenges live in the cache; each test starts clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def solve(question: str) -> str:
    """The answer to a challenge question such as '7 + 5 = ?' or '15 − 3 = ?'."""
    import re

    a, op, b = re.match(r"\s*(\d+)\s*([+−])\s*(\d+)", question).groups()
    return str(int(a) + int(b) if op == "+" else int(a) - int(b))
