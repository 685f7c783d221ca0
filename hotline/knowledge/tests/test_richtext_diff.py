"""Pure helpers: the sanitiser, the index text of a body, Q&A pairs, the readable diff."""

from __future__ import annotations

from hotline.knowledge.diff import text_diff, version_diff
from hotline.knowledge.richtext import html_text, qa_parse, qa_text, sanitize


def test_sanitize_removes_scripts_handlers_and_unsafe_links_but_keeps_formatting() -> None:
    dirty = (
        '<p onclick="x()">办理<strong>材料</strong></p><script>alert(1)</script>'
        '<a href="javascript:alert(1)">链接</a><a href="https://gov.cn/a">官网</a><img src=x onerror=y>'
        "<style>p{}</style><iframe src=//evil></iframe>"
    )
    clean = sanitize(dirty)
    assert "<strong>材料</strong>" in clean and "<p>" in clean
    for bad in ("script", "onclick", "javascript:", "<img", "onerror", "<style", "<iframe"):
        assert bad not in clean
    assert 'href="https://gov.cn/a"' in clean and "noopener" in clean


def test_plain_text_becomes_escaped_paragraphs() -> None:
    assert sanitize("月收入<3000元可申请\n\n第二段") == "<p>月收入&lt;3000元可申请</p><p>第二段</p>"
    assert sanitize("   ") == ""


def test_html_text_keeps_words_joined_across_inline_tags() -> None:
    assert (
        html_text("<p>住房<strong>公积金</strong>提取</p><ul><li>一</li><li>二</li></ul>")
        == "住房公积金提取\n一\n二"
    )
    assert html_text("纯文本 &amp; 不变") == "纯文本 & 不变"


def test_qa_pairs_round_trip_through_text() -> None:
    pairs = qa_parse("说明文字 问：租房能提取吗？答：可以，每年一次。Q: 要带什么 A: 身份证")
    assert pairs == [{"q": "租房能提取吗？", "a": "可以，每年一次。"}, {"q": "要带什么", "a": "身份证"}]
    assert qa_parse(qa_text(pairs)) == pairs


def test_text_diff_marks_changed_characters_inside_a_sentence() -> None:
    html, added, removed = text_diff("每年可办理一次。材料齐全。", "每年可办理两次。材料齐全。")
    assert "<del>一</del><ins>两</ins>" in html and (added, removed) == (1, 1)
    assert "材料齐全" in html


def test_version_diff_lists_only_changed_fields_and_escapes() -> None:
    old = {"title": "旧标题", "body": "<p>正文</p>", "is_public": False, "qa_pairs": []}
    new = {
        "title": "<b>新</b>标题",
        "body": "<p>正文</p>",
        "is_public": True,
        "qa_pairs": [{"q": "问", "a": "答"}],
    }
    diffs = {d.key: d for d in version_diff(old, new)}
    assert set(diffs) == {"title", "is_public", "qa_pairs"}
    assert "&lt;b&gt;" in diffs["title"].html and "<b>" not in diffs["title"].html
