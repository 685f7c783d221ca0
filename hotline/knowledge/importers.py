"""Reading article files: CSV, xlsx (one article per row) and docx (one article per heading).

Each reader yields rows as dicts with the canonical column names below; Chinese headers are accepted.
No Django here: the import service decides what a row means for the database.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from hotline.knowledge.csvfiles import CsvFormatError, iter_csv

COLUMNS = (
    "article_id",
    "title",
    "body",
    "keywords",
    "synonyms",
    "tags",
    "qa",
    "category",
    "department",
    "effective_from",
    "expires_on",
    "is_public",
)
ALIASES = {
    "编号": "article_id",
    "文章编号": "article_id",
    "id": "article_id",
    "标题": "title",
    "正文": "body",
    "内容": "body",
    "关键词": "keywords",
    "同义词": "synonyms",
    "标签": "tags",
    "问答": "qa",
    "常见问答": "qa",
    "问答对": "qa",
    "分类": "category",
    "诉求分类": "category",
    "责任单位": "department",
    "单位": "department",
    "生效日期": "effective_from",
    "失效日期": "expires_on",
    "公开": "is_public",
    "对市民公开": "is_public",
}
MAX_ROWS = 200_000


class ImportFormatError(CsvFormatError):
    """A file that cannot be read as articles; the message (Chinese) says why."""


def canonical(header: object) -> str:
    name = str(header or "").strip()
    return ALIASES.get(name, name.lower())


def derived_id(title: str) -> str:
    """A stable id for an article that came without one: importing the same file twice updates it."""
    return "auto-" + hashlib.sha256(" ".join(title.split()).encode()).hexdigest()[:16]


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_csv_rows(path: str | Path) -> Iterator[dict[str, str]]:
    for row in iter_csv(path, ("article_id", "title", "body")):
        yield {canonical(k): v for k, v in row.items()}


def read_xlsx_rows(source: str | Path | IO[bytes]) -> Iterator[dict[str, str]]:
    """Rows of the first worksheet; the first row holds the column names (title is required)."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(source, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFormatError("不是有效的 xlsx 文件（请用 Excel 另存为 .xlsx 后再导入）。") from exc
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise ImportFormatError("表格是空的：第一行应为列名（至少包含“标题”和“正文”）。")
        names = [canonical(h) for h in header]
        if "title" not in names:
            raise ImportFormatError(
                f"缺少“标题”列（第一行为：{'、'.join(str(h) for h in header if h) or '空'}）。"
            )
        for n, values in enumerate(rows, start=2):
            if n > MAX_ROWS + 1:
                raise ImportFormatError(f"行数超过 {MAX_ROWS} 行，请分批导入。")
            row = {name: cell_text(v) for name, v in zip(names, values, strict=False) if name}
            if any(row.values()):
                yield row
    finally:
        wb.close()


_HEADING = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)
_FIELD_LINE = re.compile(r"^(关键词|同义词|标签|编号|分类|责任单位|生效日期|失效日期|公开)\s*[:：]\s*(.*)$")
_QA_LINE = re.compile(r"^(问|答|Q|A)\s*[:：]", re.I)


def _heading_level(paragraph: Any) -> int:
    name = paragraph.style.name if paragraph.style is not None else ""
    if name.lower() == "title":
        return 0
    m = _HEADING.match(name.strip())
    return int(m.group(1)) if m else 99


def read_docx_rows(source: str | Path | IO[bytes]) -> Iterator[dict[str, str]]:
    """One article per heading: the heading is the title, what follows until the next one the body.

    Lines "关键词：…", "同义词：…", "标签：…", "编号：…", "失效日期：…" set those fields, lines starting
    "问：" / "答：" become question–answer pairs, deeper headings stay as sub-headings in the body.
    """
    from zipfile import BadZipFile

    import docx

    try:
        document = docx.Document(str(source) if isinstance(source, Path) else source)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFormatError("不是有效的 docx 文件（请用 Word 另存为 .docx 后再导入）。") from exc
    paragraphs = [(p, _heading_level(p), p.text.strip()) for p in document.paragraphs]
    levels = [lvl for _, lvl, text in paragraphs if lvl < 99 and text]
    if not levels:
        raise ImportFormatError("文档中没有标题：请把每篇文章的标题设为“标题 1”或“标题 2”样式。")
    top = min(levels)
    # A document title above the articles (one top heading, several below it) is not an article.
    deeper = [lv for lv in levels if lv > top]
    if levels.count(top) == 1 and deeper and levels.count(min(deeper)) > 1:
        top = min(deeper)
    current: dict[str, Any] | None = None

    def flush(item: dict[str, Any] | None) -> Iterator[dict[str, str]]:
        if item and item["title"]:
            row = {k: v for k, v in item.items() if k not in ("parts", "qa_lines")}
            row["body"] = "".join(item["parts"])
            row["qa"] = "\n".join(item["qa_lines"])
            row.setdefault("article_id", derived_id(item["title"]))
            yield row

    keys = {"关键词": "keywords", "同义词": "synonyms", "标签": "tags", "编号": "article_id", "分类": "category",
            "责任单位": "department", "生效日期": "effective_from", "失效日期": "expires_on", "公开": "is_public"}  # fmt: skip
    for p, level, text in paragraphs:
        if level < top:
            continue  # the document's own title, above the articles
        if level == top and text:
            yield from flush(current)
            current = {"title": text, "parts": [], "qa_lines": []}
            continue
        if current is None or not text:
            continue
        if level < 99:
            current["parts"].append(f"<h3>{html.escape(text)}</h3>")
        elif m := _FIELD_LINE.match(text):
            current[keys[m.group(1)]] = m.group(2).strip()
        elif _QA_LINE.match(text):
            current["qa_lines"].append(text)
        elif p.style is not None and "list" in p.style.name.lower():
            current["parts"].append(f"<ul><li>{html.escape(text)}</li></ul>")
        else:
            current["parts"].append(f"<p>{html.escape(text)}</p>")
    yield from flush(current)


def read_rows(path: str | Path, *, kind: str | None = None) -> Iterator[dict[str, str]]:
    """Rows of an article file chosen by its extension (csv, xlsx, docx)."""
    kind = (kind or Path(path).suffix.lstrip(".")).lower()
    if kind == "csv":
        return read_csv_rows(path)
    if kind == "xlsx":
        return read_xlsx_rows(path)
    if kind == "docx":
        return read_docx_rows(path)
    raise ImportFormatError(f"不支持的文件类型“{kind or '无扩展名'}”：请用 .csv、.xlsx 或 .docx。")
