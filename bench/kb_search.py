"""热线百科 search at scale: generated articles in the database, indexing, queries, edits.

    python bench/kb_search.py                         # 100,000 articles, SQLite in a temporary folder
    python bench/kb_search.py --articles 20000 --database-url postgres://postgres@127.0.0.1:5432/hotline_bench_kb

Steps: migrate a fresh database (child process); write the generated articles (`kb_corpus.py`,
mean ~650 characters) to a CSV; `articles_import_csv` into the database (timed); build this
process's search index from the database (timed); run `--queries` generated citizen questions
through `articles_search` (the full path: change-log sync, BM25F, re-rank on texts read from the
database, snippets) and time each; then edit `--edits` articles through `article_update` and time
from the start of the edit until a search for the new text returns the article. Peak RSS is the
process's high-water mark over import and indexing. Targets (issue): index 100 k < 3 min,
peak < 1 GB, query p95 < 50 ms, edit searchable < 1 s.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import kb_corpus
from _common import bench_env, hotline, log, machine, summary


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--database-url", default="", help="default: SQLite in a temporary folder")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="hotline-kb-bench-"))
    try:
        run(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args: argparse.Namespace, tmp: Path) -> None:
    url = args.database_url or f"sqlite:///{tmp / 'kb.sqlite3'}"
    env = bench_env(url, str(tmp))
    os.environ.update(env)
    print(f"machine: {machine()}  loadavg at start: {Path('/proc/loadavg').read_text().split()[:3]}")
    log(f"migrating {url.split('@')[-1]}")
    hotline(["migrate", "-v0"], env)

    path = tmp / "articles.csv"
    log(f"writing {args.articles:,} generated articles to {path.name}")
    chars = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["article_id", "title", "body", "keywords"])
        writer.writeheader()
        for row in kb_corpus.articles(args.articles):
            chars += len(row["body"])
            writer.writerow(row)

    import django

    django.setup()
    from hotline.knowledge.index import PROCESS_INDEX
    from hotline.knowledge.models import Article
    from hotline.knowledge.selectors import articles_search
    from hotline.knowledge.services import article_update, articles_import_csv

    base = rss_mb()
    log("importing into the database")
    t0, c0 = time.perf_counter(), time.process_time()
    result = articles_import_csv(path=path)
    import_s, import_cpu = time.perf_counter() - t0, time.process_time() - c0
    log(f"building the search index ({result.created:,} articles)")
    t0, c0 = time.perf_counter(), time.process_time()
    with PROCESS_INDEX.lock:
        PROCESS_INDEX.rebuild()
    index_s, index_cpu = time.perf_counter() - t0, time.process_time() - c0
    stats = PROCESS_INDEX.engine.stats() if PROCESS_INDEX.engine else {}
    peak, after = peak_mb(), rss_mb()

    log(f"{args.queries} queries")
    for q in kb_corpus.questions(20, seed=1):
        articles_search(query=q)
    times: list[float] = []
    found = 0
    for q in kb_corpus.questions(args.queries):
        t0 = time.perf_counter()
        res = articles_search(query=q)
        times.append((time.perf_counter() - t0) * 1000)
        found += bool(res.results)
    odd = {
        "empty": "",
        "10k chars": "公积金提取" * 2000,
        "html": "<script>alert('x')</script>燃气",
        "sql": "' OR 1=1 -- 医保",
        "emoji": "😀🙏 社保卡",
    }
    odd_ms = {}
    for name, q in odd.items():
        t0 = time.perf_counter()
        articles_search(query=q)
        odd_ms[name] = (time.perf_counter() - t0) * 1000

    log(f"{args.edits} edits")
    rng = random.Random(7)
    ids = list(Article.objects.order_by("?").values_list("id", flat=True)[: args.edits])
    edit_ms: list[float] = []
    for n, pk in enumerate(ids):
        phrase = "".join(rng.choice("鹦鹉麒麟貔貅饕餮魑魅魍魉琥珀玳瑁翡翠") for _ in range(6))
        article = Article.objects.get(pk=pk)
        t0 = time.perf_counter()
        article_update(article=article, body=f"{article.body}补充说明{n}：{phrase}。")
        while True:
            hits = articles_search(query=phrase, limit=3).results
            if hits and hits[0].article.pk == pk:
                break
            if time.perf_counter() - t0 > 5:
                raise SystemExit(f"edit of article {pk} not searchable after 5 s")
        edit_ms.append((time.perf_counter() - t0) * 1000)

    q50, q95 = statistics.median(times), pct(times, 95)
    print(
        f"articles: {result.created:,} (mean body {chars / max(args.articles, 1):.0f} chars)  database: {url.split(':')[0]}"
    )
    print(
        f"import into database: {import_s:.1f} s (CPU {import_cpu:.1f} s)   build search index: {index_s:.1f} s "
        f"(CPU {index_cpu:.1f} s)   total {import_s + index_s:.1f} s"
    )
    print(f"loadavg at end: {Path('/proc/loadavg').read_text().split()[:3]}")
    print(f"index: {stats}")
    print(f"RSS: before import {base:.0f} MB, peak {peak:.0f} MB, after indexing {after:.0f} MB")
    print(
        f"queries ({len(times)}, {found} with results): p50 {q50:.1f} ms  p95 {q95:.1f} ms  max {max(times):.1f} ms"
    )
    print("odd queries (ms): " + "  ".join(f"{k} {v:.1f}" for k, v in odd_ms.items()))
    print(
        f"edit -> searchable ({len(edit_ms)} edits): p50 {statistics.median(edit_ms):.1f} ms  max {max(edit_ms):.1f} ms"
    )
    summary(
        "kb_search",
        articles=result.created,
        import_s=f"{import_s:.1f}",
        index_s=f"{index_s:.1f}",
        index_cpu_s=f"{index_cpu:.1f}",
        peak_rss_mb=f"{peak:.0f}",
        query_p50_ms=f"{q50:.1f}",
        query_p95_ms=f"{q95:.1f}",
        edit_max_ms=f"{max(edit_ms):.1f}",
    )


if __name__ == "__main__":
    main()
