"""Hotspots (热点): recent tickets grouped by topic and place, ranked by volume and growth (a pure engine).

A group is (category, place): place is the road, estate or village named in the address (within its
district), else its street or district. Inside a group the request texts are split into topics: leader
clustering on the near-duplicate engine's shingle similarity (`duplicates.score`), so one construction
site's night work and a bar's loud music on the same road are two noise hotspots, each labelled with its
most characteristic words ("噪声扰民：夜间施工噪音 · 东城区 幸福路"). Tickets of the window before are
counted against the topic they resemble. A group's tickets that form no topic of `min_count` stay one
cluster without topic words when they are `min_count` or more (`Hotspot.mixed`: what the whole group was
before topics), except in 未分类, where tickets of no common topic have nothing in common. A spike is a cluster whose count reaches `min_count` and is at least `growth` times the
previous window's (smoothed by one, so a brand-new topic of 5 counts as 6×).

Bounded: a group is split on at most `TOPIC_CAP` texts of the window (and matched with `PREVIOUS_CAP`
of the window before), spread evenly over the window (`even_sample`). A larger group's topic counts are
estimates: the sample's counts scaled to the group's full count (`Hotspot.estimated`, shown with "约").
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

PLACE_PATTERN = _PLACE = re.compile(
    r"([\u4e00-\u9fa5]{1,10}?(?:大道|大街|路|街|巷|弄|小区|花园|苑|村|社区|广场|市场|公园|工地))"
)
_DISTRICT_PREFIX = re.compile(r"^.*?(?:省|市)?[\u4e00-\u9fa5]{1,6}?(?:(?<![小社])区|县)")

# Two texts of one group are one topic at this similarity (bench/assist_hotspots.py, pairwise: 0.998 /
# 0.994 precision / recall on edited repeats, 1.000 / 0.072 on free re-tellings; 0.25 gave 0.979 / 0.997
# and 1.000 / 0.116). Freely worded reports stay in their group's `mixed` cluster.
TOPIC_THRESHOLD = 0.3
# Texts of one group and window that are split; a larger group is sampled evenly and its counts scaled
# (300 keeps the report's hotspot step near a second on a skewed 25 k-ticket month: bench/assist_hotspots.py).
TOPIC_CAP = 300
# The window before is only matched against the topics found, so half as many of its texts suffice.
PREVIOUS_CAP = TOPIC_CAP // 2
# A topic is compared with its first few texts (the leader and the next ones), not with all of them.
TOPIC_REFS = 3
# Texts a label is drawn from: per topic, and four times as many of the rest of its group.
LABEL_TEXTS = 30
UNCLASSIFIED = "未分类"

_WORD = re.compile(r"^[\u4e00-\u9fa5]{2,}$")
# Words too common in requests to say what one is about.
_STOP = frozenset((
    "您好", "你好", "请问", "谢谢", "希望", "尽快", "处理", "相关", "部门", "相关部门", "反映", "一下",
    "我们", "我家", "我想", "市民", "来电", "现在", "一直", "已经", "没有", "问题", "情况", "这个", "那个",
    "就是", "还是", "什么", "怎么", "为什么", "可以", "能够", "是否", "麻烦", "回复", "请求", "要求",
    "投诉", "举报", "建议", "咨询", "附近", "这里", "那里", "目前", "每天", "经常", "总是", "特别", "非常",
    "严重", "厉害", "很多", "多次", "不能", "不是", "管一管", "市长", "电话", "联系", "有关", "单位",
))  # fmt: skip
# Part-of-speech tags (jieba's) of words that never label a topic: adverbs, pronouns, prepositions,
# conjunctions, particles, numerals, measure words, locatives, punctuation, interjections.
_FUNCTION_POS = ("d", "ad", "r", "p", "c", "u", "m", "q", "f", "x", "e", "y", "o")
_NOUN_POS = ("n", "vn", "l", "i", "j", "t")
_VERB_WEIGHT = 0.6
_jieba = None
_jieba_lock = threading.Lock()
T = TypeVar("T")


@dataclass(frozen=True)
class Item:
    number: str
    created_at: datetime
    topic: str  # category name, or "" when unclassified
    district: str = ""
    street: str = ""
    address: str = ""
    text: str = ""
    suggested: bool = False  # the category is the model's suggestion (the ticket has none yet)


@dataclass
class Hotspot:
    key: str
    topic: str
    place: str
    count: int = 0
    previous: int = 0
    numbers: list[str] = field(default_factory=list)
    words: str = ""  # the topic's characteristic words
    suggested: int = 0  # tickets (of the sample) counted under a category the model suggested
    estimated: bool = False  # the group had more than TOPIC_CAP tickets: counts are scaled from a sample
    mixed: bool = False  # the group's tickets that are no topic of `min_count` (no topic words)

    @property
    def growth(self) -> float:
        return (self.count + 1) / (self.previous + 1)

    @property
    def label(self) -> str:
        head = f"{self.topic}：{self.words}" if self.words else self.topic
        return f"{head} · {self.place}" if self.place else head


@dataclass
class Group:
    """One (category, place) of a period: a sample of its texts per window and its full counts."""

    topic: str
    place: str
    current: list[Item] = field(default_factory=list)  # at most TOPIC_CAP, spread over the window
    previous: list[Item] = field(default_factory=list)
    count: int = 0  # all tickets of the window, also those not in the sample
    count_previous: int = 0


def place_of(item: Item) -> str:
    """The narrowest place the ticket names: a road or estate in its address, else its street or district."""
    address = unicodedata.normalize("NFKC", item.address or "").replace(" ", "")
    # "某市东城区幸福路" names the ticket's district before the road: cut there, else at any district name
    # ("西城区幸福路" typed for an 东城区 ticket), but "和平小区" and "金桥社区" are places, not districts.
    at = address.find(item.district) if item.district else -1
    if at >= 0:
        address = address[at + len(item.district) :]
    elif item.district:
        address = _DISTRICT_PREFIX.sub("", address, count=1)
    m = _PLACE.search(address)
    if m:
        return f"{item.district} {m.group(1)}".strip()
    return item.street or item.district


Sign = tuple[frozenset[str], frozenset[str]]  # (shingles, places) of a text


def _sign(text: str) -> Sign:
    from hotline.assist.duplicates import places, shingles

    return shingles(text), places(text)


class _Refs:
    """Each topic's first `refs` texts, and the union of their shingles to skip hopeless comparisons."""

    def __init__(self, threshold: float, refs: int) -> None:
        self.threshold, self.refs = threshold, refs
        self.signs: list[list[Sign]] = []
        self.unions: list[set[str]] = []
        self.blank = -1  # texts with nothing to compare (empty, or filler only) make one topic together

    def add(self, topic: int, sign: Sign) -> None:
        if topic == len(self.signs):
            self.signs.append([])
            self.unions.append(set())
        if not sign[0] and self.blank < 0:
            self.blank = topic
        if len(self.signs[topic]) < self.refs:
            self.signs[topic].append(sign)
            self.unions[topic] |= sign[0]

    def best(self, sign: Sign) -> int:
        """The topic with the most similar reference text at or above the threshold, else -1."""
        from hotline.assist.duplicates import score

        shingles, where = sign
        if not shingles:
            return self.blank
        # Jaccard(a, b) >= t needs |a & b| >= t * |a|; a & b lies within a & (union of the topic's refs).
        need = self.threshold * len(shingles)
        best, best_score = -1, self.threshold
        for t, union in enumerate(self.unions):
            if len(shingles & union) < need:
                continue
            s = max(score(shingles, where, other, other_where) for other, other_where in self.signs[t])
            if s >= best_score:
                best, best_score = t, s
        return best


def topics_split(
    texts: Sequence[str], *, threshold: float = TOPIC_THRESHOLD, refs: int = TOPIC_REFS
) -> list[list[int]]:
    """Indexes of `texts` per topic, in order of first appearance: each text joins the topic it is most
    similar to (compared with the topic's first `refs` texts) when that reaches `threshold`, else starts one."""
    topics: list[list[int]] = []
    index = _Refs(threshold, refs)
    for i, text in enumerate(texts):
        sign = _sign(text)
        t = index.best(sign)
        if t < 0:
            t = len(topics)
            topics.append([])
        topics[t].append(i)
        index.add(t, sign)
    return topics


def _assign(texts: Sequence[str], topics_texts: Sequence[Sequence[str]], threshold: float) -> list[int]:
    """For each text, the topic (index) its most similar reference text belongs to, or -1 below `threshold`."""
    index = _Refs(threshold, TOPIC_REFS)
    for t, ts in enumerate(topics_texts):
        for text in ts[:TOPIC_REFS]:
            index.add(t, _sign(text))
    return [index.best(_sign(text)) for text in texts]


def _tagged(text: str) -> list[tuple[str, str]]:
    global _jieba
    import rjieba

    with _jieba_lock:  # rjieba's tokenizer is not documented as thread-safe; the board renders in threads
        if _jieba is None:
            _jieba = rjieba.Jieba()
        return list(_jieba.tag(unicodedata.normalize("NFKC", text or ""), True))


def _words(text: str) -> tuple[list[str], set[str], set[str]]:
    """(all tokens, the ones that may label a topic: two or more Chinese characters, no function word;
    of those, the nouns, which name a problem better than verbs and adjectives do)."""
    tagged = _tagged(text)
    keep = {
        w
        for w, pos in tagged
        if _WORD.match(w) and w not in _STOP and not pos.startswith(_FUNCTION_POS) and not w.endswith("部门")
    }
    nouns = {w for w, pos in tagged if w in keep and pos.startswith(_NOUN_POS)}
    return [w for w, _ in tagged], keep, nouns


def topic_words(
    topics: Sequence[Sequence[str]], *, background: Sequence[str] = (), top: int = 3
) -> list[str]:
    """A short label per topic: its most characteristic words against the other topics' texts and
    `background` (the rest of its group), in the order they appear in the topic's text that has most of them."""
    topics = [even_sample(texts, LABEL_TEXTS) for texts in topics]
    background = even_sample(background, 4 * LABEL_TEXTS)
    docs = [[_words(t) for t in texts] for texts in topics]
    df: Counter[str] = Counter(w for d in docs for _, keep, _ in d for w in keep)
    df.update(w for t in background for w in _words(t)[1])
    n = sum(len(d) for d in docs) + len(background)
    labels = []
    for texts, doc in zip(topics, docs, strict=True):
        where = {m.group(1) for t in texts for m in _PLACE.finditer(unicodedata.normalize("NFKC", t))}
        cdf: Counter[str] = Counter(w for _, keep, _ in doc for w in keep if not any(w in p for p in where))
        nouns = {w for _, _, ns in doc for w in ns}
        need = max(1, math.ceil(len(doc) / 3))  # a label word is in at least a third of the topic's texts
        ranked = sorted(
            (w for w, c in cdf.items() if c >= need),
            key=lambda w: (
                -cdf[w]
                / len(doc)
                * (math.log((n + 1) / (df[w] + 1)) + 1)
                * (1 if w in nouns else _VERB_WEIGHT),
                w,
            ),
        )[:top]
        chosen = set(ranked)
        rep = max(range(len(doc)), key=lambda i: (len(chosen & doc[i][1]), -i)) if doc else 0
        parts: list[str] = []
        last = -2
        for pos, w in enumerate(doc[rep][0] if doc else []):
            if w in chosen:
                parts.append(("" if pos == last + 1 or not parts else " ") + w)
                chosen.discard(w)
                last = pos
        labels.append("".join(parts) + "".join(sorted(chosen)))
    return labels


def even_sample(items: Sequence[T], cap: int) -> list[T]:
    """At most `cap` of `items` (in time order), evenly spaced, so a late burst is not over-represented."""
    if len(items) <= cap:
        return list(items)
    step = len(items) / cap
    return [items[int(k * step)] for k in range(cap)]


def group_topics(group: Group, *, min_count: int, threshold: float = TOPIC_THRESHOLD) -> list[Hotspot]:
    """The group's topics with at least `min_count` tickets in the window, with their previous counts; the
    group's other tickets, when they are `min_count` or more, as one more cluster without topic words (what
    the group was before topics: freely worded reports of one problem often fall below the similarity
    threshold, and a hotspot must not vanish because its callers used different words)."""
    current = sorted(group.current, key=_in_time)  # the first report of a problem leads its topic
    scale = group.count / len(current) if current else 0.0
    scale_previous = group.count_previous / len(group.previous) if group.previous else 0.0
    split = topics_split([it.text for it in current], threshold=threshold)
    texts = [[current[i].text for i in members] for members in split]
    # A topic of a sampled group needs a few sampled texts, not one text scaled up.
    kept = [
        k for k, m in enumerate(split) if round(len(m) * scale) >= min_count and len(m) >= min(min_count, 3)
    ]
    others = [k for k in range(len(split)) if k not in set(kept)]
    previous = [it.text for it in group.previous]
    matched = Counter(_assign(previous, [texts[k] for k in kept], threshold) if kept else {-1: len(previous)})
    words = topic_words([texts[k] for k in kept], background=[t for k in others for t in texts[k]])
    clusters, rest, rest_before = [], [i for k in others for i in split[k]], matched.get(-1, 0)
    for j, k in enumerate(kept):
        if words[j]:
            clusters.append(([current[i] for i in split[k]], words[j], matched.get(j, 0)))
        else:  # a topic with no word to name it (texts of filler only) is no topic to show
            rest, rest_before = rest + split[k], rest_before + matched.get(j, 0)
    if group.topic != UNCLASSIFIED:  # without a category, tickets that share no topic share nothing
        clusters.append(([current[i] for i in rest], "", rest_before))
    out = []
    for members, label, before in clusters:
        if round(len(members) * scale) < min_count:
            continue
        out.append(
            Hotspot(
                key=f"{group.topic}|{group.place}|{label}",
                topic=group.topic,
                place=group.place,
                count=round(len(members) * scale),
                previous=round(before * scale_previous),
                numbers=[it.number for it in sorted(members, key=_in_time, reverse=True)],
                words=label,
                suggested=sum(it.suggested for it in members),
                estimated=len(current) < group.count or len(group.previous) < group.count_previous,
                mixed=not label,
            )
        )
    return out


def _in_time(it: Item) -> tuple[datetime, str]:
    return (it.created_at, it.number)


def hotspot_order(h: Hotspot) -> tuple[int, float, str]:
    return (-h.count, -h.growth, h.key)


def groups_of(items: Iterable[Item], *, start: datetime, end: datetime) -> list[Group]:
    """Items created in [start − (end − start), end) by (category, place), sampled as the database path does."""
    prev_start = start - (end - start)
    groups: dict[tuple[str, str], Group] = {}
    for it in sorted(items, key=_in_time):
        if it.created_at < prev_start or it.created_at >= end:
            continue
        topic, place = it.topic or UNCLASSIFIED, place_of(it)
        g = groups.setdefault((topic, place), Group(topic=topic, place=place))
        (g.current if it.created_at >= start else g.previous).append(it)
    for g in groups.values():
        g.count, g.count_previous = len(g.current), len(g.previous)
        g.current, g.previous = even_sample(g.current, TOPIC_CAP), even_sample(g.previous, PREVIOUS_CAP)
    return list(groups.values())


def hotspots_rank(
    items: Iterable[Item],
    *,
    now: datetime,
    window: timedelta = timedelta(days=7),
    min_count: int = 3,
) -> list[Hotspot]:
    """Topics with at least `min_count` tickets in [now − window, now), by count then growth."""
    out = [
        h
        for g in groups_of(items, start=now - window, end=now)
        if g.count >= min_count
        for h in group_topics(g, min_count=min_count)
    ]
    return sorted(out, key=hotspot_order)


def spikes(hotspots: Iterable[Hotspot], *, min_count: int = 5, growth: float = 2.0) -> list[Hotspot]:
    """The hotspots that warrant an early warning."""
    return [h for h in hotspots if h.count >= min_count and h.growth >= growth]
