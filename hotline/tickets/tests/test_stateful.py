"""One ticket driven by random actions from random people, with the workflow's invariants checked after every step."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from unittest.mock import patch

from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from hotline.accounts.models import User
from hotline.core.calendar import get_calendar
from hotline.core.errors import InvalidInput, ServiceError
from hotline.core.workdays import SHANGHAI
from hotline.tickets import services as svc
from hotline.tickets.models import OPEN_STATUSES, Assignment, Ticket
from hotline.tickets.permissions import may_act
from hotline.tickets.services.deadlines import closed_pauses, compute_due, policy_for
from hotline.tickets.tests.factories import make_ticket
from hotline.tickets.workflow import TRANSITIONS

S = Ticket.Status
SETTINGS = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
START = datetime(2025, 9, 22, 9, 0, tzinfo=SHANGHAI)  # a Monday before National Day
CLOCK_RESTARTS = {"dispatch", "redispatch", "reopen"}
ACTIONS = sorted(TRANSITIONS)
# The moves of a ticket's ordinary life, drawn more often so that runs reach the visit and beyond.
FORWARD = [
    "submit",
    "dispatch",
    "acknowledge",
    "subdispatch",
    "reply",
    "review_approve",
    "visit",
    "return_reject",
    "extension_approve",
    "extension_reject",
    "unmerge",
    "reopen",
]
# Roles in the table that are not people with accounts.
PSEUDO = {"system", "citizen"}


class TicketMachine(RuleBasedStateMachine):
    """Each example runs inside a savepoint that teardown rolls back, so examples share only the city."""

    city: Any = None

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.now = START
        self.ticket: Ticket | None = None
        self.budget = 0
        self.seen = 0
        self.rated = False

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # -- helpers --------------------------------------------------------------------------------

    def _clock(self) -> Any:
        return patch("django.utils.timezone.now", return_value=self.now)

    def _people(self) -> list[User | None]:
        return [*self.city.users.values(), None]

    def _department_choices(self) -> list[Any]:
        c = self.city
        return [c.bureau, c.other_bureau, c.district, c.street, c.other_street]

    def _call(self, action: str, by: User | None, data: Any) -> Ticket:
        t = self.ticket
        assert t is not None
        depts = self._department_choices()
        if action in ("dispatch", "redispatch"):
            lead = data.draw(st.sampled_from(depts), label="lead")
            assists = data.draw(st.lists(st.sampled_from([d for d in depts if d != lead]), max_size=1))
            if action == "dispatch":
                return svc.ticket_dispatch(ticket=t, by=by, lead=lead, assists=assists)
            return svc.ticket_redispatch(ticket=t, by=by, lead=lead, assists=assists, note="改派")
        if action == "subdispatch":
            children = [
                d for d in depts if d.parent_id and by is not None and d.parent_id == by.department_id
            ]
            target = data.draw(st.sampled_from(children or depts) | st.sampled_from(depts), label="to")
            return svc.ticket_subdispatch(ticket=t, by=by, department=target)
        if action == "visit":
            result = data.draw(st.sampled_from(list(svc.VisitResult.LABELS)), label="result")
            return svc.ticket_visit(ticket=t, by=by, result=result, note="回访记录")
        if action == "extension_request":
            days = data.draw(st.integers(1, 5), label="days")
            return svc.ticket_extension_request(ticket=t, by=by, days=days, reason="需协调")
        if action == "rate":
            return svc.ticket_rate(ticket=t, rating="satisfied")
        calls = {
            "submit": lambda: svc.ticket_submit(ticket=t, by=by),
            "answer": lambda: svc.ticket_answer(ticket=t, by=by, answer="当场答复"),
            "acknowledge": lambda: svc.ticket_acknowledge(ticket=t, by=by),
            "assist_reply": lambda: svc.ticket_assist_reply(ticket=t, by=by, reply="协办意见"),
            "reply": lambda: svc.ticket_reply(ticket=t, by=by, reply="已办理"),
            "return_request": lambda: svc.ticket_return_request(ticket=t, by=by, reason="不属职责"),
            "return_approve": lambda: svc.ticket_return_decide(ticket=t, by=by, approve=True),
            "return_reject": lambda: svc.ticket_return_decide(ticket=t, by=by, approve=False, note="驳回"),
            "extension_approve": lambda: svc.ticket_extension_decide(ticket=t, by=by, approve=True),
            "extension_reject": lambda: svc.ticket_extension_decide(
                ticket=t, by=by, approve=False, note="驳回"
            ),
            "review_approve": lambda: svc.ticket_review(ticket=t, by=by, approve=True),
            "review_reject": lambda: svc.ticket_review(ticket=t, by=by, approve=False, note="退回"),
            "reopen": lambda: svc.ticket_reopen(ticket=t, by=by, reason="重办"),
            "urge": lambda: svc.ticket_urge(ticket=t, by=by),
            "supervise": lambda: svc.ticket_supervise(ticket=t, by=by, note="督办"),
            "merge": lambda: svc.ticket_merge(
                ticket=t, by=by, parent=make_ticket(by=self.city.agent, submit=True, title="首次来电")
            ),
            "unmerge": lambda: svc.ticket_unmerge(ticket=t, by=by),
            "invalidate": lambda: svc.ticket_invalidate(ticket=t, by=by, reason="无效"),
            "archive": lambda: svc.ticket_archive(ticket=t, by=by),
        }
        return calls[action]()

    def _permitted(self, action: str, by: User | None, t: Ticket) -> bool:
        if action == "rate":
            return t.status in TRANSITIONS["rate"].sources and not self.rated
        return may_act(by, t, action)

    def _business_refusal(self, action: str, exc: ServiceError, t: Ticket) -> bool:
        """Refusals the table cannot foresee: arguments that do not fit this ticket."""
        if action == "subdispatch" and isinstance(exc, InvalidInput):
            return True  # the drawn department is not below the acting one
        if action == "extension_request" and isinstance(exc, InvalidInput):
            return t.budget_unit == "hours"  # urgent tickets run on hours and cannot be extended
        return False

    def _take(self, action: str, by: User | None, data: Any) -> None:
        t = self.ticket
        assert t is not None
        before = Ticket.objects.get(pk=t.pk)
        permitted = self._permitted(action, by, before)
        try:
            with self._clock():
                self.ticket = self._call(action, by, data)
        except ServiceError as exc:
            after = Ticket.objects.get(pk=t.pk)
            assert after.version == before.version, f"refused {action} changed the ticket"
            assert after.status == before.status
            if permitted:
                assert self._business_refusal(action, exc, before), f"{action} by {by} refused: {exc!r}"
            return
        assert permitted, f"{action} by {by} from {before.status} should have been refused"
        if action == "rate":
            self.rated = True

    # -- rules ----------------------------------------------------------------------------------

    @initialize(
        type_=st.sampled_from([Ticket.Type.CONSULTATION, Ticket.Type.COMPLAINT]),
        urgency=st.sampled_from(list(Ticket.Urgency.values)),
        no_callback=st.booleans(),
        submit=st.booleans(),
    )
    def create(self, type_: str, urgency: str, no_callback: bool, submit: bool) -> None:
        with self._clock():
            self.ticket = make_ticket(
                by=self.city.agent, submit=submit, type=type_, urgency=urgency, no_callback=no_callback
            )

    def _time_passes(self, data: Any) -> None:
        self.now += timedelta(hours=data.draw(st.integers(min_value=0, max_value=48), label="hours later"))

    def _entitled(self, t: Ticket, action: str) -> list[User | None]:
        """People whose role the table names; for department moves, those holding the assignment first."""
        move = TRANSITIONS[action]
        people: list[User | None] = [u for u in self._people() if u is not None and u.role in move.roles]
        if move.department:
            # Only a choice of actor; whether the move is allowed is still decided by may_act in _take.
            held = Assignment.objects.filter(ticket=t, active=True, role=move.department)
            paths = list(held.values_list("department_path", flat=True))
            holders = [
                u
                for u in people
                if u is not None and u.department and any(p.startswith(u.department.path) for p in paths)
            ]
            if holders:
                return holders
        return people + ([None] if move.roles & PSEUDO else [])

    def _entitled_act(self, data: Any, actions: list[str]) -> None:
        t = Ticket.objects.get(pk=self.ticket.pk)  # type: ignore[union-attr]
        available = [a for a in actions if t.status in TRANSITIONS[a].sources]
        if not available:
            return
        self._time_passes(data)
        action = data.draw(st.sampled_from(available), label="action")
        by = data.draw(st.sampled_from(self._entitled(t, action)), label="by")
        self._take(action, by, data)

    @rule(data=st.data())
    def someone_tries_anything(self, data: Any) -> None:
        self._time_passes(data)
        action = data.draw(st.sampled_from(ACTIONS), label="action")
        by = data.draw(st.sampled_from(self._people()), label="by")
        self._take(action, by, data)

    @rule(data=st.data())
    def someone_entitled_acts(self, data: Any) -> None:
        self._entitled_act(data, ACTIONS)

    @rule(data=st.data())
    def the_work_moves_on(self, data: Any) -> None:
        self._entitled_act(data, FORWARD)

    @rule()
    def deadline_scan_runs(self) -> None:
        svc.tickets_scan_deadlines(now=self.now)

    # -- invariants -----------------------------------------------------------------------------
    # One invariant loads the ticket and its events once per step; each check below is a rule.

    @invariant()
    def workflow_invariants_hold(self) -> None:
        if self.ticket is None:
            return
        t = Ticket.objects.get(pk=self.ticket.pk)
        events = list(
            t.events.order_by("seq").values_list("seq", "action", "from_status", "to_status", "data")
        )
        self._events_replay_to_the_status_without_gaps(t, events)
        self._deadline_moves_only_by_the_clock_rules(t)
        self._budget_changes_only_by_extension_or_clock_restart(t, events)
        self._closed_ticket_says_why(t)
        self._at_most_one_active_lead_at_level_one(t)
        self._active_assignments_only_on_open_tickets(t)
        self._paused_exactly_while_a_request_is_pending(t)

    def _events_replay_to_the_status_without_gaps(self, t: Ticket, events: list[Any]) -> None:
        assert [e[0] for e in events] == list(range(1, t.version + 1))
        status = ""
        for _, action, from_status, to_status, _ in events:
            assert from_status == status, f"{action} starts from {from_status}, not {status}"
            status = to_status
        assert status == t.status

    def _deadline_moves_only_by_the_clock_rules(self, t: Ticket) -> None:
        if t.clock_started_at is None:
            assert t.due_at is None
            return
        expected = compute_due(
            started_at=t.clock_started_at,
            budget=t.budget,
            unit=t.budget_unit,
            pauses=closed_pauses(t),
            calendar=get_calendar(),
        )
        assert t.due_at == expected
        assert t.warn_at is not None and t.warn_at <= t.due_at

    def _budget_changes_only_by_extension_or_clock_restart(self, t: Ticket, events: list[Any]) -> None:
        for seq, action, _, _, data in events[self.seen :]:
            if action in CLOCK_RESTARTS or (action == "visit" and data.get("reopened")):
                self.budget = policy_for(t).budget
            elif action == "extension_approve":
                self.budget += data["days"]
            self.seen = seq
        assert t.budget == self.budget

    def _closed_ticket_says_why(self, t: Ticket) -> None:
        if t.status == S.CLOSED:
            assert t.visit_result or t.close_reason

    def _at_most_one_active_lead_at_level_one(self, t: Ticket) -> None:
        leads = list(
            Assignment.objects.filter(ticket=t, active=True, role="lead", level=1).values_list(
                "department_id", flat=True
            )
        )
        assert len(leads) <= 1
        if t.status in (S.DISPATCHED, S.ACKNOWLEDGED, S.RETURN_PENDING, S.EXTENSION_PENDING, S.REPLIED):
            assert leads == [t.lead_department_id]

    def _active_assignments_only_on_open_tickets(self, t: Ticket) -> None:
        # The inboxes count active assignments without looking at the ticket (selectors.department_inbox).
        if t.assignments.filter(active=True).exists():
            assert t.status in OPEN_STATUSES, f"active assignment on a {t.status} ticket"

    def _paused_exactly_while_a_request_is_pending(self, t: Ticket) -> None:
        pending = t.status in (S.RETURN_PENDING, S.EXTENSION_PENDING)
        assert (t.paused_since is not None) == pending
        assert t.requests.filter(state="pending").count() == int(pending)


def test_ticket_workflow_keeps_its_invariants_under_random_actions(city):
    TicketMachine.city = city
    try:
        run_state_machine_as_test(TicketMachine, settings=SETTINGS)
    finally:
        TicketMachine.city = None
