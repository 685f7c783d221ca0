"""Article text: sanitising rich text, its plain text for the search index, and question-answer pairs.

Pure functions (no Django). Bodies are stored as sanitised HTML; a body typed or imported as plain
text becomes escaped paragraphs, so every stored body is safe to show as it is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

import nh3

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "mark",
        "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "pre", "code", "hr",
        "table", "thead", "tbody", "tr", "th", "td", "caption", "a",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

_TAG = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?|/[a-zA-Z][a-zA-Z0-9]*\s*|!--.*?--)>", re.S)
_BLOCK = re.compile(r"</?(?:p|div|br|li|h[1-6]|tr|ul|ol|table|blockquote|pre|hr|caption)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>")
_CELL = re.compile(r"</?t[dh]\b[^>]*>", re.I)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\n\s*\n+")


def looks_like_html(text: str) -> bool:
    """True if the text has at least one tag (a bare "<" in "收入<3000元" is not one)."""
    return bool(_TAG.search(text or ""))


def text_to_html(text: str) -> str:
    """Plain text as escaped paragraphs: a blank line starts a paragraph, a newline is a <br>."""
    paragraphs = [p.strip() for p in _LINES.split((text or "").replace("\r\n", "\n")) if p.strip()]
    return "".join("<p>" + html.escape(p, quote=False).replace("\n", "<br>") + "</p>" for p in paragraphs)


def sanitize(text: str) -> str:
    """Safe HTML for an article body: allowed tags only, no scripts, styles or event handlers."""
    text = (text or "").strip()
    if not text:
        return ""
    if not looks_like_html(text):
        return text_to_html(text)
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def html_text(body: str) -> str:
    """The readable text of a stored body: block tags become line breaks, inline tags vanish.

    Inline tags must not leave a space behind: 住房<strong>公积金</strong> stays one word for jieba.
    """
    if "<" not in body and "&" not in body:
        return body
    text = _CELL.sub(" ", body)
    text = _BLOCK.sub("\n", text)
    text = _ANY_TAG.sub("", text)
    text = html.unescape(text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# --- Question-answer pairs ----------------------------------------------------------------------

_QA_MARK = re.compile(r"(问|答|Q|A)\s*[:：]", re.I)


def qa_text(pairs: Iterable[dict[str, str]]) -> str:
    """Pairs as the text the index reads and people can edit in one box."""
    return "\n".join(f"问：{p['q'].strip()}\n答：{p['a'].strip()}" for p in pairs if p.get("q", "").strip())


def qa_parse(text: str) -> list[dict[str, str]]:
    """ "问：… 答：…" text (Q:/A: also accepted) as pairs; text before the first 问 is ignored."""
    pairs: list[dict[str, str]] = []
    marks = list(_QA_MARK.finditer(text or ""))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        chunk = " ".join(text[m.end() : end].split())
        if m.group(1) in ("问", "Q", "q"):
            pairs.append({"q": chunk, "a": ""})
        elif pairs and not pairs[-1]["a"]:
            pairs[-1]["a"] = chunk
    return [p for p in pairs if p["q"]]


def qa_clean(pairs: Sequence[dict[str, object]]) -> list[dict[str, str]]:
    """Pairs with their text trimmed; pairs without a question are dropped."""
    out = []
    for p in pairs:
        q = " ".join(str(p.get("q", "") or "").split())[:500]
        a = str(p.get("a", "") or "").strip()[:5000]
        if q:
            out.append({"q": q, "a": a})
    return out
