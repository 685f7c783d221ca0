"""The 热线百科 panel on the agent desk: search, cite on answer/dispatch, flags, the ticket page, 引用率."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hotline.knowledge.models import ArticleFlag, Citation, SearchLog
from hotline.knowledge.selectors import citation_rate, search_gaps
from hotline.knowledge.services import article_create
from hotline.tickets.models import Ticket
from hotline.tickets.tests.factories import PASSWORD, CategoryFactory, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaf(city):
    top = CategoryFactory(name="住房保障", code="05")
    mid = CategoryFactory(name="公积金", code="0501", parent=top)
    return CategoryFactory(name="公积金提取", code="050101", parent=mid)


@pytest.fixture
def agent_client(client, city):
    client.login(username="agent", password=PASSWORD)
    return client


def _intake(leaf, **extra):
    data = {
        "idem": "form-key-1",
        "citizen_phone": "13800000001",
        "type": "consultation",
        "category": str(leaf.pk),
        "content": "想问租房怎么提取公积金。",
    }
    data.update(extra)
    return data


def test_panel_search_highlights_and_logs_against_the_form(agent_client, published) -> None:
    r = agent_client.get("/kb/desk/search/", {"kb_q": "租房提取公积金", "idem": "form-key-1"})
    assert r.status_code == 200
    html = r.content.decode()
    assert published.title in html.replace("<mark>", "").replace("</mark>", "") and "<mark>" in html
    assert f'data-kb-cite="{published.pk}"' in html
    log = SearchLog.objects.get()
    assert (log.form_key, log.results, log.top_article, log.cited) == ("form-key-1", 1, published, False)


def test_answer_with_citations_stores_them_on_the_ticket_and_its_answer_event(
    agent_client, city, leaf, published
) -> None:
    agent_client.get("/kb/desk/search/", {"kb_q": "公积金", "idem": "form-key-1"})
    r = agent_client.post(
        "/desk/agent/",
        _intake(leaf, do_answer="1", answer="租房提取每年一次。", cites=f"{published.pk},x,{published.pk}"),
    )
    assert r.status_code == 302
    ticket = Ticket.objects.get()
    c = Citation.objects.get()
    assert (c.ticket, c.article, c.kind, c.by) == (ticket, published, "answer", city.agent)
    assert c.event == ticket.events.get(action="answer") and c.article_version >= 1
    log = SearchLog.objects.get()
    assert log.cited and log.ticket == ticket
    page = agent_client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "引用的热线百科" in page and published.title in page and "直接答复时引用" in page


def test_dispatch_with_a_citation_links_the_dispatch_event(agent_client, city, leaf, published) -> None:
    r = agent_client.post("/desk/agent/", _intake(leaf, do_dispatch="1", lead="CGJ", cites=str(published.pk)))
    assert r.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.status == Ticket.Status.DISPATCHED
    assert Citation.objects.get().event == ticket.events.get(action="dispatch")


def test_citing_an_unpublished_article_keeps_the_form_and_creates_nothing(agent_client, city, leaf) -> None:
    draft = article_create(title="草稿文章", body="未审核", by=city.annotator)
    r = agent_client.post(
        "/desk/agent/", _intake(leaf, do_answer="1", answer="答复内容", cites=str(draft.pk))
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "已不在发布状态" in html and "答复内容" in html and "想问租房怎么提取公积金" in html
    assert not Ticket.objects.exists() and not Citation.objects.exists()


def test_a_ticket_without_citations_says_so_and_closes_its_searches_uncited(
    agent_client, leaf, published
) -> None:
    agent_client.get("/kb/desk/search/", {"kb_q": "噪音扰民", "idem": "form-key-1"})
    agent_client.post("/desk/agent/", _intake(leaf, do_answer="1", answer="已解释。"))
    ticket = Ticket.objects.get()
    assert not ticket.citations.exists()
    log = SearchLog.objects.get()
    assert log.ticket == ticket and not log.cited
    assert "未引用百科文章" in agent_client.get(f"/tickets/{ticket.number}/").content.decode()


def test_citation_rate_counts_tickets_with_at_least_one_citation(agent_client, city, leaf, published) -> None:
    agent_client.post("/desk/agent/", _intake(leaf, do_answer="1", answer="a", cites=str(published.pk)))
    agent_client.post("/desk/agent/", _intake(leaf, idem="form-key-2", do_answer="1", answer="b"))
    make_ticket(by=city.agent)  # a draft from elsewhere counts in the denominator
    now = timezone.now()
    rate = citation_rate(start=now - timedelta(hours=1), end=now + timedelta(hours=1))
    assert (rate.cited, rate.total) == (1, 3) and abs(rate.rate - 1 / 3) < 1e-9
    assert citation_rate(start=now + timedelta(days=1), end=now + timedelta(days=2)).rate is None


def test_searched_but_nothing_cited_report_groups_queries(agent_client, leaf, published) -> None:
    for q in ("噪音扰民", " 噪音扰民 ", "公积金"):
        agent_client.get("/kb/desk/search/", {"kb_q": q, "idem": "k9"})
    agent_client.get("/kb/desk/search/", {"kb_q": "公积金", "idem": "form-key-1"})
    agent_client.post("/desk/agent/", _intake(leaf, do_answer="1", answer="a", cites=str(published.pk)))
    now = timezone.now()
    gaps = search_gaps(start=now - timedelta(hours=1), end=now + timedelta(hours=1))
    assert [(g["normalized"], g["searches"]) for g in gaps] == [("噪音扰民", 2), ("公积金", 1)]


def test_agent_flags_an_article_from_the_panel(agent_client, city, published) -> None:
    form = agent_client.get(f"/kb/desk/{published.pk}/flag/form/")
    assert form.status_code == 200 and "提交纠错" in form.content.decode()
    bad = agent_client.post(f"/kb/desk/{published.pk}/flag/", {"kind": "other", "note": ""})
    assert bad.status_code == 400 and "请写明问题" in bad.content.decode()
    ok = agent_client.post(f"/kb/desk/{published.pk}/flag/", {"kind": "outdated", "note": "已改为两次"})
    assert ok.status_code == 200 and "已反馈" in ok.content.decode()
    assert ArticleFlag.objects.get().by == city.agent


@pytest.mark.parametrize(
    ("query", "expect"),
    [
        ("", "请输入"),
        ("   ", "请输入"),
        ("公积金" * 200, "问题过长"),
        ("<script>alert(1)</script>", "没有"),
        ("' OR 1=1; DROP TABLE knowledge_article; --", "没有"),
        ("😀🙏🏻", "没有可查找的文字"),
    ],
)
def test_panel_bad_input_gets_a_clear_message(agent_client, published, query, expect) -> None:
    r = agent_client.get("/kb/desk/search/", {"kb_q": query})
    assert r.status_code == 200
    html = r.content.decode()
    assert expect in html and "<script>" not in html


def test_panel_refuses_ten_thousand_plus_characters_with_a_message(agent_client, published) -> None:
    r = agent_client.get("/kb/desk/search/", {"kb_q": "公" * 10_001})
    assert r.status_code == 200 and "输入过长" in r.content.decode()
    assert not SearchLog.objects.exists()


def test_ten_thousand_characters_still_find_the_article(agent_client, published) -> None:
    r = agent_client.get("/kb/desk/search/", {"kb_q": ("租房提取公积金" + "。" * 50)[:60] + "啊" * 9_900})
    assert r.status_code == 200 and f'data-kb-cite="{published.pk}"' in r.content.decode()
