"""`hotline assist evaluate|train` and suggestions with or without a model."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command

from hotline.accounts.models import Department
from hotline.assist.models import ModelVersion
from hotline.assist.selectors import dispatch_suggestions, model_latest_path
from hotline.tickets.models import Ticket

from .fixtures import MESSAGES, labelled, split, write_csv

LAST_LINE = re.compile(
    r"^accuracy=\d\.\d{3} macro_f1=\d\.\d{3} top3=\d\.\d{3} train_s=\d+\.\d p95_ms=\d+\.\d$"
)


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("assist", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def csvs(tmp_path):
    (tr_x, tr_y), (te_x, te_y) = split()
    return write_csv(tmp_path / "train.csv", tr_x, tr_y), write_csv(tmp_path / "test.csv", te_x, te_y)


def test_evaluate_ends_with_the_figures_line(csvs):
    train, test = csvs
    lines = run("evaluate", "--train", str(train), "--test", str(test), "--seed", "3").strip().splitlines()
    assert LAST_LINE.match(lines[-1]), lines[-1]
    accuracy = float(lines[-1].split()[0].split("=")[1])
    assert accuracy >= 0.5


def test_evaluate_is_deterministic_apart_from_timings(csvs):
    train, test = csvs
    first = run("evaluate", "--train", str(train), "--test", str(test)).strip().splitlines()[-1]
    second = run("evaluate", "--train", str(train), "--test", str(test)).strip().splitlines()[-1]
    assert first.split()[:3] == second.split()[:3]


def test_evaluate_cross_validates_one_file(tmp_path):
    texts, labels = labelled()
    path = write_csv(tmp_path / "all.csv", texts, labels)
    output = run("evaluate", "--train", str(path), "--cv", "4")
    lines = output.strip().splitlines()
    assert LAST_LINE.match(lines[-1]), lines[-1]
    assert sum("折：" in line for line in lines) == 4


def test_missing_columns_give_a_clear_error(tmp_path, csvs):
    _, test = csvs
    bad = write_csv(tmp_path / "bad.csv", ["公交车晚点"], ["jtj"], header=("内容", "label"))
    with pytest.raises(CommandError, match="缺少列 text"):
        run("evaluate", "--train", str(bad), "--test", str(test))


def test_missing_file_gives_a_clear_error(tmp_path, csvs):
    _, test = csvs
    with pytest.raises(CommandError, match="文件不存在"):
        run("evaluate", "--train", str(tmp_path / "nope.csv"), "--test", str(test))


def test_single_label_training_file_gives_a_clear_error(tmp_path, csvs):
    _, test = csvs
    one = write_csv(tmp_path / "one.csv", MESSAGES["jtj"], ["jtj"] * 20)
    with pytest.raises(CommandError, match="2 个不同的标签"):
        run("evaluate", "--train", str(one), "--test", str(test))


def test_cross_validation_with_too_few_rows_per_label_is_refused(tmp_path):
    path = write_csv(tmp_path / "tiny.csv", ["公交车晚点", "工资拖欠", "噪音扰民"], ["a", "b", "b"])
    with pytest.raises(CommandError, match="无法做 5 折"):
        run("evaluate", "--train", str(path), "--cv", "5")


def test_evaluate_needs_a_test_file_or_cv(csvs):
    train, _ = csvs
    with pytest.raises(CommandError, match="--test"):
        run("evaluate", "--train", str(train))


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


@pytest.mark.django_db
def test_no_model_yet_means_no_suggestions(data_dir):
    assert model_latest_path() is None
    assert dispatch_suggestions(title="公交车晚点", content="12路公交车经常晚点") == []


@pytest.mark.django_db
def test_unreadable_model_file_means_no_suggestions(data_dir):
    (data_dir / "models").mkdir(parents=True)
    bad = data_dir / "models" / "dispatch-20260101-000000.joblib"
    bad.write_bytes(b"not a model")
    ModelVersion.objects.create(version="20260101-000000", path=str(bad), active=True)
    assert dispatch_suggestions(title="公交车晚点") == []


def make_done_tickets() -> None:
    departments = {
        code: Department.objects.create(name=f"单位{code}", code=code, kind=Department.Kind.CITY_BUREAU)
        for code in MESSAGES
    }
    tickets = []
    for i, (text, label) in enumerate(zip(*labelled(), strict=True)):
        title, _, content = text.partition("，")
        tickets.append(
            Ticket(
                number=f"T{i:05d}",
                title=title[:200],
                content=content or title,
                status=Ticket.Status.CLOSED,
                completing_department=departments[label],
            )
        )
    # Open tickets are not training data, whatever department holds them.
    tickets.append(Ticket(number="T99999", title="公交车晚点", content="x", status=Ticket.Status.DISPATCHED))
    Ticket.objects.bulk_create(tickets)


@pytest.mark.django_db
def test_train_saves_a_versioned_model_that_suggests_departments(data_dir):
    make_done_tickets()
    output = run("train", "--seed", "1")
    assert "100 张工单" in output
    assert "5 个办结单位" in output
    path = model_latest_path()
    assert path is not None and path.name.startswith("dispatch-")
    version = ModelVersion.objects.get(active=True)
    assert version.training_size == 100 and version.labels == 5
    assert version.metric("macro_f1") is not None  # hold-out fifth measured
    top = dispatch_suggestions(title="化工厂排放废气", content="晚上气味刺鼻，附近居民头晕")
    assert top[0][0] == "hbj"
    assert len(top) == 3


@pytest.mark.django_db
def test_train_without_done_tickets_is_a_clear_error(data_dir):
    with pytest.raises(CommandError, match="已办结工单不足"):
        run("train")


@pytest.mark.django_db
def test_models_activate_retrain_and_hotspots_commands(data_dir):
    assert "还没有模型版本" in run("models")
    with pytest.raises(CommandError, match="没有版本为"):
        run("activate", "19990101-000000")
    assert "未训练" in run("retrain-due")
    make_done_tickets()
    first = run("train", "--seed", "1", "--no-activate")
    assert "未启用" in first
    version = ModelVersion.objects.get().version
    assert run("activate", version).strip() == f"已启用模型版本 {version}"
    assert f"* {version}" in run("models")
    assert "新增热点预警 0 条" in run("hotspots", "--alert")
