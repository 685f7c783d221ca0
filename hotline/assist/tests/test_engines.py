"""Duplicate and hotspot engines on constructed cases, and the daily hotspot warning."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from hotline.assist.duplicates import near_duplicates, shingles, similarity
from hotline.assist.hotspots import Item, hotspots_rank, place_of, spikes
from hotline.assist.models import HotspotAlert
from hotline.assist.services import hotspots_detect, hotspots_period
from hotline.tickets.models import Ticket
from hotline.tickets.tests.drive import drive
from hotline.tickets.tests.factories import CategoryFactory

NOISE = "幸福路工地每天夜里十二点还在打桩，噪音太大根本没法睡觉"


def test_rephrased_request_is_a_near_duplicate_and_other_topics_are_not():
    found = near_duplicates(
        "您好，幸福路的工地夜里十二点还在打桩，噪音很大没法睡觉，请尽快处理",
        [(1, NOISE), (2, "公司拖欠三个月工资，老板联系不上"), (3, "光明路工地白天施工扬尘很大")],
    )
    assert [m.key for m in found] == [1]


def test_filler_words_and_numbers_do_not_make_requests_similar():
    a = shingles("您好，我想反映一下，请相关部门尽快处理，谢谢 13912345678")
    b = shingles("您好，我想反映一下，请相关部门尽快处理，谢谢 13800000000")
    assert len(a) < 4 and len(b) < 4
    assert near_duplicates("您好，请尽快处理，谢谢", [(1, "您好，请尽快处理，谢谢")]) == []


def test_similarity_is_symmetric_and_bounded():
    a, b = shingles(NOISE), shingles("幸福路工地夜里打桩")
    assert similarity(a, b) == similarity(b, a)
    assert 0 < similarity(a, b) < 1 and similarity(a, a) == 1.0
    assert similarity(a, frozenset()) == 0.0


NOW = datetime(2026, 3, 20, 12, 0)


LAMP = "光明路路灯连续三晚不亮，晚上走路看不清"


def _items(
    n: int,
    *,
    days_ago: float,
    topic: str = "噪声扰民",
    address: str = "东城区幸福路12号工地",
    text: str = NOISE,
) -> list[Item]:
    return [
        Item(
            number=f"{topic}{address}{days_ago}-{i}",
            created_at=NOW - timedelta(days=days_ago, minutes=i),
            topic=topic,
            district="东城区",
            address=address,
            text=text,
        )
        for i in range(n)
    ]


def test_place_is_the_road_in_the_address_else_the_street_or_district():
    assert place_of(Item("1", NOW, "噪声", district="东城区", address="东城区幸福路12号")) == "东城区 幸福路"
    assert (
        place_of(Item("1", NOW, "噪声", district="东城区", street="东华街道", address="12号")) == "东华街道"
    )
    assert place_of(Item("1", NOW, "噪声", district="东城区")) == "东城区"
    assert place_of(Item("1", NOW, "路灯", district="东城区", address="和平小区5栋")) == "东城区 和平小区"
    assert (
        place_of(Item("1", NOW, "路灯", district="东城区", address="某市东城区金桥社区")) == "东城区 金桥社区"
    )
    assert place_of(Item("1", NOW, "噪声", district="东城区", address="西城区幸福路3号")) == "东城区 幸福路"


def test_hotspots_cluster_by_topic_and_place_and_rank_by_volume_then_growth():
    items = (
        _items(6, days_ago=1)  # 6 this week, 1 before: a spike
        + _items(1, days_ago=10)
        + _items(4, days_ago=2, topic="路灯不亮", address="西城区光明路", text=LAMP)
        + _items(4, days_ago=9, topic="路灯不亮", address="西城区光明路", text=LAMP)
        + _items(2, days_ago=1, topic="占道经营", address="北门市场")  # below min_count
        + _items(5, days_ago=20)  # outside both windows
    )
    ranked = hotspots_rank(items, now=NOW, window=timedelta(days=7), min_count=3)
    assert [(h.topic, h.count, h.previous) for h in ranked] == [("噪声扰民", 6, 1), ("路灯不亮", 4, 4)]
    assert ranked[0].place == "东城区 幸福路" and ranked[0].growth == pytest.approx(3.5)
    assert [h.topic for h in spikes(ranked, min_count=5, growth=2.0)] == ["噪声扰民"]


def test_future_tickets_are_not_hotspots_and_unclassified_ones_count_as_unclassified():
    assert hotspots_rank(_items(5, days_ago=-1), now=NOW, min_count=3) == []
    ranked = hotspots_rank(_items(5, days_ago=1, topic=""), now=NOW, min_count=3)
    assert [(h.topic, h.count) for h in ranked] == [("未分类", 5)]
    texts = [
        NOISE,
        LAMP,
        "公司拖欠三个月工资，老板联系不上",
        "小区门口垃圾三天没人清运",
        "公交车经常晚点半小时",
    ]
    varied = [_items(1, days_ago=1, topic="", text=text)[0] for text in texts]
    assert hotspots_rank(varied, now=NOW, min_count=3) == []  # no topic: 未分类 has no "mixed" cluster


@pytest.mark.django_db
def test_daily_warning_records_each_spike_once(city):
    cat = CategoryFactory(name="噪声扰民", level=3)
    for i in range(6):
        drive(
            city,
            Ticket.Status.PENDING_DISPATCH,
            category=cat,
            district=city.district,
            address=f"幸福路{i}号工地",
            citizen_phone=f"1390000000{i}",
        )
    created = hotspots_detect()
    assert len(created) == 1 and created[0].count == 6
    assert created[0].label.startswith("噪声扰民：") and created[0].label.endswith(" · 东城区 幸福路")
    assert "路灯" in created[0].label  # the topic: drive's default request is about a street lamp
    assert hotspots_detect() == []  # the job ran twice today: nothing new
    assert HotspotAlert.objects.count() == 1
    assert hotspots_detect(now=timezone.now() + timedelta(days=1)) != []  # a new day warns again


def test_the_same_problem_at_another_place_is_not_a_duplicate():
    other_place = NOISE.replace("幸福路", "光明路")
    assert near_duplicates(other_place, [(1, NOISE)]) == []
    assert [m.key for m in near_duplicates("幸福路工地夜里打桩噪音太大没法睡觉", [(1, NOISE)])] == [1]


@pytest.mark.django_db
def test_hotspots_of_a_period_count_that_period_against_the_one_before(city):
    cat = CategoryFactory(name="噪声扰民", level=3)
    start = timezone.now().replace(microsecond=0) - timedelta(days=40)
    end = start + timedelta(days=30)
    # 4 in the period, 1 the period before, 1 exactly at its end (the next period's).
    offsets = [
        timedelta(days=1),
        timedelta(days=10),
        timedelta(days=29),
        timedelta(0),
        -timedelta(days=3),
        end - start,
    ]
    for i, offset in enumerate(offsets):
        t = drive(
            city, Ticket.Status.PENDING_DISPATCH, category=cat, district=city.district, address=f"幸福路{i}号"
        )
        Ticket.objects.filter(pk=t.pk).update(created_at=start + offset)
    ranked = hotspots_period(start, end)
    assert [(h.topic, h.place, h.count, h.previous) for h in ranked] == [("噪声扰民", "东城区 幸福路", 4, 1)]
    assert hotspots_period(start, end, min_count=5) == []
    assert hotspots_period(end, start) == []
