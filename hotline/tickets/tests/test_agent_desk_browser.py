"""受理台 in a browser: keyboard-only intake, answer now, errors and reloads keep the text, similar-ticket merge."""

import re

import pytest

from conftest import login, screenshot
from hotline.tickets.models import Ticket
from hotline.tickets.tests.factories import PASSWORD, CategoryFactory, make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def leaf(city):
    top = CategoryFactory(name="城市管理", code="02")
    mid = CategoryFactory(name="市政设施", code="0201", parent=top)
    CategoryFactory(name="道路破损", code="020102", parent=mid)
    return CategoryFactory(name="路灯不亮", code="020101", parent=mid)


def _open_desk(page):
    login(page, "agent", PASSWORD)
    page.goto(f"{page.base_url}/desk/agent/")
    page.wait_for_load_state("networkidle")


def test_agent_records_and_dispatches_a_ticket_with_the_keyboard_only(page, city, leaf):
    _open_desk(page)
    screenshot(page, "agent-desk-empty")
    kb = page.keyboard
    assert page.evaluate("document.activeElement.id") == "f-phone"
    kb.type("13812345678")
    page.wait_for_selector("#caller-panel:has-text('首次来电')")
    kb.press("Tab")
    kb.type("李四")
    kb.press("Tab")  # into the type group
    kb.press("3")  # 投诉
    kb.press("Alt+C")
    kb.type("ldbl")
    page.wait_for_selector("#category-list [role=option]")
    screenshot(page, "agent-desk-category-picker")
    kb.press("Enter")
    assert page.input_value("#f-category") == "城市管理 › 市政设施 › 路灯不亮"
    kb.press("Alt+Q")
    kb.press("ArrowDown")  # 东城区
    page.wait_for_selector("#f-street option:has-text('东华街道')", state="attached")
    kb.press("Tab")
    kb.press("ArrowDown")  # 东华街道
    kb.press("Tab")
    kb.type("幸福路 12 号")
    kb.press("Alt+N")
    kb.type("幸福路 12 号小区门口路灯连续三晚不亮，夜里行人看不清路。")
    kb.press("Alt+Z")
    kb.type("cgj")
    page.wait_for_selector("#lead-list [role=option]")
    kb.press("Tab")  # picks the highlighted unit and moves on to 协办
    kb.type("东城")
    page.wait_for_selector("#assist-list [role=option]")
    kb.press("Enter")
    assert "东城区" in page.inner_text("[data-chips]")
    screenshot(page, "agent-desk-filled")
    kb.press("Control+Enter")
    page.wait_for_selector("#agent-done")
    t = Ticket.objects.get()
    assert t.status == Ticket.Status.DISPATCHED and t.lead_department == city.bureau
    assert t.type == Ticket.Type.COMPLAINT and t.category == leaf and t.street == city.street
    assert t.assignments.filter(department=city.district, role="assist").exists()
    assert t.number in page.inner_text("#agent-done")
    assert page.evaluate("document.activeElement.id") == "f-phone"
    assert page.input_value("#f-content") == ""
    assert page.evaluate("localStorage.getItem('agent-intake')") is None
    screenshot(page, "agent-desk-dispatched")


def _pick_category(page, query="ldbl"):
    page.keyboard.press("Alt+C")
    page.keyboard.type(query)
    page.wait_for_selector("#category-list [role=option]")
    page.keyboard.press("Enter")


def test_answer_now_closes_the_ticket_at_first_contact(page, city, leaf):
    _open_desk(page)
    page.keyboard.type("13900001111")
    page.check("input[name=type][value=consultation]", force=True)
    _pick_category(page)
    page.fill("#f-content", "咨询路灯报修电话。")
    page.keyboard.press("Alt+A")
    assert page.evaluate("document.activeElement.id") == "f-answer"
    page.keyboard.type("已告知市民城管热线报修方式，市民表示清楚。")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#agent-done")
    t = Ticket.objects.get()
    assert t.status == Ticket.Status.ANSWERED
    assert t.events.filter(action="answer").exists()
    assert "直接答复" in page.inner_text("#agent-done")
    screenshot(page, "agent-desk-answered")


def test_validation_error_keeps_everything_typed(page, city, leaf):
    _open_desk(page)
    page.keyboard.type("13900002222")
    page.check("input[name=type][value=help]", force=True)
    page.fill("#f-address", "建设路 8 号")
    page.fill("#f-content", "楼道灯坏了一个月，老人夜里摔倒过。")
    page.fill("#f-answer", "")
    page.keyboard.press("Alt+N")
    page.keyboard.press("Control+Enter")  # no category, no lead department
    page.wait_for_selector("[role=alert]")
    assert "请从列表中选择三级诉求分类" in page.inner_text("body")
    assert "请从列表中选择主办单位" in page.inner_text("body")
    assert page.input_value("#f-content") == "楼道灯坏了一个月，老人夜里摔倒过。"
    assert page.input_value("#f-phone") == "13900002222"
    assert page.input_value("#f-address") == "建设路 8 号"
    assert page.is_checked("input[name=type][value=help]")
    assert page.get_attribute("#f-category", "aria-invalid") == "true"
    screenshot(page, "agent-desk-validation-error")
    assert Ticket.objects.count() == 0
    # Fixing the two fields is enough; the same form key still makes exactly one ticket.
    _pick_category(page)
    page.keyboard.press("Alt+Z")
    page.keyboard.type("城市")
    page.wait_for_selector("#lead-list [role=option]")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#agent-done")
    assert Ticket.objects.get().content == "楼道灯坏了一个月，老人夜里摔倒过。"


def test_reload_restores_the_draft(page, city, leaf):
    _open_desk(page)
    page.keyboard.type("13900003333")
    page.check("input[name=type][value=suggestion]", force=True)
    _pick_category(page)
    page.select_option("#f-district", city.district.code)
    page.wait_for_selector("#f-street option:has-text('西湖街道')", state="attached")
    page.select_option("#f-street", city.other_street.code)
    page.fill("#f-content", "建议在学府路增设公交站点。")
    page.keyboard.press("Alt+Z")
    page.keyboard.type("cgj")
    page.wait_for_selector("#lead-list [role=option]")
    page.keyboard.press("Enter")
    page.wait_for_timeout(100)
    page.reload()
    page.wait_for_load_state("networkidle")
    assert "已恢复未提交的草稿" in page.inner_text("[data-draft-status]")
    assert page.input_value("#f-phone") == "13900003333"
    assert page.input_value("#f-content") == "建议在学府路增设公交站点。"
    assert page.is_checked("input[name=type][value=suggestion]")
    assert page.input_value("#f-category") == "城市管理 › 市政设施 › 路灯不亮"
    page.wait_for_function("document.getElementById('f-street').value === 'DCQ-XH'")
    assert page.input_value("#f-lead") == "市城市管理局"
    screenshot(page, "agent-desk-draft-restored")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#agent-done")
    t = Ticket.objects.get()
    assert t.street == city.other_street and t.lead_department == city.bureau


def test_similar_open_ticket_is_hinted_and_merge_works(page, city, leaf):
    old = make_ticket(by=city.agent, citizen_phone="13900004444", address="幸福路 12 号", submit=True)
    _open_desk(page)
    page.keyboard.type("13900004444")
    page.keyboard.press("Tab")
    page.wait_for_selector("#similar .hint")
    assert old.number in page.inner_text("#similar") and "同号码" in page.inner_text("#similar")
    page.wait_for_selector("#caller-panel:has-text('未办结')")
    page.check("input[name=type][value=complaint]", force=True)
    _pick_category(page)
    page.fill("#f-address", "幸福路 12 号")
    page.fill("#f-content", "路灯还是不亮，再次反映。")
    page.keyboard.press("Alt+Z")
    page.keyboard.type("cgj")
    page.wait_for_selector("#lead-list [role=option]")
    page.keyboard.press("Enter")
    screenshot(page, "agent-desk-similar-hint")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#agent-done .similar")
    screenshot(page, "agent-desk-similar-after-create")
    new = Ticket.objects.exclude(pk=old.pk).get()
    page.click("#agent-done button:has-text('并入此单')")
    page.wait_for_selector("#agent-done:has-text('已并入')")
    new.refresh_from_db()
    assert new.status == Ticket.Status.MERGED and new.parent_id == old.pk
    assert not new.assignments.filter(active=True).exists()
    assert page.evaluate("document.activeElement.id") == "f-phone"
    assert re.search(r"已并入\s*" + old.number, page.inner_text("#agent-done"))
    screenshot(page, "agent-desk-merged")
