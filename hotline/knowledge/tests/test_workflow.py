"""The article workflow: every action by the right roles only, audit events, versions, expiry, flags."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from hotline.core.errors import Conflict, InvalidInput, InvalidTransition, NotAllowed, NotFound
from hotline.knowledge.models import Article, ArticleFlag
from hotline.knowledge.selectors import articles_search
from hotline.knowledge.services import (
    article_act,
    article_create,
    article_delete,
    article_flag,
    article_publish,
    article_return,
    article_review,
    article_revise,
    article_submit,
    article_update,
    article_withdraw,
    articles_expire_due,
    flag_handle,
)
from hotline.knowledge.workflow import TRANSITIONS

pytestmark = pytest.mark.django_db
S = Article.Status


def _draft(city, **fields):
    values = {"title": "燃气泄漏应急处置", "body": "立即关闭燃气阀门，开窗通风。", "department": city.bureau}
    values.update(fields)
    return article_create(by=city.annotator, **values)


def test_annotator_submits_and_reviewer_publishes_then_agents_find_it(city) -> None:
    a = _draft(city)
    assert articles_search(query="燃气泄漏").results == []
    a = article_submit(article=a, by=city.annotator)
    a = article_review(article=a, by=city.reviewer)
    a = article_publish(article=a, by=city.reviewer)
    assert a.status == S.PUBLISHED
    assert [r.article.pk for r in articles_search(query="燃气泄漏").results] == [a.pk]
    events = list(a.events.values_list("action", "from_status", "to_status", "by__username"))
    assert events == [
        ("create", "draft", "draft", "annotator"),
        ("submit", "draft", "submitted", "annotator"),
        ("review", "submitted", "reviewed", "reviewer"),
        ("publish", "reviewed", "published", "reviewer"),
    ]


@pytest.mark.parametrize("user", ["agent", "dispatcher", "analyst", "visitor"])
def test_roles_outside_the_table_cannot_submit(city, user) -> None:
    a = _draft(city)
    with pytest.raises(NotAllowed):
        article_submit(article=a, by=city.users[user])
    assert Article.objects.get(pk=a.pk).status == S.DRAFT


def test_annotator_cannot_review_or_publish_their_own_work(city) -> None:
    a = article_submit(article=_draft(city), by=city.annotator)
    with pytest.raises(NotAllowed):
        article_review(article=a, by=city.annotator)


def test_department_users_write_only_for_their_own_department(city) -> None:
    mine = article_create(title="街道办事指南", body="正文", by=city.district_handler)
    assert mine.department == city.district
    article_submit(article=mine, by=city.district_handler)
    other = _draft(city, department=city.other_bureau)
    with pytest.raises(NotAllowed):
        article_submit(article=other, by=city.district_handler)
    with pytest.raises(NotAllowed):
        article_create(title="越权", body="正文", department=city.bureau, by=city.district_handler)
    # A street under the district belongs to the district's subtree.
    street = _draft(city, department=city.street)
    article_submit(article=street, by=city.district_handler)


def test_return_and_withdraw_need_a_reason(city, published) -> None:
    a = article_submit(article=_draft(city), by=city.annotator)
    with pytest.raises(InvalidInput) as exc:
        article_return(article=a, by=city.reviewer, note="  ")
    assert "note" in exc.value.fields
    a = article_return(article=a, by=city.reviewer, note="依据文件已更新，请改写第二段。")
    assert a.status == S.DRAFT and a.events.last().note.startswith("依据文件")
    with pytest.raises(InvalidInput):
        article_withdraw(article=published, by=city.reviewer, note="")


def test_an_action_from_the_wrong_state_is_refused_and_changes_nothing(city) -> None:
    a = _draft(city)
    with pytest.raises(InvalidTransition):
        article_publish(article=a, by=city.reviewer)
    assert Article.objects.get(pk=a.pk).version == a.version


def test_a_stale_page_gets_a_conflict(city) -> None:
    a = _draft(city)
    article_update(article=a, by=city.annotator, body="新的正文")
    with pytest.raises(Conflict):
        article_submit(article=a, by=city.annotator, version=a.version)


def test_published_articles_are_revised_not_edited_in_place(city, published) -> None:
    with pytest.raises(InvalidTransition):
        article_update(article=published, by=city.annotator, body="偷偷改")
    a = article_revise(article=published, by=city.annotator, note="政策调整")
    a = article_update(article=a, by=city.annotator, body="<p>租房提取每年可办理两次。</p>", note="次数调整")
    assert a.status == S.DRAFT
    latest, previous = list(a.versions.all()[:2])
    assert (latest.number, latest.by, latest.note) == (previous.number + 1, city.annotator, "次数调整")


def test_an_edit_that_changes_nothing_makes_no_version(city) -> None:
    a = _draft(city)
    before = a.versions.count()
    article_update(article=a, by=city.annotator, title=" 燃气泄漏应急处置 ", keywords="")
    assert a.versions.count() == before


def test_body_is_sanitised_on_every_save(city) -> None:
    a = _draft(city, body='<p onmouseover="x">正文</p><script>steal()</script>')
    assert a.body == "<p>正文</p>"
    a = article_update(article=a, by=city.annotator, body="<b>加粗</b><img src=x onerror=y>")
    assert a.body == "<b>加粗</b>"


def test_publishing_an_already_expired_article_is_refused(city) -> None:
    a = _draft(city, expires_on=timezone.localdate() - timedelta(days=1))
    article_review(article=article_submit(article=a, by=city.annotator), by=city.reviewer)
    with pytest.raises(InvalidInput) as exc:
        article_publish(article=a, by=city.reviewer)
    assert "expires_on" in exc.value.fields


def test_only_drafts_without_citations_can_be_deleted(city, published) -> None:
    with pytest.raises(NotAllowed):
        article_delete(article=published, by=city.annotator)
    draft = _draft(city)
    article_delete(article=draft, by=city.annotator)
    assert not Article.objects.filter(pk=draft.pk).exists()


def test_expiry_job_expires_past_articles_and_reminds_owners_once(city, published) -> None:
    city.bureau_handler.email = "cgj@example.org"
    city.bureau_handler.save()
    today = timezone.localdate()
    soon = article_revise(article=published, by=city.annotator)
    soon = article_update(article=soon, by=city.annotator, expires_on=today + timedelta(days=5))
    soon = article_publish(
        article=article_review(article=article_submit(article=soon, by=city.annotator), by=city.reviewer),
        by=city.reviewer,
    )
    old = _draft(city, title="旧政策")
    old = article_publish(
        article=article_review(article=article_submit(article=old, by=city.annotator), by=city.reviewer),
        by=city.reviewer,
    )
    Article.objects.filter(pk=old.pk).update(expires_on=today - timedelta(days=1))
    first = articles_expire_due(today=today)
    assert first == {"expired": 1, "reminded": 1}
    assert Article.objects.get(pk=old.pk).status == S.EXPIRED
    assert Article.objects.get(pk=soon.pk).events.filter(action="remind").count() == 1
    # Run again (twice, as two workers would): nothing more happens.
    assert articles_expire_due(today=today) == {"expired": 0, "reminded": 0}
    assert articles_expire_due(today=today) == {"expired": 0, "reminded": 0}


def test_reminder_mail_reaches_the_owner_department_after_commit(
    city, published, django_capture_on_commit_callbacks
) -> None:
    city.bureau_handler.email = "cgj@example.org"
    city.bureau_handler.save()
    Article.objects.filter(pk=published.pk).update(expires_on=timezone.localdate() + timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        articles_expire_due()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["cgj@example.org"]
    assert "即将到期" in mail.outbox[0].subject
    # A new expiry date is a new reminder.
    Article.objects.filter(pk=published.pk).update(expires_on=timezone.localdate() + timedelta(days=10))
    assert articles_expire_due()["reminded"] == 1


def test_expire_is_for_the_system_only(city, published) -> None:
    with pytest.raises(NotAllowed):
        article_act(article=published, by=city.supervisor, action="expire")


def test_agents_flag_articles_and_the_owner_or_an_annotator_handles_them(
    city, published, django_capture_on_commit_callbacks
) -> None:
    city.bureau_handler.email = "cgj@example.org"
    city.bureau_handler.save()
    city.annotator.email = "bz@example.org"
    city.annotator.save()
    with django_capture_on_commit_callbacks(execute=True):
        flag = article_flag(article=published, by=city.agent, kind="outdated", note="今年起可办理两次")
    assert sorted(mail.outbox[0].to) == ["bz@example.org", "cgj@example.org"]
    assert flag.state == ArticleFlag.State.OPEN and flag.article_version >= 1
    with pytest.raises(NotAllowed):
        flag_handle(flag=flag, by=city.other_handler, state="fixed")
    with pytest.raises(NotAllowed):
        flag_handle(flag=flag, by=city.agent, state="fixed")
    with pytest.raises(InvalidInput):
        flag_handle(flag=flag, by=city.bureau_handler, state="dismissed", reply="")
    flag = flag_handle(flag=flag, by=city.bureau_handler, state="fixed", reply="已修订")
    assert flag.handled_by == city.bureau_handler
    with pytest.raises(InvalidTransition):
        flag_handle(flag=flag, by=city.annotator, state="dismissed", reply="重复")
    assert list(published.events.filter(action__startswith="flag").values_list("action", flat=True)) == [
        "flag",
        "flag_handled",
    ]


def test_flag_input_is_checked(city, published) -> None:
    with pytest.raises(InvalidInput):
        article_flag(article=published, by=city.agent, kind="bogus")
    with pytest.raises(InvalidInput):
        article_flag(article=published, by=city.agent, kind="other", note="")
    draft = _draft(city)
    with pytest.raises(NotFound):
        article_flag(article=draft, by=city.agent, kind="wrong")


def test_every_table_action_has_a_label_and_targets_a_status() -> None:
    for action, move in TRANSITIONS.items():
        assert move.label and move.target in S.values, action
