"""Suggestions: the dispatch catalogue wins over the model; choices are logged as accepted or overridden."""

from __future__ import annotations

import pytest

from hotline.accounts.models import Department
from hotline.assist.models import DispatchRule, SuggestionLog
from hotline.assist.selectors import parse_shown, suggestion_stats, suggestions_for, suggestions_many
from hotline.assist.services import dispatch_model_train, suggestion_record, ticket_dispatch_suggested
from hotline.tickets.models import Ticket
from hotline.tickets.tests.factories import make_ticket

pytestmark = pytest.mark.django_db

AIR = ("化工厂排放废气", "晚上气味刺鼻，附近居民头晕")


@pytest.fixture
def trained(data_dir, history):
    dispatch_model_train(seed=1)
    return history


def test_model_suggests_departments_and_categories_top3(trained):
    s = suggestions_for(title=AIR[0], content=AIR[1])
    assert [d.code for d in s.departments][0] == "hbj"
    assert len(s.departments) == 3 and all(d.source == "model" for d in s.departments)
    probs = [d.probability for d in s.departments]
    assert probs == sorted(probs, reverse=True)
    assert s.categories[0].category.code == "Z1-hbj" and len(s.categories) == 3


def test_catalogue_rule_wins_over_the_model(trained):
    cats, depts = trained["categories"], trained["departments"]
    DispatchRule.objects.create(category=cats["hbj"], department=depts["zjj"])
    s = suggestions_for(title=AIR[0], content=AIR[1], category=cats["hbj"])
    assert s.departments[0].code == "zjj" and s.departments[0].source == "rule"
    assert "派单目录" in s.departments[0].reason
    assert s.departments[1].code == "hbj"  # the model's first choice follows
    assert len({d.code for d in s.departments}) == 3


def test_a_district_rule_wins_over_the_citywide_rule(trained):
    cats, depts = trained["categories"], trained["departments"]
    district = Department.objects.create(name="东城区", code="DCQ", kind=Department.Kind.COUNTY)
    west = Department.objects.create(name="西城区", code="XCQ", kind=Department.Kind.COUNTY)
    DispatchRule.objects.create(category=cats["hbj"], department=depts["zjj"])
    DispatchRule.objects.create(category=cats["hbj"], district=district, department=depts["rsj"])
    assert (
        suggestions_for(title=AIR[0], content="", category=cats["hbj"], district=district).codes[0] == "rsj"
    )
    assert suggestions_for(title=AIR[0], content="", category=cats["hbj"], district=west).codes[0] == "zjj"


def test_inactive_rules_do_not_apply(trained):
    cats, depts = trained["categories"], trained["departments"]
    DispatchRule.objects.create(category=cats["hbj"], department=depts["zjj"], is_active=False)
    assert suggestions_for(title=AIR[0], content=AIR[1], category=cats["hbj"]).codes[0] == "hbj"


def test_rules_apply_even_without_a_model(data_dir, history):
    cats, depts = history["categories"], history["departments"]
    DispatchRule.objects.create(category=cats["jyj"], department=depts["jyj"])
    s = suggestions_for(title="", content="", category=cats["jyj"])
    assert s.codes == ["jyj"] and s.departments[0].probability is None


def test_suggestions_for_many_texts_match_one_at_a_time(trained):
    texts = [("公司拖欠工资三个月", None, None), ("学校乱收费", None, None), ("", None, None)]
    many = suggestions_many(texts)
    assert many[0].codes == suggestions_for(title="公司拖欠工资三个月", content="").codes
    assert many[2].departments == []


def test_shown_field_round_trips_and_garbage_is_ignored(trained):
    s = suggestions_for(title=AIR[0], content=AIR[1])
    version, source, codes = parse_shown(s.shown)
    assert version == s.version and source == "model" and codes == s.codes
    assert parse_shown("x") == ("", "", [])
    assert parse_shown("") == ("", "", [])


def test_dispatch_with_a_suggestion_logs_accept_and_override(city, data_dir):
    t1 = make_ticket(by=city.agent, submit=True)
    t2 = make_ticket(by=city.agent, submit=True)
    shown = ("v1", "model", [city.bureau.code, city.other_bureau.code])
    ticket_dispatch_suggested(ticket=t1, by=city.dispatcher, lead=city.bureau, shown=shown)
    ticket_dispatch_suggested(ticket=t2, by=city.dispatcher, lead=city.other_bureau, shown=shown)
    logs = {log.ticket_id: log for log in SuggestionLog.objects.all()}
    assert logs[t1.pk].outcome == "accepted" and logs[t1.pk].in_top3
    assert logs[t2.pk].outcome == "overridden" and logs[t2.pk].in_top3
    assert Ticket.objects.get(pk=t1.pk).status == Ticket.Status.DISPATCHED
    stats = suggestion_stats()
    assert stats["total"] == 2 and stats["rows"][0]["accept_rate"] == 0.5


def test_nothing_is_logged_when_no_suggestion_was_shown(city, data_dir):
    t = make_ticket(by=city.agent, submit=True)
    ticket_dispatch_suggested(ticket=t, by=city.dispatcher, lead=city.bureau)
    assert not SuggestionLog.objects.exists()
    assert suggestion_record(ticket=t, desk="agent", chosen=city.bureau, by=None, codes=[]) is None


def test_real_accuracy_compares_the_first_suggestion_with_the_completing_department(city, data_dir):
    t = make_ticket(by=city.agent, submit=True)
    suggestion_record(ticket=t, desk="dispatch", chosen=city.bureau, by=None, source="model", codes=["CGJ"])
    Ticket.objects.filter(pk=t.pk).update(completing_department=city.other_bureau)
    stats = suggestion_stats()
    assert stats["final_n"] == 1 and stats["final_suggested"] == 0.0 and stats["final_chosen"] == 0.0
