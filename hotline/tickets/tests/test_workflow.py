"""The transition table, enforced: every action by every role, from every state, plus the department rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hotline.accounts.models import Role, User
from hotline.core.errors import InvalidInput, InvalidTransition, NotAllowed, NotFound
from hotline.tickets import services as svc
from hotline.tickets.models import Assignment, Ticket
from hotline.tickets.permissions import may_act, ticket_visible_to
from hotline.tickets.services._base import transition
from hotline.tickets.tests.drive import assert_events_gapless, drive, event_actions
from hotline.tickets.tests.factories import make_ticket
from hotline.tickets.workflow import CITIZEN, SYSTEM, TRANSITIONS

S = Ticket.Status

# One city user per role; department roles work in the district, which leads the dispatched work.
ROLE_USER = {
    Role.AGENT: "agent",
    Role.DISPATCHER: "dispatcher",
    Role.REVIEWER: "reviewer",
    Role.DEPT_HANDLER: "district_handler",
    Role.DEPT_MANAGER: "district_manager",
    Role.VISIT_AGENT: "visitor",
    Role.QA_INSPECTOR: "qa",
    Role.SUPERVISOR: "supervisor",
    Role.ANALYST: "analyst",
    Role.ANNOTATOR: "annotator",
    Role.HR: "hr",
    Role.ADMIN: "admin",
}
# Every actor the table can name: the roles, periodic jobs, and the citizen on the portal.
ALL_ACTORS = [*Role.values, SYSTEM, CITIZEN]


def test_every_role_has_a_city_user():
    assert set(ROLE_USER) == set(Role.values)


def _user(city: Any, actor: str) -> User | None:
    return None if actor in (SYSTEM, CITIZEN) else city.users[ROLE_USER[actor]]


def _rate(t: Ticket, actor: str, by: User | None) -> Ticket:
    if actor == CITIZEN:
        return svc.ticket_rate(ticket=t, rating="satisfied", comment="办得好")
    # The portal service always acts as the citizen; check the table refuses everybody else too.
    return transition(t, by=by, action="rate", apply=lambda x: (x.status, [], {}))


def _call(action: str, city: Any, t: Ticket, actor: str) -> Ticket:
    """Take `action` on `t` as `actor` with valid arguments."""
    by = _user(city, actor)
    if actor == CITIZEN and action != "rate":
        # The citizen has no account; the portal could only reach a move through `role=CITIZEN`.
        return transition(t, by=None, role=CITIZEN, action=action, apply=lambda x: (x.status, [], {}))
    calls: dict[str, Callable[[], Ticket]] = {
        "submit": lambda: svc.ticket_submit(ticket=t, by=by),
        "answer": lambda: svc.ticket_answer(ticket=t, by=by, answer="营业时间为工作日 9:00–17:00。"),
        "dispatch": lambda: svc.ticket_dispatch(ticket=t, by=by, lead=city.bureau),
        "redispatch": lambda: svc.ticket_redispatch(ticket=t, by=by, lead=city.other_bureau, note="职责不符"),
        "acknowledge": lambda: svc.ticket_acknowledge(ticket=t, by=by),
        "subdispatch": lambda: svc.ticket_subdispatch(ticket=t, by=by, department=city.street),
        "assist_reply": lambda: svc.ticket_assist_reply(ticket=t, by=by, reply="配合核查完毕。"),
        "reply": lambda: svc.ticket_reply(ticket=t, by=by, reply="已维修。"),
        "return_request": lambda: svc.ticket_return_request(ticket=t, by=by, reason="不属本单位职责"),
        "return_approve": lambda: svc.ticket_return_decide(ticket=t, by=by, approve=True),
        "return_reject": lambda: svc.ticket_return_decide(ticket=t, by=by, approve=False, note="属于职责"),
        "extension_request": lambda: svc.ticket_extension_request(ticket=t, by=by, days=3, reason="需施工"),
        "extension_approve": lambda: svc.ticket_extension_decide(ticket=t, by=by, approve=True),
        "extension_reject": lambda: svc.ticket_extension_decide(
            ticket=t, by=by, approve=False, note="不同意"
        ),
        "review_approve": lambda: svc.ticket_review(ticket=t, by=by, approve=True),
        "review_reject": lambda: svc.ticket_review(ticket=t, by=by, approve=False, note="答复不完整"),
        "visit": lambda: svc.ticket_visit(ticket=t, by=by, result="satisfied"),
        "reopen": lambda: svc.ticket_reopen(ticket=t, by=by, reason="市民反映仍未解决"),
        "urge": lambda: svc.ticket_urge(ticket=t, by=by, note="请尽快办理"),
        "supervise": lambda: svc.ticket_supervise(ticket=t, by=by, note="重点督办"),
        "merge": lambda: svc.ticket_merge(
            ticket=t, by=by, parent=make_ticket(by=city.agent, submit=True, title="首次来电")
        ),
        "unmerge": lambda: svc.ticket_unmerge(ticket=t, by=by),
        "invalidate": lambda: svc.ticket_invalidate(ticket=t, by=by, reason="测试电话"),
        "archive": lambda: svc.ticket_archive(ticket=t, by=by),
        "rate": lambda: _rate(t, actor, by),
    }
    assert set(calls) == set(TRANSITIONS), "every action in the table needs a call here"
    return calls[action]()


def _setup(city: Any, action: str) -> dict[str, Any]:
    # For assist_reply the district must be the assisting department, not the lead.
    if action == "assist_reply":
        return {"lead": city.bureau, "assists": [city.district]}
    return {"lead": city.district}


def _expected_refusal(by: User | None, ticket: Ticket) -> type[Exception]:
    if by is not None and by.is_department_user and not ticket_visible_to(by, ticket):
        return NotFound
    return NotAllowed


ACTION_SOURCES = [(a, s) for a, move in TRANSITIONS.items() for s in sorted(move.sources)]


@pytest.mark.parametrize(
    ("action", "source"), ACTION_SOURCES, ids=[f"{a}-from-{s}" for a, s in ACTION_SOURCES]
)
def test_action_is_allowed_exactly_for_the_roles_in_the_table(city, action, source):
    move = TRANSITIONS[action]
    setup = _setup(city, action)
    refused_on = drive(city, source, **setup)
    for role in ALL_ACTORS:
        by = _user(city, role)
        if role in move.roles:
            t = drive(city, source, **setup)
            if role != CITIZEN:
                assert may_act(by, t, action), f"{role} should be offered {action}"
            done = _call(action, city, t, role)
            assert done.status in move.targets
            assert event_actions(done)[-1] == action
            assert_events_gapless(done)
        else:
            if role != CITIZEN:
                assert not may_act(by, refused_on, action), f"{role} must not be offered {action}"
            version = Ticket.objects.get(pk=refused_on.pk).version
            with pytest.raises(_expected_refusal(by, refused_on)):
                _call(action, city, refused_on, role)
            after = Ticket.objects.get(pk=refused_on.pk)
            assert (after.status, after.version) == (source, version), f"refused {role} changed the ticket"


def _first_allowed(action: str) -> str:
    """An actor allowed by role: a centre role or job when there is one, else the lead department's handler."""
    roles = TRANSITIONS[action].roles
    for actor in ALL_ACTORS:
        if actor in roles and actor not in (Role.DEPT_HANDLER, Role.DEPT_MANAGER):
            return actor
    return Role.DEPT_HANDLER


@pytest.mark.parametrize("state", S.values)
def test_actions_from_states_outside_their_sources_are_invalid_transitions(city, state):
    t = drive(city, state)
    version = t.version
    wrong = []
    for action, move in TRANSITIONS.items():
        if state in move.sources:
            continue
        actor = _first_allowed(action)
        by = _user(city, actor)
        # A department user who cannot see the ticket is told it does not exist, whatever its state.
        expected = NotFound if by is not None and not ticket_visible_to(by, t) else InvalidTransition
        try:
            _call(action, city, t, actor)
        except expected:
            pass
        except Exception as exc:  # noqa: BLE001 - collect every mismatch for one readable failure
            wrong.append(f"{action}: {type(exc).__name__} {exc}")
        else:
            wrong.append(f"{action}: succeeded")
    assert wrong == []
    t.refresh_from_db()
    assert (t.status, t.version) == (state, version)


# -- department rules -------------------------------------------------------------------------


def test_department_that_is_not_lead_cannot_acknowledge_or_reply(city):
    t = drive(city, S.DISPATCHED, lead=city.bureau, assists=[city.district])
    with pytest.raises(NotFound):
        svc.ticket_acknowledge(ticket=t, by=city.other_handler)  # not involved at all
    with pytest.raises(NotAllowed):
        svc.ticket_acknowledge(ticket=t, by=city.district_handler)  # assisting, not leading
    with pytest.raises(NotAllowed):
        svc.ticket_acknowledge(ticket=t, by=city.district_manager)
    t = svc.ticket_acknowledge(ticket=t, by=city.bureau_handler)
    with pytest.raises(NotFound):
        svc.ticket_reply(ticket=t, by=city.other_handler, reply="已处理")
    with pytest.raises(NotAllowed):
        svc.ticket_reply(ticket=t, by=city.district_handler, reply="已处理")
    with pytest.raises(NotAllowed):
        svc.ticket_return_request(ticket=t, by=city.district_handler, reason="不归我们")
    with pytest.raises(NotAllowed):
        svc.ticket_extension_request(ticket=t, by=city.district_handler, days=2, reason="忙")
    assert Ticket.objects.get(pk=t.pk).status == S.ACKNOWLEDGED


def test_assisting_department_can_assist_reply_but_not_reply(city):
    t = drive(city, S.ACKNOWLEDGED, lead=city.bureau, assists=[city.district])
    t = svc.ticket_assist_reply(ticket=t, by=city.district_handler, reply="已配合清理。")
    assert t.status == S.ACKNOWLEDGED
    assist = Assignment.objects.get(ticket=t, role=Assignment.Role.ASSIST)
    assert (assist.state, assist.reply) == (Assignment.State.REPLIED, "已配合清理。")
    with pytest.raises(NotAllowed):
        svc.ticket_reply(ticket=t, by=city.district_handler, reply="已办结")
    # The lead is not an assisting department.
    with pytest.raises(NotAllowed):
        svc.ticket_assist_reply(ticket=t, by=city.bureau_handler, reply="意见")
    # A street below the assisting district speaks for it only once the work is passed down; it
    # cannot be, because only a lead may subdispatch.
    with pytest.raises(NotFound):
        svc.ticket_assist_reply(ticket=t, by=city.other_handler, reply="意见")


def test_assisting_department_may_give_its_opinion_while_a_request_is_pending(city):
    t = drive(city, S.RETURN_PENDING, lead=city.bureau, assists=[city.district])
    t = svc.ticket_assist_reply(ticket=t, by=city.district_manager, reply="建议由区里办理。")
    assert t.status == S.RETURN_PENDING


def test_subdispatch_goes_only_to_a_child_department(city):
    t = drive(city, S.ACKNOWLEDGED, lead=city.district)
    for wrong in (city.other_bureau, city.district, city.bureau):
        with pytest.raises(InvalidInput):
            svc.ticket_subdispatch(ticket=t, by=city.district_handler, department=wrong)
    with pytest.raises(InvalidInput):
        svc.ticket_subdispatch(ticket=t, by=city.district_handler, department=city.centre)
    assert Ticket.objects.get(pk=t.pk).version == t.version
    t = svc.ticket_subdispatch(ticket=t, by=city.district_handler, department=city.street)
    child = Assignment.objects.get(ticket=t, level=2)
    assert (child.department, child.role, child.state) == (
        city.street,
        Assignment.Role.LEAD,
        Assignment.State.ACKNOWLEDGED,
    )
    assert child.parent.department == city.district
    # A city bureau has no streets below it.
    b = drive(city, S.ACKNOWLEDGED, lead=city.bureau)
    with pytest.raises(InvalidInput):
        svc.ticket_subdispatch(ticket=b, by=city.bureau_handler, department=city.street)


def test_street_cannot_pass_work_back_up_to_its_district(city):
    t = drive(city, S.ACKNOWLEDGED, lead=city.district)
    t = svc.ticket_subdispatch(ticket=t, by=city.district_handler, department=city.street)
    with pytest.raises(InvalidInput):
        svc.ticket_subdispatch(ticket=t, by=city.street_handler, department=city.district)
    with pytest.raises(InvalidInput):
        svc.ticket_subdispatch(ticket=t, by=city.street_handler, department=city.other_street)


def test_street_handler_cannot_act_before_the_district_passes_the_work_down(city):
    t = drive(city, S.DISPATCHED, lead=city.district)
    with pytest.raises(NotFound):
        svc.ticket_acknowledge(ticket=t, by=city.street_handler)
    t = svc.ticket_acknowledge(ticket=t, by=city.district_handler)
    with pytest.raises(NotFound):
        svc.ticket_reply(ticket=t, by=city.street_handler, reply="已处理")


def test_street_handler_replies_to_work_subdispatched_to_it(city):
    t = drive(city, S.ACKNOWLEDGED, lead=city.district)
    t = svc.ticket_subdispatch(ticket=t, by=city.district_handler, department=city.street)
    with pytest.raises(NotFound):
        svc.ticket_reply(ticket=t, by=city.other_street_handler, reply="已处理")
    t = svc.ticket_reply(ticket=t, by=city.street_handler, reply="街道已修复路灯。")
    assert t.status == S.REPLIED
    states = set(Assignment.objects.filter(ticket=t, active=True).values_list("department__code", "state"))
    assert states == {("DCQ", Assignment.State.REPLIED), ("DCQ-DH", Assignment.State.REPLIED)}
    reply_event = t.events.order_by("-seq").first()
    assert reply_event.actor == city.street_handler


def test_district_handler_can_act_on_work_subdispatched_to_its_street(city):
    t = drive(city, S.ACKNOWLEDGED, lead=city.district)
    t = svc.ticket_subdispatch(ticket=t, by=city.district_handler, department=city.street)
    assert may_act(city.district_handler, t, "reply")
    t = svc.ticket_extension_request(ticket=t, by=city.district_handler, days=2, reason="等街道施工")
    t = svc.ticket_extension_decide(ticket=t, by=city.dispatcher, approve=True)
    t = svc.ticket_reply(ticket=t, by=city.district_manager, reply="区里确认街道已处理。")
    assert t.status == S.REPLIED
    assert t.completing_department == city.district


def test_other_street_never_sees_a_siblings_work(city):
    t = drive(city, S.ACKNOWLEDGED, lead=city.district)
    t = svc.ticket_subdispatch(ticket=t, by=city.district_handler, department=city.street)
    for action in TRANSITIONS:
        assert not may_act(city.other_street_handler, t, action)
    with pytest.raises(NotFound):
        svc.ticket_urge(ticket=t, by=city.other_street_handler)


def test_system_may_only_submit_urge_and_archive(city):
    allowed = {a for a, m in TRANSITIONS.items() if SYSTEM in m.roles}
    assert allowed == {"submit", "urge", "archive"}
    assert {a for a, m in TRANSITIONS.items() if CITIZEN in m.roles} == {"rate"}
    t = drive(city, S.ACKNOWLEDGED)
    with pytest.raises(NotAllowed):
        svc.ticket_reply(ticket=t, by=None, reply="自动答复")  # type: ignore[arg-type]


def test_inactive_department_cannot_receive_work(city):
    city.other_bureau.is_active = False
    city.other_bureau.save()
    t = drive(city, S.PENDING_DISPATCH)
    with pytest.raises(InvalidInput):
        svc.ticket_dispatch(ticket=t, by=city.dispatcher, lead=city.other_bureau)
    with pytest.raises(InvalidInput):
        svc.ticket_dispatch(ticket=t, by=city.dispatcher, lead=city.centre)
    with pytest.raises(InvalidInput):
        svc.ticket_dispatch(ticket=t, by=city.dispatcher, lead=city.bureau, assists=[city.bureau])
    assert Ticket.objects.get(pk=t.pk).status == S.PENDING_DISPATCH
    assert not Assignment.objects.filter(ticket=t).exists()
