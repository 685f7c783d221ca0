"""Model versions: training records a version, activation and rollback, the scheduled retraining."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from hotline.assist.models import ModelVersion
from hotline.assist.selectors import dispatch_suggestions, models_active, suggestions_for
from hotline.assist.services import (
    TrainingError,
    dispatch_model_activate,
    dispatch_model_retrain_due,
    dispatch_model_train,
)
from hotline.core.errors import InvalidInput, NotFound
from hotline.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_training_records_an_active_version_with_holdout_metrics_and_progress(data_dir, history):
    said: list[str] = []
    result = dispatch_model_train(seed=1, progress=said.append)
    row = ModelVersion.objects.get(version=result.version)
    assert row.active and row.training_size == 100 and row.labels == 5
    assert 0.0 <= row.metric("macro_f1") <= 1.0 and row.metrics["holdout"]["n"] == 20
    assert Path(row.path).is_file() and Path(row.category_path).is_file()
    assert row.metrics["categories"] == 5
    assert any("留出评测" in m for m in said) and any("已启用" in m for m in said)


def test_no_activate_keeps_the_previous_version_serving(data_dir, history):
    first = dispatch_model_train(seed=1)
    second = dispatch_model_train(seed=2, activate=False)
    assert second.version != first.version
    assert models_active()[0].version == first.version


def test_rollback_activates_an_older_version_and_only_one_is_active(data_dir, history):
    first = dispatch_model_train(seed=1)
    second = dispatch_model_train(seed=2)
    assert models_active()[0].version == second.version
    dispatch_model_activate(version=first.version)
    assert list(ModelVersion.objects.filter(active=True).values_list("version", flat=True)) == [first.version]
    assert dispatch_suggestions(title="化工厂排放废气", content="气味刺鼻")  # the older model serves


def test_activating_an_unknown_version_or_a_missing_file_is_refused(data_dir, history):
    result = dispatch_model_train(seed=1)
    with pytest.raises(NotFound):
        dispatch_model_activate(version="19990101-000000")
    other = dispatch_model_train(seed=2, activate=False)
    Path(ModelVersion.objects.get(version=other.version).path).unlink()
    with pytest.raises(InvalidInput, match="文件已不存在"):
        dispatch_model_activate(version=other.version)
    assert models_active()[0].version == result.version


def test_scheduled_retraining_trains_once_per_period_and_only_on_new_data(data_dir, history):
    first = dispatch_model_retrain_due()
    assert first is not None and first.active
    assert dispatch_model_retrain_due() is None  # ran twice: nothing new
    later = timezone.now() + timedelta(days=8)
    assert dispatch_model_retrain_due(now=later) is None  # due, but the same data
    t = Ticket.objects.first()
    Ticket.objects.filter(pk=t.pk).update(closed_at=timezone.now())
    again = dispatch_model_retrain_due(now=later)
    assert again is not None
    assert ModelVersion.objects.count() == 2
    assert ModelVersion.objects.get(version=again.version).trigger == "schedule"


def test_scheduled_retraining_without_data_does_nothing(data_dir, db):
    assert dispatch_model_retrain_due() is None
    assert not ModelVersion.objects.exists()


def test_too_little_data_is_a_structured_error(data_dir, db):
    with pytest.raises(TrainingError) as exc:
        dispatch_model_train()
    assert exc.value.as_dict()["code"] == "not_enough_data"


def test_no_active_model_gives_no_suggestions_and_no_errors(data_dir, history):
    s = suggestions_for(title="化工厂排放废气", content="气味刺鼻")
    assert s.departments == [] and s.categories == [] and s.version == ""


def test_large_histories_serve_the_holdout_model_instead_of_training_twice(data_dir, history, monkeypatch):
    from hotline.assist.services import training

    monkeypatch.setattr(training, "REUSE_HOLDOUT_MODEL_MIN", 50)
    said: list[str] = []
    dispatch_model_train(seed=1, progress=said.append)
    assert any("直接使用经留出评测的模型" in m for m in said)
    assert not any("在全部" in m for m in said)
    assert dispatch_suggestions(title="化工厂排放废气", content="气味刺鼻")
