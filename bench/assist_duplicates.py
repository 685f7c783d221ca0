"""Near-duplicate detection at intake: precision and recall on a constructed set.

    python bench/assist_duplicates.py                  # 100 base requests, 3 repeats each, threshold sweep
    python bench/assist_duplicates.py --repeats 5 --seed 2

The set is built from the project's own fixture messages (hotline/assist/tests/fixtures.py, 100 requests
of five departments), each given a place. A *repeat* of a request (a true duplicate) is the same
problem at the same place told again: a greeting or closing added, clauses reordered, a few words
swapped for synonyms, a clause dropped, a phone number added. *Hard negatives* are the same problem
at a different place ("幸福路的工地" vs "光明路的工地"): different tickets that a text-only method
tends to call duplicates, which is why the desks also show same-caller / same-address reasons and
never merge on their own. Every repeat is compared with all base requests; a pair is predicted
when similarity >= threshold. Pure Python, no database, a few seconds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hotline.assist.duplicates import THRESHOLD, places, score, shingles  # noqa: E402
from hotline.assist.tests.fixtures import MESSAGES  # noqa: E402

PLACES = [
    "幸福路",
    "光明路",
    "人民大道",
    "建设路",
    "朝阳小区",
    "胜利街",
    "湖滨花园",
    "团结村",
    "解放路",
    "金桥社区",
]
GREETINGS = ["您好，", "你好，我想反映个问题，", "市长您好，", "喂，你好，", ""]
CLOSINGS = ["请尽快处理。", "希望相关部门管一管。", "谢谢！", "麻烦尽快回复。", ""]
SYNONYMS = [
    ("噪音", "噪声"),
    ("晚上", "夜里"),
    ("很", "特别"),
    ("严重", "厉害"),
    ("没有", "没"),
    ("请", "麻烦"),
    ("经常", "总是"),
    ("太大", "很大"),
    ("希望", "请求"),
    ("公司", "单位"),
]


def base_requests(rng: random.Random) -> list[tuple[str, str]]:
    """(place, text) per fixture message: the place named at the start."""
    out = []
    for messages in MESSAGES.values():
        for text in messages:
            place = rng.choice(PLACES)
            out.append((place, f"{place}附近，{text}"))
    return out


def repeat(text: str, rng: random.Random) -> str:
    """The same request told again by the same or another caller."""
    clauses = [c for c in text.replace("。", "，").split("，") if c]
    if len(clauses) > 2 and rng.random() < 0.5:
        head, rest = clauses[0], clauses[1:]
        rng.shuffle(rest)
        clauses = [head, *rest]
    if len(clauses) > 3 and rng.random() < 0.4:
        clauses.pop(rng.randrange(1, len(clauses)))
    body = "，".join(clauses)
    for a, b in rng.sample(SYNONYMS, 3):
        body = body.replace(a, b)
    phone = f"，电话{rng.randint(13000000000, 13999999999)}" if rng.random() < 0.3 else ""
    return f"{rng.choice(GREETINGS)}{body}{phone}。{rng.choice(CLOSINGS)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="repeats per base request")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    bases = base_requests(rng)
    queries: list[tuple[int, str, bool]] = []  # (base index, text, is a true duplicate)
    for i, (place, text) in enumerate(bases):
        for _ in range(args.repeats):
            queries.append((i, repeat(text, rng), True))
        other = rng.choice([p for p in PLACES if p != place])
        queries.append((i, repeat(text.replace(place, other, 1), rng), False))  # hard negative
    base_signs = [(shingles(t), places(t)) for _, t in bases]

    started = time.perf_counter()
    scores = []  # (score, is_true_pair, is_hard_negative_pair)
    for i, text, true in queries:
        sign, where = shingles(text), places(text)
        for j, (other, other_places) in enumerate(base_signs):
            scores.append((score(sign, where, other, other_places), true and i == j, (not true) and i == j))
    seconds = time.perf_counter() - started
    per_pair_us = seconds / len(scores) * 1e6

    positives = sum(1 for _, t, _ in scores if t)
    print(f"base requests           {len(bases)}  (5 departments, {len(PLACES)} places)")
    print(
        f"queries                 {len(queries)}  ({args.repeats} repeats + 1 same-problem-other-place per base)"
    )
    print(f"pairs compared          {len(scores)}  ({positives} true duplicate pairs)")
    print(f"similarity per pair     {per_pair_us:.1f} µs")
    print()
    print("threshold  precision  recall  precision(excl. other-place)  false+ other-place  false+ unrelated")
    chosen = None
    for th in (0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6):
        tp = sum(1 for s, t, _ in scores if s >= th and t)
        fp_hard = sum(1 for s, t, h in scores if s >= th and h)
        fp_other = sum(1 for s, t, h in scores if s >= th and not t and not h)
        fp = fp_hard + fp_other
        precision = tp / (tp + fp) if tp + fp else 1.0
        precision_easy = tp / (tp + fp_other) if tp + fp_other else 1.0
        recall = tp / positives if positives else 0.0
        mark = "  <- THRESHOLD" if abs(th - THRESHOLD) < 1e-9 else ""
        print(
            f"{th:9.2f}  {precision:9.3f}  {recall:6.3f}  {precision_easy:28.3f}  {fp_hard:18d}  {fp_other:16d}{mark}"
        )
        if mark:
            chosen = (precision, recall, precision_easy)
    true_scores = [s for s, t, _ in scores if t]
    print()
    print(
        f"similarity of true pairs: median {statistics.median(true_scores):.2f}, min {min(true_scores):.2f}"
    )
    assert chosen is not None
    print(
        f"SUMMARY assist_duplicates threshold={THRESHOLD} precision={chosen[0]:.3f} recall={chosen[1]:.3f} "
        f"precision_excl_other_place={chosen[2]:.3f} pair_us={per_pair_us:.1f}"
    )


if __name__ == "__main__":
    main()
