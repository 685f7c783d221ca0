"""Hotspot topics: precision and recall of the text split on two constructed sets; the report's hotspot step.

    python bench/assist_hotspots.py                     # topic split, threshold sweep (pure Python, seconds)
    python bench/assist_hotspots.py --speed             # the monthly report's hotspot step on 50 k tickets
    python bench/assist_hotspots.py --speed --tickets 50000 --data-dir /tmp/hotline-bench-hotspots
    python bench/assist_hotspots.py --speed --pg        # the same on PostgreSQL (database hotline_bench_hotspots)

Topic split. One (category, place) group is what the hotspot engine splits by text. Two constructed sets:
*edited repeats* put 2–6 different problems of one bureau (the project's fixture messages,
hotline/assist/tests/fixtures.py) at one place and tell each 2–8 times the way repeat callers do
(bench/assist_duplicates.py `repeat`: greeting/closing, reordered and dropped clauses, synonyms, phone
numbers), 300 groups; *free re-tellings* are 8 problems at one road (4 noise, 4 city appearance), each
told five times in our own, freely chosen words. The split is scored on pairs of tickets: precision = of
the pairs put in one topic, how many are one problem; recall = of the pairs that are one problem, how many
were put in one topic. Leader clustering (what the engine runs) is compared with single-link over all
pairs at each threshold. Both sets are ours; real calls lie somewhere between them.

Speed. A SQLite database (in --data-dir, kept and reused; with --pg the PostgreSQL database
hotline_bench_hotspots on 127.0.0.1) with --tickets tickets over the last two full
months: 5 categories (one per fixture bureau), 4 districts with 3 streets each, 10 roads; each ticket
is a repeat of a fixture message at a place drawn with a skewed distribution (some places and problems
are hot), 20 % of addresses without a road (the place is then the street), 5 % without a category.
Times `hotline.metrics.reports.data._hotspots` (what the report's 热点诉求 step runs) for the last full
month, --runs times, and prints the top clusters.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from assist_duplicates import PLACES, repeat  # noqa: E402

from hotline.assist.tests.fixtures import MESSAGES  # noqa: E402

DISTRICTS = ["东城区", "西城区", "南湖区", "北山区"]
PG_DB = "hotline_bench_hotspots"


# Free re-tellings: four problems of one category at one road, each told five times in words of our own
# (not edits of one text), as different callers describe the same thing.
FREE = {
    ("噪声", "打桩"): [
        "幸福路工地每天夜里十二点还在打桩，噪音太大根本没法睡觉",
        "您好，幸福路的工地夜里打桩，噪音很大，没法睡觉，请尽快处理",
        "幸福路工地半夜打桩噪音扰民，孩子睡不着觉",
        "市长您好，幸福路工地夜里十二点以后还在打桩，噪音太大",
        "幸福路那个工地晚上打桩到凌晨，噪声太大没法睡觉，谢谢",
    ],
    ("噪声", "酒吧"): [
        "幸福路酒吧音响声音太大，每晚唱到凌晨两点",
        "您好，幸福路那家酒吧音响开得很大，凌晨两点还在唱",
        "幸福路酒吧每晚音响声音太大，唱歌唱到凌晨",
        "幸福路酒吧音响太吵，凌晨两点还在唱歌，请管一管",
        "反映幸福路的酒吧，每天晚上音乐开得震天响，一直到后半夜",
    ],
    ("噪声", "广场舞"): [
        "幸福路广场上跳广场舞的音箱声音太大，晚上十点还不停",
        "您好，幸福路小广场每晚广场舞音乐特别响，老人孩子都休息不了",
        "幸福路广场舞噪音扰民，音箱开到最大，希望限制时间和音量",
        "幸福路那边晚上跳舞的大妈音响太吵了，家里关窗都能听见",
        "投诉幸福路广场舞，每天早上六点就放音乐，吵得没法睡",
    ],
    ("噪声", "空调外机"): [
        "幸福路一家饭店的空调外机对着我家窗户，整夜嗡嗡响",
        "您好，幸福路饭店空调外机噪音很大，晚上根本睡不着",
        "幸福路那个餐馆的空调外机装在居民窗下，24小时轰鸣",
        "反映幸福路饭馆外机噪声，夜里一直响，还往下滴水",
        "幸福路饭店空调外机太吵，能不能让他们移个位置",
    ],
    ("市容", "占道"): [
        "幸福路菜市场门口小贩占道摆摊，车都过不去",
        "您好，幸福路市场外面摊贩把路占了一半，早上特别堵",
        "幸福路农贸市场门口占道经营严重，行人只能走机动车道",
        "幸福路那边卖菜的摊子摆到马路上，希望城管来管管",
        "投诉幸福路市场门口乱摆摊，垃圾也扔一地",
    ],
    ("市容", "垃圾"): [
        "幸福路小区门口垃圾桶满了好几天没人清运，臭气熏天",
        "您好，幸福路那边垃圾站好几天没清理，苍蝇很多",
        "幸福路垃圾堆在路边没人收，夏天味道太大了",
        "反映幸福路垃圾清运不及时，垃圾桶都溢出来了",
        "幸福路的垃圾桶三天没倒，周围全是垃圾袋",
    ],
    ("市容", "广告"): [
        "幸福路电线杆和墙上贴满了小广告，很难看",
        "您好，幸福路楼道和路边到处是牛皮癣小广告",
        "幸福路一带乱贴小广告，刚清理完又贴上了",
        "反映幸福路公交站牌上贴满办证小广告",
        "幸福路墙面小广告泛滥，希望有关部门清理并处罚",
    ],
    ("市容", "共享单车"): [
        "幸福路地铁口共享单车乱停乱放，把盲道都堵了",
        "您好，幸福路路口共享单车堆成一片，行人没法走",
        "幸福路人行道上共享单车停得到处都是",
        "反映幸福路共享单车占用人行道，推婴儿车过不去",
        "幸福路地铁站出口单车堆积，希望企业及时调度清理",
    ],
}


def constructed_groups(rng: random.Random, n_groups: int) -> list[tuple[list[str], list[int]]]:
    """(texts, true topic per text) per group: 2–6 problems of one bureau at one place, 2–8 tellings each."""
    groups = []
    for _ in range(n_groups):
        bureau = rng.choice(list(MESSAGES))
        place = rng.choice(PLACES)
        problems = rng.sample(MESSAGES[bureau], rng.randint(2, 6))
        texts, topics = [], []
        for t, problem in enumerate(problems):
            for _ in range(rng.randint(2, 8)):
                texts.append(repeat(f"{place}附近，{problem}", rng))
                topics.append(t)
        order = list(range(len(texts)))
        rng.shuffle(order)
        groups.append(([texts[i] for i in order], [topics[i] for i in order]))
    return groups


def free_groups(rng: random.Random, repeats: int = 10) -> list[tuple[list[str], list[int]]]:
    """The free re-tellings as groups (one per category), shuffled `repeats` times (leader clustering
    depends on the order)."""
    out = []
    for category in sorted({c for c, _ in FREE}):
        problems = [texts for (c, _), texts in FREE.items() if c == category]
        pairs = [(t, k) for k, texts in enumerate(problems) for t in texts]
        for _ in range(repeats):
            rng.shuffle(pairs)
            out.append(([t for t, _ in pairs], [k for _, k in pairs]))
    return out


def _single_link(texts: list[str], threshold: float) -> list[int]:
    from hotline.assist.duplicates import places, score, shingles

    signs = [(shingles(t), places(t)) for t in texts]
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(texts)):
        for j in range(i):
            if score(signs[i][0], signs[i][1], signs[j][0], signs[j][1]) >= threshold:
                parent[find(i)] = find(j)
    return [find(i) for i in range(len(texts))]


def _leader(texts: list[str], threshold: float) -> list[int]:
    from hotline.assist.hotspots import topics_split

    labels = [0] * len(texts)
    for c, members in enumerate(topics_split(texts, threshold=threshold)):
        for i in members:
            labels[i] = c
    return labels


def _pairs(pred: list[int], true: list[int]) -> tuple[int, int, int]:
    """(pairs predicted together, of them truly together, truly together)."""
    p = tp = t = 0
    for i in range(len(pred)):
        for j in range(i):
            same_p, same_t = pred[i] == pred[j], true[i] == true[j]
            p += same_p
            t += same_t
            tp += same_p and same_t
    return p, tp, t


def topics(args: argparse.Namespace) -> None:
    from hotline.assist.hotspots import TOPIC_THRESHOLD, topic_words

    rng = random.Random(args.seed)
    groups = constructed_groups(rng, args.groups)
    free = free_groups(rng)
    n_texts = sum(len(t) for t, _ in groups)
    print(
        f"edited repeats: {len(groups)} groups, {n_texts} texts (2–6 problems of one bureau at one place, 2–8 tellings each)"
    )
    print(
        f"free re-tellings: {sum(len(v) for v in FREE.values())} texts, {len(FREE)} problems in 2 groups, {len(free)} orders"
    )
    print("pairwise precision / recall        edited repeats                   free re-tellings")
    print("threshold          leader          single-link       leader          single-link")
    chosen = None
    for th in (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
        row = []
        for sets in (groups, free):
            for method in (_leader, _single_link):
                p = tp = t = 0
                for texts, true in sets:
                    a, b, c = _pairs(method(texts, th), true)
                    p, tp, t = p + a, tp + b, t + c
                row.append(((tp / p if p else 1.0), (tp / t if t else 0.0)))
        mark = "  <- TOPIC_THRESHOLD" if abs(th - TOPIC_THRESHOLD) < 1e-9 else ""
        print(f"{th:9.2f}  " + "  ".join(f"{p:6.3f} / {r:5.3f}" for p, r in row) + mark)
        if mark:
            chosen = row
    # Cost of one large group: the per-group cap of texts, all different problems (the leader's worst case).
    big = [
        repeat(f"{rng.choice(PLACES)}附近，{rng.choice(m)}", rng)
        for m in MESSAGES.values()
        for _ in range(100)
    ]
    t0 = time.perf_counter()
    found = _leader(big, TOPIC_THRESHOLD)
    split_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    clusters: dict[int, list[str]] = {}
    for text, c in zip(big, found, strict=True):
        clusters.setdefault(c, []).append(text)
    topic_words(list(clusters.values()))
    label_ms = (time.perf_counter() - t0) * 1000
    print(
        f"one group of {len(big)} texts: split {split_ms:.0f} ms into {len(clusters)} topics, labels {label_ms:.0f} ms"
    )
    print("first groups of the set, their topics and labels:")
    for texts, _ in groups[:4]:
        by: dict[int, list[str]] = {}
        for text, c in zip(texts, _leader(texts, TOPIC_THRESHOLD), strict=True):
            by.setdefault(c, []).append(text)
        for words, members in zip(topic_words(list(by.values())), by.values(), strict=True):
            print(f"  {len(members)} × {words:16s} e.g. {members[0][:44]}")
        print()
    assert chosen is not None
    (ep, er), _, (fp, fr), _ = chosen
    print(
        f"SUMMARY assist_hotspots_topics threshold={TOPIC_THRESHOLD} edited_precision={ep:.3f} edited_recall={er:.3f} "
        f"free_precision={fp:.3f} free_recall={fr:.3f} split_ms_{len(big)}={split_ms:.0f}"
    )


def _generate(n: int, seed: int, first: date, end: date) -> None:
    from hotline.accounts.models import Department
    from hotline.tickets.models import Category, Ticket

    rng = random.Random(seed)
    top = Category.objects.create(name="综合", code="HB", level=1)
    mid = Category.objects.create(name="综合类", code="HB1", level=2, parent=top)
    names = {"jtj": "交通运输", "hbj": "环境污染", "zjj": "住房建设", "scj": "市场监管", "rsj": "人力社保"}
    cats = {
        code: Category.objects.create(name=names.get(code, code), code=f"HB1-{code}", level=3, parent=mid)
        for code in MESSAGES
    }
    districts, streets = [], {}
    for i, name in enumerate(DISTRICTS):
        d = Department.objects.create(name=name, code=f"HBD{i}", kind=Department.Kind.COUNTY)
        districts.append(d)
        streets[d.pk] = [
            Department.objects.create(
                name=f"{name[:2]}{k}街道", code=f"HBD{i}S{k}", kind=Department.Kind.STREET, parent=d
            )
            for k in range(3)
        ]
    span = (
        datetime.combine(end, datetime.min.time()) - datetime.combine(first, datetime.min.time())
    ).total_seconds()
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()), tz)
    bureaus = list(MESSAGES)
    batch = []
    for i in range(n):
        bureau = bureaus[min(int(rng.paretovariate(1.5)) - 1, len(bureaus) - 1)]
        problem = MESSAGES[bureau][min(int(rng.paretovariate(1.2)) - 1, 19)]
        district = districts[rng.randrange(len(districts))]
        street = rng.choice(streets[district.pk])
        place = PLACES[min(int(rng.paretovariate(1.0)) - 1, len(PLACES) - 1)]
        road = rng.random() >= 0.2
        text = repeat(f"{place}附近，{problem}" if road else problem, rng)
        batch.append(
            Ticket(
                number=f"HB{i:08d}",
                status=Ticket.Status.PENDING_DISPATCH,
                title=text[:20],
                content=text,
                category=cats[bureau] if rng.random() >= 0.05 else None,
                district=district,
                street=street,
                address=f"{district.name}{place}{rng.randint(1, 200)}号"
                if road
                else f"{rng.randint(1, 30)}栋",
                created_at=start + timedelta(seconds=rng.random() * span),
            )
        )
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch.clear()
    Ticket.objects.bulk_create(batch)


def speed(args: argparse.Namespace) -> None:
    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    env.update(HOTLINE_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="hotline.settings", LOG_LEVEL="WARNING")
    if args.pg:
        from _common import pg_exists, pg_recreate, pg_url

        if not pg_exists(PG_DB):
            pg_recreate(PG_DB)
        env["DATABASE_URL"] = pg_url(PG_DB)
    os.environ.update(env)
    if not args.pg:
        os.environ.pop("DATABASE_URL", None)
    root = Path(__file__).resolve().parent.parent
    subprocess.run(
        [sys.executable, "-m", "hotline", "migrate", "-v0"], env=env, check=True, timeout=600, cwd=root
    )  # noqa: S603

    import django

    django.setup()
    from hotline.metrics.reports.data import _hotspots, month_period, previous_month
    from hotline.tickets.models import Ticket

    month = previous_month(date.today())
    period = month_period(month)
    if not Ticket.objects.filter(number__startswith="HB").exists():
        t0 = time.perf_counter()
        _generate(
            args.tickets,
            args.seed,
            month_period(previous_month(month)).first,
            period.last + timedelta(days=1),
        )
        print(f"generated {args.tickets:,} tickets in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    in_month = Ticket.objects.filter(created_at__gte=period.start, created_at__lt=period.end).count()
    runs, result = [], {}
    for _ in range(args.runs):
        t0 = time.perf_counter()
        result = _hotspots(period)
        runs.append(time.perf_counter() - t0)
    print(
        f"month {month:%Y-%m}: {in_month:,} tickets (of {Ticket.objects.count():,}); clusters {len(result['clusters'])}"
    )
    for h in result["clusters"][:8]:
        print(f"  {h['count']:5d} (before {h['previous']:5d})  {h['label']}")
    print(f"_hotspots(month) median {statistics.median(runs):.2f} s, max {max(runs):.2f} s, runs {len(runs)}")
    print(
        f"SUMMARY assist_hotspots_speed tickets_month={in_month} hotspots_median_s={statistics.median(runs):.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--speed", action="store_true", help="time the report's hotspot step on a generated database"
    )
    ap.add_argument("--groups", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tickets", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--data-dir", default="/tmp/hotline-bench-hotspots")
    ap.add_argument(
        "--pg", action="store_true", help=f"PostgreSQL database {PG_DB} (kept and reused) instead of SQLite"
    )
    args = ap.parse_args()
    speed(args) if args.speed else topics(args)


if __name__ == "__main__":
    main()
