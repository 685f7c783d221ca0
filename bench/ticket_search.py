"""Ticket text search (工单查询, `GET /api/v1/tickets?q=`) over 1 M tickets: plain filter vs bigram index.

    python bench/ticket_search.py [--tickets 1000000] [--reuse] [--keep] [--runs 5] [--budget 240]

Creates `hotline_bench_search`, migrates it, builds the demo organisation and users, then generates
--tickets tickets with COPY: Chinese texts drawn from a Zipf-distributed vocabulary of 20,000 words
(2–3 characters from the 3,755 level-1 GB2312 characters) plus common hotline phrases, roads and house
numbers, ~80 characters a ticket over title, content and address, spread over five years. The
`search_grams` column is written with `hotline.tickets.search.document` (the product's own code);
the GIN index is dropped for the load and built once after it. With --reuse an existing database of
at least --tickets tickets is kept; without --keep the database is dropped at the end.

Then, as the supervisor (who sees everything): the first page (25 rows) of `ticket_list(text=q)`,
and the API's capped count (≤ 10,001 rows, as `GET /api/v1/tickets` counts), for rare (in 10–60
tickets), medium (2–10 k), common (the five most frequent words and 噪音扰民, ≥ 100 k) and absent
terms: "before" is the plain filter (`number = q OR title/content/address icontains q`, the SQL
before this change), "after" is `ticket_list` itself; terms it leaves on the plain filter
(`search.uses_index`) are marked "(plain)". Each term runs --runs times (bounded by --budget seconds
per side); median and p95 per class. Both sides must return the same page and count, or the script
stops.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from _common import (
    bench_env,
    hotline,
    loadavg,
    log,
    machine,
    median,
    ms,
    pct,
    pg_exists,
    pg_recreate,
    pg_url,
    summary,
)
from kpi_month import _count, _setup_django, _unknown_not_null

PAGE = 25
COUNT_CAP = 10_001  # the API counts at most LIST_COUNT_CAP + 1 rows
PHRASES = [
    "路灯不亮", "噪音扰民", "垃圾堆放", "占道经营", "停车难", "物业服务", "供暖不热", "水压不足",
    "燃气费", "公交晚点", "井盖缺失", "违章搭建", "油烟扰民", "小区电梯", "拖欠工资", "医保报销",
    "公积金提取", "食品安全", "消费维权", "学校招生",
]  # fmt: skip
ROADS = ["幸福路", "人民路", "解放路", "建设路", "中山路", "长江路", "黄河路", "新华路", "和平路", "胜利路"]
WORDS = 20_000


def _charset() -> list[str]:
    out = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return out


def _vocabulary(rng: random.Random) -> list[str]:
    chars = _charset()
    words: set[str] = set()
    while len(words) < WORDS:
        words.add("".join(rng.choice(chars) for _ in range(rng.choice((2, 2, 3)))))
    return sorted(words, key=lambda w: rng.random())


def _generate(n: int, seed: int) -> Counter[str]:
    """COPY n tickets; returns each vocabulary word's document frequency (for choosing the terms)."""
    from importlib import import_module

    from django.db import connection

    from hotline.core.demo import build_categories, build_organisation, build_users
    from hotline.tickets.search import document

    depts = build_organisation()
    build_categories()
    build_users(depts)
    rng = random.Random(seed)
    vocab = _vocabulary(rng)
    cum, total = [], 0.0
    for rank in range(len(vocab)):
        total += 1 / (rank + 1)
        cum.append(total)
    df: Counter[str] = Counter()
    end = datetime.now(UTC)
    span = timedelta(days=5 * 365).total_seconds()
    cols = ["number", "status", "version", "channel", "hotline", "type", "urgency", "title", "content",
            "address", "created_at", "updated_at", "status_since", "search_grams"]  # fmt: skip
    t0 = time.monotonic()
    with connection.cursor() as cur:
        # NOT NULL columns without a default (Django keeps defaults in Python) get kpi_month's neutral values.
        extra_cols, extra_vals = _unknown_not_null(cur, "tickets_ticket", {*cols, "id"})
        extra = [c.strip() for c in extra_cols.split(",") if c.strip()]
        neutral = [_COPY_VALUE[v.strip()] for v in extra_vals.split(",") if v.strip()]
        for name in ("ticket_search_grams_gin", "ticket_search_unindexed_idx"):
            cur.execute(f"DROP INDEX IF EXISTS {name}")
    connection.ensure_connection()
    raw = connection.connection  # psycopg 3, autocommit: COPY ... FROM STDIN commits when it ends
    with raw.cursor() as pc, pc.copy(f"COPY tickets_ticket ({', '.join(cols + extra)}) FROM STDIN") as copy:
        for i in range(n):
            words = rng.choices(vocab, cum_weights=cum, k=rng.randint(4, 9))
            df.update(set(words))
            phrase = PHRASES[int(rng.paretovariate(1.2)) % len(PHRASES)]
            road = rng.choice(ROADS)
            title = f"{phrase}{words[0]}"
            content = f"市民反映{road}附近{phrase}，{'、'.join(words)}，请尽快处理。"
            address = f"{road}{rng.randint(1, 300)}号"
            at = (end - timedelta(seconds=span * (n - i - rng.random()) / n)).isoformat()
            row = [f"S{i:011d}", "closed", "3", "phone", "12345", "complaint", "normal", title, content, address,
                   at, at, at, document(title, content, address)]  # fmt: skip
            row += [at if v is None else v for v in neutral]
            copy.write("\t".join(row) + "\n")
            if (i + 1) % 100_000 == 0:
                log(f"tickets {i + 1:,}/{n:,} ({time.monotonic() - t0:.0f}s)")
    log(f"loaded {n:,} tickets in {time.monotonic() - t0:.0f}s; building the search indexes")
    t1 = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        for name, definition in import_module("hotline.tickets.migrations.0008_ticket_search_grams").INDEXES:
            cur.execute(f"CREATE INDEX {name} ON tickets_ticket {definition}")
        cur.execute("VACUUM ANALYZE tickets_ticket")
    log(f"indexes + vacuum analyze {time.monotonic() - t1:.0f}s")
    return df


# kpi_month's neutral SQL values as COPY text (None: the row's timestamp).
_COPY_VALUE: dict[str, str | None] = {
    "false": "f", "0": "0", "''": "", "'[]'::jsonb": "[]", "now()": None, "current_date": None,
}  # fmt: skip


def _terms(df: Counter[str]) -> dict[str, list[str]]:
    rare = [w for w, c in df.items() if 10 <= c <= 60]
    medium = [w for w, c in df.items() if 2_000 <= c <= 10_000]
    common = [w for w, c in df.most_common(5)]
    rng = random.Random(7)
    return {
        "rare": rng.sample(rare, min(6, len(rare))),
        "medium": rng.sample(medium, min(6, len(medium))),
        "common": common + ["噪音扰民"],
        "absent": ["查无此词", "量子纠缠"],
    }


def _measure(args: argparse.Namespace, terms: dict[str, list[str]]) -> dict[str, dict[str, list[float]]]:
    from django.db.models import Q

    from hotline.accounts.models import User
    from hotline.tickets.search import uses_index
    from hotline.tickets.selectors import ticket_list

    user = User.objects.get(username="supervisor")

    def plain(q: str) -> Any:
        cond = Q(number=q) | Q(title__icontains=q) | Q(content__icontains=q) | Q(address__icontains=q)
        return ticket_list(user=user).filter(cond)

    def indexed(q: str) -> Any:
        return ticket_list(user=user, text=q)

    results: dict[str, dict[str, list[float]]] = {}
    counts: dict[str, int] = {}
    pages: dict[str, list[str]] = {}
    per_class = args.budget / len(terms)
    for side, build in (("before", plain), ("after", indexed)):
        started = time.monotonic()
        for cls, qs in terms.items():
            page_t: list[float] = []
            count_t: list[float] = []
            class_start = time.monotonic()
            for q in qs:
                key = f"{cls}:{q}"
                rows = [t.number for t in build(q)[:PAGE]]  # warm: plan, pages this term touches; and check
                n = build(q)[:COUNT_CAP].count()
                if side == "before":
                    counts[key], pages[key] = n, rows
                elif (pages[key], counts[key]) != (rows, n):
                    raise SystemExit(f"different results for {q!r}: {counts[key]} vs {n} matches")
                for _ in range(args.runs):
                    if time.monotonic() - class_start > per_class:
                        break
                    t0 = time.perf_counter()
                    list(build(q)[:PAGE])
                    page_t.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    build(q)[:COUNT_CAP].count()
                    count_t.append(time.perf_counter() - t0)
            results.setdefault(cls, {})[f"{side}_page"] = page_t
            results[cls][f"{side}_count"] = count_t
        log(f"{side}: {time.monotonic() - started:.0f}s")
    for cls, qs in terms.items():
        shown = ", ".join(f"{q} {counts[f'{cls}:{q}']:,}{'' if uses_index(q) else ' (plain)'}" for q in qs)
        print(f"{cls:<7} terms and matches (counted up to {COUNT_CAP:,}): {shown}")
    return results


def _sizes() -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('tickets_ticket')), "
            "pg_size_pretty(pg_relation_size('ticket_search_grams_gin'))"
        )
        table, gin = cur.fetchone()
    return f"table+indexes {table}, GIN {gin}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="hotline_bench_search")
    ap.add_argument("--tickets", type=int, default=1_000_000)
    ap.add_argument("--reuse", action="store_true", help="keep an existing generated database")
    ap.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--budget", type=float, default=240.0, help="max seconds timing each side")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    url = pg_url(args.db)
    os.environ.update(bench_env(url, tempfile.mkdtemp(prefix="hotline-bench-search-")))
    df_path = os.path.join(tempfile.gettempdir(), f"{args.db}.df.tsv")
    try:
        if (
            args.reuse
            and pg_exists(args.db)
            and _count(url, "tickets_ticket") >= args.tickets
            and os.path.exists(df_path)
        ):
            log(f"reusing {args.db} ({_count(url, 'tickets_ticket'):,} tickets)")
            hotline(["migrate", "-v0"], dict(os.environ))
            _setup_django()
            with open(df_path, encoding="utf-8") as f:
                df = Counter({w: int(c) for w, c in (line.rstrip("\n").split("\t") for line in f)})
        else:
            t0 = time.monotonic()
            log(f"creating {args.db} and migrating")
            pg_recreate(args.db)
            hotline(["migrate", "-v0"], dict(os.environ))
            _setup_django()
            df = _generate(args.tickets, args.seed)
            with open(df_path, "w", encoding="utf-8") as f:
                f.writelines(f"{w}\t{c}\n" for w, c in df.items())
            log(f"database built in {time.monotonic() - t0:.0f}s")
        terms = _terms(df)
        sizes = _sizes()
        res = _measure(args, terms)
        print(f"machine {machine()} load {loadavg()} tickets {_count(url, 'tickets_ticket'):,}; {sizes}")
        print(
            f"{'class':<7} {'side':<6} {'page median':>12} {'page p95':>9} {'count median':>13} {'count p95':>10}  (ms)"
        )
        figures: dict[str, str] = {}
        for cls, r in res.items():
            for side in ("before", "after"):
                page, count = r[f"{side}_page"], r[f"{side}_count"]
                print(
                    f"{cls:<7} {side:<6} {ms(median(page)):>12} {ms(pct(page, 95)):>9}"
                    f" {ms(median(count)):>13} {ms(pct(count, 95)):>10}"
                )
                figures[f"{cls}_{side}_p95_ms"] = ms(pct(page, 95))
        summary("ticket_search", tickets=args.tickets, **figures)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            pg_recreate_drop(args.db)


def pg_recreate_drop(dbname: str) -> None:
    """Drop the benchmark database (named hotline_bench*; anything else is refused)."""
    from _common import _admin_conn

    if not dbname.startswith("hotline_bench"):
        raise SystemExit(f"refusing to drop {dbname!r}")
    with _admin_conn() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    log(f"dropped {dbname}")


if __name__ == "__main__":
    main()
