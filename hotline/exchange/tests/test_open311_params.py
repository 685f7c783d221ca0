"""The pure Open311 parameter rules: window defaults, limits, attributes, scrubbing; fuzzed with hypothesis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.core.errors import InvalidInput
from hotline.exchange.open311.params import attributes_from, request_query, scrub

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_default_window_is_the_last_90_days():
    q = request_query({}, now=NOW, tz=TZ)
    assert q.end == NOW and q.start == NOW - timedelta(days=90)
    assert q.page == 1 and q.page_size == 1000


def test_one_sided_dates_extend_90_days():
    q = request_query({"start_date": "2026-01-01T00:00:00Z"}, now=NOW, tz=TZ)
    assert q.end - q.start == timedelta(days=90)
    q = request_query({"end_date": "2026-06-01"}, now=NOW, tz=TZ)
    assert q.end.tzinfo == TZ and q.end.hour == 23 and q.end - q.start == timedelta(days=90)


def test_offsets_survive_an_unencoded_plus_sign():
    q = request_query(
        {"start_date": "2026-01-01T08:00:00 08:00", "end_date": "2026-01-02T08:00:00+08:00"}, now=NOW, tz=TZ
    )
    assert q.start == datetime(2026, 1, 1, tzinfo=UTC)


def test_ids_override_filters_and_are_deduplicated():
    q = request_query({"service_request_id": "a, b,a,", "status": "bogus"}, now=NOW, tz=TZ)
    assert q.ids == ("a", "b") and q.statuses == ()


def test_page_size_is_capped_at_1000():
    assert request_query({"page_size": "5000"}, now=NOW, tz=TZ).page_size == 1000
    q = request_query({"page": "3", "page_size": "20"}, now=NOW, tz=TZ)
    assert q.offset == 40


def test_attributes_single_and_multi_values():
    items = [
        ("attribute[type]", ["complaint"]),
        ("attribute[tags][]", ["a", "b"]),
        ("attribute[empty]", [" "]),
        ("attribute[]", ["x"]),
        ("other", ["y"]),
    ]
    assert attributes_from(items) == {"type": ["complaint"], "tags": ["a", "b"]}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("电话13912345678", "电话139******78"),
        ("身份证 33010219900101123X", "身份证 330*************3X"),
        ("12号楼3单元", "12号楼3单元"),
    ],
)
def test_scrub_masks_long_numbers(text, expected):
    assert scrub(text) == expected


params = st.dictionaries(
    st.sampled_from(
        ["service_request_id", "service_code", "status", "start_date", "end_date", "page", "page_size", "x"]
    ),
    st.one_of(
        st.text(max_size=40),
        st.sampled_from(["2026-01-01", "open", "closed", "5", "0", "2026-13-01T00:00:00Z"]),
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params)
def test_any_query_either_parses_within_the_limits_or_is_refused_cleanly(p):
    try:
        q = request_query(p, now=NOW, tz=TZ)
    except InvalidInput as exc:
        assert exc.fields and exc.message
        return
    assert 1 <= q.page_size <= 1000 and q.page >= 1
    if not q.ids:
        assert q.start is not None and q.end is not None
        assert timedelta(0) <= q.end - q.start <= timedelta(days=90)
        assert set(q.statuses) <= {"open", "closed"}


@pytest.mark.parametrize("raw", ["²", "³4", "½", "①"])
def test_digit_like_characters_that_int_cannot_read_are_refused_cleanly(raw):
    # str.isdigit() accepts superscripts and circled digits that int() rejects: found by hypothesis.
    with pytest.raises(InvalidInput) as info:
        request_query({"page": raw}, now=NOW, tz=TZ)
    assert "page" in info.value.fields
