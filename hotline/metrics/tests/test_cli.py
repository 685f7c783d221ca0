"""`hotline kpi`: every indicator with numerator, denominator, value and target; JSON; errors in Chinese."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hotline.metrics.indicators import CENTRE, DEPARTMENT
from hotline.metrics.tests.helpers import FIRST, LAST, closed, in_period


def run(*args: str) -> str:
    out = StringIO()
    call_command("kpi", *args, stdout=out)
    return out.getvalue()


def test_json_lists_every_indicator_with_its_parts(city):
    in_period(closed(city))
    doc = json.loads(run("--from", FIRST.isoformat(), "--to", LAST.isoformat(), "--json"))
    assert [i["key"] for i in doc["indicators"]] == [i.key for i in CENTRE]
    sat = next(i for i in doc["indicators"] if i["key"] == "satisfaction")
    assert (sat["numerator"], sat["denominator"], sat["value"], sat["target"], sat["status"]) == (
        1,
        1,
        1.0,
        0.99,
        "green",
    )
    assert doc["not_computed"] == []  # QA pass rate and service complaints are computed (quality_figures)
    dept = doc["departments"][0]
    assert dept["department"] == "东城区" and dept["rank"] == 1
    assert [i["key"] for i in dept["indicators"]] == [i.key for i in DEPARTMENT]


def test_table_prints_names_parts_and_targets(city):
    in_period(closed(city, district=city.district))
    in_period(closed(city, result="basically_satisfied"))  # another district's (none): filtered out
    text = run("--from", FIRST.isoformat(), "--to", LAST.isoformat(), "--district", "DCQ")
    assert "统计期间 2025-09-29 至 2025-10-12（东城区）" in text
    line = next(x for x in text.splitlines() if x.startswith("综合满意率"))
    assert "100.00%" in line and "≥ 99.00%" in line and "达标" in line
    assert "成员单位办理质效" in text


@pytest.mark.parametrize(
    "args,message",
    [
        (("--from", "2025-10-01", "--to", "2025-02-30"), "请填写有效的统计期间"),
        (("--from", "2025-10-09", "--to", "2025-10-01"), "结束日期不能早于开始日期"),
        (("--from", "2025-10-01", "--to", "2025-10-09", "--department", "NOPE"), "单位编码不存在"),
    ],
)
def test_bad_arguments_are_refused_in_chinese(city, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_xlsx_option_writes_the_workbook(city, tmp_path):
    from openpyxl import load_workbook

    in_period(closed(city))
    path = tmp_path / "kpi.xlsx"
    run("--from", FIRST.isoformat(), "--to", LAST.isoformat(), "--xlsx", str(path))
    wb = load_workbook(path)
    assert wb["逐日趋势"].max_row == 1 + 14
    with pytest.raises(CommandError, match="无法写入"):
        run("--from", FIRST.isoformat(), "--to", LAST.isoformat(), "--xlsx", str(tmp_path / "no" / "x.xlsx"))
