"""A readable diff between two versions of an article: field by field, words marked in place.

Pure (no Django). Chinese has no spaces, so text is compared by sentence first (。！？；and line
breaks) and the changed sentences by character; the result is escaped HTML with <del> and <ins>.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hotline.knowledge.richtext import html_text, qa_text

_SENTENCE = re.compile(r"(?<=[。！？；!?;\n])")

# (snapshot key, label) in the order a person reads an article.
FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "标题"),
    ("category", "诉求分类"),
    ("department", "责任单位"),
    ("keywords", "关键词"),
    ("synonyms", "同义词"),
    ("tags", "标签"),
    ("effective_from", "生效日期"),
    ("expires_on", "失效日期"),
    ("is_public", "对市民公开"),
    ("body", "正文"),
    ("qa_pairs", "问答对"),
    ("attachments", "附件"),
)


@dataclass(frozen=True)
class FieldDiff:
    key: str
    label: str
    html: str  # escaped, with <del>/<ins>
    added: int  # characters
    removed: int


def _display(key: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if key == "body":
        return html_text(str(value))
    if key == "qa_pairs":
        return qa_text(value or [])
    if key == "is_public":
        return "是" if value else "否"
    if key == "attachments":
        return "、".join(str(v) for v in value)
    return str(value)


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text) if s]


def _chars(a: str, b: str) -> tuple[str, int, int]:
    out: list[str] = []
    added = removed = 0
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            out.append(html.escape(a[i1:i2]))
            continue
        if i2 > i1:
            out.append(f"<del>{html.escape(a[i1:i2])}</del>")
            removed += i2 - i1
        if j2 > j1:
            out.append(f"<ins>{html.escape(b[j1:j2])}</ins>")
            added += j2 - j1
    return "".join(out), added, removed


def text_diff(a: str, b: str) -> tuple[str, int, int]:
    """(HTML, characters added, characters removed) from text `a` to text `b`."""
    sa, sb = _sentences(a), _sentences(b)
    out: list[str] = []
    added = removed = 0
    sm = difflib.SequenceMatcher(None, sa, sb, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            out.append(html.escape("".join(sa[i1:i2])))
        elif op == "replace":
            piece, plus, minus = _chars("".join(sa[i1:i2]), "".join(sb[j1:j2]))
            out.append(piece)
            added, removed = added + plus, removed + minus
        elif op == "delete":
            gone = "".join(sa[i1:i2])
            out.append(f"<del>{html.escape(gone)}</del>")
            removed += len(gone)
        else:
            new = "".join(sb[j1:j2])
            out.append(f"<ins>{html.escape(new)}</ins>")
            added += len(new)
    return "".join(out).replace("\n", "<br>"), added, removed


def version_diff(
    old: Mapping[str, Any], new: Mapping[str, Any], fields: Sequence[tuple[str, str]] = FIELDS
) -> list[FieldDiff]:
    """The fields that differ between two snapshots, each as a marked-up diff."""
    out = []
    for key, label in fields:
        a, b = _display(key, old.get(key)), _display(key, new.get(key))
        if a == b:
            continue
        piece, added, removed = text_diff(a, b)
        out.append(FieldDiff(key, label, piece, added, removed))
    return out
