"""政务总机: directory search (name, pinyin initials, number), xlsx import, transfers and their log."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from hotline.core.errors import InvalidInput, NotAllowed, NotFound
from hotline.exchange.models import Office, SwitchboardTransfer
from hotline.exchange.selectors import offices_search
from hotline.exchange.services.switchboard import COLUMNS, offices_import, transfer_record
from hotline.tickets.tests.factories import PASSWORD, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices(db):
    rows = [
        ("办公室", "市市场监督管理局", "0571-85170001", "8001", "食品安全、价格监督"),
        ("法规处", "市市场监督管理局", "0571-85170002", "", "行政复议"),
        ("总值班室", "市公安局", "0571-87280110", "", "非警情转办"),
        ("住房保障处", "市住房保障和房产管理局", "0571-85150123", "12", "公租房、廉租房申请"),
    ]
    return [Office.objects.create(name=n, unit=u, phone=p, extension=e, duties=d) for n, u, p, e, d in rows]


def _names(found):
    return [o.name for o in found]


def test_pinyin_initials_are_kept_on_save(offices):
    assert offices[0].pinyin_initials == "bgs sscjdglj"


@pytest.mark.parametrize(
    "q,first",
    [
        ("住房", "住房保障处"),  # name
        ("公安", "总值班室"),  # unit name
        ("zbs", "总值班室"),  # initials of the office
        ("FGC", "法规处"),  # upper-case initials
        ("sscjdglj", "办公室"),  # initials of the unit
        ("87280110", "总值班室"),  # number
        ("0571-8517000", "办公室"),
        ("廉租房", "住房保障处"),  # duties
    ],
)
def test_search_finds_by_name_initials_and_number(offices, q, first):
    found = offices_search(q)
    assert found and found[0].name == first


def test_search_skips_inactive_and_finds_nothing_for_nonsense(offices):
    Office.objects.filter(name="法规处").update(is_active=False)
    assert "法规处" not in _names(offices_search("fgc"))
    assert offices_search("xyzxyz") == []
    assert len(offices_search("")) == 3


def test_search_ranks_an_office_whose_own_name_matches_first(offices):
    Office.objects.create(name="市场科", unit="某区政府", phone="123456")
    assert _names(offices_search("sck"))[0] == "市场科"


# --- transfers -----------------------------------------------------------------------------------------


def test_transfer_is_logged_with_the_dialled_number(city, offices):
    ticket = make_ticket(by=city.agent)
    t = transfer_record(
        office=offices[0],
        by=city.agent,
        outcome="connected",
        caller_phone="139 1234 5678",
        ticket_number=ticket.number,
    )
    assert t.number == "0571-85170001 转 8001" and t.caller_phone == "13912345678"
    assert t.ticket == ticket and t.by == city.agent


@pytest.mark.parametrize(
    "kw,field",
    [
        ({"outcome": "teleported"}, "outcome"),
        ({"caller_phone": "abc"}, "caller_phone"),
        ({"ticket_number": "2099"}, "ticket"),
        ({"note": "长" * 301}, "note"),
    ],
)
def test_bad_transfer_input_is_refused_and_nothing_logged(city, offices, kw, field):
    args = {"office": offices[0], "by": city.agent, "outcome": "connected", **kw}
    with pytest.raises(InvalidInput) as info:
        transfer_record(**args)
    assert field in info.value.fields
    assert SwitchboardTransfer.objects.count() == 0


def test_transfer_rules_on_office_and_role(city, offices):
    Office.objects.filter(pk=offices[1].pk).update(is_active=False)
    offices[1].refresh_from_db()
    with pytest.raises(NotFound):
        transfer_record(office=offices[1], by=city.agent, outcome="busy")
    with pytest.raises(NotFound):
        transfer_record(office=None, by=city.agent, outcome="busy")
    with pytest.raises(NotAllowed):
        transfer_record(office=offices[0], by=city.bureau_handler, outcome="busy")


# --- import ---------------------------------------------------------------------------------------------


def _xlsx(rows, header=None):
    book = Workbook()
    sheet = book.active
    sheet.append(header or list(COLUMNS))
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    return buf


def _import(buf, by):
    return offices_import(stream=buf, size=len(buf.getvalue()), by=by)


def test_import_adds_and_updates_by_unit_and_name(city, offices):
    buf = _xlsx(
        [
            ["办公室", "市市场监督管理局", "0571-85179999", "8001", "", "", "", "SJJ"],  # changed number
            ["法规处", "市市场监督管理局", "0571-85170002", "", "", "", "行政复议", ""],  # unchanged
            ["信访办", "市城市管理局", 85180001, None, "工作日", "", "", "CGJ"],  # number typed as a number
            [None, None, None, None, None, None, None, None],  # blank rows are skipped
        ]
    )
    result = _import(buf, city.supervisor)
    assert (result.created, result.updated, result.unchanged, result.rows) == (1, 1, 1, 3)
    assert Office.objects.get(name="办公室").phone == "0571-85179999"
    new = Office.objects.get(name="信访办")
    assert new.phone == "85180001" and new.department == city.bureau and new.pinyin_initials.startswith("xfb")


def test_import_with_any_bad_row_imports_nothing(city):
    buf = _xlsx(
        [
            ["办公室", "甲局", "0571-1", "", "", "", "", ""],
            ["", "甲局", "0571-2", "", "", "", "", ""],
            ["科室", "甲局", "电话号码", "x1", "", "", "", "NOPE"],
            ["办公室", "甲局", "0571-3", "", "", "", "", ""],
        ]
    )
    with pytest.raises(InvalidInput) as info:
        _import(buf, city.admin)
    fields = info.value.fields
    assert set(fields) == {"第 3 行", "第 4 行", "第 5 行"}
    assert "单位名称为空" in fields["第 3 行"]
    assert "电话" in fields["第 4 行"] and "分机" in fields["第 4 行"] and "NOPE" in fields["第 4 行"]
    assert "与第 2 行重复" in fields["第 5 行"]
    assert Office.objects.count() == 0


@pytest.mark.parametrize(
    "payload,message",
    [
        (b"not a spreadsheet", "xlsx"),
        (b"PK\x03\x04broken zip", "xlsx"),
    ],
)
def test_import_refuses_files_that_are_not_xlsx(city, payload, message):
    with pytest.raises(InvalidInput) as info:
        offices_import(stream=io.BytesIO(payload), size=len(payload), by=city.admin)
    assert message in info.value.message


def test_import_needs_the_required_columns_and_a_role(city):
    with pytest.raises(InvalidInput) as info:
        _import(_xlsx([["a", "b"]], header=["名称", "号码"]), city.admin)
    assert "单位名称" in info.value.message and "电话" in info.value.message
    with pytest.raises(InvalidInput):
        _import(_xlsx([]), city.admin)
    with pytest.raises(NotAllowed):
        _import(_xlsx([["办公室", "", "123", "", "", "", "", ""]]), city.agent)
    with pytest.raises(InvalidInput):
        offices_import(stream=io.BytesIO(b"x"), size=6 * 1024 * 1024, by=city.admin)


# --- views ------------------------------------------------------------------------------------------------


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_page_lists_offices_and_recent_transfers(client, city, offices):
    transfer_record(office=offices[2], by=city.agent, outcome="connected", caller_phone="13912345678")
    _login(client, city.agent)
    r = client.get("/switchboard/", {"q": "zbs"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "总值班室" in html and "0571-87280110" in html and "住房保障处" not in html.split("最近转接")[0]
    assert "139****5678" in html and "13912345678" not in html  # the caller's number is masked
    assert 'href="/switchboard/"' in html  # in the navigation


def test_live_search_returns_rows_only(client, city, offices):
    _login(client, city.agent)
    r = client.get("/switchboard/search/", {"q": "住房"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "<html" not in r.content.decode() and "住房保障处" in r.content.decode()


def test_transfer_post_logs_and_redirects(client, city, offices):
    _login(client, city.agent)
    r = client.post("/switchboard/transfer/", {"office": offices[0].pk, "outcome": "busy", "q": "bgs"})
    assert r.status_code == 302 and r["Location"] == "/switchboard/?q=bgs"
    assert SwitchboardTransfer.objects.get().outcome == "busy"


def test_bad_transfer_post_keeps_what_was_typed(client, city, offices):
    _login(client, city.agent)
    r = client.post(
        "/switchboard/transfer/",
        {
            "office": offices[0].pk,
            "outcome": "",
            "caller_phone": "0571-8888",
            "note": "市民很着急",
            "q": "bgs",
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "请选择转接结果" in html and 'value="0571-8888"' in html and 'value="市民很着急"' in html
    assert SwitchboardTransfer.objects.count() == 0
    r = client.post("/switchboard/transfer/", {"office": "abc", "outcome": "busy"})
    assert r.status_code == 400 and "不存在" in r.content.decode()


def test_department_users_cannot_use_the_switchboard(client, city):
    _login(client, city.bureau_handler)
    assert client.get("/switchboard/").status_code == 403


def test_import_page_upload(client, city):
    _login(client, city.agent)
    assert client.get("/switchboard/import/").status_code == 403
    client.logout()
    _login(client, city.supervisor)
    assert client.get("/switchboard/import/").status_code == 200
    template = client.get("/switchboard/import/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    buf = _xlsx([["办公室", "甲局", "0571-1", "", "", "", "", ""]])
    buf.name = "dir.xlsx"
    r = client.post("/switchboard/import/", {"file": buf})
    assert r.status_code == 302 and Office.objects.count() == 1
    bad = io.BytesIO(b"hello")
    bad.name = "dir.xlsx"
    r = client.post("/switchboard/import/", {"file": bad})
    assert r.status_code == 400 and "不是有效的 Excel" in r.content.decode()
    r = client.post("/switchboard/import/", {})
    assert r.status_code == 400 and "请选择" in r.content.decode()


def test_demo_loads_a_usable_key_and_directory_once(client):
    from hotline.exchange.demo import DEMO_OPEN311_KEY, load_demo

    first = load_demo()
    again = load_demo()
    assert first.offices == again.offices >= 15
    assert offices_search("szcg")[0].name == "数字城管指挥中心"
    from hotline.exchange.models import Open311Key

    assert Open311Key.lookup(DEMO_OPEN311_KEY) is not None and Open311Key.objects.count() == 1
