"""Database settings for the month's aggregate queries."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import connection, transaction

P = ParamSpec("P")
T = TypeVar("T")


def without_jit(fn: Callable[P, T]) -> Callable[P, T]:
    """Run `fn` with PostgreSQL's JIT off and room to group in memory, for its own transaction only.

    The month's aggregates are estimated expensive enough to cross `jit_above_cost`, so PostgreSQL
    compiled each one (up to 1.2 s measured on 5 M tickets) and then ran it in ~0.1 s. With the
    default 4 MB `work_mem` a month's grouping spilled to disk ("external merge"). Other queries on
    the connection keep the server's settings (SET LOCAL ends with the transaction).
    """

    @wraps(fn)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> T:
        if connection.vendor != "postgresql":
            return fn(*args, **kwargs)
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'")
            return fn(*args, **kwargs)

    return wrapped
