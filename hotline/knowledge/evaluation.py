"""Offline evaluation of the search engine on an article set and a question set (CSV files)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from hotline.knowledge.csvfiles import read_csv
from hotline.knowledge.search import Document, Params, SearchIndex


def documents_from_rows(rows: Iterable[dict[str, str]]) -> list[Document]:
    """Articles CSV rows (article_id, title, body; keywords and qa if present) as engine documents."""
    return [
        Document(
            id=row["article_id"].strip(),
            title=row["title"],
            body=row["body"],
            keywords=row.get("keywords", ""),
            qa=row.get("qa", ""),
        )
        for row in rows
        if row["article_id"].strip()
    ]


@dataclass(frozen=True)
class Report:
    questions: int
    recall_at_1: float
    recall_at_5: float
    mrr: float
    p50_ms: float
    p95_ms: float

    def line(self) -> str:
        return (
            f"recall@1={self.recall_at_1:.3f} recall@5={self.recall_at_5:.3f} mrr={self.mrr:.3f} "
            f"p50_ms={self.p50_ms:.1f} p95_ms={self.p95_ms:.1f}"
        )


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100.0 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def evaluate(index: SearchIndex, questions: Sequence[tuple[str, str]], *, depth: int = 10) -> Report:
    """Ask every (question, expected article id) and score the ranking; MRR counts the top `depth`."""
    r1 = r5 = 0
    rr = 0.0
    latencies: list[float] = []
    for question, expected in questions:
        t0 = time.perf_counter()
        hits = index.search(question, limit=depth)
        latencies.append((time.perf_counter() - t0) * 1000.0)
        ids = [h.id for h in hits]
        if ids[:1] == [expected]:
            r1 += 1
        if expected in ids[:5]:
            r5 += 1
        if expected in ids:
            rr += 1.0 / (ids.index(expected) + 1)
    n = max(len(questions), 1)
    return Report(
        questions=len(questions),
        recall_at_1=r1 / n,
        recall_at_5=r5 / n,
        mrr=rr / n,
        p50_ms=statistics.median(latencies) if latencies else 0.0,
        p95_ms=percentile(latencies, 95),
    )


def evaluate_files(articles: str | Path, questions: str | Path, *, params: Params | None = None) -> Report:
    """Index the articles CSV into a fresh in-memory index and evaluate the questions CSV."""
    docs = documents_from_rows(read_csv(articles, ("article_id", "title", "body")))
    qrows = read_csv(questions, ("question", "article_id"))
    index = SearchIndex(params=params, store_text=True)
    index.add_many(docs)
    return evaluate(index, [(r["question"], r["article_id"].strip()) for r in qrows])
