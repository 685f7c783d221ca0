"""Exporting articles as CSV or xlsx, in the columns the importers read (a round trip keeps everything)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from hotline.knowledge.models import Article
from hotline.knowledge.richtext import html_text

HEADERS = (
    ("article_id", "编号"),
    ("title", "标题"),
    ("body", "正文"),
    ("keywords", "关键词"),
    ("synonyms", "同义词"),
    ("tags", "标签"),
    ("qa", "问答"),
    ("category", "分类"),
    ("department", "责任单位"),
    ("effective_from", "生效日期"),
    ("expires_on", "失效日期"),
    ("is_public", "公开"),
    ("status", "状态"),
    ("body_text", "正文（纯文本）"),
)
# Characters that make a spreadsheet treat a cell as a formula (CSV injection).
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA) else value


def export_row(a: Article) -> list[str]:
    return [
        a.external_id or f"kb-{a.pk}",
        a.title,
        a.body,
        a.keywords,
        a.synonyms,
        a.tags,
        a.qa,
        a.category.code if a.category_id and a.category else "",
        a.department.code if a.department_id and a.department else "",
        a.effective_from.isoformat() if a.effective_from else "",
        a.expires_on.isoformat() if a.expires_on else "",
        "是" if a.is_public else "否",
        a.get_status_display(),
        html_text(a.body),
    ]


def articles_csv(articles: Iterable[Article]) -> Iterable[str]:
    """CSV text in pieces (UTF-8 with BOM so Excel reads the Chinese); English headers, as `kb import` wants."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    yield "\ufeff"
    writer.writerow([key for key, _ in HEADERS])
    for a in articles:
        writer.writerow([_safe(v) for v in export_row(a)])
        if buf.tell() > 1 << 16:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def articles_xlsx(articles: Iterable[Article]) -> bytes:
    """An xlsx workbook (write-only, so memory stays flat); Chinese headers, which the importer accepts."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("热线百科")
    ws.append([label for _, label in HEADERS])
    for a in articles:
        ws.append([_safe(v) for v in export_row(a)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
