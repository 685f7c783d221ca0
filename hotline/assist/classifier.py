"""Dispatch-suggestion classifier: request text -> top-k labels (department or category) with probabilities.

A pure engine (no Django): the `assist` commands and services feed it texts and labels and store the
file it saves. The model is linear and small on purpose, so that 100 k tickets train in well under
three minutes on two cores and one suggestion takes about a millisecond:

- Text: NFKC (full-width to half-width), lower case, long digit runs (phone, ID, order numbers)
  masked, whitespace collapsed.
- Features, two TF-IDF blocks with sublinear tf, each L2-normalised: jieba words (rjieba) and
  character 1-2-grams (they survive segmentation errors and the place-name noise of citizens'
  messages). Terms are hashed (2^22 buckets) rather than kept in a vocabulary: counting 100 k
  tickets stays in compact arrays, and the model keeps only the buckets it selected.
- Chi-square selection keeps the `max_features` most label-bound buckets of both blocks; on
  ~2 k labelled messages this gains about a point of macro-F1 over all terms and shrinks the
  model to a few megabytes.
- A one-vs-rest linear SVM (liblinear) with balanced class weights (small departments count as
  much as big ones in macro-F1). Confidences are a softmax of the SVM scores whose temperature is
  fitted on out-of-fold scores (log loss), so they read as probabilities without refitting several
  models. `n_jobs=2` trains the per-class SVMs in two processes: faster, but each holds its own
  liblinear copy of the matrix, so the default is one process (100 k tickets: ~100 s, ~1.3 GB).
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import rjieba
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

FORMAT_VERSION = 1
_DIGITS = re.compile(r"\d{5,}")
_SPACES = re.compile(r"\s+")
_TEMPERATURES = np.geomspace(0.05, 5.0, 41)
# Temperature fitting needs out-of-fold scores; a capped sample keeps it cheap at 100 k tickets.
_CALIBRATION_MAX = 10_000
_HASH_FEATURES = 1 << 22
# Below this many rows, starting worker processes costs more than it saves.
_PARALLEL_MIN_ROWS = 5_000

_jieba: Any = None
_jieba_lock = threading.Lock()


def normalize(text: str) -> str:
    """Text as the features see it: NFKC, lower case, long numbers masked, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _DIGITS.sub("#", text)
    return _SPACES.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """jieba words (precise mode with HMM) of normalised text, without spaces."""
    global _jieba
    with _jieba_lock:
        # rjieba's tokenizer is not documented as thread-safe; web servers predict from threads.
        if _jieba is None:
            _jieba = rjieba.Jieba()
        tokens = _jieba.cut(text, True)
    return [t for t in tokens if not t.isspace()]


@dataclass(frozen=True)
class Metrics:
    """Quality of predictions against true labels."""

    accuracy: float
    macro_f1: float
    top3: float
    n: int


def metrics_compute(true: Sequence[str], ranked: Sequence[Sequence[str]]) -> Metrics:
    """Accuracy and macro-F1 of the first label, and how often the true label is among the first three."""
    if not true:
        return Metrics(accuracy=0.0, macro_f1=0.0, top3=0.0, n=0)
    first = [r[0] if r else "" for r in ranked]
    top3 = sum(t in r[:3] for t, r in zip(true, ranked, strict=True)) / len(true)
    return Metrics(
        accuracy=float(accuracy_score(true, first)),
        macro_f1=float(f1_score(true, first, average="macro", zero_division=0)),
        top3=float(top3),
        n=len(true),
    )


@dataclass
class _Block:
    """One TF-IDF block over kept hash buckets: counts -> sublinear tf * idf -> L2 -> weight."""

    hasher: HashingVectorizer
    buckets: np.ndarray  # sorted hash buckets kept as features
    idf: np.ndarray
    weight: float

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return _tfidf(_select(self.hasher.transform(texts), self.buckets), self.idf, self.weight)


def _hasher(analyzer: Any, ngrams: tuple[int, int] = (1, 1)) -> HashingVectorizer:
    # Hashing instead of a vocabulary: counting 100 k tickets stays in compact int32 arrays (a
    # vocabulary's Python lists of ints took gigabytes), and the model keeps only the chosen buckets.
    return HashingVectorizer(
        analyzer=analyzer,
        ngram_range=ngrams,
        lowercase=False,
        n_features=_HASH_FEATURES,
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    )


def _select(x: sp.csr_matrix, buckets: np.ndarray) -> sp.csr_matrix:
    """The columns `buckets` (sorted) of `x`, as a matrix with len(buckets) columns."""
    x = sp.csr_matrix(x)
    x.sort_indices()
    pos = np.searchsorted(buckets, x.indices)
    pos[pos == len(buckets)] = 0
    hit = buckets[pos] == x.indices if len(buckets) else np.zeros(len(x.indices), dtype=bool)
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    indptr = np.zeros(x.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows[hit], minlength=x.shape[0]), out=indptr[1:])
    return sp.csr_matrix((x.data[hit], pos[hit].astype(np.int32), indptr), shape=(x.shape[0], len(buckets)))


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray, weight: float) -> sp.csr_matrix:
    x = sp.csr_matrix(counts, dtype=np.float64, copy=True)
    np.log(x.data, out=x.data)
    x.data += 1.0
    x.data *= idf[x.indices]
    norms = np.sqrt(np.bincount(np.repeat(np.arange(x.shape[0]), np.diff(x.indptr)), x.data**2, x.shape[0]))
    norms[norms == 0] = 1.0
    x.data *= np.repeat(weight / norms, np.diff(x.indptr))
    return x


def _chi2(x: sp.csr_matrix, y_onehot: sp.csr_matrix) -> np.ndarray:
    """Chi-square of every column against the classes (as sklearn's chi2), in column chunks to bound memory."""
    observed = sp.csc_matrix(y_onehot.T @ x)
    class_prob = np.asarray(y_onehot.mean(axis=0)).ravel()[:, None]
    feature_count = np.asarray(x.sum(axis=0)).ravel()
    out = np.zeros(x.shape[1])
    step = max(1, 4_000_000 // max(1, len(class_prob)))
    for a in range(0, x.shape[1], step):
        b = min(a + step, x.shape[1])
        expected = class_prob * feature_count[a:b]
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = (observed[:, a:b].toarray() - expected) ** 2 / expected
        out[a:b] = np.nan_to_num(terms, nan=0.0, posinf=0.0).sum(axis=0)
    return out


def _binary_svm(x: sp.csr_matrix, positive: np.ndarray, weight: float, c: float, seed: int) -> np.ndarray:
    """One class against the rest; its weight on the class, 1 on the rest (as liblinear's multi-class)."""
    svm = LinearSVC(C=c, class_weight={1: weight, 0: 1.0}, random_state=seed, max_iter=2000)
    svm.fit(x, positive.astype(np.int8))
    return np.append(svm.coef_.ravel(), svm.intercept_[0])


def _ovr_svm(
    x: sp.csr_matrix, y: np.ndarray, classes: list[str], c: float, seed: int, n_jobs: int
) -> tuple[np.ndarray, np.ndarray]:
    """Linear SVM per class with balanced class weights: (coef features x classes, intercepts)."""
    if len(classes) == 2:
        svm = LinearSVC(C=c, class_weight="balanced", random_state=seed, max_iter=2000).fit(x, y)
        # One score for the second class; make it one column per class.
        coef = np.column_stack([-svm.coef_.ravel(), svm.coef_.ravel()]) / 2
        return coef, np.array([-svm.intercept_[0], svm.intercept_[0]]) / 2
    counts = {cls: int(np.sum(y == cls)) for cls in classes}
    weights = {cls: len(y) / (len(classes) * counts[cls]) for cls in classes}
    jobs = [delayed(_binary_svm)(x, y == cls, weights[cls], c, seed) for cls in classes]
    # liblinear holds the GIL: two cores need two processes (the matrix is memory-mapped, not copied).
    workers = n_jobs if x.shape[0] >= _PARALLEL_MIN_ROWS else 1
    rows = Parallel(n_jobs=workers)(jobs)
    stacked = np.vstack(rows)
    return np.ascontiguousarray(stacked[:, :-1].T), stacked[:, -1].copy()


class DispatchClassifier:
    """Suggests labels for a request text; `fit` it, then `predict_top`; `save`/`load` to a file."""

    def __init__(
        self,
        *,
        max_features: int = 8000,
        c: float = 1.0,
        word_weight: float = 1.0,
        char_weight: float = 1.0,
        min_df: int = 2,
        n_jobs: int = 1,
    ) -> None:
        self.max_features = max_features
        self.c = c
        self.word_weight = word_weight
        self.char_weight = char_weight
        self.min_df = min_df
        self.n_jobs = n_jobs
        self.classes: list[str] = []
        self.temperature = 1.0
        self.seed = 0
        self.n_train = 0
        self._blocks: list[_Block] = []
        self._coef: np.ndarray | None = None
        self._intercept: np.ndarray | None = None

    @property
    def is_fitted(self) -> bool:
        return self._coef is not None

    # --- training ------------------------------------------------------------------------------

    def fit(self, texts: Sequence[str], labels: Sequence[str], seed: int = 0) -> DispatchClassifier:
        """Train on `texts` with `labels` (at least two distinct); same data and seed, same model."""
        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        y = np.asarray([str(label) for label in labels])
        classes = sorted(set(y.tolist()))
        if len(classes) < 2:
            raise ValueError("need at least two distinct labels to train")
        self.seed = seed
        norm = [normalize(t) for t in texts]
        index = {cls: i for i, cls in enumerate(classes)}
        onehot = sp.csr_matrix(
            (np.ones(len(y)), ([index[v] for v in y], np.arange(len(y)))), shape=(len(classes), len(y))
        ).T.tocsr()

        # Per block: counts over buckets seen in >= min_df texts, their idf, and chi-square scores.
        specs = [(_hasher(words), self.word_weight), (_hasher("char", (1, 2)), self.char_weight)]
        found = []
        for hasher, weight in specs:
            counts = sp.csr_matrix(hasher.transform(norm))
            df = np.bincount(counts.indices, minlength=_HASH_FEATURES)
            buckets = np.flatnonzero(df >= min(self.min_df, len(y)))
            counts = _select(counts, buckets)
            idf = np.log((1.0 + len(y)) / (1.0 + df[buckets])) + 1.0
            scores = _chi2(_tfidf(counts, idf, weight), onehot)
            found.append((hasher, weight, buckets, counts, idf, scores))

        # The max_features best columns over all blocks; a stable sort on (-score, position) breaks ties
        # the same way on every run.
        all_scores = np.concatenate([f[5] for f in found])
        keep = np.sort(np.argsort(-all_scores, kind="stable")[: self.max_features])
        self._blocks, matrices, offset = [], [], 0
        for hasher, weight, buckets, counts, idf, _ in found:
            local = keep[(keep >= offset) & (keep < offset + len(buckets))] - offset
            offset += len(buckets)
            if not len(local):
                continue
            block = _Block(hasher=hasher, buckets=buckets[local], idf=idf[local], weight=weight)
            self._blocks.append(block)
            matrices.append(_tfidf(counts[:, local], block.idf, weight))
        del found
        x = sp.hstack(matrices, format="csr")

        self.classes = classes
        self._coef, self._intercept = _ovr_svm(x, y, classes, self.c, seed, self.n_jobs)
        self.temperature = self._fit_temperature(x, y, seed)
        self.n_train = len(y)
        return self

    def _fit_temperature(self, x: sp.csr_matrix, y: np.ndarray, seed: int) -> float:
        """Softmax temperature minimising log loss on out-of-fold SVM scores."""
        rng = np.random.RandomState(seed)
        rows = np.arange(len(y))
        if len(rows) > _CALIBRATION_MAX:
            rows = np.sort(rng.choice(rows, _CALIBRATION_MAX, replace=False))
        ys = y[rows]
        _, counts = np.unique(ys, return_counts=True)
        folds = int(min(3, counts.min()))
        if folds < 2 or len(counts) < len(self.classes):
            return 1.0
        scores = np.zeros((len(rows), len(self.classes)))
        splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
        for tr, te in splitter.split(rows, ys):
            coef, intercept = _ovr_svm(x[rows[tr]], ys[tr], self.classes, self.c, seed, self.n_jobs)
            scores[te] = x[rows[te]] @ coef + intercept
        index = {c: i for i, c in enumerate(self.classes)}
        true = np.array([index[c] for c in ys])
        best, best_loss = 1.0, math.inf
        for t in _TEMPERATURES:
            p = _softmax(scores / t)
            loss = -float(np.mean(np.log(p[np.arange(len(true)), true] + 1e-12)))
            if loss < best_loss:
                best, best_loss = float(t), loss
        return best

    # --- prediction ----------------------------------------------------------------------------

    def _features(self, texts: Sequence[str]) -> sp.csr_matrix:
        norm = [normalize(t) for t in texts]
        return sp.hstack([b.transform(norm) for b in self._blocks], format="csr")

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of every class (columns in `classes` order) for each text."""
        if self._coef is None or self._intercept is None:
            raise RuntimeError("model is not trained")
        scores = self._features(texts) @ self._coef + self._intercept
        return _softmax(np.asarray(scores) / self.temperature)

    def predict_top_many(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        """For each text, up to `k` (label, probability) pairs, most probable first."""
        if not self.is_fitted or not texts:
            return [[] for _ in texts]
        probs = self.probabilities(texts)
        # Stable descending order: equal probabilities keep class order, so results are reproducible.
        order = np.argsort(-probs, axis=1, kind="stable")[:, : max(k, 0)]
        return [
            [(self.classes[j], float(row[j])) for j in idx] for row, idx in zip(probs, order, strict=True)
        ]

    def predict_top(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """Up to `k` (label, probability) pairs for one text; none when the model is untrained or text empty."""
        if not self.is_fitted or not (text or "").strip():
            return []
        return self.predict_top_many([text], k)[0]

    def evaluate(self, texts: Sequence[str], labels: Sequence[str]) -> Metrics:
        """Metrics of this model's suggestions on labelled texts."""
        ranked = [[label for label, _ in top] for top in self.predict_top_many(texts, 3)]
        return metrics_compute([str(label) for label in labels], ranked)

    # --- persistence ---------------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        """Write the model to `path` (joblib, compressed); returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        joblib.dump({"format": FORMAT_VERSION, "model": self}, tmp, compress=3)
        tmp.replace(path)  # readers never see a half-written model
        return path

    @classmethod
    def load(cls, path: str | Path) -> DispatchClassifier:
        """Read a model written by `save`."""
        data = joblib.load(Path(path))
        if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
            raise ValueError(f"{path}: not a dispatch model of format {FORMAT_VERSION}")
        model = data["model"]
        if not isinstance(model, cls):
            raise ValueError(f"{path}: not a dispatch model")
        return model


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def cross_validate(
    texts: Sequence[str], labels: Sequence[str], *, folds: int = 5, seed: int = 0, **params: Any
) -> list[Metrics]:
    """Stratified k-fold metrics of fresh models (one per fold)."""
    y = np.asarray([str(label) for label in labels])
    x = np.asarray(list(texts), dtype=object)
    out = []
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y):
        model = DispatchClassifier(**params).fit(list(x[tr]), list(y[tr]), seed=seed)
        out.append(model.evaluate(list(x[te]), list(y[te])))
    return out


def iter_pairs(rows: Iterable[dict[str, str]]) -> tuple[list[str], list[str]]:
    """(texts, labels) of CSV rows with `text` and `label`; rows with an empty text or label are skipped."""
    texts, labels = [], []
    for row in rows:
        text, label = (row.get("text") or "").strip(), (row.get("label") or "").strip()
        if text and label:
            texts.append(text)
            labels.append(label)
    return texts, labels
