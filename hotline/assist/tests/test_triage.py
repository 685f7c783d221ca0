"""110 triage: police matters versus 12345 requests, with the reason shown to the agent."""

from __future__ import annotations

import pytest

from hotline.assist.selectors import suggestions_for
from hotline.assist.triage import NONE, POLICE, POSSIBLE, triage


@pytest.mark.parametrize(
    "text, level, reason",
    [
        ("楼下现在有人打架，有人受伤流血了，快来", POLICE, "人身伤害"),
        ("刚刚有人撬门入室，小偷还在楼里", POLICE, "盗抢"),
        ("上个月电动车被偷了，想问问进展", POSSIBLE, "盗抢"),
        ("接到电话说我涉嫌洗钱，被骗了两万元", POSSIBLE, "诈骗"),
        ("老人走失一天了，家属很着急", POSSIBLE, "人员走失"),
        ("派出所办身份证太慢，排队三个小时", NONE, ""),
        ("小区路灯坏了三天没人修", NONE, ""),
        ("我的电话是13911012345，路面坑洼请修", NONE, ""),
    ],
)
def test_rules_flag_police_matters_with_a_reason(text, level, reason):
    result = triage(text)
    assert result.level == level
    assert (reason in "；".join(result.reasons)) if reason else result.reasons == []


def test_the_model_choosing_public_security_makes_it_possibly_police():
    result = triage("楼上每天深夜有陌生人进出，很可疑", model_department="市公安局")
    assert result.level == POSSIBLE and "模型首选" in result.reasons[0]
    assert triage("办理户口迁移需要什么材料", model_department="市公安局").level == NONE


def test_labels_are_chinese():
    assert triage("现在有人持刀行凶").label == "建议转 110"
    assert triage("去年被骗了").label == "可能涉警"


@pytest.mark.django_db
def test_suggestions_carry_the_flag_even_without_a_model(data_dir):
    s = suggestions_for(title="", content="现在有人在小区门口打架，已经有人受伤")
    assert s.police is not None and s.police.level == POLICE
    assert suggestions_for(title="", content="小区路灯坏了").police is None


@pytest.mark.django_db
def test_agent_panel_shows_the_110_flag_with_its_reason(client, city, data_dir):
    from hotline.tickets.tests.factories import PASSWORD

    assert client.login(username="agent", password=PASSWORD)
    body = client.get("/assist/suggest/", {"content": "现在楼下有人持刀打人，已经有人受伤"}).content.decode()
    assert "建议转 110" in body and "人身伤害" in body and "紧急" in body
