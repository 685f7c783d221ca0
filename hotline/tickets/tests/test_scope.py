"""Department users see only tickets assigned to their subtree: one rule for list, detail, search and inbox."""

from __future__ import annotations

from typing import Any

import pytest

from hotline.core.errors import NotAllowed, NotFound
from hotline.tickets import selectors
from hotline.tickets import services as svc
from hotline.tickets.models import Assignment, Ticket
from hotline.tickets.permissions import tickets_visible_to
from hotline.tickets.tests.drive import drive

S = Ticket.Status
CENTRE_USERS = ["agent", "dispatcher", "reviewer", "visitor", "supervisor", "qa", "analyst", "hr", "admin"]


def _numbers(qs: Any) -> set[str]:
    return set(qs.values_list("number", flat=True))


def _inbox(department: Any) -> set[str]:
    return set(selectors.department_inbox(department=department).values_list("ticket__number", flat=True))


@pytest.fixture
def spread(city):
    """One ticket per place in the tree, plus a draft nobody outside the centre holds."""
    bureau = drive(city, S.DISPATCHED, lead=city.bureau, title="占道经营", content="幸福路夜市占道")
    other = drive(city, S.DISPATCHED, lead=city.other_bureau, title="过期食品", content="超市售卖过期牛奶")
    street = drive(city, S.ACKNOWLEDGED, lead=city.district, title="路灯不亮", content="东华街道路灯")
    street = svc.ticket_subdispatch(ticket=street, by=city.district_handler, department=city.street)
    district = drive(city, S.DISPATCHED, lead=city.district, title="噪音扰民", content="工地夜间施工")
    sibling = drive(city, S.DISPATCHED, lead=city.other_street, title="垃圾未清", content="西湖街道垃圾")
    draft = drive(city, S.DRAFT, title="草稿", content="尚未派单的草稿")
    return {
        "bureau": bureau,
        "other": other,
        "street": street,
        "district": district,
        "sibling": sibling,
        "draft": draft,
    }


def _expected(spread: dict[str, Ticket], *names: str) -> set[str]:
    return {spread[n].number for n in names}


VISIBLE = {
    "bureau_handler": ("bureau",),
    "other_handler": ("other",),
    "district_handler": ("street", "district", "sibling"),
    "district_manager": ("street", "district", "sibling"),
    "street_handler": ("street",),
    "other_street_handler": ("sibling",),
}


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_department_user_lists_only_tickets_assigned_to_its_subtree(city, spread, username):
    user = city.users[username]
    expected = _expected(spread, *VISIBLE[username])
    assert _numbers(tickets_visible_to(user)) == expected
    assert _numbers(selectors.ticket_list(user=user)) == expected


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_department_cannot_open_other_departments_tickets(city, spread, username):
    user = city.users[username]
    for name, ticket in spread.items():
        if name in VISIBLE[username]:
            assert selectors.ticket_get(user=user, number=ticket.number) == ticket
        else:
            with pytest.raises(NotFound):
                selectors.ticket_get(user=user, number=ticket.number)


def test_department_search_finds_nothing_outside_its_subtree(city, spread):
    user = city.bureau_handler
    assert _numbers(selectors.ticket_list(user=user, text="过期")) == set()
    assert _numbers(selectors.ticket_list(user=user, text=spread["other"].number)) == set()
    assert _numbers(selectors.ticket_list(user=user, text="草稿")) == set()
    assert _numbers(selectors.ticket_list(user=user, text="夜市")) == {spread["bureau"].number}
    assert _numbers(selectors.ticket_list(user=user, text=spread["bureau"].number)) == {
        spread["bureau"].number
    }
    # The same search from the centre finds the other bureau's ticket.
    assert _numbers(selectors.ticket_list(user=city.dispatcher, text="过期")) == {spread["other"].number}


def test_street_user_does_not_find_its_sibling_streets_ticket_by_search(city, spread):
    assert _numbers(selectors.ticket_list(user=city.street_handler, text="垃圾")) == set()
    assert _numbers(selectors.ticket_list(user=city.district_handler, text="垃圾")) == {
        spread["sibling"].number
    }


def test_department_filter_cannot_widen_a_department_users_scope(city, spread):
    qs = selectors.ticket_list(user=city.street_handler, department=city.district)
    assert _numbers(qs) == {spread["street"].number}


def test_department_inbox_holds_open_work_of_the_subtree(city, spread):
    assert _inbox(city.bureau) == {spread["bureau"].number}
    assert _inbox(city.district) == _expected(spread, "street", "district", "sibling")
    assert _inbox(city.street) == {spread["street"].number}
    assert _inbox(city.other_street) == {spread["sibling"].number}
    assert _inbox(city.centre) == set()


def test_centre_roles_see_every_ticket(city, spread):
    everything = _expected(spread, *spread)
    for username in CENTRE_USERS:
        user = city.users[username]
        assert _numbers(selectors.ticket_list(user=user)) == everything, username
        assert selectors.ticket_get(user=user, number=spread["draft"].number) == spread["draft"]


def test_inactive_user_sees_nothing(city, spread):
    for username in ("dispatcher", "bureau_handler"):
        user = city.users[username]
        user.is_active = False
        user.save()
        assert _numbers(selectors.ticket_list(user=user)) == set()
        with pytest.raises(NotFound):
            selectors.ticket_get(user=user, number=spread["bureau"].number)


def test_department_user_without_a_department_sees_nothing(city, spread):
    user = city.bureau_handler
    user.department = None
    user.save()
    assert _numbers(selectors.ticket_list(user=user)) == set()


def test_caller_history_is_scoped_like_the_list(city, spread):
    phone = spread["bureau"].citizen_phone
    assert _numbers(selectors.tickets_of_caller(user=city.agent, phone=phone)) == _expected(spread, *spread)
    assert _numbers(selectors.tickets_of_caller(user=city.street_handler, phone=phone)) == {
        spread["street"].number
    }


# -- history: what a department keeps after the work leaves it -----------------------------------
#
# The rule in `permissions.tickets_visible_to` is any assignment, active or not: a department keeps
# read access to tickets it once held (its own history), but the inbox lists only active
# assignments and every action needs an active one.


def test_ticket_stays_visible_to_a_department_after_its_return_was_approved(city):
    t = drive(city, S.RETURN_PENDING, lead=city.bureau)
    t = svc.ticket_return_decide(ticket=t, by=city.dispatcher, approve=True)
    assert t.status == S.PENDING_DISPATCH
    user = city.bureau_handler
    assert selectors.ticket_get(user=user, number=t.number) == t
    assert t.number in _numbers(selectors.ticket_list(user=user))
    assert t.number not in _inbox(city.bureau)
    assert Assignment.objects.get(ticket=t).state == Assignment.State.RETURNED


def test_previous_department_keeps_history_but_loses_inbox_and_actions_after_redispatch(city):
    t = drive(city, S.ACKNOWLEDGED, lead=city.bureau)
    t = svc.ticket_redispatch(ticket=t, by=city.dispatcher, lead=city.other_bureau, note="职责不符")
    assert selectors.ticket_get(user=city.bureau_handler, number=t.number) == t
    assert t.number not in _inbox(city.bureau)
    assert t.number in _inbox(city.other_bureau)
    with pytest.raises(NotAllowed):
        svc.ticket_acknowledge(ticket=t, by=city.bureau_handler)
    with pytest.raises(NotAllowed):
        svc.ticket_return_request(ticket=t, by=city.bureau_handler, reason="不归我们")
    svc.ticket_acknowledge(ticket=t, by=city.other_handler)


def test_closed_ticket_leaves_the_inbox_but_stays_in_the_departments_list(city):
    t = drive(city, S.CLOSED, lead=city.bureau)
    assert t.number not in _inbox(city.bureau)
    assert t.number in _numbers(selectors.ticket_list(user=city.bureau_handler))


def test_merged_ticket_leaves_the_inbox(city):
    t = drive(city, S.DISPATCHED, lead=city.bureau)
    parent = drive(city, S.PENDING_DISPATCH, title="同一问题")
    svc.ticket_merge(ticket=t, by=city.dispatcher, parent=parent)
    assert t.number not in _inbox(city.bureau)


def test_street_loses_visibility_of_nothing_it_never_held(city):
    t = drive(city, S.ACKNOWLEDGED, lead=city.district)
    t = svc.ticket_redispatch(ticket=t, by=city.dispatcher, lead=city.bureau, note="市级部门办理")
    with pytest.raises(NotFound):
        selectors.ticket_get(user=city.street_handler, number=t.number)
    assert selectors.ticket_get(user=city.district_handler, number=t.number) == t
