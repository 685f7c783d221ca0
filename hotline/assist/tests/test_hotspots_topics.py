"""Hotspot topics: a (category, place) group split by near-duplicate text, labelled by its words; the
database path (keys, samples, the category model for unclassified tickets) agrees with the pure engine."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hotline.assist import hotspots as engine
from hotline.assist.classifier import DispatchClassifier
from hotline.assist.hotspots import Item, even_sample, hotspots_rank, topic_words, topics_split
from hotline.assist.models import ModelVersion
from hotline.assist.services import hotspots_period
from hotline.tickets.models import Category, Ticket
from hotline.tickets.tests.drive import drive
from hotline.tickets.tests.factories import CategoryFactory

from .fixtures import labelled

NOW = datetime(2026, 3, 20, 12, 0)
# Repeat callers: the same report told again with a greeting, other filler, a synonym, a phone number.
PILING = [
    "幸福路工地每天夜里十二点还在打桩，噪音太大根本没法睡觉",
    "您好，幸福路工地每天夜里十二点还在打桩，噪音太大没法睡觉，请尽快处理",
    "幸福路工地夜里十二点还在打桩，噪声太大根本没法睡觉。谢谢！",
    "市长您好，幸福路工地每天夜里还在打桩，噪音太大根本睡不了觉",
    "幸福路工地每天夜里十二点还在打桩，噪音特别大，没法睡觉，电话13912345678",
]
MUSIC = [
    "幸福路酒吧音响声音太大，每晚唱到凌晨两点",
    "您好，幸福路酒吧音响声音太大，每天晚上唱到凌晨两点。",
    "幸福路酒吧音响声音特别大，每晚唱到凌晨两点，请管一管",
    "市长您好，幸福路那家酒吧音响声音太大，每晚唱到凌晨",
]
# One problem in the words of five different callers: too unlike for the shingle similarity.
FREELY = [
    "幸福路广场上跳广场舞的音箱声音太大，晚上十点还不停",
    "您好，幸福路小广场每晚广场舞音乐特别响，老人孩子都休息不了",
    "幸福路广场舞噪音扰民，音箱开到最大，希望限制时间和音量",
    "幸福路那边晚上跳舞的大妈音响太吵了，家里关窗都能听见",
    "投诉幸福路广场舞，每天早上六点就放音乐，吵得没法睡",
]


def _items(texts: list[str], *, days_ago: float, topic: str = "噪声扰民", tag: str = "") -> list[Item]:
    return [
        Item(
            number=f"{tag}{days_ago}-{i}",
            created_at=NOW - timedelta(days=days_ago, minutes=i),
            topic=topic,
            district="东城区",
            address=f"东城区幸福路{i + 1}号",
            text=text,
        )
        for i, text in enumerate(texts)
    ]


def test_two_problems_at_one_place_are_two_topics_each_with_its_own_words():
    ranked = hotspots_rank(_items(PILING, days_ago=1) + _items(MUSIC, days_ago=2), now=NOW, min_count=3)
    assert [(h.topic, h.place, h.count) for h in ranked] == [
        ("噪声扰民", "东城区 幸福路", 5),
        ("噪声扰民", "东城区 幸福路", 4),
    ]
    assert "工地" in ranked[0].words and "酒吧" not in ranked[0].words
    assert "酒吧" in ranked[1].words and "打桩" not in ranked[1].words
    assert "幸福" not in ranked[0].words + ranked[1].words  # the place is shown apart, not as a topic word
    assert ranked[0].label == f"噪声扰民：{ranked[0].words} · 东城区 幸福路"
    assert ranked[0].key != ranked[1].key


def test_the_window_before_counts_against_the_topic_it_resembles():
    items = (
        _items(PILING, days_ago=1)
        + _items(MUSIC, days_ago=2)
        + _items(PILING[:1], days_ago=9, tag="p")  # the construction site was already reported once
        + _items(MUSIC * 2, days_ago=10, tag="p")  # the bar twice as often as now
    )
    ranked = hotspots_rank(items, now=NOW, min_count=3)
    assert [(h.count, h.previous) for h in ranked] == [(5, 1), (4, 8)]
    assert [h.words for h in engine.spikes(ranked, min_count=5, growth=2.0)] == [ranked[0].words]


def test_a_topic_below_the_minimum_is_not_a_hotspot_even_when_its_group_is():
    ranked = hotspots_rank(
        _items(PILING[:2], days_ago=1) + _items(MUSIC, days_ago=1, tag="m"), now=NOW, min_count=3
    )
    assert [h.count for h in ranked] == [4] and "酒吧" in ranked[0].words


def test_split_keeps_rephrasings_together_and_other_problems_apart():
    topics = topics_split(PILING + MUSIC + ["幸福路工地白天扬尘很大，车辆带泥上路"])
    assert topics == [[0, 1, 2, 3, 4], [5, 6, 7, 8], [9]]


def test_freely_worded_reports_of_a_group_stay_one_cluster_without_topic_words():
    ranked = hotspots_rank(
        _items(PILING, days_ago=1) + _items(FREELY, days_ago=2, tag="f"), now=NOW, min_count=3
    )
    topic, mixed = sorted(ranked, key=lambda h: h.mixed)
    assert (topic.count, topic.mixed, "工地" in topic.words) == (5, False, True)
    assert (mixed.count, mixed.mixed, mixed.words, mixed.label) == (5, True, "", "噪声扰民 · 东城区 幸福路")


def test_texts_without_words_to_compare_make_one_topic():
    assert topics_split(["", "您好，请尽快处理，谢谢", "", PILING[0]]) == [[0, 1, 2], [3]]


def test_a_topic_with_no_word_to_name_it_is_counted_in_its_groups_mixed_cluster():
    ranked = hotspots_rank(_items(["", "您好，请尽快处理，谢谢", ""], days_ago=1), now=NOW, min_count=3)
    assert [(h.count, h.mixed, h.label) for h in ranked] == [(3, True, "噪声扰民 · 东城区 幸福路")]
    assert hotspots_rank(_items(["", "", ""], days_ago=1, topic=""), now=NOW, min_count=3) == []


def test_even_sample_spreads_over_the_list():
    assert even_sample(list(range(10)), 5) == [0, 2, 4, 6, 8]
    assert even_sample([1, 2], 5) == [1, 2]


def test_a_group_beyond_the_cap_is_sampled_and_its_counts_are_estimated(monkeypatch):
    monkeypatch.setattr(engine, "TOPIC_CAP", 9)
    monkeypatch.setattr(engine, "PREVIOUS_CAP", 3)
    items = _items(PILING * 2 + MUSIC * 2, days_ago=1) + _items(MUSIC * 3, days_ago=9, tag="p")
    ranked = hotspots_rank(items, now=NOW, min_count=3)
    # 18 tickets, every second one sampled: the counts are scaled back and say they are estimates.
    assert [(h.count, h.previous, h.estimated) for h in ranked] == [(10, 0, True), (8, 12, True)]
    assert "酒吧" in ranked[1].words and all(len(h.numbers) <= 5 for h in ranked)


def test_topic_words_are_what_sets_a_topic_apart_in_its_group():
    piling, music = topic_words([PILING, MUSIC])
    assert piling.startswith("工地") or "打桩" in piling
    assert "噪音" not in music and "酒吧" in music


@pytest.fixture
def noise(db):
    return CategoryFactory(name="噪声扰民", code="ZS", level=3)


def _ticket(city, text: str, *, category, address: str, created_at: datetime) -> Ticket:
    t = drive(
        city, Ticket.Status.PENDING_DISPATCH, title=text[:12], content=text, category=category,
        district=city.district, address=address,
    )  # fmt: skip
    Ticket.objects.filter(pk=t.pk).update(created_at=created_at)
    return t


def _engine_items() -> list[Item]:
    rows = Ticket.objects.exclude(status=Ticket.Status.DRAFT).values_list(
        "number",
        "created_at",
        "category__name",
        "district__name",
        "street__name",
        "address",
        "title",
        "content",
    )
    return [
        Item(number=n, created_at=c, topic=cat or "", district=d or "", street=s or "", address=a or "",
             text=f"{title}\n{content}".strip())
        for n, c, cat, d, s, a, title, content in rows
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_database_path_equals_the_engine_over_every_ticket(city, noise, data_dir):
    lamp = CategoryFactory(name="路灯", code="LD", level=3)
    end = timezone.now().replace(microsecond=0)
    start = end - timedelta(days=7)
    for i, text in enumerate(PILING + MUSIC):
        _ticket(
            city,
            text,
            category=noise,
            address=f"东城区幸福路{i}号",
            created_at=start + timedelta(hours=i + 1),
        )
    for i, text in enumerate(MUSIC[:2] + PILING[:1]):
        _ticket(city, text, category=noise, address="幸福路", created_at=start - timedelta(days=2, hours=i))
    for i in range(3):
        _ticket(
            city,
            "和平小区北门路灯不亮",
            category=lamp,
            address="和平小区",
            created_at=start + timedelta(days=1, hours=i),
        )
    for i in range(3):  # no category yet and no model: counted as 未分类
        _ticket(
            city,
            "光明路井盖丢失很危险",
            category=None,
            address="光明路",
            created_at=start + timedelta(hours=i),
        )
    _ticket(city, PILING[0], category=noise, address="幸福路", created_at=end)  # the next period's
    expected = hotspots_rank(_engine_items(), now=end, window=end - start, min_count=3)
    ranked = hotspots_period(start, end, min_count=3)

    def rows(hs):
        return [(h.label, h.count, h.previous, h.numbers, h.estimated) for h in hs]

    assert rows(ranked) == rows(expected)
    assert [(h.topic, h.place, h.count, h.previous) for h in ranked] == [
        ("噪声扰民", "东城区 幸福路", 5, 1),
        ("噪声扰民", "东城区 幸福路", 4, 2),
        ("未分类", "东城区 光明路", 3, 0),
        ("路灯", "东城区 和平小区", 3, 0),
    ]
    assert rows(hotspots_period(start, end, min_count=3, limit=2)) == rows(expected[:2])


@pytest.mark.django_db
def test_reading_a_period_costs_a_few_queries_and_one_per_group_split(city, noise, data_dir):
    end = timezone.now().replace(microsecond=0)
    for place in ("幸福路", "光明路", "人民大道"):
        for i, text in enumerate(PILING):
            _ticket(city, text.replace("幸福路", place), category=noise, address=place,
                    created_at=end - timedelta(hours=i + 1))  # fmt: skip
    with CaptureQueriesContext(connection) as ctx:
        ranked = hotspots_period(end - timedelta(days=7), end, min_count=3)
    assert len(ranked) == 3
    # two windows of keys, category and department names, the active model, then one read per group
    assert len(ctx.captured_queries) <= 5 + 3


@pytest.mark.django_db
def test_tickets_without_a_category_count_under_the_category_the_model_suggests(city, noise, data_dir):
    codes = {"jtj": "JT", "hbj": "HB", "rsj": "RS", "jyj": "JY", "zjj": "ZJ"}
    air = Category.objects.create(name="工业废气", code="HB", level=3)
    texts, labels = labelled()
    clf = DispatchClassifier().fit(texts, [codes[label] for label in labels], seed=3)
    path = clf.save(data_dir / "models" / "category-test.joblib")
    ModelVersion.objects.create(version="t1", path=str(path), category_path=str(path), active=True)
    end = timezone.now().replace(microsecond=0)
    smell = "化工厂晚上偷偷排放废气，气味刺鼻，附近居民头晕。"
    for i in range(2):
        _ticket(city, smell, category=air, address="幸福路", created_at=end - timedelta(hours=i + 1))
    for i in range(2):
        _ticket(city, smell, category=None, address="幸福路", created_at=end - timedelta(hours=i + 3))
    ranked = hotspots_period(end - timedelta(days=7), end, min_count=3)
    assert [(h.topic, h.count, h.suggested) for h in ranked] == [("工业废气", 4, 2)]


@pytest.mark.django_db
def test_hotspot_page_and_board_panel_show_the_topic_words(client, city, noise, data_dir):
    from hotline.tickets.tests.factories import PASSWORD

    now = timezone.now()
    for i, text in enumerate(PILING):
        _ticket(city, text, category=noise, address="东城区幸福路", created_at=now - timedelta(hours=i + 1))
    words = hotspots_period(now - timedelta(days=7), now + timedelta(seconds=1), min_count=3)[0].words
    assert client.login(username="supervisor", password=PASSWORD)
    page = client.get("/assist/hotspots/").content.decode()
    assert f"<strong>{words}</strong>" in page and "东城区 幸福路" in page
    assert f"<strong>{words}</strong>" in client.get("/assist/hotspots/panel/").content.decode()
