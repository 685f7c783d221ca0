"""One article driven by random actions from random people; the table, the audit trail and the index agree."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from hotline.core.errors import ServiceError
from hotline.knowledge.index import PROCESS_INDEX
from hotline.knowledge.models import Article
from hotline.knowledge.permissions import may_act, may_edit
from hotline.knowledge.services import article_act, article_create, article_update
from hotline.knowledge.workflow import TRANSITIONS

SETTINGS = settings(
    max_examples=30,
    stateful_step_count=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
PEOPLE = ["annotator", "reviewer", "supervisor", "agent", "bureau_handler", "other_handler", "system"]


class ArticleMachine(RuleBasedStateMachine):
    city: Any = None

    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        PROCESS_INDEX.reset()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)
        PROCESS_INDEX.reset()

    @initialize()
    def make(self) -> None:
        c = self.city
        self.article = article_create(
            title="异地就医备案流程", body="先办理备案再就医。", department=c.bureau, by=c.annotator
        )
        self.status = Article.Status.DRAFT
        self.done = 1  # the create event

    def _user(self, who: str) -> Any:
        return None if who == "system" else self.city.users[who]

    @rule(action=st.sampled_from(sorted(TRANSITIONS)), who=st.sampled_from(PEOPLE))
    def act(self, action: str, who: str) -> None:
        by = self._user(who)
        current = Article.objects.select_related("department").get(pk=self.article.pk)
        expected = may_act(by, current, action)
        try:
            article_act(article=current, by=by, action=action, note="原因说明")
        except ServiceError:
            assert not expected, (action, who, self.status)
            return
        assert expected, (action, who, self.status)
        self.status = TRANSITIONS[action].target
        self.done += 1

    @rule(who=st.sampled_from(PEOPLE[:-1]), text=st.sampled_from(["备案后可直接结算。", "<b>线上</b>备案。"]))
    def edit(self, who: str, text: str) -> None:
        by = self._user(who)
        current = Article.objects.select_related("department").get(pk=self.article.pk)
        allowed = may_edit(by, current)
        try:
            updated = article_update(article=current, by=by, body=text)
        except ServiceError:
            assert not allowed
            return
        assert allowed
        if updated.version != current.version:
            self.done += 1

    @invariant()
    def agrees(self) -> None:
        if not hasattr(self, "article"):
            return
        a = Article.objects.get(pk=self.article.pk)
        assert a.status == self.status
        events = list(a.events.order_by("at", "id"))
        assert len(events) == self.done
        # Replaying the status changes of the audit trail gives the stored status.
        state = Article.Status.DRAFT
        for e in events:
            if e.action in TRANSITIONS:
                assert e.from_status == state
                state = e.to_status
        assert state == a.status
        with PROCESS_INDEX.lock:
            engine = PROCESS_INDEX.current()
            assert engine.version(a.pk) == a.version


def test_article_workflow_state_machine(city) -> None:
    ArticleMachine.city = city
    run_state_machine_as_test(ArticleMachine, settings=SETTINGS)
