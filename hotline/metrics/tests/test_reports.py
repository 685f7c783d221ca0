"""Monthly reports: the snapshot equals the indicators, xlsx/docx carry them, narrative rules, masking, schedule."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document
from openpyxl import load_workbook

from hotline.core.errors import Conflict, InvalidInput
from hotline.core.models import AuditLog
from hotline.metrics.compute import board_figures
from hotline.metrics.departments import department_rows
from hotline.metrics.models import MonthlyReport
from hotline.metrics.reports import services as rsvc
from hotline.metrics.reports.data import month_period
from hotline.metrics.reports.narrative import SECTION_KEYS, narrative_auto
from hotline.metrics.tests.helpers import at, closed, in_period, place, redo, visit_round
from hotline.metrics.tests.test_views import client_for
from hotline.tickets.models import Ticket
from hotline.tickets.tests.factories import CategoryFactory

OCT = date(2025, 10, 1)
R = MonthlyReport.Status
S = Ticket.Status


@pytest.fixture
def october(city):  # type: ignore[no-untyped-def]
    """Tickets closed in October 2025: two categories, the district and the bureau, one 不满意 by 李四."""
    roads = CategoryFactory(name="城乡建设", code="CS")
    lamp = CategoryFactory(name="路灯", code="CS01", parent=roads, level=2)
    market = CategoryFactory(name="市场监管", code="SC")
    made = []
    for lead, result, cat in (
        (city.district, "satisfied", lamp),
        (city.district, "satisfied", lamp),
        (city.district, "basically_satisfied", lamp),
        (city.bureau, "satisfied", market),
        (city.bureau, "unsatisfied", market),
    ):
        name, phone = ("李四", "13800138000") if result == "unsatisfied" else ("张三", "13912345678")
        t = closed(city, result, lead=lead, category=cat, district=city.district, citizen_name=name,
                   citizen_phone=phone)  # fmt: skip
        while t.status != Ticket.Status.CLOSED:  # 不满意 reopens it: handled again until policy closes it
            t = visit_round(city, redo(city, t), "unsatisfied")
        made.append(t)
    for i, t in enumerate(made):
        place(t, created_at=at(date(2025, 10, 2 + i)))
        in_period(t, date(2025, 10, 10 + i))
    return made


def _generate(city, month=OCT):  # type: ignore[no-untyped-def]
    report = rsvc.monthly_report_request(month=month, by=city.analyst)
    return rsvc.monthly_report_generate(report_id=report.pk)


def test_report_snapshot_equals_the_indicators_and_the_ranking(city, october):
    report = _generate(city)
    assert report.status == R.DRAFT and report.progress == 100 and report.generation_s is not None
    period = month_period(OCT)
    assert (period.first, period.last) == (date(2025, 10, 1), date(2025, 10, 31))
    direct = {f.key: (f.numerator, f.denominator, f.value) for f in board_figures(period).figures}
    snap = {f["key"]: (f["numerator"], f["denominator"], f["value"]) for f in report.data["indicators"]}
    assert snap == direct
    assert [r["department"] for r in report.data["departments"]] == [r.name for r in department_rows(period)]
    assert report.data["intake"] == sum(board_figures(period).trend["intake"])
    assert {c["name"]: c["intake"] for c in report.data["categories"]} == {"城乡建设": 3, "市场监管": 2}
    assert set(report.narrative) == set(SECTION_KEYS)
    assert "热线共受理群众诉求 5 件" in report.narrative["overview"]


def test_workbook_holds_every_indicator_with_its_parts_and_masks_citizens(city, october):
    report = _generate(city)
    body = rsvc.monthly_report_export(report=report, kind="xlsx", by=city.analyst)
    wb = load_workbook(BytesIO(body))
    assert {
        "考核指标",
        "成员单位办理质效",
        "诉求分类",
        "区县",
        "区县×分类",
        "逐日趋势",
        "热点诉求",
        "不满意工单",
    } <= set(wb.sheetnames)
    ws = wb["考核指标"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True) if r[0]}
    for f in report.data["indicators"]:
        name, num, den, value = rows[f["name"]][:4]
        assert (num, den) == (f["numerator"], f["denominator"])
        assert value == (pytest.approx(f["value"]) if f["value"] is not None else None)
    sat = next(f for f in report.data["indicators"] if f["key"] == "satisfaction")
    assert (sat["numerator"], sat["denominator"]) == (4, 5)
    ranking = [r[1] for r in wb["成员单位办理质效"].iter_rows(min_row=2, values_only=True)]
    assert ranking == [r["department"] for r in report.data["departments"]]
    grid = list(wb["区县×分类"].iter_rows(values_only=True))
    assert grid[1][0] == "东城区" and grid[1][-1] == 5
    unsat = [
        r for r in wb["不满意工单"].iter_rows(min_row=2, values_only=True) if r[0] and r[0].startswith("2")
    ]
    assert len(unsat) == 1 and unsat[0][2] == "李*" and unsat[0][3] == "138****8000"
    # a supervisor may see citizens: the same sheet unmasked, and the export is audited as unmasked
    body = rsvc.monthly_report_export(report=report, kind="xlsx", by=city.supervisor)
    unsat = list(load_workbook(BytesIO(body))["不满意工单"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert unsat[0][2:4] == ("李四", "13800138000")
    audits = AuditLog.objects.filter(action="monthly_report_export").order_by("pk")
    assert [a.data["unmasked"] for a in audits] == [False, True]


def _docx_text(body: bytes) -> str:
    doc = Document(BytesIO(body))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_docx_uses_the_edited_narrative_has_charts_and_masks_citizens(city, october):
    report = _generate(city)
    rsvc.monthly_report_narrative_save(
        report=report, texts={"issues": "路灯问题集中在东城区，建议城管局专项整治。"}, by=city.analyst
    )
    report.refresh_from_db()
    body = rsvc.monthly_report_export(report=report, kind="docx", by=city.analyst)
    text = _docx_text(body)
    assert "2025 年 10 月运行分析专报" in text
    assert "路灯问题集中在东城区，建议城管局专项整治。" in text
    assert report.narrative["overview"] in text  # an untouched section: the generated text
    sat = next(f for f in report.data["indicators"] if f["key"] == "satisfaction")
    assert f"{sat['numerator']:g} / {sat['denominator']:g}" in text and "80.00%" in text
    assert "李*" in text and "138****8000" in text and "李四" not in text and "13800138000" not in text
    doc = Document(BytesIO(body))
    assert len(doc.inline_shapes) >= 3  # trend, categories, heat grid (and the scores)
    unmasked = _docx_text(rsvc.monthly_report_export(report=report, kind="docx", by=city.supervisor))
    assert "李四" in unmasked and "13800138000" in unmasked


def test_regeneration_refreshes_figures_and_untouched_sections_but_keeps_edited_ones(city, october):
    report = _generate(city)
    auto_before = dict(report.narrative)
    rsvc.monthly_report_narrative_save(
        report=report, texts={"departments": "人工撰写的单位分析。"}, by=city.analyst
    )
    extra = closed(city, "satisfied", lead=city.bureau)
    in_period(place(extra, created_at=at(date(2025, 10, 20))), date(2025, 10, 21))
    report = _generate(city)
    assert report.narrative["departments"] == "人工撰写的单位分析。"
    assert report.edited == ["departments"]
    assert report.data["intake"] == 6
    assert report.narrative["overview"] != auto_before["overview"]
    assert report.narrative["overview"] == narrative_auto(report.data)["overview"]
    # an emptied section goes back to the generated text and is no longer marked edited
    report = rsvc.monthly_report_narrative_save(report=report, texts={"departments": "  "}, by=city.analyst)
    assert report.narrative["departments"] == narrative_auto(report.data)["departments"]
    assert report.edited == []


def test_a_final_report_is_frozen_and_becomes_next_months_comparison(city, october):
    report = _generate(city)
    rsvc.monthly_report_finalise(report=report, by=city.supervisor)
    with pytest.raises(Conflict, match="已定稿"):
        rsvc.monthly_report_request(month=OCT, by=city.analyst)
    report.refresh_from_db()
    with pytest.raises(Conflict):
        rsvc.monthly_report_narrative_save(report=report, texts={"overview": "改"}, by=city.analyst)
    nov = _generate(city, date(2025, 11, 1))
    assert nov.data["previous"]["source"] == "final"
    assert nov.data["previous"]["intake"] == 5
    assert "环比下降 100.0%" in nov.narrative["overview"]  # November is empty here


def test_a_report_being_generated_cannot_be_started_twice(city):
    rsvc.monthly_report_request(month=OCT, by=city.analyst)
    with pytest.raises(Conflict, match="正在生成"):
        rsvc.monthly_report_request(month=OCT, by=city.analyst)


@pytest.mark.parametrize("raw", ["2025-13", "abc", "", "2999-01"])
def test_bad_months_are_refused_in_chinese(raw):
    with pytest.raises(InvalidInput):
        rsvc.month_parse(raw)


def test_a_failed_generation_is_recorded_not_raised(city, monkeypatch):
    report = rsvc.monthly_report_request(month=OCT, by=city.analyst)

    def boom(*a, **k):  # type: ignore[no-untyped-def]
        raise RuntimeError("数据库不可用")

    monkeypatch.setattr("hotline.metrics.reports.services.report_data", boom)
    report = rsvc.monthly_report_generate(report_id=report.pk)
    assert report.status == R.FAILED and "数据库不可用" in report.error
    assert rsvc.monthly_report_request(month=OCT, by=city.analyst).status == R.GENERATING


def test_scheduled_task_drafts_last_month_once(city, october):
    from hotline.metrics.tasks import monthly_report_draft_due_task

    assert rsvc.monthly_report_draft_due(today=date(2025, 11, 1)).status == R.DRAFT  # type: ignore[union-attr]
    assert rsvc.monthly_report_draft_due(today=date(2025, 11, 2)) is None  # already there: nothing changes
    assert MonthlyReport.objects.get(month=OCT).data["intake"] == 5
    # the periodic task itself (huey runs it inline in tests) drafts the month before today
    monthly_report_draft_due_task.call_local()
    assert MonthlyReport.objects.count() == 2


def test_cli_generates_and_writes_masked_files(city, october, tmp_path, capsys):
    xlsx, docx = tmp_path / "r.xlsx", tmp_path / "r.docx"
    call_command("kpi", "report", "--month", "2025-10", "--xlsx", str(xlsx), "--docx", str(docx))
    out = capsys.readouterr().out
    assert "2025-10 月度报告已生成" in out
    wb = load_workbook(xlsx)
    assert wb["不满意工单"].cell(row=2, column=4).value == "138****8000"
    assert "2025 年 10 月运行分析专报" in _docx_text(docx.read_bytes())
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("kpi", "report", "--month", "2025/10")


# --- pages ------------------------------------------------------------------------------------------


def test_report_pages_generate_edit_finalise_and_download(city, october):
    c = client_for(city.analyst)
    r = c.post("/metrics/reports/", {"month": "2025-10"})
    assert r.status_code == 302 and r["Location"].endswith("/metrics/reports/2025-10/")
    page = c.get("/metrics/reports/2025-10/").content.decode()
    assert "草稿" in page and 'name="section_overview"' in page
    r = c.post("/metrics/reports/2025-10/action/", {"action": "save", "section_hotspots": "本月无突出热点。"})
    assert r.status_code == 302
    assert MonthlyReport.objects.get(month=OCT).narrative["hotspots"] == "本月无突出热点。"
    assert "已人工修改" in c.get("/metrics/reports/2025-10/").content.decode()
    r = c.get("/metrics/reports/2025-10/download.docx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "本月无突出热点。" in _docx_text(r.content)
    assert c.get("/metrics/reports/2025-10/download.pdf").status_code == 400
    c.post("/metrics/reports/2025-10/action/", {"action": "finalise"})
    assert MonthlyReport.objects.get(month=OCT).status == R.FINAL
    r = c.post("/metrics/reports/2025-10/action/", {"action": "save", "section_overview": "晚了"})
    assert r.status_code == 409 and "不能修改" in r.content.decode()


def test_report_request_with_a_bad_month_keeps_the_input_and_explains(city):
    r = client_for(city.supervisor).post("/metrics/reports/", {"month": "2025-1x"})
    assert r.status_code == 400
    body = r.content.decode()
    assert "月份格式应为 YYYY-MM" in body and 'value="2025-1x"' in body


def test_progress_fragment_polls_while_generating(city):
    report = rsvc.monthly_report_request(month=OCT, by=city.analyst)
    MonthlyReport.objects.filter(pk=report.pk).update(progress=40, stage="成员单位办理质效排名")
    c = client_for(city.analyst)
    r = c.get("/metrics/reports/2025-10/", HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert 'hx-trigger="every 2s"' in body and "40%" in body and "成员单位办理质效排名" in body
    rsvc.monthly_report_generate(report_id=report.pk)
    r = c.get("/metrics/reports/2025-10/", HTTP_HX_REQUEST="true")
    assert r["HX-Refresh"] == "true"


@pytest.mark.parametrize("role", ["agent", "bureau_handler", "hr"])
def test_reports_are_refused_to_other_roles(city, role):
    assert client_for(city.users[role]).get("/metrics/reports/").status_code == 403


def test_unknown_report_is_404(city):
    assert client_for(city.analyst).get("/metrics/reports/2025-10/").status_code == 404
    assert client_for(city.analyst).get("/metrics/reports/nope/").status_code == 404


def test_report_hotspots_are_assists_topics_over_the_month(city):
    """The report calls assist's `hotspots_period` (one implementation); over the month it equals the pure
    engine run on every ticket, and a (category, place) with two problems is two topics with their words."""
    from datetime import timedelta

    from hotline.assist.hotspots import Item, hotspots_rank
    from hotline.metrics.reports.data import _hotspots
    from hotline.tickets.tests.drive import drive

    noise = CategoryFactory(name="噪声扰民", code="ZS")
    lamp = CategoryFactory(name="路灯", code="LD")
    piling = "幸福路3号工地每天夜里十二点还在打桩，噪音太大根本没法睡觉"
    music = "幸福路酒吧音响声音太大，每晚唱到凌晨两点"
    dark = "和平小区5栋门口路灯连续三晚不亮，晚上走路看不清"
    plan = [  # (category, text, address, day): October is the month, September the window before
        *[(noise, piling, "东城区幸福路 3 号工地", date(2025, 10, d)) for d in (2, 5, 9, 12, 20, 28)],
        *[(noise, music, "东城区幸福路 18 号", date(2025, 10, d)) for d in (3, 8, 15, 22, 29)],
        *[(noise, piling, "幸福路 8 号", date(2025, 9, d)) for d in (10, 20)],
        *[(lamp, dark, "东城区和平小区 5 栋", date(2025, 10, d)) for d in (3, 4, 6, 7, 8)],
        *[(lamp, dark, "东城区和平小区北门", date(2025, 9, d)) for d in (2, 3, 4, 5, 6, 7)],
        (lamp, dark, "光明路", date(2025, 10, 30)),
        (noise, piling, "幸福路", date(2025, 11, 1)),  # next month: outside
    ]
    for cat, text, address, day in plan:
        t = drive(
            city,
            S.PENDING_DISPATCH,
            category=cat,
            title=text[:10],
            content=text,
            district=city.district,
            address=address,
        )
        place(t, created_at=at(day))
    period = month_period(OCT)
    everything = [
        Item(number=t.number, created_at=t.created_at, topic=t.category.name, district=t.district.name,
             address=t.address, text=f"{t.title}\n{t.content}".strip())
        for t in Ticket.objects.exclude(status=S.DRAFT).select_related("category", "district")
    ]  # fmt: skip
    engine = hotspots_rank(everything, now=period.end, window=period.end - period.start, min_count=5)
    ours = _hotspots(period)["clusters"]
    assert [(h["label"], h["count"], h["previous"]) for h in ours] == [
        (h.label, h.count, h.previous) for h in engine
    ]
    assert [(h["topic"], h["place"], h["count"], h["previous"]) for h in ours] == [
        ("噪声扰民", "东城区 幸福路", 6, 2),
        ("噪声扰民", "东城区 幸福路", 5, 0),
        ("路灯", "东城区 和平小区", 5, 6),
    ]
    assert "打桩" in ours[0]["words"] and "酒吧" in ours[1]["words"] and "路灯" in ours[2]["words"]
    assert ours[0]["label"] == f"噪声扰民：{ours[0]['words']} · 东城区 幸福路"
    assert ours[0]["numbers"] == engine[0].numbers[:10]
    assert period.end - period.start == timedelta(days=31)
