"""市民门户 without a browser: bad input, challenge, limits and codes get clear Chinese answers, never a 500."""

import re

import pytest

from hotline.intake.challenge import challenge_new
from hotline.intake.codes import code_check, code_hash
from hotline.intake.selectors import public_timeline
from hotline.intake.tests.conftest import solve
from hotline.tickets import services as svc
from hotline.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _form(**over):
    ch = challenge_new()
    data = {
        "type": "complaint",
        "content": "幸福路 12 号门口的路灯连续三晚不亮。",
        "district": "",
        "address": "幸福路 12 号",
        "name": "王芳",
        "phone": "13912345678",
        "challenge_token": ch.token,
        "challenge_question": ch.question,
        "challenge_answer": solve(ch.question),
    }
    data.update(over)
    return data


def _submit(client, **over):
    return client.post("/portal/submit/", _form(**over), REMOTE_ADDR=over.pop("addr", "10.0.0.1"))


def _codes(response):
    body = response.content.decode()
    number = re.search(r'id="ticket-number">(\d+)<', body).group(1)
    code = re.search(r'id="query-code">([A-Z0-9-]+)<', body).group(1)
    return number, code


def test_public_pages_render_without_an_account(client):
    for url in ("/portal/", "/portal/submit/", "/portal/track/"):
        r = client.get(url)
        assert r.status_code == 200 and 'class="portal"' in r.content.decode()
        assert "工单查询" not in r.content.decode()  # no staff navigation


def test_submission_creates_a_web_ticket_waiting_for_dispatch_with_a_hashed_code(client, city):
    r = _submit(client, district=city.district.code)
    assert r.status_code == 200
    number, code = _codes(r)
    t = Ticket.objects.get(number=number)
    assert t.status == Ticket.Status.PENDING_DISPATCH and t.channel == Ticket.Channel.WEB
    assert t.district == city.district and t.title.startswith("投诉：")
    assert code.replace("-", "") not in t.query_code_hash and code_check(t.query_code_hash, code)
    assert "no-store" in r["Cache-Control"]


def test_anonymous_submission_keeps_no_name_and_needs_no_phone(client, city):
    r = _submit(client, anonymous="on", name="王芳", phone="")
    t = Ticket.objects.get(number=_codes(r)[0])
    assert t.anonymous and t.citizen_name == "" and t.no_callback


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"type": ""}, "请选择诉求类型"),
        ({"type": "spam"}, "请选择诉求类型"),
        ({"content": ""}, "请填写诉求内容"),
        ({"content": "灯"}, "诉求内容太短"),
        ({"content": "长" * 2001}, "诉求内容不能超过 2000 个字"),
        ({"content": "长" * 50_000}, "诉求内容不能超过 2000 个字"),
        ({"address": "址" * 201}, "地址不能超过 200 个字"),
        ({"name": ""}, "请填写联系人姓名"),
        ({"name": "名" * 31}, "姓名不能超过 30 个字"),
        ({"phone": ""}, "请填写联系电话"),
        ({"phone": "12345"}, "请填写正确的手机号"),
        ({"phone": "<b>x</b>"}, "请填写正确的手机号"),
    ],
)
def test_bad_fields_are_refused_in_chinese_and_keep_the_text(client, city, over, message):
    r = _submit(client, **over)
    body = r.content.decode()
    assert r.status_code == 400 and message in body
    assert 'data-server-filled="1"' in body and "<b>x</b>" not in body
    assert Ticket.objects.count() == 0
    if over.get("content", "x") and len(over.get("content", "x")) < 100:
        assert _form(**over)["content"] in body


def test_correct_answer_is_kept_when_another_field_is_wrong(client, city):
    data = _form(content="")
    r = client.post("/portal/submit/", data)
    assert r.status_code == 400
    assert data["challenge_token"] in r.content.decode()
    data["content"] = "路灯不亮已经三天了。"
    assert client.post("/portal/submit/", data).status_code == 200


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"challenge_answer": "999"}, "验证题答案不正确"),
        ({"challenge_answer": "abc"}, "请用数字填写"),
        ({"challenge_answer": ""}, "请用数字填写"),
        ({"challenge_token": "forged"}, "验证题无效"),
        ({"challenge_token": ""}, "验证题无效"),
        ({"website": "http://spam.example"}, "验证未通过"),
    ],
)
def test_bad_challenge_is_refused_with_a_new_question(client, city, over, message):
    data = _form(**over)
    r = client.post("/portal/submit/", data)
    body = r.content.decode()
    assert r.status_code == 400 and message in body
    assert Ticket.objects.count() == 0
    if over.get("challenge_token") != "":
        assert f'value="{data["challenge_token"]}"' not in body  # a fresh question


def test_full_width_digits_are_accepted_as_the_answer(client, city):
    data = _form()
    data["challenge_answer"] = "".join(chr(ord(c) + 0xFEE0) for c in data["challenge_answer"])
    assert client.post("/portal/submit/", data).status_code == 200


def test_a_double_submit_makes_one_ticket(client, city):
    data = _form()
    first = client.post("/portal/submit/", data)
    second = client.post("/portal/submit/", data)
    assert first.status_code == 200 and second.status_code == 409
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().number in second.content.decode() and "已提交过" in second.content.decode()


def test_submissions_are_rate_limited_per_address(client, city, settings):
    settings.PORTAL_SUBMIT_LIMIT = 2
    assert _submit(client, addr="10.0.0.9").status_code == 200
    assert _submit(client, addr="10.0.0.9", challenge_answer="999").status_code == 400
    r = _submit(client, addr="10.0.0.9")
    assert r.status_code == 429 and "提交过于频繁" in r.content.decode()
    assert _submit(client, addr="10.0.0.10").status_code == 200
    assert Ticket.objects.count() == 2


def test_tracking_needs_the_right_code_and_unknown_numbers_get_the_same_answer(client, city):
    number, code = _codes(_submit(client))
    client.post(f"/portal/track/{number}/forget/")
    assert client.get(f"/portal/track/{number}/").status_code == 302  # no access without the code
    wrong = client.post("/portal/track/", {"number": number, "code": "AAAA-AAAA"})
    unknown = client.post("/portal/track/", {"number": "2099010100001", "code": code})
    for r in (wrong, unknown):
        assert r.status_code == 400 and "工单编号或查询码不正确" in r.content.decode()
        assert "幸福路" not in r.content.decode() and "139" not in r.content.decode()
    empty = client.post("/portal/track/", {"number": "", "code": ""})
    assert empty.status_code == 400 and "请填写工单编号和查询码" in empty.content.decode()
    ok = client.post("/portal/track/", {"number": number, "code": code.lower().replace("-", " ")})
    assert ok.status_code == 302
    page = client.get(f"/portal/track/{number}/").content.decode()
    assert "幸福路 12 号门口" in page and "139****5678" in page and "13912345678" not in page


def test_agent_tickets_have_no_code_and_cannot_be_tracked(client, city):
    from hotline.tickets.tests.factories import make_ticket

    t = make_ticket(by=city.agent)
    r = client.post("/portal/track/", {"number": t.number, "code": ""})
    assert r.status_code == 400
    r = client.post("/portal/track/", {"number": t.number, "code": "ABCDEFGH"})
    assert r.status_code == 400 and "工单编号或查询码不正确" in r.content.decode()


def test_guesses_are_throttled_per_address_and_per_number(client, city, settings):
    settings.PORTAL_TRACK_LIMIT = 3
    number, code = _codes(_submit(client))
    for _ in range(3):
        client.post("/portal/track/", {"number": number, "code": "WRONGONE"}, REMOTE_ADDR="10.1.1.1")
    r = client.post("/portal/track/", {"number": number, "code": code}, REMOTE_ADDR="10.1.1.1")
    assert r.status_code == 429 and "查询失败次数过多" in r.content.decode()
    # Another address guessing the same number is held back too.
    r = client.post("/portal/track/", {"number": number, "code": code}, REMOTE_ADDR="10.1.1.2")
    assert r.status_code == 429


def _close(ticket, city):
    t = svc.ticket_dispatch(ticket=ticket, by=city.dispatcher, lead=city.bureau)
    t = svc.ticket_acknowledge(ticket=t, by=city.bureau_handler)
    t = svc.ticket_reply(ticket=t, by=city.bureau_handler, reply="已更换灯泡，路灯恢复照明。")
    t = svc.ticket_review(ticket=t, by=city.reviewer, approve=True)
    return svc.ticket_visit(ticket=t, by=city.visitor, result="satisfied")


def test_rating_only_after_closure_and_only_once(client, city):
    number, _ = _codes(_submit(client))
    t = Ticket.objects.get(number=number)
    r = client.post(f"/portal/track/{number}/rate/", {"rating": "satisfied"})
    assert r.status_code == 400 and "办结后才能评价" in r.content.decode()
    _close(t, city)
    r = client.post(f"/portal/track/{number}/rate/", {"rating": "great"})
    assert r.status_code == 400 and "请选择评价" in r.content.decode()
    r = client.post(f"/portal/track/{number}/rate/", {"rating": "satisfied", "comment": "长" * 501})
    assert r.status_code == 400 and "评价意见不能超过 500 个字" in r.content.decode()
    r = client.post(f"/portal/track/{number}/rate/", {"rating": "basically_satisfied", "comment": "修得挺快"})
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.citizen_rating == "basically_satisfied" and t.citizen_rating_comment == "修得挺快"
    event = t.events.get(action="rate")
    assert event.actor is None and event.actor_role == "citizen" and event.to_status == Ticket.Status.CLOSED
    r = client.post(f"/portal/track/{number}/rate/", {"rating": "unsatisfied"})
    assert r.status_code == 400 and "只能评价一次" in r.content.decode()


def test_rating_without_access_goes_to_the_track_form(client, city):
    number, _ = _codes(_submit(client))
    client.post(f"/portal/track/{number}/forget/")
    r = client.post(f"/portal/track/{number}/rate/", {"rating": "satisfied"})
    assert r.status_code == 302 and "/portal/track/?number=" in r["Location"]


def test_public_timeline_hides_staff_and_unapproved_replies(client, city):
    number, _ = _codes(_submit(client))
    t = Ticket.objects.get(number=number)
    t = svc.ticket_dispatch(ticket=t, by=city.dispatcher, lead=city.bureau, note="内部意见：请速办")
    t = svc.ticket_acknowledge(ticket=t, by=city.bureau_handler)
    t = svc.ticket_reply(ticket=t, by=city.bureau_handler, reply="初稿答复")
    t = svc.ticket_review(ticket=t, by=city.reviewer, approve=False, note="请补充")
    t = svc.ticket_reply(ticket=t, by=city.bureau_handler, reply="已修复路灯。")
    t = svc.ticket_review(ticket=t, by=city.reviewer, approve=True)
    texts = [s.text for s in public_timeline(t)]
    labels = [s.label for s in public_timeline(t)]
    assert "已修复路灯。" in texts and "初稿答复" not in texts
    assert "已转交承办单位：市城市管理局" in labels
    page = client.get(f"/portal/track/{number}/").content.decode()
    assert (
        "内部意见" not in page and str(city.dispatcher) not in page and str(city.bureau_handler) not in page
    )


def test_code_hash_is_salted():
    assert code_hash("ABCDEFGH") != code_hash("ABCDEFGH")
    assert code_check(code_hash("ABCDEFGH"), "abcd-efgh") and not code_check("", "ABCDEFGH")
