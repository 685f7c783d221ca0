"""Database side: import, default search rules, edits reaching the process index, bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from hotline.knowledge.csvfiles import CsvFormatError
from hotline.knowledge.index import PROCESS_INDEX
from hotline.knowledge.models import Article, ArticleChange
from hotline.knowledge.selectors import articles_search
from hotline.knowledge.services import (
    article_act,
    article_create,
    article_delete,
    article_update,
    articles_import_csv,
)
from hotline.tickets.tests.factories import CategoryFactory, DepartmentFactory

from .samples import ARTICLES, QUESTIONS, write_articles_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(tmp_path):
    return articles_import_csv(path=write_articles_csv(tmp_path / "a.csv"))


def _ids(results) -> list[str | None]:
    return [r.article.external_id for r in results.results]


def test_import_creates_published_articles_and_logs_changes(imported) -> None:
    assert (imported.created, imported.updated, imported.skipped) == (len(ARTICLES), 0, 0)
    assert Article.objects.filter(status=Article.Status.PUBLISHED).count() == len(ARTICLES)
    assert ArticleChange.objects.count() == len(ARTICLES)


def test_reimport_updates_by_article_id(tmp_path, imported) -> None:
    rows = [{**ARTICLES[0], "body": "新的正文：公积金提取改为即时到账。"}]
    result = articles_import_csv(path=write_articles_csv(tmp_path / "b.csv", rows))
    assert (result.created, result.updated) == (0, 1)
    article = Article.objects.get(external_id="gjj-tq")
    assert article.version == 2 and "即时到账" in article.body


def test_import_with_missing_columns_is_a_clear_error(tmp_path) -> None:
    path = write_articles_csv(tmp_path / "bad.csv", columns=("article_id", "title"))
    with pytest.raises(CsvFormatError, match="缺少列 body"):
        articles_import_csv(path=path)


def test_import_skips_rows_without_id_or_text(tmp_path) -> None:
    rows = [
        {"article_id": "", "title": "无编号", "body": "正文"},
        {"article_id": "x", "title": " ", "body": " "},
    ]
    result = articles_import_csv(path=write_articles_csv(tmp_path / "c.csv", rows))
    assert (result.created, result.skipped) == (0, 2)


@pytest.mark.parametrize(("question", "expected"), QUESTIONS[:4])
def test_search_finds_the_answering_article(imported, question: str, expected: str) -> None:
    results = articles_search(query=question)
    assert _ids(results)[0] == expected
    assert "<mark>" in results.results[0].snippet_html + results.results[0].title_html


def test_drafts_withdrawn_and_expired_articles_are_hidden_by_default() -> None:
    today = timezone.localdate()
    article_create(title="公积金提取草稿", body="公积金提取的草稿说明。")
    article_create(title="公积金提取已撤回", body="公积金提取旧办法。", status=Article.Status.WITHDRAWN)
    article_create(
        title="公积金提取旧规",
        body="公积金提取已失效的办法。",
        status=Article.Status.PUBLISHED,
        expires_on=today - timedelta(days=1),
    )
    live = article_create(
        title="公积金提取现行办法",
        body="公积金提取按本办法办理。",
        status=Article.Status.PUBLISHED,
        effective_from=today - timedelta(days=30),
    )
    assert [r.article.pk for r in articles_search(query="公积金提取").results] == [live.pk]
    assert (
        len(articles_search(query="公积金提取", include_unpublished=True, include_expired=True).results) == 4
    )


def test_category_and_department_filters_apply() -> None:
    dept = DepartmentFactory()
    cat = CategoryFactory()
    a = article_create(
        title="燃气安全", body="燃气泄漏处置。", status="published", department=dept, category=cat
    )
    article_create(title="燃气缴费", body="燃气费缴纳。", status="published")
    assert [r.article.pk for r in articles_search(query="燃气", departments=[dept.pk]).results] == [a.pk]
    assert [r.article.pk for r in articles_search(query="燃气", categories=[cat.pk]).results] == [a.pk]


def test_an_edit_is_searchable_on_the_next_search(imported) -> None:
    assert _ids(articles_search(query="燃气泄漏"))[0] == "rq-aq"  # builds the process index
    article = Article.objects.get(external_id="rq-aq")
    article_update(article=article, body="新规定：发现可燃气体报警器鸣响，请拨打九六七七七抢修专线。")
    assert _ids(articles_search(query="九六七七七"))[0] == "rq-aq"
    article_act(article=article, by=None, action="expire")
    assert "rq-aq" not in _ids(articles_search(query="九六七七七"))


def test_a_deleted_article_leaves_the_index(imported) -> None:
    articles_search(query="居住证")
    article_delete(article=Article.objects.get(external_id="jzz"))
    assert "jzz" not in _ids(articles_search(query="居住证申领"))


def test_a_change_committed_late_with_a_lower_id_is_still_applied(imported) -> None:
    articles_search(query="居住证")
    last = PROCESS_INDEX.last_change
    other = Article.objects.get(external_id="gjj-tq")
    # A fast transaction commits change last+2 while a slow one still holds last+1.
    ArticleChange.objects.create(id=last + 2, article_id=other.pk)
    articles_search(query="居住证")
    assert last + 1 in PROCESS_INDEX.gaps
    article = Article.objects.get(external_id="jzz")
    Article.objects.filter(pk=article.pk).update(body="居住证改为线上申领，编号七七八八。", version=9)
    ArticleChange.objects.create(id=last + 1, article_id=article.pk)
    assert _ids(articles_search(query="七七八八"))[0] == "jzz"
    # (Other gaps may remain on PostgreSQL: sequences are not rolled back with earlier tests.)
    assert last + 1 not in PROCESS_INDEX.gaps


def test_a_gap_that_never_fills_is_forgotten(imported, monkeypatch) -> None:
    import hotline.knowledge.index as index_module

    articles_search(query="居住证")
    last = PROCESS_INDEX.last_change
    ArticleChange.objects.create(id=last + 2, article_id=Article.objects.first().pk)
    articles_search(query="居住证")
    assert last + 1 in PROCESS_INDEX.gaps
    monkeypatch.setattr(index_module, "REPLAY_WINDOW", timedelta(seconds=0))
    ArticleChange.objects.create(id=last + 3, article_id=Article.objects.first().pk)
    articles_search(query="居住证")
    assert not PROCESS_INDEX.gaps


def test_many_changes_trigger_a_rebuild(imported, monkeypatch) -> None:
    import hotline.knowledge.index as index_module

    articles_search(query="居住证")
    monkeypatch.setattr(index_module, "REBUILD_ABOVE", 2)
    for row in Article.objects.all()[:3]:
        article_update(article=row, keywords=row.keywords + " 重建测试词")
    engine_before = PROCESS_INDEX.engine
    assert len(articles_search(query="重建测试词").results) == 3
    assert PROCESS_INDEX.engine is not engine_before


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "请输入"),
        ("   ", "请输入"),
        ("？！。", "没有可查找"),
        ("居住证" * 4000, "问题过长"),
        ("<script>alert(1)</script>", "没有找到"),
        ("' OR 1=1 --", "没有找到"),
        ("😀🙏", "没有可查找"),
    ],
)
def test_bad_queries_get_a_message_not_an_error(imported, query: str, message: str) -> None:
    results = articles_search(query=query)
    assert message in results.message


def test_html_in_an_article_is_escaped_in_results() -> None:
    article_create(
        title="<img src=x onerror=alert(1)>燃气", body="<script>燃气</script>说明", status="published"
    )
    result = articles_search(query="燃气").results[0]
    assert "<img" not in result.title_html and "&lt;img" in result.title_html
    # The body was sanitised on save: the script and its text are gone, the rest stays.
    assert "script" not in result.snippet_html and "说明" in result.snippet_html


def test_an_expiry_before_the_effective_date_is_rejected() -> None:
    from hotline.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        article_create(title="x", body="y", effective_from=date(2025, 2, 1), expires_on=date(2025, 1, 1))
    assert "expires_on" in exc.value.fields
