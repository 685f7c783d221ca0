"""Browser flows across the desks: dispatch, department handling, review, visit; returns, extensions, bulk."""

from __future__ import annotations

import struct
import zlib

import pytest

from conftest import login, screenshot
from hotline.tickets import services as svc
from hotline.tickets.models import Ticket
from hotline.tickets.tests.drive import drive
from hotline.tickets.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Ticket.Status


def png_bytes() -> bytes:
    """A real 1×1 PNG, so the attachment check (content must match the extension) accepts it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


def switch_user(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username, PASSWORD)


def flash(page) -> str:
    return page.inner_text(".flash")


def fresh(ticket: Ticket) -> Ticket:
    ticket.refresh_from_db()
    return ticket


def test_dispatcher_dispatches_a_pending_ticket_inline(page, city):
    web = drive(city, S.PENDING_DISPATCH, title="网站来信：幸福路路灯不亮", channel=Ticket.Channel.WEB)
    drive(city, S.PENDING_DISPATCH, title="微信来信：垃圾清运不及时", channel=Ticket.Channel.WECHAT)
    switch_user(page, "dispatcher")
    page.goto(f"{page.base_url}/desk/dispatch/")
    assert "待派单" in page.inner_text(".tabs") and "网站" in page.inner_text("table")
    screenshot(page, "desk-dispatch-pending")
    page.select_option(f"select[aria-label='{web.number} 派往单位']", city.district.code)
    page.click(f"tr:has(a:text('{web.number}')) button:has-text('派单')")
    page.wait_for_load_state("networkidle")
    assert f"已派单：{web.number}" in flash(page)
    assert page.url.endswith("/desk/dispatch/")
    assert web.number not in page.inner_text("table")
    t = fresh(web)
    assert t.status == S.DISPATCHED and t.lead_department == city.district


def test_department_handles_a_ticket_to_review_and_visit(page, city):
    t = drive(city, S.DISPATCHED, citizen_phone="13912345678")
    # The district signs for it and passes it down to a street.
    switch_user(page, "dcq")
    page.goto(f"{page.base_url}/desk/department/")
    assert page.locator(f"#row-{t.number} time[data-due]").get_attribute("class") in ("due-ok", "due-warn")
    page.click(f"#row-{t.number} button:has-text('签收')")
    assert f"已签收：{t.number}" in flash(page)
    page.click(f"#row-{t.number} [data-toggle]")
    page.select_option(f"#detail-{t.number} select[name=department]", city.street.code)
    screenshot(page, "desk-department-handling")
    page.click(f"#detail-{t.number} button:has-text('二次派单')")
    assert f"已二次派单：{t.number}" in flash(page)

    # The street replies with a photo.
    switch_user(page, "dh")
    page.goto(f"{page.base_url}/desk/department/")
    assert "东华街道" in page.inner_text(f"#row-{t.number}")
    page.click(f"#row-{t.number} [data-toggle]")
    page.fill(f"#reply-{t.number}", "已联系路灯所更换灯泡，当晚恢复照明。")
    page.set_input_files(
        f"#files-{t.number}", files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.click(f"#detail-{t.number} button:has-text('提交答复')")
    assert f"已办结答复：{t.number}" in flash(page)
    t = fresh(t)
    assert t.status == S.REPLIED and t.attachments.count() == 1

    # The reviewer reads the reply and approves it.
    switch_user(page, "reviewer")
    page.goto(f"{page.base_url}/desk/dispatch/?tab=replies")
    row = page.locator(f"tr:has(a:text('{t.number}'))")
    assert "当晚恢复照明" in row.inner_text() and "现场照片.png" in row.inner_text()
    screenshot(page, "desk-dispatch-replies")
    row.locator("button:has-text('通过')").click()
    page.wait_for_load_state("networkidle")
    assert f"已审核通过：{t.number}" in flash(page)
    assert fresh(t).status == S.PENDING_VISIT

    # The visit agent looks up the number (audited) and records 满意.
    switch_user(page, "visitor")
    page.goto(f"{page.base_url}/desk/visit/")
    row = page.locator(f"#visit-{t.number}")
    assert "139****5678" in row.inner_text()
    row.locator("button:has-text('显示号码')").click()
    page.wait_for_selector(f"#cz-{t.number} :text('13912345678')")
    screenshot(page, "desk-visit")
    row.get_by_role("radio", name="满意", exact=True).check()
    row.locator("button:has-text('保存')").click()
    page.wait_for_load_state("networkidle")
    assert f"已回访：{t.number}" in flash(page)
    t = fresh(t)
    assert t.status == S.CLOSED and t.visit_result == "satisfied"


def test_unsatisfied_visit_needs_a_note_and_reopens(page, city):
    t = drive(city, S.PENDING_VISIT)
    switch_user(page, "visitor")
    page.goto(f"{page.base_url}/desk/visit/")
    row = page.locator(f"#visit-{t.number}")
    row.get_by_role("radio", name="不满意").check()
    row.locator("button:has-text('保存')").click()
    # The browser stops the form: the note became required.
    assert fresh(t).status == S.PENDING_VISIT
    row.locator("input[name=note]").fill("市民表示路灯仍然不亮")
    row.locator("button:has-text('保存')").click()
    page.wait_for_load_state("networkidle")
    assert f"已回访：{t.number}" in flash(page)
    t = fresh(t)
    assert t.status == S.DISPATCHED and t.reopen_count == 1


def test_return_is_requested_approved_and_redispatched(page, city):
    t = drive(city, S.DISPATCHED)
    switch_user(page, "dcq")
    page.goto(f"{page.base_url}/desk/department/")
    page.click(f"#row-{t.number} [data-toggle]")
    page.fill(f"#detail-{t.number} input[name=reason]", "路灯由市城市管理局负责维护")
    page.fill(f"#detail-{t.number} input[name=legal_basis]", "市城管局三定方案")
    page.click(f"#detail-{t.number} button:has-text('申请退单')")
    assert f"已申请退单：{t.number}" in flash(page)
    assert fresh(t).status == S.RETURN_PENDING

    switch_user(page, "dispatcher")
    page.goto(f"{page.base_url}/desk/dispatch/?tab=returns")
    row = page.locator(f"tr:has(a:text('{t.number}'))")
    assert "市城管局三定方案" in row.inner_text() and "东城区" in row.inner_text()
    screenshot(page, "desk-dispatch-returns")
    row.locator("button:has-text('同意退单')").click()
    page.wait_for_load_state("networkidle")
    assert f"已同意退单：{t.number}" in flash(page)
    assert fresh(t).status == S.PENDING_DISPATCH

    page.goto(f"{page.base_url}/desk/dispatch/?tab=pending")
    row = page.locator(f"tr:has(a:text('{t.number}'))")
    assert "退回 1 次" in row.inner_text()
    row.locator("select[name=lead]").select_option(city.bureau.code)
    row.locator("button:has-text('派单')").click()
    page.wait_for_load_state("networkidle")
    t = fresh(t)
    assert t.status == S.DISPATCHED and t.lead_department == city.bureau and t.return_count == 1


def test_extension_is_requested_and_approved_moving_the_deadline(page, city):
    t = drive(city, S.ACKNOWLEDGED)
    before = t.due_at
    switch_user(page, "dcq")
    page.goto(f"{page.base_url}/desk/department/?tab=doing")
    page.click(f"#row-{t.number} [data-toggle]")
    page.fill(f"#detail-{t.number} input[name=days]", "3")
    page.fill(f"#detail-{t.number} input[name=reason]", "需等待第三方检测报告")
    page.click(f"#detail-{t.number} button:has-text('申请延期')")
    assert f"已申请延期：{t.number}" in flash(page)
    # It left the 办理中 list for 延期·退单审核中, where the clock shows as paused.
    assert t.number not in page.inner_text("table")
    page.click(".tabs a:has-text('延期·退单审核中')")
    page.wait_for_selector(f"#row-{t.number}")
    assert "计时暂停" in page.inner_text(f"#row-{t.number}")

    switch_user(page, "reviewer")
    page.goto(f"{page.base_url}/desk/dispatch/?tab=extensions")
    row = page.locator(f"tr:has(a:text('{t.number}'))")
    assert "3 个工作日" in row.inner_text() and "需等待第三方检测报告" in row.inner_text()
    screenshot(page, "desk-dispatch-extensions")
    row.locator("button:has-text('同意延期')").click()
    page.wait_for_load_state("networkidle")
    assert f"已同意延期：{t.number}" in flash(page)
    t = fresh(t)
    assert t.status == S.ACKNOWLEDGED and t.due_at > before and t.budget == 2 + 3


def test_reject_needs_a_reason_before_it_is_sent(page, city):
    t = drive(city, S.REPLIED)
    switch_user(page, "reviewer")
    page.goto(f"{page.base_url}/desk/dispatch/?tab=replies")
    row = page.locator(f"tr:has(a:text('{t.number}'))")
    row.locator("button:has-text('退回')").click()
    assert page.url.endswith("?tab=replies") and fresh(t).status == S.REPLIED
    assert row.locator("input[name=note]").evaluate("el => el.validationMessage") == "请填写退回理由"
    row.locator("input[name=note]").fill("未说明处理结果，请补充")
    row.locator("button:has-text('退回')").click()
    page.wait_for_load_state("networkidle")
    assert f"已审核退回：{t.number}" in flash(page)
    assert fresh(t).status == S.ACKNOWLEDGED


def test_stale_desk_shows_a_conflict_and_the_current_state(page, city):
    t = drive(city, S.PENDING_DISPATCH)
    switch_user(page, "dispatcher")
    page.goto(f"{page.base_url}/desk/dispatch/")
    svc.ticket_dispatch(ticket=t, by=city.supervisor, lead=city.bureau)  # someone else, meanwhile
    page.select_option(f"select[aria-label='{t.number} 派往单位']", city.district.code)
    page.click(f"tr:has(a:text('{t.number}')) button:has-text('派单')")
    page.wait_for_load_state("networkidle")
    assert "已被他人处理" in flash(page) and "/desk/dispatch/" in page.url
    assert t.number not in page.inner_text("table")
    assert fresh(t).lead_department == city.bureau


def test_department_user_sees_only_its_own_tickets(page, city):
    mine = drive(city, S.DISPATCHED, lead=city.other_bureau, title="预付卡退费")
    theirs = drive(city, S.DISPATCHED, lead=city.district, title="占道经营")
    switch_user(page, "sjj")
    page.goto(f"{page.base_url}/desk/department/")
    table = page.inner_text("table")
    assert mine.number in table and theirs.number not in table
    response = page.goto(f"{page.base_url}/tickets/{theirs.number}/")
    assert response is not None and response.status == 404


def test_bulk_acknowledge_then_bulk_approve(page, city):
    tickets = [drive(city, S.DISPATCHED, title=f"批量工单 {i}") for i in range(3)]
    switch_user(page, "dcq")
    page.goto(f"{page.base_url}/desk/department/?tab=pending")
    page.check("[data-select-all='bulk-ack']")
    assert page.inner_text("[data-selected-count='bulk-ack']") == "3"
    screenshot(page, "desk-department-bulk")
    page.click("#bulk-ack button:has-text('批量签收')")
    page.wait_for_load_state("networkidle")
    assert "批量签收成功 3 张" in flash(page)
    for t in tickets:
        assert fresh(t).status == S.ACKNOWLEDGED
        svc.ticket_reply(ticket=fresh(t), by=city.district_handler, reply="已处理。")

    switch_user(page, "reviewer")
    page.goto(f"{page.base_url}/desk/dispatch/?tab=replies")
    for t in tickets[:2]:
        page.check(f"input[name=numbers][value='{t.number}']")
    page.click("#bulk-approve button:has-text('批量审核通过')")
    page.wait_for_load_state("networkidle")
    assert "批量审核通过成功 2 张" in flash(page)
    assert [fresh(t).status for t in tickets] == [S.PENDING_VISIT, S.PENDING_VISIT, S.REPLIED]


def test_manager_overview_and_supervisor_overview_render(page, city):
    from datetime import timedelta

    from django.utils import timezone

    late = drive(city, S.ACKNOWLEDGED)
    Ticket.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=30))
    drive(city, S.DISPATCHED, lead=city.bureau)
    drive(city, S.PENDING_DISPATCH)
    switch_user(page, "dcq-mgr")
    page.goto(f"{page.base_url}/desk/department/overview/")
    assert "东华街道" in page.inner_text("table") and late.number in page.inner_text("#h-overdue + table")
    screenshot(page, "desk-department-overview")

    switch_user(page, "supervisor")
    page.goto(f"{page.base_url}/desk/supervisor/")
    page.wait_for_selector("#chart-daily svg")
    page.wait_for_selector("#chart-departments svg")
    assert "话务监控" in page.inner_text(".slot >> nth=0")
    screenshot(page, "desk-supervisor")
    # Many desks: the bar keeps the first ones and the current page, the rest are under 更多.
    page.click(".navmore summary")
    more = page.locator(".navmore-list a")
    assert more.count() >= 1 and more.first.is_visible()
    screenshot(page, "nav-more-open")
    page.click(".navmore summary")
    row = page.locator(f"tr:has(a:text('{late.number}'))").first
    row.locator(".supervise-form input[name=note]").fill("请区领导协调，今日内答复")
    row.locator("button:has-text('督办')").click()
    page.wait_for_load_state("networkidle")
    assert f"已督办：{late.number}" in flash(page)
    assert fresh(late).supervised
