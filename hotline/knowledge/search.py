"""The 热线百科 search engine: an in-memory inverted index with field-weighted BM25 and a re-rank.

Pure Python and numpy, no Django: the CLI evaluation, the benchmarks and the live service (through
`hotline.knowledge.index`) all run this code.

- Terms: jieba words (with synonyms expanded at query time), CJK character bigrams, and pinyin
  bigrams of the short fields (see `analysis`). Each kind has its own query weight.
- Scoring: BM25F. Per document and term, the field frequencies are weighted, length-normalised per
  field and saturated once, so a posting carries one precomputed impact; a query adds
  `weight * idf * impact` per matching posting with numpy scatter-adds.
- Storage: immutable segments (sorted term ids, posting starts, doc numbers, float16 impacts) plus
  a small in-Python delta for recent edits; an edit marks the old doc number dead and indexes the
  new version into the delta, so it is searchable at once. Document frequencies count dead
  versions until their segment is merged (as in Lucene), which barely moves idf.
- Re-rank: the best candidates get a bonus for the densest passage that covers the query's
  bigrams (idf-weighted), which favours an article where the asked-about words stand together.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

import numpy as np

from hotline.knowledge.analysis import Analyzer, bigrams, default_analyzer, pinyin_bigrams
from hotline.knowledge.passages import Passages

FIELDS = ("title", "keywords", "qa", "body")
KINDS = ("w", "b", "p")  # words, character bigrams, pinyin bigrams: one vocabulary each
_FIELD_KINDS = [(f, k) for f in FIELDS for k in KINDS]
MAX_QUERY_CHARS = 300  # a pasted page is cut here: the start of a question says what it is about
_NO_DATE = 0
_FOREVER = date.max.toordinal()


@dataclass(frozen=True)
class Params:
    """Tunable weights; the defaults were chosen on half of the development questions."""

    field_weights: Mapping[str, float] = field(
        default_factory=lambda: {"title": 2.0, "keywords": 2.0, "qa": 1.5, "body": 1.0}
    )
    field_b: Mapping[str, float] = field(
        default_factory=lambda: {"title": 0.5, "keywords": 0.3, "qa": 0.6, "body": 0.75}
    )
    k1: float = 1.2
    word_weight: float = 1.0
    synonym_weight: float = 0.8
    bigram_weight: float = 0.5
    pinyin_weight: float = 0.15
    pinyin_fields: tuple[str, ...] = ("title", "keywords", "qa")
    rerank_depth: int = 20
    rerank_weight: float = 1.0
    rerank_window: int = 100
    rerank_terms: int = 16
    segment_postings: int = 2_000_000
    delta_docs: int = 500
    max_segments: int = 24


@dataclass
class Document:
    """One article as the engine sees it: text fields and the attributes filters look at."""

    id: Any
    title: str
    body: str = ""
    keywords: str = ""
    qa: str = ""
    category: int | None = None
    department: int | None = None
    published: bool = True
    public: bool = True
    effective: date | None = None
    expiry: date | None = None
    version: Any = None

    def text(self) -> str:
        return "\n".join(t for t in (self.title, self.keywords, self.qa, self.body) if t)


@dataclass(frozen=True)
class Filters:
    """What a search may return. By default: published articles valid on `valid_on` (if given)."""

    categories: Collection[int] | None = None
    departments: Collection[int] | None = None
    valid_on: date | None = None
    include_unpublished: bool = False
    public_only: bool = False


@dataclass(frozen=True)
class Hit:
    id: Any
    score: float


@dataclass(frozen=True)
class QueryTerms:
    """A query after analysis: the weighted terms of each kind (words include synonyms)."""

    words: dict[str, float]
    bigrams: dict[str, float]
    pinyin: dict[str, float]
    truncated: bool = False

    @property
    def empty(self) -> bool:
        return not (self.words or self.bigrams or self.pinyin)

    def by_kind(self) -> list[tuple[int, dict[str, float]]]:
        return [(0, self.words), (1, self.bigrams), (2, self.pinyin)]


class _Segment:
    __slots__ = ("terms", "starts", "docs", "impacts")

    def __init__(self, tids: np.ndarray, docs: np.ndarray, impacts: np.ndarray) -> None:
        order = np.argsort(tids, kind="stable")
        tids = tids[order].astype(np.int32)
        self.docs = docs[order].astype(np.int32)
        self.impacts = impacts[order].astype(np.float16)
        self.terms, first = np.unique(tids, return_index=True)
        self.starts = np.append(first, len(tids)).astype(np.int64)

    def __len__(self) -> int:
        return len(self.docs)

    def postings(self, tid: int) -> tuple[np.ndarray, np.ndarray] | None:
        # A numpy scalar of the array's dtype: a Python int would make numpy cast the whole array.
        i = int(self.terms.searchsorted(np.int32(tid)))
        if i == len(self.terms) or self.terms[i] != tid:
            return None
        s, e = self.starts[i], self.starts[i + 1]
        return self.docs[s:e], self.impacts[s:e]

    def expanded(self, alive: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(term ids, doc numbers, impacts) of the live postings, for a merge."""
        tids = np.repeat(self.terms, np.diff(self.starts))
        keep = alive[self.docs]
        return tids[keep], self.docs[keep], self.impacts[keep]


class SearchIndex:
    """Index documents, find them again. Not thread-safe: callers serialise writes and reads."""

    def __init__(
        self, *, analyzer: Analyzer | None = None, params: Params | None = None, store_text: bool = False
    ) -> None:
        self.analyzer = analyzer or default_analyzer()
        self.params = params or Params()
        self.store_text = store_text
        # Term id = local id * 3 + kind (0 words, 1 bigrams, 2 pinyin).
        self._vocabs: list[dict[str, int]] = [{}, {}, {}]
        self._df = np.zeros(1024, np.int32)
        self._segments: list[_Segment] = []
        self._delta: dict[int, tuple[array, array]] = {}
        self._delta_count = 0
        self._pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._pending_postings = 0
        self._docno: dict[Any, int] = {}
        self._ids: list[Any] = []
        self._versions: list[Any] = []
        self._texts: list[str | None] = []
        self._n = 0
        self._attrs = {
            "alive": np.zeros(1024, np.bool_),
            "published": np.zeros(1024, np.bool_),
            "public": np.zeros(1024, np.bool_),
            "category": np.full(1024, -1, np.int32),
            "department": np.full(1024, -1, np.int32),
            "effective": np.zeros(1024, np.int32),
            "expiry": np.zeros(1024, np.int32),
        }
        self._len_sum = np.zeros(len(_FIELD_KINDS))
        self._len_docs = 0

    # --- writing ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._docno)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._docno

    def version(self, doc_id: object) -> Any:
        docno = self._docno.get(doc_id)
        return None if docno is None else self._versions[docno]

    def add(self, doc: Document) -> None:
        """Index one document (replacing an earlier version); searchable on return."""
        self._add_batch([doc], to_delta=True)

    def add_many(self, docs: Iterable[Document], *, batch: int = 2000) -> int:
        """Bulk indexing: documents go straight into sealed segments. Returns how many."""
        count = 0
        pending: list[Document] = []
        for doc in docs:
            pending.append(doc)
            if len(pending) >= batch:
                count += self._add_batch(pending, to_delta=False)
                pending = []
        if pending:
            count += self._add_batch(pending, to_delta=False)
        self._seal_pending()
        return count

    def remove(self, doc_id: object) -> bool:
        docno = self._docno.pop(doc_id, None)
        if docno is None:
            return False
        self._attrs["alive"][docno] = False
        self._texts[docno] = None
        return True

    def _add_batch(self, docs: Sequence[Document], *, to_delta: bool) -> int:
        p = self.params
        local_ids = array("i")  # per distinct term of each group: its id in the kind's vocabulary
        tfs = array("i")
        group_len: list[int] = []  # tokens per (document, field, kind) group
        group_size: list[int] = []  # distinct terms per group
        group_doc: list[int] = []
        group_kind: list[int] = []
        for j, doc in enumerate(docs):
            for fi, fname in enumerate(FIELDS):
                text = getattr(doc, fname)
                if not text:
                    continue
                a = self.analyzer.analyze(text)
                kinds = [a.words, bigrams(a.text)]
                if fname in p.pinyin_fields:
                    kinds.append(pinyin_bigrams(a.text))
                for k, tokens in enumerate(kinds):
                    if not tokens:
                        continue
                    counts = Counter(tokens)
                    vocab = self._vocabs[k]
                    keys = list(counts)
                    known = list(map(vocab.get, keys))  # C speed; new terms are rare once warm
                    if None in known:
                        local_ids.extend(
                            [
                                vocab.setdefault(t, len(vocab)) if i is None else i
                                for t, i in zip(keys, known, strict=True)
                            ]
                        )
                    else:
                        local_ids.extend(cast(list[int], known))
                    tfs.extend(counts.values())
                    group_len.append(len(tokens))
                    group_size.append(len(keys))
                    group_doc.append(j)
                    group_kind.append(fi * 3 + k)
        n_terms = self._term_space()
        if n_terms > len(self._df):
            self._df = np.concatenate(
                [self._df, np.zeros(max(n_terms, 2 * len(self._df)) - len(self._df), np.int32)]
            )
        docnos = np.empty(len(docs), np.int32)
        for j, doc in enumerate(docs):
            self.remove(doc.id)
            docnos[j] = self._new_docno(doc)
        if not group_len:
            self._len_docs += len(docs)
            return len(docs)
        tids, doc_of, impacts = self._impacts(
            local_ids, tfs, (group_len, group_size, group_doc, group_kind), len(docs)
        )
        self._df[:n_terms] += np.bincount(tids, minlength=n_terms).astype(np.int32)
        docno_of = docnos[doc_of]
        if to_delta:
            for tid, docno, imp in zip(tids.tolist(), docno_of.tolist(), impacts.tolist(), strict=True):
                slot = self._delta.get(tid)
                if slot is None:
                    slot = self._delta[tid] = (array("i"), array("f"))
                slot[0].append(docno)
                slot[1].append(imp)
            self._delta_count += len(docs)
            if self._delta_count >= p.delta_docs:
                self._seal_delta()
        else:
            self._pending.append((tids.astype(np.int32), docno_of, impacts.astype(np.float32)))
            self._pending_postings += len(tids)
            if self._pending_postings >= p.segment_postings:
                self._seal_pending()
        return len(docs)

    def _impacts(
        self, local_ids: array, tfs: array, groups: tuple[list[int], ...], ndocs: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """BM25F impacts of a batch: (term id, batch-local document, impact) per distinct pair."""
        p = self.params
        group_len, group_size, group_doc, group_kind = (np.array(g, np.int64) for g in groups)
        lens = group_len.astype(np.float64)
        self._len_sum += np.bincount(group_kind, weights=lens, minlength=len(_FIELD_KINDS))
        self._len_docs += ndocs
        avg = np.maximum(self._len_sum / self._len_docs, 1.0)
        weight = np.array([p.field_weights[f] for f, _ in _FIELD_KINDS])[group_kind]
        b = np.array([p.field_b[f] for f, _ in _FIELD_KINDS])[group_kind]
        norm = weight / (1.0 - b + b * lens / avg[group_kind])
        group_of = np.repeat(np.arange(len(lens)), group_size)
        tids = np.frombuffer(local_ids, np.int32).astype(np.int64) * 3 + group_kind[group_of] % 3
        # Sum over a document's fields: the field-weighted, length-normalised term frequency.
        n_terms = self._term_space()
        key = group_doc[group_of] * n_terms + tids
        pairs, inverse = np.unique(key, return_inverse=True)
        x = np.bincount(inverse, weights=np.frombuffer(tfs, np.int32) * norm[group_of])
        impacts = x * (p.k1 + 1.0) / (x + p.k1)
        return pairs % n_terms, pairs // n_terms, impacts

    def _term_space(self) -> int:
        return 3 * max(len(v) for v in self._vocabs) + 3

    def _tid(self, kind: int, term: str) -> int | None:
        local = self._vocabs[kind].get(term)
        return None if local is None else local * 3 + kind

    def _new_docno(self, doc: Document) -> int:
        docno = self._n
        self._n += 1
        if docno >= len(self._attrs["alive"]):
            for key, arr in self._attrs.items():
                self._attrs[key] = np.concatenate(
                    [arr, np.full_like(arr, -1 if key in ("category", "department") else 0)]
                )
        a = self._attrs
        a["alive"][docno] = True
        a["published"][docno] = doc.published
        a["public"][docno] = doc.public
        a["category"][docno] = -1 if doc.category is None else doc.category
        a["department"][docno] = -1 if doc.department is None else doc.department
        a["effective"][docno] = doc.effective.toordinal() if doc.effective else _NO_DATE
        a["expiry"][docno] = doc.expiry.toordinal() if doc.expiry else _FOREVER
        self._docno[doc.id] = docno
        self._ids.append(doc.id)
        self._versions.append(doc.version)
        self._texts.append(doc.text() if self.store_text else None)
        return docno

    def _seal_pending(self) -> None:
        if not self._pending:
            return
        tids = np.concatenate([t for t, _, _ in self._pending])
        docs = np.concatenate([d for _, d, _ in self._pending])
        imps = np.concatenate([i for _, _, i in self._pending])
        self._pending = []
        self._pending_postings = 0
        self._segments.append(_Segment(tids, docs, imps))
        self._merge_small()

    def _seal_delta(self) -> None:
        if not self._delta:
            return
        parts = [
            (np.full(len(d), tid, np.int32), np.frombuffer(d, np.int32), np.frombuffer(i, np.float32))
            for tid, (d, i) in self._delta.items()
        ]
        self._delta = {}
        self._delta_count = 0
        self._segments.append(_Segment(*(np.concatenate(x) for x in zip(*parts, strict=True))))
        self._merge_small()

    def _merge_small(self) -> None:
        """Keep the segment count bounded by merging the smallest ones (never the big bulk ones)."""
        p = self.params
        while len(self._segments) > p.max_segments:
            small = sorted(self._segments, key=len)[:2]
            if sum(len(s) for s in small) > p.segment_postings:
                return
            alive = self._attrs["alive"]
            parts = [s.expanded(alive) for s in small]
            self._segments = [s for s in self._segments if s not in small]
            self._segments.append(_Segment(*(np.concatenate(x) for x in zip(*parts, strict=True))))

    # --- reading ---------------------------------------------------------------------------------

    def query_terms(self, query: str) -> QueryTerms:
        """Analyse a query: question words dropped, synonyms added, over-long input cut."""
        p = self.params
        truncated = len(query) > MAX_QUERY_CHARS
        a = self.analyzer.analyze(query[:MAX_QUERY_CHARS], query=True)
        words = dict.fromkeys(a.words, p.word_weight)
        for word in a.words:
            for syn in self.analyzer.expand(word):
                words.setdefault(syn, p.word_weight * p.synonym_weight)
        grams = dict.fromkeys(bigrams(a.text), p.bigram_weight)
        pinyin = dict.fromkeys(pinyin_bigrams(a.text), p.pinyin_weight) if p.pinyin_weight else {}
        return QueryTerms(words, grams, pinyin, truncated)

    def idf(self, tid: int) -> float:
        n = max(self._n, 1)
        df = min(int(self._df[tid]), n)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def _allowed(self, filters: Filters) -> np.ndarray:
        a = self._attrs
        n = self._n
        mask = a["alive"][:n].copy()
        parts = []
        if not filters.include_unpublished:
            parts.append(a["published"][:n])
        if filters.public_only:
            parts.append(a["public"][:n])
        if filters.categories is not None:
            parts.append(np.isin(a["category"][:n], np.fromiter(filters.categories, np.int32)))
        if filters.departments is not None:
            parts.append(np.isin(a["department"][:n], np.fromiter(filters.departments, np.int32)))
        if filters.valid_on is not None:
            day = filters.valid_on.toordinal()
            parts.append(np.less_equal(a["effective"][:n], day))
            parts.append(np.greater_equal(a["expiry"][:n], day))
        for part in parts:
            np.logical_and(mask, part, out=mask)
        return mask

    def scores(self, terms: QueryTerms) -> np.ndarray:
        """First-stage BM25F score of every doc number (dead ones included; the caller masks)."""
        scores = np.zeros(self._n, np.float32)
        for kind, weights in terms.by_kind():
            for term, weight in weights.items():
                tid = self._tid(kind, term)
                if tid is not None:
                    self._add_scores(scores, tid, weight)
        return scores

    def _add_scores(self, scores: np.ndarray, tid: int, weight: float) -> None:
        w = np.float32(weight * self.idf(tid))
        for seg in self._segments:
            hit = seg.postings(tid)
            if hit is not None:
                scores[hit[0]] += hit[1] * w
        slot = self._delta.get(tid)
        if slot is not None:
            scores[np.frombuffer(slot[0], np.int32)] += np.frombuffer(slot[1], np.float32) * w

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        filters: Filters | None = None,
        texts: Callable[[list[Any]], Mapping[Any, str]] | None = None,
    ) -> list[Hit]:
        """The best `limit` documents for `query` that pass `filters`; [] for an empty query."""
        terms = self.query_terms(query or "")
        if terms.empty or self._n == 0 or limit <= 0:
            return []
        scores = self.scores(terms)
        scores *= self._allowed(filters or Filters())
        depth = max(limit, self.params.rerank_depth)
        cand = np.flatnonzero(scores > 0)
        if len(cand) > depth:
            cand = cand[np.argpartition(-scores[cand], depth - 1)[:depth]]
        ranked = sorted(((float(scores[d]), int(d)) for d in cand), key=lambda x: (-x[0], x[1]))
        ranked = self._rerank(ranked, terms, texts)
        return [Hit(self._ids[d], s) for s, d in ranked[:limit]]

    def _rerank(
        self,
        ranked: list[tuple[float, int]],
        terms: QueryTerms,
        texts: Callable[[list[Any]], Mapping[Any, str]] | None,
    ) -> list[tuple[float, int]]:
        p = self.params
        if not ranked or not p.rerank_weight or not terms.bigrams:
            return ranked
        if self.store_text:
            text_of = {d: self._texts[d] or "" for _, d in ranked}
        elif texts is not None:
            by_id = texts([self._ids[d] for _, d in ranked])
            text_of = {d: by_id.get(self._ids[d], "") for _, d in ranked}
        else:
            return ranked
        qgrams: dict[str, float] = {}
        for g in terms.bigrams:
            tid = self._tid(1, g)
            if tid is not None:
                qgrams[g] = self.idf(tid)
        total = sum(qgrams.values())
        # The rarest bigrams carry the passage score; the common ones only cost time.
        qgrams = dict(sorted(qgrams.items(), key=lambda x: -x[1])[: p.rerank_terms])
        if not total:
            return ranked
        top = ranked[0][0]
        passages = Passages(qgrams)
        out = []
        for s, d in ranked:
            # Bigrams are CJK only, which normalisation leaves alone: the raw text will do.
            cover = passages.best(text_of[d], p.rerank_window)[0] / total
            out.append((s / top + p.rerank_weight * cover, d))
        out.sort(key=lambda x: (-x[0], x[1]))
        return out

    def stats(self) -> dict[str, Any]:
        return {
            "documents": len(self._docno),
            "doc_numbers": self._n,
            "terms": sum(len(v) for v in self._vocabs),
            "segments": len(self._segments),
            "postings": sum(len(s) for s in self._segments),
            "delta_docs": self._delta_count,
        }
