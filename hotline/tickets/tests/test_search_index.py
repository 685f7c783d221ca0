"""Ticket text search through the bigram index: the same results as the plain filter, on both databases."""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline.exchange.services.email import email_ticket_create
from hotline.exchange.services.province import province_ticket_take
from hotline.exchange.services.wechat import wechat_ticket_create
from hotline.intake.services import Submission, portal_submit
from hotline.tickets import search, selectors
from hotline.tickets import services as svc
from hotline.tickets.models import Ticket
from hotline.tickets.tests.drive import drive
from hotline.tickets.tests.factories import make_ticket

S = Ticket.Status
POSTGRES = connection.vendor == "postgresql"

CORPUS = [
    ("小区路灯不亮", "幸福路 12 号小区门口路灯连续三晚不亮，请维修。", "幸福路12号"),
    ("噪音扰民", "工地夜间施工噪音很大，影响休息。", "东华街道建设路88号"),
    ("WiFi 无法连接", "市民中心 WIFI 信号差，APP 打不开，订单号 A12b34。", "市民中心3楼"),
    ("公交 K101 晚点", "K101路公交车早高峰晚点 20 分钟以上。", "火车站北广场"),
    ("ＡＢＣ全角字母", "全角数字１２３与半角 123 混用", "人民路１号"),
    ("垃圾未清", "西湖街道垃圾桶满了没人清理", ""),
    ("燃气费", "燃气费账单 2026年11月 金额不对", "幸福路 12号"),
]

QUERIES = [
    # Chinese terms of 2-4 characters
    "路灯", "噪音扰民", "幸福路", "垃圾桶", "燃气", "不存在的词",
    # mixed Latin and digits, any case, full-width
    "wifi", "WiFi", "app", "a12B34", "k101", "K101路", "123", "１２３", "abc", "ＡＢＣ",
    # addresses, with and without spaces
    "幸福路12号", "幸福路 12", "12 号", "建设路88", "北广场",
    # spaces inside the query, punctuation
    "晚点 20 分钟", "修。", "，请",
]  # fmt: skip


def _plain(q: str) -> Q:
    return Q(number=q) | Q(title__icontains=q) | Q(content__icontains=q) | Q(address__icontains=q)


def _tokens(value: Any) -> set[str]:
    # PostgreSQL returns the tsvector as "'tok' 'tok'", SQLite the text stored: compare the tokens.
    return set(re.findall(r"[a-z]+", str(value or "")))


@pytest.fixture
def corpus(city) -> list[Ticket]:
    return [make_ticket(by=city.agent, title=t, content=c, address=a) for t, c, a in CORPUS]


def _list(city: Any, q: str) -> list[str]:
    return list(selectors.ticket_list(user=city.supervisor, text=q).values_list("number", flat=True))


@pytest.mark.parametrize("q", QUERIES)
def test_search_finds_what_the_plain_filter_finds(city, corpus, q):
    expected = list(
        Ticket.objects.filter(_plain(q)).order_by("-created_at", "-id").values_list("number", flat=True)
    )
    assert _list(city, q) == expected


def test_search_results_are_not_empty_for_the_corpus_terms(city, corpus):
    # The comparison above would pass with nothing matching; these terms do match.
    assert len(_list(city, "幸福路")) == 2
    assert _list(city, "wifi") == [corpus[2].number]
    assert _list(city, "１２３") == _list(city, "123") == [corpus[4].number]  # both spellings are literal
    assert _list(city, "K101路") == [corpus[3].number]
    assert _list(city, "晚点 20 分钟") == [corpus[3].number]
    assert _list(city, corpus[5].number) == [corpus[5].number]  # the number matches exactly


def test_postgresql_uses_the_bigram_index_and_one_character_keeps_the_plain_filter(city, corpus, fresh_stats):
    with connection.cursor() as cur:
        cur.execute("ANALYZE tickets_ticket")  # statistics of these few rows, whatever ran before
    two = str(selectors.ticket_list(user=city.supervisor, text="路灯").query)
    one = str(selectors.ticket_list(user=city.supervisor, text="路").query)
    assert ("@@" in two) is POSTGRES
    assert "@@" not in one
    assert _list(city, "路") == list(
        Ticket.objects.filter(_plain("路")).order_by("-created_at", "-id").values_list("number", flat=True)
    )


def test_bigrams_are_per_field_folded_and_ascii():
    assert search.fold("ＡＢＣ１２３Ab") == "abc123ab"
    grams = search.grams("路灯")
    assert len(grams) == 1 and all(g.isascii() and g.isalpha() for g in grams)
    assert search.grams("路") == {search._code("路")}  # a text shorter than 2 keeps its character
    assert search.grams("") == set()
    # Fields are not joined: "灯东" (end of title + start of address) is not a bigram of the ticket.
    doc = search.document("路灯", "", "东华")
    assert search.grams("灯东") & set(doc.split()) == set()


def test_the_column_is_filled_on_create_and_follows_an_edit(city):
    t = make_ticket(by=city.agent, title="井盖缺失", content="人行道井盖丢失，很危险。", address="解放路")
    t.refresh_from_db()
    assert _tokens(t.search_grams) == set(search.ticket_document(t).split()) != set()
    t.title = "窨井盖破损"
    t.save(update_fields=["title"])
    t.refresh_from_db()
    assert _tokens(t.search_grams) == set(search.ticket_document(t).split())
    assert _list(city, "窨井") == [t.number]
    assert _list(city, "井盖缺失") == []


def test_a_status_change_does_not_rewrite_the_column(city):
    t = make_ticket(by=city.agent, title="占道经营", content="夜市摊贩占用人行道。", submit=True)
    t.refresh_from_db()
    before = t.search_grams
    with CaptureQueriesContext(connection) as ctx:
        t = svc.ticket_dispatch(ticket=t, lead=city.district, by=city.dispatcher)
        t.save(update_fields=["status", "version"])  # a status-only save() as well
    assert t.status == S.DISPATCHED
    writes = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert writes and not [w for w in writes if "search_grams" in w]
    t.refresh_from_db()
    assert t.search_grams == before


def _eml() -> bytes:
    msg = EmailMessage()
    msg["From"] = "李四 <li@example.com>"
    msg["Subject"] = "邮件反映桥面坑洼"
    msg["Message-ID"] = "<search-1@mail.example>"
    msg.set_content("长江大桥桥面坑洼严重。")
    return bytes(msg)


def test_every_creation_path_fills_the_column(city):
    make_ticket(by=city.agent, title="话务受理", content="电话受理的工单内容。")
    drive(city, S.DISPATCHED, title="派单工单", content="已派单工单的内容。")
    portal_submit(Submission(type=Ticket.Type.COMPLAINT, content="网站提交：小区电梯经常故障停运。",
                             name="王五", phone="13800000000"))  # fmt: skip
    wechat_ticket_create(openid="o-search", text="微信反映：路口红绿灯坏了", msg_key="m-search-1")
    email_ticket_create(raw=_eml())
    province_ticket_take({"id": "P-search-1", "title": "省平台转办", "content": "省平台转来的诉求内容。"})
    Ticket.objects.create(number="X-create", title="直接创建", content="Ticket.objects.create 的工单")
    Ticket.objects.bulk_create([Ticket(number="X-bulk", title="批量创建", content="bulk_create 的工单")])
    Ticket.objects.filter(pk__gt=0).bulk_create([Ticket(number="X-qs", title="查询集批量", content="内容")])
    assert Ticket.objects.count() == 9
    assert list(Ticket.objects.filter(search_grams__isnull=True).values_list("number", flat=True)) == []
    for t in Ticket.objects.all():
        assert _tokens(t.search_grams) == set(search.ticket_document(t).split()), t.number
    # bulk_update of a text field re-indexes too
    t = Ticket.objects.get(number="X-bulk")
    t.content = "改过的批量内容"
    Ticket.objects.bulk_update([t], ["content"])
    assert _list(city, "改过") == ["X-bulk"]


WRITE_BYPASS = re.compile(
    r"Ticket\.objects[^\n]*\.update\([^)]*\b(title|content|address)\s*=|INSERT\s+INTO\s+tickets_ticket\b",
    re.I,
)


def test_no_code_writes_ticket_text_around_save():
    # save() and the bulk methods index; a queryset update() or raw SQL of the text would not.
    root = Path(search.__file__).resolve().parents[1]
    hits = [
        f"{p.relative_to(root)}: {m.group(0)}"
        for p in root.rglob("*.py")
        if "tests" not in p.parts and "migrations" not in p.parts
        for m in WRITE_BYPASS.finditer(p.read_text(encoding="utf-8"))
    ]
    assert hits == []


def test_unindexed_rows_are_still_found_and_the_command_fills_them(city, corpus, capsys):
    Ticket.objects.update(search_grams=None)
    assert len(_list(city, "幸福路")) == 2
    call_command("tickets", "reindex-search", "--batch", "3")
    out = capsys.readouterr().out
    assert "已索引 7/7" in out and "写入 7 张" in out
    assert Ticket.objects.filter(search_grams__isnull=True).count() == 0
    assert len(_list(city, "幸福路")) == 2
    call_command("tickets", "reindex-search")
    assert "写入 0 张" in capsys.readouterr().out  # nothing left to do
    call_command("tickets", "reindex-search", "--all")
    assert "写入 7 张" in capsys.readouterr().out


# --- Property: the indexed search finds exactly what icontains finds ------------------------------

# Common Chinese characters, Latin in both cases, digits, full-width forms, spaces, punctuation and a
# few characters whose case or compatibility forms differ (ß, ı, ſ, Σ/σ/ς, é and a combining accent).
ALPHABET = (
    "路灯幸福小区噪音垃圾燃气费公交站街道号楼门口不亮请修aAbBkKzZ0123456789ＡａＢ１２ 　，。-#ßıſΣσςé\u0301"
)
texts = st.text(alphabet=ALPHABET, min_size=0, max_size=40)


def _case_mixed(s: str, flips: list[bool]) -> str:
    return "".join(c.swapcase() if f else c for c, f in zip(s, flips + [False] * len(s), strict=False))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.tuples(texts, texts, texts), min_size=1, max_size=6),
    pick=st.tuples(st.integers(0, 5), st.integers(0, 2), st.integers(0, 40), st.integers(2, 8)),
    flips=st.lists(st.booleans(), max_size=8),
    extra=texts,
)
def test_indexed_search_equals_icontains(db, rows, pick, flips, extra):
    row, field, start, length = pick
    source = rows[row % len(rows)][field]
    sub = source[start % max(1, len(source)) :][:length]
    for q in {_case_mixed(sub, flips), sub, extra[:6]}:
        q = q.strip()
        if not q:
            continue
        with transaction.atomic():
            Ticket.objects.bulk_create(
                [
                    Ticket(number=f"H{i}", title=t or "-", content=c or "-", address=a)
                    for i, (t, c, a) in enumerate(rows)
                ]
            )
            got = set(Ticket.objects.filter(search.ticket_text_q(q)).values_list("number", flat=True))
            want = set(Ticket.objects.filter(_plain(q)).values_list("number", flat=True))
            transaction.set_rollback(True)
        assert got == want, q


@pytest.fixture
def fresh_stats():
    search.forget_stats()
    yield
    search.forget_stats()


def test_common_queries_walk_the_newest_tickets_rare_ones_use_the_index(db, fresh_stats, monkeypatch):
    # The planner would take "路灯" (in every ticket) for a rare term and sort them all; the column's
    # statistics say it is common, so it keeps the plain filter, which stops after a page.
    Ticket.objects.bulk_create(
        [Ticket(number=f"L{i}", title="路灯不亮", content=f"第{i}盏路灯坏了") for i in range(40)]
        + [Ticket(number="R1", title="窨井盖", content="人行道窨井盖松动")]
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE tickets_ticket")
    monkeypatch.setattr(search, "INDEX_MAX_ROWS", 20)  # as if 10,000 of 20,000 tickets held "路灯"
    assert search.uses_index("路灯") is False
    assert search.uses_index("窨井") is POSTGRES
    assert search.uses_index("窨") is False  # one character: always the plain filter
    for q in ("路灯", "窨井", "路灯不亮", "窨井盖松"):
        got = set(Ticket.objects.filter(search.ticket_text_q(q)).values_list("number", flat=True))
        assert got == set(Ticket.objects.filter(_plain(q)).values_list("number", flat=True)) != set()


def test_the_search_page_counts_at_most_the_cap_and_says_so(client, city, corpus, monkeypatch):
    from hotline.tickets.tests.factories import PASSWORD

    assert client.login(username=city.agent.username, password=PASSWORD)
    exact = client.get("/tickets/", {"q": "幸福路"})
    assert exact.status_code == 200 and "共 2 张" in exact.content.decode()
    monkeypatch.setattr(selectors, "LIST_COUNT_CAP", 3)  # seven tickets in the corpus: more than the cap
    capped = client.get("/tickets/").content.decode()
    assert "超过 3 张，只列出前 3 张" in capped
    assert selectors.count_capped(Ticket.objects.all()) == (3, False)
    assert selectors.count_capped(Ticket.objects.filter(title="噪音扰民")) == (1, True)
