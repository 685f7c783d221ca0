"""The pure engine: ranking, synonyms, typos, filters, edits, bad input, snippets."""

from __future__ import annotations

from datetime import date

import pytest

from hotline.knowledge.highlight import highlight, snippet
from hotline.knowledge.search import Document, Filters, SearchIndex

from .samples import ARTICLES, QUESTIONS


def _doc(row: dict[str, str], **attrs: object) -> Document:
    return Document(
        id=row["article_id"], title=row["title"], body=row["body"], keywords=row["keywords"], **attrs
    )


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    ix = SearchIndex(store_text=True)
    ix.add_many(_doc(row) for row in ARTICLES)
    return ix


@pytest.mark.parametrize(("question", "expected"), QUESTIONS)
def test_the_answering_article_ranks_first(index: SearchIndex, question: str, expected: str) -> None:
    assert index.search(question, limit=3)[0].id == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [("煤气泄漏", "rq-aq"), ("医保异地备案", "yb-yd"), ("欠薪投诉", "qx-wq"), ("社保卡补办", "sbk-bb")],
)
def test_synonyms_find_articles_written_with_the_other_wording(
    index: SearchIndex, query: str, expected: str
) -> None:
    # The articles say 燃气/天然气, 基本医疗保险, 拖欠工资, 社会保障卡.
    assert index.search(query, limit=1)[0].id == expected


def test_query_words_expand_to_their_synonyms(index: SearchIndex) -> None:
    terms = index.query_terms("社保卡补办")
    assert "社会保障卡" in terms.words
    assert terms.words["社会保障卡"] < terms.words["社保卡"]


@pytest.mark.parametrize("query", ["公基金提取", "住房公积今提取", "社保咔挂失"])
def test_a_homophone_typo_still_finds_the_article(index: SearchIndex, query: str) -> None:
    assert index.search(query, limit=1)[0].id in {"gjj-tq", "sbk-bb"}


def test_question_words_are_not_search_terms(index: SearchIndex) -> None:
    words = index.query_terms("请问如何办理居住证，需要哪些材料？").words
    assert "居住证" in words
    assert not {"请问", "如何", "哪些", "需要"} & set(words)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "？？？",
        "的了吗",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "😀🎉🙏",
        "公积金" * 3400,
        "\x00\x1f\u200b",
        "a" * 10000,
        "\ud800公积金",
        "Robert'); DROP TABLE knowledge_article;--",
    ],
)
def test_bad_queries_never_raise(index: SearchIndex, query: str) -> None:
    hits = index.search(query, limit=5)
    assert isinstance(hits, list)


def test_a_very_long_query_is_cut_and_still_answers(index: SearchIndex) -> None:
    query = "租房提取住房公积金需要什么材料" + "啊" * 10000
    assert index.query_terms(query).truncated
    assert index.search(query, limit=1)[0].id == "gjj-tq"


def test_unpublished_and_expired_articles_are_filtered_out() -> None:
    ix = SearchIndex()
    gjj, sbk, jzz = ARTICLES[0], ARTICLES[1], ARTICLES[3]
    ix.add(_doc(gjj, published=False))
    ix.add(_doc(sbk, expiry=date(2024, 12, 31)))
    ix.add(_doc(jzz, effective=date(2025, 1, 1)))
    on = Filters(valid_on=date(2025, 6, 1))
    assert ix.search("公积金提取", filters=on) == []
    assert [h.id for h in ix.search("公积金提取", filters=Filters(include_unpublished=True))] == ["gjj-tq"]
    assert ix.search("社保卡挂失", filters=on) == []
    assert [h.id for h in ix.search("居住证申领", filters=on)] == ["jzz"]
    assert ix.search("居住证申领", filters=Filters(valid_on=date(2024, 6, 1))) == []


def test_category_and_department_filters() -> None:
    ix = SearchIndex()
    ix.add(_doc(ARTICLES[0], category=1, department=10))
    ix.add(_doc({**ARTICLES[0], "article_id": "copy"}, category=2, department=20))
    assert [h.id for h in ix.search("公积金", filters=Filters(categories=[2]))] == ["copy"]
    assert [h.id for h in ix.search("公积金", filters=Filters(departments=[10]))] == ["gjj-tq"]
    assert len(ix.search("公积金", filters=Filters(departments=[10, 20]))) == 2


def test_an_edit_is_searchable_at_once_and_the_old_text_is_gone() -> None:
    ix = SearchIndex()
    ix.add_many(_doc(row) for row in ARTICLES)
    ix.add(
        Document(
            id="zs-rm",
            title="夜间施工噪声扰民怎么投诉",
            body="改为向生态环境局的噪声投诉专线反映，号码为八八六六。",
        )
    )
    assert ix.search("八八六六", limit=1)[0].id == "zs-rm"
    assert all(h.id != "zs-rm" for h in ix.search("城管部门到场处理"))
    assert ix.remove("zs-rm")
    assert all(h.id != "zs-rm" for h in ix.search("噪声扰民投诉"))
    assert len(ix) == len(ARTICLES) - 1


def test_many_edits_seal_and_merge_segments_without_losing_documents() -> None:
    from dataclasses import replace

    from hotline.knowledge.search import Params

    ix = SearchIndex(params=replace(Params(), delta_docs=3, max_segments=2))
    for round_ in range(4):
        for row in ARTICLES:
            ix.add(_doc({**row, "body": row["body"] + f"第{round_}版"}))
    assert len(ix) == len(ARTICLES)
    assert ix.stats()["segments"] <= 3
    for question, expected in QUESTIONS:
        assert ix.search(question, limit=1)[0].id == expected


def test_snippet_escapes_html_and_marks_matches(index: SearchIndex) -> None:
    terms = index.query_terms("燃气泄漏")
    text = "<b>注意</b>：燃气泄漏时 <script>alert('x')</script> 请开窗。" + "其他说明。" * 40
    html = snippet(text, terms, width=60)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>燃气泄漏</mark>" in html


def test_highlight_marks_full_width_text_in_place(index: SearchIndex) -> None:
    terms = index.query_terms("12345热线")
    assert highlight("拨打１２３４５热线反映", terms) == "拨打<mark>１２３４５热线</mark>反映"


def test_snippet_picks_the_passage_that_answers(index: SearchIndex) -> None:
    body = "无关的开头内容。" * 30 + "租房提取住房公积金每年可办理一次。" + "无关的结尾内容。" * 30
    html = snippet(body, index.query_terms("租房提取公积金"), width=60)
    assert "<mark>租房提取</mark>" in html or "<mark>租房</mark>" in html
    assert html.startswith("…") and html.endswith("…")
