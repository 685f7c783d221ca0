"""The dispatch classifier engine on project-written messages."""

from __future__ import annotations

import pytest

from hotline.assist.classifier import DispatchClassifier, metrics_compute, normalize

from .fixtures import labelled, split


@pytest.fixture(scope="module")
def trained() -> DispatchClassifier:
    (texts, labels), _ = split()
    return DispatchClassifier().fit(texts, labels, seed=7)


def test_same_data_and_seed_give_identical_suggestions(trained):
    (texts, labels), (test_texts, _) = split()
    again = DispatchClassifier().fit(texts, labels, seed=7)
    for text in test_texts:
        assert again.predict_top(text) == trained.predict_top(text)
    assert again.temperature == trained.temperature


def test_suggestions_are_sorted_and_probabilities_sum_to_at_most_one(trained):
    _, (test_texts, _) = split()
    for text in test_texts:
        top = trained.predict_top(text, k=3)
        assert len(top) == 3
        probs = [p for _, p in top]
        assert probs == sorted(probs, reverse=True)
        assert all(0.0 <= p <= 1.0 for p in probs)
        assert sum(probs) <= 1.0 + 1e-9
        assert len({label for label, _ in top}) == 3


def test_all_classes_probabilities_sum_to_one(trained):
    probs = trained.probabilities(["公交车晚点严重"])
    assert probs.shape == (1, 5)
    assert probs.sum() == pytest.approx(1.0)


def test_model_learns_unseen_fixture_messages(trained):
    _, (test_texts, test_labels) = split()
    metrics = trained.evaluate(test_texts, test_labels)
    assert metrics.n == 25
    assert metrics.accuracy >= 0.5  # chance is 0.2; 15 short messages per label
    assert metrics.top3 >= 0.9


def test_clear_topics_go_to_their_department(trained):
    assert trained.predict_top("工地晚上施工噪音扰民，请环保部门处理")[0][0] == "hbj"
    assert trained.predict_top("公司拖欠工资三个月不发")[0][0] == "rsj"


def test_untrained_model_suggests_nothing():
    model = DispatchClassifier()
    assert not model.is_fitted
    assert model.predict_top("公交车晚点") == []
    assert model.predict_top_many(["公交车晚点", "工资拖欠"]) == [[], []]


def test_empty_text_gets_no_suggestions(trained):
    assert trained.predict_top("") == []
    assert trained.predict_top("   ") == []


def test_text_with_no_known_terms_still_gets_ranked_suggestions(trained):
    top = trained.predict_top("zzzz qqqq")
    assert len(top) == 3


def test_k_limits_the_suggestions(trained):
    assert len(trained.predict_top("小区物业乱收费", k=1)) == 1
    assert len(trained.predict_top("小区物业乱收费", k=10)) == 5


def test_saved_model_loads_with_identical_suggestions(trained, tmp_path):
    path = trained.save(tmp_path / "models" / "m.joblib")
    loaded = DispatchClassifier.load(path)
    assert loaded.classes == trained.classes
    assert loaded.predict_top("学校乱收资料费") == trained.predict_top("学校乱收资料费")


def test_loading_something_else_is_refused(tmp_path):
    import joblib

    path = tmp_path / "other.joblib"
    joblib.dump({"hello": 1}, path)
    with pytest.raises(ValueError):
        DispatchClassifier.load(path)


def test_one_label_is_refused():
    with pytest.raises(ValueError, match="two distinct labels"):
        DispatchClassifier().fit(["公交车晚点", "出租车绕路"], ["jtj", "jtj"])


def test_two_labels_train_and_rank_both():
    texts, labels = labelled()
    pairs = [(t, label) for t, label in zip(texts, labels, strict=True) if label in {"jtj", "hbj"}]
    model = DispatchClassifier().fit([t for t, _ in pairs], [label for _, label in pairs], seed=1)
    top = model.predict_top("化工厂排放废气污染空气")
    assert [label for label, _ in top] == ["hbj", "jtj"]
    assert sum(p for _, p in top) == pytest.approx(1.0)


def test_normalize_masks_long_numbers_and_folds_width():
    assert normalize("电话１３９１２３４５６７８，ＡＢＣ  路") == "电话#,abc 路"


def test_metrics_count_first_choice_and_top_three():
    m = metrics_compute(["a", "b", "c", "a"], [["a", "b"], ["a", "b"], ["a", "b", "c"], []])
    assert m.accuracy == pytest.approx(0.25)
    assert m.top3 == pytest.approx(0.75)
    assert m.n == 4
