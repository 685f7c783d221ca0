"""热线百科 in a browser: annotator submits, reviewer publishes; the agent finds, cites and dispatches;
the ticket page shows the citation; a citizen reads the public article on a phone."""

import pytest

from conftest import login, screenshot
from hotline.knowledge.models import Article, Citation
from hotline.knowledge.services import article_create
from hotline.tickets.models import Ticket
from hotline.tickets.tests.factories import PASSWORD, CategoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def leaf(city):
    top = CategoryFactory(name="住房保障", code="05")
    mid = CategoryFactory(name="公积金", code="0501", parent=top)
    return CategoryFactory(name="公积金提取", code="050101", parent=mid)


def _draft(city):
    return article_create(
        title="住房公积金租房提取办理指南",
        body="<p>职工租房自住的，可以申请提取住房公积金，每年可办理一次。</p><ul><li>身份证</li><li>租赁合同</li></ul>",
        keywords="公积金 租房 提取",
        synonyms="公基金",
        qa_pairs=[{"q": "租房提取多久到账？", "a": "一般三个工作日。"}],
        department=city.bureau,
        is_public=True,
        by=city.annotator,
    )


def test_annotator_submits_and_reviewer_publishes(page, city) -> None:
    article = _draft(city)
    login(page, "annotator", PASSWORD)
    page.goto(f"{page.base_url}/kb/")
    screenshot(page, "kb-list-annotator")
    page.click(f"text={article.title}")
    page.click("button[data-action=submit]")
    page.wait_for_selector("text=已提交审核")
    screenshot(page, "kb-article-submitted")
    page.click("text=退出")
    login(page, "reviewer", PASSWORD)
    page.goto(f"{page.base_url}/kb/{article.pk}/")
    assert page.locator("button[data-action=submit]").count() == 0
    page.click("button[data-action=review]")
    page.click("button[data-action=publish]")
    page.wait_for_selector("text=已发布。")
    screenshot(page, "kb-article-published")
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED


def test_agent_searches_cites_and_dispatches_and_the_ticket_shows_the_citation(page, city, leaf) -> None:
    article = _draft(city)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED, version=article.version + 1)
    from hotline.knowledge.services._base import changed

    changed([article.pk])
    login(page, "agent", PASSWORD)
    page.goto(f"{page.base_url}/desk/agent/")
    page.wait_for_load_state("networkidle")
    page.fill("#f-phone", "13800000002")
    page.check("input[name=type][value=consultation]", force=True)
    page.keyboard.press("Alt+C")
    page.keyboard.type("公积金提取")
    page.wait_for_selector("#category-list [role=option]")
    page.keyboard.press("Enter")
    page.fill("#f-content", "租房的话怎么提取公积金？要带什么材料？")
    # Keyboard only in the panel: Alt+K, type, ↓ to the first 引用 button, Enter.
    page.keyboard.press("Alt+K")
    page.keyboard.type("租房提取公积金")
    page.wait_for_selector("#kb-results [data-kb-cite]")
    screenshot(page, "kb-desk-results")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.kbCite") == str(article.pk)
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#kb-cited [data-kb-chip='{article.pk}']")
    assert page.input_value("input[name=cites]") == str(article.pk)
    page.keyboard.press("Alt+Z")
    page.keyboard.type("城市管理")
    page.wait_for_selector("#lead-list [role=option]")
    page.keyboard.press("Enter")
    screenshot(page, "kb-desk-cited")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#agent-done")
    ticket = Ticket.objects.get()
    assert ticket.status == Ticket.Status.DISPATCHED
    citation = Citation.objects.get()
    assert citation.article_id == article.pk and citation.event.action == "dispatch"
    page.goto(f"{page.base_url}/tickets/{ticket.number}/")
    assert article.title in page.inner_text("#citations")
    screenshot(page, "kb-ticket-citation")


def test_citizen_reads_a_public_article_on_a_phone(browser, live_server, city) -> None:
    article = _draft(city)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED, version=article.version + 1)
    from hotline.knowledge.services._base import changed

    changed([article.pk])
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/portal/kb/")
        page.fill("#q", "租房公积金怎么取")
        page.click("button[type=submit]")
        page.wait_for_selector(".portal-kb-list a")
        screenshot(page, "kb-portal-search-phone")
        page.click(".portal-kb-list a")
        page.wait_for_selector("h1")
        assert page.inner_text("h1") == article.title
        assert "一般三个工作日" in page.inner_text("article")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width  # nothing wider than the phone
        screenshot(page, "kb-portal-article-phone")
    finally:
        context.close()
