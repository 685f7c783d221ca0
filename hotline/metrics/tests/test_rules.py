"""Pure rules: red/amber/green, the score and the ranking (hypothesis), the seeded targets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hotline.metrics.departments import DepartmentRow, rank, score
from hotline.metrics.indicators import DEPARTMENT, INDICATORS, Target, figure, status, targets

rates = st.floats(min_value=0, max_value=1, allow_nan=False)


def test_status_bands_for_each_comparison():
    at_least = Target(0.95, ">=", 0.02)
    assert [status(v, at_least) for v in (0.95, 0.94, 0.93, 0.9)] == ["green", "amber", "amber", "red"]
    at_most = Target(2.0, "<=", 0.5)
    assert [status(v, at_most) for v in (2.0, 2.4, 2.6)] == ["green", "amber", "red"]
    below = Target(0.02, "<", 0.01)
    assert [status(v, below) for v in (0.019, 0.02, 0.031)] == ["green", "amber", "red"]
    assert status(None, at_least) == "none" and status(0.5, Target(None, ">=", 0.02)) == "none"


@given(value=rates, target=rates, margin=st.floats(min_value=0, max_value=0.2))
def test_a_better_value_never_gets_a_worse_status(value, target, margin):
    order = {"red": 0, "amber": 1, "green": 2}
    t = Target(target, ">=", margin)
    better = min(1.0, value + 0.01)
    assert order[status(better, t)] >= order[status(value, t)]


@given(st.lists(st.lists(st.one_of(st.none(), rates), min_size=6, max_size=6), min_size=1, max_size=12))
def test_ranking_is_by_score_and_scores_stay_within_0_to_100(values):
    rows = []
    for n, vals in enumerate(values):
        row = DepartmentRow(n, f"单位{n:02d}", f"D{n}")
        for ind, v in zip(DEPARTMENT, vals, strict=True):
            row.figures[ind.key] = figure(ind, v or 0, 1 if v is not None else 0, Target(None, ">=", 0))
        row.score = score(row.figures)
        rows.append(row)
    ranked = rank(rows)
    scored = [r for r in ranked if r.score is not None]
    assert all(0 <= (r.score or 0) <= 100 for r in scored)
    assert [r.score for r in scored] == sorted((r.score for r in scored), reverse=True)
    assert all(r.rank is None for r in ranked[len(scored) :])
    for a, b in zip(scored, scored[1:], strict=False):
        assert (a.rank == b.rank) == (a.score == b.score)


def test_every_indicator_has_a_seeded_target_row(db):
    from hotline.metrics.models import KpiTarget

    assert set(KpiTarget.objects.values_list("key", flat=True)) == set(INDICATORS)
    t = targets()
    assert t["service_level"].target == 0.95 and t["attrition"].comparison == "<"
    assert t["handling_days_other"].target == 4.0


def test_target_service_refuses_bad_values_in_chinese_and_changes_nothing(db):
    import pytest

    from hotline.core.errors import InvalidInput
    from hotline.metrics.models import KpiTarget
    from hotline.metrics.services import kpi_target_set

    cases = [
        ({"key": "nope", "target": 0.9, "comparison": ">=", "amber_margin": 0.02}, "key"),
        ({"key": "satisfaction", "target": 99, "comparison": ">=", "amber_margin": 0.02}, "target"),
        ({"key": "satisfaction", "target": 0.99, "comparison": "=", "amber_margin": 0.02}, "comparison"),
        ({"key": "satisfaction", "target": 0.99, "comparison": ">=", "amber_margin": -1}, "amber_margin"),
        ({"key": "handling_days_other", "target": 0, "comparison": "<=", "amber_margin": 0.5}, "target"),
    ]
    for kwargs, field in cases:
        with pytest.raises(InvalidInput) as e:
            kpi_target_set(**kwargs, by=None)
        assert field in e.value.fields
    assert KpiTarget.objects.get(key="satisfaction").target == 0.99
    row = kpi_target_set(key="handling_days_other", target=3.0, comparison="<=", amber_margin=1.0, by=None)
    assert targets()["handling_days_other"].target == 3.0 == row.target
