"""智能建议 in a browser: the agent accepts a suggested department with one keystroke; the dispatch desk
accepts with one click; the supervisor board shows the hotspot panel."""

import pytest

from conftest import login, screenshot
from hotline.assist.classifier import DispatchClassifier
from hotline.assist.models import DispatchRule, ModelVersion, SuggestionLog
from hotline.tickets.models import Ticket
from hotline.tickets.tests.drive import drive
from hotline.tickets.tests.factories import PASSWORD, CategoryFactory

from .fixtures import labelled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODES = {"jtj": "CGJ", "hbj": "SJJ", "rsj": "DCQ", "jyj": "DCQ-DH", "zjj": "DCQ-XH"}
AIR = "化工厂晚上偷偷排放废气，气味刺鼻，附近居民头晕。"


@pytest.fixture
def model(settings, tmp_path, city):
    settings.DATA_DIR = tmp_path / "data"
    texts, labels = labelled()
    clf = DispatchClassifier().fit(texts, [CODES[label] for label in labels], seed=3)
    path = clf.save(settings.DATA_DIR / "models" / "dispatch-browser.joblib")
    return ModelVersion.objects.create(
        version="20260301-020000", path=str(path), active=True, training_size=100
    )


@pytest.fixture
def leaf(city):
    top = CategoryFactory(name="生态环境", code="05", level=1)
    mid = CategoryFactory(name="大气污染", code="0501", parent=top, level=2)
    return CategoryFactory(name="工业废气", code="050101", parent=mid, level=3)


def test_agent_accepts_a_suggested_department_with_one_keystroke(page, city, model, leaf):
    login(page, "agent", PASSWORD)
    page.goto(f"{page.base_url}/desk/agent/")
    page.wait_for_load_state("networkidle")
    kb = page.keyboard
    kb.type("13812345678")
    kb.press("Tab")
    kb.press("Tab")
    kb.press("3")  # 投诉
    kb.press("Alt+C")
    kb.type("gyfq")
    page.wait_for_selector("#category-list [role=option]")
    kb.press("Enter")
    kb.press("Alt+N")
    kb.type(AIR)
    page.wait_for_selector("#assist-panel [data-assist-lead]")
    screenshot(page, "assist-agent-suggestions")
    first = page.get_attribute("#assist-panel [data-assist-lead]", "data-assist-lead")
    assert first == "SJJ"
    kb.press("Alt+Shift+1")
    assert page.input_value("#intake [name=lead]") == "SJJ"
    assert page.input_value("#f-lead") == city.other_bureau.name
    page.wait_for_selector("#assist-panel [data-assist-lead='SJJ'][aria-pressed='true']")
    kb.press("Control+Enter")
    page.wait_for_selector("#agent-done")
    t = Ticket.objects.get()
    assert t.lead_department == city.other_bureau
    log = SuggestionLog.objects.get()
    assert log.outcome == "accepted" and log.desk == "agent"


def test_catalogue_rule_shows_first_with_its_reason(page, city, model, leaf):
    DispatchRule.objects.create(category=leaf, department=city.bureau, note="市政府派单目录 2026 版")
    login(page, "agent", PASSWORD)
    page.goto(f"{page.base_url}/desk/agent/")
    page.wait_for_load_state("networkidle")
    page.keyboard.press("Alt+C")
    page.keyboard.type("gyfq")
    page.wait_for_selector("#category-list [role=option]")
    page.keyboard.press("Enter")
    page.keyboard.press("Alt+N")
    page.keyboard.type(AIR)
    page.wait_for_selector("#assist-panel .assist-rule")
    assert page.get_attribute("#assist-panel [data-assist-lead]", "data-assist-lead") == "CGJ"
    assert "派单目录：工业废气（全市）" in page.inner_text("#assist-panel")
    screenshot(page, "assist-agent-catalogue-rule")


def test_dispatcher_accepts_the_suggestion_with_one_click(page, city, model):
    t = drive(city, Ticket.Status.PENDING_DISPATCH, title="化工厂夜间排放废气", content=AIR)
    drive(
        city,
        Ticket.Status.PENDING_DISPATCH,
        title="又有人反映化工厂废气",
        content="化工厂晚上排放废气，气味很刺鼻，附近居民头晕。",
        citizen_phone="13700000000",
    )
    login(page, "dispatcher", PASSWORD)
    page.goto(f"{page.base_url}/desk/dispatch/")
    page.wait_for_load_state("networkidle")
    page.click("text=疑似重复 1 张 ▸ >> nth=0")
    page.wait_for_selector(".assist-dup .hint")
    screenshot(page, "assist-dispatch-desk")
    page.click(f"form[action='/assist/dispatch/{t.number}/'] button:has-text('采用')")
    page.wait_for_load_state("networkidle")
    assert "已派单" in page.inner_text(".flash")
    t.refresh_from_db()
    assert t.status == Ticket.Status.DISPATCHED and t.lead_department == city.other_bureau
    assert SuggestionLog.objects.get().outcome == "accepted"


def _noise_on_one_road(city) -> None:
    """Two problems on one road (a construction site, a bar), told by repeat callers, and a third told
    in everyone's own words; and the same construction site once the week before."""
    from datetime import timedelta

    from django.utils import timezone

    from .test_hotspots_topics import FREELY, MUSIC, PILING

    noise = CategoryFactory(name="噪声扰民", code="ZS", level=3)
    now = timezone.now()
    texts = [(t, 1) for t in PILING + MUSIC + FREELY] + [(PILING[0], 9)]
    for i, (text, days_ago) in enumerate(texts):
        t = drive(city, Ticket.Status.PENDING_DISPATCH, category=noise, title=text[:12], content=text,
                  district=city.district, address=f"东城区幸福路{i}号", citizen_phone=f"1380000{i:04d}")  # fmt: skip
        Ticket.objects.filter(pk=t.pk).update(created_at=now - timedelta(days=days_ago, minutes=i))


def test_supervisor_board_shows_the_hotspot_panel_with_topic_words(page, city, leaf):
    _noise_on_one_road(city)
    login(page, "supervisor", PASSWORD)
    page.goto(f"{page.base_url}/desk/supervisor/")
    page.wait_for_selector("#assist-hotspots table")
    panel = page.inner_text("#assist-hotspots")
    assert "噪声扰民：" in panel and "酒吧" in panel and "工地" in panel and "（内容各异）" in panel
    page.locator("#assist-hotspots").screenshot(path=str(_shot_dir() / "assist-supervisor-hotspots.png"))


def test_hotspot_report_shows_each_topic_with_its_words_and_tickets(page, city):
    _noise_on_one_road(city)
    login(page, "analyst", PASSWORD)
    page.goto(f"{page.base_url}/assist/hotspots/")
    rows = page.locator("#h-hot ~ table tbody tr").all_inner_texts()
    assert len(rows) == 3 and all("东城区 幸福路" in r for r in rows)
    site = next(r for r in rows if "工地" in r)
    assert "\t5\t1\t×3.0" in site  # 5 now, 1 the week before: the same site
    assert sum("（内容各异）" in r for r in rows) == 1
    screenshot(page, "assist-hotspot-topics")


def _shot_dir():
    from hotline.browser import SCREENSHOT_DIR

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


def test_agent_sees_the_110_flag_with_its_reason(page, city, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"  # no model: the rules still flag
    login(page, "agent", PASSWORD)
    page.goto(f"{page.base_url}/desk/agent/")
    page.wait_for_load_state("networkidle")
    page.keyboard.press("Alt+N")
    page.keyboard.type("现在楼下有人持刀打人，已经有人受伤流血了")
    page.wait_for_selector("#assist-panel .assist-police-police")
    text = page.inner_text("#assist-panel")
    assert "建议转 110" in text and "人身伤害" in text and "尚未训练派单模型" in text
    page.locator("#assist-panel").screenshot(path=str(_shot_dir() / "assist-agent-110.png"))


def test_supervisor_reads_the_assist_stats_and_hotspot_report(page, city, model, leaf):
    t = drive(
        city,
        Ticket.Status.PENDING_DISPATCH,
        content=AIR,
        category=leaf,
        district=city.district,
        address="东城区幸福路1号",
    )
    SuggestionLog.objects.create(
        ticket=t,
        desk="agent",
        suggested=["SJJ", "CGJ"],
        top1="SJJ",
        chosen=city.other_bureau,
        outcome="accepted",
        in_top3=True,
        source="model",
    )
    login(page, "supervisor", PASSWORD)
    page.goto(f"{page.base_url}/assist/")
    assert "采纳与改选" in page.inner_text("main") and "20260301-020000" in page.inner_text("main")
    screenshot(page, "assist-stats")
    page.click("text=热点报告")
    page.wait_for_selector("h1:has-text('热点报告')")
    screenshot(page, "assist-hotspots")
