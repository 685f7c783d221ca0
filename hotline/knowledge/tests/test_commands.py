"""`hotline kb import` and `hotline kb evaluate`."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hotline.knowledge.models import Article

from .samples import ARTICLES, write_articles_csv, write_questions_csv

LAST_LINE = re.compile(r"^recall@1=\d\.\d{3} recall@5=\d\.\d{3} mrr=\d\.\d{3} p50_ms=\d+\.\d p95_ms=\d+\.\d$")


def test_evaluate_prints_the_scores_in_the_agreed_last_line(tmp_path) -> None:
    out = StringIO()
    call_command(
        "kb",
        "evaluate",
        "--articles",
        str(write_articles_csv(tmp_path / "a.csv")),
        "--questions",
        str(write_questions_csv(tmp_path / "q.csv")),
        stdout=out,
    )
    last = out.getvalue().strip().splitlines()[-1]
    assert LAST_LINE.match(last), last
    assert last.startswith("recall@1=1.000 recall@5=1.000 mrr=1.000")


def test_evaluate_does_not_touch_the_database(tmp_path) -> None:
    # No database access is allowed here: pytest-django fails the test if the command opens one.
    call_command(
        "kb",
        "evaluate",
        "--articles",
        str(write_articles_csv(tmp_path / "a.csv")),
        "--questions",
        str(write_questions_csv(tmp_path / "q.csv")),
        stdout=StringIO(),
    )


@pytest.mark.parametrize("columns", [("article_id", "title"), ("id", "title", "body")])
def test_evaluate_with_missing_columns_is_a_clear_error(tmp_path, columns) -> None:
    bad = write_articles_csv(tmp_path / "a.csv", columns=columns)
    with pytest.raises(CommandError, match="缺少列"):
        call_command(
            "kb",
            "evaluate",
            "--articles",
            str(bad),
            "--questions",
            str(write_questions_csv(tmp_path / "q.csv")),
        )


def test_evaluate_with_a_missing_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(CommandError, match="文件不存在"):
        call_command(
            "kb", "evaluate", "--articles", str(tmp_path / "none.csv"), "--questions", str(tmp_path / "q.csv")
        )


@pytest.mark.django_db
def test_import_loads_the_articles(tmp_path) -> None:
    out = StringIO()
    call_command("kb", "import", "--articles", str(write_articles_csv(tmp_path / "a.csv")), stdout=out)
    assert f"新增 {len(ARTICLES)} 篇" in out.getvalue()
    assert Article.objects.count() == len(ARTICLES)


@pytest.mark.django_db
def test_import_of_a_non_utf8_file_is_a_clear_error(tmp_path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("article_id,title,body\n1,标题,正文\n".encode("gbk"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("kb", "import", "--articles", str(path))


@pytest.mark.django_db
def test_import_with_missing_columns_is_a_clear_error_and_imports_nothing(tmp_path) -> None:
    bad = write_articles_csv(tmp_path / "a.csv", columns=("article_id", "body"))
    with pytest.raises(CommandError, match="缺少列 title"):
        call_command("kb", "import", "--articles", str(bad))
    assert Article.objects.count() == 0
