"""Ticket text search without a table scan: a character-bigram index on PostgreSQL, no extensions.

`Ticket.search_grams` (a tsvector) holds the distinct bigrams of the folded title, content and
address, each spelled as an ASCII-letter token. A query's bigrams ANDed (`@@ to_tsquery`) find the
candidates through a GIN index; the old `icontains` conditions then keep exactly today's results.

Why it is exact: folding is done character by character (NFKC, then upper, then lower case), so a
substring of a text folds to a substring of the folded text, and characters the database's UPPER
makes equal fold alike (Python's Unicode tables map at least as much together as glibc's; the
property test checks it against the database). Whatever `icontains` matches therefore holds all the
query's bigrams; the bigrams only narrow the rows `icontains` then checks. Bigrams are per field (a
match never spans two fields). Tokens are ASCII letters, so the 'simple' configuration keeps them
whatever the database's LC_CTYPE (a C locale treats CJK as non-letters and would drop them).

Why a stored tsvector and not a text column under an expression index on to_tsvector('simple', …):
the index and the recheck read the column as it is (no parsing of every candidate row), writes cast
the token list straight to a tsvector (no parser at all), and the planner keeps statistics of the
column's most common bigrams, which `uses_index` reads. Single characters are not indexed (but a
text shorter than two characters keeps its one), so one-character queries keep the plain filter.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, Q

# The fields the index is built from; a save naming none of them (status moves) leaves it alone.
SOURCE_FIELDS = ("title", "content", "address")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_WIDTH = 5  # 26**5 > 0x10FFFF: every code point fits in five letters
# Queries this short keep the plain filter (a single character is too common to narrow anything).
MIN_QUERY_CHARS = 2
# The migration fills at most this many rows itself; beyond, `hotline tickets reindex-search` does.
MIGRATION_FILL_LIMIT = 200_000


@lru_cache(maxsize=65536)
def _fold_char(c: str) -> str:
    return unicodedata.normalize("NFKC", c).upper().lower()


def fold(text: str) -> str:
    """NFKC and case-folded, character by character (so substrings stay substrings)."""
    return "".join(_fold_char(c) for c in text)


@lru_cache(maxsize=65536)
def _code(c: str) -> str:
    n, out = ord(c), []
    for _ in range(_WIDTH):
        n, r = divmod(n, 26)
        out.append(_LETTERS[r])
    return "".join(reversed(out))


def grams(text: str) -> set[str]:
    """The distinct bigram tokens of one folded text; its single character when shorter than 2."""
    f = fold(text)
    if len(f) < 2:
        return {_code(f)} if f else set()
    return {_code(a) + _code(b) for a, b in zip(f, f[1:], strict=False)}


def document(*texts: str) -> str:
    """The value stored in `search_grams`: the union of the texts' tokens (tsvector input syntax)."""
    tokens: set[str] = set()
    for t in texts:
        tokens |= grams(t or "")
    return " ".join(sorted(tokens))


def ticket_document(ticket: Any) -> str:
    return document(*(getattr(ticket, name) for name in SOURCE_FIELDS))


def ticket_text_q(text: str) -> Q:
    """The ticket list's text condition: number equals, or title/content/address contains (any case).

    On PostgreSQL, for a query of two characters or more whose bigrams are rare enough (`uses_index`),
    the bigram index comes first; rows not yet indexed (NULL, before a backfill finishes) are still
    checked, so results never depend on it. Otherwise it is the plain filter.
    """
    contains = Q(title__icontains=text) | Q(content__icontains=text) | Q(address__icontains=text)
    if not uses_index(text):
        return Q(number=text) | contains
    from django.contrib.postgres.search import SearchQuery

    query = SearchQuery(" & ".join(sorted(grams(text))), config="simple", search_type="raw")
    return Q(number=text) | ((Q(search_grams=query) | Q(search_grams__isnull=True)) & contains)


def uses_index(text: str) -> bool:
    """Whether the bigram index should find this query's rows (PostgreSQL, ≥ 2 characters, rare enough).

    The planner cannot tell: it multiplies the bigrams' selectivity by the LIKE patterns' as if they
    were independent, so "噪音扰民" in half the tickets looks like 55 rows and it sorts all half a
    million. The column's statistics decide instead: a query matches at most as many rows as its
    rarest bigram (one outside the most common elements is rarer than all of them). Up to
    INDEX_MAX_ROWS matches the index fetches and sorts them in well under a second, while the plain
    filter would read the whole table for any count of them (the API's capped count, the 工单查询
    page's paginator) and, for the rarest, for the page itself. More common terms keep the plain
    filter: walking the newest tickets finds a page of 25 after a few hundred rows.
    """
    if connection.vendor != "postgresql" or len(fold(text)) < MIN_QUERY_CHARS:
        return False
    freqs, floor, rows = _gram_stats()
    if rows <= 0:  # never analysed (a new, small table): either way is fast
        return True
    rarest = min(freqs.get(token, floor) for token in grams(text))
    return rarest * rows <= INDEX_MAX_ROWS


# The lists count at most selectors.LIST_COUNT_CAP (10,000) + 1 rows, without ORDER BY, so on the plain
# filter a count of a common term stops early; rarer terms than this are cheaper through the index.
INDEX_MAX_ROWS = 10_000
STATS_TTL = 600.0  # seconds a process keeps the column's statistics (ANALYZE refreshes them rarely)
_stats: tuple[float, dict[str, float], float, float] | None = None


def _gram_stats() -> tuple[dict[str, float], float, float]:
    """(frequency of each most common bigram, the lowest of them, estimated rows) of the tickets table."""
    global _stats
    now = time.monotonic()
    if _stats is None or now - _stats[0] > STATS_TTL:
        with connection.cursor() as cur:
            cur.execute(
                """SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples
                   FROM pg_class c LEFT JOIN pg_stats s ON s.schemaname = current_schema()
                        AND s.tablename = c.relname AND s.attname = 'search_grams'
                   WHERE c.oid = 'tickets_ticket'::regclass"""
            )
            elems, elem_freqs, rows = cur.fetchone() or (None, None, -1)
        # The frequencies array ends with the minimum, maximum and null fraction: three extra entries.
        freqs = dict(zip(elems or [], elem_freqs or [], strict=False))
        _stats = (now, freqs, min(freqs.values(), default=1.0), float(rows))
    return _stats[1], _stats[2], _stats[3]


def forget_stats() -> None:
    """Read the column's statistics again on the next query (tests, after ANALYZE)."""
    global _stats
    _stats = None


def backfill(
    model: type[Model],
    *,
    batch: int = 2000,
    rebuild: bool = False,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Fill `search_grams` of the rows that lack it (all rows with `rebuild`), one transaction a batch.

    Walks the primary key, so each batch is an index range and a rerun resumes where it stopped.
    Returns the number of rows written; `progress(done, total)` after each batch.
    """
    qs = model._default_manager.all()  # type: ignore[attr-defined]
    if not rebuild:
        qs = qs.filter(search_grams__isnull=True)
    total = qs.count() if limit is None else min(limit, qs.count())
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"UPDATE {table} SET search_grams = %s WHERE id = %s"  # noqa: S608 - the model's own table
    done, last = 0, 0
    while done < total:
        rows = list(
            qs.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", *SOURCE_FIELDS)[: min(batch, total - done)]
        )
        if not rows:
            break
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(sql, [(document(*r[1:]), r[0]) for r in rows])
        done += len(rows)
        last = rows[-1][0]
        if progress is not None:
            progress(done, total)
    return done


def fill(objs: Iterable[Any]) -> None:
    """Set `search_grams` on unsaved tickets (bulk paths that bypass `save()`)."""
    for obj in objs:
        obj.search_grams = ticket_document(obj)
