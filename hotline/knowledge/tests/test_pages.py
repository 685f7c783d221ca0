"""Management pages, import/export files (CSV, xlsx, docx) and the citizen portal's public view."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hotline.knowledge.importers import ImportFormatError, read_docx_rows, read_xlsx_rows
from hotline.knowledge.models import Article
from hotline.knowledge.services import article_create, article_update, articles_import_file
from hotline.tickets.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username):
    client.login(username=username, password=PASSWORD)
    return client


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("办事指南汇编", level=1)
    d.add_heading("社保卡挂失补办", level=2)
    d.add_paragraph("先电话挂失，再到银行网点补卡。")
    d.add_paragraph("关键词：社保卡 挂失")
    d.add_paragraph("问：补卡要多久？")
    d.add_paragraph("答：一般十个工作日。")
    d.add_heading("居住证申领", level=2)
    d.add_paragraph("居住满半年可申领。")
    d.add_paragraph("失效日期：2099-12-31")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_xlsx_rows_accept_chinese_headers_and_dates() -> None:
    data = _xlsx(
        [
            ["编号", "标题", "正文", "公开", "失效日期"],
            ["a1", "标题一", "正文一", "是", "2030-01-01"],
            [None, None, None],
        ]
    )
    rows = list(read_xlsx_rows(io.BytesIO(data)))
    assert rows == [
        {
            "article_id": "a1",
            "title": "标题一",
            "body": "正文一",
            "is_public": "是",
            "expires_on": "2030-01-01",
        }
    ]


def test_xlsx_without_a_title_column_is_a_clear_error() -> None:
    with pytest.raises(ImportFormatError, match="缺少“标题”列"):
        list(read_xlsx_rows(io.BytesIO(_xlsx([["名称", "内容"], ["x", "y"]]))))
    with pytest.raises(ImportFormatError, match="不是有效的 xlsx"):
        list(read_xlsx_rows(io.BytesIO(b"not a workbook")))


def test_docx_makes_one_article_per_heading_with_fields_and_qa() -> None:
    rows = list(read_docx_rows(io.BytesIO(_docx())))
    assert [r["title"] for r in rows] == ["社保卡挂失补办", "居住证申领"]
    assert rows[0]["keywords"] == "社保卡 挂失" and "问：补卡要多久？" in rows[0]["qa"]
    assert rows[0]["body"] == "<p>先电话挂失，再到银行网点补卡。</p>"
    assert rows[1]["expires_on"] == "2099-12-31" and rows[1]["article_id"].startswith("auto-")


def test_importing_the_same_docx_twice_updates_instead_of_duplicating(tmp_path, city) -> None:
    path = tmp_path / "guide.docx"
    path.write_bytes(_docx())
    first = articles_import_file(path=path, by=city.annotator)
    again = articles_import_file(path=path, by=city.annotator)
    assert (first.created, again.created, again.updated) == (2, 0, 2)
    a = Article.objects.get(title="社保卡挂失补办")
    assert a.status == "draft" and a.qa_pairs == [{"q": "补卡要多久？", "a": "一般十个工作日。"}]
    assert a.versions.count() == 2 and a.events.filter(action="import").count() == 2


def test_import_page_reports_rows_it_skipped(client, city) -> None:
    data = _xlsx(
        [
            ["标题", "正文", "失效日期", "责任单位"],
            ["好的", "正文", "", "CGJ"],
            ["坏日期", "正文", "明年", ""],
            ["", "", "", ""],
        ]
    )
    r = _login(client, "annotator").post("/kb/import/", {"file": SimpleUploadedFile("a.xlsx", data)})
    html = r.content.decode()
    assert r.status_code == 200 and "新增 1 篇" in html and "日期格式应为" in html
    assert Article.objects.get().department == city.bureau


def test_import_page_refuses_other_files_clearly(client, city) -> None:
    r = _login(client, "annotator").post("/kb/import/", {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")})
    assert r.status_code == 400 and "不支持的文件类型" in r.content.decode()
    r = client.post("/kb/import/", {"file": SimpleUploadedFile("a.xlsx", b"garbage")})
    assert r.status_code == 400 and "不是有效的 xlsx" in r.content.decode()


def test_export_csv_and_xlsx_round_trip(client, city, published, tmp_path) -> None:
    c = _login(client, "annotator")
    r = c.get("/kb/export/")
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["title"] == published.title and rows[0]["department"] == "CGJ"
    r = c.get("/kb/export/", {"format": "xlsx"})
    path = tmp_path / "kb.xlsx"
    path.write_bytes(r.content)
    Article.objects.all().delete()
    result = articles_import_file(path=path, by=city.annotator)
    again = Article.objects.get()
    assert result.created == 1 and again.title == published.title and again.body == published.body
    assert again.department == city.bureau and again.synonyms == published.synonyms


def test_list_is_for_managers_and_filters(client, city, published, django_assert_max_num_queries) -> None:
    assert _login(client, "agent").get("/kb/").status_code == 403
    client.logout()
    c = _login(client, "annotator")
    for i in range(5):
        article_create(title=f"草稿{i}", body="正文", by=city.annotator)
    with django_assert_max_num_queries(12):
        r = c.get("/kb/")
    assert r.status_code == 200 and published.title in r.content.decode()
    r = c.get("/kb/", {"status": "draft"})
    assert published.title not in r.content.decode() and "草稿0" in r.content.decode()


def test_edit_form_keeps_input_on_error_and_saves_a_version(client, city) -> None:
    c = _login(client, "annotator")
    r = c.post(
        "/kb/new/",
        {"title": "新文章", "body": "<p>正文</p>", "expires_on": "明年", "qa_q": ["问一"], "qa_a": ["答一"]},
    )
    html = r.content.decode()
    assert r.status_code == 400 and "日期格式应为" in html and "问一" in html and "新文章" in html
    r = c.post(
        "/kb/new/",
        {
            "title": "新文章",
            "body": "<p>正文</p>",
            "qa_q": ["问一", ""],
            "qa_a": ["答一", ""],
            "is_public": "on",
        },
    )
    a = Article.objects.get()
    assert r.status_code == 302 and a.qa_pairs == [{"q": "问一", "a": "答一"}] and a.is_public
    r = c.post(
        f"/kb/{a.pk}/edit/",
        {"title": "新文章", "body": "<p>正文改了</p>", "version": a.version, "change_note": "补充"},
    )
    assert r.status_code == 302
    diff = c.get(f"/kb/{a.pk}/diff/").content.decode()
    assert "<ins>改了</ins>" in diff and "补充" in diff


def test_detail_shows_only_allowed_workflow_buttons(client, city) -> None:
    a = article_create(title="待审文章", body="正文", by=city.annotator)
    html = _login(client, "annotator").get(f"/kb/{a.pk}/").content.decode()
    assert 'data-action="submit"' in html and 'data-action="publish"' not in html
    client.post(f"/kb/{a.pk}/act/submit/", {"version": a.version})
    client.logout()
    html = _login(client, "reviewer").get(f"/kb/{a.pk}/").content.decode()
    assert (
        'data-action="review"' in html
        and 'data-action="return"' in html
        and 'data-action="submit"' not in html
    )
    r = client.post(f"/kb/{a.pk}/act/return/", {"note": ""})
    assert r.status_code == 400 and "请填写退回修改的原因" in r.content.decode()


def test_stats_page_shows_the_rate_and_survives_bad_dates(client, city) -> None:
    r = _login(client, "annotator").get("/kb/stats/", {"from": "2026-13-01", "to": "昨天"})
    assert r.status_code == 200 and "引用率" in r.content.decode()


def test_portal_lists_and_shows_only_public_valid_published_articles(client, city, published) -> None:
    internal = article_create(title="内部口径：公积金提取", body="内部", status="published", is_public=False)
    expired = article_create(
        title="旧规：公积金提取",
        body="旧",
        status="published",
        is_public=True,
        expires_on=timezone.localdate() - timedelta(days=1),
    )
    html = client.get("/portal/kb/").content.decode()
    assert published.title in html and internal.title not in html and expired.title not in html
    r = client.get("/portal/kb/", {"q": "公积金提取"})
    html = r.content.decode()
    assert published.title in html.replace("<mark>", "").replace("</mark>", "") and internal.title not in html
    assert client.get(f"/portal/kb/{published.pk}/").status_code == 200
    assert client.get(f"/portal/kb/{internal.pk}/").status_code == 404
    assert client.get(f"/portal/kb/{expired.pk}/").status_code == 404


@pytest.mark.parametrize("query", ["", "😀", "<script>x</script>", "'; DROP TABLE x; --", "问" * 10_001])
def test_portal_search_bad_input_never_errors(client, published, query) -> None:
    r = client.get("/portal/kb/", {"q": query})
    assert r.status_code == 200 and "<script>x" not in r.content.decode()


def test_a_published_article_edit_shows_on_the_portal_after_republishing(client, city, published) -> None:
    from hotline.knowledge.services import article_publish, article_review, article_revise, article_submit

    a = article_revise(article=published, by=city.annotator)
    a = article_update(article=a, by=city.annotator, body="<p>新规定：每年两次。</p>")
    assert client.get(f"/portal/kb/{a.pk}/").status_code == 404  # under revision
    a = article_publish(
        article=article_review(article=article_submit(article=a, by=city.annotator), by=city.reviewer),
        by=city.reviewer,
    )
    assert "每年两次" in client.get(f"/portal/kb/{a.pk}/").content.decode()
