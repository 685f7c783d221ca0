"""Dispatch classifier quality on the shared dev data, with the protocol every variant is measured by.

    python bench/assist_quality.py                                   # ../shared/data/dispatch_dev.csv
    python bench/assist_quality.py --data PATH.csv --seed 0
    python bench/assist_quality.py --curve                           # learning curve instead

Protocol (docs/assist.md, "Classifier quality"): 5-fold stratified cross-validation with a fixed seed,
then a 50/50 stratified split trained both ways (the acceptance set is ~2,900 train / ~2,900 test, so
the halves mimic its size). Prints macro-F1 / top-3 / accuracy of each, training seconds per fit and
the single-message suggestion p95. The data is third-party and stays outside the repository: this
script only reads it (columns `text,label`). No database, no network.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from sklearn.model_selection import StratifiedKFold, train_test_split  # noqa: E402

from hotline.assist.classifier import DispatchClassifier, Metrics, iter_pairs  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "dispatch_dev.csv"


def fit_eval(
    texts: np.ndarray, labels: np.ndarray, tr: np.ndarray, te: np.ndarray, seed: int
) -> tuple[Metrics, float, list[float]]:
    started = time.perf_counter()
    model = DispatchClassifier().fit(list(texts[tr]), list(labels[tr]), seed=seed)
    train_s = time.perf_counter() - started
    metrics = model.evaluate(list(texts[te]), list(labels[te]))
    latencies = []
    for text in texts[te][:200]:
        t0 = time.perf_counter()
        model.predict_top(str(text), k=3)
        latencies.append((time.perf_counter() - t0) * 1000)
    return metrics, train_s, latencies


def pooled(parts: list[Metrics]) -> tuple[float, float, float]:
    """Row-weighted means of the parts (macro-F1 averaged over parts)."""
    n = sum(p.n for p in parts)
    return (
        statistics.fmean(p.macro_f1 for p in parts),
        sum(p.top3 * p.n for p in parts) / n,
        sum(p.accuracy * p.n for p in parts) / n,
    )


def learning_curve(texts: np.ndarray, labels: np.ndarray) -> None:
    """Macro-F1 when training on a sample of each fold's training part; the error's slope per doubling
    is extrapolated to the acceptance set's ~2,900 training rows."""
    sizes, errors = [], []
    for frac in (0.25, 0.5, 0.8):
        n = int(len(texts) * frac)
        scores = []
        for seed in range(3):
            rng = np.random.RandomState(seed)
            for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(texts, labels):
                part = tr if frac >= 0.8 else rng.choice(tr, n, replace=False)
                scores.append(fit_eval(texts, labels, part, te, 0)[0].macro_f1)
        mean = statistics.fmean(scores)
        print(f"train rows {len(part):5d}  macro_f1={mean:.4f} ± {statistics.pstdev(scores):.4f}", flush=True)
        sizes.append(len(part))
        errors.append(1 - mean)
    slope = np.polyfit(np.log(sizes), np.log(errors), 1)[0]  # error ~ rows ** slope
    at = 1 - errors[-1] * (2900 / sizes[-1]) ** slope
    print(f"error per doubling x{2**slope:.3f}; extrapolated macro_f1 at 2,900 training rows: {at:.3f}")
    print(f"SUMMARY assist_quality_curve slope={slope:.3f} f1_at_2900={at:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--curve",
        action="store_true",
        help="learning curve: macro-F1 at 25/50/80 %% of the rows (3 seeds x 5 folds) and a power-law extrapolation",
    )
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"{args.data}: not found (the shared dev data lives outside the repository)")
    with args.data.open(newline="", encoding="utf-8-sig") as fh:
        text_list, label_list = iter_pairs(csv.DictReader(fh))
    texts, labels = np.asarray(text_list, dtype=object), np.asarray(label_list)
    print(f"rows {len(texts)}, labels {len(set(label_list))}", file=sys.stderr)
    if args.curve:
        learning_curve(texts, labels)
        return

    runs: dict[str, list[Metrics]] = {"cv5": [], "half": []}
    train_times: list[float] = []
    latencies: list[float] = []
    folds = StratifiedKFold(5, shuffle=True, random_state=args.seed).split(texts, labels)
    for tr, te in folds:
        m, s, lat = fit_eval(texts, labels, tr, te, args.seed)
        runs["cv5"].append(m)
        train_times.append(s)
        latencies += lat
    a, b = train_test_split(np.arange(len(texts)), test_size=0.5, stratify=labels, random_state=args.seed)
    for tr, te in ((a, b), (b, a)):
        m, s, lat = fit_eval(texts, labels, tr, te, args.seed)
        runs["half"].append(m)
        train_times.append(s)
        latencies += lat

    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    cv_f1, cv_top3, cv_acc = pooled(runs["cv5"])
    h_f1, h_top3, h_acc = pooled(runs["half"])
    print(f"5-fold CV        macro_f1={cv_f1:.4f} top3={cv_top3:.4f} accuracy={cv_acc:.4f}")
    print(f"50/50 both ways  macro_f1={h_f1:.4f} top3={h_top3:.4f} accuracy={h_acc:.4f}")
    print(f"train per fit    {statistics.fmean(train_times):.1f} s; suggestion p95 {p95:.2f} ms")
    print("targets          macro_f1 >= 0.93, top3 >= 0.995")
    print(
        f"SUMMARY assist_quality cv_f1={cv_f1:.4f} cv_top3={cv_top3:.4f} half_f1={h_f1:.4f} "
        f"half_top3={h_top3:.4f} train_s={statistics.fmean(train_times):.1f} p95_ms={p95:.2f}"
    )


if __name__ == "__main__":
    main()
