"""受理台 without a browser: bad input gets Chinese errors (never a 500), double submits make one ticket."""

import pytest

from hotline.tickets.models import Assignment, Ticket
from hotline.tickets.tests.factories import PASSWORD, CategoryFactory, make_ticket

pytestmark = pytest.mark.django_db

URL = "/desk/agent/"


@pytest.fixture
def leaf(db):
    top = CategoryFactory(name="城市管理", code="02")
    mid = CategoryFactory(name="市政设施", code="0201", parent=top)
    return CategoryFactory(name="路灯不亮", code="020101", parent=mid)


@pytest.fixture
def agent_client(client, city):
    client.login(username="agent", password=PASSWORD)
    return client


def _post(leaf, city, **over):
    data = {
        "idem": "k-1",
        "citizen_phone": "13812345678",
        "citizen_name": "李四",
        "type": "complaint",
        "category": str(leaf.pk),
        "category_q": "城市管理 › 市政设施 › 路灯不亮",
        "urgency": "normal",
        "district": city.district.code,
        "street": city.street.code,
        "address": "幸福路 12 号",
        "title": "",
        "content": "幸福路 12 号门口路灯三晚不亮。",
        "disposition": "dispatch",
        "lead": city.bureau.code,
        "assists": city.district.code,
    }
    data.update(over)
    return data


def test_agent_desk_renders_for_agent_and_refuses_department_users(client, city):
    client.login(username="agent", password=PASSWORD)
    r = client.get(URL)
    assert r.status_code == 200
    assert "受理登记" in r.content.decode() and 'class="slot' in r.content.decode()
    client.login(username="cgj", password=PASSWORD)
    assert client.get(URL).status_code == 403


def test_dispatch_creates_one_ticket_with_lead_and_assist_and_a_suggested_title(agent_client, city, leaf):
    r = agent_client.post(URL, _post(leaf, city))
    assert r.status_code == 302
    t = Ticket.objects.get()
    assert t.status == Ticket.Status.DISPATCHED and t.lead_department == city.bureau
    assert t.title.startswith("路灯不亮：幸福路")
    assert t.street == city.street and t.category == leaf
    roles = set(Assignment.objects.filter(ticket=t).values_list("department__code", "role"))
    assert roles == {(city.bureau.code, "lead"), (city.district.code, "assist")}
    # The confirmation rides on the redirect's URL (a background request saving the session after
    # the submit must not be able to lose it); a plain reload of the desk shows a fresh form.
    assert r["Location"] == f"{URL}?done={t.number}"
    page = agent_client.get(r["Location"]).content.decode()
    assert t.number in page and "data-clear-draft" in page
    assert t.number not in agent_client.get(URL).content.decode()


def test_double_submit_with_the_same_key_makes_one_ticket(agent_client, city, leaf):
    agent_client.post(URL, _post(leaf, city))
    r = agent_client.post(URL, _post(leaf, city))
    assert r.status_code == 302
    assert Ticket.objects.count() == 1
    assert Assignment.objects.count() == 2


def test_answer_now_closes_at_first_contact(agent_client, city, leaf):
    r = agent_client.post(
        URL, _post(leaf, city, disposition="answer", answer="已告知市民报修电话。", lead="")
    )
    assert r.status_code == 302
    t = Ticket.objects.get()
    assert t.status == Ticket.Status.ANSWERED and t.closed_at is not None


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"citizen_phone": ""}, "citizen_phone", "请填写来电号码"),
        ({"citizen_phone": "12ab"}, "citizen_phone", "联系电话只能包含数字"),
        ({"type": ""}, "type", "请选择诉求类型"),
        ({"type": "nonsense"}, "type", "请选择诉求类型"),
        ({"category": ""}, "category", "三级诉求分类"),
        ({"category": "999999"}, "category", "三级诉求分类"),
        ({"content": ""}, "content", "请填写诉求内容"),
        ({"content": "长" * 10_001}, "content", "不能超过 10000 个字"),
        ({"title": "题" * 201}, "title", "标题不能超过 200 个字"),
        ({"address": "址" * 301}, "address", "地址不能超过 300 个字"),
        ({"lead": ""}, "lead", "请从列表中选择主办单位"),
        ({"lead": "CENTRE"}, "lead", "请从列表中选择主办单位"),
        ({"assists": "NOPE"}, "assists", "协办单位无效"),
        ({"street": "DCQ-XX"}, "street", "街道不属于所选区县"),
        ({"disposition": ""}, "disposition", "派单"),
        ({"disposition": "answer", "answer": "  "}, "answer", "请填写答复内容"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_keeps_what_was_typed(
    agent_client, city, leaf, over, field, message
):
    data = _post(leaf, city, **over)
    data["content"] = data["content"] or ""
    r = agent_client.post(URL, data)
    body = r.content.decode()
    assert r.status_code == 400
    assert message in body
    assert 'data-server-filled="1"' in body
    if data["content"] and len(data["content"]) < 100:
        assert data["content"] in body
    assert Ticket.objects.count() == 0


def test_a_refused_dispatch_leaves_no_half_made_ticket(agent_client, city, leaf):
    city.bureau.is_active = False
    city.bureau.save()
    r = agent_client.post(URL, _post(leaf, city))
    assert r.status_code == 400
    assert Ticket.objects.count() == 0


def test_category_search_matches_pinyin_initials_and_shows_the_path(agent_client, leaf):
    r = agent_client.get("/desk/agent/categories/", {"category_q": "ldbl"})
    body = r.content.decode()
    assert r.status_code == 200 and "路灯不亮" in body and "城市管理 › 市政设施 › 路灯不亮" in body
    assert "没有匹配" in agent_client.get("/desk/agent/categories/", {"category_q": "zzzz"}).content.decode()


def test_department_search_by_pinyin_excludes_the_centre(agent_client, city):
    body = agent_client.get("/desk/agent/departments/", {"lead_q": "cg"}).content.decode()
    assert "市城市管理局" in body
    assert "热线中心" not in agent_client.get("/desk/agent/departments/", {"lead_q": "热线"}).content.decode()


def test_streets_follow_the_district(agent_client, city):
    body = agent_client.get("/desk/agent/streets/", {"district": city.district.code}).content.decode()
    assert "东华街道" in body and "西湖街道" in body
    assert "东华街道" not in agent_client.get("/desk/agent/streets/", {"district": "NOPE"}).content.decode()


def test_caller_history_and_similar_hint(agent_client, city):
    t = make_ticket(by=city.agent, citizen_phone="13800000001", address="幸福路 12 号")
    body = agent_client.get("/desk/agent/caller/", {"citizen_phone": "13800000001"}).content.decode()
    assert t.number in body and "未办结" in body
    body = agent_client.get(
        "/desk/agent/similar/", {"citizen_phone": "", "address": "幸福路 12 号"}
    ).content.decode()
    assert t.number in body and "同地址" in body
    assert agent_client.get("/desk/agent/similar/", {"citizen_phone": "1"}).content.decode().strip() == ""


def test_relate_links_and_merges_and_refuses_unknown_numbers(agent_client, city, leaf):
    old = make_ticket(by=city.agent, citizen_phone="13812345678")
    agent_client.post(URL, _post(leaf, city))
    new = Ticket.objects.exclude(pk=old.pk).get()
    r = agent_client.post(
        f"/desk/agent/{new.number}/relate/", {"other": old.number, "how": "link"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and old in new.related.all()
    assert new.events.filter(action="link").exists()
    r = agent_client.post(
        f"/desk/agent/{new.number}/relate/", {"other": "nope<script>", "how": "merge"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 404 and "<script>" not in r.content.decode()
    r = agent_client.post(
        f"/desk/agent/{new.number}/relate/", {"other": old.number, "how": "merge"}, HTTP_HX_REQUEST="true"
    )
    new.refresh_from_db()
    assert new.status == Ticket.Status.MERGED and new.parent == old
